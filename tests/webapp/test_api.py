"""The JSON API /api/v1 as a client program uses it: bearer tokens, validation, idempotency, errors in the
token owner's language, and an OpenAPI document that lists every route with the statuses it returns.

Every request goes through ``Api.call``, which also checks that the status the route returned is documented
for that route in /api/v1/openapi.json.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger
from carbon_credit.ledger.models import LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.rewards.models import Reward, Voucher
from carbon_credit.stops import tokens as qr
from carbon_credit.stops.models import Stop
from carbon_credit.transit.models import TapIn

SHANGHAI = ZoneInfo("Asia/Shanghai")

RECYCLING = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "2"}}
RULE_VARIABLE = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


class Api:
    """A client program with a bearer token."""

    def __init__(self, app, client, token: str | None):
        self.app, self.client, self.token = app, client, token
        self._doc = None

    @property
    def doc(self) -> dict:
        if self._doc is None:
            self._doc = self.client.get("/api/v1/openapi.json").get_json()
        return self._doc

    def call(
        self, method: str, path: str, *, body=None, key: str | None = None, token: str | None = "", **kw
    ):
        headers = dict(kw.pop("headers", {}))
        token = self.token if token == "" else token
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if key is not None:
            headers["Idempotency-Key"] = key
        if body is not None:
            kw["json"] = body
        response = self.client.open(path, method=method, headers=headers, **kw)
        self.assert_documented(method, path, response.status_code)
        return response

    def assert_documented(self, method: str, path: str, status: int) -> None:
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(path.split("?")[0], method=method)
        except Exception:  # noqa: BLE001 - no such route: nothing to check
            return
        rule = next(self.app.url_map.iter_rules(endpoint)).rule
        template = RULE_VARIABLE.sub(r"{\1}", rule)
        documented = self.doc["paths"][template][method.lower()]["responses"]
        assert str(status) in documented, (
            f"{method} {template} returned {status}, documented {sorted(documented)}"
        )


def new_token(engine, resident_id: int) -> str:
    with session_scope(engine) as session:
        return api_tokens.create_token(session=session, resident_id=resident_id, name="test")[1]


@pytest.fixture
def api_for(app, engine, make_resident):
    """``api_for(**resident_overrides)`` -> an Api for a new resident with a fresh token."""

    def make(**overrides) -> Api:
        resident = make_resident(**overrides)
        api = Api(app, app.test_client(), new_token(engine, resident))
        api.resident_id = resident
        return api

    return make


@pytest.fixture
def api(api_for) -> Api:
    return api_for()


def error_of(response) -> dict:
    assert response.mimetype == "application/json"
    return response.get_json()["error"]


# ---- the document -----------------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_api_route_and_method(app, api):
    response = api.call("GET", "/api/v1/openapi.json", token=None)
    assert response.status_code == 200
    doc = json.loads(response.get_data(as_text=True))
    assert doc["openapi"].startswith("3.")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    routes = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert len(routes) >= 8
    for rule in routes:
        template = RULE_VARIABLE.sub(r"{\1}", rule.rule)
        assert template in doc["paths"], f"{rule.rule} is not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = doc["paths"][template].get(method.lower())
            assert operation, f"{method} {rule.rule} is not documented"
            assert operation["summary"] and operation["responses"]
            if template != "/api/v1/openapi.json":
                assert {"401", "429"} <= set(operation["responses"])
    assert doc["paths"]["/api/v1/openapi.json"]["get"]["security"] == []


def test_the_document_describes_bodies_headers_and_errors(api):
    post = api.doc["paths"]["/api/v1/activities"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = api.doc["components"]["schemas"][body]
    assert schema["additionalProperties"] is False and set(schema["required"]) == {"behaviour", "inputs"}
    assert any(
        p["name"] == "Idempotency-Key" and p["in"] == "header" and p["required"] for p in post["parameters"]
    )
    error = post["responses"]["400"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "error" in api.doc["components"]["schemas"][error]["properties"]


# ---- authentication ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer cc_nope"},
    ],
)
def test_requests_without_a_valid_token_are_401(api, headers):
    response = api.call("GET", "/api/v1/me", token=None, headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    error = error_of(response)
    assert error["code"] == "invalid_token" and "Bearer" in error["message"]


def test_a_401_speaks_the_clients_language(api):
    response = api.call("GET", "/api/v1/me", token="cc_nope", headers={"Accept-Language": "en-GB"})
    assert error_of(response)["message"].startswith("The API token is missing")


def test_a_revoked_token_is_401_and_cookies_are_not_needed(api, engine):
    assert api.call("GET", "/api/v1/me").status_code == 200
    assert api.client.get_cookie("session") is None
    with session_scope(engine) as session:
        token = api_tokens.tokens_of(session=session, resident_id=api.resident_id)[0]
        api_tokens.revoke_token(session=session, resident_id=api.resident_id, token_id=token.id)
    assert api.call("GET", "/api/v1/me").status_code == 401


def test_a_signed_in_browser_session_is_not_enough(client, register):
    register()
    assert client.get("/api/v1/me").status_code == 401


# ---- me and activities ------------------------------------------------------------------------------------


def test_me_shows_the_owner_and_their_balance(api_for):
    api = api_for(display_name="小王", locale="en")
    me = api.call("GET", "/api/v1/me").get_json()
    assert me["id"] == api.resident_id and me["display_name"] == "小王" and me["locale"] == "en"
    assert me["balance"] == 0 and me["activities"] == 0
    created = api.call("POST", "/api/v1/activities", body=RECYCLING, key="first").get_json()
    me = api.call("GET", "/api/v1/me").get_json()
    assert (
        me["balance"] == created["points"] > 0 and me["grams"] == created["grams"] and me["activities"] == 1
    )


def test_record_an_activity_with_its_methodology(api):
    yesterday = (clock.now().astimezone(SHANGHAI) - timedelta(days=1)).date().isoformat()
    body = {**RECYCLING, "occurred_at": f"{yesterday}T09:30:00+08:00"}
    response = api.call("POST", "/api/v1/activities", body=body, key="a-1")
    assert response.status_code == 201, response.get_data(as_text=True)
    activity = response.get_json()
    assert activity["behaviour"] == "recycling" and activity["channel"] == "api"
    assert activity["status"] == "credited"
    assert activity["methodology_id"] and activity["methodology_version"]
    assert {f["key"] for f in activity["factors"]} and activity["formula"]
    assert activity["grams"] == 2293 and activity["points_quantified"] == 2293  # 2 kg PET, 1 point = 1 g
    declared = (activity["evidence"], activity["points"], activity["note"])
    assert declared == ("declared", 1146, "declared_share:50")  # the resident's word alone: half
    assert activity["local_day"] == yesterday and activity["occurred_at"].startswith(f"{yesterday}T01:30:00")
    listed = api.call("GET", "/api/v1/activities").get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == activity["id"]


def test_the_same_idempotency_key_twice_gives_one_activity_and_one_credit(api, engine):
    first = api.call("POST", "/api/v1/activities", body=RECYCLING, key="same-key")
    second = api.call("POST", "/api/v1/activities", body=RECYCLING, key="same-key")
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=api.resident_id)
        entries = session.execute(select(func.count()).where(LedgerEntry.account_id == account)).scalar_one()
        assert entries == 1
        assert ledger.balance(session=session, account_id=account) == first.get_json()["points"]
    other = api.call("POST", "/api/v1/activities", body=RECYCLING, key="another-key").get_json()
    assert other["id"] != first.get_json()["id"]


def test_a_key_reused_for_another_behaviour_is_a_conflict(api):
    api.call("POST", "/api/v1/activities", body=RECYCLING, key="k")
    walking = {"behaviour": "walking", "inputs": {"steps": 6000}}
    response = api.call("POST", "/api/v1/activities", body=walking, key="k")
    assert response.status_code == 409 and error_of(response)["code"] == "idempotency_conflict"


@pytest.mark.parametrize("key", [None, "", "has space", "semi;colon", "汉字", "x" * 121])
def test_posts_need_a_well_formed_idempotency_key(api, key):
    response = api.call("POST", "/api/v1/activities", body=RECYCLING, key=key)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_request"
    assert [f["field"] for f in error["fields"]] == ["Idempotency-Key"]
    assert "Idempotency-Key" in error["message"]
    assert api.call("GET", "/api/v1/activities").get_json()["total"] == 0


BAD_BODIES = [
    ({"behaviour": "recycling", "inputs": {"material": "pet", "kg": [1]}}, "inputs.kg", "field_wrong_type"),
    ({"behaviour": 5, "inputs": {"material": "pet", "kg": "2"}}, "behaviour", "field_wrong_type"),
    ({"behaviour": "recycling", "inputs": {"material": "pet", "kg": True}}, "inputs.kg", "field_wrong_type"),
    (
        {"behaviour": "recycling", "inputs": {"material": {"x": 1}, "kg": 2}},
        "inputs.material",
        "field_wrong_type",
    ),
    ({"behaviour": "recycling", "inputs": "pet 2kg"}, "inputs", "field_wrong_type"),
    ({**RECYCLING, "points": 1000000}, "points", "field_unexpected"),
    ({**RECYCLING, "channel": "import"}, "channel", "field_unexpected"),
    ({"inputs": {"material": "pet", "kg": "2"}}, "behaviour", "field_missing"),
    ({"behaviour": "recycling"}, "inputs", "field_missing"),
    ({}, "behaviour", "field_missing"),
    ({**RECYCLING, "occurred_at": "2026-03-01T09:30:00"}, "occurred_at", "field_wrong_type"),
    ({**RECYCLING, "occurred_at": 1767225600}, "occurred_at", "field_wrong_type"),
    ({**RECYCLING, "occurred_at": "yesterday"}, "occurred_at", "field_wrong_type"),
    ({"behaviour": "x" * 33, "inputs": {}}, "behaviour", "field_too_long"),
    (
        {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "9" * 65}},
        "inputs.kg",
        "field_wrong_type",
    ),
    (
        {"behaviour": "transit", "inputs": {"legs": [{"mode": "bus", "km": 3, "speed": 1}]}},
        "inputs.legs",
        None,
    ),
    ([RECYCLING], "body", "field_wrong_type"),
]


@pytest.mark.parametrize(("body", "field", "code"), BAD_BODIES)
def test_bad_bodies_are_400_naming_the_field(api, body, field, code):
    response = api.call("POST", "/api/v1/activities", body=body, key="bad")
    assert response.status_code == 400, response.get_data(as_text=True)
    error = error_of(response)
    assert error["code"] == "invalid_request"
    by_field = {f["field"]: f for f in error["fields"]}
    assert field in by_field and field in error["message"]
    assert code is None or by_field[field]["code"] == code
    assert "请求有误" in error["message"]  # the owner's language: Chinese by default
    assert api.call("GET", "/api/v1/activities").get_json()["total"] == 0


def test_validation_messages_follow_the_owners_language(api_for):
    api = api_for(locale="en")
    error = error_of(api.call("POST", "/api/v1/activities", body={"behaviour": 5, "inputs": {}}, key="k"))
    assert error["message"] == "Invalid request: behaviour must be text."


def test_an_implausible_amount_is_refused_by_the_methodology(api_for):
    zh, en = api_for(), api_for(locale="en")
    body = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "1e9"}}
    response = zh.call("POST", "/api/v1/activities", body=body, key="huge")
    assert response.status_code == 400
    assert error_of(response)["code"] == "implausible" and "超出合理上限" in error_of(response)["message"]
    english = error_of(en.call("POST", "/api/v1/activities", body=body, key="huge"))
    assert "beyond the plausible limit" in english["message"] and "kg" in english["message"]
    assert zh.call("GET", "/api/v1/me").get_json()["balance"] == 0


def test_a_hostile_string_comes_back_as_inert_json(api):
    hostile = '<script>alert("x")</script>'
    body = {"behaviour": "recycling", "inputs": {"material": hostile, "kg": "2"}}
    response = api.call("POST", "/api/v1/activities", body=body, key="hostile")
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    error = error_of(response)
    assert (
        error["code"] == "unknown_material" and hostile in error["message"]
    )  # data, to be escaped by its viewer


def test_a_hostile_display_name_is_returned_as_data(api_for):
    api = api_for(display_name="<img src=x onerror=alert(1)>")
    response = api.call("GET", "/api/v1/me")
    assert response.get_json()["display_name"] == "<img src=x onerror=alert(1)>"
    assert response.mimetype == "application/json" and response.headers["X-Content-Type-Options"] == "nosniff"


def test_non_json_bodies_are_refused(api):
    raw = api.call(
        "POST", "/api/v1/activities", key="k", data="{oops", headers={"Content-Type": "application/json"}
    )
    assert raw.status_code == 400 and error_of(raw)["code"] == "invalid_json"
    form = api.call("POST", "/api/v1/activities", key="k", data={"behaviour": "recycling"})
    assert form.status_code == 415 and error_of(form)["code"] == "unsupported_media_type"


def test_a_huge_body_is_413(api, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = {"behaviour": "recycling", "inputs": {"material": "x" * (limit + 10)}}
    response = api.call("POST", "/api/v1/activities", body=body, key="big")
    assert response.status_code == 413 and error_of(response)["code"] == "http_413"


def test_listing_activities_filters_and_pages(api):
    for n in range(3):
        api.call("POST", "/api/v1/activities", body=RECYCLING, key=f"r{n}")
    api.call("POST", "/api/v1/activities", body={"behaviour": "walking", "inputs": {"steps": 6000}}, key="w")
    assert api.call("GET", "/api/v1/activities").get_json()["total"] == 4
    page = api.call("GET", "/api/v1/activities?behaviour=recycling&per_page=2&page=2").get_json()
    assert page["total"] == 3 and page["pages"] == 2 and page["page"] == 2 and len(page["items"]) == 1
    assert api.call("GET", "/api/v1/activities?status=credited").get_json()["total"] == 4
    assert api.call("GET", "/api/v1/activities?status=pending").get_json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("page=abc", "page"),
        ("page=0", "page"),
        ("status=bogus", "status"),
        ("sort=id", "sort"),
        ("per_page=1000", "per_page"),
    ],
)
def test_bad_list_queries_are_400(api, query, field):
    response = api.call("GET", f"/api/v1/activities?{query}")
    assert response.status_code == 400
    assert [f["field"] for f in error_of(response)["fields"]] == [field]


def test_one_residents_activities_are_not_anothers(api_for):
    alice, bob = api_for(), api_for()
    alice.call("POST", "/api/v1/activities", body=RECYCLING, key="same")
    bob.call("POST", "/api/v1/activities", body=RECYCLING, key="same")  # keys are per resident
    assert alice.call("GET", "/api/v1/activities").get_json()["total"] == 1
    assert bob.call("GET", "/api/v1/me").get_json()["balance"] > 0


def test_too_many_requests_are_429(api):
    for _ in range(120):
        api.call("GET", "/api/v1/me", token="cc_nope")
    response = api.call("GET", "/api/v1/me", token="cc_nope")
    assert response.status_code == 429 and error_of(response)["code"] == "http_429"
    assert api.call("GET", "/api/v1/me").status_code == 200  # counted per token


# ---- transit ----------------------------------------------------------------------------------------------


@pytest.fixture
def stop_tokens(engine, settings) -> list[str]:
    """Two active bus stops far apart; their QR tokens."""
    with session_scope(engine) as session:
        stops = [
            Stop(code="api-a", name_zh="槐荫大道站", name_en="Huaiyin Ave", latitude=30.92, longitude=113.91),
            Stop(code="api-b", name_zh="<b>站</b>", name_en="<b>Stop</b>", latitude=30.95, longitude=113.95),
        ]
        session.add_all(stops)
        session.flush()
        return [qr.sign_stop(s.id, s.token_version, settings.qr_signing_key) for s in stops]


def test_scan_taps_in_once_per_idempotency_key(api, engine, stop_tokens):
    first = api.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]}, key="scan-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    result = first.get_json()
    assert result["kind"] == "tapped_in" and result["tap_in_id"] and result["stop_name_en"] == "Huaiyin Ave"
    again = api.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]}, key="scan-1")
    assert again.status_code == 201 and again.get_json()["tap_in_id"] == result["tap_in_id"]
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(TapIn)).scalar_one() == 1


def test_scans_that_do_not_credit_are_200_with_a_reason(api_for, stop_tokens):
    canceller, traveller = api_for(), api_for(locale="en")
    canceller.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]}, key="in")
    same = canceller.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]}, key="again")
    assert same.status_code == 200
    assert same.get_json()["kind"] == "cancelled" and same.get_json()["reason"] and same.get_json()["message"]
    traveller.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]}, key="in")
    out = traveller.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[1]}, key="out")
    result = out.get_json()
    assert (out.status_code, result["kind"]) in ((201, "trip_credited"), (200, "rejected"))
    assert result["stop_name_en"] == "<b>Stop</b>"
    if result["kind"] == "rejected":  # seconds after tapping in: too fast to be a bus ride
        assert result["reason"] and result["message"] and result["points"] == 0


def test_a_bad_stop_token_is_400(api, stop_tokens):
    forged = stop_tokens[0][:-3] + "AAA"
    response = api.call("POST", "/api/v1/transit/scans", body={"stop_token": forged}, key="forged")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_stop_token"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "stop_token"),
        ({"stop_token": 5}, "stop_token"),
        ({"stop_token": "x", "lat": 1}, "lat"),
        ({"stop_token": ""}, "stop_token"),
    ],
)
def test_bad_scan_bodies_are_400(api, body, field):
    response = api.call("POST", "/api/v1/transit/scans", body=body, key="k")
    assert response.status_code == 400 and error_of(response)["fields"][0]["field"] == field


def test_a_scan_needs_an_idempotency_key(api, stop_tokens):
    response = api.call("POST", "/api/v1/transit/scans", body={"stop_token": stop_tokens[0]})
    assert response.status_code == 400 and error_of(response)["fields"][0]["field"] == "Idempotency-Key"


# ---- rewards ----------------------------------------------------------------------------------------------


@pytest.fixture
def make_reward(engine):
    def make(cost: int = 1000, stock: int = 5, **values) -> int:
        with session_scope(engine) as session:
            names = {"name_zh": "公交乘车券", "name_en": "Bus ride voucher"}
            row = Reward(**{**names, **values}, cost=cost, stock=stock)
            session.add(row)
            session.flush()
            return row.id

    return make


def test_rewards_are_listed(api, make_reward):
    cheap, dear = make_reward(cost=100), make_reward(cost=5000, name_zh="<i>券</i>")
    make_reward(is_active=False)
    items = api.call("GET", "/api/v1/rewards").get_json()["items"]
    assert [r["id"] for r in items] == [cheap, dear] and items[1]["name_zh"] == "<i>券</i>"


def test_redeem_gives_one_voucher_per_idempotency_key(api, engine, make_reward):
    reward = make_reward(cost=1000)
    balance = api.call("POST", "/api/v1/activities", body=RECYCLING, key="earn").get_json()["points"]
    first = api.call("POST", f"/api/v1/rewards/{reward}/redemptions", key="redeem-1")
    assert first.status_code == 201, first.get_data(as_text=True)
    voucher = first.get_json()
    assert voucher["reward_id"] == reward and voucher["status"] == "issued" and len(voucher["code"]) >= 12
    again = api.call("POST", f"/api/v1/rewards/{reward}/redemptions", key="redeem-1")
    assert again.status_code == 201 and again.get_json()["code"] == voucher["code"]
    assert api.call("GET", "/api/v1/me").get_json()["balance"] == balance - 1000
    listed = api.call("GET", "/api/v1/vouchers").get_json()["items"]
    assert [v["code"] for v in listed] == [voucher["code"]]
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(Voucher)).scalar_one() == 1


def test_redeem_refusals(api, make_reward):
    api.call("POST", "/api/v1/activities", body=RECYCLING, key="earn")  # 2293 points
    too_dear, last_one = make_reward(cost=10**6), make_reward(cost=100, stock=1)
    poor = api.call("POST", f"/api/v1/rewards/{too_dear}/redemptions", key="a")
    assert poor.status_code == 409 and error_of(poor)["code"] == "insufficient_points"
    assert "积分不足" in error_of(poor)["message"]
    assert api.call("POST", f"/api/v1/rewards/{last_one}/redemptions", key="b").status_code == 201
    sold_out = api.call("POST", f"/api/v1/rewards/{last_one}/redemptions", key="c")
    assert sold_out.status_code == 409 and error_of(sold_out)["code"] == "out_of_stock"
    missing = api.call("POST", "/api/v1/rewards/999999/redemptions", key="d")
    assert missing.status_code == 404 and error_of(missing)["code"] == "reward_not_found"
    no_key = api.call("POST", f"/api/v1/rewards/{last_one}/redemptions")
    assert no_key.status_code == 400 and error_of(no_key)["code"] == "invalid_request"
    assert api.call("GET", "/api/v1/vouchers").get_json()["items"][0]["reward_id"] == last_one


def test_vouchers_are_private(api_for, make_reward):
    alice, bob = api_for(), api_for()
    reward = make_reward(cost=100)
    alice.call("POST", "/api/v1/activities", body=RECYCLING, key="earn")
    alice.call("POST", f"/api/v1/rewards/{reward}/redemptions", key="r")
    assert len(alice.call("GET", "/api/v1/vouchers").get_json()["items"]) == 1
    assert bob.call("GET", "/api/v1/vouchers").get_json()["items"] == []
