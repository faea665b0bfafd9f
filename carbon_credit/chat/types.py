"""Plain values crossing between the chat engine and its channel adapters."""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = ("telegram", "web")
MAX_BUTTON_DATA = 64  # Telegram's callback_data limit, in bytes


@dataclass(frozen=True, slots=True)
class Button:
    """A button under a reply: ``label`` is shown, ``data`` comes back as :attr:`Incoming.button`; a button
    with a ``url`` opens that page instead (its ``data`` is not sent back)."""

    label: str
    data: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send: text, optional rows of buttons, optional PNG photo (a voucher's QR code)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo: bytes | None = None


@dataclass(frozen=True, slots=True)
class Incoming:
    """One thing a person did in a chat: typed ``text`` (maybe a /command) or pressed a ``button``."""

    channel: str  # "telegram" | "web"
    external_id: str  # the person on that channel: Telegram user id, or the web resident id, as text
    text: str | None = None
    button: str | None = None
    update_key: str | None = (
        None  # the channel's id of this update (Telegram update_id): retries are replayed
    )
    language_hint: str | None = None  # e.g. Telegram's language_code, used until the person chooses
    resident_id: int | None = None  # known on the web (the logged-in resident); Telegram links by /start
    display_name: str | None = None
