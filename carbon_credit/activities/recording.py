"""Recording low-carbon activities on every channel: lock the account, admit the claim (admission.py: worth,
review hold, daily cap, campaign bonus), store it and credit exactly what admission decided, in one
transaction. A held entry is stored as ``pending`` with 0 points and its reason in ``note``; nothing reaches
the ledger until it is approved (carbon_credit.review).

The caller owns the transaction (``platform.database.session_scope``); these functions only flush.
Idempotency keys are scoped per resident: the same key from the same resident with the same request returns
the first activity; the same key with a different request (behaviour, inputs or details) is refused
(IdempotencyConflict: 409 on the API).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from carbon_credit import residents
from carbon_credit.activities import claims, crediting
from carbon_credit.activities.accounts import LockedAccount, lock_account, lock_accounts
from carbon_credit.activities.admission import Admission, admit, admit_many
from carbon_credit.activities.audit_trail import factor_snapshot
from carbon_credit.activities.claims import ActivityInput, Claim
from carbon_credit.activities.models import Activity
from carbon_credit.activities.photo_consent import check_photo_consent
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, IdempotencyConflict
from carbon_credit.platform.settings import Settings
from quantification import Result

RESIDENT_CHANNELS = ("web", "bot", "api", "qr")  # not operator imports or the demo

KEY_CHUNK = 500  # keys per IN (...) query


@dataclass
class BulkResult:
    """What a bulk record did: ids created, keys already recorded, and row errors by position."""

    created: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


def record_activity(
    *,
    session: Session,
    settings: Settings,
    item: ActivityInput,
    now: datetime | None = None,
    account: LockedAccount | None = None,
) -> Activity:
    """Record and credit one activity; the same (resident, key) twice returns the first activity.
    ``account``: the caller already holds the lock from :func:`lock_account` in this transaction."""
    key, now = _scoped_key(item), now or clock.now()
    if item.channel in RESIDENT_CHANNELS:  # the resident's own use (before the account: one lock order)
        residents.mark_active(session=session, resident_id=item.resident_id, now=now)
    if account is None or account.resident_id != item.resident_id:
        account = lock_account(session=session, resident_id=item.resident_id)
    existing = session.execute(select(Activity).where(Activity.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        return _replayed(existing, item)
    check_photo_consent(session=session, item=item)
    decided = admit(session=session, settings=settings, item=item, district_id=account.district_id, now=now)
    activity = Activity(**_activity_row(item, decided, key, now))
    session.add(activity)
    session.flush()
    offer = (decided.campaign_id, decided.bonus_points)
    crediting.credit_new(session=session, settings=settings, activity=activity, account=account, offer=offer)
    return activity


def record_activities(
    *, session: Session, settings: Settings, items: Sequence[ActivityInput], now: datetime | None = None
) -> BulkResult:
    """The bulk path (operator imports, batch jobs): the same admission as :func:`record_activity`, with
    set-based queries, one earn entry per account and multi-row inserts."""
    outcome, now = BulkResult(), now or clock.now()
    claimed = _new_claims(session, settings, items, now, outcome)
    if not claimed:
        return outcome
    accounts = lock_accounts(session=session, resident_ids={item.resident_id for item, _, _ in claimed})
    districts = {r: a.district_id for r, a in accounts.items()}
    pairs = [(item, claim) for item, _, claim in claimed]
    decided = admit_many(session=session, settings=settings, claimed=pairs, districts=districts, now=now)
    rows = [_activity_row(item, a, key, now) for (item, key, _), a in zip(claimed, decided, strict=True)]
    crediting.credit_batch(session, rows, {r: a.id for r, a in accounts.items()}, now)
    ids = _insert(session, rows)
    outcome.created.extend(ids[row["idempotency_key"]] for row in rows)
    credited = [(row, a) for row, a in zip(rows, decided, strict=True) if a.status == "credited"]
    crediting.after_credit(
        session=session,
        settings=settings,
        activities=[{**row, "id": ids[row["idempotency_key"]]} for row, _ in credited],
        districts=districts,
        offers=[(a.campaign_id, a.bonus_points) for _, a in credited],
    )
    return outcome


def _new_claims(
    session: Session, settings: Settings, items: Sequence[ActivityInput], now: datetime, outcome: BulkResult
) -> list[tuple[ActivityInput, str, Claim]]:
    """The items not recorded before, checked; duplicates and refused rows are noted in ``outcome``."""
    keys = [_scoped_key(item) for item in items]
    seen = _existing_keys(session, keys)
    memo: dict[tuple, Result] = {}  # quantify is pure: identical inputs (same stop pairs) share a result
    claimed = []
    for index, (item, key) in enumerate(zip(items, keys, strict=True)):
        if key in seen:
            outcome.duplicates.append(index)
            continue
        try:
            check_photo_consent(session=session, item=item)
            claimed.append((item, key, claims.check(item, settings, now, memo)))
        except DomainError as error:
            outcome.errors.append((index, error))
            continue
        seen.add(key)
    return claimed


def _insert(session: Session, rows: list[dict]) -> dict[str, int]:
    """Core multi-row insert; ids are matched back by key, since asking RETURNING to keep parameter order
    makes SQLAlchemy insert row by row on SQLite."""
    table = Activity.__table__
    inserted = session.execute(insert(table).returning(table.c.idempotency_key, table.c.id), rows)
    return dict(inserted.all())


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


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        query = select(Activity.idempotency_key).where(Activity.idempotency_key.in_(chunk))
        found.update(session.execute(query).scalars())
    return found
