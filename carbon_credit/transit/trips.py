"""The trip rules, one home for QR trips and operator-imported trips (docs/transit.md; each limit a setting).

A trip's leg is measured between its stops (along a shared route, else the great circle times the detour
factor: carbon_credit.stops). :func:`trip_refusal` then checks, in this order: at least ``min_trip_metres``;
an average speed of at most ``max_speed_kmh[mode]``; and the ONE daily trip cap, at most ``daily_trip_cap``
credited trips per resident and Beijing day, QR and imported trips counted together by
:func:`credited_trips`. A QR tap-in also waits out the stop cooldown (:func:`cooldown_refusal`).
A refusal is (reason code, message params); the codes are in carbon_credit/platform/messages/transit.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.platform.settings import Settings
from carbon_credit.stops import Distance, distance_between

Refusal = tuple[str, dict[str, Any]]
TRIP_CHANNELS = ("qr", "import")  # the channels whose transit trips the daily trip cap counts
_activities = Activity.__table__.c
_CREDITED_TRIP = (
    _activities.behaviour == "transit",
    _activities.channel.in_(TRIP_CHANNELS),
    _activities.status == "credited",
)


class Place(Protocol):
    """A stop as the trip rules read it (a ``stops.Stop`` row or the scan path's cached copy)."""

    id: int
    latitude: float
    longitude: float
    mode: str


@dataclass(frozen=True, slots=True)
class Leg:
    """A trip as the rules see it: its distance, mode, how that was measured, and its duration."""

    metres: int
    mode: str
    basis: str  # "route" or "great_circle"
    elapsed: float  # seconds from boarding (tap-in) to alighting (tap-out)

    def inputs(self) -> dict[str, str]:
        """The green-travel methodology's inputs for this leg."""
        return {"mode": self.mode, "km": str(Decimal(self.metres) / 1000)}

    def facts(self) -> dict[str, Any]:
        """What an activity's details and a refusal's evidence keep of the leg."""
        return {"metres": self.metres, "mode": self.mode, "basis": self.basis, "elapsed_s": int(self.elapsed)}


def measure_leg(
    *,
    session: Session,
    settings: Settings,
    from_stop: Place,
    to_stop: Place,
    boarded_at: datetime,
    alighted_at: datetime,
    distances: dict[tuple[int, int], Distance] | None = None,
) -> Leg:
    """The leg between two stops; a bulk caller shares ``distances`` across trips (one query per pair)."""
    pair = (from_stop.id, to_stop.id)
    distance = distances.get(pair) if distances is not None else None
    if distance is None:
        distance = distance_between(session=session, settings=settings, from_stop=from_stop, to_stop=to_stop)
        if distances is not None:
            distances[pair] = distance
    return Leg(*distance, elapsed=(alighted_at - boarded_at).total_seconds())


def trip_refusal(settings: Settings, leg: Leg, trips_that_day: Callable[[], int]) -> Refusal | None:
    """The first rule the trip breaks (distance, speed, daily cap), or None. ``trips_that_day`` counts the
    resident's credited trips of the trip's day (see :func:`credited_trips`); it is called only when the
    trip is plausible."""
    return _implausible(settings, leg) or _over_cap(settings, trips_that_day())


def credited_trips(
    *, session: Session, resident_ids: Iterable[int], days: Iterable[date]
) -> dict[tuple[int, date], int]:
    """Credited transit trips, QR and imported together, per (resident, Beijing day): what the daily trip
    cap counts, for the QR tap-out and the operator import alike."""
    query = (
        select(_activities.resident_id, _activities.local_day, func.count())
        .where(
            _activities.resident_id.in_(sorted(set(resident_ids))),
            _activities.local_day.in_(sorted(set(days))),
            *_CREDITED_TRIP,
        )
        .group_by(_activities.resident_id, _activities.local_day)
    )
    return {(resident, day): int(count) for resident, day, count in session.execute(query)}


def trips_that_day(resident_id: ColumnElement, day: ColumnElement) -> ColumnElement[int]:
    """:func:`credited_trips` of one resident and day as a scalar subquery, for a statement that reads
    more than the count (the QR tap-out's read after the account lock)."""
    counted = select(func.count()).where(
        _activities.resident_id == resident_id, _activities.local_day == day, *_CREDITED_TRIP
    )
    return counted.scalar_subquery()


def cooldown_refusal(settings: Settings, last_scan: datetime | None, now: datetime) -> Refusal | None:
    """A tap-in within ``stop_cooldown_minutes`` of the resident's last scan at the stop, or None."""
    cooldown = timedelta(minutes=settings.stop_cooldown_minutes)
    if last_scan is None or now - last_scan >= cooldown:
        return None
    wait = max(1, math.ceil((cooldown - (now - last_scan)).total_seconds() / 60))
    return "transit_cooldown", {"minutes": settings.stop_cooldown_minutes, "wait": wait}


def _implausible(settings: Settings, leg: Leg) -> Refusal | None:
    """Shorter than the minimum, or faster on average than the mode's maximum."""
    if leg.metres < settings.min_trip_metres:
        return "transit_too_short", {"metres": leg.metres, "minimum": settings.min_trip_metres}
    limit = settings.max_speed_kmh.get(leg.mode)
    kmh = leg.metres / 1000 / (leg.elapsed / 3600) if leg.elapsed > 0 else math.inf
    if limit is None or kmh <= limit:
        return None
    # "{km} km within {minutes} min": whole minutes rounded up, so seconds after the tap-in read "1 分钟内"
    return "transit_too_fast", {
        "km": str(round(leg.metres / 1000, 1)),
        "minutes": max(1, math.ceil(leg.elapsed / 60)),
        "kmh": "∞" if math.isinf(kmh) else str(round(kmh)),
        "limit": limit,
    }


def _over_cap(settings: Settings, trips_that_day: int) -> Refusal | None:
    if trips_that_day >= settings.daily_trip_cap:
        return "transit_daily_cap", {"cap": settings.daily_trip_cap}
    return None
