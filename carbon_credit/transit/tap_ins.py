"""Tap-ins, a resident's scan waiting for the tap-out that makes it a trip (at most one open per resident),
closed as completed, cancelled, expired or rejected; and the ``transit_rejections`` row every refusal
leaves, with its reason code and evidence."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session

from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.stops import Stop
from carbon_credit.transit.models import TapIn, TransitRejection

CANCELLED = "transit_same_stop"
EXPIRED = "transit_tap_in_expired"


def open_tap_in(*, session: Session, resident_id: int) -> TapIn | None:
    """The resident's open tap-in (at most one; expired or not)."""
    query = select(TapIn).where(TapIn.resident_id == resident_id, TapIn.status == "open")
    return session.execute(query).scalar_one_or_none()


def locked_open_tap_in(session: Session, resident_id: int) -> TapIn | None:
    """The open tap-in, row-locked, with its stop loaded into the session (a tap-out's origin then needs
    no query of its own)."""
    query = (
        select(TapIn, Stop)
        .join(Stop, Stop.id == TapIn.stop_id)
        .where(TapIn.resident_id == resident_id, TapIn.status == "open")
        .with_for_update(of=TapIn)
    )
    return session.execute(query).scalar_one_or_none()


def is_stale(tap: TapIn, settings: Settings, now: datetime) -> bool:
    """Whether the tap-in waited longer than ``tap_in_expiry_minutes``."""
    return now - tap.tapped_in_at > timedelta(minutes=settings.tap_in_expiry_minutes)


def last_scan_at(session: Session, resident_id: int, stop_id: int) -> datetime | None:
    """The resident's last tap-in or tap-out at the stop (one query), for the stop cooldown. A refused
    tap-out does not count: the result page offers "tap in again here" right after it, and it credited
    nothing a farmer could repeat."""
    tapped_out_here = and_(TapIn.tap_out_stop_id == stop_id, TapIn.status != "rejected")
    query = select(
        func.max(case((TapIn.stop_id == stop_id, TapIn.tapped_in_at))),
        func.max(case((tapped_out_here, TapIn.closed_at))),
    ).where(TapIn.resident_id == resident_id, or_(TapIn.stop_id == stop_id, TapIn.tap_out_stop_id == stop_id))
    moments = session.execute(query).one()
    return max((m for m in moments if m is not None), default=None)


def expire_stale_tap_ins(*, session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Close every open tap-in older than the expiry as "expired" (for the scheduler); returns how many."""
    now = now or clock.now()
    cutoff = now - timedelta(minutes=settings.tap_in_expiry_minutes)
    query = (
        select(TapIn)
        .where(TapIn.status == "open", TapIn.tapped_in_at < cutoff)
        .order_by(TapIn.id)
        .with_for_update(skip_locked=True)
    )
    stale = list(session.execute(query).scalars())
    for tap in stale:
        expire(session, settings, tap, now, by="scheduler")
    return len(stale)


def expire(session: Session, settings: Settings, tap: TapIn, now: datetime, *, by: str) -> TransitRejection:
    """Close a stale tap-in as expired, with its rejection row (``by`` the next scan or the scheduler)."""
    params = {"minutes": settings.tap_in_expiry_minutes}
    close(session, tap, "expired", now, EXPIRED)
    evidence = {"params": params, "expired_by": by}
    return reject(session, tap.resident_id, tap.stop_id, tap.id, EXPIRED, evidence, now)


def close(
    session: Session,
    tap: TapIn,
    status: str,
    now: datetime,
    reason: str | None,
    *,
    tap_out_stop_id: int | None = None,
    metres: int | None = None,
    activity_id: int | None = None,
) -> None:
    """Close the tap-in with its status, reason code and, for a tap-out, where and how far."""
    tap.status, tap.closed_at, tap.reason = status, now, reason
    tap.tap_out_stop_id, tap.metres, tap.activity_id = tap_out_stop_id, metres, activity_id
    session.add(tap)
    session.flush()


def reject(
    session: Session,
    resident_id: int,
    stop_id: int | None,
    tap_in_id: int | None,
    reason: str,
    evidence: dict[str, Any],
    now: datetime,
) -> TransitRejection:
    """Record a refused scan for the resident's history and the review queue; its id is the reference the
    resident can give the staff."""
    rejection = TransitRejection(
        resident_id=resident_id,
        stop_id=stop_id,
        tap_in_id=tap_in_id,
        reason=reason,
        evidence=evidence,
        created_at=now,
    )
    session.add(rejection)
    session.flush()
    return rejection
