"""Bot fixtures: a fake Bot API server, the real Application pointed at it, people who send updates.

Updates are built as the dicts Telegram sends and fed through ``Application.process_update``, so PTB's
handlers, filters, serialisation and HTTP client all run; only the Bot API server at the far end is fake.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_bot_api import TOKEN, FakeBotAPI
from telegram.ext import Application

from bot.app import build_application


@pytest.fixture
def bot_api(monkeypatch) -> Iterator[FakeBotAPI]:
    """The fake Bot API, serving for this test only."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")  # httpx would send 127.0.0.1 through a proxy
    with FakeBotAPI() as api:
        yield api


@pytest.fixture
def bot_settings(settings):
    return settings.with_overrides(telegram_bot_token=TOKEN, telegram_bot_username="carbon_test_bot")


@pytest.fixture
def make_app(bot_api, bot_settings, engine):
    """Factory: a new Application on the test database (call again to "restart" the bot)."""

    def make() -> Application:
        return build_application(bot_settings, base_url=bot_api.base_url, engine=engine)

    return make
