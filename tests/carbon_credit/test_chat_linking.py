"""Linking a Telegram account with a one-time code: valid once, for ten minutes, never stealing another
resident's link; and the same through the bot's ``/start link_<code>``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from carbon_credit.chat import (
    ChatSession,
    Incoming,
    create_link_code,
    handle,
    link_telegram,
    linked_telegram_id,
)
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import translate
from carbon_credit.residents import Resident

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)
TELEGRAM_START = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what Telegram accepts as a start parameter


@pytest.fixture
def new_code(engine):
    def make(resident_id: int, now: datetime = T0) -> str:
        with session_scope(engine) as db:
            return create_link_code(session=db, resident_id=resident_id, now=now).code

    return make


def link(engine, code: str, telegram_user_id: int = 4242, now: datetime = T0) -> Resident:
    with session_scope(engine) as db:
        return link_telegram(session=db, code=code, telegram_user_id=telegram_user_id, now=now)


def refusal(engine, code: str, **kwargs) -> str:
    with pytest.raises(DomainError) as caught:
        link(engine, code, **kwargs)
    return caught.value.code


def test_a_code_fits_a_telegram_deep_link_and_links_the_account(engine, make_resident, new_code):
    resident_id = make_resident()
    code = new_code(resident_id)
    assert re.fullmatch(r"[A-Za-z0-9]{10}", code) and TELEGRAM_START.fullmatch(f"link_{code}")
    assert link(engine, code, now=T0 + timedelta(minutes=9)).id == resident_id
    with read_session(engine) as db:
        assert linked_telegram_id(session=db, resident_id=resident_id) == 4242


def test_codes_differ(engine, make_resident, new_code):
    resident_id = make_resident()
    assert len({new_code(resident_id) for _ in range(20)}) == 20


def test_a_code_expires_after_ten_minutes(engine, make_resident, new_code):
    code = new_code(make_resident())
    assert refusal(engine, code, now=T0 + timedelta(minutes=10)) == "link_code_expired"
    assert "10" in translate("link_code_expired", "en", minutes=10)


def test_a_code_works_once(engine, make_resident, new_code):
    code = new_code(make_resident())
    link(engine, code)
    assert refusal(engine, code, telegram_user_id=777) == "link_code_used"


@pytest.mark.parametrize("code", ["", "nope", "bad code!", "x" * 40, "link_abc"])
def test_an_unknown_or_malformed_code_is_invalid(engine, make_resident, new_code, code):
    new_code(make_resident())
    assert refusal(engine, code) == "link_code_invalid"


def test_a_telegram_account_linked_elsewhere_is_not_moved(engine, make_resident, new_code):
    first, second = make_resident(), make_resident()
    link(engine, new_code(first))
    assert refusal(engine, new_code(second)) == "telegram_already_linked"
    with read_session(engine) as db:
        assert db.get(Resident, first).telegram_id == 4242 and db.get(Resident, second).telegram_id is None


def test_linking_the_same_pair_again_is_fine(engine, make_resident, new_code):
    resident_id = make_resident()
    link(engine, new_code(resident_id))
    assert link(engine, new_code(resident_id)).id == resident_id


# --- through the bot ---------------------------------------------------------------------------------------


def start(engine, settings, payload: str, who: str = "4242", now: datetime = T0, hint: str | None = None):
    incoming = Incoming("telegram", who, text=f"/start {payload}", update_key=payload, language_hint=hint)
    with session_scope(engine) as db:
        return "\n".join(r.text for r in handle(session=db, settings=settings, incoming=incoming, now=now))


def test_start_link_links_and_greets_by_name(engine, settings, make_resident, new_code):
    resident_id = make_resident(display_name="小张")
    assert "已绑定账号：小张" in start(engine, settings, f"link_{new_code(resident_id)}")
    with read_session(engine) as db:
        assert db.get(Resident, resident_id).telegram_id == 4242
        chat = db.execute(select(ChatSession)).scalar_one()
    assert chat.resident_id == resident_id


def test_start_link_refusals_are_explained(engine, settings, make_resident, new_code):
    resident_id = make_resident(locale="en")
    expired = new_code(resident_id, now=T0 - timedelta(minutes=11))
    assert "expired" in start(engine, settings, f"link_{expired}", hint="en")
    assert "not valid" in start(engine, settings, "link_WRONG12345", hint="en")
    used = new_code(resident_id)
    start(engine, settings, f"link_{used}", who="1")
    assert "already used" in start(engine, settings, f"link_{used}", who="2", hint="en")
