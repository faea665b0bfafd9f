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
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, bindparam, case, false, func, or_, select
from sqlmodel import Session

from carbon_credit.activities import policy, trust
from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings

Group = tuple[int, str, date]  # (resident id, behaviour, local day)
_activities = Activity.__table__
_NAMES = ("resident_id", "behaviour", "day", "level", "today_from", "today_to", "month_from", "month_to")
_PARAMS = {name: bindparam(name) for name in (*_NAMES, "trust_since")}


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
    asks_trust = asks_trust_level(behaviour)
    params = standing_params(resident_id, behaviour, day, evidence, now)
    row = session.connection().execute(_query(own_claim, asks_trust), params).one()
    return standing_of(row, asks_trust)


def asks_trust_level(behaviour: str) -> bool:
    """Whether the behaviour's review thresholds depend on the trust level (so the standing counts it)."""
    return behaviour in trust.BEHAVIOURS_WITH_THRESHOLDS


@lru_cache(maxsize=8)
def standing_sql(own_claim: bool, asks_trust: bool) -> tuple[tuple, ColumnElement[bool]]:
    """The sums of a :class:`Standing` as columns, and the WHERE of the rows they add up, built once with
    named parameters (:func:`standing_params`); recording reads them with its idempotency check."""
    a, p = _activities, _PARAMS
    credited = and_(a.c.status == "credited", a.c.behaviour == p["behaviour"])
    level = a.c.evidence == p["level"]
    on_day = and_(credited, a.c.local_day == p["day"])
    today = and_(credited, a.c.created_at >= p["today_from"], a.c.created_at < p["today_to"])
    today = and_(today, a.c.channel.not_in(sorted(policy.EVIDENCE_CHANNELS))) if own_claim else false()
    month = and_(credited, level, a.c.local_day >= p["month_from"], a.c.local_day < p["month_to"])
    sums = [_sum(on_day), _sum(and_(on_day, level)), _sum(today), _sum(and_(today, level)), _sum(month)]
    wanted = [on_day, today, month]
    if asks_trust:
        decided = trust.decided_after(p["trust_since"])
        sums += [_count(and_(decided, a.c.status == "credited"))]
        sums += [_count(and_(decided, a.c.status == "rejected"))]
        wanted.append(decided)
    return tuple(sums), and_(a.c.resident_id == p["resident_id"], or_(*wanted))


def standing_params(resident_id: int, behaviour: str, day: date, evidence: str, now: datetime) -> dict:
    """The parameters of :func:`standing_sql` for a claim of ``behaviour`` on ``day`` at ``evidence``."""
    start, end = _bounds(clock.local_day(now))
    first = day.replace(day=1)
    return {
        "resident_id": resident_id,
        "behaviour": behaviour,
        "day": day,
        "level": evidence,
        "today_from": start,
        "today_to": end,
        "month_from": first,
        "month_to": _next_month(first),
        "trust_since": trust.window_start(now),
    }


def standing_of(figures, asks_trust: bool) -> Standing:
    """The :class:`Standing` from the values of :func:`standing_sql`'s columns, in order."""
    figures = [int(value) for value in figures]
    level_name = trust.classify(figures[5], figures[6]) if asks_trust else trust.NORMAL
    return Standing(level_name, *figures[:5])


@lru_cache(maxsize=8)
def _query(own_claim: bool, asks_trust: bool):
    sums, where = standing_sql(own_claim, asks_trust)
    return select(*sums).where(where)


def _sum(condition):
    return func.coalesce(func.sum(case((condition, _activities.c.points), else_=0)), 0)


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
