"""Administering stops and routes: validation, deactivation and token rotation as residents feel them, the
audit trail, and double-tapped forms doing their action once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carbon_credit import stops, transit
from carbon_credit.platform import audit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.models import AuditEntry
from carbon_credit.stops import InvalidInput, Route, RouteInput, RouteStop, Stop, StopInput, sign_stop
from carbon_credit.transit import TransitRejection


def stop_input(code="T-01", **changes) -> StopInput:
    values = {
        "code": code,
        "name_zh": "槐荫公园",
        "name_en": "Huaiyin Park",
        "district_code": "xiaonan",
        "latitude": "30.9321",
        "longitude": "113.9165",
        "mode": "bus",
    }
    return StopInput(**{**values, **changes})


@pytest.fixture
def admin(make_resident) -> int:
    return make_resident(role="admin")


@pytest.fixture
def create(engine, admin):
    """``create(code, **changes)`` -> the stop, through the service."""
    counter = iter(range(10**6))

    def make(code="T-01", **changes) -> Stop:
        with session_scope(engine) as db:
            return stops.create_stop(
                session=db,
                actor_id=admin,
                values=stop_input(code, **changes),
                idempotency_key=f"c{next(counter)}",
            )

    return make


def problems_of(engine, admin, values: StopInput) -> dict[str, str]:
    with pytest.raises(InvalidInput) as raised, session_scope(engine) as db:
        stops.create_stop(session=db, actor_id=admin, values=values, idempotency_key="bad")
    return {p.field: stops.problem_text(p, "zh_Hans") for p in raised.value.problems}


def audit_actions(engine) -> list[str]:
    with read_session(engine) as db:
        return [e.action for e in audit.entries(session=db).items][::-1]


def test_a_valid_stop_is_created_active_with_its_district_and_an_audit_entry(engine, admin, create):
    stop = create()
    assert (stop.code, stop.is_active, stop.token_version, stop.mode) == ("T-01", True, 1, "bus")
    assert stop.district_id is not None
    with read_session(engine) as db:
        entry = db.execute(select(AuditEntry)).scalar_one()
    assert (entry.action, entry.actor_id, entry.target_id) == ("stop.create", admin, stop.id)
    assert entry.after["name_zh"] == "槐荫公园"


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"name_zh": "  "}, "name_zh", "名称不能为空"),
        ({"name_en": ""}, "name_en", "名称不能为空"),
        ({"name_en": "x" * 65}, "name_en", "最多 64 个字符"),
        ({"code": "bad code!"}, "code", "编码须为"),
        ({"latitude": "north"}, "latitude", "纬度须为 -90 到 90"),
        ({"latitude": "91"}, "latitude", "纬度须为 -90 到 90"),
        ({"longitude": "nan"}, "longitude", "经度须为 -180 到 180"),
        ({"latitude": "39.9042", "longitude": "116.4074"}, "latitude", "不在孝感市范围内"),  # Beijing
        ({"latitude": "113.9165", "longitude": "30.9321"}, "latitude", "纬度须为"),  # swapped
        ({"mode": "tram"}, "mode", "bus（公交）或 metro（地铁）"),
        ({"district_code": "wuhan"}, "district_code", "没有编码为 wuhan 的区县"),
    ],
)
def test_invalid_fields_are_refused_with_a_chinese_reason_and_nothing_is_created(
    engine, admin, changes, field, expected
):
    found = problems_of(engine, admin, stop_input(**changes))
    assert expected in found[field]
    with read_session(engine) as db:
        assert db.execute(select(func.count()).select_from(Stop)).scalar_one() == 0
        assert db.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0


def test_stop_codes_are_unique(engine, admin, create):
    create("T-01")
    assert "T-01 已被使用" in problems_of(engine, admin, stop_input("T-01"))["code"]


def test_a_double_tapped_create_makes_one_stop(engine, admin):
    for _ in range(2):
        with session_scope(engine) as db:
            stops.create_stop(session=db, actor_id=admin, values=stop_input(), idempotency_key="same")
    with read_session(engine) as db:
        assert db.execute(select(func.count()).select_from(Stop)).scalar_one() == 1
    with pytest.raises(IdempotencyConflict), session_scope(engine) as db:  # same key, other values
        stops.create_stop(session=db, actor_id=admin, values=stop_input("T-02"), idempotency_key="same")


def test_editing_keeps_the_code_and_records_before_and_after(engine, admin, create):
    stop = create()
    values = stop_input("CHANGED", name_en="Huaiyin Park North", latitude="30.95")
    with session_scope(engine) as db:
        stops.update_stop(session=db, actor_id=admin, stop_id=stop.id, values=values, idempotency_key="u")
    with read_session(engine) as db:
        saved = db.get(Stop, stop.id)
        entry = db.execute(select(AuditEntry).where(AuditEntry.action == "stop.update")).scalar_one()
    assert (saved.code, saved.name_en, saved.latitude) == ("T-01", "Huaiyin Park North", 30.95)
    assert entry.before["name_en"] == "Huaiyin Park" and entry.after["name_en"] == "Huaiyin Park North"


def test_a_deactivated_stop_refuses_check_ins_until_reactivated(
    engine, settings, admin, create, make_resident
):
    stop = create()
    resident = make_resident()
    token = sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    with session_scope(engine) as db:
        stops.set_stop_active(session=db, actor_id=admin, stop_id=stop.id, active=False, idempotency_key="d")
    with pytest.raises(DomainError) as refused, session_scope(engine) as db:
        transit.scan(session=db, settings=settings, resident_id=resident, token=token, idempotency_key="s1")
    assert refused.value.params["reason"] == "transit_stop_inactive"
    with session_scope(engine) as db:
        stops.set_stop_active(session=db, actor_id=admin, stop_id=stop.id, active=True, idempotency_key="a")
        result = transit.scan(
            session=db, settings=settings, resident_id=resident, token=token, idempotency_key="s2"
        )
    assert result.kind == "tapped_in"
    assert audit_actions(engine) == ["stop.create", "stop.deactivate", "stop.activate"]


def test_rotating_voids_old_posters_and_the_new_one_works(engine, settings, admin, create, make_resident):
    stop = create()
    resident = make_resident()
    with read_session(engine) as db:
        old_url = stops.stop_poster(session=db, settings=settings, stop_id=stop.id).url
    old_token = old_url.rsplit("/", 1)[1]
    with session_scope(engine) as db:
        rotated = stops.rotate_stop_token(session=db, actor_id=admin, stop_id=stop.id, idempotency_key="r")
    assert rotated.token_version == 2
    with pytest.raises(DomainError) as refused, session_scope(engine) as db:
        transit.scan(
            session=db, settings=settings, resident_id=resident, token=old_token, idempotency_key="o"
        )
    assert refused.value.params["reason"] == "transit_token_rotated"
    new_token = stops.checkin_url(rotated, settings).rsplit("/", 1)[1]
    assert new_token != old_token
    with session_scope(engine) as db:
        result = transit.scan(
            session=db, settings=settings, resident_id=resident, token=new_token, idempotency_key="n"
        )
    assert result.kind == "tapped_in"
    with session_scope(engine) as db:  # a double-tapped confirm rotates once
        again = stops.rotate_stop_token(session=db, actor_id=admin, stop_id=stop.id, idempotency_key="r")
    assert again.token_version == 2
    with read_session(engine) as db:
        entry = db.execute(select(AuditEntry).where(AuditEntry.action == "stop.rotate_token")).scalar_one()
        assert db.execute(select(func.count()).select_from(TransitRejection)).scalar_one() == 0  # rolled back
    assert (entry.before, entry.after) == ({"token_version": 1}, {"token_version": 2})


def test_list_filters_by_search_route_district_and_active(engine, admin, create):
    a = create("A-01", name_zh="北京路", name_en="Beijing Road")
    create("B-01", name_zh="长征路", name_en="Changzheng Road", district_code="")
    route_with(engine, admin, "R1", [("A-01", 0), ("B-01", 900)])
    with session_scope(engine) as db:
        stops.set_stop_active(session=db, actor_id=admin, stop_id=a.id, active=False, idempotency_key="x")
    with read_session(engine) as db:
        route_id = db.execute(select(Route.id)).scalar_one()
        district_id = db.get(Stop, a.id).district_id

        def codes(**filters):
            return [row.stop.code for row in stops.list_stops(session=db, **filters)]

        assert codes(search="beijing") == ["A-01"]
        assert codes(search="长征") == ["B-01"]
        assert codes(route_id=route_id) == ["A-01", "B-01"]
        assert codes(district_id=district_id) == ["A-01"]
        assert codes(active=True) == ["B-01"]
        assert stops.list_stops(session=db, search="A-01")[0].routes == ["R1"]


def route_with(engine, admin, code, places, route_id=None, key=None, **changes) -> Route:
    lines = "\n".join(f"{c}, {m}" for c, m in places)
    values = {
        "code": code,
        "name_zh": "孝感1路",
        "name_en": "Bus 1",
        "mode": "bus",
        "is_active": True,
        "stops": lines,
    }
    with session_scope(engine) as db:
        return stops.save_route(
            session=db,
            actor_id=admin,
            route_id=route_id,
            values=RouteInput(**{**values, **changes}),
            idempotency_key=key or f"route-{code}-{len(places)}-{route_id}",
        )


def test_a_route_keeps_its_stops_in_order_with_distances(engine, admin, create):
    for code in ("S1", "S2", "S3"):
        create(code)
    route = route_with(engine, admin, "R1", [("S1", 0), ("S2", 850), ("S3", 2100)])
    with read_session(engine) as db:
        assert stops.route_lines(session=db, route_id=route.id) == "S1, 0\nS2, 850\nS3, 2100"
    route_with(engine, admin, "R1", [("S3", 0), ("S1", 700)], route_id=route.id, name_en="Bus 1 (short)")
    with read_session(engine) as db:
        places = db.execute(select(RouteStop).order_by(RouteStop.position)).scalars().all()
        entry = db.execute(select(AuditEntry).where(AuditEntry.action == "route.update")).scalar_one()
        rows = stops.list_routes(session=db)
    assert [(p.position, p.metres_from_start) for p in places] == [(1, 0), (2, 700)]
    assert entry.before["stops"] == [["S1", 0], ["S2", 850], ["S3", 2100]]
    assert entry.after["stops"] == [["S3", 0], ["S1", 700]] and entry.after["name_en"] == "Bus 1 (short)"
    assert (rows[0].stop_count, rows[0].length_m) == (2, 700)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [("S1", 0), ("S2", 900), ("S3", 900)],
            "第 3 行：距起点距离须沿站序递增：900 米不大于上一站的 900 米",
        ),
        ([("S1", 0), ("S2", 900), ("S1", 1500)], "第 3 行：站点 S1 在这条线路上出现了两次"),
        ([("S1", 0), ("NOPE", 900)], "第 2 行：没有编码为 NOPE 的站点"),
        ([("S1", 0), ("S2", "-5")], "第 2 行：距起点距离须为不小于 0 的整数"),
        ([("S1", 0), ("M1", 900)], "第 2 行：站点 M1 的方式是 metro，与线路的方式 bus 不同"),
        ([("S1", 0)], "一条线路至少需要 2 个站点"),
    ],
)
def test_invalid_route_stops_are_refused_line_by_line(engine, admin, create, lines, expected):
    for code in ("S1", "S2", "S3"):
        create(code)
    create("M1", mode="metro")
    with pytest.raises(InvalidInput) as raised:
        route_with(engine, admin, "R1", lines)
    texts = [stops.problem_text(p, "zh_Hans") for p in raised.value.problems]
    assert any(expected in text for text in texts), texts
    with read_session(engine) as db:
        assert db.execute(select(func.count()).select_from(Route)).scalar_one() == 0


def test_route_codes_are_unique_and_messages_exist_in_english(engine, admin, create):
    create("S1")
    create("S2")
    route_with(engine, admin, "R1", [("S1", 0), ("S2", 500)])
    with pytest.raises(InvalidInput) as raised:
        route_with(engine, admin, "R1", [("S1", 0), ("S2", 500)], key="other")
    assert [stops.problem_text(p, "en") for p in raised.value.problems] == [
        "The route code R1 is already used."
    ]
    assert translate("stop_outside_region", "en", lat_min=1, lat_max=2, lon_min=3, lon_max=4).startswith(
        "These coordinates are outside Xiaogan"
    )
