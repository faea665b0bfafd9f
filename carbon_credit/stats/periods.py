"""Date ranges and periods of the statistics: Beijing calendar days, weeks starting on Monday and months;
the range a page shows by default and the ranges it refuses."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError

GRANULARITIES = ("day", "week", "month")
MAX_RANGE_DAYS = 3 * 366  # three years of days is still a small rollup query
DEFAULT_RANGE_DAYS = 30


def default_range(now: datetime | None = None) -> tuple[date, date]:
    """The last DEFAULT_RANGE_DAYS Beijing days, today included."""
    today = clock.local_day(now or clock.now())
    return today - timedelta(days=DEFAULT_RANGE_DAYS - 1), today


def check_range(
    day_from: date, day_to: date, granularity: str = "day", code: str = "stats_bad_range"
) -> None:
    """Refuse an inverted or over-long range, or an unknown granularity (DomainError ``code``)."""
    if granularity not in GRANULARITIES or day_from > day_to or (day_to - day_from).days >= MAX_RANGE_DAYS:
        raise DomainError(code, days=MAX_RANGE_DAYS)


def day_bounds(day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The instants [day_from 00:00, day_to + 1 00:00) in Beijing time, for filtering stored times."""
    start = datetime.combine(day_from, time(), clock.BEIJING)
    return start, datetime.combine(day_to + timedelta(days=1), time(), clock.BEIJING)


def period_start(day: date, granularity: str) -> date:
    """The first day of the day's period: itself, its week's Monday, or the first of its month."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def period_starts(day_from: date, day_to: date, granularity: str) -> list[date]:
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
