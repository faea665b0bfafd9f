"""The one clock and Beijing time: every "now" in the platform comes from :func:`now`.

Stored times are aware UTC; people see Beijing time (``2026-12-06 23:15``); caps, statistics and claim
windows count Beijing calendar days. Tests (and a replay tool) set the clock with :func:`frozen`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

_frozen: datetime | None = None


def now() -> datetime:
    """Aware UTC now: the frozen moment when one is set, else the wall clock."""
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Within the block (in every thread), :func:`now` answers ``moment`` (an aware time)."""
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("the clock takes an aware time")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield _frozen
    finally:
        _frozen = previous


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
