"""Registration offers the optional switches (transit card, photo evidence, chat account link) beside transit
trips, each off unless ticked, and records the ones chosen on channel "web"; the privacy page says before
the switch what turning it off undoes, and turning the card off there unlinks it at once."""

from __future__ import annotations

import re

from sqlalchemy import select

from carbon_credit import residents, transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from tests.webapp.conftest import PASSWORD

CARD = "31040000000066"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _fields(login: str, consent_fields, **chosen) -> dict:
    base = {"login": login, "display_name": "小赵", "district": "", "password": PASSWORD, "confirm": PASSWORD}
    return {**base, **consent_fields(trips=chosen.pop("trips", False)), **chosen}


def _resident(engine, login: str) -> int:
    with read_session(engine) as session:
        return session.execute(select(Resident.id).where(Resident.phone == login)).scalar_one()


def test_the_page_offers_the_optional_switches_all_off(client):
    page = _text(client.get("/register"))
    for name in ("card", "photos", "chat", "trips"):
        box = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
        assert box and "checked" not in box.group(0) and 'role="switch"' in box.group(0)
    assert "绑定我的公交卡" in page and "保存我随记录提交的照片" in page and "绑定我的 Telegram" in page
    assert "每项默认关闭" in page


def test_registration_records_the_switches_chosen_on_the_web(client, engine, consent_fields):
    fields = _fields("13900139100", consent_fields, card="y", chat="y")
    assert client.submit("/register", fields).status_code == 302
    resident = _resident(engine, "13900139100")
    with read_session(engine) as session:
        consents = residents.consents_of(session=session, resident_id=resident)
    assert consents.state == {
        "trips": False,
        "card": True,
        "photos": False,
        "chat": True,
        "leaderboard": False,
        "weekly_summary": False,
    }
    assert sorted((r.purpose, r.channel) for r in consents.history) == [
        ("card", "web"),
        ("chat", "web"),
        ("notice", "web"),
    ]


def test_registration_without_ticks_records_only_the_notice(client, engine, consent_fields):
    assert client.submit("/register", _fields("13900139101", consent_fields, trips=True)).status_code == 302
    with read_session(engine) as session:
        consents = residents.consents_of(session=session, resident_id=_resident(engine, "13900139101"))
    assert {purpose for purpose, on in consents.state.items() if on} == {"trips"}


def test_a_login_that_has_an_account_gets_the_same_answer_and_no_new_consents(client, engine, consent_fields):
    assert client.submit("/register", _fields("13900139102", consent_fields)).status_code == 302
    again = client.submit("/register", _fields("13900139102", consent_fields, photos="y"))
    assert again.status_code == 302
    with read_session(engine) as session:
        consents = residents.consents_of(session=session, resident_id=_resident(engine, "13900139102"))
    assert consents.state["photos"] is False and len(consents.history) == 1


def test_the_privacy_page_says_what_turning_off_does_and_unlinks_the_card(client, engine, register):
    login = register(login="13900139103")
    page = _text(client.get("/account/privacy"))
    assert "关闭后将解除绑定的交通卡" in page and "关闭后将解除绑定的 Telegram 账号" in page
    resident = _resident(engine, login)
    with session_scope(engine) as session:
        transit.link_card(session=session, resident_id=resident, card=CARD)
    client.submit("/account/privacy", {"trips": "y", "photos": "y", "chat": "y"})  # card off
    with read_session(engine) as session:
        assert transit.card_of(session=session, resident_id=resident) is None
        assert not residents.has_consent(session=session, resident_id=resident, purpose="card")
