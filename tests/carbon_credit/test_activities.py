"""Recording activities: quantified by the published factor, capped per day, credited once, auditable."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger
from carbon_credit.activities import (
    Activity,
    ActivityInput,
    credit_discrepancies,
    factor_sources,
    record_activities,
    record_activity,
)
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import IdempotencyConflict, InvalidActivity
from quantification import quantify

NOON_SHANGHAI = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai, World Environment Day


def _record(engine, settings, resident, behaviour, inputs, key, occurred_at=NOON_SHANGHAI, channel="web"):
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, channel, key, occurred_at)
        return record_activity(session=session, settings=settings, item=item, now=occurred_at)


def _balance(engine, resident) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def _count(engine, model) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_bus_trip_is_credited_by_the_published_factor_with_its_audit_trail(engine, settings, make_resident):
    resident = make_resident()
    trip = {"mode": "bus", "km": "8"}
    activity = _record(engine, settings, resident, "transit", trip, "trip-1", channel="import")
    assert activity.grams == 215  # 8 km x 26.9 g/pkm = 215.2 g, half-up to whole grams
    assert activity.points == activity.points_quantified == 215
    assert (activity.methodology_id, activity.methodology_version) == ("green-travel", "1.0")
    assert activity.factors == [{"key": "bus", "value": "26.9", "unit": "g CO2/pkm", "status": "V"}]
    assert activity.inputs == {"legs": [{"mode": "bus", "km": "8"}]}
    [trail] = factor_sources(activity)
    assert "深圳市低碳公共出行碳普惠方法学" in trail["source"]["document"]
    assert _balance(engine, resident) == 215
    with read_session(engine) as session:
        entry = session.get(LedgerEntry, activity.ledger_entry_id)
        assert (entry.points, entry.ref_type, entry.ref_id) == (215, "activity", activity.id)


def test_a_derived_factor_traces_back_to_its_published_source(engine, settings, make_resident):
    resident = make_resident()
    inputs = {"material": "aluminium_cans", "kg": "2"}
    activity = _record(engine, settings, resident, "recycling", inputs, "r")
    trail = {f["key"]: f for f in factor_sources(activity)}
    assert trail["aluminium_cans"]["value"] == "-9.13" and trail["aluminium_cans"]["status"] == "S"
    assert trail["aluminium_cans_per_kg"]["status"] == "D"
    assert "WARM" in trail["aluminium_cans_per_kg"]["source"]["document"]
    assert activity.grams == 20128  # 2 kg x 9.13 x 1000 / 907.18474 kg CO2e per kg


def test_a_stored_activity_recomputes_to_the_same_grams(engine, settings, make_resident):
    resident = make_resident()
    stored = _record(engine, settings, resident, "recycling", {"material": "pet", "kg": "1.75"}, "r-1")
    with read_session(engine) as session:
        reloaded = session.get(Activity, stored.id)
        assert quantify(reloaded.behaviour, **reloaded.inputs).grams == reloaded.grams == 2006


def test_walking_is_capped_per_day_in_shanghai_time(engine, settings, make_resident):
    resident = make_resident()
    first = _record(engine, settings, resident, "walking", {"steps": 10000}, "w-1")  # 200 g
    second = _record(engine, settings, resident, "walking", {"steps": 10000}, "w-2")  # 200 g, 96 left
    third = _record(engine, settings, resident, "walking", {"steps": 5000}, "w-3")
    assert (first.points, second.points, third.points) == (200, 96, 0)
    assert second.points_quantified == 200 and second.note == "daily_cap:296"
    late_evening = NOON_SHANGHAI + timedelta(hours=11, minutes=59)  # 23:59 same Shanghai day
    next_morning = NOON_SHANGHAI + timedelta(hours=12, minutes=1)  # 00:01 next Shanghai day
    assert _record(engine, settings, resident, "walking", {"steps": 100}, "w-4", late_evening).points == 0
    assert _record(engine, settings, resident, "walking", {"steps": 100}, "w-5", next_morning).points == 2
    assert _balance(engine, resident) == 298
    with read_session(engine) as session:
        assert (
            session.execute(select(func.count()).select_from(LedgerEntry)).scalar_one() == 3
        )  # no 0-point entries


def test_the_same_key_twice_credits_once_and_returns_the_first_activity(engine, settings, make_resident):
    resident = make_resident()
    trip = {"mode": "metro", "km": "12"}
    first = _record(engine, settings, resident, "transit", trip, "tg-update-991", channel="import")
    again = _record(engine, settings, resident, "transit", trip, "tg-update-991", channel="import")
    assert again.id == first.id
    assert _balance(engine, resident) == 560  # 12 x 46.7 = 560.4
    with pytest.raises(IdempotencyConflict):
        _record(engine, settings, resident, "walking", {"steps": 100}, "tg-update-991")


def test_the_same_key_with_other_inputs_is_a_conflict(engine, settings, make_resident):
    resident = make_resident()
    first = _record(engine, settings, resident, "walking", {"steps": 1000}, "k")
    assert _record(engine, settings, resident, "walking", {"steps": 1000}, "k").id == first.id
    with pytest.raises(IdempotencyConflict):
        _record(engine, settings, resident, "walking", {"steps": 9000}, "k")
    assert _count(engine, Activity) == 1 and _balance(engine, resident) == 20


def test_keys_are_scoped_per_resident(engine, settings, make_resident):
    alice, bob = make_resident(), make_resident()
    _record(engine, settings, alice, "walking", {"steps": 1000}, "k")
    _record(engine, settings, bob, "walking", {"steps": 1000}, "k")
    assert _balance(engine, alice) == _balance(engine, bob) == 20


@pytest.mark.parametrize(
    ("behaviour", "inputs", "code"),
    [
        ("transit", {"mode": "bus", "km": "2"}, "transit_needs_qr"),  # by hand: only QR pairs and imports
        ("recycling", {"material": "pet", "kg": "5000"}, "implausible"),
        ("recycling", {"material": "pet", "kg": "-1"}, "not_positive"),
        ("recycling", {"material": "uranium", "kg": "1"}, "unknown_material"),
        ("walking", {"steps": "many"}, "not_a_number"),
        ("walking", {}, "missing_input"),
        ("afforestation", {}, "unknown_behaviour"),  # an administrator tool, not a resident behaviour
        ("teleport", {}, "unknown_behaviour"),
    ],
)
def test_bad_input_gives_a_typed_error_and_writes_nothing(
    engine, settings, make_resident, behaviour, inputs, code
):
    resident = make_resident()
    with pytest.raises(InvalidActivity) as caught:
        _record(engine, settings, resident, behaviour, inputs, "bad")
    assert caught.value.code == code
    assert _count(engine, Activity) == 0 and _count(engine, LedgerEntry) == 0
    assert _balance(engine, resident) == 0


def test_points_rule_is_a_setting_and_rounds_down(engine, settings, make_resident):
    resident = make_resident()
    tenth = settings.with_overrides(points_per_gram_den=10)
    activity = _record(engine, tenth, resident, "transit", {"mode": "bus", "km": "8"}, "t", channel="import")
    assert (activity.grams, activity.points) == (215, 21)


def test_bulk_path_gives_the_same_credits_as_one_at_a_time(engine, settings, make_resident):
    one, bulk = make_resident(), make_resident()
    rows = [
        ("transit", {"mode": "bus", "km": "5"}),
        ("walking", {"steps": 12000}),
        ("walking", {"steps": 9000}),  # crosses the 296 g walking cap
        ("recycling", {"material": "newspaper", "kg": "3"}),
        ("transit", {"legs": [{"mode": "bus", "km": "2"}, {"mode": "metro", "km": "9"}]}),
    ]
    singles = [
        _record(engine, settings, one, b, i, f"k{n}", channel="import").points
        for n, (b, i) in enumerate(rows)
    ]
    items = [ActivityInput(bulk, b, i, "import", f"k{n}", NOON_SHANGHAI) for n, (b, i) in enumerate(rows)]
    with session_scope(engine) as session:
        outcome = record_activities(session=session, settings=settings, items=items, now=NOON_SHANGHAI)
    assert len(outcome.created) == 5 and outcome.errors == [] and outcome.duplicates == []
    with read_session(engine) as session:
        bulk_points = [session.get(Activity, i).points for i in outcome.created]
        assert ledger.discrepancies(session=session) == []
        assert credit_discrepancies(session=session) == []
        account = ledger.account_id_for(session=session, resident_id=bulk)
        [batch_entry] = ledger.entries(session=session, account_id=account)
        assert (batch_entry.ref_type, batch_entry.points) == ("activity_batch", sum(singles))
    assert bulk_points == singles
    assert _balance(engine, bulk) == _balance(engine, one) == sum(singles)


def test_bulk_reimport_credits_nothing_twice_and_reports_row_errors(engine, settings, make_resident):
    resident = make_resident()
    items = [
        ActivityInput(resident, "transit", {"mode": "bus", "km": "4"}, "import", "trip-A", NOON_SHANGHAI),
        ActivityInput(resident, "transit", {"mode": "bus", "km": "900"}, "import", "trip-B", NOON_SHANGHAI),
        ActivityInput(resident, "transit", {"mode": "bus", "km": "6"}, "import", "trip-A", NOON_SHANGHAI),
    ]
    with session_scope(engine) as session:
        first = record_activities(session=session, settings=settings, items=items, now=NOON_SHANGHAI)
    assert len(first.created) == 1 and first.duplicates == [2]
    assert [(i, e.code) for i, e in first.errors] == [(1, "implausible")]
    with session_scope(engine) as session:
        again = record_activities(session=session, settings=settings, items=items, now=NOON_SHANGHAI)
    assert again.created == [] and again.duplicates == [0, 2]
    assert _balance(engine, resident) == 108  # 4 x 26.9 = 107.6


def test_concurrent_logging_never_exceeds_the_daily_cap(engine, settings, make_resident):
    resident = make_resident()
    barrier = threading.Barrier(8)

    def walk(n: int) -> None:
        barrier.wait()
        _record(engine, settings, resident, "walking", {"steps": 5000}, f"walk-{n}")  # 100 g each

    threads = [threading.Thread(target=walk, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert _count(engine, Activity) == 8
    assert _balance(engine, resident) == 296


@pytest.mark.parametrize(
    ("when", "code"),
    [
        (NOON_SHANGHAI + timedelta(hours=1), "occurred_in_future"),
        (NOON_SHANGHAI - timedelta(days=3), "claim_window_closed"),  # today and the two days before only
    ],
)
def test_activities_cannot_be_dated_in_the_future_or_beyond_the_claim_window(
    engine, settings, make_resident, when, code
):
    resident = make_resident()
    with pytest.raises(InvalidActivity) as caught, session_scope(engine) as session:
        item = ActivityInput(resident, "walking", {"steps": 1000}, "api", "dated", when)
        record_activity(session=session, settings=settings, item=item, now=NOON_SHANGHAI)
    assert caught.value.code == code
    assert _count(engine, Activity) == 0


def test_a_planting_may_be_logged_within_a_week(engine, settings, make_resident):
    resident = make_resident()
    week_ago, eight_days_ago = NOON_SHANGHAI - timedelta(days=7), NOON_SHANGHAI - timedelta(days=8)
    with session_scope(engine) as session:
        item = ActivityInput(resident, "tree_planting", {"trees": 2}, "web", "t", week_ago)
        activity = record_activity(session=session, settings=settings, item=item, now=NOON_SHANGHAI)
    # declared (no photo): a tenth of it
    assert (activity.grams, activity.evidence, activity.points) == (7400, "declared", 740)
    with pytest.raises(InvalidActivity) as caught, session_scope(engine) as session:
        item = ActivityInput(resident, "tree_planting", {"trees": 2}, "web", "u", eight_days_ago)
        record_activity(session=session, settings=settings, item=item, now=NOON_SHANGHAI)
    assert caught.value.code == "claim_window_closed"
