"""Crediting what admission decided: the earn entries (one per activity, or one per account for a bulk
batch), then what follows every credit in the same transaction: the campaign bonus and the statistics
rollups. Also the pending entry's credit on approval, and the check that every earn entry matches the
activities it credited."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, insert, null, select, update
from sqlmodel import Session

from carbon_credit import campaigns, ledger
from carbon_credit.activities import rollups
from carbon_credit.activities.accounts import LockedAccount, districts_of
from carbon_credit.activities.admission import approved
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings

Offer = tuple[int | None, int]  # (campaign id, bonus points) as admission priced it
FACTS = (
    "id",
    "resident_id",
    "behaviour",
    "channel",
    "evidence",
    "local_day",
    "occurred_at",
    "grams",
    "points",
)


def store_new(*, session: Session, row: dict[str, Any], account: LockedAccount, offer: Offer) -> None:
    """Store a newly admitted activity (``row``, its id drawn already) and credit it in the same statements:
    its earn entry (key ``activity:<key>``) when it earns points, then, unless it is held for review, its
    campaign bonus (``offer``, paid from the budget: ``campaigns.award``) and rollups. Sets the row's
    ``ledger_entry_id``, ``campaign_id`` and ``bonus_points``.

    PostgreSQL: one statement after the budget's (the balance move, the entries, the activity after them
    pointing at its entry, the rollup upsert as CTEs); SQLite: the balance move, the entries, the activity,
    the rollup (four)."""
    postings, fact = [], None
    row["campaign_id"], row["bonus_points"] = None, 0
    if row["points"]:
        key = f"activity:{row['idempotency_key']}"
        at = row["created_at"]
        postings.append(ledger.Posting(account.id, row["points"], "earn", key, "activity", row["id"], at=at))
    if row["status"] == "credited":
        fact = {**_credit_facts(row), "district_id": account.district_id or 0}
        fact["campaign_id"], fact["bonus_points"] = offer[0] or 0, offer[1]
        accounts = {account.resident_id: account.id}
        postings += campaigns.award(session=session, activities=[fact], accounts=accounts, fresh=True)
        row["campaign_id"], row["bonus_points"] = fact["campaign_id"] or None, fact["bonus_points"]
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        params = {f"a_{name}": value for name, value in row.items()}  # not column names: see _stored
        params.update(ledger.entry_params(postings) if postings else {})
        params.update(rollups.one_params(fact) if fact else {})
        row["ledger_entry_id"] = conn.execute(_stored(len(postings), fact is not None), params).scalar_one()
        return
    row["ledger_entry_id"] = ledger.post_rows(conn, postings)[1][0] if postings else None
    conn.execute(_INSERT, row)
    if fact is not None:
        conn.execute(rollups.upsert_one(conn.dialect.name), rollups.one_params(fact))


_table = Activity.__table__
_INSERT = insert(_table)
_REVIEW_COLUMNS = ("reviewed_by", "reviewed_at", "review_note")  # empty on a new activity
_COLUMNS = tuple(c.name for c in _table.columns if c.name not in _REVIEW_COLUMNS)


@lru_cache(maxsize=8)
def _stored(entries: int, rolled: bool):
    """PostgreSQL: the activity row inserted after ``entries`` ledger entries (``ledger.entry_ctes``) from
    which it takes ``ledger_entry_id``, with the rollup upsert as a CTE when ``rolled``. Its parameters are
    named ``a_<column>``: a parameter named as a column would be added to the SET of the UPDATE in a CTE."""
    names = [name for name in _COLUMNS if name != "ledger_entry_id"]
    values = [bindparam(f"a_{name}", type_=_table.c[name].type) for name in names]
    names.append("ledger_entry_id")
    extra: list = []
    if entries:
        ctes = ledger.entry_ctes(entries)
        source = select(*values, ctes[1].c.id).select_from(ctes[1])
        extra += ctes[2:]
    else:
        source = select(*values, null())
    statement = insert(_table).from_select(names, source)
    if rolled:
        extra.append(rollups.upsert_one("postgresql").cte("rolled"))
    return (statement.add_cte(*extra) if extra else statement).returning(_table.c.ledger_entry_id)


def credit_pending(
    *, session: Session, settings: Settings, activity: Activity, now: datetime | None = None
) -> Activity:
    """Credit a pending activity on approval (carbon_credit.review): its evidence level's share within the
    caps of its own day (``admission.approved``), then its earn entry (key ``activity:<key>``, as for a new
    one). The caller has locked the account, sets the review columns and calls :func:`after_credit`."""
    now = now or clock.now()
    activity.points, activity.note = approved(session=session, settings=settings, activity=activity)
    activity.status = "credited"
    session.add(activity)
    session.flush()
    if activity.points:
        account_id = ledger.account_id_for(session=session, resident_id=activity.resident_id)
        key = f"activity:{activity.idempotency_key}"
        posting = ledger.Posting(
            account_id, activity.points, "earn", key, ref_type="activity", ref_id=activity.id, at=now
        )
        activity.ledger_entry_id = ledger.post(session=session, posting=posting).id
        session.flush()
    return activity


def after_credit(
    *,
    session: Session,
    settings: Settings,
    activities: Sequence[Activity | Mapping[str, Any]],
    districts: Mapping[int, int | None] | None = None,
    offers: Sequence[Offer] | None = None,
) -> None:
    """What follows every credit, in the same transaction: the campaign bonus, paid from its budget, then the
    statistics rollups. ``offers`` are admission's, one per activity; without them (an entry approved after
    review) the bonus is priced now by the same rule (``campaigns.offer``). ``districts`` (resident id ->
    district id), when the caller read them in this transaction, saves the lookup."""
    if not activities:
        return
    facts = [_credit_facts(a) for a in activities]
    _add_districts(session, facts, districts)
    if offers is None:
        campaigns.offer(session=session, facts=facts)
    else:
        for fact, (campaign_id, bonus) in zip(facts, offers, strict=True):
            fact["campaign_id"], fact["bonus_points"] = campaign_id or 0, bonus
    campaigns.award(session=session, activities=facts)
    _store_bonuses(session, facts, activities)
    rollups.add(session=session, activities=facts)


def credit_batch(session: Session, rows: list[dict], accounts: Mapping[int, int], at: datetime) -> None:
    """One earn entry per account for a batch's credited rows (keyed by the rows' own keys, so a retried
    batch maps to the same entry); each row records the entry that credited it."""
    groups: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        row["ledger_entry_id"] = None
        if row["points"]:
            groups[accounts[row["resident_id"]]].append(row)
    postings = [_batch_posting(account_id, group, at) for account_id, group in groups.items()]
    entry_ids = ledger.post_many(session=session, postings=postings)
    for posting in postings:
        for row in groups[posting.account_id]:
            row["ledger_entry_id"] = entry_ids[posting.idempotency_key]


def credit_discrepancies(*, session: Session) -> list[tuple[int, int, int]]:
    """Earn entries whose points differ from the sum of the activities they credited:
    (entry_id, entry points, activities' points). Empty when every credit is accounted for."""
    sums = (
        select(Activity.ledger_entry_id, func.sum(Activity.points).label("total"))
        .where(Activity.ledger_entry_id.is_not(None))
        .group_by(Activity.ledger_entry_id)
        .subquery()
    )
    entry = ledger.LedgerEntry
    query = (
        select(entry.id, entry.points, func.coalesce(sums.c.total, 0))
        .outerjoin(sums, sums.c.ledger_entry_id == entry.id)
        .where(entry.ref_type.in_(("activity", "activity_batch")))
    )
    return [(e, p, int(t)) for e, p, t in session.execute(query) if p != int(t)]


def _batch_posting(account_id: int, group: list[dict], at: datetime) -> ledger.Posting:
    digest = hashlib.sha256("\n".join(sorted(r["idempotency_key"] for r in group)).encode()).hexdigest()
    return ledger.Posting(
        account_id,
        sum(r["points"] for r in group),
        "earn",
        f"batch:{digest[:48]}",
        ref_type="activity_batch",
        memo=f"{len(group)} activities",
        at=at,
    )


def _credit_facts(activity: Activity | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(activity, Mapping):
        return {name: activity[name] for name in FACTS}
    return {name: getattr(activity, name) for name in FACTS}


def _add_districts(session: Session, facts: list[dict], districts: Mapping[int, int | None] | None) -> None:
    residents = {f["resident_id"] for f in facts}
    if districts is None or not residents <= districts.keys():
        districts = districts_of(session=session, resident_ids=residents)
    for fact in facts:
        fact["district_id"] = districts.get(fact["resident_id"]) or 0


def _store_bonuses(session: Session, facts: list[dict], activities: Sequence) -> None:
    """Write the bonuses paid to their activity rows (and to the Activity objects the caller holds)."""
    awarded = {f["id"]: f for f in facts if f.get("bonus_points")}
    if not awarded:
        return
    table = Activity.__table__
    session.execute(
        update(table).where(table.c.id == bindparam("target")),
        [
            {"target": i, "campaign_id": f["campaign_id"], "bonus_points": f["bonus_points"]}
            for i, f in awarded.items()
        ],
    )
    for activity in activities:
        if isinstance(activity, Activity) and activity.id in awarded:
            activity.campaign_id = awarded[activity.id]["campaign_id"]
            activity.bonus_points = awarded[activity.id]["bonus_points"]
