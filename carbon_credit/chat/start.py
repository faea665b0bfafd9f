"""``/start`` and its deep-link payloads, help, and what an unlinked Telegram user is told.

Payloads (Telegram allows 64 characters of ``A-Za-z0-9_-``): ``link_<code>`` links the Telegram account with
a one-time code from the web account page (:mod:`carbon_credit.chat.linking`); ``stop_<token>`` taps in or
out at a stop exactly like scanning its QR poster (:func:`carbon_credit.transit.scan`).
"""

from __future__ import annotations

import secrets

from carbon_credit import rewards, transit
from carbon_credit.chat import linking
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply


def start(turn: Turn, args: tuple[str, ...]) -> list[Reply]:
    """``/start`` with an optional payload."""
    payload = args[0] if args else ""
    if payload.startswith("link_"):
        return link(turn, payload.removeprefix("link_"))
    if payload.startswith("stop_"):
        if turn.resident is None:
            return link_needed(turn)
        return stop(turn, payload.removeprefix("stop_"))
    return welcome(turn)


def welcome(turn: Turn) -> list[Reply]:
    """The greeting: with the balance when the person is known, else how to link an account."""
    greeting = turn.say("chat_welcome")
    if turn.resident is None:
        return [greeting, *link_needed(turn)]
    points = rewards.points_balance(session=turn.db, resident_id=turn.resident.id)
    return [greeting, turn.with_menu("chat_welcome_back", name=turn.resident.display_name, points=points)]


def help_text(turn: Turn) -> list[Reply]:
    """``/help``: what can be typed, examples and commands (and how to link, when not linked yet)."""
    if turn.resident is None:
        return link_needed(turn)
    return [turn.with_menu("chat_help")]


def link_needed(turn: Turn) -> list[Reply]:
    """For a Telegram user without a linked account: how to link, then the help with examples."""
    return [turn.say("chat_link_needed"), turn.say("chat_help")]


def link(turn: Turn, code: str) -> list[Reply]:
    """``/start link_<code>``: link this Telegram user to the code's web account."""
    if turn.incoming.channel != "telegram" or not turn.incoming.external_id.isdigit():
        return welcome(turn)
    resident = linking.link_telegram(
        session=turn.db, code=code, telegram_user_id=int(turn.incoming.external_id), now=turn.now
    )
    turn.resident = resident
    turn.chat.resident_id = resident.id
    if not turn.chat.locale:
        turn.locale = resident.locale
    return [turn.with_menu("chat_linked", name=resident.display_name)]


def stop(turn: Turn, token: str) -> list[Reply]:
    """``/start stop_<token>``: the same as scanning the stop's QR code (same rules, same refusals)."""
    key = f"chat-{turn.incoming.channel}-{turn.incoming.update_key or secrets.token_urlsafe(12)}"
    result = transit.scan(
        session=turn.db,
        settings=turn.settings,
        resident_id=turn.resident.id,
        token=token,
        idempotency_key=key[:120],
        now=turn.now,
    )
    name = result.stop_name_en if turn.locale == "en" else result.stop_name_zh
    if result.kind == "tapped_in":
        return [turn.say("chat_tapped_in", stop=name)]
    if result.kind == "trip_credited":
        km = round((result.metres or 0) / 1000, 1)
        return [turn.with_menu("chat_trip_credited", stop=name, km=km, points=result.points)]
    return [turn.with_menu(result.reason or "domain_error", **result.params)]
