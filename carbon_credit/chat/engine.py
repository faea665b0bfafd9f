"""The channel-neutral dialogue engine: one update in (typed text or a pressed button) -> replies out.

:func:`handle` runs inside the caller's unit of work (``platform.database.session_scope``) and only flushes:

1. the person's ChatSession row is locked (two updates of one person are handled one after the other);
2. an update seen before (``Incoming.update_key``) gets its stored replies again and nothing is redone
   (``platform.idempotency``, scope ``chat-<channel>``, owner the ChatSession id);
3. more than ``settings.chat_messages_per_minute`` messages in a minute get one short "slow down" reply;
4. the update is dispatched (buttons by their data, text by :func:`carbon_credit.chat.nlu.parse`); every rule
   is a carbon_credit service's; a DomainError becomes its message in the person's language, anything
   else propagates (the adapters log it and answer a generic message);
5. state, pending action and the last 30 transcript entries are saved on the ChatSession.
See docs/chat.md.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime

from sqlmodel import Session

from carbon_credit import residents
from carbon_credit.chat import (
    account,
    clauses,
    flows,
    linking,
    privacy_chat,
    registry_chat,
    replies,
    rewards_chat,
    sessions,
    start,
    transit_chat,
)
from carbon_credit.chat.models import ChatSession
from carbon_credit.chat.nlu import parse
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import MAX_BUTTON_DATA, Incoming, Reply
from carbon_credit.platform import clock, idempotency
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from carbon_credit.platform.settings import Settings
from carbon_credit.platform.text import without_control_characters
from carbon_credit.residents import Resident

ACCOUNT_COMMANDS = {
    "log": flows.start,
    "balance": account.balance,
    "history": account.latest,
    "stats": account.statistics,
    "rewards": rewards_chat.catalogue,
    "redeem": rewards_chat.catalogue,
    "privacy": privacy_chat.overview,
    "donate": registry_chat.offer,
}
COMMAND_BUTTONS = {*ACCOUNT_COMMANDS, "start", "help", "cancel", "lang"}
YES = {"yes", "y", "ok", "confirm", "确认", "是", "好", "好的", "对"}
BUTTON = re.compile(r"[a-z]{1,12}(?::[A-Za-z0-9_-]{1,50})?")
"""The shape of every button this chat makes (``ok:<id>``, ``redeem:12``, ``lang:zh_Hans``); anything else
("redeem:²", "ok:٣", "log:未知", overlong data) is answered "not recognised", never an error."""


def handle(
    *, session: Session, settings: Settings, incoming: Incoming, now: datetime | None = None
) -> list[Reply]:
    """Handle one update of one person and return the replies to send (see the module docstring)."""
    now = now or clock.now()
    if incoming.text:  # control characters (NUL ...) never reach the parser or the stored transcript
        incoming = dataclasses.replace(incoming, text=without_control_characters(incoming.text))
    chat = sessions.open_session(session=session, incoming=incoming)
    resident = _resident(session, chat, incoming)
    if resident is not None:
        residents.mark_active(session=session, resident_id=resident.id, now=now)
    locale = sessions.locale_of(chat, resident, incoming.language_hint)
    memo = _memo(session, chat, incoming)
    replayed = _replayed(memo, locale)
    if replayed is not None:
        return replayed
    if sessions.over_limit(chat, settings, now):
        session.add(chat)
        session.flush()
        return [Reply(translate("chat_slow_down", locale))]
    turn = Turn.begin(
        db=session, settings=settings, chat=chat, incoming=incoming, now=now, locale=locale, resident=resident
    )
    said = _said(turn)  # before the dispatch: the label of a pressed button is in the transcript so far
    try:
        answer = _dispatch(turn)
    except DomainError as error:
        answer = [Reply(message(error, turn.locale))]
    _save(turn, said, answer, memo)
    return answer


def _replayed(memo: dict | None, locale: str) -> list[Reply] | None:
    """The stored replies of an update seen before (its key reused for another update: the refusal)."""
    if memo is None:
        return None
    try:
        stored = idempotency.recall(**memo)
    except DomainError as error:
        return [Reply(message(error, locale))]
    return None if stored is None else [replies.from_json(reply) for reply in stored["replies"]]


def _save(turn: Turn, said: str, answer: list[Reply], memo: dict | None) -> None:
    """Keep the exchange in the transcript, the dialogue's state on the session, the replies for a replay."""
    stored = [replies.to_json(reply) for reply in answer]
    sessions.append_transcript(turn.data, "me", {"text": said})
    for reply in stored:
        sessions.append_transcript(turn.data, "bot", reply)
    sessions.save(turn.chat, state=turn.state, data=turn.data, now=turn.now, session=turn.db)
    if memo is not None:
        idempotency.remember(**memo, outcome={"replies": stored})


def _dispatch(turn: Turn) -> list[Reply]:
    if turn.incoming.button is not None:
        return _on_button(turn, turn.incoming.button)
    text = (turn.incoming.text or "").strip()
    return _on_text(turn, text) if text else _unknown(turn)


def _on_button(turn: Turn, data: str) -> list[Reply]:
    if len(data.encode()) > MAX_BUTTON_DATA or not BUTTON.fullmatch(data):
        return _bad(turn)
    name, _, arg = data.partition(":")
    if not arg and name == "no":
        return _cancel(turn)
    if not arg:
        return _command(turn, name, ()) if name in COMMAND_BUTTONS else _bad(turn)
    if name == "lang":
        return account.set_language(turn, arg)
    if turn.resident is None:
        return start.link_needed(turn)
    if name == "ok":
        return flows.confirm(turn, arg)
    if name == "log":
        return flows.choose_behaviour(turn, arg)
    if name in replies.CHOICE_FIELD.values():
        return flows.choose(turn, name, arg)
    if name == "redeem":
        return rewards_chat.choose(turn, arg)
    if name == "consent":
        return privacy_chat.pressed(turn, arg)
    if name == "give":
        return registry_chat.choose(turn, arg)
    return _bad(turn)


def _bad(turn: Turn) -> list[Reply]:
    """A button this chat never made (or an old one whose meaning is gone): said plainly, with the menu."""
    return [turn.with_menu("chat_bad_button")]


def _on_text(turn: Turn, text: str) -> list[Reply]:
    pending = turn.pending
    if turn.state == flows.CONFIRM and pending and text.lower().rstrip("!.。！") in YES:
        return flows.confirm(turn, pending["id"])
    parsed = parse(text)
    if parsed.intent not in ("log", "unknown"):
        return _command(turn, parsed.intent, parsed.args)
    if turn.resident is None:
        return start.link_needed(turn)
    if parsed.behaviour == "transit" and parsed.reason != "negated":
        return transit_chat.explain(turn)  # trips come from evidence: never declared in the chat
    if parsed.reason in clauses.MOODS:  # denied, planned or asked about: nothing to log
        return [turn.with_menu(f"chat_not_done_{parsed.reason}")]
    complete = parsed.intent == "log" and parsed.behaviour and not parsed.missing and not parsed.reason
    if turn.state == flows.AMOUNT and not complete:
        return flows.amount(turn, text)
    if parsed.intent == "log":
        return flows.free_text(turn, parsed.behaviour, dict(parsed.inputs), parsed.reason)
    if parsed.reason == "ambiguous":
        return [turn.with_menu("chat_ambiguous")]
    return _unknown(turn)


def _command(turn: Turn, name: str, args: tuple[str, ...]) -> list[Reply]:
    if name == "start":
        return start.start(turn, args)
    if name == "help":
        return start.help_text(turn)
    if name == "cancel":
        return _cancel(turn)
    if name == "lang":
        return account.set_language(turn, args[0]) if args else account.ask_language(turn)
    if name == "delete_account":
        return account.deletion_page(turn)
    if name in ACCOUNT_COMMANDS or name == "consent":
        if turn.resident is None:
            return start.link_needed(turn)
        return privacy_chat.switch(turn, *args) if name == "consent" else ACCOUNT_COMMANDS[name](turn)
    return _unknown(turn)


def _cancel(turn: Turn) -> list[Reply]:
    return [turn.with_menu("chat_cancelled" if turn.clear() else "chat_nothing_to_cancel")]


def _unknown(turn: Turn) -> list[Reply]:
    if turn.resident is None:
        return start.link_needed(turn)
    return [turn.with_menu("chat_unknown")]


def _resident(session: Session, chat: ChatSession, incoming: Incoming) -> Resident | None:
    """The web's logged-in resident, or the resident this Telegram user is linked to (None if not linked).
    A session whose resident is no longer the one linked loses its dialogue and transcript."""
    resident = None
    if incoming.channel == "web" and incoming.resident_id is not None:
        resident = session.get(Resident, incoming.resident_id)
    elif incoming.channel == "telegram" and incoming.external_id.isdigit():
        resident = linking.telegram_holder(session=session, telegram_user_id=int(incoming.external_id))
    if resident is not None and not resident.is_active:
        resident = None
    known = resident.id if resident is not None else None
    if chat.resident_id not in (None, known):  # unlinked since (consent withdrawn...): the dialogue ends
        chat.state, chat.data = "idle", {}
    chat.resident_id = known
    return resident


def _memo(session: Session, chat: ChatSession, incoming: Incoming) -> dict | None:
    if not incoming.update_key:
        return None
    asked = idempotency.fingerprint(incoming.text, incoming.button)
    return {"session": session, "scope": f"chat-{incoming.channel}", "owner_id": chat.id,
            "key": incoming.update_key, "asked": asked}  # fmt: skip


def _said(turn: Turn) -> str:
    """What the person did, for the transcript: the text, or the label of the button pressed."""
    data = turn.incoming.button
    if data is None:
        return turn.incoming.text or ""
    for entry in reversed(turn.data.get("transcript", [])):
        for row in entry.get("buttons", []):
            for pressed in row:
                if pressed["data"] == data:
                    return pressed["label"]
    return without_control_characters(data)[:MAX_BUTTON_DATA]
