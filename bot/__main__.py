"""``python -m bot``: the bot process (Procfile ``bot``).

Without ``TELEGRAM_BOT_TOKEN`` it runs in local mode: it says so and waits, and the web app serves
residents. The Telegram dialogue itself is not built yet (see the chatbot issue); until then this
process logs what it is and exits cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import logging
import signal
import threading

from carbon_credit.config import Settings

log = logging.getLogger("bot")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if settings.telegram_bot_token:
        log.info("bot: TELEGRAM_BOT_TOKEN is set, but the Telegram dialogue is not built yet; idling")
    else:
        log.info("bot: no TELEGRAM_BOT_TOKEN, local mode: residents use the web app; idling")
    stop.wait()
    log.info("bot: stopped")


if __name__ == "__main__":
    main()
