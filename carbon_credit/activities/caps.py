"""Caps (docs/rules.md): points per resident and behaviour, per Beijing day and, for the levels that have
their own (policy.py), per day and per calendar month of that evidence level. A resident's own claim is
counted twice: on the day it is claimed for AND on the day it is recorded, so dating claims back cannot
multiply a cap. A claim beyond a cap is credited only up to what is left of it; what the resident already
has is read here in one query, with their trust level when the behaviour has review thresholds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, false, func, or_, select
from sqlmodel import Session

from carbon_credit.activities import policy, trust
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings

Group = tuple[int, str, date]  # (resident id, behaviour, local day)


@dataclass(frozen=True, slots=True)
class Standing:
    """What a resident already has for a behaviour: points credited on the claimed day (all levels and the
    claim's level), on the day of recording (own claims only), and in the claimed day's month (the level)."""

    trust: str = trust.NORMAL
    day: int = 0
    day_level: int = 0
    recorded: int = 0
    recorded_level: int = 0
    month_level: int = 0


def limit(points: int, standing: Standing, behaviour: str, level: policy.Level, settings: Settings):
    """(points credited, the note of the cap that cut them or None): ``points`` cut to what is left of the
    behaviour's daily cap and the level's daily and monthly caps, each counted as :class:`Standing` says."""
    day_cap = settings.daily_caps.get(behaviour, 0)
    cuts = (
        ("daily_cap", day_cap, max(standing.day, standing.recorded)),
        ("daily_cap", level.daily_cap, max(standing.day_level, standing.recorded_level)),
        ("monthly_cap", level.monthly_cap, standing.month_level),
    )
    note = None
    for kind, cap, already in cuts:
        if cap and already + points > cap:
            points, note = max(cap - already, 0), f"{kind}:{cap}"
    return points, note


def standing(
    *,
    session: Session,
    resident_id: int,
    behaviour: str,
    day: date,
    evidence: str,
    now: datetime,
    own_claim: bool = True,
) -> Standing:
    """The resident's :class:`Standing` for a claim of ``behaviour`` on ``day`` at level ``evidence``, in one
    query. ``own_claim``: also count what the resident's own claims (not evidence channels) credited today,
    whatever day they were for. The trust level is asked only for behaviours with review thresholds."""
    credited = and_(Activity.status == "credited", Activity.behaviour == behaviour)
    level = Activity.evidence == evidence
    on_day = and_(credited, Activity.local_day == day)
    start, end = _bounds(clock.local_day(now))
    today = and_(credited, Activity.created_at >= start, Activity.created_at < end)
    today = and_(today, Activity.channel.not_in(policy.EVIDENCE_CHANNELS)) if own_claim else false()
    first = day.replace(day=1)
    month = and_(credited, level, Activity.local_day >= first, Activity.local_day < _next_month(first))
    sums = [_sum(on_day), _sum(and_(on_day, level)), _sum(today), _sum(and_(today, level)), _sum(month)]
    wanted = [on_day, today, month]
    asks_trust = behaviour in trust.BEHAVIOURS_WITH_THRESHOLDS
    if asks_trust:
        decided = trust.decided_since(now)
        sums += [_count(and_(decided, Activity.status == "credited"))]
        sums += [_count(and_(decided, Activity.status == "rejected"))]
        wanted.append(decided)
    row = session.execute(select(*sums).where(Activity.resident_id == resident_id, or_(*wanted))).one()
    figures = [int(value) for value in row]
    level_name = trust.classify(figures[5], figures[6]) if asks_trust else trust.NORMAL
    return Standing(level_name, *figures[:5])


def _sum(condition):
    return func.coalesce(func.sum(case((condition, Activity.points), else_=0)), 0)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants a Beijing day starts and ends."""
    start = clock.as_utc(datetime.combine(day, time()))
    return start, start + timedelta(days=1)


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def credited_on(*, session: Session, resident_id: int, behaviour: str, day: date) -> int:
    """Points credited to the resident for the behaviour on the Beijing ``day``."""
    query = select(func.coalesce(func.sum(Activity.points), 0)).where(
        Activity.resident_id == resident_id,
        Activity.behaviour == behaviour,
        Activity.local_day == day,
        Activity.status == "credited",
    )
    return int(session.execute(query).scalar_one())


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
