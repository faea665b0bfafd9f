"""Operator trip imports: a transit operator's file of card taps (an XLSX or CSV file read by
carbon_credit.platform.spreadsheets, rows in carbon_credit.transit.import_rows), credited like QR trips
(carbon_credit.transit.import_chunks).

Uploading (``import.upload``) and resuming (``import.resume``) are audited, idempotent administrator
commands (carbon_credit.platform.commands). The uploaded file is kept under
``<upload_folder>/imports/<sha256>.<ext>``; the same file uploaded again is the same batch.

Resumable: rows are committed in chunks of ``CHUNK_ROWS``, each chunk advancing ``ImportBatch.next_row`` in
the same transaction, so a crash loses nothing and :func:`process_batch` continues from ``next_row``.
"""

from __future__ import annotations

import hashlib
import time as timer
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlmodel import Session

from carbon_credit.platform import audit, clock, commands, spreadsheets
from carbon_credit.platform.database import session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.transit.import_chunks import ChunkOutcome, ChunkState, import_chunk
from carbon_credit.transit.import_rows import problem, trip_rows
from carbon_credit.transit.models import ImportBatch

# An operator's trip file: a day of card taps on the city's buses (the rows are credited in resumable chunks).
FILE_LIMITS = spreadsheets.Limits(max_bytes=50 * 1024 * 1024, max_rows=200_000)

KIND = "operator_trips"
CHUNK_ROWS = 2_000  # rows per transaction; next_row advances after each
MAX_LISTED = 500  # row problems kept on a batch (counts stay exact beyond it)
BATCH_FIELDS = ("kind", "filename", "file_sha256", "total_rows")
PROGRESS_FIELDS = ("status", "next_row", "credited", "skipped")


def create_batch(
    *,
    session: Session,
    settings: Settings,
    actor_id: int,
    filename: str,
    data: bytes,
    idempotency_key: str,
) -> tuple[ImportBatch, bool]:
    """Check and store an uploaded file as a new batch; returns (batch, True), or (the earlier batch of the
    same file, False) so the caller resumes it or reports it done. SpreadsheetError for a file it cannot
    read. A double-tapped upload (the same key) returns the first outcome."""
    digest = hashlib.sha256(data).hexdigest()

    def apply() -> commands.Change:
        earlier = session.execute(
            select(ImportBatch).where(ImportBatch.kind == KIND, ImportBatch.file_sha256 == digest)
        ).scalar_one_or_none()
        if earlier is not None:  # nothing changes: no audit entry
            state = audit.snapshot(earlier, BATCH_FIELDS)
            return commands.Change(earlier.id, state, state, outcome={"created": False})
        batch = _new_batch(session, settings, actor_id, filename, data, digest)
        return commands.Change(batch.id, None, audit.snapshot(batch, BATCH_FIELDS), outcome={"created": True})

    done = commands.run(
        session=session,
        actor_id=actor_id,
        action="import.upload",
        target_type="import_batch",
        idempotency_key=idempotency_key,
        asked=(digest, filename),
        apply=apply,
    )
    return get_batch(session=session, batch_id=done["target_id"]), done["created"]


def resume_batch(*, session: Session, actor_id: int, batch_id: int, idempotency_key: str) -> ImportBatch:
    """Audit an administrator's request to resume a batch (the work is :func:`process_batch`)."""

    def apply() -> commands.Change:
        batch = get_batch(session=session, batch_id=batch_id)
        return commands.Change(batch.id, audit.snapshot(batch, PROGRESS_FIELDS), None)

    commands.run(
        session=session,
        actor_id=actor_id,
        action="import.resume",
        target_type="import_batch",
        idempotency_key=idempotency_key,
        asked=(batch_id,),
        apply=apply,
    )
    return get_batch(session=session, batch_id=batch_id)


def get_batch(*, session: Session, batch_id: int) -> ImportBatch:
    """One batch (NotFound otherwise)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.kind != KIND:
        raise NotFound(what="import_batch", batch_id=batch_id)
    return batch


def list_batches(*, session: Session, limit: int = 50) -> list[ImportBatch]:
    """The latest operator trip batches, newest first."""
    query = select(ImportBatch).where(ImportBatch.kind == KIND).order_by(ImportBatch.id.desc()).limit(limit)
    return list(session.execute(query).scalars())


def unfinished_batches(*, session: Session) -> list[int]:
    """Ids of batches not done nor failed (the scheduler resumes them)."""
    query = select(ImportBatch.id).where(
        ImportBatch.kind == KIND, ImportBatch.status.in_(("queued", "running"))
    )
    return list(session.execute(query.order_by(ImportBatch.id)).scalars())


def process_batch(
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
        rows = trip_rows(spreadsheets.read(path.read_bytes(), path.name, FILE_LIMITS))
    except DomainError as error:  # the stored file no longer reads (damaged): the batch cannot go on
        return _fail(engine, batch_id, error.code, **error.params)
    deadline = None if max_seconds is None else started + max_seconds
    return _process_rows(engine, settings, batch_id, rows, position, now, deadline, chunk_rows or CHUNK_ROWS)


def _process_rows(engine, settings, batch_id, rows, position, now, deadline, chunk_rows) -> ImportBatch:
    state = ChunkState()
    while position < len(rows):
        chunk = rows[position : position + chunk_rows]
        with session_scope(engine) as session:
            batch = session.get(ImportBatch, batch_id, with_for_update=True)
            if batch.next_row != position or batch.status != "running":
                return batch  # another worker moved on: it carries the batch forward
            outcome = import_chunk(session=session, settings=settings, rows=chunk, now=now, state=state)
            _add(batch, outcome)
            batch.next_row = position = position + len(chunk)
        if deadline is not None and timer.monotonic() >= deadline:
            return batch
    return _finish(engine, batch_id, position)


def _new_batch(session, settings, actor_id, filename, data, digest) -> ImportBatch:
    """Read the upload (SpreadsheetError), keep it under its sha256 and add its batch."""
    sheet = spreadsheets.read(data, filename, FILE_LIMITS)
    total = len(trip_rows(sheet))
    path = _path(settings, digest, sheet.format)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    name = (filename or "upload")[-255:]
    batch = ImportBatch(kind=KIND, filename=name, file_sha256=digest, total_rows=total, created_by=actor_id)
    session.add(batch)
    session.flush()
    return batch


def _add(batch: ImportBatch, outcome: ChunkOutcome) -> None:
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
        batch.errors = [*batch.errors, problem(None, None, reason, **params)]
        return batch


def _path(settings: Settings, digest: str, ext: str) -> Path:
    return Path(settings.upload_folder) / "imports" / f"{digest}.{ext}"


def _stored_path(settings: Settings, digest: str) -> Path | None:
    for ext in ("xlsx", "csv"):
        path = _path(settings, digest, ext)
        if path.is_file():
            return path
    return None
