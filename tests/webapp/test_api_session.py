"""One database transaction per API request: the token check runs inside the request's own transaction, so a
revoked token fails at once on every worker; a refused write leaves nothing half-written (a refused scan's
record excepted, which is kept on purpose) while the token's use is still recorded; /api/v1/me and the /me
page show the figures they showed before, from one read.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import event, func, select, text, update
from sqlmodel import SQLModel

from carbon_credit import activities, ledger
from carbon_credit.platform import clock, database
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import activity, find_by_login
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.residents.models import ApiToken, Resident
from carbon_credit.rewards.models import Reward
from carbon_credit.stops import tokens as qr
from carbon_credit.stops.models import Stop
from webapp import create_app

RECYCLING = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "2"}}
CHANGES_WITH_USE = {"api_tokens", "residents"}  # last_used_at and last_active_at: written on purpose


@pytest.fixture
def owner(engine, make_resident):
    """A resident with a token: ``(resident id, headers for a call)``."""
    resident = make_resident()
    with session_scope(engine) as session:
        token = api_tokens.create_token(session=session, resident_id=resident, name="script")[1]
    return resident, {"Authorization": f"Bearer {token}"}


def call(client, method: str, path: str, headers: dict, key: str | None = None, **kw):
    return client.open(
        path, method=method, headers={**headers, **({"Idempotency-Key": key} if key else {})}, **kw
    )


def rows(engine) -> dict[str, int]:
    """How many rows each table holds."""
    with read_session(engine) as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {name: after[name] - count for name, count in before.items() if after[name] != count}


def make_stale(engine, resident_id: int) -> None:
    """The token was last used, and its owner last active, long ago."""
    long_ago = clock.now() - timedelta(days=2)
    with session_scope(engine) as session:
        session.execute(
            update(ApiToken).where(ApiToken.resident_id == resident_id).values(last_used_at=long_ago)
        )
        session.execute(update(Resident).where(Resident.id == resident_id).values(last_active_at=long_ago))
    activity._SEEN.clear()  # this process saw the resident active today: as if two days had passed


def last_use(engine, resident_id: int):
    with read_session(engine) as session:
        used = session.execute(
            select(ApiToken.last_used_at).where(ApiToken.resident_id == resident_id)
        ).scalar()
        active = session.get(Resident, resident_id).last_active_at
    return used, active


@pytest.fixture
def second_worker(app):
    """Another worker process's app on the same database: its own engine, pool and memory."""
    other = create_app(app.extensions["carbon"]["settings"])
    yield other.test_client()
    other.extensions["carbon"]["engine"].dispose()


def test_a_revoked_token_fails_at_once_on_every_worker(app, client, second_worker, engine, owner):
    resident, headers = owner
    for worker in (client, second_worker):
        assert call(worker, "GET", "/api/v1/me", headers).status_code == 200
        assert (
            call(
                worker, "POST", "/api/v1/activities", headers, key=f"k{id(worker)}", json=RECYCLING
            ).status_code
            == 201
        )
    with session_scope(engine) as session:
        token = api_tokens.tokens_of(session=session, resident_id=resident)[0]
        api_tokens.revoke_token(session=session, resident_id=resident, token_id=token.id)
    before = rows(engine)
    for worker in (client, second_worker):
        assert call(worker, "GET", "/api/v1/me", headers).status_code == 401
        refused = call(worker, "POST", "/api/v1/activities", headers, key="after", json=RECYCLING)
        assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_token"
    assert rows(engine) == before


def test_a_refused_redemption_leaves_nothing_half_written_and_the_use_is_recorded(client, engine, owner):
    resident, headers = owner
    earned = call(client, "POST", "/api/v1/activities", headers, key="earn", json=RECYCLING).get_json()[
        "points"
    ]
    with session_scope(engine) as session:
        reward = Reward(name_zh="年卡", name_en="Year pass", cost=earned + 1, stock=3)
        session.add(reward)
        session.flush()
        reward_id = reward.id
    make_stale(engine, resident)
    before = rows(engine)
    refused = call(client, "POST", f"/api/v1/rewards/{reward_id}/redemptions", headers, key="too-dear")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "insufficient_points"
    assert changed(before, rows(engine)).keys() <= CHANGES_WITH_USE  # no voucher, entry or record
    with read_session(engine) as session:
        assert session.get(Reward, reward_id).stock == 3
        assert ledger.discrepancies(session=session) == []
    assert call(client, "GET", "/api/v1/me", headers).get_json()["balance"] == earned
    used, active = last_use(engine, resident)
    assert used > clock.now() - timedelta(minutes=1) and active > clock.now() - timedelta(minutes=1)


def test_a_malformed_body_writes_nothing_but_the_use(client, engine, owner):
    resident, headers = owner
    make_stale(engine, resident)
    before = rows(engine)
    bad = call(client, "POST", "/api/v1/activities", headers, key="bad", json={"behaviour": "recycling"})
    assert bad.status_code == 400
    assert changed(before, rows(engine)).keys() <= CHANGES_WITH_USE
    assert last_use(engine, resident)[0] > clock.now() - timedelta(minutes=1)
    good = call(client, "POST", "/api/v1/activities", headers, key="bad", json=RECYCLING)
    assert good.status_code == 201  # the refused request left no trace under its key


def test_a_forged_stop_token_keeps_only_its_refusal_record(client, engine, settings, owner):
    resident, headers = owner
    with session_scope(engine) as session:
        stop = Stop(code="s-1", name_zh="槐荫大道站", name_en="Huaiyin Ave", latitude=30.92, longitude=113.91)
        session.add(stop)
        session.flush()
        good = qr.sign_stop(stop.id, stop.token_version, settings.qr_signing_key)
    before = rows(engine)
    forged = call(
        client, "POST", "/api/v1/transit/scans", headers, key="f", json={"stop_token": good[:-3] + "AAA"}
    )
    assert forged.status_code == 400 and forged.get_json()["error"]["code"] == "invalid_stop_token"
    kept = changed(before, rows(engine))
    assert kept.pop("transit_rejections") == 1 and kept.keys() <= CHANGES_WITH_USE | {"idempotency_records"}


def test_a_read_records_the_use_too(client, engine, owner):
    resident, headers = owner
    make_stale(engine, resident)
    assert call(client, "GET", "/api/v1/me", headers).status_code == 200
    used, active = last_use(engine, resident)
    assert used > clock.now() - timedelta(minutes=1) and active > clock.now() - timedelta(minutes=1)


def test_me_and_the_home_page_show_the_figures_of_the_summary(app, client, engine, register, settings):
    login = register()
    with read_session(engine) as session:
        resident = find_by_login(session=session, login=login).id
    with session_scope(engine) as session:
        token = api_tokens.create_token(session=session, resident_id=resident, name="t")[1]
    headers = {"Authorization": f"Bearer {token}"}
    call(client, "POST", "/api/v1/activities", headers, key="a", json=RECYCLING)
    heavy = {
        "behaviour": "recycling",
        "inputs": {"material": "paper", "kg": str(settings.review_recycling_kg + 5)},
    }
    assert (
        call(client, "POST", "/api/v1/activities", headers, key="b", json=heavy).get_json()["status"]
        == "pending"
    )
    with read_session(engine) as session:
        expected = activities.home_summary(session=session, resident_id=resident)
    me = call(client, "GET", "/api/v1/me", headers).get_json()
    assert (me["balance"], me["grams"], me["activities"], me["tree_years"]) == (
        expected.balance,
        expected.grams,
        expected.activities,
        str(expected.tree_years),
    )
    page = client.get("/me").get_data(as_text=True)
    assert f'data-testid="balance">{expected.balance}<' in page
    assert f'data-testid="tree-years">{expected.tree_years}<' in page
    assert page.count('data-testid="activity-row"') == len(expected.recent) == 2


def transactions(engine) -> list[str]:
    """Records each transaction the database ends (a COMMIT or ROLLBACK it receives)."""
    ended: list[str] = []

    def open_on_server(conn) -> bool:
        raw = conn.connection.dbapi_connection
        if isinstance(raw, sqlite3.Connection):
            return raw.in_transaction
        return raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    for name in ("commit", "rollback"):
        event.listen(engine, name, lambda conn, name=name: open_on_server(conn) and ended.append(name))
    return ended


def test_an_api_request_is_one_transaction(app, client, owner):
    _, headers = owner
    call(client, "GET", "/api/v1/me", headers)  # the token's first use is written once a minute: not counted
    ended = transactions(app.extensions["carbon"]["engine"])
    assert call(client, "GET", "/api/v1/me", headers).status_code == 200
    assert len(ended) == 1
    assert call(client, "POST", "/api/v1/activities", headers, key="one", json=RECYCLING).status_code == 201
    assert ended == ["commit", "commit"]


def test_a_postgresql_connection_lost_while_idle_costs_no_request(settings, engine, owner, monkeypatch):
    """Pooled connections are pinged only after PING_AFTER_IDLE_S idle (not before every transaction): one
    that died while idle is replaced unseen; one that dies between two requests in a burst fails one
    request with the documented 503, and the next request reconnects."""
    if not settings.database_url.startswith("postgres"):
        pytest.skip("SQLite connections are files: nothing to ping")
    name = f"api-session-{uuid.uuid4().hex[:8]}"
    app = create_app(settings.with_overrides(database_url=f"{settings.database_url}&application_name={name}"))
    client, (_, headers) = app.test_client(), owner
    kill = text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = :name")
    try:
        assert call(client, "GET", "/api/v1/me", headers).status_code == 200
        with engine.begin() as conn:
            assert conn.execute(kill, {"name": name}).scalars().all()  # the pooled connection is gone
        monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 0.0)  # as if it had been idle for a while
        assert call(client, "GET", "/api/v1/me", headers).status_code == 200
        with engine.begin() as conn:
            conn.execute(kill, {"name": name})
        monkeypatch.setattr(database, "PING_AFTER_IDLE_S", 3600.0)  # used a moment ago: not pinged
        lost = call(client, "GET", "/api/v1/me", headers)
        assert lost.status_code == 503 and lost.get_json()["error"]["code"] == "database_unavailable"
        assert call(client, "GET", "/api/v1/me", headers).status_code == 200
    finally:
        app.extensions["carbon"]["engine"].dispose()
