"""Scheduled jobs, declared in one list, run by their own process (``python -m carbon_credit.jobs``).

APScheduler's FAQ: one scheduler per job store, never inside web workers. Each job is an ordinary
service call that tests call directly.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from carbon_credit import ledger
from carbon_credit.activities import credit_discrepancies
from carbon_credit.config import Settings
from carbon_credit.db import make_engine, read_session

log = logging.getLogger("carbon_credit.jobs")


def check_ledger(engine: Engine) -> int:
    """Verify balance == sum(entries) for every account and that every activity credit entry equals the
    points of the activities it credited; log each discrepancy. Returns how many."""
    with read_session(engine) as session:
        bad = ledger.discrepancies(session=session)
        unaccounted = credit_discrepancies(session=session)
    for account_id, cached, total in bad:
        log.error("ledger discrepancy: account %s balance %s != sum of entries %s", account_id, cached, total)
    for entry_id, points, total in unaccounted:
        log.error(
            "credit discrepancy: entry %s credits %s but its activities hold %s", entry_id, points, total
        )
    log.info("ledger check: %d discrepancies", len(bad) + len(unaccounted))
    return len(bad) + len(unaccounted)


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    func: Callable[[Engine], object]
    trigger: str
    trigger_args: dict


JOBS = [
    Job("check-ledger", check_ledger, "interval", {"hours": 1}),
]


def run_scheduler(settings: Settings | None = None) -> None:
    """Run every job in :data:`JOBS` until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    scheduler = BlockingScheduler(
        timezone=settings.timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in JOBS:
        scheduler.add_job(
            job.func, job.trigger, args=[engine], id=job.id, replace_existing=True, **job.trigger_args
        )

    def stop(signum, _frame):
        log.info("scheduler: signal %s, shutting down", signum)
        if not scheduler.running:
            log.info("scheduler: stopped")
            raise SystemExit(0)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("scheduler: started with jobs %s", ", ".join(job.id for job in JOBS))
    scheduler.start()
    log.info("scheduler: stopped")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    run_scheduler()
