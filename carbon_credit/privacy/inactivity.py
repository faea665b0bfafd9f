"""Inactive accounts (PIPL Art. 19 and 47: personal information is kept no longer than its purpose needs):
a resident who has not used the platform for ``INACTIVE_ACCOUNT_YEARS`` years is told ``INACTIVE_NOTICE_DAYS``
days ahead, once, and then pseudonymised unless they come back. Run by the daily retention job
(:func:`carbon_credit.privacy.retention.apply_retention`).

"Used" is ``Resident.last_active_at`` (signing in, an API token, a chat turn, a recorded activity:
carbon_credit.residents.activity), or the account's creation when it has none.

1. Notice: an active resident whose last use is N years old within the notice period gets one notification
   (sent by chat when linked, shown on the web) naming the day of the pseudonymisation, and
   ``inactivity_notice_at`` is set, so the notice is never sent twice. Coming back clears it.
2. Pseudonymisation: from that day, a resident whose notice still stands goes through the same erasure as a
   deleted account (carbon_credit.privacy.deletion: contacts, name, password, cards, chat, tokens, photos
   and unused vouchers go; activities, ledger entries and totals stay), audited with no actor (the system)
   and the reason ``inactive``. Each account in its own savepoint: one that fails is logged and left whole,
   the others go on. An account already closed is not touched again, so a second run does nothing more.
   At most :data:`MAX_PER_RUN` accounts a run; the rest follow the next day.

The day is the later of the N-year anniversary of the last use and the notice's day plus the notice period
(Beijing days), so nobody is pseudonymised less than the notice period after being told. Merchants,
administrators and locked accounts are never touched: an administrator decides about those.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from carbon_credit import notifications, residents
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.privacy import deletion
from carbon_credit.privacy import deletion_steps as steps
from carbon_credit.privacy.copy_jobs import erase_copies

KIND = "inactive_account"
MESSAGE = "notify.inactive_account"
ROLE = "resident"  # only residents' accounts expire
CHANNEL, REASON = "scheduler", "inactive"  # in the audit entry of the erasure
# Accounts erased per run (~20-40 ms each, one job transaction: on SQLite it holds the write lock); any more
# wait for the next day's run, earliest notice first.
MAX_PER_RUN = 200
log = logging.getLogger(__name__)
_table = residents.Resident.__table__


@dataclass(frozen=True, slots=True)
class Noticed:
    """One resident told: their id, their last use and the day their account will be pseudonymised."""

    resident_id: int
    last_active_at: datetime
    day: date


def apply_inactivity(*, session: Session, settings: Settings, now: datetime) -> dict[str, int]:
    """Both steps as of ``now``: ``inactive_notices`` (residents told) and ``inactive_pseudonymised``."""
    return {
        "inactive_notices": len(notify_inactive(session=session, settings=settings, now=now)),
        "inactive_pseudonymised": pseudonymise_inactive(session=session, settings=settings, now=now),
    }


def notify_inactive(*, session: Session, settings: Settings, now: datetime) -> list[Noticed]:
    """Tell every active resident whose last use is ``INACTIVE_ACCOUNT_YEARS`` old within the notice
    period and who has not been told; one conditional UPDATE marks them (a resident coming back at the same
    moment is not marked), then a notification each."""
    today = clock.local_day(now)
    used_before = _anniversary_by(settings, today + timedelta(days=settings.inactive_notice_days))
    marked = session.execute(
        update(_table)
        .where(*_eligible(), _table.c.inactivity_notice_at.is_(None), _unused_since(used_before))
        .values(inactivity_notice_at=now)
        .returning(_table.c.id, _table.c.last_active_at, _table.c.created_at)
    ).all()
    told = [
        Noticed(rid, last or made, pseudonymisation_day(settings, last or made, now))
        for rid, last, made in marked
    ]
    for notice in sorted(told, key=lambda n: n.resident_id):
        _notify(session, settings, notice)
    session.flush()
    return told


def pseudonymise_inactive(*, session: Session, settings: Settings, now: datetime) -> int:
    """Pseudonymise the residents told whose day has come and who have not come back, at most
    :data:`MAX_PER_RUN`; returns how many."""
    today = clock.local_day(now)
    used_before = _anniversary_by(settings, today)
    told_before = _start(today - timedelta(days=settings.inactive_notice_days - 1))
    query = (
        select(_table.c.id)
        .where(*_eligible(), _table.c.inactivity_notice_at < told_before, _unused_since(used_before))
        .order_by(_table.c.inactivity_notice_at, _table.c.id)
        .limit(MAX_PER_RUN)
    )
    due = list(session.execute(query).scalars())
    return sum(_pseudonymise(session, settings, resident_id, today) for resident_id in due)


def pseudonymisation_day(settings: Settings, last_active_at: datetime, noticed_at: datetime) -> date:
    """The Beijing day from which an account last used at ``last_active_at`` and told at ``noticed_at`` is
    pseudonymised: the later of the N-year anniversary and the end of the notice period."""
    anniversary = _years_after(clock.local_day(last_active_at), _years(settings))
    return max(anniversary, clock.local_day(noticed_at) + timedelta(days=settings.inactive_notice_days))


def _pseudonymise(session: Session, settings: Settings, resident_id: int, today: date) -> bool:
    """Erase one account in its own savepoint, after checking again under its row lock."""
    try:
        with session.begin_nested():
            resident = session.get(
                residents.Resident, resident_id, with_for_update=True, populate_existing=True
            )
            if resident is None or not _due(settings, resident, today):
                return False
            done, files = deletion.erase(session=session, resident=resident)
            deletion.record(session=session, done=done, actor_id=None, channel=CHANNEL, reason=REASON)
    except Exception:  # one account's failure must not keep the others (or the other retention rules)
        log.exception("inactive account %s not pseudonymised; it is tried again tomorrow", resident_id)
        return False
    steps.remove_after_commit(session, settings, files)
    erase_copies(session=session, settings=settings, resident_id=resident_id)
    return True


def _due(settings: Settings, resident: residents.Resident, today: date) -> bool:
    if resident.role != ROLE or not resident.is_active or resident.inactivity_notice_at is None:
        return False
    last = resident.last_active_at or resident.created_at
    return today >= pseudonymisation_day(settings, last, resident.inactivity_notice_at)


def _notify(session: Session, settings: Settings, notice: Noticed) -> None:
    params = {"message": MESSAGE, "years": _years(settings), "day": notice.day.isoformat()}
    key = f"inactive:{notice.resident_id}:{clock.local_day(notice.last_active_at).isoformat()}"
    notifications.notify(
        session=session, resident_id=notice.resident_id, kind=KIND, params=params, dedupe_key=key
    )


def _eligible() -> tuple:
    """Open residents' accounts (not merchants, administrators, locked or deleted accounts)."""
    return _table.c.role == ROLE, _table.c.is_active.is_(True)


def _unused_since(moment: datetime):
    """Last used before ``moment`` (an account with no recorded use: created before it)."""
    last = _table.c.last_active_at
    return or_(last < moment, and_(last.is_(None), _table.c.created_at < moment))


def _anniversary_by(settings: Settings, day: date) -> datetime:
    """The moment before which a last use has its N-year anniversary on or before ``day``: 00:00 of the
    first day whose anniversary is later (a 29 February's anniversary is the 28th)."""
    first = _years_after(day, -_years(settings)) + timedelta(days=1)
    if _years_after(first, _years(settings)) <= day:
        first += timedelta(days=1)
    return _start(first)


def _years(settings: Settings) -> int:
    return settings.inactive_account_years


def _years_after(day: date, years: int) -> date:
    """The day ``years`` years after ``day`` (before it when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _start(day: date) -> datetime:
    """00:00 Beijing time of ``day``, as UTC."""
    return clock.as_utc(datetime.combine(day, time()))
