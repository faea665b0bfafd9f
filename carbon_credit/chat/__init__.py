"""The channel-neutral chat dialogue: text or a button press in -> intent -> service call -> replies.

Adapters (bot/ for Telegram, webapp/chat.py for the web chat page; later WeChat or SMS) turn their updates
into :class:`Incoming` and send the :class:`Reply` objects back; every rule stays in carbon_credit.
"""

from carbon_credit.chat.types import Button, Incoming, Reply

__all__ = ["Button", "Incoming", "Reply"]
