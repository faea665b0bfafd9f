"""Operator trip imports: a transit operator's file of card taps, credited like QR trips.

The file (XLSX, first sheet, or CSV in UTF-8 or GB18030) has a header row naming five columns, in any
order (English or Chinese names, see ``COLUMNS`` and docs/operations-jobs.md): card number, boarding stop
code, alighting stop code, boarding time, alighting time. Times without a zone are Asia/Shanghai local time.

Each row whose card is linked to a resident (carbon_credit.transit_cards) goes through the same transit
rules as a QR trip (carbon_credit.transit.operator_trip) and is credited through the bulk path
(carbon_credit.activities.record_activities, channel "import") with the key
``op:{card}:{boarding time UTC}:{from}:{to}``, so importing the same trip again credits nothing. A trip
overlapping one of the resident's QR trips is skipped (``claimed_by_qr``); rows with unknown cards are
skipped silently (most cards are not linked). Rows older than the claim window are refused with a row error
(``occurred_too_long_ago``): an older file cannot be imported.

Resumable: rows are committed in chunks of ``CHUNK_ROWS``, each chunk advancing ``ImportBatch.next_row`` in
the same transaction, so a crash loses nothing and :func:`process` continues from ``next_row``. The uploaded
file is kept under ``<upload_folder>/imports/<sha256>.<ext>``; the same file uploaded again is the same batch.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import logging
import time as timer
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select
from sqlmodel import Session

from carbon_credit import transit
from carbon_credit.activities.models import Activity
from carbon_credit.activities.recording import CLOCK_SKEW, ActivityInput, local_day, record_activities
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import Resident
from carbon_credit.stops.models import Stop
from carbon_credit.transit.cards import CARD
from carbon_credit.transit.models import ImportBatch, TapIn

log = logging.getLogger(__name__)

KIND = "operator_trips"
MAX_IMPORT_BYTES = 50 * 1024 * 1024  # larger files are refused: split them by day
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024  # what an .xlsx may expand to (about 3 million trip rows)
MAX_COMPRESSION_RATIO = 100  # sheet XML compresses about 10:1; far more means a zip bomb
CHUNK_ROWS = 2_000  # rows per transaction; next_row advances after each
MAX_LISTED = 500  # row problems kept on a batch (counts stay exact beyond it)
IN_CHUNK = 500  # values per IN (...) query
# Canonical column name -> accepted header names (compared lower-cased, spaces as underscores).
COLUMNS: dict[str, tuple[str, ...]] = {
    "card_number": ("card_number", "card", "card_no", "卡号"),
    "boarding_stop": ("boarding_stop", "boarding_stop_code", "from_stop", "上车站点", "上车站点编码"),
    "alighting_stop": ("alighting_stop", "alighting_stop_code", "to_stop", "下车站点", "下车站点编码"),
    "boarding_time": ("boarding_time", "boarded_at", "上车时间"),
    "alighting_time": ("alighting_time", "alighted_at", "下车时间"),
}
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}


@dataclass(frozen=True, slots=True)
class Trip:
    row: int  # the row number the administrator sees in the file (the header is row 1)
    card: str
    from_code: str
    to_code: str
    boarded_at: datetime
    alighted_at: datetime

    @property
    def key(self) -> str:
        boarded = self.boarded_at.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
        return f"op:{self.card}:{boarded}:{self.from_code}:{self.to_code}"


@dataclass
class ChunkOutcome:
    credited: int = 0
    skipped: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _State:
    """What one run keeps across chunks: stops by code and measured distances per stop pair."""

    stops: dict[str, Stop | None] = field(default_factory=dict)
    distances: dict[tuple[int, int], tuple[int, str, str]] = field(default_factory=dict)


# --- uploading --------------------------------------------------------------------------------------------


def create_batch(
    *, session: Session, settings: Settings, actor_id: int | None, filename: str, data: bytes
) -> tuple[ImportBatch, bool]:
    """Check and store an uploaded file as a new batch; returns (batch, True), or (the earlier batch of the
    same file, False) so the caller resumes it or reports it done. DomainError for a file it cannot read."""
    if len(data) > MAX_IMPORT_BYTES:
        raise DomainError("import_too_large", mb=MAX_IMPORT_BYTES // (1024 * 1024))
    if not data:
        raise DomainError("import_empty")
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.execute(
        select(ImportBatch).where(ImportBatch.kind == KIND, ImportBatch.file_sha256 == digest)
    ).scalar_one_or_none()
    if earlier is not None:
        return earlier, False
    ext = _format_of(data, filename)
    path = _path(settings, digest, ext)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    with _reader(path) as rows:  # checks the header (DomainError) and counts the rows
        total = sum(1 for _ in rows)
    batch = ImportBatch(
        kind=KIND,
        filename=(filename or "upload")[-255:],
        file_sha256=digest,
        total_rows=total,
        created_by=actor_id,
    )
    session.add(batch)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor_id,
        action="import.upload",
        target_type="import_batch",
        target_id=batch.id,
        after=audit.snapshot(batch, ("kind", "filename", "file_sha256", "total_rows")),
    )
    return batch, True


def record_resume(*, session: Session, actor_id: int | None, batch_id: int) -> ImportBatch:
    """Audit an administrator's request to resume a batch (the work is :func:`process`)."""
    batch = get(session=session, batch_id=batch_id)
    before = audit.snapshot(batch, ("status", "next_row", "credited", "skipped"))
    audit.record(
        session=session,
        actor_id=actor_id,
        action="import.resume",
        target_type="import_batch",
        target_id=batch.id,
        before=before,
    )
    return batch


def get(*, session: Session, batch_id: int) -> ImportBatch:
    """One batch (NotFound otherwise)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != KIND:
        raise NotFound(what="import_batch", batch_id=batch_id)
    return batch


def batches(*, session: Session, limit: int = 50) -> list[ImportBatch]:
    """The latest operator trip batches, newest first."""
    query = select(ImportBatch).where(ImportBatch.kind == KIND).order_by(ImportBatch.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def unfinished(*, session: Session) -> list[int]:
    """Ids of batches not done nor failed (the scheduler resumes them)."""
    query = select(ImportBatch.id).where(
        ImportBatch.kind == KIND, ImportBatch.status.in_(("queued", "running"))
    )
    return list(session.execute(query.order_by(ImportBatch.id)).scalars())


# --- processing -------------------------------------------------------------------------------------------


def process(
    *,
    engine: Engine,
    settings: Settings,
    batch_id: int,
    now: datetime | None = None,
    max_seconds: float | None = None,
    chunk_rows: int | None = None,
) -> ImportBatch:
    """Import the batch from ``next_row`` on, one transaction per chunk, until the file ends (status
    "done") or ``max_seconds`` pass (it stays "running"; call again to continue). Owns its transactions."""
    started = timer.monotonic()
    chunk_rows = chunk_rows or CHUNK_ROWS
    with session_scope(engine) as session:
        batch = session.get(ImportBatch, batch_id, with_for_update=True)
        if batch is None:
            raise NotFound(what="import_batch", batch_id=batch_id)
        if batch.status in ("done", "failed"):
            return batch
        batch.status, position, digest = "running", batch.next_row, batch.file_sha256
    path = _stored_path(settings, digest)
    if path is None:
        return _fail(engine, batch_id, "import_file_missing")
    try:
        return _process_rows(
            engine, settings, batch_id, path, position, now, started, max_seconds, chunk_rows
        )
    except DomainError as error:  # the stored file no longer reads (damaged): the batch cannot go on
        return _fail(engine, batch_id, error.code, **error.params)


def _process_rows(engine, settings, batch_id, path, position, now, started, max_seconds, chunk_rows):
    state = _State()
    with _reader(path) as rows:
        rows = itertools.islice(rows, position, None)
        while True:
            chunk = list(itertools.islice(rows, chunk_rows))
            if not chunk:
                return _finish(engine, batch_id, position)
            with session_scope(engine) as session:
                batch = session.get(ImportBatch, batch_id, with_for_update=True)
                if batch.next_row != position or batch.status != "running":
                    return batch  # another worker moved on: it carries the batch forward
                _apply(
                    batch, import_chunk(session=session, settings=settings, rows=chunk, now=now, state=state)
                )
                batch.next_row = position = position + len(chunk)
            if max_seconds is not None and timer.monotonic() - started >= max_seconds:
                return batch


def import_chunk(
    *,
    session: Session,
    settings: Settings,
    rows: list[tuple[int, tuple]],
    now: datetime | None = None,
    state: _State | None = None,
) -> ChunkOutcome:
    """Check and credit one chunk of (row number, values by canonical column) rows; the caller commits."""
    now = now or clock.now()
    state = state or _State()
    outcome = ChunkOutcome()
    trips: list[Trip] = []
    for row, values in rows:
        trip, problem = parse_row(row, values)
        if problem is not None:
            outcome.problems.append(problem)
        elif trip is not None:
            trips.append(trip)
    owners = _owners(session, {t.card for t in trips})
    linked = [t for t in trips if t.card in owners]
    outcome.skipped += len(trips) - len(linked)  # unknown cards: skipped, not listed
    _load_stops(session, state, {c for t in linked for c in (t.from_code, t.to_code)})
    candidates = []
    for trip in linked:
        problem = _check(trip, state, settings, now)
        if problem is not None:
            outcome.problems.append(problem)
        else:
            candidates.append(trip)
    _credit(session, settings, state, candidates, owners, now, outcome)
    outcome.problems.sort(key=lambda problem: problem["row"])
    return outcome


def parse_row(row: int, values: dict[str, Any]) -> tuple[Trip | None, dict[str, Any] | None]:
    """One row's values -> (Trip, None), (None, problem), or (None, None) for a blank row."""
    if all(v is None or str(v).strip() == "" for v in values.values()):
        return None, None
    card = _text(values.get("card_number"))
    if not CARD.match(card) or not card.isascii():
        return None, _problem(row, "card_number", "invalid_transit_card")
    codes = []
    for column in ("boarding_stop", "alighting_stop"):
        code = _text(values.get(column))
        if not code or len(code) > 32:
            return None, _problem(row, column, "import_missing_value", name=column)
        codes.append(code)
    moments = []
    for column in ("boarding_time", "alighting_time"):
        moment = _moment(values.get(column))
        if moment is None:
            return None, _problem(row, column, "import_bad_time", name=column)
        moments.append(moment)
    if moments[1] <= moments[0]:
        return None, _problem(row, "alighting_time", "import_alighting_before_boarding")
    return Trip(row, card, codes[0], codes[1], moments[0], moments[1]), None


# --- steps ------------------------------------------------------------------------------------------------


def _check(trip: Trip, state: _State, settings: Settings, now: datetime) -> dict[str, Any] | None:
    """Unknown stops and the claim window (the same refusal record_activity would give), as row errors."""
    for column, code in (("boarding_stop", trip.from_code), ("alighting_stop", trip.to_code)):
        if state.stops.get(code) is None:
            return _problem(trip.row, column, "import_unknown_stop", code=code)
    days = settings.claim_window_days.get("transit", settings.claim_window_days["default"])
    if trip.alighted_at < now - timedelta(days=days):
        return _problem(trip.row, "alighting_time", "occurred_too_long_ago", days=days)
    if trip.alighted_at > now + CLOCK_SKEW:
        return _problem(trip.row, "alighting_time", "occurred_in_future")
    return None


def _credit(session, settings, state, trips: list[Trip], owners: dict[str, int], now, outcome) -> None:
    """Skip trips already imported or claimed by QR, apply the transit rules, then credit in bulk."""
    done = _existing_keys(session, [f"r{owners[t.card]}:{t.key}" for t in trips])
    qr = _qr_windows(session, trips, owners)
    days = {local_day(t.alighted_at, settings) for t in trips}
    counts = transit.credited_trips(
        session=session, settings=settings, resident_ids=set(owners.values()), days=days
    )
    items, rows_of = [], []
    for trip in trips:
        resident_id = owners[trip.card]
        scoped = f"r{resident_id}:{trip.key}"
        if scoped in done:
            outcome.skipped += 1  # imported before: nothing twice
            continue
        done.add(scoped)
        if any(start < trip.alighted_at and trip.boarded_at < end for start, end in qr.get(resident_id, ())):
            outcome.skipped += 1
            outcome.problems.append(_problem(trip.row, None, "claimed_by_qr", skipped=True))
            continue
        day = (resident_id, local_day(trip.alighted_at, settings))
        facts: dict[str, Any] = {}
        inputs, reason = transit.operator_trip(
            session=session,
            settings=settings,
            resident_id=resident_id,
            from_stop=state.stops[trip.from_code],
            to_stop=state.stops[trip.to_code],
            boarded_at=trip.boarded_at,
            alighted_at=trip.alighted_at,
            trips_that_day=counts.get(day, 0),
            distances=state.distances,
            facts=facts,
        )
        if reason is not None:
            outcome.skipped += 1
            outcome.problems.append(_problem(trip.row, None, reason, skipped=True, **facts.get("params", {})))
            continue
        counts[day] = counts.get(day, 0) + 1
        details = {
            **{k: facts[k] for k in ("metres", "mode", "basis", "elapsed_s")},
            "card": trip.card,
            "from_stop_id": state.stops[trip.from_code].id,
            "to_stop_id": state.stops[trip.to_code].id,
            "boarded_at": trip.boarded_at.isoformat(),
            "row": trip.row,
        }
        items.append(
            ActivityInput(resident_id, "transit", inputs, "import", trip.key, trip.alighted_at, None, details)
        )
        rows_of.append(trip.row)
    if not items:
        return
    result = record_activities(session=session, settings=settings, items=items, now=now)
    outcome.credited += len(result.created)
    outcome.skipped += len(result.duplicates)
    for index, error in result.errors:
        outcome.problems.append(_problem(rows_of[index], None, error.code, **error.params))


def _owners(session: Session, cards: set[str]) -> dict[str, int]:
    owners: dict[str, int] = {}
    ordered = sorted(cards)
    for start in range(0, len(ordered), IN_CHUNK):
        query = select(Resident.transit_card, Resident.id).where(
            Resident.transit_card.in_(ordered[start : start + IN_CHUNK]), Resident.is_active.is_(True)
        )
        owners.update({card: resident_id for card, resident_id in session.execute(query)})
    return owners


def _load_stops(session: Session, state: _State, codes: set[str]) -> None:
    missing = sorted(codes - state.stops.keys())
    for start in range(0, len(missing), IN_CHUNK):
        part = missing[start : start + IN_CHUNK]
        found = {
            stop.code: stop for stop in session.execute(select(Stop).where(Stop.code.in_(part))).scalars()
        }
        for code in part:
            state.stops[code] = found.get(code)
            if found.get(code) is not None:
                session.expunge(found[code])  # kept across chunks (sessions)


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), IN_CHUNK):
        query = select(Activity.idempotency_key).where(
            Activity.idempotency_key.in_(keys[start : start + IN_CHUNK])
        )
        found.update(session.execute(query).scalars())
    return found


def _qr_windows(session: Session, trips: list[Trip], owners: dict[str, int]) -> dict[int, list[tuple]]:
    """Completed QR trips (tap-in to tap-out) of the chunk's residents within the chunk's time span."""
    if not trips:
        return {}
    residents = sorted({owners[t.card] for t in trips})
    first, last = min(t.boarded_at for t in trips), max(t.alighted_at for t in trips)
    windows: dict[int, list[tuple]] = {}
    for start in range(0, len(residents), IN_CHUNK):
        query = select(TapIn.resident_id, TapIn.tapped_in_at, TapIn.closed_at).where(
            TapIn.resident_id.in_(residents[start : start + IN_CHUNK]),
            TapIn.status == "completed",
            TapIn.tapped_in_at < last,
            TapIn.closed_at > first,
        )
        for resident_id, tapped_in_at, closed_at in session.execute(query):
            windows.setdefault(resident_id, []).append((tapped_in_at, closed_at))
    return windows


def _apply(batch: ImportBatch, outcome: ChunkOutcome) -> None:
    batch.credited += outcome.credited
    batch.skipped += outcome.skipped
    room = MAX_LISTED - len(batch.errors)
    if room > 0 and outcome.problems:
        batch.errors = [*batch.errors, *outcome.problems[:room]]  # a new list: JSON columns track assignment


def _finish(engine: Engine, batch_id: int, rows: int) -> ImportBatch:
    with session_scope(engine) as session:
        batch = session.get(ImportBatch, batch_id, with_for_update=True)
        if batch.status == "running":
            batch.status, batch.finished_at, batch.total_rows = "done", clock.now(), max(rows, batch.next_row)
        return batch


def _fail(engine: Engine, batch_id: int, reason: str, **params) -> ImportBatch:
    with session_scope(engine) as session:
        batch = session.get(ImportBatch, batch_id, with_for_update=True)
        batch.status, batch.finished_at = "failed", clock.now()
        batch.errors = [*batch.errors, _problem(None, None, reason, **params)]
        return batch


def _problem(
    row: int | None, column: str | None, reason: str, /, skipped: bool = False, **params
) -> dict[str, Any]:
    """A row problem as stored on the batch: ``reason`` is a message code, ``params`` fill its message."""
    return {"row": row, "column": column, "reason": reason, "params": params, "skipped": skipped}


# --- reading files ----------------------------------------------------------------------------------------


def _format_of(data: bytes, filename: str) -> str:
    """ "xlsx" (a zip holding a workbook) or "csv" (by name); DomainError ``not_a_workbook`` otherwise."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, ValueError, OSError):
            members = []
        if any(m.filename == "xl/workbook.xml" for m in members):
            _check_expansion(sum(m.file_size for m in members), len(data))
            return "xlsx"
        raise DomainError("not_a_workbook")
    if (filename or "").lower().endswith((".csv", ".txt")) and b"\0" not in data[:4096]:
        return "csv"
    raise DomainError("not_a_workbook")


def _check_expansion(total: int, size: int) -> None:
    """Refuse a workbook that would expand past the limits (a zip bomb): its rows are counted on upload."""
    ratio = total // max(1, size)
    if total > MAX_UNCOMPRESSED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        mb = 1024 * 1024
        raise DomainError(
            "stop_import_zip_bomb",  # the message speaks of "this workbook": it fits trip files as well
            size_mb=f"{total / mb:.0f}",
            ratio=ratio,
            limit_mb=f"{MAX_UNCOMPRESSED_BYTES / mb:.0f}",
            max_ratio=MAX_COMPRESSION_RATIO,
        )


def _path(settings: Settings, digest: str, ext: str) -> Path:
    return Path(settings.upload_folder) / "imports" / f"{digest}.{ext}"


def _stored_path(settings: Settings, digest: str) -> Path | None:
    for ext in ("xlsx", "csv"):
        path = _path(settings, digest, ext)
        if path.is_file():
            return path
    return None


@contextmanager
def _reader(path: Path) -> Iterator[Iterator[tuple[int, dict[str, Any]]]]:
    """Data rows as (row number, {canonical column: value}); DomainError for a missing column."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
            raise DomainError("not_a_workbook") from error
        try:
            yield _rows(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030", errors="replace")
        yield _rows(csv.reader(io.StringIO(text, newline="")))


def _rows(source) -> Iterator[tuple[int, dict[str, Any]]]:
    source = iter(source)
    header = next(source, None)
    names = [_ALIASES.get(str(cell or "").strip().lower().replace(" ", "_")) for cell in header or ()]
    missing = [name for name in COLUMNS if name not in names]
    if missing:
        raise DomainError("import_missing_columns", columns=", ".join(missing))
    positions = {name: names.index(name) for name in COLUMNS}
    return (
        (number, {name: (values[i] if i < len(values) else None) for name, i in positions.items()})
        for number, values in enumerate(source, start=2)
    )


def _text(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (a card or stop code typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "".join(str(value).split())


def _moment(value: Any) -> datetime | None:
    """A cell as an aware time: datetimes and ISO-like text; without a zone, Asia/Shanghai local time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("/", "-"))
        except ValueError:
            return None
    else:
        return None
    return moment.replace(tzinfo=ZoneInfo("Asia/Shanghai")) if moment.tzinfo is None else moment
