"""Recording low-carbon activities on every channel: lock the account, admit the claim (admission.py: worth,
review hold, daily cap, campaign bonus), store it and credit exactly what admission decided, in one
transaction. A held entry is stored as ``pending`` with 0 points and its reason in ``note``; nothing reaches
the ledger until it is approved (carbon_credit.review).

The caller owns the transaction (``platform.database.session_scope``); recording writes with Core statements
and flushes nothing (the activity returned is in the session as if loaded).
Idempotency keys are scoped per resident: the same key from the same resident with the same request returns
the first activity; the same key with a different request (behaviour, inputs or details) is refused
(IdempotencyConflict: 409 on the API).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from carbon_credit import ledger, residents
from carbon_credit.activities import bulk, caps, claims, crediting, policy
from carbon_credit.activities.accounts import (
    LockedAccount,
    account_columns,
    account_of,
    lock_account,
    locks_rows,
)
from carbon_credit.activities.admission import Admission, decide
from carbon_credit.activities.audit_trail import factor_snapshot
from carbon_credit.activities.claims import ActivityInput, Claim
from carbon_credit.activities.models import Activity
from carbon_credit.activities.photo_consent import check_photo_consent
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, IdempotencyConflict
from carbon_credit.platform.settings import Settings

RESIDENT_CHANNELS = ("web", "bot", "api")  # not imports or the demo; a QR trip's scan marks it (transit)


def record_activity(
    *,
    session: Session,
    settings: Settings,
    item: ActivityInput,
    now: datetime | None = None,
    account: LockedAccount | None = None,
) -> Activity:
    """Record and credit one activity; the same (resident, key) twice returns the first activity.
    ``account``: the caller already holds the lock from :func:`lock_account` in this transaction.

    Statements: the resident marked active, the account lock (with the district), one read after it (the
    key's first activity, the caps' sums, the trust level's counts and the new activity's id), then the
    writes (``crediting.store_new``). On PostgreSQL the lock and the read stay two statements: under READ
    COMMITTED a statement that waited for the lock sees other tables as of its own start. SQLite has no row
    lock to wait for (BEGIN IMMEDIATE serialised the transaction from its start): the account is read with
    the rest (``accounts.locks_rows``)."""
    key, now = _scoped_key(item), now or clock.now()
    if item.channel in RESIDENT_CHANNELS:  # the resident's own use (before the account: one lock order)
        residents.mark_active(session=session, resident_id=item.resident_id, now=now)
    if account is not None and account.resident_id != item.resident_id:
        account = None
    if account is None and locks_rows(session):
        account = lock_account(session=session, resident_id=item.resident_id)
    try:
        claim = claims.check(item, settings, now)
    except DomainError:
        account = account or lock_account(session=session, resident_id=item.resident_id)  # NotFound first
        existing = _first(session, key)  # a retried key returns its activity even if refused now
        if existing is not None:
            return _replayed(existing, item)
        check_photo_consent(session=session, item=item)
        raise
    first_id, new_id, standing, account = _read_after_lock(session, item, claim, key, now, account)
    if first_id is not None:
        return _replayed(session.get(Activity, first_id), item)
    check_photo_consent(session=session, item=item)
    decided = decide(
        session=session, settings=settings, item=item, claim=claim, standing=standing,
        district_id=account.district_id,
    )  # fmt: skip
    row = {**_activity_row(item, decided, key, now), "id": new_id}
    offer = (decided.campaign_id, decided.bonus_points)
    crediting.store_new(session=session, row=row, account=account, offer=offer)
    return ledger.loaded(session, Activity, {**row, **_UNREVIEWED})


def _read_after_lock(
    session: Session,
    item: ActivityInput,
    claim: Claim,
    key: str,
    now: datetime,
    account: LockedAccount | None,
) -> tuple[int | None, int, caps.Standing, LockedAccount]:
    """One statement: the key's first activity id (or None), the new activity's id, the caps' standing and,
    when ``account`` is None (no row lock was taken), the account."""
    own, asks_trust = item.channel not in policy.EVIDENCE_CHANNELS, caps.asks_trust_level(item.behaviour)
    params = caps.standing_params(item.resident_id, item.behaviour, claim.local_day, claim.evidence, now)
    conn = session.connection()
    read = _read(conn.dialect.name, own, asks_trust, account is None)
    first_id, new_id, *sums = conn.execute(read, {**params, "key": key}).one()
    if account is None:
        account = account_of(item.resident_id, *sums[:2])
        sums = sums[2:]
    return first_id, new_id, caps.standing_of(sums, asks_trust), account


_UNREVIEWED = {"reviewed_by": None, "reviewed_at": None, "review_note": None}
_activities = Activity.__table__


@lru_cache(maxsize=32)
def _read(dialect: str, own_claim: bool, asks_trust: bool, with_account: bool):
    """The read after the lock: the key's first activity (id or NULL), the new activity's id (PostgreSQL:
    the sequence's next value; SQLite: one past the largest, under the write lock the transaction holds),
    ``with_account``: the account id and district (``accounts.account_columns``), and the caps' sums
    (``caps.standing_sql``)."""
    sums, where = caps.standing_sql(own_claim, asks_trust)
    table = _activities
    first = select(table.c.id).where(table.c.idempotency_key == bindparam("key")).scalar_subquery()
    if dialect == "postgresql":
        new_id = func.nextval(func.pg_get_serial_sequence(table.name, "id"))
    else:
        new_id = select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()
    accounts = account_columns() if with_account else ()
    return select(first, new_id, *accounts, *sums).where(where)


def _first(session: Session, key: str) -> Activity | None:
    return session.execute(select(Activity).where(Activity.idempotency_key == key)).scalar_one_or_none()


def record_activities(
    *, session: Session, settings: Settings, items: Sequence[ActivityInput], now: datetime | None = None
) -> bulk.BulkResult:
    """The bulk path (operator imports, batch jobs): the same admission as :func:`record_activity` for many
    claims in one transaction, one earn entry per account (carbon_credit.activities.bulk)."""
    keys = bulk.Keys(_scoped_key, request_digest)
    return bulk.record_activities(session=session, settings=settings, items=items, keys=keys, now=now)


def _replayed(existing: Activity, item: ActivityInput) -> Activity:
    """The first activity for a retried key; IdempotencyConflict when the retry asks for something else
    (activities stored before request digests were kept are compared by behaviour only)."""
    digest = existing.request_digest
    if existing.behaviour != item.behaviour or (digest and digest != request_digest(item)):
        raise IdempotencyConflict(key=item.idempotency_key)
    return existing


def request_digest(item: ActivityInput) -> str:
    """SHA-256 of what the resident asked for: behaviour, inputs and details. Not the time, which a retry
    may compute afresh (a relative date, the demo's "three days ago"), nor a photo's stored name, which
    differs on every upload."""
    asked = {
        "behaviour": item.behaviour,
        "inputs": dict(item.inputs),
        "details": dict(item.details) if item.details else None,
    }
    text = json.dumps(asked, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _scoped_key(item: ActivityInput) -> str:
    if not item.idempotency_key or len(item.idempotency_key) > 120:
        raise IdempotencyConflict(key=item.idempotency_key)
    return f"r{item.resident_id}:{item.idempotency_key}"


def _activity_row(item: ActivityInput, decided: Admission, key: str, now: datetime) -> dict[str, Any]:
    result = decided.result
    return {
        "resident_id": item.resident_id,
        "behaviour": item.behaviour,
        "channel": item.channel,
        "evidence": decided.evidence,
        "request_digest": request_digest(item),
        "status": decided.status,
        "inputs": result.inputs,
        "methodology_id": result.methodology_id,
        "methodology_version": result.methodology_version,
        "factors": factor_snapshot(result.factors),
        "formula": result.formula,
        "grams": result.grams,
        "points_quantified": decided.points_quantified,
        "points": decided.points,
        "note": decided.note,
        "photo": item.photo,
        "details": {**(item.details or {}), **(decided.details or {})} or None,
        "occurred_at": decided.occurred_at,
        "local_day": decided.local_day,
        "idempotency_key": key,
        "created_at": now,
    }
