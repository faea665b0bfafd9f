"""Paying campaign bonuses from an enforced budget (docs/campaigns.md, "The budget"):

- the budget is taken by one conditional UPDATE with a row-count check; when the full bonus does not fit,
  what is left is paid (partial), then nothing; the base credit is never touched;
- the bonus is its own ledger entry (kind "earn", ref_type "campaign_bonus", key ``bonus:<activity id>``);
- a bonus a review rejection took back is given back to the budget.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.campaigns.models import Campaign
from carbon_credit.campaigns.queries import forget_running, learn_spent

_table = Campaign.__table__


def award(
    *,
    session: Session,
    activities: Sequence[dict[str, Any]],
    accounts: Mapping[int, int] | None = None,
    fresh: bool = False,
) -> list[ledger.Posting]:
    """Pay the bonuses offered to newly credited activities (``campaign_id`` and ``bonus_points`` keys, from
    ``bonus.offer``) and set those keys to what was paid (0 and 0 when nothing). Each campaign's budget is
    reserved once for its activities and shared out in activity order: full bonuses, one partial, zeros.
    Returns the bonus postings (kind "earn", key ``bonus:<activity id>``).

    ``accounts`` (resident id -> account id, when the caller holds them) saves looking them up. ``fresh``:
    the activities' ids were drawn in this transaction, so no bonus of theirs can have been paid; the
    postings are returned unposted, for the caller to post with the activities' own entries."""
    claims: dict[int, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for fact in activities:
        if fact.get("campaign_id") and fact.get("bonus_points"):
            claims[fact["campaign_id"]].append((fact, fact["bonus_points"]))
        fact["campaign_id"], fact["bonus_points"] = 0, 0
    ids = [fact["id"] for group in claims.values() for fact, _ in group]
    paid_before = set() if fresh else _already_paid(session, ids)
    for campaign_id in sorted(claims):  # a fixed order: transactions take campaign row locks alike
        group = [(f, b) for f, b in claims[campaign_id] if f["id"] not in paid_before]
        granted = reserve(session=session, campaign_id=campaign_id, points=sum(b for _, b in group))
        for fact, bonus in sorted(group, key=lambda claim: claim[0]["id"]):
            pay = min(bonus, granted)
            granted -= pay
            if pay:
                fact["campaign_id"], fact["bonus_points"] = campaign_id, pay
    paid = [f for f in activities if f["bonus_points"]]
    if not paid:
        return []
    if accounts is None or not {f["resident_id"] for f in paid} <= accounts.keys():
        # The credit that earned the bonus holds these locks already: this only maps residents to accounts.
        accounts = ledger.lock_accounts(session=session, resident_ids={f["resident_id"] for f in paid})
    postings = [_posting(accounts[f["resident_id"]], f) for f in paid]
    if not fresh:
        _pay(session, postings)
    return postings


def reserve(*, session: Session, campaign_id: int, points: int) -> int:
    """Take up to ``points`` from the campaign's budget; returns what was granted (all, the rest, or 0).

    One conditional UPDATE decides (atomic on SQLite, whose write transactions are serialised, and on
    PostgreSQL, which re-checks the WHERE after a concurrent update commits). When the full amount does
    not fit, the row is locked, the remainder read and granted, and the cached running campaigns, which
    offered more than was left, are read again (``queries.forget_running``)."""
    if points <= 0:
        return 0
    if _take(session, campaign_id, points):
        return points
    forget_running(session)
    for _attempt in range(3):
        query = select(_table.c.budget_points - _table.c.spent_points).where(_table.c.id == campaign_id)
        remaining = session.execute(query.with_for_update()).scalar_one_or_none() or 0
        grant = min(points, remaining)
        if grant <= 0:
            return 0
        if _take(session, campaign_id, grant):
            return grant
    return 0


def give_back(*, session: Session, campaign_id: int, points: int) -> None:
    """Return a reversed bonus to its campaign's budget (a review rejection took it back from the resident),
    so ``spent_points`` stays the sum of the bonuses residents keep and the rest can still be awarded."""
    spent = _table.c.spent_points
    statement = (
        update(_table).where(_table.c.id == campaign_id, spent >= points).values(spent_points=spent - points)
    )
    if session.execute(statement).rowcount != 1:
        raise RuntimeError(f"campaign {campaign_id} has not spent the {points} points being given back")
    forget_running(session)  # a spent budget may have room again


def _take(session: Session, campaign_id: int, points: int) -> bool:
    """One conditional UPDATE (pre-built); the spent points it leaves go to the cached running campaigns
    once the transaction commits (``queries.learn_spent``)."""
    spent = session.connection().execute(_TAKE, {"campaign_id": campaign_id, "points": points}).scalar()
    if spent is not None:
        learn_spent(session, campaign_id, spent)
    return spent is not None


_spent = _table.c.spent_points
_TAKE = (
    update(_table)
    .where(_table.c.id == bindparam("campaign_id"), _spent + bindparam("points") <= _table.c.budget_points)
    .values(spent_points=_spent + bindparam("points"))
    .returning(_table.c.spent_points)
)


def _already_paid(session: Session, activity_ids: list[int]) -> set[int]:
    """Activities whose bonus entry exists already (a repeated call must not draw the budget twice)."""
    if not activity_ids:
        return set()
    keys = [f"bonus:{activity_id}" for activity_id in activity_ids]
    query = select(ledger.LedgerEntry.ref_id).where(ledger.LedgerEntry.idempotency_key.in_(keys))
    return set(session.execute(query).scalars())


def _posting(account_id: int, fact: dict[str, Any]) -> ledger.Posting:
    return ledger.Posting(
        account_id,
        fact["bonus_points"],
        "earn",
        f"bonus:{fact['id']}",
        ref_type="campaign_bonus",
        ref_id=fact["id"],
        memo=f"campaign {fact['campaign_id']}",
    )


def _pay(session: Session, postings: list[ledger.Posting]) -> None:
    """One ledger entry per bonus: ``ledger.post`` for one, ``ledger.post_many`` for a bulk import."""
    if len(postings) == 1:
        ledger.post(session=session, posting=postings[0])
    else:
        ledger.post_many(session=session, postings=postings)
