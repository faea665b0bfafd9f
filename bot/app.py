"""Build the python-telegram-bot Application: token, Bot API address, flood limits, handlers."""

from __future__ import annotations

from sqlalchemy import Engine
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot import handlers, notifier
from carbon_credit.platform.database import make_engine
from carbon_credit.platform.settings import Settings

# Telegram's flood limits (about 30 messages a second overall, 20 a minute per group) are kept by the
# rate limiter; a RetryAfter answer is retried this many times before the send fails.
FLOOD_RETRIES = 3


def build_application(
    settings: Settings, *, base_url: str | None = None, engine: Engine | None = None
) -> Application:
    """An Application for ``settings.telegram_bot_token`` with every handler registered.

    ``base_url`` points the bot at another Bot API server (the tests' fake one, or a self-hosted
    telegram-bot-api); the token is appended to it. Without ``engine`` one is made from
    ``settings.database_url`` and disposed of when the Application shuts down. Once running (polling or
    webhook), the Application also sends the notifications outbox (bot.notifier).
    """
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .context_types(handlers.CONTEXT_TYPES)
        .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
    )
    if base_url is not None:
        builder = builder.base_url(base_url)
    owns_engine = engine is None
    builder = builder.post_init(notifier.start)
    builder = builder.post_shutdown(_shutdown_and_dispose if owns_engine else notifier.stop)
    application = builder.build()
    if owns_engine:
        engine = make_engine(settings.database_url, sqlite_busy_timeout_s=settings.sqlite_busy_timeout_s)
    application.bot_data.engine = engine
    application.bot_data.settings = settings
    handlers.register(application)
    return application


async def _shutdown_and_dispose(application: Application) -> None:
    """Stop the notifier (bot.notifier), then dispose of the engine this module made."""
    await notifier.stop(application)
    application.bot_data.engine.dispose()
