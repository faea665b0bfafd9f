"""The administrators' statistics dashboard: totals and time series (day, week, month) of credited activities,
by behaviour, district, campaign, channel and evidence level (with the reportable total: verified and
evidenced only), active residents, redemptions and reward stock.

Sums come from the daily rollups (carbon_credit.activities keeps them on every credit), never from the
activities table, so the page reads a few thousand rows however many millions of activities there are.
Active residents are a distinct count, which cannot be summed from daily rows: it is one indexed query over
activities (``local_day`` index) for the range, kept for ``ACTIVE_CACHE_SECONDS`` per range and database
(docs/exports.md has the measurements). Periods: carbon_credit.stats.periods.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import REPORTABLE_LEVELS, Activity, DailyRollup
from carbon_credit.campaigns import Campaign
from carbon_credit.platform.i18n import translate
from carbon_credit.residents import District
from carbon_credit.stats.periods import check_range, period_label, period_start, period_starts
from carbon_credit.stats.redemptions import (
    Redemptions,
    RewardStock,
    redemptions_by_period,
    reward_stock,
    vouchers_per_reward,
)

ACTIVE_CACHE_SECONDS = 60  # a distinct count over a month of activities is cached this long per range

_R = DailyRollup.__table__.c
_SUMS = (func.sum(_R.activities), func.sum(_R.grams), func.sum(_R.points), func.sum(_R.bonus_points))


@dataclass(frozen=True, slots=True)
class Sums:
    """Credited activity sums: count, grams CO2e, points (base) and campaign bonus points."""

    activities: int = 0
    grams: int = 0
    points: int = 0
    bonus_points: int = 0

    def __add__(self, other: Sums) -> Sums:
        return Sums(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, int, int, int]:
        return (self.activities, self.grams, self.points, self.bonus_points)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a breakdown: a key (period start, behaviour, district id, channel, campaign id), its label
    in the requested language and its sums."""

    key: object
    label: str
    sums: Sums


@dataclass(frozen=True)
class Dashboard:
    """Everything the statistics page shows, for one range and granularity."""

    day_from: date
    day_to: date
    granularity: str
    totals: Sums
    active_residents: int
    series: list[Row]
    by_behaviour: list[Row]
    by_district: list[Row]
    by_campaign: list[Row]
    by_channel: list[Row]
    redemptions: list[Redemptions]
    rewards: list[RewardStock]
    redeemed: tuple[int, int] = field(default=(0, 0))  # (vouchers, points) over the range
    by_evidence: list[Row] = field(default_factory=list)

    @property
    def reportable(self) -> Sums:
        """The sums of verified and evidenced activities: what the city may report as reductions."""
        return sum((row.sums for row in self.by_evidence if row.key in REPORTABLE_LEVELS), Sums())


def dashboard_figures(
    *, session: Session, day_from: date, day_to: date, granularity: str = "day", locale: str = "zh_Hans"
) -> Dashboard:
    """The statistics of credited activities from ``day_from`` to ``day_to`` (local days, both included)."""
    check_range(day_from, day_to, granularity)
    where = (_R.local_day >= day_from, _R.local_day <= day_to)
    series = _series(session, where, day_from, day_to, granularity)
    span = {"session": session, "day_from": day_from, "day_to": day_to}
    redemptions = redemptions_by_period(**span, granularity=granularity)
    return Dashboard(
        day_from=day_from,
        day_to=day_to,
        granularity=granularity,
        totals=sum((row.sums for row in series), Sums()),
        active_residents=active_residents(**span),
        series=series,
        by_behaviour=_by(session, _R.behaviour, where, lambda k: translate(f"behaviour.{k}", locale)),
        by_district=_by(session, _R.district_id, where, _names(session, District, locale, None)),
        by_campaign=_by(session, _R.campaign_id, where, _names(session, Campaign, locale, "#{}")),
        by_channel=_by(session, _R.channel, where, lambda k: translate(f"stats.channel.{k}", locale)),
        by_evidence=_by(session, _R.evidence, where, lambda k: translate(f"evidence.{k}", locale)),
        redemptions=redemptions,
        rewards=reward_stock(session=session, locale=locale, issued_in_range=vouchers_per_reward(**span)),
        redeemed=(sum(r.vouchers for r in redemptions), sum(r.points for r in redemptions)),
    )


def _series(session: Session, where, day_from: date, day_to: date, granularity: str) -> list[Row]:
    query = select(_R.local_day, *_SUMS).where(*where).group_by(_R.local_day)
    buckets: dict[date, Sums] = defaultdict(Sums)
    for day, *sums in session.execute(query):
        buckets[period_start(day, granularity)] += Sums(*(int(s or 0) for s in sums))
    return [
        Row(start, period_label(start, granularity), buckets.get(start, Sums()))
        for start in period_starts(day_from, day_to, granularity)
    ]


def _by(session: Session, column, where, label) -> list[Row]:
    query = select(column, *_SUMS).where(*where).group_by(column).order_by(func.sum(_R.grams).desc(), column)
    return [Row(key, label(key), Sums(*(int(s or 0) for s in sums))) for key, *sums in session.execute(query)]


def _names(session: Session, model, locale: str, unknown: str | None):
    """Id -> name in the language, for districts or campaigns (``unknown`` formats an id not found, else
    "none"; 0 is "none")."""
    query = select(model.id, model.name_zh, model.name_en)
    names = {i: (en if locale == "en" else zh) for i, zh, en in session.execute(query)}
    none = translate("xlsx.none", locale)
    return lambda key: names.get(key, unknown.format(key) if unknown else none) if key else none


def active_residents(*, session: Session, day_from: date, day_to: date, fresh: bool = False) -> int:
    """Residents with at least one credited activity in the range: a distinct count over activities, using
    the ``local_day`` index; cached ACTIVE_CACHE_SECONDS per database and range unless ``fresh``."""
    cache = _active_cache(session)
    key = (day_from, day_to)
    found = cache.get(key)
    if found is not None and not fresh and time.monotonic() - found[1] < ACTIVE_CACHE_SECONDS:
        return found[0]
    # ``status || ''`` keeps the status index out of it: without statistics SQLite would otherwise scan every
    # credited activity through that index instead of the range's through ``local_day`` (160 ms vs 18 ms
    # for 30 days of 1M activities, docs/exports.md).
    query = select(func.count(Activity.resident_id.distinct())).where(
        Activity.local_day >= day_from, Activity.local_day <= day_to, (Activity.status + "") == "credited"
    )
    value = int(session.execute(query).scalar_one())
    with _cache_lock:
        cache[key] = (value, time.monotonic())
    return value


_caches: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def _active_cache(session: Session) -> dict:
    # Keyed by the connection pool: read_session's engine-with-options is a new object per call, but it
    # shares its engine's pool, and a pool belongs to one database.
    pool = session.get_bind().pool
    with _cache_lock:
        return _caches.setdefault(pool, {})


def forget_active_residents() -> None:
    """Drop every cached distinct count (tests and the rollup rebuild job may call it)."""
    with _cache_lock:
        _caches.clear()
