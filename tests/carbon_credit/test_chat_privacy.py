"""Privacy in the chat as a resident meets it on Telegram or the web chat: "隐私设置" lists the switches,
"关闭行程授权" turns one off at once, turning trips on first says what it allows and waits for Confirm, and
every change is recorded with channel "chat". Withdrawing the chat link from Telegram ends the dialogue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from carbon_credit import residents, transit
from carbon_credit.chat import Incoming, Reply, create_link_code, handle
from carbon_credit.chat.types import MAX_BUTTON_DATA
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import ConsentRecord, Resident

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)
TG = "555077"
CARD = "31040000000099"
keys = iter(range(1, 10**6))


def texts(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.data: b.label for reply in replies for row in reply.buttons for b in row}


def urls(replies: list[Reply]) -> list[str]:
    return [b.url for reply in replies for row in reply.buttons for b in row if b.url]


@pytest.fixture
def say(engine, settings):
    """``say(text)`` / ``say(button=...)``: one update, in its own unit of work, as the bot sends it."""

    def send(text=None, *, button=None, who=TG, channel="telegram", now=T0, resident_id=None):
        incoming = Incoming(
            channel, who, text=text, button=button, update_key=f"u{next(keys)}", resident_id=resident_id
        )
        with session_scope(engine) as db:
            replies = handle(session=db, settings=settings, incoming=incoming, now=now)
        assert replies and all(len(data.encode()) <= MAX_BUTTON_DATA for data in buttons(replies))
        return replies

    return send


@pytest.fixture
def linked(engine, make_resident, say):
    """A resident (trips, card, photos and chat on; leaderboard and weekly summary off) linked to TG."""
    resident_id = make_resident(display_name="小陈")
    with session_scope(engine) as db:
        code = create_link_code(session=db, resident_id=resident_id, now=T0).code
    assert "小陈" in texts(say(f"/start link_{code}"))
    return resident_id


def state(engine, resident_id: int) -> dict[str, bool]:
    with read_session(engine) as db:
        return residents.consents_of(session=db, resident_id=resident_id).state


def latest(engine, resident_id: int, purpose: str) -> ConsentRecord | None:
    with read_session(engine) as db:
        query = (
            select(ConsentRecord)
            .where(ConsentRecord.resident_id == resident_id, ConsentRecord.purpose == purpose)
            .order_by(ConsentRecord.id.desc())
        )
        return db.execute(query.limit(1)).scalar_one_or_none()


def records(engine, resident_id: int) -> int:
    with read_session(engine) as db:
        return len(residents.consents_of(session=db, resident_id=resident_id).history)


@pytest.mark.parametrize("asked", ["隐私设置", "我的授权", "/privacy", "privacy settings", "My consents"])
def test_asking_lists_each_switch_with_a_button_to_flip_it_and_the_privacy_page(say, linked, asked):
    answer = say(asked)
    said = texts(answer)
    assert "乘车行程：已开启" in said and "排行榜：已关闭" in said and "每周小结：已关闭" in said
    assert {"consent:off-trips", "consent:off-card", "consent:on-leaderboard"} <= set(buttons(answer))
    assert buttons(answer)["consent:off-trips"] == "关闭：乘车行程"
    assert any(url.endswith("/account/privacy") for url in urls(answer))


# (what the resident types, the purpose, its state afterwards, words of the reply)
SWITCHED_AT_ONCE = [
    ("关闭行程授权", "trips", False, "已关闭“乘车行程”"),
    ("取消照片授权", "photos", False, "已关闭“照片证明”"),
    ("开启排行榜", "leaderboard", True, "已开启“排行榜”"),
    ("打开每周小结授权", "weekly_summary", True, "已开启“每周小结”"),
    ("关闭公交卡授权", "card", False, "已关闭“公交卡”"),
]


@pytest.mark.parametrize(("typed", "purpose", "after", "words"), SWITCHED_AT_ONCE)
def test_switching_by_text_takes_effect_at_once_and_is_recorded_on_the_chat_channel(
    engine, say, linked, typed, purpose, after, words
):
    assert words in texts(say(typed))
    assert state(engine, linked)[purpose] is after
    record = latest(engine, linked, purpose)
    assert (record.granted, record.channel) == (after, "chat")
    before = records(engine, linked)
    assert "没有变化" in texts(say(typed))  # said again: nothing recorded twice
    assert records(engine, linked) == before


def test_turning_trips_on_quotes_what_it_allows_and_waits_for_confirm(engine, settings, say, linked):
    say("关闭行程授权")
    asked = say("开启行程授权")
    assert "行踪轨迹" in texts(asked) and "敏感个人信息" in texts(asked)
    assert f"{settings.public_base_url}/privacy" in texts(asked) and any(
        u.endswith("/privacy") for u in urls(asked)
    )
    assert state(engine, linked)["trips"] is False  # nothing yet
    confirm = next(data for data in buttons(asked) if data.startswith("ok:"))
    assert "已开启“乘车行程”" in texts(say(button=confirm))
    assert state(engine, linked)["trips"] is True and latest(engine, linked, "trips").channel == "chat"
    say("关闭行程授权")
    again = texts(say(button=confirm))  # the old Confirm never turns it back on
    assert "已经处理过" in again and state(engine, linked)["trips"] is False


def test_typing_yes_confirms_and_cancel_leaves_trips_off(engine, say, linked):
    say("turn off trips")
    say("开启行程授权")
    assert "已取消" in texts(say("取消"))
    assert state(engine, linked)["trips"] is False
    say("turn on trips consent")
    assert "已开启“乘车行程”" in texts(say("确认")) and state(engine, linked)["trips"] is True


def test_an_old_confirmation_is_asked_again_not_carried_out(engine, say, linked):
    say("关闭行程授权")
    confirm = next(d for d in buttons(say("开启行程授权")) if d.startswith("ok:"))
    late = say(button=confirm, now=T0 + timedelta(hours=1))
    assert "已过期" in texts(late) and state(engine, linked)["trips"] is False
    fresh = next(d for d in buttons(late) if d.startswith("ok:"))
    say(button=fresh, now=T0 + timedelta(hours=1))
    assert state(engine, linked)["trips"] is True


def test_the_card_button_unlinks_the_card_and_says_so(engine, say, linked):
    with session_scope(engine) as db:
        transit.link_card(session=db, resident_id=linked, card=CARD)
    answer = texts(say(button="consent:off-card"))
    assert "已关闭“公交卡”" in answer and "交通卡已解除绑定" in answer
    with read_session(engine) as db:
        assert transit.card_of(session=db, resident_id=linked) is None


def test_withdrawing_the_chat_link_from_telegram_ends_the_dialogue(engine, say, linked):
    answer = texts(say("关闭聊天授权"))
    assert "这个 Telegram 账号已解除绑定" in answer
    with read_session(engine) as db:
        assert db.get(Resident, linked).telegram_id is None
    assert latest(engine, linked, "chat").channel == "chat"
    assert "请先绑定" in texts(say("余额"))  # no longer the resident
    assert "请先绑定" in texts(say("隐私设置"))


def test_the_web_chat_switches_too_and_unlinks_telegram_without_ending_itself(engine, say, linked):
    web = {"who": str(linked), "channel": "web", "resident_id": linked}
    say("English", **web)
    answer = texts(say("turn off chat", **web))
    assert "“Chat account link” is off" in answer and "Telegram account was unlinked" in answer
    assert latest(engine, linked, "chat").channel == "chat"
    assert "Your balance" in texts(say("balance", **web))  # the web chat itself goes on


def test_a_button_this_chat_never_made_changes_nothing(engine, say, linked):
    before = records(engine, linked)
    for data in ("consent:maybe-trips", "consent:off-notice", "consent:off-nothing"):
        assert "无法识别" in texts(say(button=data))
    assert records(engine, linked) == before


def test_deleting_the_account_still_points_to_the_web_page(say, linked):
    answer = texts(say("删除我的账号"))
    assert "/account/delete" in answer
