"""Daily caps (docs/rules.md): points per resident, behaviour and Beijing day. A claim beyond the cap is
credited only up to what is left of it; what the resident already has today is read here, with their trust
level in the same query when the behaviour has review thresholds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from carbon_credit.activities import trust
from carbon_credit.activities.models import Activity
from carbon_credit.platform.settings import Settings

Group = tuple[int, str, date]  # (resident id, behaviour, local day)


def apply_cap(points: int, already: int, behaviour: str, settings: Settings) -> tuple[int, int]:
    """(points credited, the cap that cut them or 0): ``points`` when they fit under the behaviour's daily
    cap beside the ``already`` credited today (or there is no cap), else what is left of it."""
    cap = settings.daily_caps.get(behaviour, 0)
    if not cap or already + points <= cap:
        return points, 0
    return max(cap - already, 0), cap


def credited_on(*, session: Session, resident_id: int, behaviour: str, day: date) -> int:
    """Points credited to the resident for the behaviour on the Beijing ``day``."""
    query = select(func.coalesce(func.sum(Activity.points), 0)).where(
        Activity.resident_id == resident_id,
        Activity.behaviour == behaviour,
        Activity.local_day == day,
        Activity.status == "credited",
    )
    return int(session.execute(query).scalar_one())


def standing(
    *, session: Session, resident_id: int, behaviour: str, day: date, now: datetime
) -> tuple[str, int]:
    """(trust level, points credited for the behaviour on ``day``) in one query; the level is asked only for
    behaviours with review thresholds, else it is normal."""
    if behaviour not in trust.BEHAVIOURS_WITH_THRESHOLDS:
        return trust.NORMAL, credited_on(
            session=session, resident_id=resident_id, behaviour=behaviour, day=day
        )
    credited = Activity.status == "credited"
    today = and_(Activity.behaviour == behaviour, Activity.local_day == day)
    decided = trust.decided_since(now)
    query = select(
        func.coalesce(func.sum(case((and_(today, credited), Activity.points), else_=0)), 0),
        func.coalesce(func.sum(case((and_(decided, credited), 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(decided, Activity.status == "rejected"), 1), else_=0)), 0),
    ).where(Activity.resident_id == resident_id, or_(today, decided))
    already, approvals, rejections = session.execute(query).one()
    return trust.classify(int(approvals), int(rejections)), int(already)


def credited_totals(*, session: Session, groups: Iterable[Group], settings: Settings) -> dict[Group, int]:
    """Points already credited per (resident, behaviour, day), for the groups whose behaviour has a cap (one
    grouped query); every other group counts 0."""
    capped = {g for g in groups if settings.daily_caps.get(g[1], 0)}
    totals: dict[Group, int] = defaultdict(int)
    if not capped:
        return totals
    query = (
        select(Activity.resident_id, Activity.behaviour, Activity.local_day, func.sum(Activity.points))
        .where(
            Activity.resident_id.in_({g[0] for g in capped}),
            Activity.behaviour.in_({g[1] for g in capped}),
            Activity.local_day.in_({g[2] for g in capped}),
            Activity.status == "credited",
        )
        .group_by(Activity.resident_id, Activity.behaviour, Activity.local_day)
    )
    for resident_id, behaviour, day, total in session.execute(query):
        totals[(resident_id, behaviour, day)] = int(total)
    return totals
