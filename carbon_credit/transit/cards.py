"""Residents' transit cards: the card number a transit operator's trip file names (see
carbon_credit.transit.operator_imports). One card per resident and one resident per card (unique column).

Linking and unlinking are naturally idempotent (the same card twice changes nothing), so the forms need no
idempotency key beyond that.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents import Resident

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


def link_card(*, session: Session, resident_id: int, card: str) -> str:
    """Link ``card`` to the resident (replacing their previous card); refused with ``transit_card_taken``
    when it is linked to someone else. Returns the normalised number."""
    number = normalise_card(card)
    resident = session.get(Resident, resident_id, with_for_update=True)
    if resident is None:
        raise NotFound(what="resident", resident_id=resident_id)
    owner = session.execute(select(Resident.id).where(Resident.transit_card == number)).scalar_one_or_none()
    if owner is not None and owner != resident_id:
        raise DomainError("transit_card_taken")
    if resident.transit_card == number:
        return number
    try:
        with session.begin_nested():
            resident.transit_card = number
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
    resident.transit_card = None
    session.add(resident)
    session.flush()
    return True
