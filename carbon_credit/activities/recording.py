"""Recording low-carbon activities: validate -> quantify -> points -> review rule -> daily cap -> ledger, in
one transaction. An entry the review rule holds (carbon_credit.review) is stored as ``pending`` with 0 points
and its reason in ``note``, and nothing is written to the ledger until it is approved.

The caller owns the transaction (``carbon_credit.db.session_scope``); these functions only flush.
Idempotency keys are scoped per resident: the same key from the same resident returns the first activity.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, case, func, insert, or_, select, update
from sqlmodel import Session

from carbon_credit import campaigns, ledger
from carbon_credit.activities import rollups, trust
from carbon_credit.activities.models import CHANNELS, Activity
from carbon_credit.activities.review_rule import review_reason
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, InvalidActivity, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import Resident
from quantification import Factor, QuantificationError, Result, get_methodology, quantify

CLOCK_SKEW = timedelta(minutes=10)
KEY_CHUNK = 500  # keys per IN (...) query
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
    photo: str | None = None  # a stored upload's file name (see the review rule)
    details: Mapping[str, Any] | None = None  # facts kept with the activity but not quantified


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


@dataclass(frozen=True, slots=True)
class LockedAccount:
    """A resident's account, locked for the current transaction by :func:`lock_account`, and the
    resident's district (read in the same query, for the campaign and statistics steps)."""

    resident_id: int
    id: int
    district_id: int | None


def lock_account(*, session: Session, resident_id: int) -> LockedAccount:
    """Lock the resident's account row (PostgreSQL ``FOR UPDATE OF accounts``; SQLite's write transaction
    already serialises), which serialises one resident's requests, and read their district alongside."""
    query = (
        select(Account.id, Resident.district_id)
        .join(Resident, Resident.id == Account.resident_id)
        .where(Account.resident_id == resident_id)
        .with_for_update(of=Account)
    )
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound(what="account", resident_id=resident_id)
    return LockedAccount(resident_id, row[0], row[1])


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
    if account is None or account.resident_id != item.resident_id:
        account = lock_account(session=session, resident_id=item.resident_id)
    account_id = account.id
    existing = session.execute(select(Activity).where(Activity.idempotency_key == key)).scalar_one_or_none()
    if existing is not None:
        if existing.behaviour != item.behaviour:
            raise IdempotencyConflict(key=item.idempotency_key)
        return existing
    result = _quantify(item)
    day = local_day(_occurred_at(item, settings, now), settings)
    level, already = _standing(session, item, day, now)
    activity = Activity(**_activity_row(item, result, settings, key, now, level))
    if activity.status == "credited":  # a pending entry (review rule) is capped when it is approved
        activity.points, activity.note = _apply_cap(
            activity.points_quantified, already, item.behaviour, settings
        )
    session.add(activity)
    session.flush()
    if activity.points:
        posting = ledger.Posting(
            account_id, activity.points, "earn", f"activity:{key}", "activity", activity.id, at=now
        )
        activity.ledger_entry_id = ledger.post(session=session, posting=posting).id
        session.flush()
    if activity.status == "credited":
        districts = {item.resident_id: account.district_id}
        after_credit(session=session, settings=settings, activities=[activity], districts=districts)
    return activity


def credit_pending(*, session: Session, settings: Settings, activity: Activity) -> Activity:
    """Credit a pending activity on approval (carbon_credit.review_queue): the daily cap as of its own day,
    then its earn entry (key ``activity:<key>``, as :func:`record_activity`). The caller has locked the
    account, sets the review columns and calls :func:`after_credit`."""
    already = _credited_today(session, activity.resident_id, activity.behaviour, activity.local_day)
    activity.points, activity.note = _apply_cap(
        activity.points_quantified, already, activity.behaviour, settings
    )
    activity.status = "credited"
    session.add(activity)
    session.flush()
    if activity.points:
        account_id = ledger.account_id_for(session=session, resident_id=activity.resident_id)
        posting = ledger.Posting(
            account_id,
            activity.points,
            "earn",
            f"activity:{activity.idempotency_key}",
            ref_type="activity",
            ref_id=activity.id,
        )
        activity.ledger_entry_id = ledger.post(session=session, posting=posting).id
        session.flush()
    return activity


def after_credit(
    *,
    session: Session,
    settings: Settings,
    activities: Sequence[Activity],
    districts: Mapping[int, int | None] | None = None,
) -> None:
    """What follows every credit (here, the bulk path and review approval): campaign bonuses, then the
    statistics rollups, in the same transaction. ``districts`` (resident id -> district id), when the
    caller read them in this transaction, saves the lookup."""
    if not activities:
        return
    facts = [_credit_facts(a) for a in activities]
    residents = {f["resident_id"] for f in facts}
    if districts is None or not residents <= districts.keys():
        districts = _districts_of(session, residents)
    for fact in facts:
        fact["district_id"] = districts.get(fact["resident_id"]) or 0
    campaigns.award(session=session, settings=settings, activities=facts)
    awarded = [f for f in facts if f.get("bonus_points")]
    if awarded:
        table = Activity.__table__
        session.execute(
            update(table).where(table.c.id == bindparam("target")),
            [
                {"target": f["id"], "campaign_id": f["campaign_id"], "bonus_points": f["bonus_points"]}
                for f in awarded
            ],
        )
        by_id = {f["id"]: f for f in awarded}
        for activity in activities:
            if isinstance(activity, Activity) and activity.id in by_id:
                activity.campaign_id = by_id[activity.id]["campaign_id"]
                activity.bonus_points = by_id[activity.id]["bonus_points"]
    rollups.add(session=session, activities=facts)


def _credit_facts(activity) -> dict[str, Any]:
    get = activity.get if isinstance(activity, dict) else lambda name: getattr(activity, name)
    names = ("id", "resident_id", "behaviour", "channel", "local_day", "occurred_at", "grams", "points")
    return {name: get(name) for name in names}


def _districts_of(session: Session, resident_ids: set[int]) -> dict[int, int | None]:
    query = select(Resident.id, Resident.district_id).where(Resident.id.in_(sorted(resident_ids)))
    return {resident_id: district_id for resident_id, district_id in session.execute(query)}


def record_activities(
    *, session: Session, settings: Settings, items: Sequence[ActivityInput], now: datetime | None = None
) -> BulkResult:
    """The bulk path (operator imports, batch jobs): the same rules as :func:`record_activity` (quantify,
    caps, idempotency, ledger), with set-based queries and multi-row inserts."""
    outcome, now = BulkResult(), now or clock.now()
    keys = [_scoped_key(item) for item in items]
    seen = _existing_keys(session, keys)
    rows: list[dict] = []
    results: dict[tuple, Result] = {}  # quantify is pure: identical inputs (same stop pairs) share a result
    levels = _trust_levels(session, items, now)  # once per resident per batch
    for index, (item, key) in enumerate(zip(items, keys, strict=True)):
        if key in seen:
            outcome.duplicates.append(index)
            continue
        try:
            level = levels.get(item.resident_id, trust.NORMAL)
            rows.append(_activity_row(item, _quantify_memo(item, results), settings, key, now, level))
        except DomainError as error:
            outcome.errors.append((index, error))
            continue
        seen.add(key)
    if not rows:
        return outcome
    accounts = _lock_accounts(session, {row["resident_id"] for row in rows})
    _apply_caps_bulk(session, rows, settings)
    _credit_batch(session, rows, accounts)
    # Core multi-row insert; ids are matched back by key, since asking RETURNING to keep parameter order
    # makes SQLAlchemy insert row by row on SQLite.
    table = Activity.__table__
    inserted = session.execute(insert(table).returning(table.c.idempotency_key, table.c.id), rows)
    ids = {key: activity_id for key, activity_id in inserted}
    outcome.created.extend(ids[row["idempotency_key"]] for row in rows)
    credited = [{**row, "id": ids[row["idempotency_key"]]} for row in rows if row["status"] == "credited"]
    after_credit(session=session, settings=settings, activities=credited)
    return outcome


def credit_discrepancies(*, session: Session) -> list[tuple[int, int, int]]:
    """Earn entries whose points differ from the sum of the activities they credited:
    (entry_id, entry points, activities' points). Empty when every credit is accounted for."""
    sums = (
        select(Activity.ledger_entry_id, func.sum(Activity.points).label("total"))
        .where(Activity.ledger_entry_id.is_not(None))
        .group_by(Activity.ledger_entry_id)
        .subquery()
    )
    query = (
        select(LedgerEntry.id, LedgerEntry.points, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.ledger_entry_id == LedgerEntry.id)
        .where(LedgerEntry.ref_type.in_(("activity", "activity_batch")))
    )
    return [(e, p, int(t)) for e, p, t in session.execute(query) if p != int(t)]


def _credit_batch(session: Session, rows: list[dict], accounts: dict[int, int]) -> None:
    """One earn entry per account for the batch's credited rows (keyed by the rows' own keys, so a retried
    batch maps to the same entry); each row records the entry that credited it."""
    groups: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        row["ledger_entry_id"] = None
        if row["points"]:
            groups[accounts[row["resident_id"]]].append(row)
    postings = []
    for account_id, group in groups.items():
        digest = hashlib.sha256("\n".join(sorted(r["idempotency_key"] for r in group)).encode()).hexdigest()
        postings.append(
            ledger.Posting(
                account_id,
                sum(r["points"] for r in group),
                "earn",
                f"batch:{digest[:48]}",
                ref_type="activity_batch",
                memo=f"{len(group)} activities",
                at=group[0]["created_at"],
            )
        )
    entry_ids = ledger.post_many(session=session, postings=postings)
    for posting in postings:
        for row in groups[posting.account_id]:
            row["ledger_entry_id"] = entry_ids[posting.idempotency_key]


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


def _quantify_memo(item: ActivityInput, results: dict[tuple, Result]) -> Result:
    try:
        memo_key = (item.behaviour, item.channel, frozenset(item.inputs.items()))
    except TypeError:  # nested inputs (multi-leg trips): not memoised
        return _quantify(item)
    result = results.get(memo_key)
    if result is None:
        result = results[memo_key] = _quantify(item)
    return result


def _occurred_at(item: ActivityInput, settings: Settings, now: datetime | None) -> datetime:
    """When it happened: not in the future (a few minutes of clock skew allowed) and not older than the claim
    window (Beijing MaaS: credits must be claimed within 7 days; tree planting: within a year)."""
    now = now or clock.now()
    moment = item.occurred_at or now
    if moment.tzinfo is None:
        raise InvalidActivity("unexpected_input", name="occurred_at", value="no time zone")
    if moment > now + CLOCK_SKEW:
        raise InvalidActivity("occurred_in_future")
    days = settings.claim_window_days.get(item.behaviour, settings.claim_window_days["default"])
    if moment < now - timedelta(days=days):
        raise InvalidActivity("occurred_too_long_ago", days=days)
    return moment


def _trust_levels(session: Session, items: Sequence[ActivityInput], now: datetime | None) -> dict[int, str]:
    """Trust levels (carbon_credit.trust) of the residents whose items have review thresholds; none else."""
    ids = {i.resident_id for i in items if i.behaviour in trust.BEHAVIOURS_WITH_THRESHOLDS}
    return trust.levels_for(session=session, resident_ids=ids, now=now) if ids else {}


def _standing(session: Session, item: ActivityInput, day: date, now: datetime | None) -> tuple[str, int]:
    """(trust level, points credited to the resident for the behaviour on ``day``) in one query; the level
    is asked only for behaviours with review thresholds (as :func:`_trust_levels`), else it is normal."""
    if item.behaviour not in trust.BEHAVIOURS_WITH_THRESHOLDS:
        return trust.NORMAL, _credited_today(session, item.resident_id, item.behaviour, day)
    credited = Activity.status == "credited"
    today = and_(Activity.behaviour == item.behaviour, Activity.local_day == day)
    decided = trust.decided_since(now)
    query = select(
        func.coalesce(func.sum(case((and_(today, credited), Activity.points), else_=0)), 0),
        func.coalesce(func.sum(case((and_(decided, credited), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(decided, Activity.status == "rejected"), 1), else_=0)), 0),
    ).where(Activity.resident_id == item.resident_id, or_(today, decided))
    already, approvals, rejections = session.execute(query).one()
    return trust.classify(int(approvals), int(rejections)), int(already)


def _activity_row(
    item: ActivityInput,
    result: Result,
    settings: Settings,
    key: str,
    now: datetime | None = None,
    level: str = trust.NORMAL,
) -> dict[str, Any]:
    occurred_at = _occurred_at(item, settings, now)
    points = points_for(result.grams, settings)
    reason = review_reason(
        settings=settings,
        behaviour=item.behaviour,
        inputs=result.inputs,
        has_photo=bool(item.photo),
        trust=level,
    )
    return {
        "resident_id": item.resident_id,
        "behaviour": item.behaviour,
        "channel": item.channel,
        "status": "pending" if reason else "credited",
        "inputs": result.inputs,
        "methodology_id": result.methodology_id,
        "methodology_version": result.methodology_version,
        "factors": factor_snapshot(result.factors),
        "formula": result.formula,
        "grams": result.grams,
        "points_quantified": points,
        "points": 0 if reason else points,  # a pending entry is credited on approval, not now
        "note": reason,
        "photo": item.photo,
        "details": dict(item.details) if item.details else None,
        "occurred_at": occurred_at,
        "local_day": local_day(occurred_at, settings),
        "idempotency_key": key,
        "created_at": now or clock.now(),
    }


@lru_cache(maxsize=256)
def factor_snapshot(factors: tuple[Factor, ...]) -> list[dict[str, Any]]:
    """The factors used, as stored with the activity: key, exact value, unit and status tag. Each factor's
    published source is found from (methodology id, version, key) in the versioned registry, see
    :func:`factor_sources`; storing it again in every row would multiply the table's size."""
    return [{"key": f.key, "value": str(f.value), "unit": f.unit, "status": f.status} for f in factors]


def factor_sources(activity: Activity) -> list[dict[str, Any]]:
    """The audit trail of a stored activity's factors, each with its published source and status."""
    methodology = get_methodology(activity.methodology_id, activity.methodology_version)
    trail = []
    for stored in activity.factors:
        factor = methodology.factors.get(stored["key"])
        source = (factor.source if factor is not None else methodology.source).to_dict()  # derived: its base
        trail.append({**stored, "source": source, "to_confirm": bool(factor and factor.to_confirm)})
    return trail


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
    capped = [r for r in rows if r["status"] == "credited" and settings.daily_caps.get(r["behaviour"], 0)]
    if not capped:
        return
    totals: dict[tuple, int] = defaultdict(int)
    query = (
        select(Activity.resident_id, Activity.behaviour, Activity.local_day, func.sum(Activity.points))
        .where(
            Activity.resident_id.in_({r["resident_id"] for r in capped}),
            Activity.behaviour.in_({r["behaviour"] for r in capped}),
            Activity.local_day.in_({r["local_day"] for r in capped}),
            Activity.status == "credited",
        )
        .group_by(Activity.resident_id, Activity.behaviour, Activity.local_day)
    )
    for resident_id, behaviour, day, total in session.execute(query):
        totals[(resident_id, behaviour, day)] = int(total)
    for row in capped:
        group = (row["resident_id"], row["behaviour"], row["local_day"])
        row["points"], row["note"] = _apply_cap(
            row["points_quantified"], totals[group], row["behaviour"], settings
        )
        totals[group] += row["points"]


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start : start + KEY_CHUNK]
        found.update(
            session.execute(
                select(Activity.idempotency_key).where(Activity.idempotency_key.in_(chunk))
            ).scalars()
        )
    return found


def _lock_accounts(session: Session, resident_ids: set[int]) -> dict[int, int]:
    query = (
        select(Account.resident_id, Account.id)
        .where(Account.resident_id.in_(sorted(resident_ids)))
        .order_by(Account.id)
        .with_for_update()
    )
    accounts = {resident_id: account_id for resident_id, account_id in session.execute(query)}
    missing = resident_ids - accounts.keys()
    if missing:
        raise InvalidActivity("not_found", what="account", resident_id=min(missing))
    return accounts
