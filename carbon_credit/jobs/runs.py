"""Job runs: one row per (job, period), so a job runs once per period however many schedulers run.

The claim is made in the job's own transaction: if the job's work fails, the claim is rolled back with
it and the next run tries again; if another scheduler holds or made the claim, the unique constraint
refuses ours (PostgreSQL waits for the other transaction first; SQLite write transactions are serialised).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.jobs.models import JobRun
from carbon_credit.platform import clock
from carbon_credit.platform.database import session_scope

log = logging.getLogger("carbon_credit.jobs")


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


def once(engine: Engine, job: str, period: str, work: Callable[[Session], dict]) -> dict | None:
    """Run ``work`` in one transaction with the (job, period) claim: None when that period already ran."""
    with session_scope(engine) as session:
        if not claim(session=session, job=job, period=period):
            log.info("%s: %s already ran", job, period)
            return None
        result = work(session)
        finish(session=session, job=job, period=period, result=result)
    log.info("%s %s: %s", job, period, result)
    return result


def claimed(engine: Engine, job: str, period: str) -> bool:
    """Claim (job, period) in its own transaction, for jobs whose work commits in several transactions of
    its own (imports, exports); False when that period already ran."""
    with session_scope(engine) as session:
        return claim(session=session, job=job, period=period)


def slot(now: datetime, minutes: int) -> str:
    """The UTC period of ``minutes`` that ``now`` falls in, e.g. "2026-03-12T08:20"."""
    utc = now.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % minutes).strftime("%Y-%m-%dT%H:%M")
