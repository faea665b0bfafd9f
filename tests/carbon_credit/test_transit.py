"""QR check-in: tap in, tap out, the trip credited by the green-travel methodology, each rule's refusal."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, transit
from carbon_credit.activities import Activity
from carbon_credit.demo.transit import DEMO_ROUTES, DEMO_STOPS, seed_demo_transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict
from carbon_credit.platform.i18n import translate
from carbon_credit.stops import (
    Route,
    RouteStop,
    Stop,
    checkin_url,
    distance_between,
    haversine_metres,
    rotate_stop_token,
    sign_stop,
)
from carbon_credit.transit import TapIn, TransitRejection

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
MIN = timedelta(minutes=1)


@pytest.fixture
def stops(engine):
    """A bus route A -(3 km)- B -(0.3 km)- C ... F at 20 km, a metro line M1 -(10 km)- M2, and an off-route
    stop D; returns code -> stop id."""
    bus = [("A", 0), ("B", 3000), ("C", 3300), ("F", 20000)]
    with session_scope(engine) as session:
        made = {}
        for code, lat, lon, mode in [
            ("A", 30.9262, 113.9021, "bus"),
            ("B", 30.9390, 113.9230, "bus"),
            ("C", 30.9400, 113.9250, "bus"),
            ("F", 31.0500, 113.9900, "bus"),
            ("D", 30.9500, 113.9400, "bus"),
            ("M1", 30.9000, 113.9000, "metro"),
            ("M2", 30.9800, 113.9500, "metro"),
        ]:
            stop = Stop(
                code=code, name_zh=f"{code}站", name_en=f"Stop {code}", latitude=lat, longitude=lon, mode=mode
            )
            session.add(stop)
            session.flush()
            made[code] = stop.id
        for route_code, mode, places in [("R1", "bus", bus), ("L1", "metro", [("M1", 0), ("M2", 10000)])]:
            route = Route(code=route_code, name_zh=route_code, name_en=route_code, mode=mode)
            session.add(route)
            session.flush()
            for position, (code, metres) in enumerate(places, start=1):
                session.add(
                    RouteStop(
                        route_id=route.id, stop_id=made[code], position=position, metres_from_start=metres
                    )
                )
    return made


def token_for(engine, settings, stop_id: int) -> str:
    with read_session(engine) as session:
        return sign_stop(stop_id, session.get(Stop, stop_id).token_version, settings.qr_signing_key)


@pytest.fixture
def scan(engine, settings, stops):
    """``scan(resident, "A", key, at)`` -> ScanResult, in its own unit of work."""

    def do(resident: int, code: str, key: str, at: datetime, token: str | None = None, config=None):
        with session_scope(engine) as session:
            return transit.scan(
                session=session,
                settings=config or settings,
                resident_id=resident,
                token=token or token_for(engine, settings, stops[code]),
                idempotency_key=key,
                now=at,
            )

    return do


def refused_scan(engine, settings, resident: int, token: str, key: str, at: datetime) -> DomainError:
    """A scan expected to raise; the caller keeps the rejection by committing (catching inside the scope)."""
    with session_scope(engine) as session:
        try:
            transit.scan(
                session=session,
                settings=settings,
                resident_id=resident,
                token=token,
                idempotency_key=key,
                now=at,
            )
        except DomainError as error:
            return error
    pytest.fail("the scan was not refused")


def rows(engine, model, **where):
    with read_session(engine) as session:
        query = select(model).where(*(getattr(model, k) == v for k, v in where.items())).order_by(model.id)
        return list(session.execute(query).scalars())


def balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def test_tap_in_then_tap_out_three_km_along_a_bus_route_credits_81_points(engine, scan, make_resident):
    resident = make_resident()
    tapped = scan(resident, "A", "k1", T0)
    assert (tapped.kind, tapped.stop_name_zh, tapped.points) == ("tapped_in", "A站", 0)
    trip = scan(resident, "B", "k2", T0 + 12 * MIN)
    assert trip.kind == "trip_credited"
    assert (trip.metres, trip.grams, trip.points) == (3000, 81, 81)  # 3 km x 26.9 g = 80.7 g -> 81
    assert trip.tap_in_id == tapped.tap_in_id
    [activity] = rows(engine, Activity, resident_id=resident)
    assert activity.id == trip.activity_id
    assert (activity.channel, activity.behaviour) == ("qr", "transit")
    assert activity.inputs == {"legs": [{"mode": "bus", "km": "3"}]}
    assert activity.idempotency_key == f"r{resident}:trip:{tapped.tap_in_id}"
    [tap] = rows(engine, TapIn, resident_id=resident)
    assert (tap.status, tap.metres, tap.activity_id) == ("completed", 3000, activity.id)
    assert balance(engine, resident) == 81
    assert rows(engine, TransitRejection) == []


def test_metro_trip_uses_the_metro_factor(scan, make_resident):
    resident = make_resident()
    scan(resident, "M1", "k1", T0)
    trip = scan(resident, "M2", "k2", T0 + 20 * MIN)
    assert (trip.metres, trip.grams) == (10000, 467)  # 10 km x 46.7 g


def test_without_a_shared_route_the_great_circle_distance_times_the_detour_factor_counts(
    engine, settings, scan, stops, make_resident
):
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    trip = scan(resident, "D", "k2", T0 + 20 * MIN)
    direct = haversine_metres(30.9262, 113.9021, 30.9500, 113.9400)
    assert 4300 < direct < 4600  # about 4.4 km as the crow flies
    assert trip.metres == round(direct * 1.3)
    with read_session(engine) as session:
        a, d = session.get(Stop, stops["A"]), session.get(Stop, stops["D"])
        measured = distance_between(session=session, settings=settings, from_stop=a, to_stop=d)
        assert measured == (trip.metres, "bus", "great_circle")
        wider = settings.with_overrides(detour_factor_percent=150)
        assert distance_between(session=session, settings=wider, from_stop=a, to_stop=d).metres == round(
            direct * 1.5
        )


def test_tapping_out_at_the_same_stop_cancels_the_tap_in(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    result = scan(resident, "A", "k2", T0 + 2 * MIN)
    assert (result.kind, result.reason, result.points) == ("cancelled", "transit_same_stop", 0)
    [tap] = rows(engine, TapIn, resident_id=resident)
    assert tap.status == "cancelled"
    [rejection] = rows(engine, TransitRejection, resident_id=resident)
    assert (rejection.reason, rejection.tap_in_id) == ("transit_same_stop", tap.id)
    assert rows(engine, Activity) == []


def test_a_forged_token_is_refused_and_only_the_rejection_is_recorded(engine, settings, stops, make_resident):
    resident = make_resident()
    forged = sign_stop(stops["A"], 1, "a-guessed-key")
    error = refused_scan(engine, settings, resident, forged, "k1", T0)
    assert error.code == "invalid_stop_token"
    tampered = token_for(engine, settings, stops["A"])[:-2] + "xx"
    assert refused_scan(engine, settings, resident, tampered, "k2", T0).code == "invalid_stop_token"
    [first, second] = rows(engine, TransitRejection, resident_id=resident)
    assert (first.reason, first.stop_id, first.evidence["token"]) == ("invalid_stop_token", None, forged)
    assert second.reason == "invalid_stop_token"
    assert rows(engine, TapIn) == [] and rows(engine, Activity) == []
    # the same request again is refused again, without a second record
    assert refused_scan(engine, settings, resident, forged, "k1", T0).code == "invalid_stop_token"
    assert len(rows(engine, TransitRejection)) == 2


def test_a_rotated_out_poster_stops_working_and_the_new_one_works(
    engine, settings, scan, stops, make_resident
):
    resident, admin = make_resident(), make_resident(role="admin")
    old = token_for(engine, settings, stops["A"])
    with session_scope(engine) as session:
        stop = rotate_stop_token(session=session, actor_id=admin, stop_id=stops["A"], idempotency_key="r")
        assert stop.token_version == 2
        url = checkin_url(stop, settings)
    assert url == f"{settings.public_base_url}/s/{sign_stop(stops['A'], 2, settings.qr_signing_key)}"
    error = refused_scan(engine, settings, resident, old, "k1", T0)
    assert (error.code, error.params["reason"]) == ("invalid_stop_token", "transit_token_rotated")
    [rejection] = rows(engine, TransitRejection)
    assert (rejection.reason, rejection.stop_id) == ("transit_token_rotated", stops["A"])
    assert scan(resident, "A", "k2", T0).kind == "tapped_in"


def test_an_inactive_stop_refuses_check_in(engine, settings, stops, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        session.get(Stop, stops["A"]).is_active = False
    error = refused_scan(engine, settings, resident, token_for(engine, settings, stops["A"]), "k1", T0)
    assert (error.code, error.params["reason"]) == ("invalid_stop_token", "transit_stop_inactive")
    assert [r.reason for r in rows(engine, TransitRejection)] == ["transit_stop_inactive"]
    assert rows(engine, TapIn) == []


def test_an_expired_tap_in_is_closed_and_the_next_scan_taps_in_again(engine, scan, make_resident):
    resident = make_resident()
    first = scan(resident, "A", "k1", T0)
    second = scan(resident, "B", "k2", T0 + 181 * MIN)
    assert second.kind == "tapped_in" and second.tap_in_id != first.tap_in_id
    old, new = rows(engine, TapIn, resident_id=resident)
    assert (old.status, old.reason, new.status) == ("expired", "transit_tap_in_expired", "open")
    [rejection] = rows(engine, TransitRejection)
    assert (rejection.reason, rejection.tap_in_id) == ("transit_tap_in_expired", first.tap_in_id)
    assert rows(engine, Activity) == []
    # the result says why this scan started a trip rather than ending one, with the expiry's reference
    assert (second.reason, second.params, second.rejection_id) == (
        "transit_tap_in_expired",
        {"minutes": 180},
        rejection.id,
    )
    assert transit.next_step(second.kind, second.reason) == "scan"


def test_the_scheduler_expires_stale_tap_ins(engine, settings, scan, make_resident):
    early, late = make_resident(), make_resident()
    scan(early, "A", "k1", T0)
    scan(late, "A", "k2", T0 + 60 * MIN)
    with session_scope(engine) as session:
        assert transit.expire_stale_tap_ins(session=session, settings=settings, now=T0 + 181 * MIN) == 1
    with session_scope(engine) as session:
        assert transit.expire_stale_tap_ins(session=session, settings=settings, now=T0 + 181 * MIN) == 0
        assert transit.open_tap_in(session=session, resident_id=early) is None
        assert transit.open_tap_in(session=session, resident_id=late).stop_id is not None
    assert rows(engine, TapIn, resident_id=early)[0].status == "expired"


def test_a_trip_shorter_than_the_minimum_is_refused(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "B", "k1", T0)
    result = scan(resident, "C", "k2", T0 + 3 * MIN)
    assert (result.kind, result.reason, result.metres, result.points) == (
        "rejected",
        "transit_too_short",
        300,
        0,
    )
    assert translate(result.reason, "en", **result.params) == (
        "This trip was about 300 m; trips shorter than 500 m are not credited."
    )
    [tap] = rows(engine, TapIn)
    assert (tap.status, tap.reason) == ("rejected", "transit_too_short")
    [rejection] = rows(engine, TransitRejection)
    assert (rejection.reason, rejection.evidence["metres"], rejection.tap_in_id) == (
        "transit_too_short",
        300,
        tap.id,
    )
    assert rows(engine, Activity) == [] and balance(engine, resident) == 0


def test_twenty_km_in_five_minutes_by_bus_is_too_fast(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    result = scan(resident, "F", "k2", T0 + 5 * MIN)
    assert (result.kind, result.reason) == ("rejected", "transit_too_fast")
    assert result.params == {"km": "20.0", "minutes": 5, "kmh": "240", "limit": 60}
    assert translate(result.reason, "zh_Hans", **result.params).startswith("5 分钟内行驶了 20.0 公里，")
    [rejection] = rows(engine, TransitRejection)
    assert (rejection.reason, rejection.evidence["elapsed_s"], rejection.evidence["mode"]) == (
        "transit_too_fast",
        300,
        "bus",
    )
    assert balance(engine, resident) == 0
    # the same 20 km in 30 minutes (40 km/h) is a plausible bus ride
    scan(resident, "A", "k3", T0 + 60 * MIN)
    assert scan(resident, "F", "k4", T0 + 90 * MIN).kind == "trip_credited"


def test_a_tap_out_seconds_after_the_tap_in_reads_within_a_minute_not_zero_minutes(
    engine, scan, make_resident
):
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    result = scan(resident, "B", "k2", T0 + timedelta(seconds=8))  # 3 km in 8 seconds
    assert (result.reason, result.params["minutes"], result.params["kmh"]) == ("transit_too_fast", 1, "1350")
    chinese, english = (translate(result.reason, locale, **result.params) for locale in ("zh_Hans", "en"))
    assert chinese.startswith("1 分钟内行驶了 3.0 公里，平均时速 1350 公里") and "0.0" not in chinese
    assert english.startswith("3.0 km within 1 min is 1350 km/h on average") and "0.0" not in english


def test_a_stop_cannot_start_another_trip_within_the_cooldown(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    scan(resident, "B", "k2", T0 + 12 * MIN)
    refused = scan(resident, "B", "k3", T0 + 15 * MIN)  # 3 minutes after tapping out here
    assert (refused.kind, refused.reason, refused.params) == (
        "rejected",
        "transit_cooldown",
        {"minutes": 10, "wait": 7},
    )
    assert rows(engine, TransitRejection)[0].reason == "transit_cooldown"
    assert scan(resident, "B", "k4", T0 + 22 * MIN).kind == "tapped_in"
    # a cancelled tap-in also starts the cooldown at its stop
    scan(resident, "B", "k5", T0 + 23 * MIN)
    assert scan(resident, "B", "k6", T0 + 24 * MIN).reason == "transit_cooldown"
    assert scan(resident, "A", "k7", T0 + 24 * MIN).kind == "tapped_in"  # another stop is fine


def test_a_refused_tap_out_offers_tapping_in_again_here_and_that_works_at_once(engine, scan, make_resident):
    """The result page's "tap in again here" must not run into the stop cooldown: a refused tap-out credited
    nothing, so it does not start the cooldown (a credited one does, above)."""
    resident = make_resident()
    scan(resident, "A", "k1", T0)
    refused = scan(resident, "B", "k2", T0 + MIN)  # 3 km in one minute
    assert (refused.kind, refused.reason) == ("rejected", "transit_too_fast")
    assert transit.next_step(refused.kind, refused.reason) == "tap_in_here"
    [rejection] = rows(engine, TransitRejection)
    assert refused.rejection_id == rejection.id  # the reference the page shows
    again = scan(resident, "B", "k3", T0 + 2 * MIN)
    assert again.kind == "tapped_in" and transit.next_step(again.kind) == "scan"


def test_each_outcome_has_a_next_step():
    assert transit.next_step("trip_credited") == "done"
    assert transit.next_step("cancelled", "transit_same_stop") == "scan"
    assert transit.next_step("rejected", "transit_cooldown") == "tap_in_here"
    assert transit.next_step("rejected", "transit_daily_cap") == "support"
    assert transit.next_step("rejected", "something_new") == "support"


def test_the_seventh_trip_of_a_day_is_refused_by_the_daily_cap(engine, scan, make_resident):
    resident = make_resident()
    at = T0
    results = []
    for trip in range(7):
        here, there = ("A", "B") if trip % 2 == 0 else ("B", "A")
        scan(resident, here, f"in-{trip}", at)
        results.append(scan(resident, there, f"out-{trip}", at + 12 * MIN))
        at += 25 * MIN
    assert [r.kind for r in results] == ["trip_credited"] * 6 + ["rejected"]
    assert (results[-1].reason, results[-1].params) == ("transit_daily_cap", {"cap": 6})
    assert results[-1].rejection_id == rows(engine, TransitRejection)[-1].id
    assert balance(engine, resident) == 6 * 81
    assert rows(engine, TransitRejection)[-1].reason == "transit_daily_cap"
    # a new Shanghai day counts again
    scan(resident, "A", "next-in", T0 + timedelta(days=1))
    assert scan(resident, "B", "next-out", T0 + timedelta(days=1, minutes=12)).kind == "trip_credited"


def test_a_double_tapped_scan_taps_in_once_and_credits_once(engine, scan, make_resident):
    resident = make_resident()
    first = scan(resident, "A", "in", T0)
    assert scan(resident, "A", "in", T0 + MIN) == first  # not a cancellation
    assert len(rows(engine, TapIn)) == 1 and rows(engine, TapIn)[0].status == "open"
    trip = scan(resident, "B", "out", T0 + 12 * MIN)
    assert scan(resident, "B", "out", T0 + 13 * MIN) == trip
    assert scan(resident, "A", "in", T0 + 14 * MIN) == first  # the tap-in request retried late
    assert len(rows(engine, Activity)) == 1 and balance(engine, resident) == 81
    assert len(rows(engine, TapIn)) == 1


def test_repeated_cancellations_and_refusals_are_recorded_once(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "in", T0)
    cancelled = scan(resident, "A", "cancel", T0 + MIN)
    assert scan(resident, "A", "cancel", T0 + 2 * MIN) == cancelled
    scan(resident, "B", "in-2", T0 + 20 * MIN)
    short = scan(resident, "C", "short", T0 + 25 * MIN)
    assert scan(resident, "C", "short", T0 + 26 * MIN) == short
    assert scan(resident, "A", "in", T0 + 30 * MIN).kind == "tapped_in"  # the first tap-in's key, replayed
    assert [r.reason for r in rows(engine, TransitRejection)] == ["transit_same_stop", "transit_too_short"]
    assert len(rows(engine, TapIn)) == 2


def test_a_key_reused_at_another_stop_is_refused(scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "in", T0)
    with pytest.raises(IdempotencyConflict):
        scan(resident, "B", "in", T0 + 12 * MIN)


def test_keys_are_per_resident(scan, make_resident):
    one, two = make_resident(), make_resident()
    assert scan(one, "A", "same", T0).kind == scan(two, "A", "same", T0).kind == "tapped_in"


def test_concurrent_copies_of_one_tap_out_credit_once(engine, scan, make_resident):
    resident = make_resident()
    scan(resident, "A", "in", T0)
    results, errors = [], []

    def tap_out():
        try:
            results.append(scan(resident, "B", "out", T0 + 12 * MIN))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=tap_out) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {r.activity_id for r in results} == {results[0].activity_id} and len(results) == 4
    assert balance(engine, resident) == 81


def test_the_demo_network_is_seeded_once(engine):
    with session_scope(engine) as session:
        seed_demo_transit(session=session)
    with session_scope(engine) as session:
        seed_demo_transit(session=session)
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Stop)).scalar_one() == len(DEMO_STOPS)
        assert session.execute(select(func.count()).select_from(Route)).scalar_one() == len(DEMO_ROUTES)
        for route in session.execute(select(Route)).scalars():
            assert route.is_demo and route.name_zh.startswith("孝感")
            places = session.execute(
                select(RouteStop).where(RouteStop.route_id == route.id).order_by(RouteStop.position)
            ).scalars()
            metres = [p.metres_from_start for p in places]
            assert metres[0] == 0 and metres == sorted(metres) and 5 <= len(metres) <= 7
        for stop in session.execute(select(Stop)).scalars():
            assert stop.is_demo and 30.90 < stop.latitude < 30.96 and 113.89 < stop.longitude < 113.96
