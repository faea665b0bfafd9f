"""Administering stops and routes: create, edit, deactivate, rotate a poster's token. Every change writes an
audit entry in the same transaction, and every form action is idempotent by its page's key.

Rules (docs/stops.md):
- codes: 1-32 letters, digits, ``.``, ``-``, ``_``, starting with a letter or digit; unique; a stop's code is
  its stable identity (imports update by it), so it cannot be changed after creation;
- names (Chinese and English): non-empty after trimming, at most 64 characters;
- coordinates: valid WGS-84 numbers (latitude -90..90, longitude -180..180) AND inside the Xiaogan box
  :data:`XIAOGAN_BOUNDS` (the prefecture with a margin), which catches swapped or mistyped values;
- mode: bus or metro; a route's stops share its mode;
- a route has at least :data:`MIN_ROUTE_STOPS` stops, each once, and distances from the start strictly
  increase along the positions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlmodel import Session

from carbon_credit import transit
from carbon_credit.platform import audit, idempotency
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.text import has_control_characters, without_control_characters
from carbon_credit.residents.models import District, Resident
from carbon_credit.stops.models import TRANSIT_MODES, Route, RouteStop, Stop

# (latitude min, latitude max, longitude min, longitude max): Xiaogan spans about 30.5-31.8 N, 113.3-114.6 E.
XIAOGAN_BOUNDS = (30.3, 32.0, 113.0, 114.8)
MAX_ID = 2**31 - 1  # the largest PostgreSQL integer key
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
NAME_MAX = 64
MIN_ROUTE_STOPS = 2
COORDINATE_DECIMALS = 6  # about 0.1 m
STOP_FIELDS = ("code", "name_zh", "name_en", "district_id", "latitude", "longitude", "mode", "is_active")
ROUTE_FIELDS = ("code", "name_zh", "name_en", "mode", "is_active")
SCOPE = "admin_stops"


@dataclass(frozen=True)
class Problem:
    """One invalid field: its name, a message code and the message's params."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


class InvalidInput(DomainError):
    """A form with invalid fields; ``problems`` says which and why (each translatable)."""

    code = "admin_stops_invalid"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems


@dataclass(frozen=True)
class StopInput:
    """A stop as typed in a form or an import row (strings; cleaned by :func:`clean_stop`)."""

    code: str
    name_zh: str
    name_en: str
    district_code: str
    latitude: str
    longitude: str
    mode: str


@dataclass(frozen=True)
class RouteInput:
    """A route as typed: ``stops`` holds one ``stop code, metres from start`` per line, in order."""

    code: str
    name_zh: str
    name_en: str
    mode: str
    is_active: bool
    stops: str


@dataclass(frozen=True)
class StopRow:
    """A stop in the admin list, with its district name and route codes."""

    stop: Stop
    district: District | None
    routes: list[str]


@dataclass(frozen=True)
class RouteRow:
    route: Route
    stop_count: int
    length_m: int


# --- validation (shared with the import) ------------------------------------------------------------------


def clean_code(value: str, name: str = "code") -> tuple[str, list[Problem]]:
    code = (value or "").strip()
    return code, ([] if CODE_PATTERN.match(code) else [Problem(name, "stop_code_invalid")])


def clean_name(value: str, name: str) -> tuple[str, list[Problem]]:
    text = " ".join((value or "").split())
    if not text:
        return text, [Problem(name, "stop_name_required")]
    if has_control_characters(text):  # the form refuses them too; an imported CSV file may carry them
        return text, [Problem(name, "text_control_characters")]
    if len(text) > NAME_MAX:
        return text, [Problem(name, "stop_name_too_long", {"max": NAME_MAX})]
    return text, []


def clean_coordinates(latitude: str, longitude: str) -> tuple[tuple[float, float], list[Problem]]:
    """Parse and check a point: valid ranges first, then the Xiaogan box (a problem on each field)."""
    lat = _number(latitude, 90)
    lon = _number(longitude, 180)
    problems = []
    if lat is None:
        problems.append(Problem("latitude", "stop_latitude_invalid"))
    if lon is None:
        problems.append(Problem("longitude", "stop_longitude_invalid"))
    if problems:
        return (0.0, 0.0), problems
    lat_min, lat_max, lon_min, lon_max = XIAOGAN_BOUNDS
    box = {"lat_min": lat_min, "lat_max": lat_max, "lon_min": lon_min, "lon_max": lon_max}
    if not lat_min <= lat <= lat_max:
        problems.append(Problem("latitude", "stop_outside_region", box))
    if not lon_min <= lon <= lon_max:
        problems.append(Problem("longitude", "stop_outside_region", box))
    return (lat, lon), problems


def clean_mode(value: str) -> tuple[str, list[Problem]]:
    mode = (value or "").strip().lower()
    return mode, ([] if mode in TRANSIT_MODES else [Problem("mode", "stop_mode_invalid")])


def clean_stop(values: StopInput, districts: Mapping[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    """Cleaned column values of a stop (``district_id`` resolved by code, "" = none) and the problems."""
    code, problems = clean_code(values.code)
    name_zh, more = clean_name(values.name_zh, "name_zh")
    problems += more
    name_en, more = clean_name(values.name_en, "name_en")
    problems += more
    district = (values.district_code or "").strip()
    if district and district not in districts:
        problems.append(Problem("district_code", "stop_district_unknown", {"district": district}))
    (lat, lon), more = clean_coordinates(values.latitude, values.longitude)
    problems += more
    mode, more = clean_mode(values.mode)
    problems += more
    cleaned = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "district_id": districts.get(district) if district else None,
        "latitude": lat,
        "longitude": lon,
        "mode": mode,
    }
    return cleaned, problems


def problem_text(problem: Problem, locale: str | None) -> str:
    """The problem's message in ``locale`` (a route form line's reason is translated inside its line)."""
    params = dict(problem.params)
    if "reason" in params:
        params["problem"] = translate(params.pop("reason"), locale, **params)
    return translate(problem.code, locale, **params)


def district_codes(*, session: Session) -> dict[str, int]:
    """District code -> id."""
    return {d.code: d.id for d in session.execute(select(District)).scalars()}


def districts(*, session: Session) -> list[District]:
    """Every district, in id order (for form choices and filters)."""
    return list(session.execute(select(District).order_by(District.id)).scalars())


# --- stops ------------------------------------------------------------------------------------------------


def create_stop(*, session: Session, actor_id: int, values: StopInput, idempotency_key: str) -> Stop:
    """Add a stop (active, token version 1). InvalidInput lists every invalid field."""
    asked = idempotency.fingerprint("stop.create", values)
    done = _recall(session, actor_id, idempotency_key, asked)
    if done is not None:
        return get_stop(session=session, stop_id=done["id"])
    cleaned, problems = clean_stop(values, district_codes(session=session))
    if not problems and _stop_by_code(session, cleaned["code"]) is not None:
        problems.append(Problem("code", "stop_code_taken", {"value": cleaned["code"]}))
    if problems:
        raise InvalidInput(problems)
    stop = Stop(**cleaned)
    session.add(stop)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor_id,
        action="stop.create",
        target_type="stop",
        target_id=stop.id,
        after=audit.snapshot(stop, STOP_FIELDS),
    )
    _remember(session, actor_id, idempotency_key, asked, stop.id)
    return stop


def update_stop(
    *, session: Session, actor_id: int, stop_id: int, values: StopInput, idempotency_key: str
) -> Stop:
    """Change a stop's names, district, coordinates and mode (its code stays: ``values.code`` is ignored)."""
    asked = idempotency.fingerprint("stop.update", stop_id, values)
    if _recall(session, actor_id, idempotency_key, asked) is not None:
        return get_stop(session=session, stop_id=stop_id)
    stop = _locked_stop(session, stop_id)
    cleaned, problems = clean_stop(replace(values, code=stop.code), district_codes(session=session))
    if problems:
        raise InvalidInput(problems)
    before = audit.snapshot(stop, STOP_FIELDS)
    for name, value in cleaned.items():
        setattr(stop, name, value)
    _save_audited(session, actor_id, "stop.update", stop, before)
    _remember(session, actor_id, idempotency_key, asked, stop.id)
    return stop


def set_stop_active(
    *, session: Session, actor_id: int, stop_id: int, active: bool, idempotency_key: str
) -> Stop:
    """Deactivate a stop (its QR check-ins are refused from now on) or reactivate it."""
    asked = idempotency.fingerprint("stop.active", stop_id, active)
    if _recall(session, actor_id, idempotency_key, asked) is not None:
        return get_stop(session=session, stop_id=stop_id)
    stop = _locked_stop(session, stop_id)
    before = audit.snapshot(stop, STOP_FIELDS)
    stop.is_active = active
    _save_audited(session, actor_id, "stop.activate" if active else "stop.deactivate", stop, before)
    _remember(session, actor_id, idempotency_key, asked, stop.id)
    return stop


def rotate_stop_token(*, session: Session, actor_id: int, stop_id: int, idempotency_key: str) -> Stop:
    """Void every printed poster of the stop (new token version); the admin must print the new poster."""
    asked = idempotency.fingerprint("stop.rotate", stop_id)
    if _recall(session, actor_id, idempotency_key, asked) is not None:
        return get_stop(session=session, stop_id=stop_id)
    before = audit.snapshot(_locked_stop(session, stop_id), ("token_version",))
    stop = transit.rotate_stop_token(session=session, stop_id=stop_id)
    audit.record(
        session=session,
        actor_id=actor_id,
        action="stop.rotate_token",
        target_type="stop",
        target_id=stop.id,
        before=before,
        after=audit.snapshot(stop, ("token_version",)),
    )
    _remember(session, actor_id, idempotency_key, asked, stop.id)
    return stop


def get_stop(*, session: Session, stop_id: int) -> Stop:
    """The stop, or NotFound."""
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise NotFound(what="stop", stop_id=stop_id)
    return stop


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
    query = select(Stop).order_by(Stop.code).limit(limit)
    if not all(0 < key <= MAX_ID for key in (route_id, district_id) if key is not None):
        return []  # no such route or district (a larger number would fail the query itself)
    search = without_control_characters(search or "").strip()  # NUL would fail the query on PostgreSQL
    if search:
        like = f"%{search.lower()}%"
        query = query.where(
            or_(
                func.lower(Stop.code).like(like),
                func.lower(Stop.name_zh).like(like),
                func.lower(Stop.name_en).like(like),
            )
        )
    if route_id is not None:
        query = query.where(Stop.id.in_(select(RouteStop.stop_id).where(RouteStop.route_id == route_id)))
    if district_id is not None:
        query = query.where(Stop.district_id == district_id)
    if active is not None:
        query = query.where(Stop.is_active.is_(active))
    found = list(session.execute(query).scalars())
    return [StopRow(s, _district(session, s.district_id), _route_codes(session, s.id)) for s in found]


# --- routes -----------------------------------------------------------------------------------------------


def save_route(
    *, session: Session, actor_id: int, route_id: int | None, values: RouteInput, idempotency_key: str
) -> Route:
    """Create (``route_id`` None) or update a route with its ordered stops and distances."""
    asked = idempotency.fingerprint("route.save", route_id, values)
    done = _recall(session, actor_id, idempotency_key, asked)
    if done is not None:
        return get_route(session=session, route_id=done["id"])
    route = None if route_id is None else _locked_route(session, route_id)
    cleaned, places, problems = _clean_route(session, values, route)
    if problems:
        raise InvalidInput(problems)
    before = None if route is None else route_snapshot(session, route)
    route = route or Route(code=cleaned["code"])
    for name, value in cleaned.items():
        setattr(route, name, value)
    session.add(route)
    session.flush()
    replace_route_stops(session=session, route_id=route.id, places=places)
    action = "route.create" if before is None else "route.update"
    after = route_snapshot(session, route)
    audit.record(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type="route",
        target_id=route.id,
        before=before,
        after=after,
    )
    _remember(session, actor_id, idempotency_key, asked, route.id)
    return route


def replace_route_stops(*, session: Session, route_id: int, places: list[tuple[int, int]]) -> None:
    """Set a route's stops to ``places`` = [(stop id, metres from start)] in order (positions 1, 2, ...)."""
    session.execute(delete(RouteStop).where(RouteStop.route_id == route_id))
    session.flush()
    for position, (stop_id, metres) in enumerate(places, start=1):
        session.add(
            RouteStop(route_id=route_id, stop_id=stop_id, position=position, metres_from_start=metres)
        )
    session.flush()


def get_route(*, session: Session, route_id: int) -> Route:
    """The route, or NotFound."""
    route = session.get(Route, route_id)
    if route is None:
        raise NotFound(what="route", route_id=route_id)
    return route


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
    return "\n".join(
        f"{s.code}, {p.metres_from_start}" for p, s in route_stops(session=session, route_id=route_id)
    )


def list_routes(*, session: Session) -> list[RouteRow]:
    """Every route by code, with its number of stops and its length."""
    query = (
        select(Route, func.count(RouteStop.id), func.coalesce(func.max(RouteStop.metres_from_start), 0))
        .outerjoin(RouteStop, RouteStop.route_id == Route.id)
        .group_by(Route.id)
        .order_by(Route.code)
    )
    return [RouteRow(route, int(count), int(length)) for route, count, length in session.execute(query).all()]


# --- helpers ----------------------------------------------------------------------------------------------


def _clean_route(session: Session, values: RouteInput, route: Route | None):
    problems: list[Problem] = []
    code = route.code if route is not None else None
    if code is None:
        code, problems = clean_code(values.code)
        taken = session.execute(select(Route.id).where(Route.code == code)).first()
        if not problems and taken is not None:
            problems.append(Problem("code", "route_code_taken", {"value": code}))
    name_zh, more = clean_name(values.name_zh, "name_zh")
    name_en, more_en = clean_name(values.name_en, "name_en")
    mode, more_mode = clean_mode(values.mode)
    problems += more + more_en + more_mode
    places, more = _clean_places(session, values.stops, mode)
    problems += more
    cleaned = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "mode": mode,
        "is_active": values.is_active,
    }
    return cleaned, places, problems


def _clean_places(session: Session, text: str, mode: str) -> tuple[list[tuple[int, int]], list[Problem]]:
    """Parse ``code, metres`` lines: stops exist, appear once, share the route's mode, distances increase."""
    places: list[tuple[int, int]] = []
    problems: list[Problem] = []
    seen: set[int] = set()
    previous: int | None = None
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    for number, line in lines:
        parts = [p.strip() for p in re.split(r"[,，\t;；]+|\s+", line) if p.strip()]
        problem = None
        stop = _stop_by_code(session, parts[0]) if len(parts) == 2 else None
        metres = _whole(parts[1]) if len(parts) == 2 else None
        if len(parts) != 2:
            problem = ("route_line_format", {})
        elif stop is None:
            problem = ("stop_unknown_code", {"value": parts[0]})
        elif metres is None:
            problem = ("route_metres_invalid", {})
        elif stop.id in seen:
            problem = ("route_stop_repeated", {"value": stop.code})
        elif mode in TRANSIT_MODES and stop.mode != mode:
            problem = (
                "route_stop_mode_mismatch",
                {"value": stop.code, "stop_mode": stop.mode, "route_mode": mode},
            )
        elif previous is not None and metres <= previous:
            problem = ("route_metres_not_increasing", {"metres": metres, "previous": previous})
        if problem is not None:
            reason, params = problem
            problems.append(
                Problem("stops", "route_line_problem", {"line": number, "reason": reason, **params})
            )
            continue
        seen.add(stop.id)
        previous = metres
        places.append((stop.id, metres))
    if not problems and len(places) < MIN_ROUTE_STOPS:
        problems.append(Problem("stops", "route_stops_too_few", {"minimum": MIN_ROUTE_STOPS}))
    return places, problems


def _number(value: Any, limit: int) -> float | None:
    try:
        number = Decimal(str(value).strip().replace("，", "."))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or abs(number) > limit:
        return None
    return round(float(number), COORDINATE_DECIMALS)


def _whole(value: str) -> int | None:
    text = (value or "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    return int(text) if text.isascii() and text.isdigit() else None


def _stop_by_code(session: Session, code: str) -> Stop | None:
    return session.execute(select(Stop).where(Stop.code == code)).scalar_one_or_none()


def _locked_stop(session: Session, stop_id: int) -> Stop:
    stop = session.get(Stop, stop_id, with_for_update=True)
    if stop is None:
        raise NotFound(what="stop", stop_id=stop_id)
    return stop


def _locked_route(session: Session, route_id: int) -> Route:
    route = session.get(Route, route_id, with_for_update=True)
    if route is None:
        raise NotFound(what="route", route_id=route_id)
    return route


def route_snapshot(session: Session, route: Route) -> dict[str, Any]:
    """The route's columns and its stops as [code, metres] pairs, for audit entries."""
    values = audit.snapshot(route, ROUTE_FIELDS) or {}
    places = route_stops(session=session, route_id=route.id)
    values["stops"] = [[stop.code, place.metres_from_start] for place, stop in places]
    return values


def _save_audited(session: Session, actor_id: int, action: str, stop: Stop, before: dict | None) -> None:
    session.add(stop)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type="stop",
        target_id=stop.id,
        before=before,
        after=audit.snapshot(stop, STOP_FIELDS),
    )


def _district(session: Session, district_id: int | None) -> District | None:
    return session.get(District, district_id) if district_id is not None else None


def _route_codes(session: Session, stop_id: int) -> list[str]:
    query = (
        select(Route.code)
        .join(RouteStop, RouteStop.route_id == Route.id)
        .where(RouteStop.stop_id == stop_id)
        .order_by(Route.code)
    )
    return list(session.execute(query).scalars())


def lock_actor(session: Session, actor_id: int) -> None:
    """Serialise one administrator's submissions (row lock on PostgreSQL; SQLite writes are serial), so two
    copies of a double-tapped form cannot both miss their idempotency record."""
    session.get(Resident, actor_id, with_for_update=True)


def _recall(session: Session, actor_id: int, key: str, asked: str) -> dict[str, Any] | None:
    """The first outcome of this form submission, if it was already done (double-tapped button)."""
    lock_actor(session, actor_id)
    return idempotency.recall(session=session, scope=SCOPE, owner_id=actor_id, key=key, asked=asked)


def _remember(session: Session, actor_id: int, key: str, asked: str, target_id: int) -> None:
    outcome = {"id": target_id}
    idempotency.remember(
        session=session, scope=SCOPE, owner_id=actor_id, key=key, asked=asked, outcome=outcome
    )
