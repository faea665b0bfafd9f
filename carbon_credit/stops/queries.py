"""Reading stops and routes: one by id or code, the filtered admin lists, a route's stops in order, and the
snapshots audit entries keep."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlmodel import Session

from carbon_credit import residents
from carbon_credit.platform import audit
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.text import without_control_characters
from carbon_credit.stops.models import Route, RouteStop, Stop

MAX_ID = 2**31 - 1  # the largest PostgreSQL integer key
STOP_FIELDS = ("code", "name_zh", "name_en", "district_id", "latitude", "longitude", "mode", "is_active")
ROUTE_FIELDS = ("code", "name_zh", "name_en", "mode", "is_active")


@dataclass(frozen=True)
class StopRow:
    """A stop in the admin list, with its district and route codes."""

    stop: Stop
    district: residents.District | None
    routes: list[str]


@dataclass(frozen=True)
class RouteRow:
    """A route in the admin list, with its number of stops and its length in metres."""

    route: Route
    stop_count: int
    length_m: int


def get_stop(*, session: Session, stop_id: int, lock: bool = False) -> Stop:
    """The stop (row-locked for an update when ``lock``), or NotFound."""
    stop = session.get(Stop, stop_id, with_for_update=lock)
    if stop is None:
        raise NotFound(what="stop", stop_id=stop_id)
    return stop


def get_route(*, session: Session, route_id: int, lock: bool = False) -> Route:
    """The route (row-locked for an update when ``lock``), or NotFound."""
    route = session.get(Route, route_id, with_for_update=lock)
    if route is None:
        raise NotFound(what="route", route_id=route_id)
    return route


def stop_by_code(*, session: Session, code: str) -> Stop | None:
    """The stop with this code, or None."""
    return session.execute(select(Stop).where(Stop.code == code)).scalar_one_or_none()


def route_code_taken(*, session: Session, code: str) -> bool:
    """Whether a route already has this code."""
    return session.execute(select(Route.id).where(Route.code == code)).first() is not None


def by_codes(*, session: Session, model: type[Stop] | type[Route], codes) -> dict[str, Any]:
    """Stops (or routes) with these codes, by code."""
    found = session.execute(select(model).where(model.code.in_(list(codes)))).scalars()
    return {row.code: row for row in found}


def district_codes(*, session: Session) -> dict[str, int]:
    """District code -> id."""
    return {d.code: d.id for d in residents.districts(session=session)}


def list_stops(
    *,
    session: Session,
    search: str | None = None,
    route_id: int | None = None,
    district_id: int | None = None,
    active: bool | None = None,
    limit: int = 500,
) -> list[StopRow]:
    """Stops by code, filtered by a search in code and names, a route, a district and active or not."""
    if not all(0 < key <= MAX_ID for key in (route_id, district_id) if key is not None):
        return []  # no such route or district (a larger number would fail the query itself)
    query = select(Stop).order_by(Stop.code).limit(limit)
    search = without_control_characters(search or "").strip()  # NUL would fail the query on PostgreSQL
    if search:
        like = f"%{search.lower()}%"
        names = (func.lower(Stop.code), func.lower(Stop.name_zh), func.lower(Stop.name_en))
        query = query.where(or_(*(name.like(like) for name in names)))
    if route_id is not None:
        query = query.where(Stop.id.in_(select(RouteStop.stop_id).where(RouteStop.route_id == route_id)))
    if district_id is not None:
        query = query.where(Stop.district_id == district_id)
    if active is not None:
        query = query.where(Stop.is_active.is_(active))
    found = list(session.execute(query).scalars())
    return [StopRow(s, _district(session, s.district_id), _route_codes(session, s.id)) for s in found]


def list_routes(*, session: Session) -> list[RouteRow]:
    """Every route by code, with its number of stops and its length."""
    query = (
        select(Route, func.count(RouteStop.id), func.coalesce(func.max(RouteStop.metres_from_start), 0))
        .outerjoin(RouteStop, RouteStop.route_id == Route.id)
        .group_by(Route.id)
        .order_by(Route.code)
    )
    return [RouteRow(route, int(count), int(length)) for route, count, length in session.execute(query).all()]


def route_stops(*, session: Session, route_id: int) -> list[tuple[RouteStop, Stop]]:
    """The route's stops in order, with their place."""
    query = (
        select(RouteStop, Stop)
        .join(Stop, Stop.id == RouteStop.stop_id)
        .where(RouteStop.route_id == route_id)
        .order_by(RouteStop.position)
    )
    return [(place, stop) for place, stop in session.execute(query).all()]


def route_lines(*, session: Session, route_id: int) -> str:
    """The route's stops as the form's text: one ``code, metres`` per line."""
    places = route_stops(session=session, route_id=route_id)
    return "\n".join(f"{stop.code}, {place.metres_from_start}" for place, stop in places)


def stop_snapshot(stop: Stop | None) -> dict[str, Any] | None:
    """The stop's audited columns (None for no stop)."""
    return audit.snapshot(stop, STOP_FIELDS)


def route_snapshot(session: Session, route: Route | None) -> dict[str, Any] | None:
    """The route's columns and its stops as [code, metres] pairs, for audit entries (None for no route)."""
    if route is None:
        return None
    values = audit.snapshot(route, ROUTE_FIELDS) or {}
    places = route_stops(session=session, route_id=route.id)
    values["stops"] = [[stop.code, place.metres_from_start] for place, stop in places]
    return values


def _district(session: Session, district_id: int | None) -> residents.District | None:
    return session.get(residents.District, district_id) if district_id is not None else None


def _route_codes(session: Session, stop_id: int) -> list[str]:
    query = (
        select(Route.code)
        .join(RouteStop, RouteStop.route_id == Route.id)
        .where(RouteStop.stop_id == stop_id)
        .order_by(Route.code)
    )
    return list(session.execute(query).scalars())
