"""Telegram callbacks: turn an update into :class:`carbon_credit.chat.Incoming`, send back the replies.

No rule lives here: the dialogue (intents, pending confirmations, linking, rate limits, replays of a
retried update) is :func:`carbon_credit.chat.handle`. The database work runs in a worker thread
(``asyncio.to_thread``) so one slow transaction never blocks the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy import Engine
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import MessageLimit
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackContext,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    filters,
)

from carbon_credit import chat
from carbon_credit.chat import Button, Incoming, Reply
from carbon_credit.platform.database import session_scope
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.settings import Settings

log = logging.getLogger("bot")

CHANNEL = "telegram"
COMMANDS = ("start", "balance", "history", "rewards", "redeem", "stats", "lang", "help", "cancel")
# Balances and vouchers are personal: the bot answers new messages in private chats only (an edited
# message is not a second request).
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


@dataclass
class BotData:
    """What every callback needs, kept in ``context.bot_data`` (set by :func:`bot.app.build_application`)."""

    engine: Engine | None = None
    settings: Settings | None = None


Context = CallbackContext[ExtBot[None], dict, dict, BotData]
CONTEXT_TYPES = ContextTypes(bot_data=BotData)


def register(application: Application) -> None:
    """Add the command, free-text, button and error handlers to ``application``."""
    application.add_handler(CommandHandler(COMMANDS, on_command, filters=PRIVATE))
    application.add_handler(MessageHandler(filters.TEXT & PRIVATE, on_text))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_error_handler(on_error)


async def on_command(update: Update, context: Context) -> None:
    """A known /command (``/start link_ab12`` keeps its deep-link payload): passed on as text."""
    command = update.effective_message.text.split(maxsplit=1)[0].split("@", 1)[0]
    text = " ".join([command, *context.args])
    await _converse(update, context, _incoming(update, text=text))


async def on_text(update: Update, context: Context) -> None:
    """Free text ("回收了2公斤纸", "balance", an unknown /command): the engine parses it."""
    await _converse(update, context, _incoming(update, text=update.effective_message.text))


async def on_button(update: Update, context: Context) -> None:
    """A pressed inline button: acknowledge it at once, take its keyboard away, pass its data on."""
    query = update.callback_query
    await query.answer()
    if query.message is not None and query.message.is_accessible:
        try:
            await query.edit_message_reply_markup(reply_markup=None)
        except BadRequest as error:  # "message is not modified" after a quick double press, or too old
            log.info("bot: keyboard not removed: %s", error)
    await _converse(update, context, _incoming(update, button=query.data))


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its update and tell the person, in both languages, to try again later."""
    log.error("bot: update failed: %r", update, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    text = "\n".join(translate("domain_error", locale) for locale in ("zh_Hans", "en"))
    try:
        await context.bot.send_message(update.effective_chat.id, text)
    except Exception:  # noqa: BLE001 - never let the apology raise again inside the error handler
        log.exception("bot: could not tell the person about the failure")


def _incoming(update: Update, *, text: str | None = None, button: str | None = None) -> Incoming:
    user = update.effective_user
    return Incoming(
        channel=CHANNEL,
        external_id=str(user.id),
        text=text,
        button=button,
        update_key=str(update.update_id),
        language_hint=user.language_code,
        display_name=user.full_name,
    )


async def _converse(update: Update, context: Context, incoming: Incoming) -> None:
    data = context.bot_data
    replies = await asyncio.to_thread(_handle_sync, data.engine, data.settings, incoming)
    for reply in replies:
        await _send(context, update.effective_chat.id, reply)


def _handle_sync(engine: Engine, settings: Settings, incoming: Incoming) -> list[Reply]:
    """One unit of work per update: the engine's writes commit together or not at all."""
    with session_scope(engine) as session:
        return chat.handle(session=session, settings=settings, incoming=incoming)


async def _send(context: Context, chat_id: int, reply: Reply) -> None:
    markup = _keyboard(reply)
    if reply.photo is not None:
        fits = len(reply.text) <= MessageLimit.CAPTION_LENGTH
        await context.bot.send_photo(
            chat_id, photo=reply.photo, caption=reply.text if fits else None, reply_markup=markup
        )
        if fits:
            return
        markup = None
    parts = _split(reply.text)
    for number, part in enumerate(parts, 1):
        await context.bot.send_message(chat_id, part, reply_markup=markup if number == len(parts) else None)


def _keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    rows = [[made for b in row if (made := _button(b)) is not None] for row in reply.buttons]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _button(button: Button) -> InlineKeyboardButton | None:
    """A callback button, or a link button; Telegram refuses links that are not https (a development
    server's http://127.0.0.1 address), so those are left out: the reply's text still says what to do."""
    if button.url is None:
        return InlineKeyboardButton(button.label, callback_data=button.data)
    return InlineKeyboardButton(button.label, url=button.url) if button.url.startswith("https://") else None


def _split(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Telegram refuses messages over 4096 characters: cut long ones at line ends."""
    parts = [""]
    for line in text.splitlines(keepends=True):
        for piece in (line[i : i + limit] for i in range(0, len(line), limit)):
            if len(parts[-1]) + len(piece) > limit:
                parts.append("")
            parts[-1] += piece
    return [part for part in parts if part] or [text]
