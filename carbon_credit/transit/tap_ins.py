"""Tap-ins, a resident's scan waiting for the tap-out that makes it a trip (at most one open per resident),
closed as completed, cancelled, expired or rejected; and the ``transit_rejections`` row every refusal
leaves, with its reason code and evidence.

The scan path uses pre-built Core statements on a connection (rows as tuples, no unit of work). One resident's
tap-ins change only under their account lock (carbon_credit.ledger.lock_accounts): the scan holds it, and
the scheduler's expiry skips a resident whose account is locked, so a scan reads the open tap-in without a
row lock of its own and its update of that tap-in cannot meet another."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Connection,
    and_,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.platform import clock
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.models import IdempotencyRecord
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident, consent_expression
from carbon_credit.stops import Stop
from carbon_credit.transit.models import TapIn, TransitRejection
from carbon_credit.transit.trips import trips_that_day

CANCELLED = "transit_same_stop"
EXPIRED = "transit_tap_in_expired"

_taps, _rejections, _stops = TapIn.__table__, TransitRejection.__table__, Stop.__table__
_residents, _memos = Resident.__table__, IdempotencyRecord.__table__


class OpenTap(NamedTuple):
    """The open tap-in the scan path works on, with its stop (the trip's origin) as ``origin``."""

    id: int
    resident_id: int
    stop_id: int
    tapped_in_at: datetime
    origin: Origin


class Origin(NamedTuple):
    """The tap-in's stop, read with it: what a tap-out's leg and a preview's sentence need."""

    id: int
    name_zh: str
    name_en: str
    latitude: float
    longitude: float
    mode: str


class ScanState(NamedTuple):
    """What a scan decides on, read in one statement after the account lock (never in the lock's statement:
    under READ COMMITTED a statement that waited for the lock would see other tables as of its start)."""

    district_id: int | None
    account_id: int | None
    memo: tuple[str, dict[str, Any]] | None  # the key's (fingerprint, outcome), when already used
    consented: bool  # to recording trips (residents, purpose "trips")
    tap: OpenTap | None
    last_scan: datetime | None  # the resident's last tap-in or counted tap-out at the scanned stop
    trips: int  # credited trips (QR and imported) on the scan's Beijing day


def _state_query():
    me, past = _residents.c.id, _taps.alias("past")
    memo = (_memos.c.scope == bindparam("scope"), _memos.c.owner_id == me, _memos.c.key == bindparam("key"))
    here, out_here = past.c.stop_id == bindparam("stop_id"), past.c.tap_out_stop_id == bindparam("stop_id")
    counted_out = and_(out_here, past.c.status != "rejected")  # a refused tap-out credited nothing
    at_stop = select().select_from(past).where(past.c.resident_id == me, or_(here, out_here))
    accounts = ledger.Account.__table__.c
    columns = [
        _residents.c.district_id,
        select(accounts.id).where(accounts.resident_id == me).scalar_subquery(),
        select(_memos.c.fingerprint).where(*memo).scalar_subquery(),
        select(_memos.c.outcome).where(*memo).scalar_subquery(),
        consent_expression(me, "trips"),
        *(_taps.c[name] for name in ("id", "resident_id", "stop_id", "tapped_in_at")),
        *(_stops.c[name] for name in Origin._fields),
        at_stop.add_columns(func.max(case((here, past.c.tapped_in_at)))).scalar_subquery(),
        at_stop.add_columns(func.max(case((counted_out, past.c.closed_at)))).scalar_subquery(),
        trips_that_day(me, bindparam("day")),
    ]
    is_open = and_(_taps.c.resident_id == me, _taps.c.status == "open")
    joined = _residents.outerjoin(_taps, is_open).outerjoin(_stops, _stops.c.id == _taps.c.stop_id)
    return select(*columns).select_from(joined).where(me == bindparam("resident_id"))


_STATE = _state_query()


def scan_state(
    connection: Connection, *, resident_id: int, stop_id: int, scope: str, key: str, day: date
) -> ScanState:
    """The resident's :class:`ScanState` for a scan at ``stop_id`` (0: no valid stop) with ``key``."""
    values = {"resident_id": resident_id, "stop_id": stop_id, "scope": scope, "key": key, "day": day}
    row = connection.execute(_STATE, values).first()
    if row is None:
        raise NotFound(what="resident", resident_id=resident_id)
    district, account, fingerprint, outcome, consented = row[:5]
    tap = OpenTap(*row[5:9], Origin(*row[9:15])) if row[5] is not None else None
    moments = [m for m in row[15:17] if m is not None]
    memo = (fingerprint, outcome) if fingerprint is not None else None
    return ScanState(district, account, memo, bool(consented), tap, max(moments, default=None), row[17])


def open_tap_in(*, session: Session, resident_id: int) -> TapIn | None:
    """The resident's open tap-in (at most one; expired or not)."""
    query = select(TapIn).where(TapIn.resident_id == resident_id, TapIn.status == "open")
    return session.execute(query).scalar_one_or_none()


def is_stale(tapped_in_at: datetime, settings: Settings, now: datetime) -> bool:
    """Whether a tap-in at ``tapped_in_at`` waited longer than ``tap_in_expiry_minutes``."""
    return now - tapped_in_at > timedelta(minutes=settings.tap_in_expiry_minutes)


# --- writes -----------------------------------------------------------------------------------------------

_TAP_IN = insert(_taps).values(
    resident_id=bindparam("resident_id"),
    stop_id=bindparam("stop_id"),
    tapped_in_at=bindparam("now"),
    status="open",
)
_CLOSE = (
    update(_taps)
    .where(_taps.c.id == bindparam("tap_id"), _taps.c.status == "open")
    .values({name: bindparam(name) for name in ("status", "closed_at", "reason")})
    .values({name: bindparam(name) for name in ("tap_out_stop_id", "metres", "activity_id")})
)
_REJECT = insert(_rejections).returning(_rejections.c.id)
_REMEMBER = insert(_memos)


def tap_in(connection: Connection, resident_id: int, stop_id: int, now: datetime) -> int:
    """Open a tap-in at the stop; returns its id."""
    values = {"resident_id": resident_id, "stop_id": stop_id, "now": now}
    return connection.execute(_TAP_IN.returning(_taps.c.id), values).scalar_one()


def close_values(
    tap_id: int,
    status: str,
    now: datetime,
    reason: str | None,
    *,
    tap_out_stop_id=None,
    metres=None,
    activity_id=None,
) -> dict[str, Any]:
    """The parameters of closing a tap-in with its status, reason code and, for a tap-out, where, how far
    and the credited activity."""
    where = {"tap_out_stop_id": tap_out_stop_id, "metres": metres, "activity_id": activity_id}
    return {"tap_id": tap_id, "status": status, "closed_at": now, "reason": reason, **where}


def close(connection: Connection, values: dict[str, Any]) -> None:
    """Close the open tap-in (:func:`close_values`); NotFound when it is no longer open (only a concurrent
    account deletion can do that: its account lock is held)."""
    if connection.execute(_CLOSE, values).rowcount != 1:
        raise NotFound(what="tap_in", tap_in_id=values["tap_id"])


def reject(
    connection: Connection,
    resident_id: int,
    stop_id: int | None,
    tap_in_id: int | None,
    reason: str,
    evidence: dict[str, Any],
    now: datetime,
) -> int:
    """Record a refused scan for the resident's history and the review queue; returns its id, the reference
    the resident can give the staff."""
    values = {"resident_id": resident_id, "stop_id": stop_id, "tap_in_id": tap_in_id, "reason": reason}
    return connection.execute(_REJECT, {**values, "evidence": evidence, "created_at": now}).scalar_one()


def expire(connection: Connection, settings: Settings, tap: OpenTap, now: datetime, *, by: str) -> int:
    """Close a stale tap-in as expired, with its rejection row (``by`` the next scan or the scheduler);
    returns the rejection's id."""
    params = {"minutes": settings.tap_in_expiry_minutes}
    close(connection, close_values(tap.id, "expired", now, EXPIRED))
    evidence = {"params": params, "expired_by": by}
    return reject(connection, tap.resident_id, tap.stop_id, tap.id, EXPIRED, evidence, now)


def expire_stale_tap_ins(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Close every open tap-in older than the expiry as "expired" (for the scheduler); returns how many.
    A resident whose account is locked (a scan in progress) is left for the next run."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=settings.tap_in_expiry_minutes)
    accounts = ledger.Account.__table__
    query = (
        select(_taps.c.id, _taps.c.resident_id, _taps.c.stop_id, _taps.c.tapped_in_at)
        .join(accounts, accounts.c.resident_id == _taps.c.resident_id)
        .where(_taps.c.status == "open", _taps.c.tapped_in_at < cutoff)
        .order_by(_taps.c.id)
        .with_for_update(of=(_taps, accounts), skip_locked=True)
    )
    connection = session.connection()
    stale = [OpenTap(*row, None) for row in connection.execute(query)]
    for tap in stale:
        expire(connection, settings, tap, now, by="scheduler")
    return len(stale)


def remember(connection: Connection, memo: dict[str, Any], outcome: dict[str, Any], now: datetime) -> None:
    """Store a scan's outcome under its key (``memo``: scope, owner_id, key, fingerprint)."""
    connection.execute(_REMEMBER, {**memo, "outcome": outcome, "created_at": now})


# --- a write and its idempotency record in one statement (PostgreSQL) -------------------------------------


def _pg_tap_in_remembered():
    """WITH tap AS (INSERT INTO tap_ins ... RETURNING id) INSERT INTO idempotency_records ... with the
    tap-in's id set in the stored result, RETURNING that id."""
    tap = _TAP_IN.returning(_taps.c.id).cte("tap")
    tap_id = select(tap.c.id).scalar_subquery()
    stored = cast(bindparam("outcome", type_=JSON), JSONB)
    outcome = func.jsonb_set(stored, literal_column("'{result,tap_in_id}'"), func.to_jsonb(tap_id))
    values = {name: bindparam(name) for name in ("scope", "owner_id", "key", "fingerprint")}
    remembered = insert(_memos).values(**values, outcome=cast(outcome, JSON), created_at=bindparam("now"))
    return remembered.add_cte(tap).returning(tap_id)


def _pg_close_remembered():
    """WITH closed AS (UPDATE tap_ins ... RETURNING id) INSERT INTO idempotency_records ..., RETURNING how
    many tap-ins it closed."""
    closed = _CLOSE.returning(_taps.c.id).cte("closed")
    values = {name: bindparam(name) for name in ("scope", "owner_id", "key", "fingerprint", "outcome")}
    remembered = insert(_memos).values(**values, created_at=bindparam("closed_at"))
    return remembered.add_cte(closed).returning(select(func.count()).select_from(closed).scalar_subquery())


_PG_TAP_IN_REMEMBERED, _PG_CLOSE_REMEMBERED = _pg_tap_in_remembered(), _pg_close_remembered()


def tap_in_remembered(
    connection: Connection, resident_id: int, stop_id: int, now: datetime, memo: dict, outcome: dict
) -> int:
    """:func:`tap_in` and :func:`remember` its scan's ``outcome``, whose ``result.tap_in_id`` becomes the
    new tap-in's id; returns that id."""
    if connection.dialect.name != "postgresql":
        tap_id = tap_in(connection, resident_id, stop_id, now)
        remember(connection, memo, {"result": {**outcome["result"], "tap_in_id": tap_id}}, now)
        return tap_id
    values = {**memo, "resident_id": resident_id, "stop_id": stop_id, "now": now, "outcome": outcome}
    return connection.execute(_PG_TAP_IN_REMEMBERED, values).scalar_one()


def close_remembered(connection: Connection, closing: dict[str, Any], memo: dict, outcome: dict) -> None:
    """:func:`close` (``closing``: :func:`close_values`) and :func:`remember` its scan's ``outcome``."""
    if connection.dialect.name != "postgresql":
        close(connection, closing)
        remember(connection, memo, outcome, closing["closed_at"])
        return
    closed = connection.execute(_PG_CLOSE_REMEMBERED, {**closing, **memo, "outcome": outcome}).scalar_one()
    if closed != 1:
        raise NotFound(what="tap_in", tap_in_id=closing["tap_id"])
