"""Database round trips per API request (issue 17), counted from the driver's statement events, so that a
change that adds one to a hot path fails here rather than in a load run.

One request is counted on the app's engine: every statement SQLAlchemy sends (``before_cursor_execute``,
SAVEPOINT and RELEASE included), each transaction's BEGIN (the ``begin`` event: on SQLite the ``BEGIN`` /
``BEGIN IMMEDIATE`` statement is that same round trip and is not counted twice; psycopg sends BEGIN before
the first statement), each COMMIT and ROLLBACK (``commit`` / ``rollback`` events) and each connection ping
(the dialect's ``do_ping``: the pool's pre-ping or a ping at checkout). Each counted request follows a request
of its kind by the same resident through the Flask test client with a bearer token: per-process caches are
warm and the token's once-a-minute ``last_used_at`` write is not due. Targets: tap-out <= 10 (11 on SQLite),
activity <= 8, tap-in <= 6, GET /api/v1/me <= 4. ``pytest -s`` prints each request's count and statements.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update

from carbon_credit.platform import clock
from carbon_credit.platform.database import session_scope
from carbon_credit.residents import ApiToken, Resident
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.stops import (
    RouteInput,
    StopInput,
    create_stop,
    distance_between,
    save_route,
    sign_stop,
    stop_for_token,
)
from webapp import create_app

# SQLite has no data-modifying WITH: a credited tap-out's closing of its tap-in and its idempotency record are
# two statements there where PostgreSQL (production) sends one, so its tap-out may take one more.
# Its token check cannot write the token's due use either (it reads before the write lock is taken).
SQLITE_EXTRA = {"tap-out": 1, "tap-in on another worker, token use due": 1}
RECYCLING = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "0.1"}}
SPACING_M = 600
# As under load (benchmarks/load/server.py): a tap-out milliseconds after its tap-in is not too fast.
RELAXED = {"daily_trip_cap": 1_000_000, "max_speed_kmh": {"bus": 10**9, "metro": 10**9}}


class RoundTrips:
    """Counts the round trips on ``engine`` while the block runs; ``sent`` lists them in order."""

    def __init__(self, engine) -> None:
        self.engine, self.sent = engine, []

    def _statement(self, conn, _cursor, statement, _params, _context, _many) -> None:
        # PostgreSQL's BEGIN is counted by the begin event; pysqlite sends its own BEGIN only when writing
        if conn.dialect.name == "sqlite" or not statement.lstrip().upper().startswith("BEGIN"):
            self.sent.append(" ".join(statement.split())[:110])

    def _event(self, name: str):
        def heard(conn, *_args) -> None:
            if name == "BEGIN" and conn.dialect.name == "sqlite":
                return  # pysqlite begins lazily: nothing is sent (its BEGIN is a statement above)
            if name != "BEGIN" and not _open(conn):
                return  # nothing to commit or roll back on the server: no round trip
            self.sent.append(name)

        return heard

    def __enter__(self) -> RoundTrips:
        self.listeners = [("before_cursor_execute", self._statement)]
        self.listeners += [(name, self._event(name.upper())) for name in ("begin", "commit", "rollback")]
        for name, listener in self.listeners:
            event.listen(self.engine, name, listener)
        dialect = self.engine.dialect
        ping = dialect.do_ping

        def counted_ping(dbapi_connection):
            self.sent.append("PING")
            return ping(dbapi_connection)

        dialect.do_ping = counted_ping
        return self

    def __exit__(self, *_exc) -> None:
        for name, listener in self.listeners:
            event.remove(self.engine, name, listener)
        del self.engine.dialect.do_ping

    def __len__(self) -> int:
        return len(self.sent)


def _open(conn) -> bool:
    """Whether the database has a transaction open on this connection (a COMMIT would be sent)."""
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        return raw.in_transaction
    import psycopg

    return raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


@pytest.fixture
def api(settings, tmp_path, make_resident):
    """``api(method, path, body=None, key=None)`` -> (response, RoundTrips) for one resident with a token,
    on an app with the load's relaxed trip rules; ``api.stops`` are four QR tokens 600 m apart on a route.
    ``api.on_another_worker()`` is the same for a second app (another gunicorn worker: its own pool and
    per-process caches); ``api.token_used(seconds_ago)`` dates the token's last recorded use."""
    config = settings.with_overrides(upload_folder=str(tmp_path / "uploads"), **RELAXED)
    apps = [create_app(config)]
    engine = apps[0].extensions["carbon"]["engine"]
    resident, admin = make_resident(), make_resident(role="admin")
    with session_scope(engine) as session:
        made, token = api_tokens.create_token(session=session, resident_id=resident, name="count")
        token_id = made.id
        stops = _stops(session, settings, admin)

    def token_used(seconds_ago: int) -> None:
        with session_scope(engine) as session:
            session.execute(
                update(ApiToken)
                .where(ApiToken.id == token_id)
                .values(last_used_at=clock.now() - timedelta(seconds=seconds_ago))
            )

    def token_age() -> float:
        """Seconds since the token's recorded last use."""
        with session_scope(engine) as session:
            last = session.get(ApiToken, token_id).last_used_at
        return (clock.now() - last).total_seconds()

    def active_yesterday() -> None:
        with session_scope(engine) as session:
            yesterday = clock.now() - timedelta(days=1)
            session.execute(update(Resident).where(Resident.id == resident).values(last_active_at=yesterday))

    def on_another_worker():
        apps.append(create_app(config))
        return _caller(apps[-1], token, stops)

    call = _caller(apps[0], token, stops)
    call.token_used, call.on_another_worker = token_used, on_another_worker
    call.active_yesterday, call.token_age = active_yesterday, token_age
    yield call
    for app in apps:
        app.extensions["carbon"]["engine"].dispose()


def _caller(app, token: str, stops: list[str]):
    engine, client = app.extensions["carbon"]["engine"], app.test_client()

    def call(method: str, path: str, body: dict | None = None, key: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} | ({"Idempotency-Key": key} if key else {})
        with RoundTrips(engine) as trips:
            response = client.open(path, method=method, json=body, headers=headers)
        return response, trips

    def warm() -> None:
        """The stop and distance caches as in a rush hour, when every stop and trip was scanned before."""
        config = app.extensions["carbon"]["settings"]
        with session_scope(engine) as session:
            facts = [stop_for_token(session=session, settings=config, token=t) for t in stops]
            for a, b in zip(facts, facts[1:], strict=False):
                distance_between(session=session, settings=config, from_stop=a, to_stop=b)

    call.stops, call.warm, call.dialect = stops, warm, engine.dialect.name
    return call


def _stops(session, settings, admin: int) -> list[str]:
    made = []
    for n in range(4):
        values = StopInput(
            f"RT-{n}", f"计数站{n}", f"Count stop {n}", "xiaonan", "30.920000",
            f"{113.91 + n * SPACING_M / 95_530:.6f}", "bus",
        )  # fmt: skip
        made.append(create_stop(session=session, actor_id=admin, values=values, idempotency_key=f"rt-s{n}"))
    lines = "\n".join(f"{stop.code}, {n * SPACING_M}" for n, stop in enumerate(made))
    route = RouteInput("RT-1", "计数线", "Count line", "bus", True, lines)
    save_route(session=session, actor_id=admin, route_id=None, values=route, idempotency_key="rt-r")
    return [sign_stop(stop.id, stop.token_version, settings.qr_signing_key) for stop in made]


def _scan(api, stop: int, key: str, kind: str):
    response, trips = api("POST", "/api/v1/transit/scans", {"stop_token": api.stops[stop]}, key)
    assert response.status_code == 201 and response.get_json()["kind"] == kind, response.get_data(
        as_text=True
    )
    return trips


def _within(api, what: str, trips: RoundTrips, target: int) -> None:
    if api.dialect == "sqlite":
        target += SQLITE_EXTRA.get(what, 0)
    _report(what, trips, target)
    assert len(trips) <= target, trips.sent


def _report(what: str, trips: RoundTrips, target: int) -> None:
    print(f"\n{what}: {len(trips)} round trips (target <= {target})")
    for n, sent in enumerate(trips.sent, 1):
        print(f"  {n:2d} {sent}")


def test_a_tap_in_takes_at_most_6_round_trips(api):
    _scan(api, 0, "warm-in", "tapped_in")
    _scan(api, 1, "warm-out", "trip_credited")
    api.warm()
    trips = _scan(api, 2, "in", "tapped_in")
    _within(api, "tap-in", trips, 6)


def test_a_credited_tap_out_takes_at_most_10_round_trips(api):
    _scan(api, 0, "warm-in", "tapped_in")
    _scan(api, 1, "warm-out", "trip_credited")
    _scan(api, 2, "in", "tapped_in")
    api.warm()
    trips = _scan(api, 3, "out", "trip_credited")
    _within(api, "tap-out", trips, 10)


def test_a_credited_activity_takes_at_most_8_round_trips(api):
    for key in ("warm", "counted"):
        response, trips = api("POST", "/api/v1/activities", RECYCLING, key)
        assert response.status_code == 201 and response.get_json()["status"] == "credited"
    _within(api, "activity", trips, 8)


def test_api_me_takes_at_most_4_round_trips(api):
    api("POST", "/api/v1/activities", RECYCLING, "points")
    for _ in range(2):
        response, trips = api("GET", "/api/v1/me")
        assert response.status_code == 200 and response.get_json()["balance"] > 0
    _within(api, "GET /api/v1/me", trips, 4)


def test_a_first_scan_on_another_worker_sends_only_the_due_token_use(api):
    """A resident's scans minutes apart reach other workers, whose per-process memory has not seen them:
    the token's use is due again, and on PostgreSQL the token check's own statement writes it (SQLite: one
    UPDATE more); the resident's activity today, read with the token, sends no UPDATE of the resident's row
    (not once for the token's use and once more for the scan)."""
    _scan(api, 0, "warm-in", "tapped_in")
    _scan(api, 1, "warm-out", "trip_credited")
    api.token_used(seconds_ago=120)
    other = api.on_another_worker()
    other.warm()
    trips = _scan(other, 2, "in", "tapped_in")
    _within(other, "tap-in on another worker, token use due", trips, 6)
    assert api.token_age() < 60, "the token's use was not recorded"
    assert not [s for s in trips.sent if s.startswith("UPDATE residents")], trips.sent


def test_the_first_scan_of_the_day_marks_the_resident_active_once(api):
    """Last seen yesterday: the token's use and the scan both mark the resident active, in one transaction,
    which sends the UPDATE of the resident's row once."""
    _scan(api, 0, "warm-in", "tapped_in")
    _scan(api, 1, "warm-out", "trip_credited")
    api.token_used(seconds_ago=120)
    api.active_yesterday()
    other = api.on_another_worker()
    other.warm()
    trips = _scan(other, 2, "in", "tapped_in")
    assert len([s for s in trips.sent if s.startswith("UPDATE residents")]) == 1, trips.sent
