"""Consent under PIPL: registration accepts the notice (and refuses anyone under 14, creating nothing), each
switch is off until turned on and every change is recorded, and switching transit trips off stops scans and
operator imports for that resident at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, residents, transit
from carbon_credit.activities import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.residents import ConsentRecord, Resident
from carbon_credit.residents import notices as notice_data
from carbon_credit.stops import Route, RouteStop, Stop, sign_stop
from carbon_credit.transit import TapIn, TransitRejection

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)  # 09:00 in Beijing
CARD = "31040000000001"
PASSWORD = "correct-horse-9"


def sign_up(engine, settings, login: str, *, year: int = 1990, notice: str | None = "current", trips=False):
    version = residents.current_notice().version if notice == "current" else notice
    with session_scope(engine) as session:
        found = residents.register(
            session=session,
            settings=settings,
            login=login,
            password=PASSWORD,
            display_name="小王",
            district_code="xiaonan",
            birth_year=year,
            accepted_notice=version,
            trips=trips,
        )
        return found.id if found is not None else None


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_registration_records_the_notice_accepted_and_leaves_trips_off(engine, settings):
    before = clock.now()
    resident = sign_up(engine, settings, "13800138000")
    with read_session(engine) as session:
        consents = residents.consents_of(session=session, resident_id=resident)
        assert not residents.needs_notice(session=session, resident_id=resident)
    (record,) = consents.history
    assert (record.purpose, record.granted, record.channel) == ("notice", True, "web")
    assert record.notice_version == residents.current_notice().version == consents.notice_version
    assert record.created_at >= before - timedelta(seconds=1)
    assert consents.state == dict.fromkeys(residents.SWITCHES, False)  # every switch off until turned on


def test_registration_can_turn_trips_on_and_asks_for_the_notice(engine, settings):
    resident = sign_up(engine, settings, "13800138001", trips=True)
    with read_session(engine) as session:
        assert residents.has_consent(session=session, resident_id=resident, purpose="trips")
    for shown in (None, "an-old-version"):
        with pytest.raises(DomainError) as refused:
            sign_up(engine, settings, "13800138002", notice=shown)
        assert refused.value.code == "notice_not_accepted"
    assert count(engine, Resident) == 1


@pytest.mark.parametrize("years_ago", [0, 10, 13, 14])
def test_anyone_who_may_be_under_14_is_refused_politely_and_nothing_is_created(engine, settings, years_ago):
    year = clock.local_day(clock.now()).year - years_ago
    with pytest.raises(DomainError) as refused:
        sign_up(engine, settings, "13800138003", year=year)
    assert refused.value.code == "under_14_needs_guardian"
    assert "未满 14 周岁需要监护人同意" in translate(refused.value.code, "zh_Hans", **refused.value.params)
    assert "under 14 needs a guardian's consent" in translate(
        refused.value.code, "en", **refused.value.params
    )
    assert (count(engine, Resident), count(engine, ConsentRecord), count(engine, ledger.Account)) == (0, 0, 0)


def test_a_year_of_birth_that_cannot_be_is_refused(engine, settings):
    for year in (None, 1066, clock.local_day(clock.now()).year + 1):
        with pytest.raises(DomainError) as refused:
            sign_up(engine, settings, "13800138004", year=year)
        assert refused.value.code == "invalid_birth_year"
    assert sign_up(engine, settings, "13800138004", year=clock.local_day(clock.now()).year - 15) is not None


def test_every_switch_change_is_recorded_and_the_state_is_the_latest(engine, make_resident):
    resident = make_resident(consents=False)
    changes = [("trips", True), ("trips", True), ("leaderboard", True), ("trips", False), ("photos", False)]
    with session_scope(engine) as session:
        made = [
            residents.set_consent(
                session=session, resident_id=resident, purpose=purpose, granted=granted, channel="web"
            )
            for purpose, granted in changes
        ]
    assert [m is not None for m in made] == [True, False, True, True, False]  # no change, no record
    with read_session(engine) as session:
        consents = residents.consents_of(session=session, resident_id=resident)
        person = session.get(Resident, resident)
    assert [(r.purpose, r.granted) for r in consents.history] == [
        ("trips", False),
        ("leaderboard", True),
        ("trips", True),
    ]
    assert consents.state["trips"] is False and consents.state["leaderboard"] is True
    assert person.leaderboard_opt_in is True  # the column the leaderboards read


def test_the_notice_cannot_be_withdrawn_and_unknown_purposes_are_refused(engine, make_resident):
    resident = make_resident()
    for purpose, granted, channel in [
        ("notice", False, "web"),
        ("location", True, "web"),
        ("trips", True, "fax"),
    ]:
        with session_scope(engine) as session, pytest.raises(DomainError):
            residents.set_consent(
                session=session, resident_id=resident, purpose=purpose, granted=granted, channel=channel
            )


def test_a_new_notice_version_is_asked_for_once(engine, make_resident, tmp_path, monkeypatch):
    resident = make_resident()
    today = clock.local_day(clock.now())
    for version, effective in (("v1", today - timedelta(days=30)), ("v2", today)):
        (tmp_path / f"{version}.toml").write_text(
            f'version = "{version}"\neffective = {effective.isoformat()}\n'
            '[zh]\ntitle = "告知"\nsections = [["收集", "手机号"]]\n'
            '[en]\ntitle = "Notice"\nsections = [["We collect", "Your number"]]\n',
            encoding="utf-8",
        )
    monkeypatch.setattr(notice_data, "NOTICE_DIR", tmp_path)
    assert residents.current_notice().version == "v2"
    with session_scope(engine) as session:
        assert residents.needs_notice(session=session, resident_id=resident)
        residents.set_consent(
            session=session, resident_id=resident, purpose="notice", granted=True, channel="chat"
        )
        again = residents.set_consent(
            session=session, resident_id=resident, purpose="notice", granted=True, channel="web"
        )
        assert again is None
        assert not residents.needs_notice(session=session, resident_id=resident)
        assert residents.accepted_notice(session=session, resident_id=resident) == "v2"


# --- enforcement: transit trips ---------------------------------------------------------------------------


@pytest.fixture
def stops(engine):
    """Bus route R1: A -(3 km)- B; returns code -> id."""
    with session_scope(engine) as session:
        made = {}
        for code, lat, lon in [("A", 30.9262, 113.9021), ("B", 30.9390, 113.9230)]:
            stop = Stop(code=code, name_zh=f"{code}站", name_en=code, latitude=lat, longitude=lon, mode="bus")
            session.add(stop)
            session.flush()
            made[code] = stop.id
        route = Route(code="R1", name_zh="R1", name_en="R1", mode="bus")
        session.add(route)
        session.flush()
        for position, (code, metres) in enumerate([("A", 0), ("B", 3000)], 1):
            session.add(
                RouteStop(route_id=route.id, stop_id=made[code], position=position, metres_from_start=metres)
            )
    return made


def scan(engine, settings, stops, resident: int, code: str, key: str, at: datetime):
    with session_scope(engine) as session:
        token = sign_stop(stops[code], 1, settings.qr_signing_key)
        return transit.scan(
            session=session, settings=settings, resident_id=resident, token=token, idempotency_key=key, now=at
        )


def set_trips(engine, resident: int, granted: bool) -> None:
    with session_scope(engine) as session:
        residents.set_consent(
            session=session, resident_id=resident, purpose="trips", granted=granted, channel="web"
        )


def test_a_scan_without_trips_consent_is_refused_and_records_only_the_refusal(
    engine, settings, stops, make_resident
):
    resident = make_resident(consents=False)
    refused = scan(engine, settings, stops, resident, "A", "k1", T0)
    assert (refused.kind, refused.reason) == ("rejected", "transit_consent_required")
    assert "/account/privacy" in translate(refused.reason, "zh_Hans") and "/account/privacy" in translate(
        refused.reason, "en"
    )
    with read_session(engine) as session:
        (rejection,) = session.execute(select(TransitRejection)).scalars()
        assert (rejection.resident_id, rejection.stop_id, rejection.evidence) == (resident, None, {})
        assert session.execute(select(func.count()).select_from(TapIn)).scalar_one() == 0
    set_trips(engine, resident, True)  # the same scan (same key) goes through once consent is given
    assert scan(engine, settings, stops, resident, "A", "k1", T0 + timedelta(minutes=1)).kind == "tapped_in"
    credited = scan(engine, settings, stops, resident, "B", "k2", T0 + timedelta(minutes=15))
    assert credited.kind == "trip_credited" and credited.points > 0


def test_turning_trips_off_stops_the_tap_out_at_once(engine, settings, stops, make_resident):
    resident = make_resident()
    assert scan(engine, settings, stops, resident, "A", "in", T0).kind == "tapped_in"
    set_trips(engine, resident, False)
    out = scan(engine, settings, stops, resident, "B", "out", T0 + timedelta(minutes=15))
    assert (out.kind, out.reason, out.points) == ("rejected", "transit_consent_required", 0)
    assert count(engine, Activity) == 0


def _trip(card: str, start: datetime) -> str:
    def local(moment: datetime) -> str:
        return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M:%S")

    return f"{card},A,B,{local(start)},{local(start + timedelta(minutes=15))}"


def test_operator_trips_of_a_resident_without_trips_consent_are_skipped(
    engine, settings, stops, make_resident, tmp_path
):
    resident, admin = make_resident(), make_resident(role="admin")
    with session_scope(engine) as session:
        transit.link_card(session=session, resident_id=resident, card=CARD)
    set_trips(engine, resident, False)
    header = "card_number,boarding_stop,alighting_stop,boarding_time,alighting_time"
    config = settings.with_overrides(upload_folder=str(tmp_path / "uploads"))

    def run(start: datetime, key: str):
        data = "\n".join([header, _trip(CARD, start)]).encode() + b"\n"
        with session_scope(engine) as session:
            batch, _ = transit.create_batch(
                session=session,
                settings=config,
                actor_id=admin,
                filename="t.csv",
                data=data,
                idempotency_key=key,
            )
        return transit.process_batch(
            engine=engine, settings=config, batch_id=batch.id, now=T0 + timedelta(days=1)
        )

    skipped = run(T0, "first")
    assert (skipped.credited, skipped.skipped) == (0, 1)
    assert [e["reason"] for e in skipped.errors] == ["import_no_trips_consent"]
    assert count(engine, Activity) == 0
    set_trips(engine, resident, True)
    credited = run(T0 + timedelta(hours=3), "second")
    assert (credited.credited, credited.skipped) == (1, 0)
