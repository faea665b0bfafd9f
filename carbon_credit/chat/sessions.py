"""Chat sessions in the database: one row per person and channel, locked while an update is handled, with
the per-person rate limit, the language to answer in and a short transcript for the web page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session

from carbon_credit.chat import replies
from carbon_credit.chat.models import ChatSession
from carbon_credit.chat.types import CHANNELS, Incoming
from carbon_credit.platform import clock
from carbon_credit.platform.i18n import normalise_locale
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident

WINDOW = timedelta(minutes=1)
TRANSCRIPT_LENGTH = 30


def open_session(*, session: Session, incoming: Incoming) -> ChatSession:
    """The person's chat session, created on first contact, with its row locked (two updates of one person
    are handled one after the other; SQLite write transactions are serialised anyway)."""
    if incoming.channel not in CHANNELS:
        raise ValueError(f"unknown chat channel {incoming.channel!r}")
    found = _locked(session, incoming.channel, incoming.external_id)
    if found is not None:
        return found
    try:
        with session.begin_nested():
            session.add(ChatSession(channel=incoming.channel, external_id=incoming.external_id))
            session.flush()
    except IntegrityError:  # created by a concurrent first message: use (and wait for) that row
        pass
    return _locked(session, incoming.channel, incoming.external_id)


def over_limit(chat: ChatSession, settings: Settings, now: datetime) -> bool:
    """Count this message in the person's current minute; True when it is over the limit."""
    started = chat.window_started_at and clock.as_utc(chat.window_started_at, UTC)  # SQLite: naive UTC
    if started is None or now - started >= WINDOW or now < started:
        chat.window_started_at, chat.window_count = now, 0
    chat.window_count += 1
    return chat.window_count > settings.chat_messages_per_minute


def locale_of(chat: ChatSession, resident: Resident | None, hint: str | None) -> str:
    """The session's chosen language, else the linked resident's, else the channel's hint, else zh_Hans.
    On the web the resident's language comes first: the page's own language switch changes only that."""
    if chat.channel == "web" and resident is not None:
        return normalise_locale(resident.locale)
    if chat.locale:
        return normalise_locale(chat.locale)
    if resident is not None:
        return normalise_locale(resident.locale)
    return normalise_locale(hint)


def append_transcript(data: dict[str, Any], who: str, reply: dict[str, Any]) -> None:
    """Add one entry (``who`` is "me" or "bot"; ``reply`` as :func:`carbon_credit.chat.replies.to_json`)
    and keep the last :data:`TRANSCRIPT_LENGTH`."""
    entry = {
        "who": who,
        "text": reply["text"],
        "buttons": reply.get("buttons", []),
        "photo": reply.get("photo"),
    }
    data["transcript"] = [*data.get("transcript", []), entry][-TRANSCRIPT_LENGTH:]


def save(chat: ChatSession, *, state: str, data: dict[str, Any], now: datetime, session: Session) -> None:
    """Store the dialogue's state and data (a JSON column: flagged as changed explicitly)."""
    chat.state, chat.data, chat.updated_at = state, data, now
    flag_modified(chat, "data")
    session.add(chat)
    session.flush()


def transcript(*, session: Session, channel: str, external_id: str) -> list[dict[str, Any]]:
    """The last messages of a person's chat, oldest first (for the web chat page); [] before the first."""
    query = select(ChatSession.data).where(
        ChatSession.channel == channel, ChatSession.external_id == external_id
    )
    data = session.execute(query).scalar_one_or_none()
    return list((data or {}).get("transcript", []))


def web_transcript(*, session: Session, resident_id: int, locale: str) -> list[dict[str, Any]]:
    """The web chat page's conversation, oldest first: the resident's transcript, or the greeting before
    the first message."""
    entries = transcript(session=session, channel="web", external_id=str(resident_id))
    return entries or [{"who": "bot", **replies.to_json(replies.greeting(locale))}]


def _locked(session: Session, channel: str, external_id: str) -> ChatSession | None:
    query = (
        select(ChatSession)
        .where(ChatSession.channel == channel, ChatSession.external_id == external_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(query).scalar_one_or_none()
