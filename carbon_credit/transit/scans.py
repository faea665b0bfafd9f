"""QR check-in at transit stops: the first scan taps in, a scan at another stop taps out and credits the trip.

Rules (docs/transit.md; each a setting): a tap-in expires after ``tap_in_expiry_minutes``; a tap-out at the
same stop cancels it; a tap-in waits out the stop cooldown; a tap-out is checked by the trip rules shared with
operator imports (carbon_credit.transit.trips: distance, speed, the one daily trip cap). Every refusal is a
``TransitRejection`` row with its reason code and evidence.

Idempotency: a scan's key is stored with its outcome (carbon_credit.platform.idempotency, scope
"transit_scan"); the same key again returns the first outcome and changes nothing, even where a second scan
at the same stop would otherwise cancel the tap-in. Scans are serialised per resident by the account row
lock (PostgreSQL) or SQLite's write lock, so two copies of one request cannot both miss the record.

Consent: a resident who has not agreed to record trips (carbon_credit.residents, purpose ``trips``: 行踪轨迹,
sensitive under PIPL) is refused with ``transit_consent_required`` after the token is checked; the refusal is
kept without the stop (itself a point of their movements) and is not remembered under the key, so the same
scan after turning the consent on goes through.

The caller owns the transaction. :func:`scan` raises DomainError ``invalid_stop_token`` AFTER adding a
rejection row: callers that want the rejection kept catch the error inside their unit of work.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from carbon_credit.activities import Activity, ActivityInput, LockedAccount, lock_account, record_activity
from carbon_credit.platform import clock, idempotency
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import require_consent
from carbon_credit.stops import Stop, stop_for_token
from carbon_credit.transit.models import TapIn
from carbon_credit.transit.tap_ins import (
    CANCELLED,
    close,
    expire,
    is_stale,
    last_scan_at,
    locked_open_tap_in,
    open_tap_in,
    reject,
)
from carbon_credit.transit.trips import Leg, cooldown_refusal, measure_leg, trip_refusal, trips_on

SCOPE = "transit_scan"
NO_CONSENT = "transit_consent_required"


@dataclass(frozen=True)
class ScanResult:
    """What a scan did. ``reason`` is a message code (carbon_credit.platform.i18n) when cancelled or
    rejected, and ``transit_tap_in_expired`` on a tap-in that followed an expired one (the resident may
    have meant to tap out); translate it with ``translate(result.reason, locale, **result.params)``."""

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
    rejection_id: int | None = None  # the refusal's record: the reference a resident gives the staff


@dataclass(frozen=True)
class CheckinPreview:
    """What scanning ``stop`` now would do: ``action`` is "tap_in", "tap_out" or "cancel"."""

    stop: Stop
    action: str
    open_stop: Stop | None  # the stop of the resident's open (unexpired) tap-in
    open_since: datetime | None
    previous_expired: bool  # an open tap-in exists but has expired; this scan starts a new one


def preview(
    *, session: Session, settings: Settings, resident_id: int, token: str, now: datetime | None = None
) -> CheckinPreview:
    """Read-only: the stop behind ``token`` and what a scan there would do (DomainError for a bad token)."""
    now = now or clock.now()
    stop = stop_for_token(session=session, settings=settings, token=token)
    current = open_tap_in(session=session, resident_id=resident_id)
    if current is None or is_stale(current, settings, now):
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
    if result.reason != NO_CONSENT:
        idempotency.remember(**memo, asked=asked, outcome=_stored(result))
    return result


def _scan(session: Session, settings: Settings, account: LockedAccount, token: str, now: datetime):
    stop = _checked_stop(session, settings, account.resident_id, token, now)
    try:
        require_consent(session=session, resident_id=account.resident_id, purpose="trips")
    except DomainError as refused:  # transit_consent_required: kept as a rejection, without the stop
        rejection = reject(session, account.resident_id, None, None, refused.code, {}, now)
        return _result("rejected", stop, reason=refused.code, at=now, rejection_id=rejection.id)
    current = locked_open_tap_in(session, account.resident_id)
    if current is not None and is_stale(current, settings, now):
        return _tap_in_after_expiry(session, settings, current, stop, now)
    if current is None:
        return _tap_in(session, settings, account.resident_id, stop, now)
    if current.stop_id == stop.id:
        return _cancel(session, current, stop, now)
    return _tap_out(session, settings, current, stop, now, account)


def _checked_stop(session: Session, settings: Settings, resident_id: int, token: str, now: datetime) -> Stop:
    """The active stop whose current token this is; else record a rejection and raise invalid_stop_token."""
    try:
        return stop_for_token(session=session, settings=settings, token=token)
    except DomainError as error:
        reason, evidence = error.params.get("reason", error.code), {"token": (token or "")[:100]}
        reject(session, resident_id, error.params.get("stop_id"), None, reason, evidence, now)
        raise


def _tap_in(session: Session, settings: Settings, resident_id: int, stop: Stop, now: datetime) -> ScanResult:
    last = last_scan_at(session, resident_id, stop.id)
    refusal = cooldown_refusal(settings, last, now)
    if refusal is not None:
        code, params = refusal
        evidence = {"params": params, "last_scan_at": last.isoformat()}
        rejection = reject(session, resident_id, stop.id, None, code, evidence, now)
        return _result("rejected", stop, reason=code, params=params, at=now, rejection_id=rejection.id)
    tap = TapIn(resident_id=resident_id, stop_id=stop.id, tapped_in_at=now)
    session.add(tap)
    session.flush()
    return _result("tapped_in", stop, tap_in_id=tap.id, at=now)


def _tap_in_after_expiry(session: Session, settings: Settings, stale: TapIn, stop: Stop, now: datetime):
    """Expire the stale tap-in, then tap in here; the result says why this scan started a trip instead of
    ending one (the resident may have meant to tap out), with the expiry's reference."""
    expired = expire(session, settings, stale, now, by="scan")
    result = _tap_in(session, settings, stale.resident_id, stop, now)
    if result.kind != "tapped_in":
        return result
    return replace(result, reason=expired.reason, params=expired.evidence["params"], rejection_id=expired.id)


def _cancel(session: Session, tap: TapIn, stop: Stop, now: datetime) -> ScanResult:
    close(session, tap, "cancelled", now, CANCELLED, tap_out_stop_id=stop.id)
    rejection = reject(session, tap.resident_id, stop.id, tap.id, CANCELLED, {}, now)
    return _result("cancelled", stop, tap_in_id=tap.id, reason=CANCELLED, at=now, rejection_id=rejection.id)


def _tap_out(session, settings, tap: TapIn, stop: Stop, now: datetime, account: LockedAccount) -> ScanResult:
    """Close the trip: credited if it passes the trip rules and the methodology, else rejected."""
    origin, resident_id, day = session.get(Stop, tap.stop_id), tap.resident_id, clock.local_day(now)
    trip = {"from_stop": origin, "to_stop": stop, "boarded_at": tap.tapped_in_at, "alighted_at": now}
    leg = measure_leg(session=session, settings=settings, **trip)
    facts = {**leg.facts(), "from_stop_id": origin.id}
    refusal = trip_refusal(settings, leg, lambda: trips_on(session=session, resident_id=resident_id, day=day))
    activity = None
    if refusal is None:
        activity, refusal = _credit(session, settings, tap, stop, leg, facts, now, account)
    if refusal is not None:
        return _refuse(session, tap, stop, leg, {**facts, "params": refusal[1]}, refusal, now)
    done = {"tap_out_stop_id": stop.id, "metres": leg.metres, "activity_id": activity.id}
    close(session, tap, "completed", now, None, **done)
    return _credited_result(stop, tap, activity)


def _refuse(session, tap: TapIn, stop: Stop, leg: Leg, evidence: dict, refusal, now: datetime) -> ScanResult:
    """Close the tap-in as rejected, with its rejection row and the reason shown to the resident."""
    code, params = refusal
    close(session, tap, "rejected", now, code, tap_out_stop_id=stop.id, metres=leg.metres)
    rejection = reject(session, tap.resident_id, stop.id, tap.id, code, evidence, now)
    values = {"tap_in_id": tap.id, "metres": leg.metres, "reason": code, "params": params, "at": now}
    return _result("rejected", stop, **values, rejection_id=rejection.id)


def _credit(session, settings, tap: TapIn, stop: Stop, leg: Leg, facts: dict, now: datetime, account):
    """Quantify and credit the trip through the green-travel methodology; a refusal by the methodology
    (an implausible leg) becomes a rejection like the platform's own rules."""
    item = ActivityInput(
        resident_id=tap.resident_id,
        behaviour="transit",
        inputs=leg.inputs(),
        channel="qr",
        idempotency_key=f"trip:{tap.id}",
        occurred_at=now,
        details={**facts, "tap_in_id": tap.id, "to_stop_id": stop.id},
    )
    try:
        with session.begin_nested():
            return record_activity(
                session=session, settings=settings, item=item, now=now, account=account
            ), None
    except DomainError as error:
        return None, (error.code, dict(error.params))


# --- results and replays ----------------------------------------------------------------------------------


def _result(kind: str, stop: Stop, **values) -> ScanResult:
    base = {"tap_in_id": None, "activity_id": None, "points": 0, "grams": 0, "metres": None, "reason": None}
    names = {"stop_id": stop.id, "stop_name_zh": stop.name_zh, "stop_name_en": stop.name_en}
    return ScanResult(kind=kind, **names, **{**base, **values})


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
