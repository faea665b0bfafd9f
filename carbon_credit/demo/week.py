"""The demo week as data: what each demo resident did over the last seven days, in Beijing time.

Each step names a Beijing day (``days_ago``: 0 is today) and a time of day. Past days are replayed at their
own moments, through the same operations a phone would call (``playback.py``), so the ledger, the rollups
and the campaign budgets read as if the week had really happened; a step of today later than the clock
happens now. The amounts stay under every daily cap and inside every claim window (activities/policy.py),
so nothing is refused except the one scan meant to be refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from carbon_credit.platform import clock

RESIDENT = "resident@demo.xiaogan.local"
NEIGHBOUR = "yunmeng@demo.xiaogan.local"
CARD = "8610 0023 4567"  # the neighbour's bus card, claimed without a trip: waits for an administrator


@dataclass(frozen=True, slots=True)
class Done:
    """A recorded activity: ``channel`` "demo" stands for verified data (a station's scale, a meter);
    "web" is the resident's own declaration (a large one waits for review)."""

    days_ago: int
    at: str  # "07:40", Beijing time
    who: str
    key: str
    behaviour: str
    inputs: Mapping[str, Any]
    channel: str = "demo"


@dataclass(frozen=True, slots=True)
class Ride:
    """A bus ride: a QR scan at ``start`` at the time, another at ``end`` ``minutes`` later."""

    days_ago: int
    at: str
    who: str
    key: str
    start: str  # stop code
    end: str
    minutes: int


@dataclass(frozen=True, slots=True)
class Redeem:
    """A reward redeemed (by English name); ``used_after`` minutes later the merchant marks it used."""

    days_ago: int
    at: str
    who: str
    key: str
    reward: str
    used_after: int | None = None


Step = Done | Ride | Redeem

WEEK: tuple[Step, ...] = (
    # 演示居民: rides the bus to work, sorts paper at home, walks in the evening.
    Ride(6, "07:40", RESIDENT, "ride-1", "XG1-01", "XG1-04", 13),
    Done(6, "20:15", RESIDENT, "walk-6", "walking", {"steps": 9200}),
    Ride(5, "07:45", RESIDENT, "ride-2", "XG1-01", "XG1-05", 16),
    Done(5, "12:30", RESIDENT, "paper-5", "recycling", {"material": "mixed_paper", "kg": "1.5"}),
    Ride(5, "17:40", RESIDENT, "ride-3", "XG1-05", "XG1-01", 18),
    Done(4, "19:50", RESIDENT, "walk-4", "walking", {"steps": 6800}),
    Done(4, "21:00", RESIDENT, "power-4", "electricity", {"kwh": "18", "scope": "hubei"}),
    Ride(3, "08:05", RESIDENT, "ride-4", "XG3-01", "XG3-05", 17),
    Redeem(3, "18:30", RESIDENT, "library", "Library card credit", used_after=15 * 60 + 45),
    Ride(2, "07:50", RESIDENT, "ride-5", "XG8-01", "XG1-05", 14),
    Done(2, "19:30", RESIDENT, "walk-2", "walking", {"steps": 11000}),
    Ride(1, "08:00", RESIDENT, "ride-6", "XG1-01", "XG1-05", 15),
    Done(1, "12:20", RESIDENT, "cans-1", "recycling", {"material": "aluminium_cans", "kg": "0.4"}),
    Ride(1, "18:10", RESIDENT, "ride-7", "XG1-05", "XG1-01", 17),
    Done(1, "20:30", RESIDENT, "walk-1", "walking", {"steps": 7600}),
    Redeem(1, "21:00", RESIDENT, "badge", "Green commuter badge"),
    Done(0, "07:30", RESIDENT, "walk-0", "walking", {"steps": 4300}),
    # Held for review: 30 kg of old newspapers, declared without a photo (above the 20 kg threshold).
    Done(0, "09:30", RESIDENT, "papers-review", "recycling", {"material": "newspaper", "kg": "30"}, "web"),
    # 云梦居民: a walker who planted trees, recycles cardboard, and tried the bus this week.
    Done(6, "18:30", NEIGHBOUR, "walk-6", "walking", {"steps": 12500}),
    Done(5, "09:00", NEIGHBOUR, "trees-5", "tree_planting", {"trees": 2, "years": 1}),
    Done(5, "19:00", NEIGHBOUR, "walk-5", "walking", {"steps": 8000}),
    Done(4, "10:20", NEIGHBOUR, "boxes-4", "recycling", {"material": "corrugated_cardboard", "kg": "3"}),
    Done(4, "19:40", NEIGHBOUR, "walk-4", "walking", {"steps": 10400}),
    Done(3, "21:10", NEIGHBOUR, "power-3", "electricity", {"kwh": "12", "scope": "hubei"}),
    Ride(2, "08:20", NEIGHBOUR, "ride-1", "XG1-03", "XG1-06", 12),
    Done(2, "19:10", NEIGHBOUR, "walk-2", "walking", {"steps": 9800}),
    Ride(1, "07:55", NEIGHBOUR, "ride-2", "XG3-02", "XG1-03", 8),
    Done(1, "11:00", NEIGHBOUR, "glass-1", "recycling", {"material": "glass", "kg": "2"}),
    # Refused: 4.3 km in two minutes is faster than any bus (the suspicious-scans tab shows it).
    Ride(1, "18:00", NEIGHBOUR, "ride-too-fast", "XG8-01", "XG8-05", 2),
    # Moving boxes, declared without a photo: held for review, then approved by the administrator today.
    Done(
        1,
        "20:10",
        NEIGHBOUR,
        "boxes-review",
        "recycling",
        {"material": "corrugated_cardboard", "kg": "25"},
        "web",
    ),
    Done(0, "08:10", NEIGHBOUR, "walk-0", "walking", {"steps": 5600}),
)

APPROVED = (NEIGHBOUR, "boxes-review")  # the held claim the administrator approves


def moment(days_ago: int, at: str, now: datetime | None = None) -> datetime:
    """The aware UTC time of ``at`` (Beijing) on the Beijing day ``days_ago`` before today; a time of today
    that has not come yet is now."""
    now = now or clock.now()
    hours, minutes = (int(part) for part in at.split(":"))
    day = clock.local_day(now) - timedelta(days=days_ago)
    when = clock.as_utc(datetime.combine(day, time(hours, minutes)))
    return min(when, now)


def in_order(now: datetime) -> list[tuple[datetime, Step]]:
    """The week's steps with their moments, earliest first (the table's order breaks ties)."""
    timed = [(moment(step.days_ago, step.at, now), index, step) for index, step in enumerate(WEEK)]
    return [(when, step) for when, _, step in sorted(timed, key=lambda item: item[:2])]
