"""Replaying retried requests: the first outcome of (scope, owner, key) is stored and returned again.

Used where the natural result has no unique key of its own (a QR scan may open a tap-in, cancel one or be
refused). Callers serialise per owner first (the account row lock), so two copies of one request cannot both
miss the record; the unique constraint backs that up.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from carbon_credit.platform.errors import IdempotencyConflict
from carbon_credit.platform.models import IdempotencyRecord

MAX_KEY = 120


def fingerprint(*parts: object) -> str:
    """A digest of what a request asked for."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def recall(*, session: Session, scope: str, owner_id: int, key: str, asked: str) -> dict[str, Any] | None:
    """The stored outcome for this key, or None; IdempotencyConflict if the key was used differently."""
    if not key or len(key) > MAX_KEY:
        raise IdempotencyConflict(key=(key or "")[:MAX_KEY])
    record = session.execute(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope,
            IdempotencyRecord.owner_id == owner_id,
            IdempotencyRecord.key == key,
        )
    ).scalar_one_or_none()
    if record is None:
        return None
    if record.fingerprint != asked:
        raise IdempotencyConflict(key=key)
    return record.outcome


def remember(
    *, session: Session, scope: str, owner_id: int, key: str, asked: str, outcome: dict[str, Any]
) -> None:
    """Store the outcome of the first request with this key (in the caller's transaction)."""
    session.add(
        IdempotencyRecord(scope=scope, owner_id=owner_id, key=key, fingerprint=asked, outcome=outcome)
    )
    session.flush()


@lru_cache(maxsize=4)
def _claim_statement(dialect: str):
    """INSERT INTO idempotency_records ... ON CONFLICT (scope, owner_id, key) DO NOTHING RETURNING id."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(IdempotencyRecord)
    conflict = statement.on_conflict_do_nothing(index_elements=["scope", "owner_id", "key"])
    return conflict.returning(IdempotencyRecord.id)


def claim(*, session: Session, scope: str, owner_id: int, key: str, asked: str) -> dict[str, Any] | None:
    """Claim the key for this request: None when it is new (the caller does the work, then :func:`settle`),
    else the first request's outcome (IdempotencyConflict if that request asked something else).

    The claim is an insert, so no lock is needed first: on PostgreSQL a second copy of the request waits on
    the unique index until the first commits (then replays it) or rolls back (then does the work itself);
    SQLite's write transactions are serial."""
    if not key or len(key) > MAX_KEY:
        raise IdempotencyConflict(key=(key or "")[:MAX_KEY])
    values = {"scope": scope, "owner_id": owner_id, "key": key, "fingerprint": asked, "outcome": {}}
    statement = _claim_statement(session.get_bind().dialect.name).values(**values)
    if session.execute(statement).scalar_one_or_none() is not None:
        return None
    outcome = recall(session=session, scope=scope, owner_id=owner_id, key=key, asked=asked)
    if not outcome:  # claimed in this same transaction and not settled: a programming error, not a retry
        raise IdempotencyConflict(key=key)
    return outcome


def settle(*, session: Session, scope: str, owner_id: int, key: str, outcome: dict[str, Any]) -> None:
    """Store the outcome of a claimed key (in the caller's transaction, with the work it describes)."""
    record = IdempotencyRecord.__table__.c
    session.execute(
        update(IdempotencyRecord)
        .where(record.scope == scope, record.owner_id == owner_id, record.key == key)
        .values(outcome=outcome)
    )
