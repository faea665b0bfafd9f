"""The schedule: every timer in one list (:data:`JOBS`), each job one call into its feature.

Each job is an ordinary function ``job(engine, settings, now=None)`` that tests call directly. Every job but
the read-only ledger check claims a run key (job, period) in ``job_runs`` (carbon_credit.jobs.runs), so two
schedulers started by mistake do the work once per period (docs/operations-jobs.md lists the jobs and their
periods). The rules themselves live in their features: points expiry in ``ledger``, campaign announcements,
the weekly summary and the tree-year reminders in ``notifications``, rollups in ``activities``, tap-ins and
imports in ``transit``, exports in ``exports``, anomaly flags in ``review``, retention and the files of
residents' copies in ``privacy``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from carbon_credit import exports, ledger, notifications, privacy, review, transit
from carbon_credit.activities import credit_discrepancies, rebuild_rollups
from carbon_credit.jobs.runs import claimed, once, slot
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session
from carbon_credit.platform.settings import Settings

IMPORT_BUDGET_S = 50  # seconds of operator import work per minute-long run
log = logging.getLogger("carbon_credit.jobs")


def check_ledger(engine: Engine, settings: Settings | None = None, now: datetime | None = None) -> int:
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


def refresh_rollups(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Hourly: rebuild the statistics rollups of yesterday and today (Beijing days) from the activities."""
    now = now or clock.now()
    today = clock.local_day(now)

    def work(session):
        return {"rows": rebuild_rollups(session=session, day_from=today - timedelta(days=1), day_to=today)}

    return once(engine, "refresh-rollups", now.strftime("%Y-%m-%dT%H"), work)


def expire_tap_ins(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every 10 minutes: close tap-ins that waited longer than the expiry for their tap-out."""
    now = now or clock.now()

    def work(session):
        return {"expired": transit.expire_stale_tap_ins(session=session, settings=settings, now=now)}

    return once(engine, "expire-tap-ins", slot(now, 10), work)


def campaign_notices(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every 10 minutes: announce campaigns that started or ended (each once)."""
    now = now or clock.now()

    def work(session):
        return notifications.announce_campaigns(session=session, now=now)

    return once(engine, "campaign-notices", slot(now, 10), work)


def weekly_summary(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Mondays: last week's summary for residents who opted in, as notifications the bot sends."""
    now = now or clock.now()

    def work(session):
        return {"queued": notifications.queue_summaries(session=session, now=now)}

    return once(engine, "weekly-summary", notifications.last_week(now)[2], work)


def points_expiry(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Daily: expire unspent points older than ``settings.points_expiry_days`` (0, the default, is off and
    does nothing at all, not even claim a run)."""
    days = settings.points_expiry_days
    if days <= 0:
        return None
    now = now or clock.now()

    def work(session):
        return {"expired_points": ledger.expire_points(session=session, now=now, days=days)}

    return once(engine, "points-expiry", clock.local_day(now).isoformat(), work)


def flag_anomalies(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Daily: flag accounts with anomalies of the last week for review (``review.flag_anomalies``)."""
    now = now or clock.now()

    def work(session):
        return {"flagged": review.flag_anomalies(session=session, now=now)}

    return once(engine, "flag-anomalies", clock.local_day(now).isoformat(), work)


def tree_year_reminders(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Daily: ask for a survival photo of plantings whose next tree-year is due (``notifications``)."""
    now = now or clock.now()

    def work(session):
        return {"queued": notifications.remind_tree_years(session=session, now=now)}

    return once(engine, "tree-year-reminders", clock.local_day(now).isoformat(), work)


def resume_imports(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every minute: carry unfinished operator trip imports forward (after a crash or a long file)."""
    if not claimed(engine, "resume-imports", slot(now or clock.now(), 1)):
        return None
    with read_session(engine) as session:
        pending = transit.unfinished_batches(session=session)
    for batch_id in pending:
        transit.process_batch(
            engine=engine, settings=settings, batch_id=batch_id, max_seconds=IMPORT_BUDGET_S
        )
    return {"batches": len(pending)}


def run_exports(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every minute: run queued exports (those the web process did not start itself): the administrators'
    workbooks and the residents' copies of their data (``privacy``, registered with ``exports``)."""
    if not claimed(engine, "run-exports", slot(now or clock.now(), 1)):
        return None
    return {"exports": exports.run_queued_exports(engine=engine, settings=settings)}


def apply_retention(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Daily: delete personal data past its retention (``privacy.apply_retention``: photos after review,
    chat transcripts, raw operator trip rows); photo files go once the transaction has committed."""
    now = now or clock.now()

    def work(session):
        return privacy.apply_retention(session=session, settings=settings, now=now)

    return once(engine, "apply-retention", clock.local_day(now).isoformat(), work)


def expire_copies(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Daily: delete the files of residents' copies past their keeping time, cut off, or of closed accounts
    (``privacy.expire_copies``; the files go once the transaction has committed), and the half-written
    files of exports whose process ended mid-run (``exports.sweep_partial_files``, a day old)."""
    now = now or clock.now()

    def work(session):
        copies = privacy.expire_copies(session=session, settings=settings, now=now)
        day_old = (now - timedelta(days=1)).timestamp()
        partial = exports.sweep_partial_files(settings=settings, older_than=day_old)
        return {"copies": copies, "partial_files": partial}

    return once(engine, "expire-copies", clock.local_day(now).isoformat(), work)


@dataclass(frozen=True, slots=True)
class Job:
    """One timer: the job's id, its function ``func(engine, settings, now=None)`` and APScheduler trigger."""

    id: str
    func: Callable[..., object]
    trigger: str
    trigger_args: dict


JOBS = [
    Job("check-ledger", check_ledger, "interval", {"hours": 1}),  # first: tests/test_processes.py reads it
    Job("refresh-rollups", refresh_rollups, "cron", {"minute": 5}),
    Job("expire-tap-ins", expire_tap_ins, "cron", {"minute": "*/10"}),
    Job("campaign-notices", campaign_notices, "cron", {"minute": "1-59/10"}),
    Job("weekly-summary", weekly_summary, "cron", {"day_of_week": "mon", "hour": 9, "minute": 0}),
    Job("points-expiry", points_expiry, "cron", {"hour": 3, "minute": 30}),
    Job("flag-anomalies", flag_anomalies, "cron", {"hour": 2, "minute": 15}),
    Job("tree-year-reminders", tree_year_reminders, "cron", {"hour": 9, "minute": 30}),
    Job("apply-retention", apply_retention, "cron", {"hour": 4, "minute": 10}),
    Job("expire-copies", expire_copies, "cron", {"hour": 4, "minute": 20}),
    Job("resume-imports", resume_imports, "interval", {"minutes": 1}),
    Job("run-exports", run_exports, "interval", {"minutes": 1}),
]
