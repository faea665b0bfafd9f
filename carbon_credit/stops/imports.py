"""Bulk import of stops and routes from an XLSX workbook or a CSV file: preview first, then all or nothing.

Flow: :func:`stage` checks and parses the upload and validates every row against the database; when no row
is invalid it keeps the file as ``<upload_folder>/imports/<random>.xlsx|.csv`` and returns its sha256 for the
preview form. :func:`apply` re-reads that file (its sha256 must match), validates again and writes
everything in the caller's transaction, with an audit entry per created or changed stop and route and one for
the import. A re-import updates stops and routes by their codes instead of duplicating them.

File checks, in order, before anything is parsed: the size (:data:`MAX_FILE_BYTES`); the type by content (a
zip is a workbook, other binary data is refused, whatever the name says); for a workbook the zip's declared
uncompressed total and compression ratio (zip bombs; Python's zipfile never inflates a member past its
declared size), then openpyxl with ``read_only=True``. CSV text is decoded as UTF-8 (a BOM is dropped), else
as GB18030 (a superset of GBK, which Chinese Excel writes). Cells are read as text: a formula cell is its
formula text ("=1+1"), never evaluated, so it fails a number check or is kept verbatim as a name.

Rows (docs/stops.md): row 1 holds the column names; a data row describes a stop and, optionally, its place on
a route. A stop code may repeat only on rows of different routes, with identical stop details. Each route's
stops are the file's rows for it, ordered by ``position``; their distances must increase. Imports never
change whether an existing stop or route is active.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.platform import audit, idempotency
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.settings import Settings
from carbon_credit.stops import admin as stops_admin
from carbon_credit.stops.admin import Problem, StopInput
from carbon_credit.stops.models import Route, Stop

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 10_000
STOP_COLUMNS = ("stop_code", "name_zh", "name_en", "district_code", "latitude", "longitude", "mode")
ROUTE_COLUMNS = ("route_code", "route_name_zh", "route_name_en", "position", "metres_from_start")
COLUMNS = STOP_COLUMNS + ROUTE_COLUMNS
FIELD_COLUMNS = {"code": "stop_code"}  # stops_admin field name -> column, where they differ
STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")
SCOPE = "stops_import"
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"GIF8", b"\xd0\xcf\x11\xe0", b"Rar!", b"\x1f\x8b")


@dataclass(frozen=True)
class RowError:
    """One invalid cell: its row number (the header is row 1), column name and reason."""

    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, locale: str | None) -> str:
        return translate(self.code, locale, **self.params)


@dataclass(frozen=True)
class Preview:
    """What the file would do: counts of new, changed and unchanged stops and routes, and its errors."""

    rows: int
    new_stops: int = 0
    updated_stops: int = 0
    unchanged_stops: int = 0
    new_routes: int = 0
    updated_routes: int = 0
    unchanged_routes: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Staged:
    """A checked upload: ``name`` is the stored file (None when the preview has errors: nothing kept)."""

    filename: str
    name: str | None
    sha256: str
    preview: Preview


@dataclass
class _Plan:
    stops: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> cleaned columns
    first_row: dict[str, int] = field(default_factory=dict)  # stop code -> its first row
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> names, mode, places, row
    errors: list[RowError] = field(default_factory=list)


# --- public API -------------------------------------------------------------------------------------------


def stage(*, session: Session, settings: Settings, data: bytes, filename: str) -> Staged:
    """Check, parse and validate an upload; keep it for :func:`apply` only if every row is valid.
    File-level problems (size, type, zip bomb, encoding, columns) raise DomainError; row problems are in
    the preview."""
    rows = read_rows(data, filename)
    plan = _plan(session, rows)
    preview = _preview(session, plan, len(rows))
    digest = hashlib.sha256(data).hexdigest()
    if not preview.ok:
        return Staged(filename, None, digest, preview)
    name = secrets.token_hex(16) + (".xlsx" if _is_zip(data) else ".csv")
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("xb") as handle:
        handle.write(data)
    return Staged(filename, name, digest, preview)


def apply(
    *,
    session: Session,
    settings: Settings,
    actor_id: int,
    name: str,
    sha256: str,
    filename: str,
    idempotency_key: str,
) -> Preview:
    """Import a staged file in the caller's transaction (all or nothing) and return its counts. DomainError
    ``stop_import_expired`` (no such staged file), ``stop_import_changed`` (sha256 differs),
    ``stop_import_has_errors`` (the data became invalid since the preview)."""
    asked = idempotency.fingerprint("stops.import", name, sha256)
    stops_admin.lock_actor(session, actor_id)
    done = idempotency.recall(
        session=session, scope=SCOPE, owner_id=actor_id, key=idempotency_key, asked=asked
    )
    if done is not None:
        return Preview(**{k: v for k, v in done.items() if k != "errors"})
    path = staged_path(settings=settings, name=name)
    if not path.is_file():
        raise DomainError("stop_import_expired")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DomainError("stop_import_changed")
    rows = read_rows(data, name)
    plan = _plan(session, rows)
    preview = _preview(session, plan, len(rows))
    if not preview.ok:
        raise DomainError("stop_import_has_errors", count=len(preview.errors))
    _write(session, actor_id, plan)
    counts = {k: v for k, v in preview.__dict__.items() if k != "errors"}
    after = {**counts, "filename": filename[:200], "sha256": sha256}
    audit.record(session=session, actor_id=actor_id, action="stops.import", target_type="import", after=after)
    idempotency.remember(
        session=session, scope=SCOPE, owner_id=actor_id, key=idempotency_key, asked=asked, outcome=counts
    )
    return preview


def discard(*, settings: Settings, name: str) -> None:
    """Remove a staged file (after it was applied, or abandoned)."""
    staged_path(settings=settings, name=name).unlink(missing_ok=True)


def staged_path(*, settings: Settings, name: str) -> Path:
    """Where a staged file lives; only plain stored names are accepted (no path traversal)."""
    if not STORED_NAME.match(name or ""):
        raise DomainError("stop_import_expired")
    return _folder(settings) / name


# --- reading ----------------------------------------------------------------------------------------------


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (row number, column -> text), after every file-level check."""
    check_size(len(data))
    lines = _xlsx_rows(data) if _is_zip(data) else _csv_rows(data, filename)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in lines:
        if header is None:
            header = _header(cells)
            continue
        if not any(cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise DomainError("stop_import_too_many_rows", max=MAX_ROWS)
        rows.append((number, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}))
    if not rows:
        raise DomainError("stop_import_empty")
    return rows


def check_size(size: int) -> None:
    """DomainError ``stop_import_too_large`` above :data:`MAX_FILE_BYTES` (checked before anything else)."""
    if size > MAX_FILE_BYTES:
        raise DomainError("stop_import_too_large", size_mb=_mb(size), limit_mb=_mb(MAX_FILE_BYTES))


def _header(cells: list[str]) -> list[str]:
    names = [c.strip().lstrip("\ufeff").strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise DomainError("stop_import_duplicate_columns", columns=", ".join(repeated))
    unknown = [n or "(empty)" for n in names if n not in COLUMNS]
    if unknown:
        raise DomainError(
            "stop_import_unknown_columns", columns=", ".join(unknown), allowed=", ".join(COLUMNS)
        )
    needed = STOP_COLUMNS + (ROUTE_COLUMNS if set(ROUTE_COLUMNS) & set(names) else ())
    missing = [n for n in needed if n not in names]
    if missing:
        raise DomainError("stop_import_missing_columns", columns=", ".join(missing))
    return names


def _is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04")


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    _check_zip(data)
    import openpyxl  # imported here: only imports need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                sheet = book.worksheets[0]
                rows = [[_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
            finally:
                book.close()
    except DomainError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to read the workbook is the same answer
        raise DomainError("stop_import_not_workbook") from error
    return enumerate(rows, start=1)


def _check_zip(data: bytes) -> None:
    """Refuse a zip that is no workbook, or whose members would expand past the limits (zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DomainError("stop_import_not_workbook") from error
    total = sum(m.file_size for m in members)
    ratio = total // max(1, len(data))
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_UNCOMPRESSED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise DomainError(
            "stop_import_zip_bomb",
            size_mb=_mb(total),
            ratio=ratio,
            limit_mb=_mb(MAX_UNCOMPRESSED_BYTES),
            max_ratio=MAX_COMPRESSION_RATIO,
        )
    if "xl/workbook.xml" not in names:
        raise DomainError("stop_import_not_workbook")


def _csv_rows(data: bytes, filename: str) -> Iterator[tuple[int, list[str]]]:
    if filename.lower().endswith((".xlsx", ".xlsm")) or data.startswith(BINARY_MAGIC):
        raise DomainError("stop_import_not_workbook")
    if not filename.lower().endswith((".csv", ".txt")):
        raise DomainError("stop_import_unsupported_type")
    text = _decode(data)
    if "\x00" in text:
        raise DomainError("stop_import_not_workbook")
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise DomainError("stop_import_not_workbook") from error
    return enumerate(rows, start=1)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DomainError("stop_import_encoding")


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", formulas as their text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


# --- validating -------------------------------------------------------------------------------------------


def _plan(session: Session, rows: list[tuple[int, dict[str, str]]]) -> _Plan:
    plan = _Plan()
    districts = stops_admin.district_codes(session=session)
    for number, raw in rows:
        cleaned, problems = stops_admin.clean_stop(_stop_input(raw), districts)
        plan.errors += [_row_error(number, p) for p in problems]
        if not problems:
            _add_stop(plan, number, cleaned, raw)
    _check_distances(plan)
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


def _add_stop(plan: _Plan, number: int, cleaned: dict[str, Any], raw: dict[str, str]) -> None:
    """Record a valid stop row and its place on a route, or the duplicate/route problems it has."""
    code = cleaned["code"]
    route_code = raw.get("route_code", "").strip()
    first = plan.first_row.get(code)
    if first is not None:
        places = [p for r in plan.routes.values() for p in r["places"] if p["stop"] == code]
        on_route = any(p["route"] == route_code for p in places)
        if not route_code or cleaned != plan.stops[code] or on_route or not places:
            plan.errors.append(
                RowError(
                    number, "stop_code", "stop_import_duplicate_stop", {"value": code, "first_row": first}
                )
            )
            return
    else:
        plan.stops[code], plan.first_row[code] = cleaned, number
    _add_place(plan, number, cleaned, raw)


def _add_place(plan: _Plan, number: int, stop: dict[str, Any], raw: dict[str, str]) -> None:
    values = {c: raw.get(c, "").strip() for c in ROUTE_COLUMNS}
    if not values["route_code"]:
        if any(values.values()):
            plan.errors.append(RowError(number, "route_code", "stop_import_route_without_code"))
        return
    errors = _place_errors(number, values)
    if errors:
        plan.errors += errors
        return
    code = values["route_code"]
    names = {
        "name_zh": " ".join(values["route_name_zh"].split()),
        "name_en": " ".join(values["route_name_en"].split()),
    }
    route = plan.routes.setdefault(code, {**names, "mode": stop["mode"], "row": number, "places": []})
    for column, key, value in (
        ("route_name_zh", "name_zh", names["name_zh"]),
        ("route_name_en", "name_en", names["name_en"]),
        ("mode", "mode", stop["mode"]),
    ):
        if route[key] != value:
            plan.errors.append(
                RowError(
                    number, column, "stop_import_route_mismatch", {"route": code, "first_row": route["row"]}
                )
            )
            return
    position = int(values["position"])
    taken = next((p for p in route["places"] if p["position"] == position), None)
    if taken is not None:
        params = {"route": code, "position": position, "first_row": taken["row"]}
        plan.errors.append(RowError(number, "position", "route_position_repeated", params))
        return
    metres = int(values["metres_from_start"])
    route["places"].append(
        {"route": code, "stop": stop["code"], "position": position, "metres": metres, "row": number}
    )


def _place_errors(number: int, values: dict[str, str]) -> list[RowError]:
    problems: list[Problem] = stops_admin.clean_code(values["route_code"], "route_code")[1]
    problems += stops_admin.clean_name(values["route_name_zh"], "route_name_zh")[1]
    problems += stops_admin.clean_name(values["route_name_en"], "route_name_en")[1]
    for column, code in (
        ("position", "route_position_invalid"),
        ("metres_from_start", "route_metres_invalid"),
    ):
        number_text = values[column]
        if not number_text:
            problems.append(Problem(column, "stop_import_required"))
        elif not _whole(number_text, minimum=1 if column == "position" else 0):
            problems.append(Problem(column, code))
    return [_row_error(number, p) for p in problems]


def _check_distances(plan: _Plan) -> None:
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
        if clean and len(places) < stops_admin.MIN_ROUTE_STOPS:
            params = {"minimum": stops_admin.MIN_ROUTE_STOPS}
            plan.errors.append(RowError(route["row"], "route_code", "route_stops_too_few", params))
    plan.errors.sort(key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99))


def _row_error(number: int, problem: Problem) -> RowError:
    return RowError(number, FIELD_COLUMNS.get(problem.field, problem.field), problem.code, problem.params)


def _whole(text: str, *, minimum: int) -> bool:
    return text.isascii() and text.isdigit() and int(text) >= minimum


# --- comparing and writing --------------------------------------------------------------------------------


def _preview(session: Session, plan: _Plan, rows: int) -> Preview:
    if plan.errors:
        return Preview(rows=rows, errors=plan.errors)
    stops = _existing(session, Stop, plan.stops)
    routes = _existing(session, Route, plan.routes)
    stop_states = [_stop_state(stops.get(code), values) for code, values in plan.stops.items()]
    route_states = [_route_state(session, routes.get(code), route) for code, route in plan.routes.items()]
    return Preview(
        rows=rows,
        new_stops=stop_states.count("new"),
        updated_stops=stop_states.count("updated"),
        unchanged_stops=stop_states.count("unchanged"),
        new_routes=route_states.count("new"),
        updated_routes=route_states.count("updated"),
        unchanged_routes=route_states.count("unchanged"),
    )


def _existing(session: Session, model, codes) -> dict[str, Any]:
    found = session.execute(select(model).where(model.code.in_(list(codes)))).scalars()
    return {row.code: row for row in found}


def _stop_state(stop: Stop | None, values: dict[str, Any]) -> str:
    if stop is None:
        return "new"
    return "updated" if any(getattr(stop, k) != v for k, v in values.items()) else "unchanged"


def _route_values(route: dict[str, Any]) -> dict[str, Any]:
    return {"name_zh": route["name_zh"], "name_en": route["name_en"], "mode": route["mode"]}


def _route_state(session: Session, existing: Route | None, route: dict[str, Any]) -> str:
    if existing is None:
        return "new"
    same = all(getattr(existing, k) == v for k, v in _route_values(route).items())
    stops = stops_admin.route_snapshot(session, existing)["stops"]
    same = same and stops == [[p["stop"], p["metres"]] for p in route["places"]]
    return "unchanged" if same else "updated"


def _write(session: Session, actor_id: int, plan: _Plan) -> None:
    stops = _existing(session, Stop, plan.stops)
    for code, values in plan.stops.items():
        stops[code] = _upsert(session, actor_id, "stop", stops.get(code), Stop, values)
    routes = _existing(session, Route, plan.routes)
    for code, route in plan.routes.items():
        existing = routes.get(code)
        if existing is not None and _route_state(session, existing, route) == "unchanged":
            continue
        before = stops_admin.route_snapshot(session, existing) if existing is not None else None
        row = existing or Route(code=code)
        for name, value in _route_values(route).items():
            setattr(row, name, value)
        session.add(row)
        session.flush()
        places = [(stops[p["stop"]].id, p["metres"]) for p in route["places"]]
        stops_admin.replace_route_stops(session=session, route_id=row.id, places=places)
        after = stops_admin.route_snapshot(session, row)
        action = "route.create" if before is None else "route.update"
        audit.record(
            session=session,
            actor_id=actor_id,
            action=action,
            target_type="route",
            target_id=row.id,
            before=before,
            after=after,
        )


def _upsert(session: Session, actor_id: int, kind: str, row, model, values: dict[str, Any]):
    """Create or update one stop from the file, with its audit entry when something changed."""
    if row is not None and _stop_state(row, values) == "unchanged":
        return row
    before = audit.snapshot(row, stops_admin.STOP_FIELDS) if row is not None else None
    row = row or model(**values)
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    action = f"{kind}.create" if before is None else f"{kind}.update"
    after = audit.snapshot(row, stops_admin.STOP_FIELDS)
    audit.record(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type=kind,
        target_id=row.id,
        before=before,
        after=after,
    )
    return row


def _folder(settings: Settings) -> Path:
    return Path(settings.upload_folder) / "imports"


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
