"""Bulk import of stops and routes from an XLSX workbook or a CSV file: preview first, then all or nothing.

Flow: :func:`stage_import` reads the upload (carbon_credit.platform.spreadsheets: size, type, zip bombs,
encodings, limits) and checks every row against the database (carbon_credit.stops.import_rows); when no row
is invalid it keeps the file as ``<upload_folder>/imports/<random>.xlsx|.csv`` and returns its sha256 for the
preview form. :func:`apply_import` is one audited, idempotent command (``stops.import``): it re-reads that
file (its sha256 must match), checks it again and writes everything in the caller's transaction, with an
audit entry per created or changed stop and route. A re-import updates stops and routes by their codes
instead of duplicating them, and never changes whether an existing stop or route is active.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from carbon_credit.platform import audit, commands, spreadsheets
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from carbon_credit.stops.import_rows import COLUMNS, Plan, RowError, Rows, plan_rows, rows_of  # noqa: F401
from carbon_credit.stops.models import Route, Stop
from carbon_credit.stops.operations import save_route_places, save_stop
from carbon_credit.stops.queries import by_codes, route_snapshot

FILE_LIMITS = spreadsheets.Limits(max_bytes=5 * 1024 * 1024, max_rows=10_000)  # a city's stops and routes

STORED_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")


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
        """Whether the file has no row errors (only then can it be applied)."""
        return not self.errors

    def counts(self) -> dict[str, int]:
        """The figures without the errors."""
        return {k: v for k, v in asdict(self).items() if k != "errors"}


@dataclass(frozen=True)
class Staged:
    """A checked upload: ``name`` is the stored file (None when the preview has errors: nothing kept)."""

    filename: str
    name: str | None
    sha256: str
    preview: Preview


def read_rows(data: bytes, filename: str) -> Rows:
    """The file's data rows as (row number, column -> text), after every file-level check."""
    return rows_of(spreadsheets.read(data, filename, FILE_LIMITS))


def stage_import(*, session: Session, settings: Settings, data: bytes, filename: str) -> Staged:
    """Check, parse and validate an upload; keep it for :func:`apply_import` only if every row is valid.
    File-level problems raise DomainError; row problems are in the preview."""
    sheet = spreadsheets.read(data, filename, FILE_LIMITS)
    rows = rows_of(sheet)
    preview = _preview(session, plan_rows(session, rows), len(rows))
    digest = hashlib.sha256(data).hexdigest()
    if not preview.ok:
        return Staged(filename, None, digest, preview)
    name = f"{secrets.token_hex(16)}.{sheet.format}"
    folder = _folder(settings)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("xb") as handle:
        handle.write(data)
    return Staged(filename, name, digest, preview)


def apply_import(
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

    def apply() -> commands.Change:
        preview = _apply(session, settings, actor_id, name, sha256)
        after = {**preview.counts(), "filename": filename[:200], "sha256": sha256}
        return commands.Change(None, None, after, outcome=preview.counts())

    done = commands.run(
        session=session,
        actor_id=actor_id,
        action="stops.import",
        target_type="import",
        idempotency_key=idempotency_key,
        asked=(name, sha256),
        apply=apply,
    )
    return Preview(**{k: v for k, v in done.items() if k != "target_id"})


def discard_import(*, settings: Settings, name: str) -> None:
    """Remove a staged file (after it was applied, or abandoned)."""
    staged_path(settings=settings, name=name).unlink(missing_ok=True)


def staged_path(*, settings: Settings, name: str) -> Path:
    """Where a staged file lives; only plain stored names are accepted (no path traversal)."""
    if not STORED_NAME.match(name or ""):
        raise DomainError("stop_import_expired")
    return _folder(settings) / name


def _apply(session: Session, settings: Settings, actor_id: int, name: str, sha256: str) -> Preview:
    path = staged_path(settings=settings, name=name)
    if not path.is_file():
        raise DomainError("stop_import_expired")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DomainError("stop_import_changed")
    rows = read_rows(data, name)
    plan = plan_rows(session, rows)
    preview = _preview(session, plan, len(rows))
    if not preview.ok:
        raise DomainError("stop_import_has_errors", count=len(preview.errors))
    _write(session, actor_id, plan)
    return preview


# --- comparing and writing --------------------------------------------------------------------------------


def _preview(session: Session, plan: Plan, rows: int) -> Preview:
    if plan.errors:
        return Preview(rows=rows, errors=plan.errors)
    stops = by_codes(session=session, model=Stop, codes=plan.stops)
    routes = by_codes(session=session, model=Route, codes=plan.routes)
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


def _stop_state(stop: Stop | None, values: dict[str, Any]) -> str:
    if stop is None:
        return "new"
    return "updated" if any(getattr(stop, k) != v for k, v in values.items()) else "unchanged"


def _route_values(code: str, route: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "name_zh": route["name_zh"], "name_en": route["name_en"], "mode": route["mode"]}


def _route_state(session: Session, existing: Route | None, route: dict[str, Any]) -> str:
    if existing is None:
        return "new"
    same = all(getattr(existing, k) == v for k, v in _route_values(existing.code, route).items())
    stops = route_snapshot(session, existing)["stops"]
    same = same and stops == [[p["stop"], p["metres"]] for p in route["places"]]
    return "unchanged" if same else "updated"


def _write(session: Session, actor_id: int, plan: Plan) -> None:
    """Create or change each stop, then each route, that differs from the file, with its audit entry."""
    stops = by_codes(session=session, model=Stop, codes=plan.stops)
    stop_ids = {code: stop.id for code, stop in stops.items()}
    for code, values in plan.stops.items():
        if _stop_state(stops.get(code), values) != "unchanged":
            stop_ids[code] = _audited(session, actor_id, "stop", *save_stop(session, stops.get(code), values))
    routes = by_codes(session=session, model=Route, codes=plan.routes)
    for code, route in plan.routes.items():
        if _route_state(session, routes.get(code), route) == "unchanged":
            continue
        places = [(stop_ids[p["stop"]], p["metres"]) for p in route["places"]]
        saved = save_route_places(session, routes.get(code), _route_values(code, route), places)
        _audited(session, actor_id, "route", *saved)


def _audited(session: Session, actor_id: int, kind: str, target_id: int, before, after) -> int:
    """One file row's change in the audit log (``stop.create``, ``route.update`` ...); returns its id."""
    action = f"{kind}.create" if before is None else f"{kind}.update"
    audit.record(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type=kind,
        target_id=target_id,
        before=before,
        after=after,
    )
    return target_id


def _folder(settings: Settings) -> Path:
    return Path(settings.upload_folder) / "imports"
