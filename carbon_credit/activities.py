"""Recording low-carbon activities: validate -> quantify -> points -> daily cap -> ledger, in one transaction.

The caller owns the transaction (``carbon_credit.db.session_scope``); these functions only flush.
Idempotency keys are scoped per resident: the same key from the same resident returns the first activity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.config import Settings
from carbon_credit.errors import DomainError, IdempotencyConflict, InvalidActivity
from carbon_credit.models import CHANNELS, Activity, Account, utcnow
from quantification import QuantificationError, Result, quantify

RESIDENT_BEHAVIOURS = ("transit", "walking", "recycling", "tree_planting", "electricity")


@dataclass(frozen=True, slots=True)
class ActivityInput:
    """One activity to record: plain values only, no web or bot objects."""

    resident_id: int
    behaviour: str
    inputs: Mapping[str, Any]
    channel: str
    idempotency_key: str
    occurred_at: datetime | None = None


@dataclass
class BulkResult:
    """What a bulk record did: ids created, keys already recorded, and row errors by position."""

    created: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


def points_for(grams: int, settings: Settings) -> int:
    """Grams CO2e -> points (default 1 point = 1 g). Rounded down: the platform never invents a point."""
    return grams * settings.points_per_gram_num // settings.points_per_gram_den


def local_day(moment: datetime, settings: Settings) -> date:
    """The calendar day in the platform's time zone (Asia/Shanghai) that caps and statistics use."""
    return moment.astimezone(ZoneInfo(settings.timezone)).date()


def record_activity(*, session: Session, settings: Settings, item: ActivityInput) -> Activity:
    """Record and credit one activity; the same (resident, key) twice returns the first activity."""
    key = _scoped_key(item)
    account_id = ledger.account_id_for(session=session, resident_id=item.resident_id, lock=True)
    existing = session.execute(select(Activity).where(Activity.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        if existing.behaviour != item.behaviour:
            raise IdempotencyConflict(key=item.idempotency_key)
        return existing
    result = _quantify(item)
    activity = Activity(**_activity_row(item, result, settings, key))
    already = _credited_today(session, item.resident_id, item.behaviour, activity.local_day)
    activity.points, activity.note = _apply_cap(activity.points_quantified, already, item.behaviour, settings)
    session.add(activity)
    session.flush()
    if activity.points:
        ledger.post(session=session, posting=_earning(account_id, activity.id, activity.points, key))
    return activity


def record_activities(*, session: Session, settings: Settings, items: Sequence[ActivityInput]) -> BulkResult:
    """The bulk path (operator imports, batch jobs): the same rules as :func:`record_activity` (quantify,
    caps, idempotency, ledger), with set-based queries and multi-row inserts."""
    outcome = BulkResult()
    keys = [_scoped_key(item) for item in items]
    seen = _existing_keys(session, keys)
    rows: list[dict] = []
    for index, (item, key) in enumerate(zip(items, keys, strict=True)):
        if key in seen:
            outcome.duplicates.append(index)
            continue
        try:
            rows.append(_activity_row(item, _quantify(item), settings, key))
        except DomainError as error:
            outcome.errors.append((index, error))
            continue
        seen.add(key)
    if not rows:
        return outcome
    accounts = _lock_accounts(session, {row["resident_id"] for row in rows})
    _apply_caps_bulk(session, rows, settings)
    ids = session.execute(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), rows).scalars()
    postings = []
    for activity_id, row in zip(ids, rows, strict=True):
        outcome.created.append(activity_id)
        if row["points"]:
            postings.append(_earning(accounts[row["resident_id"]], activity_id, row["points"], row["idempotency_key"]))
    ledger.post_many(session=session, postings=postings)
    return outcome


def _scoped_key(item: ActivityInput) -> str:
    if not item.idempotency_key or len(item.idempotency_key) > 120:
        raise IdempotencyConflict(key=item.idempotency_key)
    return f"r{item.resident_id}:{item.idempotency_key}"


def _quantify(item: ActivityInput) -> Result:
    if item.behaviour not in RESIDENT_BEHAVIOURS:
        raise InvalidActivity("unknown_behaviour", value=item.behaviour)
    if item.channel not in CHANNELS:
        raise InvalidActivity("unexpected_input", name="channel", value=item.channel)
    try:
        return quantify(item.behaviour, **dict(item.inputs))
    except QuantificationError as error:
        raise InvalidActivity(error.code, **error.params) from error


def _activity_row(item: ActivityInput, result: Result, settings: Settings, key: str) -> dict[str, Any]:
    occurred_at = item.occurred_at or utcnow()
    points = points_for(result.grams, settings)
    snapshot = result.to_dict()
    return {
        "resident_id": item.resident_id,
        "behaviour": item.behaviour,
        "channel": item.channel,
        "status": "credited",
        "inputs": snapshot["inputs"],
        "methodology_id": result.methodology_id,
        "methodology_version": result.methodology_version,
        "factors": snapshot["factors"],
        "formula": result.formula,
        "grams": result.grams,
        "points_quantified": points,
        "points": points,
        "note": None,
        "occurred_at": occurred_at,
        "local_day": local_day(occurred_at, settings),
        "idempotency_key": key,
        "created_at": utcnow(),
    }


def _apply_cap(points: int, already: int, behaviour: str, settings: Settings) -> tuple[int, str | None]:
    cap = settings.daily_caps.get(behaviour, 0)
    if not cap or already + points <= cap:
        return points, None
    allowed = max(cap - already, 0)
    return allowed, f"daily_cap:{cap}"


def _credited_today(session: Session, resident_id: int, behaviour: str, day: date) -> int:
    query = select(func.coalesce(func.sum(Activity.points), 0)).where(
        Activity.resident_id == resident_id,
        Activity.behaviour == behaviour,
        Activity.local_day == day,
        Activity.status == "credited",
    )
    return int(session.execute(query).scalar_one())


def _apply_caps_bulk(session: Session, rows: list[dict], settings: Settings) -> None:
    groups = {(r["resident_id"], r["behaviour"], r["local_day"]) for r in rows}
    totals: dict[tuple, int] = defaultdict(int)
    residents = {g[0] for g in groups}
    days = {g[2] for g in groups}
    query = (
        select(Activity.resident_id, Activity.behaviour, Activity.local_day, func.sum(Activity.points))
        .where(Activity.resident_id.in_(residents), Activity.local_day.in_(days), Activity.status == "credited")
        .group_by(Activity.resident_id, Activity.behaviour, Activity.local_day)
    )
    for resident_id, behaviour, day, total in session.execute(query):
        totals[(resident_id, behaviour, day)] = int(total)
    for row in rows:
        group = (row["resident_id"], row["behaviour"], row["local_day"])
        row["points"], row["note"] = _apply_cap(row["points_quantified"], totals[group], row["behaviour"], settings)
        totals[group] += row["points"]


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(session.execute(select(Activity.idempotency_key).where(Activity.idempotency_key.in_(chunk))).scalars())
    return found


def _lock_accounts(session: Session, resident_ids: set[int]) -> dict[int, int]:
    query = (
        select(Account.resident_id, Account.id)
        .where(Account.resident_id.in_(sorted(resident_ids)))
        .order_by(Account.id)
        .with_for_update()
    )
    accounts = dict(session.execute(query).tuples().all())
    missing = resident_ids - accounts.keys()
    if missing:
        raise InvalidActivity("not_found", what="account", resident_id=min(missing))
    return accounts


def _earning(account_id: int, activity_id: int, points: int, key: str) -> ledger.Posting:
    return ledger.Posting(
        account_id=account_id, points=points, kind="earn", idempotency_key=f"activity:{key}",
        ref_type="activity", ref_id=activity_id,
    )
