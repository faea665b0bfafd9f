"""A resident's copy of their data prepared in the background (PIPL Art. 45), for histories too large to
download while a page waits: one ZIP holding ``data.json`` (the document of :func:`export_json`),
``data.xlsx`` (the workbook of :func:`export_xlsx`) and ``photos/`` (the resident's photo files under their
stored names, the names the activities' ``photo`` column holds).

The copy is an export job of kind ``resident_copy``, run by carbon_credit.exports like the administrators'
exports (a thread started by the request, else the scheduler's ``run-exports``) and owned by the resident
(``created_by``): only they see its progress and download its file. Its progress counts each row written to
the JSON, each row written to the workbook and each photo. One copy is prepared per resident at a time:
asking again while one is queued or running returns that one. The file is kept :data:`KEEP_DAYS` days
(scheduler job ``expire-copies``) and goes with the account (:func:`erase_copies`; the same job sweeps the
copies of closed accounts).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, and_, func, or_, select
from sqlmodel import Session

from carbon_credit import exports, residents
from carbon_credit.activities import Activity
from carbon_credit.exports import ExportJob
from carbon_credit.platform import clock, idempotency
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import normalise_locale
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.uploads import photo_path
from carbon_credit.privacy.export import data_summary, export_json
from carbon_credit.privacy.export_xlsx import export_xlsx

KIND = "resident_copy"
LARGE_ROWS = 20_000  # more rows than this: /account/data offers a prepared copy instead of direct downloads
KEEP_DAYS = 7  # a finished copy's file is deleted this many days after it was made
STALE_AFTER = timedelta(hours=2)  # a copy still "running" after this was cut off (its process ended)
SCOPE = "privacy.copy"  # idempotency scope of request_copy
DISCARDED = "copy_discarded"  # the error of a copy whose file went (expired, account closed)
PHOTOS = "photos"


def request_copy(
    *, session: Session, resident_id: int, idempotency_key: str, locale: str | None = None
) -> ExportJob:
    """Ask for a copy of everything held about the resident (the named operation): a queued job, or the
    copy already queued or running. The same key returns the same job (a double tap). DomainError
    ``account_closed`` for a closed account. The caller commits, then may start the job in a thread
    (``exports.run_in_background``); else the scheduler runs it within a minute."""
    resident = session.get(residents.Resident, resident_id, with_for_update=True)  # one request at a time
    if resident is None or not resident.is_active:
        raise DomainError("account_closed")
    key = dict(session=session, scope=SCOPE, owner_id=resident_id, key=idempotency_key)
    replay = idempotency.claim(**key, asked=idempotency.fingerprint(SCOPE))
    if replay is not None:
        return exports.get(session=session, job_id=replay["job_id"], owner_id=resident_id)
    params = {"resident_id": resident_id, "locale": normalise_locale(locale or resident.locale)}
    job = running_copy(session=session, resident_id=resident_id) or exports.enqueue(
        session=session, kind=KIND, params=params, created_by=resident_id
    )
    idempotency.settle(**key, outcome={"job_id": job.id})
    return job


def _theirs(resident_id: int):
    return and_(ExportJob.kind == KIND, ExportJob.created_by == resident_id)


def running_copy(*, session: Session, resident_id: int, now: datetime | None = None) -> ExportJob | None:
    """The resident's copy that is queued or running (not one cut off :data:`STALE_AFTER` ago), if any."""
    fresh = ExportJob.created_at >= (now or clock.now()) - STALE_AFTER
    query = select(ExportJob).where(_theirs(resident_id), ExportJob.status.in_(exports.UNFINISHED), fresh)
    return session.scalars(query.order_by(ExportJob.id.desc()).limit(1)).first()


def latest_copy(*, session: Session, resident_id: int) -> ExportJob | None:
    """The resident's most recent copy (any status), for the page."""
    query = select(ExportJob).where(_theirs(resident_id)).order_by(ExportJob.id.desc()).limit(1)
    return session.scalars(query).first()


def get_copy(*, session: Session, resident_id: int, job_id: int) -> ExportJob:
    """One of the resident's copies (NotFound ``export_job_not_found`` for anyone else's)."""
    return exports.get(session=session, job_id=job_id, owner_id=resident_id)


def download_copy(*, session: Session, settings: Settings, resident_id: int, job_id: int) -> tuple[Path, str]:
    """The finished ZIP of one of the resident's copies and its download name (NotFound for anyone else's
    copy; DomainError ``export_not_ready`` until it is done, and after its file went)."""
    return exports.download(session=session, settings=settings, job_id=job_id, owner_id=resident_id)


def available_until(job: ExportJob) -> datetime | None:
    """When a finished copy's file will be deleted (None while it is not ready or once it went)."""
    return job.finished_at + timedelta(days=KEEP_DAYS) if job.file_name and job.finished_at else None


def is_large(counts: list[int]) -> bool:
    """Whether a history of these section counts gets a prepared copy (more than :data:`LARGE_ROWS`)."""
    return sum(counts) > LARGE_ROWS


def photo_count(*, session: Session, resident_id: int) -> int:
    """How many of the resident's activities hold a photo."""
    query = select(func.count()).where(Activity.resident_id == resident_id, Activity.photo.is_not(None))
    return session.execute(query).scalar_one()


def photo_files(*, session: Session, settings: Settings, resident_id: int) -> list[tuple[str, Path]]:
    """The resident's photo files that exist, as (stored name, path), in the order of their activities."""
    query = select(Activity.photo).where(Activity.resident_id == resident_id, Activity.photo.is_not(None))
    found: dict[str, Path] = {}
    for name in session.scalars(query.order_by(Activity.id)):
        try:
            path = photo_path(settings=settings, name=name)
        except DomainError:  # not a stored name: nothing of ours to send
            continue
        if path.is_file():
            found[name] = path
    return list(found.items())


def write_photos_zip(*, session: Session, settings: Settings, resident_id: int, file: IO[bytes]) -> int:
    """Write a ZIP of the resident's photo files (and no one else's) to ``file``; returns how many."""
    photos = photo_files(session=session, settings=settings, resident_id=resident_id)
    with zipfile.ZipFile(file, "w") as archive:
        _add_photos(archive, photos, "", lambda: None)
    return len(photos)


def photos_name(resident_id: int) -> str:
    """The photos' download name: ``my-photos-<id>-<Beijing date>.zip``."""
    return f"my-photos-{resident_id}-{clock.local_day(clock.now()).isoformat()}.zip"


def _add_photos(archive: zipfile.ZipFile, photos: list[tuple[str, Path]], folder: str, tick) -> None:
    for name, path in photos:  # stored as they are: photos are compressed already
        archive.write(path, f"{folder}{name}", compress_type=zipfile.ZIP_STORED)
        tick()


def _entry(name: str, compress_type: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=clock.now().astimezone(clock.BEIJING).timetuple()[:6])
    info.compress_type = compress_type
    return info


class _Tally:
    """Counts what the copy wrote and reports it to the job (rows of the JSON, rows of the workbook,
    photos) as ``progress(done, total)``."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self.tick(0)

    def tick(self, count: int = 1) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(min(self.done, self.total), self.total)


class _Counted:
    """The read session as the export reads it (``session.connection().execute(...).mappings()``), each
    row counted as it streams out of the database, so a copy's progress moves row by row."""

    def __init__(self, target: Any, tick: Callable[[], None]) -> None:
        self._target, self._tick = target, tick

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def connection(self, *args: Any, **kwargs: Any) -> _Counted:
        return _Counted(self._target.connection(*args, **kwargs), self._tick)

    def execute(self, *args: Any, **kwargs: Any) -> _Counted:
        return _Counted(self._target.execute(*args, **kwargs), self._tick)

    def mappings(self):
        for row in self._target.mappings():
            self._tick()
            yield row


def write_copy(
    *, engine: Engine, settings: Settings, params: dict[str, Any], path: str | Path, progress=None
) -> int:
    """Write the copy's ZIP to ``path`` (the job's writer, run by carbon_credit.exports); returns what it
    wrote: rows of the JSON + rows of the workbook + photos."""
    resident_id, locale = int(params["resident_id"]), params.get("locale")
    with read_session(engine) as session:
        rows = sum(s.count for s in data_summary(session=session, resident_id=resident_id))
        photos = photo_files(session=session, settings=settings, resident_id=resident_id)
        tally = _Tally(progress, 2 * rows + len(photos))
        counted: Any = _Counted(session, tally.tick)
        with zipfile.ZipFile(path, "w") as archive:
            with archive.open(_entry("data.json", zipfile.ZIP_DEFLATED), "w") as out:
                for piece in export_json(session=counted, resident_id=resident_id, locale=locale):
                    out.write(piece.encode("utf-8"))
            with archive.open(_entry("data.xlsx", zipfile.ZIP_STORED), "w") as out:
                export_xlsx(session=counted, resident_id=resident_id, file=out, locale=locale)
            _add_photos(archive, photos, f"{PHOTOS}/", tally.tick)
    return tally.done


def copy_name(job: ExportJob) -> str:
    """The download's name: ``my-data-<id>-<Beijing date it was made>.zip``."""
    made = clock.local_day(job.finished_at or job.created_at).isoformat()
    return f"my-data-{job.created_by}-{made}.zip"


def expire_copies(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete the files of copies made more than :data:`KEEP_DAYS` days ago, of copies cut off, and of every
    copy of a closed account (the daily job); returns how many copies it touched."""
    now = now or clock.now()
    closed = select(residents.Resident.id).where(residents.Resident.is_active.is_(False))
    unfinished = ExportJob.status.in_(exports.UNFINISHED)
    found = select(ExportJob.id).where(
        ExportJob.kind == KIND,
        or_(
            and_(ExportJob.file_name.is_not(None), ExportJob.finished_at < now - timedelta(days=KEEP_DAYS)),
            and_(unfinished, ExportJob.created_at < now - STALE_AFTER),
            and_(ExportJob.created_by.in_(closed), or_(ExportJob.file_name.is_not(None), unfinished)),
        ),
    )
    ids = list(session.scalars(found))
    return exports.discard_files(session=session, settings=settings, job_ids=ids, error=DISCARDED)


def erase_copies(*, session: Session, settings: Settings, resident_id: int) -> int:
    """Forget every copy of the resident (account deletion): files go after the commit, unfinished copies
    stop. Returns how many copies had a file or were unfinished."""
    ids = list(session.scalars(select(ExportJob.id).where(_theirs(resident_id))))
    return exports.discard_files(session=session, settings=settings, job_ids=ids, error=DISCARDED)


exports.register_kind(KIND, exports.JobKind(write=write_copy, extension="zip", name=copy_name))
