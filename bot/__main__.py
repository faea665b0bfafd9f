"""``python -m bot``: the bot process (Procfile ``bot``).

* ``TELEGRAM_BOT_TOKEN`` set: long polling (``getUpdates``), or webhook mode when ``TELEGRAM_WEBHOOK_URL``
  is set too (needs ``TELEGRAM_WEBHOOK_SECRET`` and python-telegram-bot's ``webhooks`` extra, tornado;
  it listens on ``PORT``, default 8443).
* No token: local mode. The web chat page at /chat serves the same dialogue; this process says so,
  idles, and exits 0 on SIGTERM or SIGINT.

See docs/bot.md.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import signal
import sys
import threading
from urllib.parse import urlsplit

from telegram import Update

from carbon_credit.platform import logs
from carbon_credit.platform.settings import Settings

log = logging.getLogger("bot")
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
DEFAULT_WEBHOOK_PORT = 8443


def mode(settings: Settings) -> str:
    """``"local"``, ``"polling"`` or ``"webhook"``, from the settings."""
    if not settings.telegram_bot_token:
        return "local"
    return "webhook" if settings.telegram_webhook_url else "polling"


def webhook_problem(settings: Settings) -> str | None:
    """Why webhook mode cannot start (no secret, no tornado), or None."""
    if not settings.telegram_webhook_secret:
        return (
            "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is not: without it anyone could post "
            "forged updates; set a random secret (1-256 characters A-Z a-z 0-9 _ -)"
        )
    if importlib.util.find_spec("tornado") is None:
        return (
            "webhook mode needs python-telegram-bot's 'webhooks' extra (tornado), which is not installed: "
            "pip install 'python-telegram-bot[webhooks]', or unset TELEGRAM_WEBHOOK_URL to use polling"
        )
    return None


def main() -> int:
    logs.configure()
    settings = Settings.from_env()
    chosen = mode(settings)
    if chosen == "local":
        _idle_locally()
    elif chosen == "polling":
        log.info("bot: polling Telegram for updates")
        _build(settings).run_polling(allowed_updates=ALLOWED_UPDATES)
    else:
        problem = webhook_problem(settings)
        if problem:
            log.error("bot: %s", problem)
            return 2
        _run_webhook(settings)
    log.info("bot: stopped")
    return 0


def _idle_locally() -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    log.info(
        "bot: no TELEGRAM_BOT_TOKEN, local mode: the web chat page at /chat serves the same dialogue; idling"
    )
    stop.wait()


def _build(settings: Settings):
    from bot.app import build_application  # imported here so local mode needs nothing beyond the settings

    return build_application(settings)


def _run_webhook(settings: Settings) -> None:
    port = int(os.environ.get("PORT") or DEFAULT_WEBHOOK_PORT)
    path = urlsplit(settings.telegram_webhook_url).path.lstrip("/")
    log.info("bot: webhook mode, listening on port %s at /%s", port, path)
    _build(settings).run_webhook(
        listen="0.0.0.0",  # noqa: S104 - the webhook receiver must be reachable by Telegram
        port=port,
        url_path=path,
        webhook_url=settings.telegram_webhook_url,
        secret_token=settings.telegram_webhook_secret,
        allowed_updates=ALLOWED_UPDATES,
    )


if __name__ == "__main__":
    sys.exit(main())
