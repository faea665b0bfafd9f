"""The weekly summary: for residents who opted in (Resident.weekly_summary_opt_in), one notification per
Beijing-time ISO week (Monday to Sunday) with what they did and their balance, sent through the bot (the
scheduler's ``weekly-summary`` job, Mondays)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.ledger import Account
from carbon_credit.notifications.outbox import notify
from carbon_credit.platform import clock
from carbon_credit.residents import Resident

KIND = "weekly_summary"


def last_week(now: datetime) -> tuple[date, date, str]:
    """The previous complete Beijing-time week as (Monday, Sunday, "2026-W10")."""
    today = clock.local_day(now)
    monday = today - timedelta(days=today.weekday() + 7)
    year, week, _ = monday.isocalendar()
    return monday, monday + timedelta(days=6), f"{year}-W{week:02d}"


def queue_summaries(*, session: Session, now: datetime) -> int:
    """Queue last week's summary for every opted-in active resident (once per week: the dedupe key holds
    the week); returns how many were queued now."""
    monday, sunday, week = last_week(now)
    totals = _week_totals(session, monday, sunday)
    queued = 0
    for resident_id, balance in _subscribers(session):
        count, grams, points = totals.get(resident_id, (0, 0, 0))
        params = {
            "message": f"notify.{KIND}",
            "week": week,
            "activities": int(count),
            "points": int(points or 0),
            "kg": f"{int(grams or 0) / 1000:.1f}",
            "balance": int(balance),
        }
        key = f"weekly:{week}:{resident_id}"
        queued += (
            notify(session=session, resident_id=resident_id, kind=KIND, params=params, dedupe_key=key)
            is not None
        )
    return queued


def _week_totals(session: Session, monday: date, sunday: date) -> dict[int, tuple[int, int, int]]:
    """(activities, grams, points) credited per opted-in resident over the week."""
    query = (
        select(Activity.resident_id, func.count(), func.sum(Activity.grams), func.sum(Activity.points))
        .join(Resident, Resident.id == Activity.resident_id)
        .where(
            Resident.weekly_summary_opt_in.is_(True),
            Activity.status == "credited",
            Activity.local_day >= monday,
            Activity.local_day <= sunday,
        )
        .group_by(Activity.resident_id)
    )
    return {
        resident_id: (count, grams, points) for resident_id, count, grams, points in session.execute(query)
    }


def _subscribers(session: Session) -> list[tuple[int, int]]:
    """(resident id, balance) of every active resident who opted in, by id."""
    query = (
        select(Resident.id, Account.balance)
        .join(Account, Account.resident_id == Resident.id)
        .where(Resident.weekly_summary_opt_in.is_(True), Resident.is_active.is_(True))
        .order_by(Resident.id)
    )
    return list(session.execute(query).all())
