"""When a resident last used the platform (``Resident.last_active_at``), for the retention of inactive
accounts (carbon_credit/privacy/inactivity.py): signing in, using an API token, a chat turn and recording an
activity each call :func:`mark_active`.

It writes at most once a Beijing day per resident: one conditional UPDATE that touches no row when the time
is already from today, so a busy resident costs one write a day and concurrent requests cannot both write.
Once such a transaction has committed, the process remembers the resident as current for the day and sends
nothing more (a write request's round trip saved; a notice is only ever sent to someone inactive for years,
never to a resident already seen today). A read of the resident's row that shows today's activity recorded
(the API's token check: :func:`seen_active`) is remembered the same way, and a transaction sends the UPDATE
once however many of its steps mark the resident (a token's use, then the write).
Coming back also withdraws a pending inactivity notice (``inactivity_notice_at``): the account is kept.
"""

from __future__ import annotations

import weakref
from datetime import datetime, time

from sqlalchemy import event, or_, update
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from carbon_credit.platform import clock
from carbon_credit.residents.models import Resident

_table = Resident.__table__


def start_of_day(moment: datetime) -> datetime:
    """The start (00:00 Beijing time, as UTC) of the Beijing day ``moment`` falls in."""
    return clock.as_utc(datetime.combine(clock.local_day(moment), time()))


def mark_active(*, session: Session, resident_id: int, now: datetime | None = None) -> bool:
    """Record that the resident used the platform at ``now`` (default: the clock) unless it is already
    recorded for this Beijing day and no inactivity notice is pending; returns whether a row was written.
    Runs in the caller's transaction."""
    now = now or clock.now()
    today, engine = clock.local_day(now), _engine(session)
    if _current(engine, today).get(resident_id) == today:
        return False
    transaction = session.get_transaction()
    marked = session.info.get(_MARKED)
    if marked is None or marked[0] is not transaction:
        marked = session.info[_MARKED] = (transaction, set())
    if resident_id in marked[1]:
        return False  # this transaction ran the UPDATE already (a token's use, then the request's write)
    marked[1].add(resident_id)
    statement = (
        update(_table)
        .where(_table.c.id == resident_id)
        .where(
            or_(
                _table.c.last_active_at.is_(None),
                _table.c.last_active_at < start_of_day(now),
                _table.c.inactivity_notice_at.is_not(None),
            )
        )
        .values(last_active_at=now, inactivity_notice_at=None)
        .execution_options(synchronize_session=False)
    )
    written = session.execute(statement).rowcount or 0
    if written:
        _refresh(session, resident_id)
    event.listen(
        session, "after_commit", lambda _s: _current(engine, today).__setitem__(resident_id, today), once=True
    )
    return written > 0


def seen_active(
    *,
    session: Session,
    resident_id: int,
    last_active_at: datetime | None,
    notice_at: datetime | None,
    now: datetime | None = None,
) -> None:
    """A read of the resident's row (the API's token check) found the activity recorded for today and no
    notice pending, the very rows :func:`mark_active`'s UPDATE would leave alone: remember it for the
    process, so that the request sends no UPDATE. A resident's scans minutes apart reach different workers,
    where the remembered commit of another worker does not help."""
    if notice_at is not None or last_active_at is None:
        return
    now = now or clock.now()
    if last_active_at >= start_of_day(now):
        today = clock.local_day(now)
        _current(_engine(session), today)[resident_id] = today


_MARKED = "residents_marked_active"  # session.info: (transaction, resident ids it marked)
_SEEN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # pool -> {resident id: Beijing day}
MAX_SEEN = 200_000


def _engine(session: Session):
    """The database's connection pool (a session's bind may be a per-call option engine over it)."""
    bind = session.get_bind()
    return getattr(bind, "engine", bind).pool


def _current(engine, today) -> dict:
    """The residents this process saw committed as active, per database; emptied when the day changes."""
    seen = _SEEN.setdefault(engine, {})
    if seen and (len(seen) > MAX_SEEN or next(iter(seen.values())) != today):
        seen.clear()
    return seen


def _refresh(session: Session, resident_id: int) -> None:
    """A Resident already loaded in the session forgets the two columns, so it reads the new values."""
    loaded = session.identity_map.get(identity_key(Resident, resident_id))
    if loaded is not None:
        session.expire(loaded, ["last_active_at", "inactivity_notice_at"])
