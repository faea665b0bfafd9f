"""Job runs: one row per (job, period), so a job runs once per period however many schedulers run.

The claim is made in the job's own transaction: if the job's work fails, the claim is rolled back with
it and the next run tries again; if another scheduler holds or made the claim, the unique constraint
refuses ours (PostgreSQL waits for the other transaction first; SQLite write transactions are serialised).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.jobs.models import JobRun
from carbon_credit.platform import clock


def claim(*, session: Session, job: str, period: str, now: datetime | None = None) -> bool:
    """Insert the run row for (job, period); False when it already exists (another run did it: skip)."""
    try:
        with session.begin_nested():
            session.add(JobRun(job=job, period=period, started_at=now or clock.now()))
            session.flush()
    except IntegrityError:
        return False
    return True


def finish(
    *, session: Session, job: str, period: str, result: dict[str, Any], now: datetime | None = None
) -> None:
    """Record when the claimed run finished and what it did."""
    run = session.execute(select(JobRun).where(JobRun.job == job, JobRun.period == period)).scalar_one()
    run.finished_at = now or clock.now()
    run.result = result
    session.add(run)
    session.flush()


def runs(*, session: Session, job: str | None = None, limit: int = 50) -> list[JobRun]:
    """The latest runs, newest first (of one job if given)."""
    query = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.execute(query).scalars())
