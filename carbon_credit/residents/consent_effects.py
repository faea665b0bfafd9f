"""What a consent allows, refused without it, and what withdrawing it undoes at once (PIPL Art. 15, 47).

:func:`require_consent` is the one check every feature passes before it uses personal information under a
switch; each purpose refuses with its own message (carbon_credit/platform/messages/consent.py and
consent_enforcement.py), which says what was not done and where to turn the switch on.

Withdrawing ``card`` unlinks the transit card (the number and the time its ownership was proved), and
withdrawing ``chat`` unlinks the Telegram account, in the transaction that records the withdrawal, so the
next operator file credits nobody with that card and the bot no longer knows who the Telegram user is. Only
the resident's own row is changed here: the features above act on the withdrawal when they next decide (an
administrator's approval of a waiting card claim is refused, carbon_credit.transit.card_claims; the dialogue
of an unlinked Telegram account ends at its next message, carbon_credit.chat.engine).
"""

from __future__ import annotations

from carbon_credit.platform.errors import DomainError
from carbon_credit.residents.models import Resident

REFUSALS = {
    "notice": "notice_not_accepted",
    "trips": "transit_consent_required",
    "card": "card_consent_required",
    "photos": "photos_consent_required",
    "chat": "chat_consent_required",
    "leaderboard": "leaderboard_consent_required",
    "weekly_summary": "weekly_summary_consent_required",
}
"""The DomainError code refusing each purpose's use without consent."""

UNLINKED = {"card": ("transit_card", "transit_card_since"), "chat": ("telegram_id",)}
"""The resident's columns each withdrawal clears."""


def refusal(purpose: str) -> DomainError:
    """The error refusing a use of ``purpose`` the resident has not consented to."""
    return DomainError(REFUSALS[purpose])


def undo_on_withdrawal(resident: Resident, purpose: str) -> bool:
    """Clear on the resident's row what ``purpose`` allowed (``card``: the transit card; ``chat``: the
    Telegram link); True when something was linked. The caller adds and flushes the row."""
    columns = UNLINKED.get(purpose, ())
    linked = any(getattr(resident, column) is not None for column in columns)
    for column in columns:
        setattr(resident, column, None)
    return linked
