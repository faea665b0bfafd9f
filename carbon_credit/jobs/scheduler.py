"""The scheduler process (``python -m carbon_credit.jobs``, the Procfile's ``scheduler`` line).

APScheduler's FAQ: one scheduler per job store, never inside web workers. It runs every timer of
:data:`carbon_credit.jobs.schedule.JOBS` in the Beijing time zone until SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import signal

from carbon_credit.jobs.schedule import JOBS
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine
from carbon_credit.platform.settings import Settings

log = logging.getLogger("carbon_credit.jobs")


def run_scheduler(settings: Settings | None = None) -> None:
    """Run every job in :data:`JOBS` until SIGTERM or SIGINT."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    scheduler = BlockingScheduler(
        timezone=clock.BEIJING,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
    )
    for job in JOBS:
        scheduler.add_job(
            job.func,
            job.trigger,
            args=[engine, settings],
            id=job.id,
            replace_existing=True,
            **job.trigger_args,
        )
    _stop_on_signals(scheduler)
    log.info("scheduler: started with jobs %s", ", ".join(job.id for job in JOBS))
    scheduler.start()
    log.info("scheduler: stopped")


def _stop_on_signals(scheduler) -> None:
    """SIGTERM and SIGINT shut the scheduler down (or exit at once if it has not started yet)."""

    def stop(signum, _frame):
        log.info("scheduler: signal %s, shutting down", signum)
        if not scheduler.running:
            log.info("scheduler: stopped")
            raise SystemExit(0)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
