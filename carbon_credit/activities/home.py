"""The resident's home figures, for /me and ``GET /api/v1/me``: balance, CO2e of credited activities (grams
and tree-years), how many, and the latest few, in at most two queries. Reads only: run it in the request's
read transaction, so that every figure is from the same moment.

The balance is the account's cached sum of its entries (``ledger.balance``); the totals count credited
activities only, as :func:`carbon_credit.activities.history.summary` does."""

from __future__ import annotations

from sqlalchemy import bindparam, func, select, true
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.activities.history import NEWEST_FIRST, RECENT, Summary, tree_years
from carbon_credit.activities.models import Activity
from carbon_credit.platform.errors import NotFound

_activities = Activity.__table__
_accounts = ledger.Account.__table__
_totals = (
    select(
        func.coalesce(func.sum(_activities.c.grams), 0).label("grams"),
        func.count(_activities.c.id).label("activities"),
    )
    .where(_activities.c.resident_id == bindparam("resident_id"), _activities.c.status == "credited")
    .subquery("totals")
)
# Built once: the balance and the totals in one round trip (an aggregate always has exactly one row).
_FIGURES = (
    select(_accounts.c.balance, _totals.c.grams, _totals.c.activities)
    .select_from(_accounts.join(_totals, true()))
    .where(_accounts.c.resident_id == bindparam("resident_id"))
)
_RECENT = select(Activity).where(Activity.resident_id == bindparam("resident_id")).order_by(*NEWEST_FIRST)


def home_summary(*, session: Session, resident_id: int, recent: int = RECENT) -> Summary:
    """Balance, CO2e of credited activities (grams and tree-years), their number, and the latest ``recent``
    activities of any status, newest first: one query for the figures and one for the list (none with
    ``recent=0``, as the API's /me asks). NotFound when the resident has no points account."""
    params = {"resident_id": resident_id}
    row = session.execute(_FIGURES, params).one_or_none()
    if row is None:
        raise NotFound(what="account", resident_id=resident_id)
    balance, grams, count = row
    latest = list(session.execute(_RECENT.limit(recent), params).scalars()) if recent > 0 else []
    return Summary(
        balance=int(balance),
        grams=int(grams),
        tree_years=tree_years(int(grams)),
        activities=int(count),
        recent=latest,
    )
