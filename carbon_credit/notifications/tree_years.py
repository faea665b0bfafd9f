"""The yearly tree-year reminder: a tree-year is credited when that year's survival is shown (docs/rules.md,
"Tree planting: one tree-year at a time"), so a resident whose credited planting has an anniversary is asked
for a survival photo through the tree log page (the scheduler's daily ``tree-year-reminders`` job).

A planting (a credited ``tree_planting`` activity of year 1) planted N years ago is due for year N + 1 from
its Nth anniversary for :data:`WINDOW_DAYS` days (a job missed for a few days catches up), unless the resident
already claimed year N + 1 (a pending or credited claim with ``details.tree_year`` N + 1 dated since a month
before the anniversary: a claim names its year, not its planting). One notification per planting and year:
the dedupe key ``tree_year:<activity>:<year>`` makes a second run harmless. Years stop at the methodology's
bound (30 years of a tree's life)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.notifications.outbox import notify
from carbon_credit.platform import clock
from carbon_credit.residents import Resident
from quantification import get_methodology

KIND = "tree_year_due"
WINDOW_DAYS = 7  # remind from the anniversary for a week (the claim window of tree planting)
CLAIMED_SINCE = timedelta(days=30)  # a later-year claim this long before the anniversary counts for it
TREE_METHODOLOGY = "tree-per-tree"


def anniversary(planted: date, years: int) -> date:
    """The ``years``-th anniversary of ``planted`` (a 29 February planting's falls on 28 February)."""
    try:
        return planted.replace(year=planted.year + years)
    except ValueError:
        return planted.replace(year=planted.year + years, day=28)


def remind_tree_years(*, session: Session, now: datetime) -> int:
    """Queue the survival-photo reminder of every credited planting whose next tree-year is due at ``now``
    (Beijing day) and not yet claimed; returns how many notifications were new."""
    queued = sum(_remind(session, planting, year) for planting, year in _due(session, clock.local_day(now)))
    session.flush()
    return queued


def _remind(session: Session, planting: Activity, year: int) -> bool:
    """Queue the reminder for the planting's tree-year ``year``; False when it was already queued."""
    params = {
        "message": f"notify.{KIND}",
        "activity_id": planting.id,
        "year": year,
        "age": year - 1,
        "trees": int(planting.inputs.get("trees", 0)),
        "planted_on": planting.local_day.isoformat(),
    }
    key = f"tree_year:{planting.id}:{year}"
    note = notify(session=session, resident_id=planting.resident_id, kind=KIND, params=params, dedupe_key=key)
    return note is not None


def _due(session: Session, today: date) -> list[tuple[Activity, int]]:
    """(planting, year due) for credited first-year plantings of active residents, not yet claimed."""
    due = []
    for planting in _candidates(session, today):
        for years in range(1, _max_years()):
            day = anniversary(planting.local_day, years)
            in_window = day <= today < day + timedelta(days=WINDOW_DAYS)
            if in_window and years + 1 > _paid_years(planting):
                if not _claimed(session, planting, years + 1, day - CLAIMED_SINCE):
                    due.append((planting, years + 1))
    return due


def _candidates(session: Session, today: date) -> list[Activity]:
    """Credited tree plantings (year 1) of active residents whose planting day could have an anniversary in
    the reminder window (one day of slack each side for 29 February)."""
    ranges = [
        and_(
            Activity.local_day >= anniversary(today, -years) - timedelta(days=WINDOW_DAYS),
            Activity.local_day <= anniversary(today, -years) + timedelta(days=1),
        )
        for years in range(1, _max_years())
    ]
    query = (
        select(Activity)
        .join(Resident, Resident.id == Activity.resident_id)
        .where(
            Activity.behaviour == "tree_planting",
            Activity.status == "credited",
            Resident.is_active.is_(True),
            or_(*ranges),
        )
        .order_by(Activity.id)
    )
    return [a for a in session.execute(query).scalars() if _tree_year(a) == 1]


def _claimed(session: Session, planting: Activity, year: int, since: date) -> bool:
    """Whether the planting's resident already claimed tree-year ``year`` (pending or credited) since."""
    query = select(Activity).where(
        Activity.resident_id == planting.resident_id,
        Activity.behaviour == "tree_planting",
        Activity.status != "rejected",
        Activity.local_day >= since,
        Activity.id != planting.id,
    )
    return any(_tree_year(claim) == year for claim in session.execute(query).scalars())


def _tree_year(activity: Activity) -> int:
    """The tree-year an activity credited (1 when its details name none: the planting itself)."""
    return int((activity.details or {}).get("tree_year", 1))


def _paid_years(planting: Activity) -> int:
    """How many tree-years the planting itself credited: 1, or more for one stored before the one-year rule
    (those years are not asked for again)."""
    return int(planting.inputs.get("years", 1))


def _max_years() -> int:
    """The last tree-year a planting may be credited for (the methodology's ``years`` bound)."""
    return int(get_methodology(TREE_METHODOLOGY).bound("years"))
