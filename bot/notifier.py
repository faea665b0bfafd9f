"""Sending the notifications outbox (carbon_credit.notifications) to residents' linked Telegram accounts.

The Application's post_init starts :func:`run`, which calls :func:`send_pending` every ``INTERVAL_S``
seconds; post_shutdown cancels it. Each notification is marked sent right after it was delivered, so a
crash repeats at most one message. A resident without Telegram, or one who blocked the bot, is marked sent
too (the web shows recent notifications); a network failure leaves the rest for the next pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application

from carbon_credit import notifications
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident

log = logging.getLogger(__name__)
INTERVAL_S = 30  # seconds between passes
BATCH = 100  # notifications per pass
_TASKS: dict[int, asyncio.Task] = {}  # Application id -> its running loop


@dataclass(frozen=True, slots=True)
class Outgoing:
    id: int
    chat_id: int | None
    text: str


async def send_pending(application: Application) -> int:
    """One pass: send up to ``BATCH`` pending notifications and mark them sent; returns how many were
    delivered to Telegram."""
    engine = application.bot_data.engine
    outgoing = await asyncio.to_thread(_load, engine)
    delivered = 0
    for item in outgoing:
        if item.chat_id is not None:
            try:
                await application.bot.send_message(chat_id=item.chat_id, text=item.text)
                delivered += 1
            except (Forbidden, BadRequest) as error:  # blocked the bot, deleted account: never deliverable
                log.info("notification %s not deliverable: %s", item.id, error)
            except TelegramError as error:  # network, flood: try again next pass
                log.warning("notification %s not sent, retrying later: %s", item.id, error)
                break
        await asyncio.to_thread(_mark, engine, item.id)
    return delivered


async def run(application: Application, interval: float = INTERVAL_S) -> None:
    """Send pending notifications every ``interval`` seconds until cancelled."""
    while True:
        try:
            await send_pending(application)
        except Exception:  # a database hiccup must not stop the loop
            log.exception("notifier pass failed")
        await asyncio.sleep(interval)


async def start(application: Application) -> None:
    """post_init: start the loop (the bot process runs it alongside polling or the webhook)."""
    _TASKS[id(application)] = asyncio.create_task(run(application), name="notifier")


async def stop(application: Application) -> None:
    """post_shutdown: cancel the loop and wait for it."""
    task = _TASKS.pop(id(application), None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _load(engine) -> list[Outgoing]:
    with read_session(engine) as session:
        batch = notifications.pending(session=session, limit=BATCH)
        ids = sorted({n.resident_id for n in batch})
        people = {r.id: r for r in session.execute(select(Resident).where(Resident.id.in_(ids))).scalars()}
        return [
            Outgoing(
                n.id, people[n.resident_id].telegram_id, notifications.render(n, people[n.resident_id].locale)
            )
            for n in batch
        ]


def _mark(engine, notification_id: int) -> None:
    with session_scope(engine) as session:
        notifications.mark_sent(session=session, ids=[notification_id])
