"""Points expiry: unspent points older than the configured period (``Settings.points_expiry_days``; 0, the
default, means never) leave the account as one ledger entry of kind ``expiry`` per account and day.

The conservative FIFO rule: spending uses the oldest points first, so an account's expirable amount is what
it earned before the cutoff minus everything it ever spent, expired or had reversed (never below 0 nor above
the balance). The scheduler's ``points-expiry`` job calls :func:`expire_points` once a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.ledger.operations import Posting, post
from carbon_credit.platform.errors import InsufficientPoints


def expire_points(*, session: Session, now: datetime, days: int) -> int:
    """Expire every account's unspent points earned more than ``days`` before ``now`` (see the module
    docstring); a second run the same day finds nothing left to expire. Returns the points expired."""
    cutoff = now - timedelta(days=days)
    total = 0
    for account_id, amount in expirable(session=session, cutoff=cutoff):
        total += _expire(session, account_id, amount, now, cutoff, days)
    return total


def expirable(*, session: Session, cutoff: datetime) -> list[tuple[int, int]]:
    """(account id, points to expire) for every account with something earned before ``cutoff`` and not
    spent since (FIFO)."""
    old = func.sum(func.coalesce(LedgerEntry.points, 0)).filter(
        LedgerEntry.points > 0, LedgerEntry.created_at < cutoff
    )
    spent = func.sum(-LedgerEntry.points).filter(LedgerEntry.points < 0)
    query = (
        select(Account.id, Account.balance, old, spent)
        .join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(Account.balance > 0)
        .group_by(Account.id, Account.balance)
    )
    found = []
    for account_id, balance, earned_before, used in session.execute(query).all():
        amount = min(balance, max(0, int(earned_before or 0) - int(used or 0)))
        if amount > 0:
            found.append((account_id, amount))
    return found


def _expire(
    session: Session, account_id: int, amount: int, now: datetime, cutoff: datetime, days: int
) -> int:
    """Post one account's expiry (key ``expiry:<account>:<cutoff day>``); 0 when it was spent meanwhile
    (tomorrow's run sees the new state)."""
    key = f"expiry:{account_id}:{cutoff.date().isoformat()}"
    posting = Posting(
        account_id, -amount, "expiry", key, ref_type="expiry", memo=f"older than {days} days", at=now
    )
    try:
        post(session=session, posting=posting)
    except InsufficientPoints:
        return 0
    return amount
