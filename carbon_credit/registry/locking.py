"""The registry's one lock and its batch reads: pooling, verification, issuance and corrections take the
registry lock first, so each sees what the one before it committed.

PostgreSQL: a transaction-level advisory lock (``pg_advisory_xact_lock``), released at commit or rollback.
SQLite: nothing to take, every write transaction is already serial (``BEGIN IMMEDIATE``,
carbon_credit/platform/database.py). The lock makes the path clean; the database still enforces the rule
that matters without it: ``registry_records.activity_id`` is a primary key, so an activity can never be in
two batches whatever the code does (docs/registry.md, "Rules against double counting").
"""

from __future__ import annotations

from sqlalchemy import select, text
from sqlmodel import Session

from carbon_credit.platform.errors import NotFound
from carbon_credit.registry.models import Batch

REGISTRY_LOCK = 0x43_43_52_47  # "CCRG": the advisory lock key of the registry's writers


def lock_registry(session: Session) -> None:
    """Take the registry lock for the rest of the transaction (PostgreSQL; SQLite is serial already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": REGISTRY_LOCK})


def batch_row(session: Session, batch_id: int, *, for_update: bool = False) -> Batch:
    """The batch read afresh (optionally row-locked), or NotFound ``registry_batch_not_found``."""
    query = select(Batch).where(Batch.id == batch_id).execution_options(populate_existing=True)
    if for_update:
        query = query.with_for_update()
    found = session.execute(query).scalar_one_or_none() if 0 < batch_id < 2**31 else None
    if found is None:
        raise NotFound("registry_batch_not_found", what="batch", batch_id=batch_id)
    return found
