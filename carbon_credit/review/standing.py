"""A resident's standing after a clawback (reads): the balance, the debt, and for each clawback that made the
debt the entry it took back and the administrator's reason. The resident's pages show it; the rewards page
explains with it why redemptions wait."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.activities import Activity

ACTIVITY_REFS = ("activity", "campaign_bonus")  # entries whose ref_id is an activity id


@dataclass(frozen=True, slots=True)
class DebtReason:
    """One clawback behind a debt: the points taken back, when, and the entry (day, behaviour, the
    administrator's reason) when it was a review decision."""

    points: int
    at: datetime
    activity_id: int | None = None
    day: date | None = None
    behaviour: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Standing:
    """The resident's balance, what they owe (0 when nothing) and why."""

    balance: int
    debt: int
    reasons: list[DebtReason]


def standing(*, session: Session, resident_id: int) -> Standing:
    """The resident's balance and debt with the reasons (``ledger.debt_of`` and the entries taken back)."""
    account_id = ledger.account_id_for(session=session, resident_id=resident_id)
    debt = ledger.debt_of(session=session, account_id=account_id)
    refs = {entry.id: _activity_ref(session, entry) for entry in debt.causes}
    found = session.execute(
        select(Activity).where(Activity.id.in_({r for r in refs.values() if r}))
    ).scalars()
    by_id = {activity.id: activity for activity in found}
    reasons = [_reason(entry, by_id.get(refs[entry.id])) for entry in debt.causes]
    return Standing(debt.balance, debt.owed, reasons)


def _activity_ref(session: Session, entry: ledger.LedgerEntry) -> int | None:
    """The activity a clawback took back: named by the entry itself, or by the entry it reverses."""
    if entry.ref_type == "ledger_entry" and entry.ref_id is not None:
        entry = session.get(ledger.LedgerEntry, entry.ref_id) or entry
    return entry.ref_id if entry.ref_type in ACTIVITY_REFS else None


def _reason(entry: ledger.LedgerEntry, activity: Activity | None) -> DebtReason:
    if activity is None:
        return DebtReason(-entry.points, entry.created_at)
    return DebtReason(
        -entry.points,
        entry.created_at,
        activity.id,
        activity.local_day,
        activity.behaviour,
        activity.review_note,
    )
