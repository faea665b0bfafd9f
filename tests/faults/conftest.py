"""Fault-test fixtures: the real web process on the test database (tests/faults/webserver.py), and
factories for residents with API tokens, rewards and stops, built through the services."""

from __future__ import annotations

import pytest

from carbon_credit.platform.database import session_scope
from carbon_credit.residents import tokens as api_tokens
from carbon_credit.rewards.models import Reward
from carbon_credit.stops import tokens as qr
from carbon_credit.stops.models import Stop
from tests.faults import webserver
from tests.faults.webserver import Client


@pytest.fixture
def start_server(tmp_path):
    """``start_server(database_url, killing=False, **env)`` -> a running WebServer, stopped after the test."""
    started: list[webserver.WebServer] = []

    def start(database_url: str, **options) -> webserver.WebServer:
        started.append(webserver.start(database_url, tmp_path, **options))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def make_client(engine, make_resident):
    """``make_client(**resident_overrides)`` -> a Client (a new resident with a personal API token)."""

    def make(**overrides) -> Client:
        resident_id = make_resident(**overrides)
        with session_scope(engine) as session:
            token = api_tokens.create_token(session=session, resident_id=resident_id, name="faults")[1]
        return Client(resident_id, token)

    return make


@pytest.fixture
def make_reward(engine):
    """``make_reward(cost, stock)`` -> the id of an open reward."""

    def make(cost: int = 1000, stock: int = 5) -> int:
        with session_scope(engine) as session:
            reward = Reward(name_zh="公交乘车券", name_en="Bus ride voucher", cost=cost, stock=stock)
            session.add(reward)
            session.flush()
            return reward.id

    return make


@pytest.fixture
def stop_tokens(engine) -> list[str]:
    """Two active bus stops about 5 km apart; their QR tokens, signed with the server's key."""
    with session_scope(engine) as session:
        stops = [
            Stop(
                code="fault-a", name_zh="槐荫大道站", name_en="Huaiyin Ave", latitude=30.92, longitude=113.91
            ),
            Stop(
                code="fault-b", name_zh="孝感站", name_en="Xiaogan Station", latitude=30.95, longitude=113.95
            ),
        ]
        session.add_all(stops)
        session.flush()
        return [qr.sign_stop(s.id, s.token_version, webserver.QR_SIGNING_KEY) for s in stops]


@pytest.fixture
def server_settings(settings):
    """The settings the server runs with (its signing key), for calling the services directly."""
    return settings.with_overrides(
        env="production", secret_key=webserver.SECRET_KEY, qr_signing_key=webserver.QR_SIGNING_KEY
    )
