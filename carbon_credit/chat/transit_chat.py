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

CARD_PAGE = "/account/card"
"""The web page where a resident links a transit card (webapp.transit, endpoint ``transit.card``)."""


def explain(turn: Turn) -> list[Reply]:
    """How trips are credited (scan the stop's QR code boarding and alighting; a linked transit card), a
    button to the card page and the menu; any entry being built is dropped."""
    turn.clear()
    card = replies.link(turn.t("chat_btn_link_card"), turn.settings.public_base_url + CARD_PAGE)
    return [turn.say("chat_transit_by_qr", ((card,), *replies.menu(turn.locale)))]
