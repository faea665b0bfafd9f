"""The rows of a stops file (docs/stops.md): its columns, and every row checked as a stop and, optionally,
its place on a route, against the other rows and the database.

Row 1 holds the column names (any case); unknown or repeated names are refused, and the five route columns
come all together or not at all. A stop code may repeat only on rows of different routes, with identical
stop details. Each route's stops are the file's rows for it, ordered by ``position``; their distances must
increase."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from carbon_credit.platform import spreadsheets
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.stops.queries import district_codes
from carbon_credit.stops.validation import (
    MIN_ROUTE_STOPS,
    Problem,
    StopInput,
    clean_code,
    clean_name,
    clean_stop,
)

STOP_COLUMNS = ("stop_code", "name_zh", "name_en", "district_code", "latitude", "longitude", "mode")
ROUTE_COLUMNS = ("route_code", "route_name_zh", "route_name_en", "position", "metres_from_start")
COLUMNS = STOP_COLUMNS + ROUTE_COLUMNS
FIELD_COLUMNS = {"code": "stop_code"}  # validation's field name -> column, where they differ

Rows = list[tuple[int, dict[str, str]]]


@dataclass(frozen=True)
class RowError:
    """One invalid cell: its row number (the header is row 1), column name and reason."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str | None) -> str:
        """The reason in ``locale``."""
        return translate(self.code, locale, **self.params)


@dataclass
class Plan:
    """What a file asks for, by code: cleaned stops, routes with their places, and the rows' errors."""

    stops: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> cleaned columns
    first_row: dict[str, int] = field(default_factory=dict)  # stop code -> its first row
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> names, mode, places, row
    errors: list[RowError] = field(default_factory=list)


def rows_of(sheet: spreadsheets.Sheet) -> Rows:
    """The sheet's data rows as (row number, column -> text), once its columns are checked."""
    names = columns(sheet.header)
    return [(n, {name: (c[i] if i < len(c) else "") for i, name in enumerate(names)}) for n, c in sheet.rows]


def columns(header: tuple[str, ...]) -> list[str]:
    """Row 1's names, lower-cased; DomainError for repeated or unknown names, SpreadsheetError for missing
    ones."""
    names = [cell.strip().lstrip("\ufeff").strip().lower() for cell in header]
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise DomainError("stop_import_duplicate_columns", columns=", ".join(repeated))
    unknown = [n or "(empty)" for n in names if n not in COLUMNS]
    if unknown:
        raise DomainError(
            "stop_import_unknown_columns", columns=", ".join(unknown), allowed=", ".join(COLUMNS)
        )
    spreadsheets.require_columns(
        names, STOP_COLUMNS + (ROUTE_COLUMNS if set(ROUTE_COLUMNS) & set(names) else ())
    )
    return names


def plan_rows(session: Session, rows: Rows) -> Plan:
    """Every row checked; the plan's ``errors`` list each invalid cell, sorted by row and column."""
    plan = Plan()
    districts = district_codes(session=session)
    for number, raw in rows:
        cleaned, problems = clean_stop(_stop_input(raw), districts)
        plan.errors += [_row_error(number, p) for p in problems]
        if not problems:
            _add_stop(plan, number, cleaned, raw)
    _check_routes(plan)
    plan.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))
    return plan


def _stop_input(raw: dict[str, str]) -> StopInput:
    return StopInput(
        code=raw["stop_code"],
        name_zh=raw["name_zh"],
        name_en=raw["name_en"],
        district_code=raw["district_code"],
        latitude=raw["latitude"],
        longitude=raw["longitude"],
        mode=raw["mode"],
    )


def _add_stop(plan: Plan, number: int, cleaned: dict[str, Any], raw: dict[str, str]) -> None:
    """Record a valid stop row and its place on a route, or the duplicate/route problems it has."""
    code = cleaned["code"]
    route_code = raw.get("route_code", "").strip()
    first = plan.first_row.get(code)
    if first is not None:
        places = [p for r in plan.routes.values() for p in r["places"] if p["stop"] == code]
        on_route = any(p["route"] == route_code for p in places)
        if not route_code or cleaned != plan.stops[code] or on_route or not places:
            params = {"value": code, "first_row": first}
            plan.errors.append(RowError(number, "stop_code", "stop_import_duplicate_stop", params))
            return
    else:
        plan.stops[code], plan.first_row[code] = cleaned, number
    _add_place(plan, number, cleaned, raw)


def _add_place(plan: Plan, number: int, stop: dict[str, Any], raw: dict[str, str]) -> None:
    values = {c: raw.get(c, "").strip() for c in ROUTE_COLUMNS}
    if not values["route_code"]:
        if any(values.values()):
            plan.errors.append(RowError(number, "route_code", "stop_import_route_without_code"))
        return
    errors = _place_errors(number, values)
    route = None if errors else _route_for(plan, number, values, stop["mode"])
    if route is None:
        plan.errors += errors
        return
    code, position = values["route_code"], int(values["position"])
    taken = next((p for p in route["places"] if p["position"] == position), None)
    if taken is not None:
        params = {"route": code, "position": position, "first_row": taken["row"]}
        plan.errors.append(RowError(number, "position", "route_position_repeated", params))
        return
    metres = int(values["metres_from_start"])
    route["places"].append(
        {"route": code, "stop": stop["code"], "position": position, "metres": metres, "row": number}
    )


def _route_for(plan: Plan, number: int, values: dict[str, str], mode: str) -> dict[str, Any] | None:
    """The plan's route of this row (added by its first row), or None after a mismatch error."""
    code = values["route_code"]
    names = {
        "name_zh": " ".join(values["route_name_zh"].split()),
        "name_en": " ".join(values["route_name_en"].split()),
    }
    route = plan.routes.setdefault(code, {**names, "mode": mode, "row": number, "places": []})
    for column, key, value in (
        ("route_name_zh", "name_zh", names["name_zh"]),
        ("route_name_en", "name_en", names["name_en"]),
        ("mode", "mode", mode),
    ):
        if route[key] != value:
            params = {"route": code, "first_row": route["row"]}
            plan.errors.append(RowError(number, column, "stop_import_route_mismatch", params))
            return None
    return route


def _place_errors(number: int, values: dict[str, str]) -> list[RowError]:
    problems: list[Problem] = clean_code(values["route_code"], "route_code")[1]
    problems += clean_name(values["route_name_zh"], "route_name_zh")[1]
    problems += clean_name(values["route_name_en"], "route_name_en")[1]
    for column, code in (
        ("position", "route_position_invalid"),
        ("metres_from_start", "route_metres_invalid"),
    ):
        text = values[column]
        if not text:
            problems.append(Problem(column, "stop_import_required"))
        elif not (text.isascii() and text.isdigit() and int(text) >= (1 if column == "position" else 0)):
            problems.append(Problem(column, code))
    return [_row_error(number, p) for p in problems]


def _check_routes(plan: Plan) -> None:
    """Along each route, by position, distances strictly increase; a route has enough stops."""
    clean = not plan.errors  # a route short of stops because of row errors needs no second message
    for route in plan.routes.values():
        places = sorted(route["places"], key=lambda p: p["position"])
        route["places"] = places
        for before, after in zip(places, places[1:], strict=False):
            if after["metres"] <= before["metres"]:
                params = {"metres": after["metres"], "previous": before["metres"]}
                plan.errors.append(
                    RowError(after["row"], "metres_from_start", "route_metres_not_increasing", params)
                )
        if clean and len(places) < MIN_ROUTE_STOPS:
            params = {"minimum": MIN_ROUTE_STOPS}
            plan.errors.append(RowError(route["row"], "route_code", "route_stops_too_few", params))


def _row_error(number: int, problem: Problem) -> RowError:
    return RowError(number, FIELD_COLUMNS.get(problem.field, problem.field), problem.code, problem.params)
