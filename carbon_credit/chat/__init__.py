"""The channel-neutral chat dialogue: text or a button press in -> intent -> service call -> replies.

Owns the dialogue engine (``handle``: lock, replay, rate limit, dispatch, save), free-text understanding,
the guided and free-text logging with its preview (activities admission), the chat's account, rewards and
transit answers, chat sessions with their transcript, and linking a Telegram account by one-time code.
Adapters (bot/ for Telegram, webapp/chat/ for the web chat page; later WeChat or SMS) turn their updates
into :class:`Incoming` and send the :class:`Reply` objects back; every rule stays in carbon_credit.
"""

from carbon_credit.chat.engine import handle
from carbon_credit.chat.linking import CODE_MINUTES, create_link_code, link_telegram, linked_telegram_id
from carbon_credit.chat.models import ChatSession, LinkCode
from carbon_credit.chat.sessions import web_transcript
from carbon_credit.chat.types import Button, Incoming, Reply

__all__ = [
    "CODE_MINUTES",
    "Button",
    "ChatSession",
    "Incoming",
    "LinkCode",
    "Reply",
    "create_link_code",
    "handle",
    "link_telegram",
    "linked_telegram_id",
    "web_transcript",
]
