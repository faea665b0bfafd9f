"""Fuzz the JSON API from its own OpenAPI document (schemathesis, in-process over WSGI, no server).

Every operation in /api/v1/openapi.json gets generated requests, valid and invalid, sent with a real
personal bearer token so they reach the handlers; seeded data (a stop with its QR token, a reward, points to
spend) lets some of them succeed. Each response must not be a 5xx, must have a documented status and
content type, and must match the documented schema; every schemathesis check on by default runs.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from carbon_credit.platform.database import session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.rewards.models import Reward
from carbon_credit.stops import tokens as qr
from carbon_credit.stops.models import Stop
from webapp import create_app
from webapp.extensions import limiter

RECYCLING = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "2"}}
EXAMPLES = 100  # per operation and backend: bounded so the file runs in well under a minute per backend


class Seed:
    """The fuzzing resident's token and the seeded rows the generated requests are steered towards."""

    def __init__(self, token: str, stop_token: str, reward_id: int):
        self.token, self.stop_token, self.reward_id = token, stop_token, reward_id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def seed(app, engine, settings, make_resident) -> Seed:
    """A resident with a token and points, an active stop with its QR token, and an affordable reward."""
    resident = make_resident(display_name="<b>模糊</b> \u202etset")
    with session_scope(engine) as session:
        token = api_tokens.create_token(session=session, resident_id=resident, name="fuzz")[1]
        stop = Stop(code="fz-a", name_zh="槐荫站", name_en="Huaiyin", latitude=30.92, longitude=113.91)
        reward = Reward(name_zh="公交乘车券", name_en="Bus ride voucher", cost=100, stock=1000)
        session.add_all([stop, reward])
        session.flush()
        stop_token = qr.sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
        reward_id = reward.id
    client = app.test_client()
    for n in range(3):
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"seed-{n}"}
        assert client.post("/api/v1/activities", json=RECYCLING, headers=headers).status_code == 201
    return Seed(token, stop_token, reward_id)


@pytest.fixture
def app(app):
    """The app with every request asking for an uncompressed body: schemathesis' WSGI transport asks for gzip
    but validates the body as sent (compression itself: tests/webapp/test_shell.py)."""
    inner = app.wsgi_app
    app.wsgi_app = lambda environ, start: inner({**environ, "HTTP_ACCEPT_ENCODING": "identity"}, start)
    return app


def _load_schema():
    """The API's own document, read over WSGI from an app on an unused in-memory database (the document
    does not depend on data). Loaded at import: schemathesis's fixture-based loader does not run on
    pytest 9.2, so each test sends its cases to the per-backend ``app`` fixture instead."""
    app = create_app(Settings(env="test", secret_key="fuzz", qr_signing_key="fuzz", database_url="sqlite://"))
    try:
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    finally:
        app.extensions["carbon"]["engine"].dispose()


schema = _load_schema()


def schema_valid_requests_pass_validation(ctx, response, case):
    """Positive data may be refused by a business rule (an occurred_at more than 7 days back, a forged stop
    token: 400 with that rule's code) but never as malformed: the document and the validator agree."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code not in (400, 415):
        return None
    code = (response.json() or {}).get("error", {}).get("code")
    assert code not in ("invalid_request", "invalid_json", "unsupported_media_type"), (
        f"a request valid by the document was refused as malformed: {response.text}"
    )
    return None


def _steer(case, seed: Seed) -> None:
    """Point about half of the valid scans and redemptions at seeded rows, so success paths run too."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("stop_token"), str) and len(body["stop_token"]) % 2:
        body["stop_token"] = seed.stop_token
    reward = (case.path_parameters or {}).get("reward_id")
    if isinstance(reward, int) and reward % 2:
        case.path_parameters["reward_id"] = seed.reward_id


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_generated_request_gets_a_documented_answer(case, app, seed):
    limiter.reset()  # the per-token limit (120/min) would otherwise turn most of the run into 429s
    _steer(case, seed)
    case.call_and_validate(
        headers=seed.headers,
        app=app,
        excluded_checks=[positive_data_acceptance],  # replaced by the stricter-where-it-matters check above
        additional_checks=[schema_valid_requests_pass_validation],
    )


# ---- what the fuzzer found, pinned (each failed before its fix) --------------------------------------------


def _error(response) -> dict:
    assert response.mimetype == "application/json", response.get_data(as_text=True)[:200]
    return response.get_json()["error"]


@pytest.mark.parametrize("reward_id", [2**31, 10**30])
def test_a_reward_id_no_database_key_can_hold_is_a_404(app, seed, reward_id):
    """PostgreSQL refused to compare 2**31 with an integer key, SQLite cannot bind 10**30: a 500.
    (carbon_credit.rewards.get_reward; with the app-wide bounded id converter the router answers first.)"""
    headers = {**seed.headers, "Idempotency-Key": "big-id"}
    response = app.test_client().post(f"/api/v1/rewards/{reward_id}/redemptions", headers=headers)
    assert response.status_code == 404 and _error(response)["code"] in ("reward_not_found", "http_404")


@pytest.mark.parametrize("query", ["date_to=0", "date_from=1700000000", "date_to=２０２６-01-01"])
def test_query_dates_are_iso_dates_only(app, seed, query):
    """ "0" was read as 1970-01-01 (a Unix time) although the document says format: date."""
    response = app.test_client().get(f"/api/v1/activities?{query}", headers=seed.headers)
    assert response.status_code == 400 and _error(response)["fields"][0]["code"] == "field_wrong_type"


@pytest.mark.parametrize("behaviour", ["a%00b", "%1B", "Recycling", "x" * 33])
def test_a_behaviour_filter_is_a_behaviour_id(app, seed, behaviour):
    """A NUL in the filter reached PostgreSQL ("A string literal cannot contain NUL"): a 500."""
    response = app.test_client().get(f"/api/v1/activities?behaviour={behaviour}", headers=seed.headers)
    assert response.status_code == 400 and _error(response)["fields"][0]["field"] == "behaviour"


def test_a_method_the_route_does_not_have_is_405_naming_the_ones_it_has(app, seed):
    """RFC 9110: a 405 carries Allow. The app-wide error handler built a new response without it."""
    response = app.test_client().open("/api/v1/me", method="TRACE", headers=seed.headers)
    assert response.status_code == 405 and _error(response)["code"] == "http_405"
    assert "GET" in response.headers["Allow"]
