"""What operators and load balancers rely on: readiness, a clean 503 when the database is away, security
headers on every answer, request ids in responses and logs, client addresses behind a proxy, and rate
limits shared by every worker through Redis."""

from __future__ import annotations

import io
import json
import logging
import os
import secrets

import pytest
import redis

from carbon_credit.platform import logs
from carbon_credit.platform.database import current_revision, head_revision, make_engine, migrate
from webapp import create_app
from webapp.observability import CONTENT_SECURITY_POLICY

UNREACHABLE_PG = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def app_on(base_settings, tmp_path):
    """``app_on(**settings)`` -> an app as production runs it (errors through the app's handlers)."""
    apps = []

    def make(**overrides):
        settings = base_settings.with_overrides(upload_folder=str(tmp_path / "uploads"), **overrides)
        app = create_app(settings)
        app.testing = False
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["carbon"]["engine"].dispose()


# ---- readiness ---------------------------------------------------------------------------------------------


def test_readyz_is_ok_on_a_migrated_database(client, engine):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "revision": head_revision()}
    assert current_revision(engine) == head_revision()


def test_readyz_refuses_traffic_until_migrations_are_applied(app_on, tmp_path):
    database = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(database)
    migrate(engine, "0006")
    app = app_on(database_url=database)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "migrations pending" and body["head"] == head_revision()
    assert body["current"].startswith("0006")
    migrate(engine)
    assert app.test_client().get("/readyz").status_code == 200
    engine.dispose()


def test_readyz_is_503_and_healthz_200_when_the_database_is_unreachable(app_on):
    client = app_on(database_url=UNREACHABLE_PG).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert client.get("/healthz").status_code == 200  # the worker itself is fine: do not restart it


# ---- database away: 503 with a message, never a stack trace ------------------------------------------------


def test_pages_answer_503_in_chinese_when_the_database_is_unreachable(app_on):
    client = app_on(database_url=UNREACHABLE_PG).test_client()
    response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "服务暂时不可用，本次操作未生效，请稍后再试。" in page
    assert response.headers["X-Request-ID"] in page  # the reference a resident can quote to support
    assert "Traceback" not in page and "psycopg" not in page


def test_the_api_answers_503_json_when_the_database_is_unreachable(app_on):
    client = app_on(database_url=UNREACHABLE_PG).test_client()
    response = client.get(
        "/api/v1/me", headers={"Authorization": "Bearer cc_well-formed-but-unknown", "Accept-Language": "en"}
    )
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"] == (
        "The service is temporarily unavailable. Nothing was changed; please try again in a moment."
    )
    assert error["request_id"] == response.headers["X-Request-ID"]


# ---- headers ---------------------------------------------------------------------------------------------


API_POLICY = "default-src 'none'; frame-ancestors 'none'"  # JSON is inert: nothing may load from it


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("/", CONTENT_SECURITY_POLICY),
        ("/login", CONTENT_SECURITY_POLICY),
        ("/no-such-page", CONTENT_SECURITY_POLICY),
        ("/api/v1/openapi.json", API_POLICY),
        ("/api/v1/me", API_POLICY),
    ],
)
def test_every_answer_carries_the_security_headers(client, path, policy):
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers  # only in production, where the site is HTTPS


def test_the_policy_forbids_inline_scripts_and_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"


def test_no_page_needs_an_inline_script(client, register):
    """The CSP above would block them: no <script> without src and no on*= handlers in what we serve."""
    register()
    for path in ("/", "/home", "/log", "/history", "/rewards", "/chat", "/scan", "/login"):
        page = client.get(path).get_data(as_text=True).lower()
        assert "<script>" not in page and " onclick=" not in page and " onload=" not in page, path


def test_production_adds_hsts(app_on, database_url):
    strong = "s" * 40
    app = app_on(
        env="production",
        secret_key=strong,
        qr_signing_key=strong + "q",
        database_url=database_url,
    )
    assert app.test_client().get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")


# ---- request ids and logs ---------------------------------------------------------------------------


def test_a_request_id_from_the_proxy_is_kept_and_a_missing_or_odd_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"}).headers["X-Request-ID"] == (
        "lb-1234abcd"
    )
    generated = client.get("/healthz", headers={"X-Request-ID": "<script>alert(1)</script>"}).headers[
        "X-Request-ID"
    ]
    assert len(generated) == 32 and generated.isalnum()
    assert client.get("/healthz").headers["X-Request-ID"] != generated


def test_each_request_is_logged_once_with_its_id_status_and_duration(client, caplog):
    with caplog.at_level(logging.INFO, logger="webapp.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "trace-00000001"})
    [record] = [r for r in caplog.records if r.name == "webapp.access"]
    assert record.fields["status"] == 200 and record.fields["path"] == "/healthz"
    assert record.fields["duration_ms"] >= 0
    assert response.headers["X-Request-ID"] == "trace-00000001"


def test_json_log_lines_carry_the_request_id(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    stream = io.StringIO()
    logs.configure(stream=stream)
    try:
        token = logs.request_id.set("req-42")
        logging.getLogger("carbon_credit.test").warning("stock low", extra={"fields": {"reward_id": 7}})
        logs.request_id.reset(token)
    finally:
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "_carbon", False)]:
            root.removeHandler(handler)
    entry = json.loads(stream.getvalue().splitlines()[-1])
    assert entry["message"] == "stock low" and entry["level"] == "WARNING"
    assert entry["request_id"] == "req-42" and entry["reward_id"] == 7


# ---- client address behind a proxy, and limits shared by all workers ---------------------------------


WRONG = 400  # the login form shown again with "wrong login or password"


def _login_attempts(client, address: str, n: int, forwarded: bool) -> list[int]:
    statuses = []
    for _ in range(n):
        headers = {"X-Forwarded-For": address} if forwarded else {}
        environ = {} if forwarded else {"REMOTE_ADDR": address}
        token = client.csrf_token("/login")
        response = client.post(
            "/login",
            data={"csrf_token": token, "login": "13900000000", "password": "wrong-password"},
            headers=headers,
            environ_base=environ,
        )
        statuses.append(response.status_code)
    return statuses


def test_behind_a_proxy_limits_apply_to_the_forwarded_client_address(client, app_on, database_url):
    proxied = app_on(database_url=database_url, trusted_proxies=1, login_rate_limit="2 per minute")
    proxied.test_client_class = type(client)
    client = proxied.test_client()
    assert _login_attempts(client, "203.0.113.7", 3, forwarded=True) == [WRONG, WRONG, 429]
    # A different resident behind the same proxy (same peer address) is not locked out.
    assert _login_attempts(client, "198.51.100.9", 1, forwarded=True) == [WRONG]


@pytest.fixture
def redis_url():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but Redis is not reachable at {REDIS_URL}: {error}")
        pytest.skip(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


def test_with_redis_the_login_limit_is_shared_by_every_worker(client, app_on, database_url, redis_url):
    """Two app instances stand for two gunicorn workers: attempts spread over both count together,
    because the counters live in Redis (not in a worker's memory)."""
    workers = []
    for _ in range(2):
        worker = app_on(
            database_url=database_url,
            redis_url=redis_url,
            login_rate_limit="3 per minute",
            login_backoff_after=1000,  # this test is about the per-address limit
        )
        worker.test_client_class = type(client)
        workers.append(worker.test_client())
    address = "10." + ".".join(str(secrets.randbelow(250)) for _ in range(3))
    statuses = [_login_attempts(workers[n % 2], address, 1, forwarded=False)[0] for n in range(4)]
    assert statuses == [WRONG, WRONG, WRONG, 429]
    assert redis.Redis.from_url(redis_url).keys(f"*{address}*"), "the counters are not in Redis"
