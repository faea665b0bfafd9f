"""Residents' transit cards: the card number a transit operator's trip file names (see
carbon_credit.transit.operator_imports). One card per resident and one resident per card (unique column).

Residents claim a card with proof (carbon_credit.transit.card_claims); :func:`link_card` is the direct link
an administrator confirms (or a test sets up). Linking and unlinking are naturally idempotent (the same card
twice changes nothing). Linking needs the resident's consent to ``card`` (carbon_credit.residents), and
withdrawing it unlinks the card at once.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents import Resident, require_consent

CARD = re.compile(r"^\d{8,20}$")  # operator card numbers: 8 to 20 digits
_SEPARATORS = re.compile(r"[\s\-]")


def normalise_card(raw: str | None) -> str:
    """The card number without spaces or hyphens; DomainError ``invalid_transit_card`` unless 8-20 digits."""
    card = _SEPARATORS.sub("", raw or "")
    if not CARD.match(card) or not card.isascii():
        raise DomainError("invalid_transit_card")
    return card


def card_of(*, session: Session, resident_id: int) -> str | None:
    """The resident's linked card number, or None."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    return resident.transit_card


def link_card(*, session: Session, resident_id: int, card: str, since: datetime | None = None) -> str:
    """Link ``card`` to the resident as ownership an administrator confirmed (replacing their previous
    card), proved from ``since`` (None: the card was always theirs); refused with ``transit_card_taken``
    when it is linked to someone else. Returns the normalised number. Residents use ``claim_card``."""
    number = normalise_card(card)
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    require_consent(session=session, resident_id=resident_id, purpose="card")  # card_consent_required
    owner = session.execute(select(Resident.id).where(Resident.transit_card == number)).scalar_one_or_none()
    if owner is not None and owner != resident_id:
        raise DomainError("transit_card_taken")
    if resident.transit_card == number:
        return number
    try:
        with session.begin_nested():
            resident.transit_card, resident.transit_card_since = number, since
            session.add(resident)
            session.flush()
    except IntegrityError:  # linked by someone else at the same moment
        raise DomainError("transit_card_taken") from None
    return number


def unlink_card(*, session: Session, resident_id: int) -> bool:
    """Remove the resident's card; returns False when there was none."""
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    if resident.transit_card is None:
        return False
    resident.transit_card, resident.transit_card_since = None, None
    session.add(resident)
    session.flush()
    return True
