"""Distances between stops: along a route both stops share, else the great circle times the detour factor."""

from __future__ import annotations

import math
from typing import NamedTuple

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from carbon_credit.platform.settings import Settings
from carbon_credit.stops.cache import StopFacts, cached_pair
from carbon_credit.stops.models import Route, RouteStop, Stop

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


class Distance(NamedTuple):
    """How far apart two stops are and by which mode: ``basis`` is "route" or "great_circle"."""

    metres: int
    mode: str
    basis: str


def haversine_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def distance_between(
    *, session: Session, settings: Settings, from_stop: Stop | StopFacts, to_stop: Stop | StopFacts
) -> Distance:
    """Along the shortest shared active route (its mode), else the great-circle distance times
    ``settings.detour_factor_percent / 100``; without a shared route, stops of different modes count as the
    lower-credit mode, bus. The shared route of a pair is cached (carbon_credit.stops.cache)."""
    pair = (from_stop.id, to_stop.id)
    shared = cached_pair(session, pair, lambda: _along_shared_route(session, *pair))
    if shared is not None:
        return shared
    a, b = from_stop, to_stop
    direct = haversine_metres(a.latitude, a.longitude, b.latitude, b.longitude)
    mode = a.mode if a.mode == b.mode else "bus"
    return Distance(round(direct * settings.detour_factor_percent / 100), mode, "great_circle")


def _shared_route_query():
    first, second = RouteStop.__table__.alias("first"), RouteStop.__table__.alias("second")
    routes = Route.__table__
    gap = func.abs(first.c.metres_from_start - second.c.metres_from_start)
    joined = first.join(second, second.c.route_id == first.c.route_id).join(
        routes, routes.c.id == first.c.route_id
    )
    wanted = (
        first.c.stop_id == bindparam("a"),
        second.c.stop_id == bindparam("b"),
        routes.c.is_active.is_(True),
    )
    return select(gap, routes.c.mode).select_from(joined).where(*wanted).order_by(gap).limit(1)


_SHARED_ROUTE = _shared_route_query()


def _along_shared_route(session: Session, a: int, b: int) -> Distance | None:
    shared = session.connection().execute(_SHARED_ROUTE, {"a": a, "b": b}).first()
    return None if shared is None else Distance(int(shared[0]), shared[1], "route")


def stops_between(*, session: Session, from_stop_id: int, to_stop_id: int) -> int | None:
    """How many stops a ride from one stop to the other moves along the shortest shared active route (for
    the sentence people read: "3 stops"); None without a shared route."""
    first, second = aliased(RouteStop), aliased(RouteStop)
    query = (
        select(func.abs(first.position - second.position))
        .join(second, second.route_id == first.route_id)
        .join(Route, Route.id == first.route_id)
        .where(first.stop_id == from_stop_id, second.stop_id == to_stop_id, Route.is_active.is_(True))
        .order_by(func.abs(first.metres_from_start - second.metres_from_start))
        .limit(1)
    )
    found = session.execute(query).scalar()
    return None if found is None else int(found)
