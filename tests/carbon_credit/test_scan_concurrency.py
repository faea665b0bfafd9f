"""QR scans at the same moment: one resident's scans are serialised by the account lock and the reads after it
see what the scan before them wrote (the READ COMMITTED trap: a read merged into the lock's statement would
see a closed tap-in as open), so no trip is credited twice, no scan fails, every credited trip has its one
tap-in and the ledger balances. The scheduler's expiry leaves a resident being scanned alone."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, transit
from carbon_credit.activities import Activity, credit_discrepancies
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.stops import Route, RouteStop, Stop, sign_stop
from carbon_credit.transit import TapIn, TransitRejection

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
TRIP = timedelta(minutes=12)


@pytest.fixture
def tokens(engine, settings) -> dict[str, str]:
    """Stops A and B 3 km apart on a bus route, C off it; their poster tokens by code."""
    with session_scope(engine) as session:
        made = {}
        for code, lat, lon in [("A", 30.9262, 113.9021), ("B", 30.9390, 113.9230), ("C", 30.95, 113.94)]:
            stop = Stop(code=code, name_zh=f"{code}站", name_en=code, latitude=lat, longitude=lon)
            session.add(stop)
            session.flush()
            made[code] = stop
        route = Route(code="R1", name_zh="1路", name_en="Bus 1")
        session.add(route)
        session.flush()
        for position, (code, metres) in enumerate([("A", 0), ("B", 3000)], start=1):
            place = RouteStop(
                route_id=route.id, stop_id=made[code].id, position=position, metres_from_start=metres
            )
            session.add(place)
        return {code: sign_stop(s.id, s.token_version, settings.qr_signing_key) for code, s in made.items()}


def scan(engine, settings, resident: int, token: str, key: str, at: datetime) -> transit.ScanResult:
    with session_scope(engine) as session:
        return transit.scan(
            session=session, settings=settings, resident_id=resident, token=token, idempotency_key=key, now=at
        )


def at_once(jobs) -> tuple[list, list[BaseException]]:
    """Run every job in its own thread, released together by one barrier: (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors, lock = [], [], threading.Lock()

    def run(job) -> None:
        barrier.wait()
        try:
            outcome = job()
        except BaseException as error:  # noqa: BLE001 - every failure is reported by the test
            with lock:
                errors.append(error)
            return
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def assert_books_balance(engine) -> None:
    """The ledger and the trips agree: balances are the sums of entries, every credit is accounted for, every
    credited trip rests on exactly one completed tap-in and every completed tap-in on one trip."""
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []
        assert credit_discrepancies(session=session) == []
        trips = session.execute(
            select(Activity.id, Activity.details).where(Activity.behaviour == "transit")
        ).all()
        completed = session.execute(
            select(TapIn.id, TapIn.activity_id).where(TapIn.status == "completed")
        ).all()
        open_per_resident = (
            session.execute(
                select(func.count())
                .select_from(TapIn)
                .where(TapIn.status == "open")
                .group_by(TapIn.resident_id)
            )
            .scalars()
            .all()
        )
    assert sorted((details["tap_in_id"], activity) for activity, details in trips) == sorted(completed)
    assert len({details["tap_in_id"] for _, details in trips}) == len(trips)
    assert all(count == 1 for count in open_per_resident)


def balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        return ledger.balance(session=session, account_id=account)


def test_simultaneous_tap_outs_of_one_resident_credit_one_trip(engine, settings, tokens, make_resident):
    """Eight tap-outs with eight keys at once: the first credits the trip; the others find no open tap-in
    and tap in again at B, which the stop cooldown refuses. Nothing fails, nothing is credited twice."""
    resident = make_resident()
    assert scan(engine, settings, resident, tokens["A"], "in", T0).kind == "tapped_in"
    jobs = [
        lambda n=n: scan(engine, settings, resident, tokens["B"], f"out-{n}", T0 + TRIP) for n in range(8)
    ]
    results, errors = at_once(jobs)
    assert errors == []
    kinds = Counter((r.kind, r.reason) for r in results)
    assert kinds == {("trip_credited", None): 1, ("rejected", "transit_cooldown"): 7}
    assert balance(engine, resident) == 81
    assert_books_balance(engine)


def test_simultaneous_copies_of_one_tap_out_all_answer_the_one_trip(engine, settings, tokens, make_resident):
    resident = make_resident()
    scan(engine, settings, resident, tokens["A"], "in", T0)
    results, errors = at_once([lambda: scan(engine, settings, resident, tokens["B"], "out", T0 + TRIP)] * 8)
    assert errors == []
    assert len(results) == 8 and len({(r.kind, r.activity_id, r.points) for r in results}) == 1
    assert results[0].kind == "trip_credited" and balance(engine, resident) == 81
    assert_books_balance(engine)


def test_many_residents_tapping_out_at_once_each_get_their_trip(engine, settings, tokens, make_resident):
    people = [make_resident() for _ in range(10)]
    for n, person in enumerate(people):
        scan(engine, settings, person, tokens["A"], "in", T0 + timedelta(seconds=n))
    jobs = [lambda p=p: scan(engine, settings, p, tokens["B"], "out", T0 + TRIP) for p in people]
    jobs += [
        lambda p=p: scan(engine, settings, p, tokens["B"], "out", T0 + TRIP) for p in people[:4]
    ]  # retries
    results, errors = at_once(jobs)
    assert errors == []
    assert Counter(r.kind for r in results) == {"trip_credited": 14}
    assert len({r.activity_id for r in results}) == 10
    assert [balance(engine, p) for p in people] == [81] * 10
    assert_books_balance(engine)


def test_a_burst_of_scans_by_one_resident_keeps_one_open_tap_in_and_no_double_trip(
    engine, settings, tokens, make_resident
):
    """Tap-ins, tap-outs at two stops and repeated keys all at once, in any order the database picks."""
    resident = make_resident()
    scan(engine, settings, resident, tokens["A"], "first", T0)
    moment = T0 + TRIP
    jobs = [
        lambda n=n: scan(engine, settings, resident, tokens["BC"[n % 2]], f"k{n % 5}", moment)
        for n in range(10)
    ]
    results, errors = at_once(jobs)
    assert [e for e in errors if getattr(e, "code", None) != "idempotency_conflict"] == []
    trips = {(r.activity_id, r.points) for r in results if r.kind == "trip_credited"}  # to B or to C
    assert len(trips) <= 1
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Activity)).scalar_one() == len(trips)
    assert balance(engine, resident) == sum(points for _, points in trips)
    assert_books_balance(engine)


def test_the_scheduler_and_a_scan_expire_a_stale_tap_in_once(engine, settings, tokens, make_resident):
    people = [make_resident() for _ in range(6)]
    for person in people:
        scan(engine, settings, person, tokens["A"], "in", T0)
    late = T0 + timedelta(minutes=settings.tap_in_expiry_minutes + 5)

    def expire() -> int:
        with session_scope(engine) as session:
            return transit.expire_stale_tap_ins(session=session, settings=settings, now=late)

    jobs = [lambda p=p: scan(engine, settings, p, tokens["B"], "late", late) for p in people] + [expire] * 2
    results, errors = at_once(jobs)
    assert errors == []
    assert Counter(r.kind for r in results if not isinstance(r, int)) == {"tapped_in": 6}
    with read_session(engine) as session:
        expired = session.execute(
            select(TransitRejection.tap_in_id).where(TransitRejection.reason == "transit_tap_in_expired")
        ).scalars()
        assert sorted(Counter(expired).values()) == [1] * 6  # each stale tap-in expired once, by one of them
        statuses = session.execute(select(TapIn.status, func.count()).group_by(TapIn.status)).all()
    assert dict(statuses) == {"expired": 6, "open": 6}
    assert_books_balance(engine)
