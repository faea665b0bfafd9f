"""The one clock and Beijing time: every "now" in the platform comes from :func:`now`.

Stored times are aware UTC; people see Beijing time (``2026-12-06 23:15``); caps, statistics and claim
windows count Beijing calendar days. Tests set the clock: :func:`running_from` moves it to another moment
from which it runs on (tests/test_calendar.py runs the domain tests as if it were New Year's Eve, a leap
day or a Monday at midnight in Beijing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)


def now() -> datetime:
    """Aware UTC now: the wall clock, moved by :func:`running_from` in tests."""
    return datetime.now(UTC) + _offset


def running_from(moment: datetime) -> None:
    """From now on the clock reads ``moment`` (an aware time) and runs on from it, in every thread."""
    global _offset
    if moment.tzinfo is None:
        raise ValueError("the clock takes an aware time")
    _offset = moment - datetime.now(UTC)


def as_utc(moment: datetime, zone: ZoneInfo = BEIJING) -> datetime:
    """An aware time as UTC; a naive one is read as local time in ``zone`` (Beijing by default)."""
    return (moment.replace(tzinfo=zone) if moment.tzinfo is None else moment).astimezone(UTC)


def local_day(moment: datetime, zone: ZoneInfo = BEIJING) -> date:
    """The calendar day of an aware time in ``zone`` (a naive time is taken as UTC, as SQLite returns it)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone).date()


def local_text(moment: datetime | None, zone: ZoneInfo = BEIJING, *, seconds: bool = False) -> str:
    """``2026-12-06 23:15`` in ``zone`` for people (empty for no time); naive values are taken as UTC."""
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
