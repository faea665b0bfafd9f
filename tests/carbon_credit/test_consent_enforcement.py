"""Consent is enforced where personal information is taken (PIPL Art. 14, 29): a photo with an activity, a
transit card and a Telegram link each need their switch on. The refusal says, in the resident's language,
what was not done and where to turn the switch on (/account/privacy); turning it on lets the same request
through, and withdrawing it stops the next one at once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from carbon_credit import chat, residents, transit
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)
CARD = "31040000000077"


def switch(engine, resident: int, purpose: str, granted: bool) -> None:
    with session_scope(engine) as session:
        residents.set_consent(
            session=session, resident_id=resident, purpose=purpose, granted=granted, channel="web"
        )


def refused(call) -> str:
    with pytest.raises(DomainError) as refusal:
        call()
    return refusal.value.code


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("photos_consent_required", "照片证明", "Photo evidence"),
        ("card_consent_required", "公交卡", "Transit card"),
        ("chat_consent_required", "聊天账号绑定", "Chat account link"),
    ],
)
def test_each_refusal_names_the_switch_and_the_privacy_page(code, zh, en):
    assert "/account/privacy" in translate(code, "zh_Hans") and zh in translate(code, "zh_Hans")
    assert "/account/privacy" in translate(code, "en") and en in translate(code, "en")


# ---- photos ---------------------------------------------------------------------------------------------


def record(engine, settings, resident: int, key: str, photo: str | None = "trees.jpg"):
    item = ActivityInput(
        resident, "tree_planting", {"trees": "2"}, "web", key, None, photo, {"species": "broadleaf"}
    )
    with session_scope(engine) as session:
        return record_activity(session=session, settings=settings, item=item).id


def activities_of(engine, resident: int) -> int:
    with read_session(engine) as session:
        query = select(func.count()).select_from(Activity).where(Activity.resident_id == resident)
        return session.execute(query).scalar_one()


def test_a_photo_without_photos_consent_is_refused_and_nothing_is_recorded(engine, settings, make_resident):
    resident = make_resident(consents=False)
    assert refused(lambda: record(engine, settings, resident, "with-photo")) == "photos_consent_required"
    assert activities_of(engine, resident) == 0
    assert record(engine, settings, resident, "no-photo", photo=None)  # without a photo: recorded
    switch(engine, resident, "photos", True)
    assert record(engine, settings, resident, "with-photo")  # the same entry, once consent is given
    assert activities_of(engine, resident) == 2


def test_withdrawing_photos_consent_refuses_the_next_photo_at_once(engine, settings, make_resident):
    resident = make_resident()
    assert record(engine, settings, resident, "first")
    switch(engine, resident, "photos", False)
    assert refused(lambda: record(engine, settings, resident, "second")) == "photos_consent_required"
    assert record(engine, settings, resident, "first")  # a retry of the entry already recorded still answers


# ---- transit cards --------------------------------------------------------------------------------------


def claim(engine, settings, resident: int):
    with session_scope(engine) as session:
        return transit.claim_card(session=session, settings=settings, resident_id=resident, card=CARD)


def link(engine, resident: int):
    with session_scope(engine) as session:
        return transit.link_card(session=session, resident_id=resident, card=CARD)


def card_of(engine, resident: int):
    with read_session(engine) as session:
        return transit.card_of(session=session, resident_id=resident)


def test_a_card_claim_without_card_consent_is_refused(engine, settings, make_resident):
    resident = make_resident(consents=False)
    assert refused(lambda: claim(engine, settings, resident)) == "card_consent_required"
    with read_session(engine) as session:
        assert transit.claim_waiting(session=session, resident_id=resident) is None  # nothing kept
    switch(engine, resident, "card", True)
    assert claim(engine, settings, resident).status == "review"


def test_a_direct_link_needs_card_consent_too(engine, make_resident):
    resident = make_resident()
    switch(engine, resident, "card", False)
    assert refused(lambda: link(engine, resident)) == "card_consent_required"
    assert card_of(engine, resident) is None
    switch(engine, resident, "card", True)
    assert link(engine, resident) == CARD


# ---- chat -----------------------------------------------------------------------------------------------


def new_code(engine, resident: int) -> str:
    with session_scope(engine) as session:
        return chat.create_link_code(session=session, resident_id=resident, now=T0).code


def link_telegram(engine, code: str, telegram_id: int = 4242):
    with session_scope(engine) as session:
        return chat.link_telegram(session=session, code=code, telegram_user_id=telegram_id, now=T0).id


def telegram_of(engine, resident: int):
    with read_session(engine) as session:
        return chat.linked_telegram_id(session=session, resident_id=resident)


def test_no_link_code_without_chat_consent(engine, make_resident):
    resident = make_resident(consents=False)
    assert refused(lambda: new_code(engine, resident)) == "chat_consent_required"
    switch(engine, resident, "chat", True)
    assert link_telegram(engine, new_code(engine, resident)) == resident
    assert telegram_of(engine, resident) == 4242


def test_a_code_made_before_chat_consent_was_withdrawn_no_longer_links(engine, make_resident):
    resident = make_resident()
    code = new_code(engine, resident)
    switch(engine, resident, "chat", False)
    assert refused(lambda: link_telegram(engine, code)) == "chat_consent_required"
    assert telegram_of(engine, resident) is None
    switch(engine, resident, "chat", True)
    assert link_telegram(engine, code) == resident  # the code was not used up by the refusal


def test_the_bot_answers_a_refused_link_with_the_message(engine, settings, make_resident):
    resident = make_resident(locale="en")
    code = new_code(engine, resident)
    switch(engine, resident, "chat", False)
    incoming = chat.Incoming(
        "telegram", "4242", text=f"/start link_{code}", update_key="u1", language_hint="en"
    )
    with session_scope(engine) as session:
        replies = chat.handle(session=session, settings=settings, incoming=incoming, now=T0)
    assert any("/account/privacy" in r.text and "Chat account link" in r.text for r in replies)
    assert telegram_of(engine, resident) is None
