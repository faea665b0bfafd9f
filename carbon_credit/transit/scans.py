"""QR check-in at transit stops: the first scan taps in, a scan at another stop taps out and credits the trip.

Rules (docs/transit.md; each a setting): a tap-in expires after ``tap_in_expiry_minutes``; a tap-out at the
same stop cancels it; a tap-in waits out the stop cooldown; a tap-out is checked by the trip rules shared with
operator imports (carbon_credit.transit.trips: distance, speed, the one daily trip cap). Every refusal is a
``TransitRejection`` row with its reason code and evidence.

Idempotency: a scan's key is stored with its outcome (an ``idempotency_records`` row, scope
"transit_scan"); the same key again returns the first outcome and changes nothing, even where a second scan
at the same stop would otherwise cancel the tap-in. Scans are serialised per resident by the account row
lock (PostgreSQL) or SQLite's write transaction, so two copies of one request cannot both miss the record.

Consent: a resident who has not agreed to record trips (carbon_credit.residents, purpose ``trips``: 行踪轨迹,
sensitive under PIPL) is refused with ``transit_consent_required`` after the token is checked; the refusal is
kept without the stop (itself a point of their movements) and is not remembered under the key, so the same
scan after turning the consent on goes through.

Cost: the stop comes from the per-process cache (carbon_credit.stops), then one statement locks the account
(PostgreSQL), one reads everything the scan decides on (carbon_credit.transit.tap_ins.scan_state), and the
outcome is written with its idempotency record (one statement on PostgreSQL for a tap-in or a credited
tap-out). No savepoint: ``activities.record_activity`` refuses a trip before it writes anything but the
resident's last use.

The caller owns the transaction. :func:`scan` raises DomainError ``invalid_stop_token`` AFTER adding a
rejection row: callers that want the rejection kept catch the error inside their unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from carbon_credit import ledger, residents
from carbon_credit.activities import ActivityInput, LockedAccount, record_activity
from carbon_credit.platform import clock, idempotency
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.stops import stop_for_token
from carbon_credit.transit import tap_ins as taps
from carbon_credit.transit.tap_ins import (
    CANCELLED,
    OpenTap,
    Origin,
    ScanState,
    close_remembered,
    close_values,
    is_stale,
    tap_in_remembered,
)
from carbon_credit.transit.trips import Leg, cooldown_refusal, measure_leg, trip_refusal

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
    """What scanning ``stop`` now would do: ``action`` is "tap_in", "tap_out" or "cancel". ``stop`` and
    ``open_stop`` have the stop's ``id``, ``name_zh``, ``name_en`` and ``mode``."""

    stop: Any
    action: str
    open_stop: Origin | None  # the stop of the resident's open (unexpired) tap-in
    open_since: datetime | None
    previous_expired: bool  # an open tap-in exists but has expired; this scan starts a new one


def preview(
    *, session: Session, settings: Settings, resident_id: int, token: str, now: datetime | None = None
) -> CheckinPreview:
    """Read-only: the stop behind ``token`` and what a scan there would do (DomainError for a bad token)."""
    now = now or clock.now()
    stop = stop_for_token(session=session, settings=settings, token=token)
    current = _state(session, resident_id, stop.id, "", now).tap
    if current is None or is_stale(current.tapped_in_at, settings, now):
        return CheckinPreview(stop, "tap_in", None, None, current is not None)
    action = "cancel" if current.stop_id == stop.id else "tap_out"
    return CheckinPreview(stop, action, current.origin, current.tapped_in_at, False)


def scan(
    *,
    session: Session,
    settings: Settings,
    resident_id: int,
    token: str,
    idempotency_key: str,
    now: datetime | None = None,
    account: LockedAccount | None = None,
) -> ScanResult:
    """One QR scan by a resident: tap in, tap out (credit the trip), cancel, or refuse by a rule.
    The same ``idempotency_key`` again returns the first result and changes nothing. ``account``: the caller
    already holds the resident's account lock (``activities.lock_account``) in this transaction."""
    now = now or clock.now()
    if not idempotency_key or len(idempotency_key) > idempotency.MAX_KEY:
        raise IdempotencyConflict(key=(idempotency_key or "")[: idempotency.MAX_KEY])
    stop, refused = _checked_stop(session, settings, token)  # cached: no statement when the stop is known
    if account is None:  # the resident's use, before the account lock (the order every channel keeps)
        residents.mark_active(session=session, resident_id=resident_id, now=now)
    locked = account is not None or session.get_bind().dialect.name == "sqlite"  # SQLite: the write lock
    if not locked:
        ledger.lock_accounts(session=session, resident_ids=[resident_id])
    state = _state(session, resident_id, stop.id if stop else 0, idempotency_key, now)
    asked = idempotency.fingerprint(token)
    if state.memo is not None:
        return _replayed(state.memo, asked, idempotency_key)
    memo = {"scope": SCOPE, "owner_id": resident_id, "key": idempotency_key, "fingerprint": asked}
    run = _Scan(session, settings, resident_id, stop, now, memo, state, account)
    if refused is not None:
        run.refuse_token(token, refused)
    return run.decide()


def _state(session: Session, resident_id: int, stop_id: int, key: str, now: datetime) -> ScanState:
    day = clock.local_day(now)
    return taps.scan_state(
        session.connection(), resident_id=resident_id, stop_id=stop_id, scope=SCOPE, key=key, day=day
    )


def _checked_stop(session: Session, settings: Settings, token: str):
    """(the active stop whose current token this is, None) or (None, the DomainError refusing the token)."""
    try:
        return stop_for_token(session=session, settings=settings, token=token), None
    except DomainError as error:
        if error.code != "invalid_stop_token":
            raise
        return None, error


@dataclass
class _Scan:
    """One scan after the read: the decision and its writes, on the session's connection."""

    session: Session
    settings: Settings
    resident_id: int
    stop: Any  # stops.StopFacts
    now: datetime
    memo: dict[str, Any]
    state: ScanState
    account: LockedAccount | None

    def __post_init__(self) -> None:
        self.db = self.session.connection()

    def refuse_token(self, token: str, error: DomainError) -> None:
        """Record the refused poster (forged, rotated out, inactive stop), remember it, raise it."""
        reason, evidence = error.params.get("reason", error.code), {"token": (token or "")[:100]}
        taps.reject(self.db, self.resident_id, error.params.get("stop_id"), None, reason, evidence, self.now)
        taps.remember(self.db, self.memo, {"error": error.code, "params": error.params}, self.now)
        raise error

    def decide(self) -> ScanResult:
        if not self.state.consented:  # kept as a rejection, without the stop; not remembered
            rejection = taps.reject(self.db, self.resident_id, None, None, NO_CONSENT, {}, self.now)
            return self.result("rejected", reason=NO_CONSENT, rejection_id=rejection)
        current = self.state.tap
        if current is not None and is_stale(current.tapped_in_at, self.settings, self.now):
            expired = taps.expire(self.db, self.settings, current, self.now, by="scan")
            params = {"minutes": self.settings.tap_in_expiry_minutes}
            return self.tap_in(reason=taps.EXPIRED, params=params, rejection_id=expired)
        if current is None:
            return self.tap_in()
        if current.stop_id == self.stop.id:
            return self.cancel(current)
        return self.tap_out(current)

    def tap_in(self, **after_expiry) -> ScanResult:
        """Tap in here (waiting out the stop cooldown); ``after_expiry``: why this scan started a trip
        instead of ending one, with the expiry's reference."""
        last = self.state.last_scan
        refusal = cooldown_refusal(self.settings, last, self.now)
        if refusal is not None:
            evidence = {"params": refusal[1], "last_scan_at": last.isoformat()}
            return self.refused(None, refusal, evidence)
        result = self.result("tapped_in", tap_in_id=0, **after_expiry)
        stored = _stored(result)
        tap_id = tap_in_remembered(self.db, self.resident_id, self.stop.id, self.now, self.memo, stored)
        return replace(result, tap_in_id=tap_id)

    def cancel(self, tap: OpenTap) -> ScanResult:
        taps.close(
            self.db, close_values(tap.id, "cancelled", self.now, CANCELLED, tap_out_stop_id=self.stop.id)
        )
        return self.refused(tap.id, (CANCELLED, {}), {}, kind="cancelled")

    def tap_out(self, tap: OpenTap) -> ScanResult:
        """Close the trip: credited if it passes the trip rules and the methodology, else rejected."""
        leg = measure_leg(
            session=self.session, settings=self.settings, from_stop=tap.origin, to_stop=self.stop,
            boarded_at=tap.tapped_in_at, alighted_at=self.now,
        )  # fmt: skip
        facts = {**leg.facts(), "from_stop_id": tap.origin.id}
        refusal = trip_refusal(self.settings, leg, lambda: self.state.trips)
        activity = None
        if refusal is None:
            activity, refusal = self.credit(tap, leg, facts)
        if refusal is not None:
            where = {"tap_out_stop_id": self.stop.id, "metres": leg.metres}
            taps.close(self.db, close_values(tap.id, "rejected", self.now, refusal[0], **where))
            return self.refused(tap.id, refusal, {**facts, "params": refusal[1]}, metres=leg.metres)
        values = {"tap_in_id": tap.id, "activity_id": activity.id, "metres": leg.metres}
        result = self.result("trip_credited", points=activity.points, grams=activity.grams, **values)
        done = {"tap_out_stop_id": self.stop.id, "metres": leg.metres, "activity_id": activity.id}
        closing = close_values(tap.id, "completed", self.now, None, **done)
        close_remembered(self.db, closing, self.memo, _stored(result))
        return result

    def credit(self, tap: OpenTap, leg: Leg, facts: dict):
        """Quantify and credit the trip through the green-travel methodology; a refusal by the methodology
        (an implausible leg) becomes a rejection like the platform's own rules."""
        details = {**facts, "tap_in_id": tap.id, "to_stop_id": self.stop.id}
        item = ActivityInput(
            self.resident_id, "transit", leg.inputs(), "qr", f"trip:{tap.id}", self.now, details=details
        )
        account = self.account or self.locked_account()
        try:
            recorded = record_activity(
                session=self.session, settings=self.settings, item=item, now=self.now, account=account
            )
        except DomainError as error:
            return None, (error.code, dict(error.params))
        return recorded, None

    def locked_account(self) -> LockedAccount:
        """The account as read after the lock (``ledger.lock_accounts`` in :func:`scan`; on SQLite the write
        transaction is the lock)."""
        if self.state.account_id is None:
            raise NotFound(what="account", resident_id=self.resident_id)
        return LockedAccount(self.resident_id, self.state.account_id, self.state.district_id)

    def refused(self, tap_id: int | None, refusal, evidence: dict, kind: str = "rejected", **values):
        """Record the refusal (its reason code, message params and evidence) and remember the result."""
        code, params = refusal
        rejection = taps.reject(self.db, self.resident_id, self.stop.id, tap_id, code, evidence, self.now)
        values.update(tap_in_id=tap_id, reason=code, params=params, rejection_id=rejection)
        result = self.result(kind, **values)
        taps.remember(self.db, self.memo, _stored(result), self.now)
        return result

    def result(self, kind: str, **values) -> ScanResult:
        names = {
            "stop_id": self.stop.id,
            "stop_name_zh": self.stop.name_zh,
            "stop_name_en": self.stop.name_en,
        }
        return ScanResult(kind=kind, **names, **{**_NOTHING, "at": self.now, **values})


_NOTHING = {"tap_in_id": None, "activity_id": None, "points": 0, "grams": 0, "metres": None, "reason": None}


# --- stored outcomes and replays --------------------------------------------------------------------------


def _stored(result: ScanResult) -> dict[str, Any]:
    values = {**vars(result), "params": dict(result.params)}
    values["at"] = result.at.isoformat() if result.at else None
    return {"result": values}


def _replayed(memo: tuple[str, dict[str, Any]], asked: str, key: str) -> ScanResult:
    """The first outcome of this key; IdempotencyConflict when the key was used for another scan."""
    fingerprint, stored = memo
    if fingerprint != asked:
        raise IdempotencyConflict(key=key)
    if "error" in stored:
        raise DomainError(stored["error"], **stored["params"])
    values = dict(stored["result"])
    values["at"] = datetime.fromisoformat(values["at"]) if values["at"] else None
    return ScanResult(**values)
