"""Debt: what an account owes after a clawback took back points that were already spent.

A debt is not a separate record: it is a negative balance, and the entries that made it are the clawbacks
(kind ``reversal``, negative points) posted since the balance was last at or above zero. New points repay it
(ordinary credits, each entry's ``balance_after`` shows the way back to zero); until then redemptions are
refused (carbon_credit.rewards).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.ledger.models import LedgerEntry
from carbon_credit.ledger.operations import balance


@dataclass(frozen=True, slots=True)
class Debt:
    """An account's standing: its balance, the points it owes (0 when none) and the clawbacks that made the
    debt, oldest first (empty when there is no debt)."""

    balance: int
    owed: int = 0
    causes: list[LedgerEntry] = field(default_factory=list)


def debt_of(*, session: Session, account_id: int) -> Debt:
    """The account's debt: how many points it owes and the clawback entries that caused it."""
    current = balance(session=session, account_id=account_id)
    if current >= 0:
        return Debt(current)
    last_solvent = session.execute(
        select(func.max(LedgerEntry.id)).where(
            LedgerEntry.account_id == account_id, LedgerEntry.balance_after >= 0
        )
    ).scalar_one()
    query = select(LedgerEntry).where(
        LedgerEntry.account_id == account_id, LedgerEntry.kind == "reversal", LedgerEntry.points < 0
    )
    if last_solvent is not None:
        query = query.where(LedgerEntry.id > last_solvent)
    return Debt(current, -current, list(session.execute(query.order_by(LedgerEntry.id)).scalars()))
