"""The administrators' statistics dashboard: totals and time series (day, week, month) of credited activities,
by behaviour, district, campaign and channel, active residents, redemptions and reward stock.

Sums come from the daily rollups (carbon_credit.rollups), never from the activities table, so the page reads a
few thousand rows however many millions of activities there are. Active residents are a distinct count, which
cannot be summed from daily rows: it is one indexed query over activities (``local_day`` index) for the range,
kept for ``ACTIVE_CACHE_SECONDS`` per range and database (docs/exports.md has the measurements).
Weeks start on Monday; days, weeks and months are Asia/Shanghai calendar periods (rollups store local days).
"""

from __future__ import annotations

import re
import sys
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as time_of_day
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities.models import Activity, DailyRollup
from carbon_credit.campaigns.models import Campaign
from carbon_credit.ledger.models import LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import District
from carbon_credit.rewards.models import Reward, Voucher

GRANULARITIES = ("day", "week", "month")
MAX_RANGE_DAYS = 3 * 366  # three years of days is still a small rollup query
DEFAULT_RANGE_DAYS = 30
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


@dataclass(frozen=True, slots=True)
class Redemptions:
    """Vouchers issued in one period and the points they cost."""

    key: date
    label: str
    vouchers: int
    points: int


@dataclass(frozen=True, slots=True)
class RewardStock:
    """A reward's remaining stock and how many vouchers were issued for it (ever, and in the range)."""

    reward_id: int
    label: str
    stock: int
    issued_total: int
    issued_in_range: int
    is_active: bool


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


def default_range(settings: Settings, now: datetime | None = None) -> tuple[date, date]:
    """The last DEFAULT_RANGE_DAYS local days, today included."""
    today = (now or clock.now()).astimezone(ZoneInfo(settings.timezone)).date()
    return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def check_range(
    day_from: date, day_to: date, granularity: str = "day", code: str = "stats_bad_range"
) -> None:
    """Refuse an inverted or over-long range, or an unknown granularity (DomainError ``code``)."""
    if granularity not in GRANULARITIES or day_from > day_to or (day_to - day_from).days >= MAX_RANGE_DAYS:
        raise DomainError(code, days=MAX_RANGE_DAYS)


def period_start(day: date, granularity: str) -> date:
    """The first day of the day's period: itself, its week's Monday, or the first of its month."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def periods(day_from: date, day_to: date, granularity: str) -> list[date]:
    """Every period start from the one holding ``day_from`` to the one holding ``day_to``."""
    starts, current = [], period_start(day_from, granularity)
    while current <= day_to:
        starts.append(current)
        if granularity == "month":
            current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            current += timedelta(days=7 if granularity == "week" else 1)
    return starts


def period_label(start: date, granularity: str) -> str:
    """``2026-11-24``, ``2026-11-23`` (a week's Monday) or ``2026-11``."""
    return start.strftime("%Y-%m") if granularity == "month" else start.isoformat()


def dashboard(
    *,
    session: Session,
    settings: Settings,
    day_from: date,
    day_to: date,
    granularity: str = "day",
    locale: str = "zh_Hans",
) -> Dashboard:
    """The statistics of credited activities from ``day_from`` to ``day_to`` (local days, both included)."""
    check_range(day_from, day_to, granularity)
    where = (_R.local_day >= day_from, _R.local_day <= day_to)
    series = _series(session, where, day_from, day_to, granularity)
    totals = sum((row.sums for row in series), Sums())
    redemptions = redemptions_by_period(
        session=session, settings=settings, day_from=day_from, day_to=day_to, granularity=granularity
    )
    in_range = _vouchers_per_reward(session, settings, day_from, day_to)
    return Dashboard(
        day_from=day_from,
        day_to=day_to,
        granularity=granularity,
        totals=totals,
        active_residents=active_residents(session=session, day_from=day_from, day_to=day_to),
        series=series,
        by_behaviour=_by(session, _R.behaviour, where, lambda k: translate(f"behaviour.{k}", locale)),
        by_district=_by(session, _R.district_id, where, _district_names(session, locale)),
        by_campaign=_by(session, _R.campaign_id, where, _campaign_names(session, locale)),
        by_channel=_by(session, _R.channel, where, lambda k: translate(f"stats.channel.{k}", locale)),
        redemptions=redemptions,
        rewards=reward_stock(session=session, locale=locale, issued_in_range=in_range),
        redeemed=(sum(r.vouchers for r in redemptions), sum(r.points for r in redemptions)),
    )


def _series(session: Session, where, day_from: date, day_to: date, granularity: str) -> list[Row]:
    query = select(_R.local_day, *_SUMS).where(*where).group_by(_R.local_day)
    buckets: dict[date, Sums] = defaultdict(Sums)
    for day, *sums in session.execute(query):
        buckets[period_start(day, granularity)] += Sums(*(int(s or 0) for s in sums))
    return [
        Row(start, period_label(start, granularity), buckets.get(start, Sums()))
        for start in periods(day_from, day_to, granularity)
    ]


def _by(session: Session, column, where, label) -> list[Row]:
    query = select(column, *_SUMS).where(*where).group_by(column).order_by(func.sum(_R.grams).desc(), column)
    return [Row(key, label(key), Sums(*(int(s or 0) for s in sums))) for key, *sums in session.execute(query)]


def _district_names(session: Session, locale: str):
    query = select(District.id, District.name_zh, District.name_en)
    names = {i: (en if locale == "en" else zh) for i, zh, en in session.execute(query)}
    none = translate("xlsx.none", locale)
    return lambda key: names.get(key, none) if key else none


def _campaign_names(session: Session, locale: str):
    query = select(Campaign.id, Campaign.name_zh, Campaign.name_en)
    names = {i: (en if locale == "en" else zh) for i, zh, en in session.execute(query)}
    none = translate("xlsx.none", locale)
    return lambda key: names.get(key, f"#{key}") if key else none


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


def _local_bounds(settings: Settings, day_from: date, day_to: date) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.timezone)
    start = datetime.combine(day_from, time_of_day(), zone)
    return start, datetime.combine(day_to + timedelta(days=1), time_of_day(), zone)


def redemptions_by_period(
    *, session: Session, settings: Settings, day_from: date, day_to: date, granularity: str = "day"
) -> list[Redemptions]:
    """Vouchers issued per period and the points they cost (from their ledger entries), zero-filled."""
    start, end = _local_bounds(settings, day_from, day_to)
    zone = ZoneInfo(settings.timezone)
    query = (
        select(Voucher.issued_at, LedgerEntry.points)
        .join(LedgerEntry, LedgerEntry.id == Voucher.ledger_entry_id)
        .where(Voucher.issued_at >= start, Voucher.issued_at < end)
    )
    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for issued_at, points in session.execute(query):
        bucket = counts[period_start(_aware(issued_at).astimezone(zone).date(), granularity)]
        bucket[0] += 1
        bucket[1] += -int(points)
    return [
        Redemptions(p, period_label(p, granularity), *counts.get(p, (0, 0)))
        for p in periods(day_from, day_to, granularity)
    ]


def _vouchers_per_reward(session: Session, settings: Settings, day_from: date, day_to: date) -> dict:
    start, end = _local_bounds(settings, day_from, day_to)
    query = (
        select(Voucher.reward_id, func.count(Voucher.id))
        .where(Voucher.issued_at >= start, Voucher.issued_at < end)
        .group_by(Voucher.reward_id)
    )
    return dict(session.execute(query).all())


def reward_stock(
    *, session: Session, locale: str = "zh_Hans", issued_in_range: dict[int, int] | None = None
) -> list[RewardStock]:
    """Every reward with its stock and vouchers issued, lowest stock of the active ones first."""
    query = select(Voucher.reward_id, func.count(Voucher.id)).group_by(Voucher.reward_id)
    issued = dict(session.execute(query).all())
    rewards = session.scalars(select(Reward).order_by(Reward.is_active.desc(), Reward.stock, Reward.id)).all()
    return [
        RewardStock(
            r.id,
            r.name_en if locale == "en" else r.name_zh,
            r.stock,
            int(issued.get(r.id, 0)),
            int((issued_in_range or {}).get(r.id, 0)),
            r.is_active,
        )
        for r in rewards
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo("UTC"))


# Charts: server-side SVG (pygal), inlined in the page; no script, no external reference.
_SCRIPT = re.compile(r"<script\b.*?</script>|<!--.*?-->", re.S)


def bar_chart(title: str, labels: Iterable[str], values: Iterable[int], *, horizontal: bool = False) -> str:
    """An inline SVG bar chart (pygal, rendered here so the page needs no JavaScript and no CDN)."""
    pygal = _pygal()
    from pygal.style import Style

    labels, values = list(labels), list(values)
    chart_type = pygal.HorizontalBar if horizontal else pygal.Bar
    style = Style(background="transparent", plot_background="transparent", font_family="sans-serif")
    chart = chart_type(
        style=style,
        show_legend=False,
        width=640,
        height=max(200, 26 * len(labels) + 80) if horizontal else 300,
        js=[],
        disable_xml_declaration=True,
        x_label_rotation=0 if horizontal or len(labels) <= 8 else 45,
        show_minor_x_labels=len(labels) <= 16,
        x_labels_major_every=max(1, len(labels) // 8) if not horizontal else None,
        truncate_label=24,
        title=title,
    )
    chart.x_labels = labels
    chart.add(title, values)
    svg = chart.render(is_unicode=True)
    return _SCRIPT.sub("", svg).replace("<svg ", f'<svg role="img" aria-label="{_attr(title)}" ', 1)


def _pygal():
    """pygal, imported on first use. pygal appends a legacy ``sys.meta_path`` finder (for its map plugins,
    unused here) that makes every later failed import warn (ImportWarning, no ``find_spec``): remove it."""
    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
