"""QR check-in at transit stops: the first scan taps in, a scan at another stop taps out and credits the trip.

Rules (docs/transit.md; each a setting): a tap-in expires after ``tap_in_expiry_minutes``; a tap-out at
the same stop cancels it; trips shorter than ``min_trip_metres`` or faster on average than
``max_speed_kmh[mode]`` are refused; a stop cannot start another trip for the same resident within
``stop_cooldown_minutes`` of their last tap-in or tap-out there; at most ``daily_trip_cap`` credited trips per
Asia/Shanghai day. Every refusal is a ``TransitRejection`` row with its reason code and evidence.

Idempotency: a scan's key is stored with its outcome (carbon_credit.idempotency, scope "transit_scan"); the
same key again returns the first outcome and changes nothing, even where a second scan at the same stop
would otherwise cancel the tap-in. Scans are serialised per resident by the account row lock (PostgreSQL) or
SQLite's write lock, so two copies of one request cannot both miss the record.

The caller owns the transaction. :func:`scan` raises DomainError ``invalid_stop_token`` AFTER adding a
rejection row: callers that want the rejection kept catch the error inside their unit of work.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from carbon_credit.activities.models import Activity
from carbon_credit.activities.recording import (
    ActivityInput,
    LockedAccount,
    local_day,
    lock_account,
    record_activity,
)
from carbon_credit.platform import clock, idempotency
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.stops import tokens as qr
from carbon_credit.stops.models import Route, RouteStop, Stop
from carbon_credit.transit.models import TapIn, TransitRejection

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
SCOPE = "transit_scan"
CANCELLED = "transit_same_stop"
EXPIRED = "transit_tap_in_expired"


@dataclass(frozen=True)
class ScanResult:
    """What a scan did. ``reason`` is a message code (carbon_credit.i18n) when cancelled or rejected;
    translate it with ``translate(result.reason, locale, **result.params)``."""

    kind: str  # "tapped_in" | "trip_credited" | "cancelled" | "rejected"
    stop_id: int
    stop_name_zh: str
    stop_name_en: str
    tap_in_id: int | None
    activity_id: int | None
    points: int
    grams: int
    metres: int | None
    reason: str | None
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    at: datetime | None = None  # when the outcome happened (tap-in time, tap-out time, refusal time)


@dataclass(frozen=True)
class CheckinPreview:
    """What scanning ``stop`` now would do: ``action`` is "tap_in", "tap_out" or "cancel"."""

    stop: Stop
    action: str
    open_stop: Stop | None  # the stop of the resident's open (unexpired) tap-in
    open_since: datetime | None
    previous_expired: bool  # an open tap-in exists but has expired; this scan starts a new one


def checkin_url(stop: Stop, settings: Settings) -> str:
    """The URL printed as a QR code on the stop's poster."""
    return (
        f"{settings.public_base_url}/s/{qr.sign_stop(stop.id, stop.token_version, settings.qr_signing_key)}"
    )


def rotate_stop_token(*, session: Session, stop_id: int) -> Stop:
    """Void every poster of the stop: its token version goes up, old tokens are refused from now on."""
    stop = session.get(Stop, stop_id, with_for_update=True)
    if stop is None:
        raise NotFound(what="stop", stop_id=stop_id)
    stop.token_version += 1
    session.add(stop)
    session.flush()
    return stop


def open_tap_in(*, session: Session, resident_id: int) -> TapIn | None:
    """The resident's open tap-in (at most one; expired or not)."""
    query = select(TapIn).where(TapIn.resident_id == resident_id, TapIn.status == "open")
    return session.execute(query).scalar_one_or_none()


def preview(
    *, session: Session, settings: Settings, resident_id: int, token: str, now: datetime | None = None
) -> CheckinPreview:
    """Read-only: the stop behind ``token`` and what a scan there would do (DomainError for a bad token)."""
    now = now or clock.now()
    stop = _stop_for_token(session, settings, token)[0]
    current = open_tap_in(session=session, resident_id=resident_id)
    if current is None or _is_stale(current, settings, now):
        return CheckinPreview(stop, "tap_in", None, None, current is not None)
    action = "cancel" if current.stop_id == stop.id else "tap_out"
    return CheckinPreview(stop, action, session.get(Stop, current.stop_id), current.tapped_in_at, False)


def scan(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    token: str,
    idempotency_key: str,
    now: datetime | None = None,
) -> ScanResult:
    """One QR scan by a resident: tap in, tap out (credit the trip), cancel, or refuse by a rule.
    The same ``idempotency_key`` again returns the first result and changes nothing."""
    now = now or clock.now()
    account = lock_account(session=session, resident_id=resident_id)  # one scan per resident at a time
    memo = {"session": session, "scope": SCOPE, "owner_id": resident_id, "key": idempotency_key}
    asked = idempotency.fingerprint(token)
    stored = idempotency.recall(**memo, asked=asked)
    if stored is not None:
        return _replayed(stored)
    try:
        result = _scan(session, settings, account, token, now)
    except DomainError as error:
        if error.code == "invalid_stop_token":
            idempotency.remember(**memo, asked=asked, outcome={"error": error.code, "params": error.params})
        raise
    idempotency.remember(**memo, asked=asked, outcome=_stored(result))
    return result


def _scan(
    session: Session, settings: Settings, account: LockedAccount, token: str, now: datetime
) -> ScanResult:
    resident_id = account.resident_id
    stop = _checked_stop(session, settings, resident_id, token, now)
    # The open tap-in with its stop: a tap-out's origin is then in the session, without a query of its own.
    current = session.execute(
        select(TapIn, Stop)
        .join(Stop, Stop.id == TapIn.stop_id)
        .where(TapIn.resident_id == resident_id, TapIn.status == "open")
        .with_for_update(of=TapIn)
    ).scalar_one_or_none()
    if current is not None and _is_stale(current, settings, now):
        _expire(session, settings, current, now, by="scan")
        current = None
    if current is None:
        return _tap_in(session, settings, resident_id, stop, now)
    if current.stop_id == stop.id:
        return _cancel(session, current, stop, now)
    return _tap_out(session, settings, current, stop, now, account)


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
        _expire(session, settings, tap, now, by="scheduler")
    return len(stale)


def trip_distance_metres(*, session: Session, settings: Settings, from_stop: Stop, to_stop: Stop) -> int:
    """The distance along a shared route, else the great-circle distance times the detour factor."""
    return _measure(session, settings, from_stop, to_stop)[0]


def haversine_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def operator_trip(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    from_stop: Stop,
    to_stop: Stop,
    boarded_at: datetime,
    alighted_at: datetime,
    trips_that_day: int | None = None,
    distances: dict[tuple[int, int], tuple[int, str, str]] | None = None,
    facts: dict[str, Any] | None = None,
) -> tuple[dict[str, str] | None, str | None]:
    """A trip from a transit operator's file (card taps), checked by the same rules as a QR trip: minimum
    distance, maximum average speed for the mode and the daily trip cap (QR and imported trips together,
    on the Asia/Shanghai day of alighting). Returns (quantification inputs, None) or (None, reason code).

    Bulk callers pass ``trips_that_day`` (credited trips already counted, including their own batch) and a
    ``distances`` dict shared across rows, so a file costs no query per row. A ``facts`` dict, if given, is
    filled with the measurement (metres, mode, basis, elapsed_s) and a refusal's message ``params``."""
    pair = (from_stop.id, to_stop.id)
    measured = distances.get(pair) if distances is not None else None
    if measured is None:
        measured = _measure(session, settings, from_stop, to_stop)
        if distances is not None:
            distances[pair] = measured
    metres, mode, basis = measured
    elapsed = (alighted_at - boarded_at).total_seconds()
    facts = facts if facts is not None else {}
    facts.update(metres=metres, mode=mode, basis=basis, elapsed_s=int(elapsed))
    failure = _plausibility_failure(settings, metres, mode, elapsed)
    if failure is not None:
        facts["params"] = failure[1]
        return None, failure[0]
    if trips_that_day is None:
        trips_that_day = credited_trips(
            session=session,
            settings=settings,
            resident_ids=[resident_id],
            days=[local_day(alighted_at, settings)],
        ).get((resident_id, local_day(alighted_at, settings)), 0)
    if trips_that_day >= settings.daily_trip_cap:
        facts["params"] = {"cap": settings.daily_trip_cap}
        return None, "transit_daily_cap"
    return {"mode": mode, "km": str(Decimal(metres) / 1000)}, None


def credited_trips(
    *, session: Session, settings: Settings, resident_ids, days
) -> dict[tuple[int, date], int]:
    """Credited transit trips (QR and imported) per (resident, Asia/Shanghai day), for the daily trip cap."""
    query = (
        select(Activity.resident_id, Activity.local_day, func.count())
        .where(
            Activity.resident_id.in_(sorted(set(resident_ids))),
            Activity.local_day.in_(sorted(set(days))),
            Activity.behaviour == "transit",
            Activity.channel.in_(("qr", "import")),
            Activity.status == "credited",
        )
        .group_by(Activity.resident_id, Activity.local_day)
    )
    return {(resident, day): int(count) for resident, day, count in session.execute(query)}


# --- scan steps -------------------------------------------------------------------------------------------


def _checked_stop(session, settings, resident_id, token, now) -> Stop:
    """The active stop whose current token this is; else record a rejection and raise invalid_stop_token."""
    try:
        return _stop_for_token(session, settings, token)[0]
    except DomainError as error:
        stop_id = error.params.get("stop_id")
        evidence = {"token": (token or "")[:100]}
        _reject(session, resident_id, stop_id, None, error.params.get("reason", error.code), evidence, now)
        raise


def _stop_for_token(session: Session, settings: Settings, token: str) -> tuple[Stop, int]:
    stop_id, version = qr.read_stop_token(token, settings.qr_signing_key)
    stop = session.get(Stop, stop_id)
    if stop is None:
        raise DomainError("invalid_stop_token")
    if version != stop.token_version:
        raise DomainError("invalid_stop_token", reason="transit_token_rotated", stop_id=stop.id)
    if not stop.is_active:
        raise DomainError("invalid_stop_token", reason="transit_stop_inactive", stop_id=stop.id)
    return stop, version


def _tap_in(session, settings, resident_id: int, stop: Stop, now: datetime) -> ScanResult:
    last = _last_scan_at(session, resident_id, stop.id)
    cooldown = timedelta(minutes=settings.stop_cooldown_minutes)
    if last is not None and now - last < cooldown:
        wait = max(1, math.ceil((cooldown - (now - last)).total_seconds() / 60))
        params = {"minutes": settings.stop_cooldown_minutes, "wait": wait}
        evidence = {"params": params, "last_scan_at": last.isoformat()}
        _reject(session, resident_id, stop.id, None, "transit_cooldown", evidence, now)
        return _result("rejected", stop, reason="transit_cooldown", params=params, at=now)
    tap = TapIn(resident_id=resident_id, stop_id=stop.id, tapped_in_at=now)
    session.add(tap)
    session.flush()
    return _result("tapped_in", stop, tap_in_id=tap.id, at=now)


def _cancel(session, tap: TapIn, stop: Stop, now: datetime) -> ScanResult:
    _close(session, tap, "cancelled", now, CANCELLED, tap_out_stop_id=stop.id)
    _reject(session, tap.resident_id, stop.id, tap.id, CANCELLED, {}, now)
    return _result("cancelled", stop, tap_in_id=tap.id, reason=CANCELLED, at=now)


def _tap_out(session, settings, tap: TapIn, stop: Stop, now: datetime, account: LockedAccount) -> ScanResult:
    origin = session.get(Stop, tap.stop_id)
    metres, mode, basis = _measure(session, settings, origin, stop)
    elapsed = (now - tap.tapped_in_at).total_seconds()
    facts = {
        "metres": metres,
        "mode": mode,
        "basis": basis,
        "elapsed_s": int(elapsed),
        "from_stop_id": origin.id,
    }
    failure = _rule_failure(session, settings, tap.resident_id, metres, mode, elapsed, now)
    activity = None
    if failure is None:
        activity, failure = _credit(session, settings, tap, stop, facts, now, account)
    if failure is not None:
        code, params = failure
        _close(session, tap, "rejected", now, code, tap_out_stop_id=stop.id, metres=metres)
        _reject(session, tap.resident_id, stop.id, tap.id, code, {**facts, "params": params}, now)
        return _result("rejected", stop, tap_in_id=tap.id, metres=metres, reason=code, params=params, at=now)
    _close(session, tap, "completed", now, None, tap_out_stop_id=stop.id, metres=metres, activity=activity)
    return _credited_result(stop, tap, activity)


def _credit(session, settings, tap: TapIn, stop: Stop, details: dict, now: datetime, account: LockedAccount):
    """Quantify and credit the trip through the green-travel methodology; a refusal by the methodology
    (an implausible leg) becomes a rejection like the platform's own rules."""
    km = Decimal(details["metres"]) / 1000
    item = ActivityInput(
        resident_id=tap.resident_id,
        behaviour="transit",
        inputs={"mode": details["mode"], "km": str(km)},
        channel="qr",
        idempotency_key=f"trip:{tap.id}",
        occurred_at=now,
        details={**details, "tap_in_id": tap.id, "to_stop_id": stop.id},
    )
    try:
        with session.begin_nested():
            credited = record_activity(
                session=session, settings=settings, item=item, now=now, account=account
            )
            return credited, None
    except DomainError as error:
        return None, (error.code, dict(error.params))


def _rule_failure(session, settings, resident_id, metres, mode, elapsed, now) -> tuple[str, dict] | None:
    """The first platform rule the trip breaks, as (reason code, message params), or None."""
    failure = _plausibility_failure(settings, metres, mode, elapsed)
    if failure is not None:
        return failure
    if _credited_trips_on(session, settings, resident_id, now) >= settings.daily_trip_cap:
        return "transit_daily_cap", {"cap": settings.daily_trip_cap}
    return None


def _plausibility_failure(settings, metres, mode, elapsed) -> tuple[str, dict] | None:
    """Minimum distance and maximum average speed for the mode, as (reason code, params), or None."""
    if metres < settings.min_trip_metres:
        return "transit_too_short", {"metres": metres, "minimum": settings.min_trip_metres}
    limit = settings.max_speed_kmh.get(mode)
    kmh = metres / 1000 / (elapsed / 3600) if elapsed > 0 else math.inf
    if limit is not None and kmh > limit:
        shown = "∞" if math.isinf(kmh) else str(round(kmh))
        minutes = str(round(max(elapsed, 0) / 60, 1))
        return "transit_too_fast", {
            "km": str(round(metres / 1000, 1)),
            "minutes": minutes,
            "kmh": shown,
            "limit": limit,
        }
    return None


def _expire(session, settings, tap: TapIn, now: datetime, *, by: str) -> None:
    params = {"minutes": settings.tap_in_expiry_minutes}
    evidence = {"params": params, "expired_by": by}
    _close(session, tap, "expired", now, EXPIRED)
    _reject(session, tap.resident_id, tap.stop_id, tap.id, EXPIRED, evidence, now)


# --- reading state ----------------------------------------------------------------------------------------


def _measure(session, settings, a: Stop, b: Stop) -> tuple[int, str, str]:
    """(metres, mode, basis): along the shortest shared active route, else great-circle x detour factor.
    Without a shared route, stops of different modes count as the lower-credit mode, bus."""
    first, second = aliased(RouteStop), aliased(RouteStop)
    query = (
        select(func.abs(first.metres_from_start - second.metres_from_start), Route.mode)
        .join(second, second.route_id == first.route_id)
        .join(Route, Route.id == first.route_id)
        .where(first.stop_id == a.id, second.stop_id == b.id, Route.is_active.is_(True))
        .order_by(func.abs(first.metres_from_start - second.metres_from_start))
        .limit(1)
    )
    shared = session.execute(query).first()
    if shared is not None:
        return int(shared[0]), shared[1], "route"
    direct = haversine_metres(a.latitude, a.longitude, b.latitude, b.longitude)
    mode = a.mode if a.mode == b.mode else "bus"
    return round(direct * settings.detour_factor_percent / 100), mode, "great_circle"


def _last_scan_at(session: Session, resident_id: int, stop_id: int) -> datetime | None:
    """The resident's last tap-in or tap-out at the stop (one query)."""
    query = select(
        func.max(case((TapIn.stop_id == stop_id, TapIn.tapped_in_at))),
        func.max(case((TapIn.tap_out_stop_id == stop_id, TapIn.closed_at))),
    ).where(TapIn.resident_id == resident_id, or_(TapIn.stop_id == stop_id, TapIn.tap_out_stop_id == stop_id))
    moments = session.execute(query).one()
    return max((m for m in moments if m is not None), default=None)


def _credited_trips_on(session: Session, settings: Settings, resident_id: int, now: datetime) -> int:
    query = select(func.count()).where(
        Activity.resident_id == resident_id,
        Activity.behaviour == "transit",
        Activity.local_day == local_day(now, settings),
        Activity.channel == "qr",
        Activity.status == "credited",
    )
    return int(session.execute(query).scalar_one())


def _is_stale(tap: TapIn, settings: Settings, now: datetime) -> bool:
    return now - tap.tapped_in_at > timedelta(minutes=settings.tap_in_expiry_minutes)


# --- replaying -------------------------------------------------------------------------------------------


def _stored(result: ScanResult) -> dict[str, Any]:
    values = asdict(result)
    values["at"] = result.at.isoformat() if result.at else None
    return {"result": values}


def _replayed(stored: dict[str, Any]) -> ScanResult:
    if "error" in stored:
        raise DomainError(stored["error"], **stored["params"])
    values = dict(stored["result"])
    values["at"] = datetime.fromisoformat(values["at"]) if values["at"] else None
    return ScanResult(**values)


# --- writing ----------------------------------------------------------------------------------------------


def _close(
    session, tap: TapIn, status: str, now, reason, *, tap_out_stop_id=None, metres=None, activity=None
):
    tap.status, tap.closed_at, tap.reason = status, now, reason
    tap.tap_out_stop_id, tap.metres = tap_out_stop_id, metres
    tap.activity_id = activity.id if activity is not None else None
    session.add(tap)
    session.flush()


def _reject(session, resident_id, stop_id, tap_in_id, reason: str, evidence: dict, now: datetime) -> None:
    session.add(
        TransitRejection(
            resident_id=resident_id,
            stop_id=stop_id,
            tap_in_id=tap_in_id,
            reason=reason,
            evidence=evidence,
            created_at=now,
        )
    )
    session.flush()


def _result(kind: str, stop: Stop, **values) -> ScanResult:
    base = {"tap_in_id": None, "activity_id": None, "points": 0, "grams": 0, "metres": None, "reason": None}
    return ScanResult(
        kind=kind, stop_id=stop.id, stop_name_zh=stop.name_zh, stop_name_en=stop.name_en, **{**base, **values}
    )


def _credited_result(stop: Stop, tap: TapIn, activity: Activity) -> ScanResult:
    return _result(
        "trip_credited",
        stop,
        tap_in_id=tap.id,
        activity_id=activity.id,
        points=activity.points,
        grams=activity.grams,
        metres=tap.metres,
        at=tap.closed_at,
    )
