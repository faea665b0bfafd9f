"""Replaying retried requests: the first outcome of (scope, owner, key) is stored and returned again.

Used where the natural result has no unique key of its own (a QR scan may open a tap-in, cancel one or be
refused). Callers serialise per owner first (the account row lock), so two copies of one request cannot both
miss the record; the unique constraint backs that up.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
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
