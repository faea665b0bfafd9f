"""A resident's own activities: filtered, paged history; one activity; the home-page summary.

Read these with ``platform.database.read_session``. Dates filter on the activity's Beijing day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities.models import ACTIVITY_STATUSES, Activity
from carbon_credit.platform.errors import InvalidActivity, NotFound
from quantification import MethodologyDataError, get_methodology

MAX_PER_PAGE = 100
RECENT = 5
TREE_METHODOLOGY = "tree-per-tree"  # its per-tree-per-year factor gives the "tree-years" equivalent
NEWEST_FIRST = (Activity.occurred_at.desc(), Activity.id.desc())


@dataclass(frozen=True)
class Page:
    """One page of a resident's history (``page`` counts from 1; ``pages`` is at least 1)."""

    items: list[Activity]
    total: int
    page: int
    pages: int
    per_page: int


@dataclass(frozen=True)
class Summary:
    """The resident's home figures: balance, grams of credited activities, tree-years, recent activity."""

    balance: int
    grams: int
    tree_years: Decimal
    activities: int
    recent: list[Activity]


def activity_history(
    *,
    session: Session,
    resident_id: int,
    behaviour: str | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """The resident's activities, newest first, filtered and paged. A page past the end gives the last page;
    an unknown status is refused (``unexpected_input``)."""
    if status is not None and status not in ACTIVITY_STATUSES:
        raise InvalidActivity("unexpected_input", name="status", value=status)
    conditions = [Activity.resident_id == resident_id]
    if behaviour:
        conditions.append(Activity.behaviour == behaviour)
    if status:
        conditions.append(Activity.status == status)
    if date_from:
        conditions.append(Activity.local_day >= date_from)
    if date_to:
        conditions.append(Activity.local_day <= date_to)
    total = session.execute(select(func.count(Activity.id)).where(*conditions)).scalar_one()
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    pages = max(-(-total // per_page), 1)
    page = min(max(page, 1), pages)
    query = select(Activity).where(*conditions).order_by(*NEWEST_FIRST)
    items = session.execute(query.offset((page - 1) * per_page).limit(per_page)).scalars()
    return Page(items=list(items), total=total, page=page, pages=pages, per_page=per_page)


def activity_of(*, session: Session, resident_id: int, activity_id: int) -> Activity:
    """One of the resident's own activities; NotFound for anyone else's (the same answer as a missing one)."""
    activity = session.get(Activity, activity_id)
    if activity is None or activity.resident_id != resident_id:
        raise NotFound(what="activity", activity_id=activity_id)
    return activity


def tree_years(grams: int) -> Decimal:
    """An everyday equivalent: how many trees' yearly uptake ``grams`` is (per-tree methodology factor),
    to one decimal place."""
    return (Decimal(grams) / (tree_year_kg() * 1000)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def tree_year_kg() -> Decimal:
    """Kilograms CO2 one tree absorbs in a year, from the latest per-tree methodology."""
    factor = get_methodology(TREE_METHODOLOGY).factor("per_tree_per_year")
    if not factor.unit.startswith("kg"):
        raise MethodologyDataError(f"{TREE_METHODOLOGY}: expected a factor in kg, got {factor.unit}")
    return factor.value
