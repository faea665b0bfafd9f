"""One turn of the dialogue: who is speaking, in which language, where the dialogue stands, and the pending
action waiting for the person's confirmation (kept in ChatSession.state/data, so a restart continues)."""

from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from carbon_credit.chat import replies
from carbon_credit.chat.models import ChatSession
from carbon_credit.chat.types import Incoming, Reply
from carbon_credit.platform.i18n import translate
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import Resident

DONE_KEPT = 5  # confirmed actions remembered, so a second press of the same Confirm says "already done"
IDLE = "idle"


@dataclass
class Turn:
    """Everything a handler needs; handlers change ``state``, ``data`` and ``locale``; the engine saves."""

    db: Session
    settings: Settings
    chat: ChatSession
    incoming: Incoming
    now: datetime
    locale: str
    resident: Resident | None
    state: str
    data: dict[str, Any]

    @classmethod
    def begin(cls, *, db, settings, chat, incoming, now, locale, resident) -> Turn:
        data = copy.deepcopy(chat.data or {})
        return cls(db, settings, chat, incoming, now, locale, resident, chat.state or IDLE, data)

    def t(self, message_code: str, /, **params: Any) -> str:
        """The message ``message_code`` in the person's language."""
        return translate(message_code, self.locale, **params)

    def say(self, message_code: str, buttons=(), /, **params: Any) -> Reply:
        """A reply with the message and optional button rows."""
        return Reply(self.t(message_code, **params), tuple(buttons))

    def with_menu(self, message_code: str, /, **params: Any) -> Reply:
        """A reply followed by the main menu."""
        return Reply(self.t(message_code, **params), replies.menu(self.locale))

    @property
    def pending(self) -> dict[str, Any] | None:
        """The action being built or waiting for confirmation, or None."""
        return self.data.get("pending")

    def new_pending(self, **values: Any) -> dict[str, Any]:
        """Start a new pending action with a fresh random id (its idempotency key once confirmed)."""
        pending = {"id": secrets.token_urlsafe(9), **values}
        self.data["pending"] = pending
        return pending

    def consume(self) -> dict[str, Any]:
        """Take the pending action for execution: it leaves the dialogue and joins the recently done."""
        pending = self.data.pop("pending")
        self.data["done"] = [*self.data.get("done", []), pending][-DONE_KEPT:]
        self.state = IDLE
        return pending

    def done(self, pending_id: str) -> dict[str, Any] | None:
        """A recently confirmed action by id (a second press of its Confirm button)."""
        return next((d for d in self.data.get("done", []) if d["id"] == pending_id), None)

    def clear(self) -> bool:
        """Drop any half-built action; True if there was one."""
        had = self.state != IDLE or "pending" in self.data
        self.data.pop("pending", None)
        self.state = IDLE
        return had
