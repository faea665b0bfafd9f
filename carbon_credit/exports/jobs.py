"""Export jobs: an administrator asks for an export, it runs in the background (a thread started by the
request, or the scheduler's :func:`run_queued_exports`), reports its progress in the ``export_jobs`` row, and
its file waits under ``<upload_folder>/exports/`` with a random name until an administrator downloads it.

A job is claimed with a conditional UPDATE (queued -> running), so a request thread and the scheduler never
run the same job twice. The command line runs the same exports directly with :func:`export_to_file`.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, update
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
    """The latest export jobs, newest first."""
    return list(session.scalars(select(ExportJob).order_by(ExportJob.id.desc()).limit(limit)).all())


def get(*, session: Session, job_id: int) -> ExportJob:
    """One job (NotFound ``export_job_not_found``)."""
    job = session.get(ExportJob, job_id)
    if job is None:
        raise NotFound("export_job_not_found", what="export_job", job_id=job_id)
    return job


def download(*, session: Session, settings: Settings, job_id: int) -> tuple[Path, str]:
    """The finished file of a job and the name to offer for it (DomainError ``export_not_ready``)."""
    job = get(session=session, job_id=job_id)
    path = export_folder(settings) / (job.file_name or "")
    if job.status != "done" or not job.file_name or not path.is_file():
        raise DomainError("export_not_ready")
    return path, download_name(job)


def download_name(job: ExportJob) -> str:
    """``campaign-report-3.xlsx`` or ``auditor-2026-11-01_2026-11-30.xlsx``."""
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
) -> int:
    """Write one export to ``path`` (the job runner and the command line both use this); returns rows."""
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
    name = f"{secrets.token_urlsafe(18)}.xlsx"
    partial = folder / f"{name}.part"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        reporter = _Reporter(engine, job_id)
        rows = export_to_file(
            engine=engine, kind=job.kind, params=job.params, path=partial, progress=reporter
        )
        os.replace(partial, folder / name)
        _finish(engine, job_id, status="done", file_name=name, done_rows=rows, total_rows=rows)
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


def _finish(engine: Engine, job_id: int, **values: Any) -> None:
    with session_scope(engine) as session:
        session.execute(
            update(ExportJob).where(ExportJob.id == job_id).values(finished_at=clock.now(), **values)
        )


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
