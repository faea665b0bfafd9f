"""Bus trips in the chat: explained, never declared.

Trips are credited only from evidence (docs/transit.md): a pair of stop QR scans (tap in when boarding, tap
out when getting off) or the operator's trip records of a linked transit card. So the chat offers no transit
entry: asked to log a ride ("坐公交8公里", an old ``log:transit`` or ``mode:bus`` button), it explains
the QR flow with a button to the transit card page, and logs nothing.
"""

from __future__ import annotations

from carbon_credit.chat import replies
from carbon_credit.chat.turn import Turn
from carbon_credit.chat.types import Reply
from carbon_credit.platform.settings import link_base

CARD_PAGE = "/account/card"
"""The web page where a resident links a transit card (webapp.transit, endpoint ``transit.card``)."""


def explain(turn: Turn) -> list[Reply]:
    """How trips are credited (scan the stop's QR code boarding and alighting; a linked transit card), a
    button to the card page (``PUBLIC_BASE_URL`` + path; without it the path alone, which the web chat opens
    on its own site and the bot leaves out) and the menu; any entry being built is dropped."""
    turn.clear()
    card = replies.link(turn.t("chat_btn_link_card"), link_base(turn.settings) + CARD_PAGE)
    return [turn.say("chat_transit_by_qr", ((card,), *replies.menu(turn.locale)))]
