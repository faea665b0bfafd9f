"""Crediting one chunk of an operator trip file: each row whose card is linked to an active resident goes
through the trip rules a QR trip goes through (carbon_credit.transit.trips: distance, speed, the one daily
trip cap counted over QR and imported trips together) and is credited through the bulk path
(carbon_credit.activities.record_activities, channel "import") with the trip's key, so importing the same
trip again credits nothing. A trip overlapping one of the resident's QR trips is skipped (``claimed_by_qr``);
rows with unknown cards are skipped silently (most cards are not linked); rows older than the claim window
are refused with a row error (``occurred_too_long_ago``). Trips boarded before a card's ownership was proved
are skipped the same way (they are not its owner's), and every trip is kept a while for card claims. Trips on
the card of a resident who has not agreed to record trips (carbon_credit.residents, purpose ``trips``) are
skipped with ``import_no_trips_consent`` and not kept for card claims either."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

from carbon_credit.activities import CLOCK_SKEW, Activity, ActivityInput, record_activities
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident, consenting
from carbon_credit.stops import Distance, Stop
from carbon_credit.transit.card_claims import remember_card_trips
from carbon_credit.transit.import_rows import Trip, parse_row, problem
from carbon_credit.transit.models import TapIn
from carbon_credit.transit.trips import Leg, credited_trips, measure_leg, trip_refusal

IN_CHUNK = 500  # values per IN (...) query
_KNOWN_PG = select(Activity.idempotency_key).where(
    Activity.idempotency_key == any_(bindparam("keys", type_=ARRAY(String)))
)


@dataclass
class ChunkOutcome:
    """What a chunk did: trips credited and skipped, and its row problems."""

    credited: int = 0
    skipped: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, listed: dict[str, Any] | None = None) -> None:
        """Count a skipped row, listing its problem if given."""
        self.skipped += 1
        if listed is not None:
            self.problems.append(listed)


@dataclass
class ChunkState:
    """What one run keeps across chunks: stops by code, measured distances per stop pair and the
    methodology inputs per leg (mode, metres), shared by the trips of the same leg."""

    stops: dict[str, Stop | None] = field(default_factory=dict)
    distances: dict[tuple[int, int], Distance] = field(default_factory=dict)
    inputs: dict[tuple[str, int], dict[str, str]] = field(default_factory=dict)


@dataclass
class _Admission:
    """One chunk's context and lookups while its trips are admitted one by one."""

    session: Session
    settings: Settings
    state: ChunkState
    outcome: ChunkOutcome
    owners: dict[str, int]
    done: set[str]  # keys of trips imported before (or earlier in the chunk)
    qr: dict[int, list[tuple[datetime, datetime]]]  # completed QR trips by resident
    counts: dict[tuple[int, date], int]  # credited trips by (resident, Beijing day), for the daily cap


def import_chunk(
    *,
    session: Session,
    settings: Settings,
    rows: list[tuple[int, dict[str, str]]],
    now: datetime | None = None,
    state: ChunkState | None = None,
) -> ChunkOutcome:
    """Check and credit one chunk of (row number, values by canonical column) rows; the caller commits."""
    now, state, outcome = now or clock.now(), state or ChunkState(), ChunkOutcome()
    trips: list[Trip] = []
    for row, values in rows:
        trip, listed = parse_row(row, values)
        outcome.problems += [listed] if listed is not None else []
        trips += [trip] if trip is not None else []
    owners, since = _owners(session, {t.card for t in trips})
    agreed = consenting(session=session, resident_ids=set(owners.values()), purpose="trips")
    refused = {card for card, resident_id in owners.items() if resident_id not in agreed}
    seen = [(t.card, t.from_code, t.boarded_at) for t in trips if t.card not in refused]
    remember_card_trips(session=session, settings=settings, trips=seen, now=now)
    linked = [t for t in trips if t.card in owners and (since[t.card] or t.boarded_at) <= t.boarded_at]
    outcome.skipped += len(trips) - len(linked)  # unknown cards: skipped, not listed
    for trip in (t for t in linked if t.card in refused):
        outcome.skip(problem(trip.row, None, "import_no_trips_consent", skipped=True))
    linked = [t for t in linked if t.card not in refused]
    _load_stops(session, state, {c for t in linked for c in (t.from_code, t.to_code)})
    candidates = []
    for trip in linked:
        listed = _check(trip, state, settings, now)
        outcome.problems += [listed] if listed is not None else []
        candidates += [trip] if listed is None else []
    _credit(session, settings, state, candidates, owners, now, outcome)
    outcome.problems.sort(key=lambda listed: listed["row"])
    return outcome


def _check(trip: Trip, state: ChunkState, settings: Settings, now: datetime) -> dict[str, Any] | None:
    """Unknown stops and the claim window (the same refusal record_activity would give), as row errors."""
    for column, code in (("boarding_stop", trip.from_code), ("alighting_stop", trip.to_code)):
        if state.stops.get(code) is None:
            return problem(trip.row, column, "import_unknown_stop", code=code)
    days = settings.claim_window_days.get("transit", settings.claim_window_days["default"])
    if trip.alighted_at < now - timedelta(days=days):
        return problem(trip.row, "alighting_time", "occurred_too_long_ago", days=days)
    if trip.alighted_at > now + CLOCK_SKEW:
        return problem(trip.row, "alighting_time", "occurred_in_future")
    return None


def _credit(session, settings, state, trips: list[Trip], owners: dict[str, int], now, outcome) -> None:
    """Skip trips already imported or claimed by QR, apply the trip rules, then credit in bulk."""
    days = {clock.local_day(t.alighted_at) for t in trips}
    admission = _Admission(
        session=session,
        settings=settings,
        state=state,
        outcome=outcome,
        owners=owners,
        done=_existing_keys(session, [f"r{owners[t.card]}:{t.key}" for t in trips]),
        qr=_qr_windows(session, trips, owners),
        counts=credited_trips(session=session, resident_ids=set(owners.values()), days=days),
    )
    admitted = [(t.row, _admit(admission, t)) for t in trips]
    admitted = [(row, item) for row, item in admitted if item is not None]
    if not admitted:
        return
    result = record_activities(session=session, settings=settings, items=[i for _, i in admitted], now=now)
    outcome.credited += len(result.created)
    outcome.skipped += len(result.duplicates)
    for index, error in result.errors:
        outcome.problems.append(problem(admitted[index][0], None, error.code, **error.params))


def _admit(admission: _Admission, trip: Trip) -> ActivityInput | None:
    """The trip as an activity to credit, or None after counting it as skipped (with its reason)."""
    resident_id = admission.owners[trip.card]
    if not _new_trip(admission, resident_id, trip):
        return None
    stops = admission.state.stops
    leg = measure_leg(
        session=admission.session,
        settings=admission.settings,
        from_stop=stops[trip.from_code],
        to_stop=stops[trip.to_code],
        boarded_at=trip.boarded_at,
        alighted_at=trip.alighted_at,
        distances=admission.state.distances,
    )
    day = (resident_id, clock.local_day(trip.alighted_at))
    refusal = trip_refusal(admission.settings, leg, lambda: admission.counts.get(day, 0))
    if refusal is not None:
        admission.outcome.skip(problem(trip.row, None, refusal[0], skipped=True, **refusal[1]))
        return None
    admission.counts[day] = admission.counts.get(day, 0) + 1
    return _activity(trip, resident_id, leg, admission.state)


def _new_trip(admission: _Admission, resident_id: int, trip: Trip) -> bool:
    """False, counted as skipped, for a trip imported before or claimed by one of the rider's QR trips."""
    scoped = f"r{resident_id}:{trip.key}"
    if scoped in admission.done:
        admission.outcome.skip()  # imported before: nothing twice
        return False
    admission.done.add(scoped)
    windows = admission.qr.get(resident_id, ())
    if any(start < trip.alighted_at and trip.boarded_at < end for start, end in windows):
        admission.outcome.skip(problem(trip.row, None, "claimed_by_qr", skipped=True))
        return False
    return True


def _activity(trip: Trip, resident_id: int, leg: Leg, state: ChunkState) -> ActivityInput:
    """The trip as the bulk path records it; its details keep the card, stops, boarding time and row."""
    stops = state.stops
    inputs = state.inputs.get((leg.mode, leg.metres))
    if inputs is None:
        inputs = state.inputs[(leg.mode, leg.metres)] = leg.inputs()
    details = {
        **leg.facts(),
        "card": trip.card,
        "from_stop_id": stops[trip.from_code].id,
        "to_stop_id": stops[trip.to_code].id,
        "boarded_at": trip.boarded_at.isoformat(),
        "row": trip.row,
    }
    return ActivityInput(
        resident_id=resident_id,
        behaviour="transit",
        inputs=inputs,
        channel="import",
        idempotency_key=trip.key,
        occurred_at=trip.alighted_at,
        details=details,
    )


def _owners(session: Session, cards: set[str]) -> tuple[dict[str, int], dict[str, datetime | None]]:
    """Active residents' ids by their linked card number, and since when each card is proved theirs
    (trips boarded before that are not theirs to be credited)."""
    owners: dict[str, int] = {}
    since: dict[str, datetime | None] = {}
    ordered = sorted(cards)
    for start in range(0, len(ordered), IN_CHUNK):
        query = select(Resident.transit_card, Resident.id, Resident.transit_card_since).where(
            Resident.transit_card.in_(ordered[start : start + IN_CHUNK]), Resident.is_active.is_(True)
        )
        for card, resident_id, proved in session.execute(query):
            owners[card], since[card] = resident_id, proved
    return owners, since


def _load_stops(session: Session, state: ChunkState, codes: set[str]) -> None:
    """Stops by code into the run's state (None for an unknown code), kept across chunks (sessions)."""
    missing = sorted(codes - state.stops.keys())
    for start in range(0, len(missing), IN_CHUNK):
        part = missing[start : start + IN_CHUNK]
        found = {
            stop.code: stop for stop in session.execute(select(Stop).where(Stop.code.in_(part))).scalars()
        }
        for code in part:
            state.stops[code] = found.get(code)
            if found.get(code) is not None:
                session.expunge(found[code])


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    """Keys recorded before: one ``= ANY(array)`` query on PostgreSQL, IN lists on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return set(session.execute(_KNOWN_PG, {"keys": keys}).scalars())
    found: set[str] = set()
    for start in range(0, len(keys), IN_CHUNK):
        query = select(Activity.idempotency_key).where(
            Activity.idempotency_key.in_(keys[start : start + IN_CHUNK])
        )
        found.update(session.execute(query).scalars())
    return found


def _qr_windows(session: Session, trips: list[Trip], owners: dict[str, int]) -> dict[int, list[tuple]]:
    """Completed QR trips (tap-in to tap-out) of the chunk's residents within the chunk's time span."""
    if not trips:
        return {}
    residents = sorted({owners[t.card] for t in trips})
    first, last = min(t.boarded_at for t in trips), max(t.alighted_at for t in trips)
    windows: dict[int, list[tuple]] = {}
    for start in range(0, len(residents), IN_CHUNK):
        query = select(TapIn.resident_id, TapIn.tapped_in_at, TapIn.closed_at).where(
            TapIn.resident_id.in_(residents[start : start + IN_CHUNK]),
            TapIn.status == "completed",
            TapIn.tapped_in_at < last,
            TapIn.closed_at > first,
        )
        for resident_id, tapped_in_at, closed_at in session.execute(query):
            windows.setdefault(resident_id, []).append((tapped_in_at, closed_at))
    return windows
