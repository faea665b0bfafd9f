"""Scheduled jobs, declared in one list, run by their own process (``python -m carbon_credit.jobs``).

APScheduler's FAQ: one scheduler per job store, never inside web workers. Each job is an ordinary
function ``job(engine, settings, now=None)`` that tests call directly. Every job but the read-only ledger
check claims a run key (job, period) in ``job_runs`` in its own transaction, so two schedulers started by
mistake do the work once per period (docs/operations-jobs.md lists the jobs and their periods).
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from carbon_credit import ledger, notifications, transit
from carbon_credit.activities import rollups
from carbon_credit.activities.recording import credit_discrepancies, local_day
from carbon_credit.campaigns.models import Campaign
from carbon_credit.exports import jobs as export_jobs
from carbon_credit.jobs import runs as job_runs
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.notifications import weekly
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine, read_session, session_scope
from carbon_credit.platform.errors import InsufficientPoints
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import Resident
from carbon_credit.transit import operator_imports

# Points expiry: points older than this many days that were not spent expire; 0 (the default) = never.
# The environment variable POINTS_EXPIRY_DAYS overrides it (see expiry_days).
POINTS_EXPIRY_DAYS = 0
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
    """Hourly: rebuild the statistics rollups of yesterday and today (Asia/Shanghai) from the activities."""
    now = now or clock.now()
    today = local_day(now, settings)
    return _once(
        engine,
        "refresh-rollups",
        now.strftime("%Y-%m-%dT%H"),
        lambda session: {
            "rows": rollups.rebuild(session=session, day_from=today - timedelta(days=1), day_to=today)
        },
    )


def expire_tap_ins(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every 10 minutes: close tap-ins that waited longer than the expiry for their tap-out."""
    now = now or clock.now()
    return _once(
        engine,
        "expire-tap-ins",
        _slot(now, 10),
        lambda session: {
            "expired": transit.expire_stale_tap_ins(session=session, settings=settings, now=now)
        },
    )


def campaign_notices(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every 10 minutes: announce campaigns that started or ended (each once, :func:`announce_campaigns`)."""
    now = now or clock.now()
    return _once(
        engine,
        "campaign-notices",
        _slot(now, 10),
        lambda session: announce_campaigns(session=session, settings=settings, now=now),
    )


def weekly_summary(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Mondays: last week's summary for residents who opted in, as notifications the bot sends."""
    now = now or clock.now()
    week = weekly.last_week(now, settings)[2]
    return _once(
        engine,
        "weekly-summary",
        week,
        lambda session: {"queued": weekly.queue_summaries(session=session, settings=settings, now=now)},
    )


def points_expiry(
    engine: Engine, settings: Settings, now: datetime | None = None, days: int | None = None
) -> dict | None:
    """Daily: expire unspent points older than ``days`` (default :data:`POINTS_EXPIRY_DAYS`; 0 = off, the
    default, which does nothing at all). See :func:`expire_points` for the rule."""
    days = expiry_days() if days is None else days
    if days <= 0:
        return None
    now = now or clock.now()
    return _once(
        engine,
        "points-expiry",
        local_day(now, settings).isoformat(),
        lambda session: {"expired_points": expire_points(session=session, now=now, days=days)},
    )


def resume_imports(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every minute: carry unfinished operator trip imports forward (after a crash or a long file)."""
    now = now or clock.now()
    with session_scope(engine) as session:
        if not job_runs.claim(session=session, job="resume-imports", period=_slot(now, 1)):
            return None
        pending = operator_imports.unfinished(session=session)
    for batch_id in pending:
        operator_imports.process(
            engine=engine, settings=settings, batch_id=batch_id, max_seconds=IMPORT_BUDGET_S
        )
    return {"batches": len(pending)}


def run_exports(engine: Engine, settings: Settings, now: datetime | None = None) -> dict | None:
    """Every minute: run queued Excel exports (those the web process did not start itself)."""
    now = now or clock.now()
    with session_scope(engine) as session:
        if not job_runs.claim(session=session, job="run-exports", period=_slot(now, 1)):
            return None
    return {"exports": export_jobs.run_queued_exports(engine=engine, settings=settings)}


def expiry_days() -> int:
    """The points expiry period in days: env POINTS_EXPIRY_DAYS, else :data:`POINTS_EXPIRY_DAYS` (0 = off)."""
    raw = os.environ.get("POINTS_EXPIRY_DAYS", "").strip()
    return int(raw) if raw.isdigit() else POINTS_EXPIRY_DAYS


# --- the services behind the jobs ---------------------------------------------------------------------------


def announce_campaigns(*, session: Session, settings: Settings, now: datetime) -> dict:
    """Queue "campaign_started" / "campaign_ended" notifications for residents with a linked Telegram account
    in the campaign's districts, and stamp ``started_notice_at`` / ``ended_notice_at`` so each happens once.
    A campaign already over when first seen is stamped without notices; an end is announced only after a
    start was."""
    counts = {"started": 0, "ended": 0}
    query = select(Campaign).where(Campaign.started_notice_at.is_(None), Campaign.starts_at <= now)
    for campaign in session.execute(query.order_by(Campaign.id).with_for_update()).scalars():
        if campaign.is_active and now < campaign.ends_at:
            counts["started"] += _notify_campaign(session, settings, campaign, "campaign_started")
        else:
            campaign.ended_notice_at = campaign.ended_notice_at or now
        campaign.started_notice_at = now
    query = select(Campaign).where(
        Campaign.ended_notice_at.is_(None),
        Campaign.started_notice_at.is_not(None),
        (Campaign.ends_at <= now) | Campaign.is_active.is_(False),
    )
    for campaign in session.execute(query.order_by(Campaign.id).with_for_update()).scalars():
        counts["ended"] += _notify_campaign(session, settings, campaign, "campaign_ended")
        campaign.ended_notice_at = now
    session.flush()
    return counts


def expire_points(*, session: Session, now: datetime, days: int) -> int:
    """The conservative FIFO expiry rule: spending uses the oldest points first, so an account's expired
    amount is what it earned before ``now - days`` minus everything it ever spent, expired or had reversed
    (never below 0 nor above the balance). Posted as one ledger entry of kind "expiry" per account and day;
    a second run finds nothing left to expire. Returns the points expired."""
    cutoff = now - timedelta(days=days)
    old = func.sum(func.coalesce(LedgerEntry.points, 0)).filter(
        LedgerEntry.points > 0, LedgerEntry.created_at < cutoff
    )
    spent = func.sum(-LedgerEntry.points).filter(LedgerEntry.points < 0)
    query = (
        select(Account.id, Account.balance, old, spent)
        .join(LedgerEntry, LedgerEntry.account_id == Account.id)
        .where(Account.balance > 0)
        .group_by(Account.id, Account.balance)
    )
    total = 0
    for account_id, balance, earned_before, used in session.execute(query).all():
        amount = min(balance, max(0, int(earned_before or 0) - int(used or 0)))
        if amount <= 0:
            continue
        key = f"expiry:{account_id}:{cutoff.date().isoformat()}"
        posting = ledger.Posting(
            account_id, -amount, "expiry", key, ref_type="expiry", memo=f"older than {days} days"
        )
        try:
            ledger.post(session=session, posting=posting)
        except InsufficientPoints:  # spent meanwhile: tomorrow's run sees the new state
            continue
        total += amount
    return total


def _notify_campaign(session: Session, settings: Settings, campaign: Campaign, kind: str) -> int:
    query = select(Resident.id).where(Resident.telegram_id.is_not(None), Resident.is_active.is_(True))
    if campaign.district_ids:
        query = query.where(Resident.district_id.in_(campaign.district_ids))
    params = {
        "message": f"notify.{kind}",
        "campaign_id": campaign.id,
        "name_zh": campaign.name_zh,
        "name_en": campaign.name_en,
        "ends_on": local_day(campaign.ends_at, settings).isoformat(),
    }
    queued = 0
    for resident_id in session.execute(query.order_by(Resident.id)).scalars():
        key = f"{kind}:{campaign.id}:{resident_id}"
        queued += (
            notifications.notify(
                session=session, resident_id=resident_id, kind=kind, params=params, dedupe_key=key
            )
            is not None
        )
    return queued


def _once(engine: Engine, job: str, period: str, work: Callable[[Session], dict]) -> dict | None:
    """Run ``work`` in one transaction with the (job, period) claim: None when that period already ran."""
    with session_scope(engine) as session:
        if not job_runs.claim(session=session, job=job, period=period):
            log.info("%s: %s already ran", job, period)
            return None
        result = work(session)
        job_runs.finish(session=session, job=job, period=period, result=result)
    log.info("%s %s: %s", job, period, result)
    return result


def _slot(now: datetime, minutes: int) -> str:
    """The UTC period of ``minutes`` that ``now`` falls in, e.g. "2026-03-12T08:20"."""
    utc = now.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % minutes).strftime("%Y-%m-%dT%H:%M")


@dataclass(frozen=True, slots=True)
class Job:
    id: str
    func: Callable[..., object]  # func(engine, settings, now=None)
    trigger: str
    trigger_args: dict


JOBS = [
    Job("check-ledger", check_ledger, "interval", {"hours": 1}),  # first: tests/test_processes.py reads it
    Job("refresh-rollups", refresh_rollups, "cron", {"minute": 5}),
    Job("expire-tap-ins", expire_tap_ins, "cron", {"minute": "*/10"}),
    Job("campaign-notices", campaign_notices, "cron", {"minute": "1-59/10"}),
    Job("weekly-summary", weekly_summary, "cron", {"day_of_week": "mon", "hour": 9, "minute": 0}),
    Job("points-expiry", points_expiry, "cron", {"hour": 3, "minute": 30}),
    Job("resume-imports", resume_imports, "interval", {"minutes": 1}),
    Job("run-exports", run_exports, "interval", {"minutes": 1}),
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
            job.func,
            job.trigger,
            args=[engine, settings],
            id=job.id,
            replace_existing=True,
            **job.trigger_args,
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
