"""The transit card page as a resident uses it: typing a number is not enough to take a card; naming one
recent trip on it is; a card that is already someone's goes to an administrator, who decides on /admin."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from carbon_credit import residents, transit
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.stops import Stop

CARD = "31040000000088"


def card_of(engine, phone: str) -> str | None:
    with read_session(engine) as session:
        return session.execute(select(Resident.transit_card).where(Resident.phone == phone)).scalar_one()


def test_a_card_number_alone_links_nothing_a_named_trip_does(client, engine, settings, register):
    ridden = clock.now() - timedelta(days=2)
    with session_scope(engine) as session:
        session.add(
            Stop(code="XG001", name_zh="槐荫公园", name_en="Huaiyin Park", latitude=30.92, longitude=113.9)
        )
        session.flush()
        transit.remember_card_trips(
            session=session, settings=settings, trips=[(CARD, "XG001", ridden)], now=clock.now()
        )
    phone = register()
    typed = client.submit("/account/card", {"action": "link", "card": CARD})
    assert typed.status_code == 400 and "请选择上车站点" in typed.get_data(as_text=True)
    assert card_of(engine, phone) is None  # before: linked, and the owner's trips became this resident's
    page = client.get("/account/card").get_data(as_text=True)
    assert "槐荫公园 (XG001)" in page
    day = clock.local_day(ridden).isoformat()
    proved = client.submit(
        "/account/card", {"action": "link", "card": CARD, "trip_day": day, "boarding_stop": "XG001"}
    )
    assert proved.status_code == 302 and card_of(engine, phone) == CARD
    # A second resident names the same trip: the claim waits for an administrator.
    client.submit("/logout", form_page="/")
    second = register()
    waiting = client.submit(
        "/account/card", {"action": "link", "card": CARD, "trip_day": day, "boarding_stop": "XG001"}
    )
    assert waiting.status_code == 302 and card_of(engine, second) is None
    assert "等待管理员审核" in client.get("/account/card").get_data(as_text=True)


def test_an_administrator_decides_a_waiting_claim(client, engine, register, make_resident, login):
    phone = register()
    asked = client.submit("/account/card", {"action": "ask_admin", "card": CARD})
    assert asked.status_code == 302 and card_of(engine, phone) is None
    client.submit("/logout", form_page="/")
    make_resident(role="admin", email="admin@example.org", password="correct-horse-9")
    login("admin@example.org")
    queue = client.get("/admin/card-claims").get_data(as_text=True)
    assert CARD in queue
    action = re.search(r'action="(/admin/card-claims/\d+/approve)"', queue).group(1)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', queue).group(1)
    decided = client.submit(action, {"idempotency_key": key}, form_page="/admin/card-claims")
    assert decided.status_code == 302 and card_of(engine, phone) == CARD
    assert "没有待审核的认领" in client.get("/admin/card-claims").get_data(as_text=True)


def test_two_claims_decided_from_one_page_each_get_their_own_decision(
    client, engine, register, make_resident, login
):
    """Each claim's forms carry their own key: deciding the second claim is not a replay of the first."""
    phones = []
    for card in (CARD, "31040000000099"):
        phones.append(register())
        assert client.submit("/account/card", {"action": "ask_admin", "card": card}).status_code == 302
        client.submit("/logout", form_page="/")
    make_resident(role="admin", email="admin@example.org", password="correct-horse-9")
    login("admin@example.org")
    queue = client.get("/admin/card-claims").get_data(as_text=True)
    assert "<title>公交卡认领审核 · " in queue and not re.search(r"<th[^>]*>\s*</th>", queue)
    assert "小王" in queue  # the claimant by name, not only an id
    cards = queue.split('data-testid="card-claim"')[1:]
    decisions = []
    for card in cards:
        action = re.search(r'action="(/admin/card-claims/\d+/approve)"', card).group(1)
        key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', card).group(1)
        decisions.append((action, key))
    assert len({key for _, key in decisions}) == 2
    for action, key in decisions:
        decided = client.submit(action, {"idempotency_key": key}, form_page="/admin/card-claims")
        assert decided.status_code == 302
    assert {card_of(engine, phone) for phone in phones} == {CARD, "31040000000099"}


def test_a_claim_whose_claimant_withdrew_consent_is_flagged_and_can_only_be_rejected(
    client, engine, register, make_resident, login
):
    """The claimant turned the card consent off after asking: approving would be refused, so the queue says
    why and offers only the rejection."""
    phone = register()
    assert client.submit("/account/card", {"action": "ask_admin", "card": CARD}).status_code == 302
    client.submit("/logout", form_page="/")
    with session_scope(engine) as session:
        claimant = session.execute(select(Resident.id).where(Resident.phone == phone)).scalar_one()
        residents.set_consent(
            session=session, resident_id=claimant, purpose="card", granted=False, channel="web"
        )
    make_resident(role="admin", email="admin@example.org", password="correct-horse-9")
    login("admin@example.org")
    queue = client.get("/admin/card-claims").get_data(as_text=True)
    assert CARD in queue and "认领人已撤回关联公交卡的授权" in queue
    assert "/approve" not in queue
    action = re.search(r'action="(/admin/card-claims/\d+/reject)"', queue).group(1)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', queue).group(1)
    assert client.submit(action, {"idempotency_key": key}, form_page="/admin/card-claims").status_code == 302
    assert "没有待审核的认领" in client.get("/admin/card-claims").get_data(as_text=True)
    assert card_of(engine, phone) is None
