"""Transit cards: a resident links one card (8-20 digits), nobody else's, and can unlink it."""

from __future__ import annotations

import pytest

from carbon_credit import transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError


def link(engine, resident: int, card: str) -> str:
    with session_scope(engine) as session:
        return transit.link_card(session=session, resident_id=resident, card=card)


def card_of(engine, resident: int) -> str | None:
    with read_session(engine) as session:
        return transit.card_of(session=session, resident_id=resident)


def test_a_card_is_linked_without_spaces_and_can_be_replaced_and_unlinked(engine, make_resident):
    me = make_resident()
    assert card_of(engine, me) is None
    assert link(engine, me, " 3104 0000-0000 01 ") == "31040000000001"
    assert link(engine, me, "31040000000001") == "31040000000001"  # again: nothing changes
    link(engine, me, "12345678")
    assert card_of(engine, me) == "12345678"
    with session_scope(engine) as session:
        assert transit.unlink_card(session=session, resident_id=me) is True
        assert transit.unlink_card(session=session, resident_id=me) is False
    assert card_of(engine, me) is None


@pytest.mark.parametrize("card", ["", "1234567", "1" * 21, "12ab5678", "１２３４５６７８９"])
def test_malformed_card_numbers_are_refused(engine, make_resident, card):
    me = make_resident()
    with pytest.raises(DomainError) as refused:
        link(engine, me, card)
    assert refused.value.code == "invalid_transit_card"
    assert card_of(engine, me) is None


def test_a_card_linked_to_someone_else_is_refused_until_they_unlink_it(engine, make_resident):
    first, second = make_resident(), make_resident()
    link(engine, first, "31040000000009")
    with pytest.raises(DomainError) as refused:
        link(engine, second, "31040000000009")
    assert refused.value.code == "transit_card_taken"
    with session_scope(engine) as session:
        transit.unlink_card(session=session, resident_id=first)
    assert link(engine, second, "31040000000009") == "31040000000009"
