"""Export jobs: an administrator asks for an export, it runs in the background (a thread started by the
request, or the scheduler's :func:`run_queued_exports`), reports its progress in the ``export_jobs`` row, and
its file waits under ``<upload_folder>/exports/`` with a random name until an administrator downloads it.

A job is claimed with a conditional UPDATE (queued -> running), so a request thread and the scheduler never
run the same job twice. The command line runs the same exports directly with :func:`export_to_file`.

A feature above exports adds its own kind with :func:`register_kind` (privacy's resident copy): its jobs run
here the same way, but they belong to the person who asked (``created_by``): they are left out of the
administrators' list, and :func:`get` and :func:`download` show them only to their owner (``owner_id``).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, select, update
from sqlmodel import Session

from carbon_credit.campaigns import Campaign
from carbon_credit.exports.auditor import auditor_export
from carbon_credit.exports.campaign_report import campaign_report
from carbon_credit.exports.models import ExportJob
from carbon_credit.exports.sheets import Progress
from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import normalise_locale
from carbon_credit.platform.settings import Settings
from carbon_credit.stats import check_range

log = logging.getLogger(__name__)

EXPORT_FOLDER = "exports"  # under settings.upload_folder
PROGRESS_SECONDS = 0.5  # at most one progress write per half second
RECENT_JOBS = 30
UNFINISHED = ("queued", "running")


@dataclass(frozen=True, slots=True)
class JobKind:
    """A kind of export job registered by a feature above exports: ``write(engine=, settings=, params=,
    path=, progress=)`` writes the file and returns the rows (the job's final progress), ``extension`` and
    ``name(job)`` the file's extension and the name offered for its download."""

    write: Callable[..., int]
    extension: str
    name: Callable[[ExportJob], str]


KINDS: dict[str, JobKind] = {}


def register_kind(kind: str, job_kind: JobKind) -> None:
    """Let a higher feature run its own kind of job here (called when that feature is imported)."""
    KINDS[kind] = job_kind


def enqueue(*, session: Session, kind: str, params: dict[str, Any], created_by: int) -> ExportJob:
    """Queue a job of a registered kind for its owner (the caller checks and serialises the request)."""
    if kind not in KINDS:
        raise DomainError("export_unknown_kind", kind=kind)
    job = ExportJob(kind=kind, params=params, created_by=created_by)
    session.add(job)
    session.flush()
    return job


def export_folder(settings: Settings) -> Path:
    """Where finished export files are kept."""
    return Path(settings.upload_folder) / EXPORT_FOLDER


def start(
    *,
    session: Session,
    actor_id: int,
    kind: str,
    params: dict[str, Any],
    idempotency_key: str,
    locale: str = "zh_Hans",
) -> ExportJob:
    """Queue an export: the audited administrator command ``export.start`` (platform.commands.run).
    ``params``: ``campaign_id`` for a campaign report, ``day_from`` and ``day_to`` (dates) for an auditor
    export. The same key from the same administrator returns the same job (the same form sent twice);
    the same key for another export is refused (IdempotencyConflict)."""
    clean = {**_clean_params(session, kind, params), "locale": normalise_locale(locale)}
    outcome = commands.run(
        session=session,
        actor_id=actor_id,
        action="export.start",
        target_type="export_job",
        idempotency_key=idempotency_key,
        asked=(kind, sorted(clean.items())),
        apply=lambda: _queue(session, actor_id, kind, clean),
    )
    return get(session=session, job_id=outcome["target_id"])


def _queue(session: Session, actor_id: int, kind: str, params: dict[str, Any]) -> commands.Change:
    job = ExportJob(kind=kind, params=params, created_by=actor_id)
    session.add(job)
    session.flush()
    return commands.Change(job.id, after=audit.snapshot(job, ("kind", "params", "status")))


def _clean_params(session: Session, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    if kind == "campaign_report":
        campaign_id = int(params.get("campaign_id") or 0)
        if session.get(Campaign, campaign_id) is None:
            raise NotFound("campaign_not_found_for_export", what="campaign", campaign_id=campaign_id)
        return {"campaign_id": campaign_id}
    if kind == "auditor":
        day_from, day_to = _day(params.get("day_from")), _day(params.get("day_to"))
        check_range(day_from, day_to, code="export_bad_range")
        return {"day_from": day_from.isoformat(), "day_to": day_to.isoformat()}
    raise DomainError("export_unknown_kind", kind=kind)


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("export_bad_range", days=0) from None


def recent(*, session: Session, limit: int = RECENT_JOBS) -> list[ExportJob]:
    """The latest administrators' export jobs, newest first (not the registered kinds' jobs)."""
    query = select(ExportJob).where(ExportJob.kind.not_in(list(KINDS))) if KINDS else select(ExportJob)
    return list(session.scalars(query.order_by(ExportJob.id.desc()).limit(limit)).all())


def get(*, session: Session, job_id: int, owner_id: int | None = None) -> ExportJob:
    """One job (NotFound ``export_job_not_found``): an administrators' job without ``owner_id``, a job of
    a registered kind only with its owner's id."""
    job = session.get(ExportJob, job_id)
    owned = job is not None and job.kind in KINDS
    if job is None or owned != (owner_id is not None) or (owned and job.created_by != owner_id):
        raise NotFound("export_job_not_found", what="export_job", job_id=job_id)
    return job


def download(
    *, session: Session, settings: Settings, job_id: int, owner_id: int | None = None
) -> tuple[Path, str]:
    """The finished file of a job and the name to offer for it (DomainError ``export_not_ready``);
    ``owner_id`` as for :func:`get`."""
    job = get(session=session, job_id=job_id, owner_id=owner_id)
    path = export_folder(settings) / (job.file_name or "")
    if job.status != "done" or not job.file_name or not path.is_file():
        raise DomainError("export_not_ready")
    return path, download_name(job)


def download_name(job: ExportJob) -> str:
    """``campaign-report-3.xlsx`` or ``auditor-2026-11-01_2026-11-30.xlsx`` (a registered kind names its
    own)."""
    if job.kind in KINDS:
        return KINDS[job.kind].name(job)
    if job.kind == "campaign_report":
        return f"campaign-report-{job.params['campaign_id']}.xlsx"
    return f"auditor-{job.params['day_from']}_{job.params['day_to']}.xlsx"


def export_to_file(
    *,
    engine: Engine,
    kind: str,
    params: dict[str, Any],
    path: str | Path,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> int:
    """Write one export to ``path`` (the job runner and the command line both use this); returns rows."""
    if kind in KINDS:
        found = KINDS[kind]
        return found.write(engine=engine, settings=settings, params=params, path=path, progress=progress)
    write = {"path": path, "locale": params.get("locale", "zh_Hans"), "progress": progress}
    with read_session(engine) as session:
        if kind == "campaign_report":
            return campaign_report(session=session, campaign_id=int(params["campaign_id"]), **write)
        if kind == "auditor":
            day_from, day_to = _day(params["day_from"]), _day(params["day_to"])
            check_range(day_from, day_to, code="export_bad_range")
            return auditor_export(session=session, day_from=day_from, day_to=day_to, **write)
    raise DomainError("export_unknown_kind", kind=kind)


def run(*, engine: Engine, settings: Settings, job_id: int) -> bool:
    """Claim a queued job and run it to ``done`` (or ``failed``, with the error code); False if another
    runner had already claimed it."""
    with session_scope(engine) as session:
        claimed = session.execute(
            update(ExportJob)
            .where(ExportJob.id == job_id, ExportJob.status == "queued")
            .values(status="running")
        ).rowcount
        job = session.get(ExportJob, job_id) if claimed else None
    if job is None:
        return False
    folder = export_folder(settings)
    extension = KINDS[job.kind].extension if job.kind in KINDS else "xlsx"
    name = f"{secrets.token_urlsafe(18)}.{extension}"
    partial = folder / f"{name}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        reporter = _Reporter(engine, job_id)
        write = {"kind": job.kind, "params": job.params, "progress": reporter, "settings": settings}
        rows = export_to_file(engine=engine, path=partial, **write)
        os.replace(partial, folder / name)
        if not _finish(engine, job_id, status="done", file_name=name, done_rows=rows, total_rows=rows):
            (folder / name).unlink(missing_ok=True)  # discarded while it ran (discard_files)
    except Exception as error:  # noqa: BLE001 - a failed export is recorded on its job, never lost
        log.exception("export job %s failed", job_id)
        partial.unlink(missing_ok=True)
        code = error.code if isinstance(error, DomainError) else type(error).__name__
        _finish(engine, job_id, status="failed", error=str(code)[:255])
    return True


class _Reporter:
    """Writes progress to the job row, at most every PROGRESS_SECONDS (each in its own short transaction)."""

    def __init__(self, engine: Engine, job_id: int) -> None:
        self.engine, self.job_id, self.last = engine, job_id, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_SECONDS:
            return
        self.last = now
        with session_scope(self.engine) as session:
            session.execute(
                update(ExportJob).where(ExportJob.id == self.job_id).values(done_rows=done, total_rows=total)
            )


def _finish(engine: Engine, job_id: int, **values: Any) -> bool:
    """Record the end of a running job; False if it was no longer running (discarded meanwhile)."""
    with session_scope(engine) as session:
        return bool(
            session.execute(
                update(ExportJob)
                .where(ExportJob.id == job_id, ExportJob.status == "running")
                .values(finished_at=clock.now(), **values)
            ).rowcount
        )


def discard_files(*, session: Session, settings: Settings, job_ids: list[int], error: str) -> int:
    """Forget the files of these jobs: a finished job's file is removed once the caller's transaction has
    committed, and a queued or running job ends as failed with ``error`` (a running one removes its file
    itself when it ends). Returns how many jobs had a file or were unfinished."""
    if not job_ids:
        return 0
    chosen = ExportJob.id.in_(job_ids)
    names = list(session.scalars(select(ExportJob.file_name).where(chosen, ExportJob.file_name.is_not(None))))
    session.execute(update(ExportJob).where(chosen).values(file_name=None))
    stopped = session.execute(
        update(ExportJob)
        .where(chosen, ExportJob.status.in_(UNFINISHED))
        .values(status="failed", error=error[:255], finished_at=clock.now())
    ).rowcount
    if names:
        paths = [export_folder(settings) / name for name in names]
        event.listen(session, "after_commit", lambda _: [p.unlink(missing_ok=True) for p in paths], once=True)
    return len(names) + int(stopped or 0)


def run_queued_exports(*, engine: Engine, settings: Settings) -> int:
    """Run every queued export job, oldest first (the scheduler's job); returns how many this call ran."""
    with read_session(engine) as session:
        queued = session.scalars(
            select(ExportJob.id).where(ExportJob.status == "queued").order_by(ExportJob.id)
        ).all()
    return sum(run(engine=engine, settings=settings, job_id=job_id) for job_id in queued)


def run_in_background(*, engine: Engine, settings: Settings, job_id: int) -> threading.Thread:
    """Start :func:`run` in a thread (what the web request does after queueing a job)."""
    thread = threading.Thread(
        target=run,
        kwargs={"engine": engine, "settings": settings, "job_id": job_id},
        name=f"export-{job_id}",
    )
    thread.start()
    return thread
