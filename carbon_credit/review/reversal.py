"""Taking back a credited entry that an administrator rejects: its points (its own earn entry reversed, or
its share of a batch entry posted back), its campaign bonus (returned to the campaign's budget) and its
rollup. A clawback always lands, whole: when the resident has spent the points, the account goes into debt
(a negative balance, ``ledger.debt_of``) that new points repay; redemptions wait until then."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit import campaigns, ledger
from carbon_credit.activities import Activity, add_to_rollups
from carbon_credit.residents import Resident


def take_back(*, session: Session, activity: Activity) -> int:
    """Reverse a credited entry's points and bonus and subtract it from the rollups; returns the points
    taken back (0 when the cap left nothing)."""
    taken = _reverse_credit(session, activity)
    add_to_rollups(session=session, activities=[_rollup_fact(session, activity)], sign=-1)
    return taken


def _reverse_credit(session: Session, activity: Activity) -> int:
    """The points and the campaign bonus (its own entry, key ``bonus:<id>``) of the entry, taken back."""
    memo = f"review rejected: activity {activity.id}"
    bonus = session.execute(
        select(ledger.LedgerEntry).where(ledger.LedgerEntry.idempotency_key == f"bonus:{activity.id}")
    ).scalar_one_or_none()
    total = 0
    if activity.points and activity.ledger_entry_id is not None:
        _reverse_points(session, activity, memo)
        total += activity.points
    if bonus is not None:
        total += _reverse_bonus(session, activity, bonus, memo)
    return total


def _reverse_points(session: Session, activity: Activity, memo: str) -> None:
    entry = session.get(ledger.LedgerEntry, activity.ledger_entry_id)
    key = f"review_reversal:{activity.id}"
    if entry.ref_type == "activity" and entry.ref_id == activity.id and entry.points == activity.points:
        ledger.reverse(session=session, entry_id=entry.id, idempotency_key=key, memo=memo)
    else:  # one batch entry credited several activities: take back this one's share
        posting = ledger.Posting(
            entry.account_id, -activity.points, "reversal", key, "activity", activity.id, memo
        )
        ledger.post(session=session, posting=posting)


def _reverse_bonus(session: Session, activity: Activity, bonus: ledger.LedgerEntry, memo: str) -> int:
    key = f"review_reversal:bonus:{activity.id}"
    ledger.reverse(session=session, entry_id=bonus.id, idempotency_key=key, memo=memo)
    campaigns.give_back(session=session, campaign_id=activity.campaign_id, points=bonus.points)
    return bonus.points


def _rollup_fact(session: Session, activity: Activity) -> dict[str, Any]:
    district_id = session.execute(
        select(Resident.district_id).where(Resident.id == activity.resident_id)
    ).scalar_one()
    names = (
        "local_day",
        "behaviour",
        "channel",
        "evidence",
        "campaign_id",
        "grams",
        "points",
        "bonus_points",
    )
    return {**{name: getattr(activity, name) for name in names}, "district_id": district_id or 0}
