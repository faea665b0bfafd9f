"""Validating stops and routes as typed in a form or an import row (docs/stops.md):

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
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.text import has_control_characters
from carbon_credit.stops.models import TRANSIT_MODES, Route
from carbon_credit.stops.queries import route_code_taken, stop_by_code

# (latitude min, latitude max, longitude min, longitude max): Xiaogan spans about 30.5-31.8 N, 113.3-114.6 E.
XIAOGAN_BOUNDS = (30.3, 32.0, 113.0, 114.8)
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
NAME_MAX = 64
MIN_ROUTE_STOPS = 2
COORDINATE_DECIMALS = 6  # about 0.1 m
LINE_SEPARATORS = re.compile(r"[,，\t;；]+|\s+")


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


def problem_text(problem: Problem, locale: str | None) -> str:
    """The problem's message in ``locale`` (a route form line's reason is translated inside its line)."""
    params = dict(problem.params)
    if "reason" in params:
        params["problem"] = translate(params.pop("reason"), locale, **params)
    return translate(problem.code, locale, **params)


# --- fields -----------------------------------------------------------------------------------------------


def clean_code(value: str, name: str = "code") -> tuple[str, list[Problem]]:
    """A trimmed stop or route code and its problem, if any."""
    code = (value or "").strip()
    return code, ([] if CODE_PATTERN.match(code) else [Problem(name, "stop_code_invalid")])


def clean_name(value: str, name: str) -> tuple[str, list[Problem]]:
    """A name with its spaces trimmed and collapsed, and its problem, if any."""
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
    lat, lon = _number(latitude, 90), _number(longitude, 180)
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
    """A lower-cased mode and its problem, if it is neither bus nor metro."""
    mode = (value or "").strip().lower()
    return mode, ([] if mode in TRANSIT_MODES else [Problem("mode", "stop_mode_invalid")])


def clean_stop(values: StopInput, districts: Mapping[str, int]) -> tuple[dict[str, Any], list[Problem]]:
    """Cleaned column values of a stop (``district_id`` resolved by code, "" = none) and the problems."""
    code, problems = clean_code(values.code)
    name_zh, more_zh = clean_name(values.name_zh, "name_zh")
    name_en, more_en = clean_name(values.name_en, "name_en")
    district = (values.district_code or "").strip()
    unknown = district and district not in districts
    more_district = (
        [Problem("district_code", "stop_district_unknown", {"district": district})] if unknown else []
    )
    (lat, lon), more_point = clean_coordinates(values.latitude, values.longitude)
    mode, more_mode = clean_mode(values.mode)
    cleaned = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "district_id": districts.get(district) if district else None,
        "latitude": lat,
        "longitude": lon,
        "mode": mode,
    }
    return cleaned, problems + more_zh + more_en + more_district + more_point + more_mode


# --- routes -----------------------------------------------------------------------------------------------


def clean_route(
    *, session: Session, values: RouteInput, route: Route | None
) -> tuple[dict[str, Any], list[tuple[int, int]], list[Problem]]:
    """A route's cleaned columns (an existing route keeps its code), its places as (stop id, metres) in
    order, and the problems."""
    code, problems = (route.code, []) if route is not None else clean_code(values.code)
    if route is None and not problems and route_code_taken(session=session, code=code):
        problems.append(Problem("code", "route_code_taken", {"value": code}))
    name_zh, more_zh = clean_name(values.name_zh, "name_zh")
    name_en, more_en = clean_name(values.name_en, "name_en")
    mode, more_mode = clean_mode(values.mode)
    places, more_places = _clean_places(session, values.stops, mode)
    cleaned = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "mode": mode,
        "is_active": values.is_active,
    }
    return cleaned, places, problems + more_zh + more_en + more_mode + more_places


def _clean_places(session: Session, text: str, mode: str) -> tuple[list[tuple[int, int]], list[Problem]]:
    """Parse ``code, metres`` lines: stops exist, appear once, share the route's mode, distances increase."""
    places: list[tuple[int, int]] = []
    problems: list[Problem] = []
    lines = [(n, line.strip()) for n, line in enumerate((text or "").splitlines(), start=1) if line.strip()]
    for number, line in lines:
        place, problem = _place(session, line, mode, places)
        if problem is not None:
            reason, params = problem
            problems.append(
                Problem("stops", "route_line_problem", {"line": number, "reason": reason, **params})
            )
        else:
            places.append(place)
    if not problems and len(places) < MIN_ROUTE_STOPS:
        problems.append(Problem("stops", "route_stops_too_few", {"minimum": MIN_ROUTE_STOPS}))
    return places, problems


def _place(session: Session, line: str, mode: str, before: list[tuple[int, int]]):
    """One ``code, metres`` line as (stop id, metres), or its problem as (reason code, params)."""
    parts = [p.strip() for p in LINE_SEPARATORS.split(line) if p.strip()]
    if len(parts) != 2:
        return None, ("route_line_format", {})
    stop, metres = stop_by_code(session=session, code=parts[0]), _whole(parts[1])
    previous = before[-1][1] if before else None
    if stop is None:
        return None, ("stop_unknown_code", {"value": parts[0]})
    if metres is None:
        return None, ("route_metres_invalid", {})
    if any(stop.id == stop_id for stop_id, _metres in before):
        return None, ("route_stop_repeated", {"value": stop.code})
    if mode in TRANSIT_MODES and stop.mode != mode:
        return None, (
            "route_stop_mode_mismatch",
            {"value": stop.code, "stop_mode": stop.mode, "route_mode": mode},
        )
    if previous is not None and metres <= previous:
        return None, ("route_metres_not_increasing", {"metres": metres, "previous": previous})
    return (stop.id, metres), None


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
