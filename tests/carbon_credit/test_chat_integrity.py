"""The chat credits only what was said, never declares a trip, and answers odd buttons and stale
confirmations in plain words (issue 13): what a resident on Telegram or the web chat meets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from test_chat_engine import T0, TG, balance, buttons, confirm_data, count, linked, promised, say, texts

from carbon_credit.activities import Activity
from carbon_credit.chat import ChatSession, Reply
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.rewards.models import Reward, Voucher

SHARED_FIXTURES = (say, linked)  # a person on Telegram, linked to a resident (test_chat_engine)


def url_buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.label: b.url for reply in replies for row in reply.buttons for b in row if b.url}


# --- transit: explained, never declared --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["坐公交8公里", "坐地铁12公里", "今天坐了5公里公交", "took the bus 5 km"])
def test_asked_to_log_a_bus_ride_the_chat_explains_the_qr_flow_and_logs_nothing(say, linked, engine, text):
    replies = say(text)
    assert "扫描站牌上的二维码" in texts(replies) or "scan the QR code" in texts(replies)
    assert url_buttons(replies) == {"绑定公交卡": "/account/card"} or url_buttons(replies) == {
        "Link a transit card": "/account/card"
    }
    assert not any(data.startswith("ok:") for data in buttons(replies))
    assert count(engine, Activity) == 0


def test_the_log_menu_offers_no_transit_and_old_transit_buttons_explain(say, linked, engine):
    assert "log:transit" not in buttons(say(button="log"))
    for data in ("log:transit", "mode:bus", "mode:metro"):
        assert "扫描站牌上的二维码" in texts(say(button=data))
    assert "确认" not in texts(say("确认"))  # nothing was waiting for a confirmation
    assert count(engine, Activity) == 0


def test_a_transit_entry_left_from_before_is_never_confirmed(say, linked, engine):
    with session_scope(engine) as db:
        chat = db.execute(select(ChatSession).where(ChatSession.external_id == TG)).scalar_one()
        chat.state = "confirm"
        pending = {"id": "oldtransit01", "kind": "log", "behaviour": "transit"}
        chat.data = {**chat.data, "pending": {**pending, "inputs": {"mode": "bus", "km": "8"}}}
    replies = say(button="ok:oldtransit01")
    assert "二维码" in texts(replies)
    assert count(engine, Activity) == 0


# --- what was said: negations, plans, questions ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("今天没骑车", "没有记录"),
        ("冇走路", "没有记录"),
        ("我没去回收", "没有记录"),
        ("下周准备去回收旧衣服", "计划还不能记录"),
        ("明天打算走路上班", "计划还不能记录"),
        ("走一万步能换多少积分?", "问题"),
        ("种了3盆花", "没看懂"),
    ],
)
def test_what_was_not_done_is_never_logged(say, linked, engine, text, answer):
    replies = say(text)
    assert answer in texts(replies)
    assert not any(data.startswith("ok:") for data in buttons(replies))
    assert count(engine, Activity) == 0


def test_one_action_beside_a_denied_one_logs_the_action(say, linked, engine):
    preview = say("今天走了8000步，没坐公交")
    assert "步行 8000 步" in texts(preview)
    assert f"+{promised(preview)}" in texts(say(button=confirm_data(preview)))
    assert count(engine, Activity) == 1


def test_a_temperature_is_not_the_amount(say, linked):
    assert "步行 8000 步" in texts(say("今天32度，走了8000步"))
    assert "节约用电 5 度" in texts(say("气温35度，在家省电5度"))


def test_a_spoken_weight_is_read_exactly(say, linked):
    assert "铜线 0.15 公斤" in texts(say("卖了三两铜线")).replace("（", "").replace("）", "")
    assert "1.25 公斤" in texts(say("废品站卖了二斤半纸壳子"))


# --- odd button values -------------------------------------------------------------------------------------

ODD = [
    "redeem:²",
    "redeem:٣",
    "redeem:１",
    "redeem:-1",
    "redeem:0",
    "redeem:" + "9" * 40,
    "log:未知",
    "log:nothing",
    "ok:١٢٣",
    "ok:",
    "ok:abc\x00",
    "mode:",
    "material:uranium",
    "lang:klingon",
    "x" * 65,
    "日" * 30,
    ":",
    "link",
    "",
]


@pytest.mark.parametrize("data", ODD, ids=[repr(d)[:20] for d in ODD])
def test_an_odd_button_value_gets_a_plain_answer(say, linked, engine, data):
    replies = say(button=data)
    said = texts(replies)
    assert said and "Traceback" not in said
    plain = ("无法识别", "失效", "未找到该奖品", "语言", "没看懂")
    assert any(words in said for words in plain)
    assert count(engine, Activity) == 0 and count(engine, Voucher) == 0


def test_an_odd_button_in_english(say, linked):
    say(button="lang:en")
    assert "not recognised" in texts(say(button="redeem:²"))


# --- expired confirmations ---------------------------------------------------------------------------------


def test_a_preview_confirmed_too_late_is_worked_out_again_not_dropped(say, linked, engine):
    preview = say("走了8000步")
    late = say(button=confirm_data(preview), now=T0 + timedelta(minutes=31))
    assert "预览已过期" in texts(late) and "步行 8000 步" in texts(late)
    assert count(engine, Activity) == 0
    assert confirm_data(late) != confirm_data(preview)
    assert f"+{promised(late)}" in texts(say(button=confirm_data(late), now=T0 + timedelta(minutes=32)))
    assert count(engine, Activity) == 1


def test_a_preview_from_before_midnight_is_worked_out_again(say, linked, engine):
    evening = datetime(2026, 6, 5, 15, 55, tzinfo=UTC)  # 23:55 in Beijing
    preview = say("走了8000步", now=evening)
    after = say(button=confirm_data(preview), now=evening + timedelta(minutes=10))
    assert "预览已过期" in texts(after) and count(engine, Activity) == 0


def test_confirming_after_starting_something_else_says_so(say, linked, engine):
    first = say("走了8000步")
    say("回收了1公斤塑料瓶")
    replies = say(button=confirm_data(first))
    assert "确认已经失效" in texts(replies) and "log" in buttons(replies)
    assert count(engine, Activity) == 0


def test_an_expired_redemption_is_asked_again(say, linked, engine, make_resident):
    with session_scope(engine) as db:
        reward = Reward(name_zh="公交券", name_en="Bus ride", cost=100, stock=5, merchant_id=make_resident())
        db.add(reward)
        db.flush()
        reward_id = reward.id
    say(button=confirm_data(say("省电1度")))
    asked = say(button=f"redeem:{reward_id}")
    again = say(button=confirm_data(asked), now=T0 + timedelta(hours=1))
    assert "预览已过期" in texts(again) and "公交券" in texts(again)
    assert count(engine, Voucher) == 0


# --- admission's refusals are shown as its message -------------------------------------------------------


def test_a_refusal_of_admission_in_the_preview_is_its_message(say, linked, engine, monkeypatch):
    from carbon_credit.chat import flows

    def refuse(**_):
        raise DomainError("reward_not_found")  # any catalogue message: admission's own codes vary

    monkeypatch.setattr(flows, "preview", refuse)
    replies = say("走了8000步")
    assert "log" in buttons(replies) and not any(d.startswith("ok:") for d in buttons(replies))
    with read_session(engine) as db:
        chat = db.execute(select(ChatSession).where(ChatSession.external_id == TG)).scalar_one()
    assert chat.state == "idle" and balance(engine, linked) == 0
