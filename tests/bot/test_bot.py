"""The Telegram adapter, through the real python-telegram-bot against a fake Bot API server.

The first tests script the engine's answers (the service layer is replaced, never PTB) to pin down how
updates become ``Incoming`` and how ``Reply`` objects reach Telegram; the journeys further down run the
real dialogue engine on the test database.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
from datetime import timedelta

import pytest
from fake_bot_api import Person, feed
from sqlalchemy import select

import carbon_credit.chat as chat_engine
from bot.__main__ import ALLOWED_UPDATES, mode, webhook_problem
from bot.app import build_application
from carbon_credit import ledger, rewards
from carbon_credit.chat import Button, Incoming, Reply, create_link_code
from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.i18n import translate
from carbon_credit.residents import Resident
from carbon_credit.rewards.models import Reward
from carbon_credit.stops.models import Stop
from carbon_credit.stops.tokens import sign_stop
from carbon_credit.transit.models import TapIn
from quantification import quantify

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def scripted(monkeypatch):
    """Replace the engine with a script: records each Incoming, answers with ``scripted.replies``."""

    class Script:
        def __init__(self) -> None:
            self.incoming: list[Incoming] = []
            self.replies: list[Reply] = [Reply("好的")]

        def handle(self, *, session, settings, incoming, now=None):
            self.incoming.append(incoming)
            return list(self.replies)

    script = Script()
    monkeypatch.setattr(chat_engine, "handle", script.handle)
    return script


def keyboard(params: dict) -> list[list[tuple[str, str]]]:
    """(label, callback_data) rows of a sent message's inline keyboard."""
    rows = json.loads(params["reply_markup"])["inline_keyboard"]
    return [[(b["text"], b.get("callback_data") or b["url"]) for b in row] for row in rows]


# -- the adapter -----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_commands_reach_the_engine_as_text_with_their_deep_link_payload(make_app, bot_api, scripted):
    alice = Person(user_id=7001, first_name="Alice", language_code="zh-hans")
    async with make_app() as app:
        update_id = await feed(app, alice.message("/start link_AbC-123"))
        await feed(app, alice.message("/balance@carbon_test_bot"))
    first, second = scripted.incoming
    assert first == Incoming(
        channel="telegram",
        external_id="7001",
        text="/start link_AbC-123",
        update_key=str(update_id),
        language_hint="zh-hans",
        display_name="Alice",
    )
    assert second.text == "/balance"
    assert [(p["chat_id"], p["text"]) for p in bot_api.sent()] == [("7001", "好的"), ("7001", "好的")]


@pytest.mark.asyncio
async def test_free_text_and_unknown_commands_go_to_the_engine(make_app, scripted):
    bob = Person(user_id=7002, language_code=None)
    async with make_app() as app:
        await feed(app, bob.message("回收了2公斤纸"))
        await feed(app, bob.message("/whatever"))
    assert [i.text for i in scripted.incoming] == ["回收了2公斤纸", "/whatever"]
    assert scripted.incoming[0].language_hint is None


@pytest.mark.asyncio
async def test_buttons_are_sent_as_an_inline_keyboard_and_a_press_comes_back_as_button_data(
    make_app, bot_api, scripted
):
    carol = Person(user_id=7003)
    scripted.replies = [Reply("确认？", buttons=((Button("确认", "ok:1"), Button("取消", "no:1")),))]
    async with make_app() as app:
        await feed(app, carol.message("回收了2公斤纸"))
        [sent] = bot_api.sent()
        assert keyboard(sent) == [[("确认", "ok:1"), ("取消", "no:1")]]
        scripted.replies = [Reply("已记录")]
        await feed(app, carol.press("ok:1"))
    assert scripted.incoming[-1].button == "ok:1" and scripted.incoming[-1].text is None
    [answered] = bot_api.of("answerCallbackQuery")
    assert answered["callback_query_id"].startswith("cq")
    [edited] = bot_api.of("editMessageReplyMarkup")  # the pressed keyboard is taken away
    assert edited["chat_id"] == "7003" and "reply_markup" not in edited
    assert bot_api.sent()[-1]["text"] == "已记录"


@pytest.mark.asyncio
async def test_a_voucher_qr_code_is_sent_as_a_photo_with_its_caption(make_app, bot_api, scripted):
    scripted.replies = [Reply("兑换成功：券码 ABCD", photo=PNG)]
    async with make_app() as app:
        await feed(app, Person(user_id=7004).message("/redeem"))
    [photo] = bot_api.of("sendPhoto")
    assert photo["photo"] == PNG
    assert photo["caption"] == "兑换成功：券码 ABCD" and photo["chat_id"] == "7004"


@pytest.mark.asyncio
async def test_text_over_telegrams_limit_is_sent_in_parts_with_the_buttons_on_the_last(
    make_app, bot_api, scripted
):
    lines = [f"第{n}行：" + "积" * 90 for n in range(100)]  # about 9,500 characters
    scripted.replies = [Reply("\n".join(lines), buttons=((Button("更多", "more"),),))]
    async with make_app() as app:
        await feed(app, Person(user_id=7005).message("/history"))
    parts = bot_api.sent()
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert "".join(p["text"] for p in parts) == "\n".join(lines)
    assert ["reply_markup" in p for p in parts] == [False, False, True]


@pytest.mark.asyncio
async def test_group_chats_and_edited_messages_are_ignored(make_app, bot_api, scripted):
    dan = Person(user_id=7006)
    group = dan.message("/balance")
    group["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "小区群"}
    edited = dan.message("回收了2公斤纸")
    edited["edited_message"] = edited.pop("message")
    async with make_app() as app:
        await feed(app, group)
        await feed(app, edited)
    assert scripted.incoming == [] and bot_api.sent() == []


@pytest.mark.asyncio
async def test_polling_takes_updates_from_get_updates_and_answers(make_app, bot_api, scripted):
    bot_api.pending_updates.append(Person(user_id=7008).message("/help"))
    async with make_app() as app:
        await app.updater.start_polling(poll_interval=0.05, allowed_updates=ALLOWED_UPDATES)
        await app.start()
        for _ in range(200):
            if bot_api.sent():
                break
            await asyncio.sleep(0.05)
        await app.updater.stop()
        await app.stop()
    assert [i.text for i in scripted.incoming] == ["/help"]
    assert bot_api.sent()[0]["text"] == "好的"
    assert json.loads(bot_api.of("getUpdates")[0]["allowed_updates"]) == ["message", "callback_query"]


def test_the_process_chooses_local_polling_or_webhook_mode(base_settings):
    assert mode(base_settings) == "local"
    with_token = base_settings.with_overrides(telegram_bot_token="1:x")
    assert mode(with_token) == "polling"
    webhook = with_token.with_overrides(telegram_webhook_url="https://bot.example.org/telegram")
    assert mode(webhook) == "webhook"
    assert "TELEGRAM_WEBHOOK_SECRET" in webhook_problem(webhook)  # forged updates must be refused
    with_secret = webhook.with_overrides(telegram_webhook_secret="s3cret-value")
    if importlib.util.find_spec("tornado") is None:
        assert "webhooks" in webhook_problem(with_secret)
    else:
        assert webhook_problem(with_secret) is None


# -- journeys through the real dialogue engine ------------------------------------------------------------


@pytest.fixture
def linked(engine, make_resident):
    """Factory: a resident whose account is already linked to Telegram user ``user_id``; returns its id."""

    def make(user_id: int, **overrides) -> int:
        resident_id = make_resident(**overrides)
        with session_scope(engine) as session:
            session.get(Resident, resident_id).telegram_id = user_id
        return resident_id

    return make


def balance(engine, resident_id: int) -> int:
    with read_session(engine) as session:
        return rewards.points_balance(session=session, resident_id=resident_id)


def button_data(api, prefix: str) -> str:
    """The callback data of the newest button sent whose data starts with ``prefix``."""
    for params in reversed(api.sent()):
        if "reply_markup" in params:
            for row in keyboard(params):
                for _label, data in row:
                    if data.startswith(prefix):
                        return data
    raise AssertionError(f"no {prefix!r} button in {[p.get('text') for p in api.sent()]}")


def texts(api) -> list[str]:
    return [p.get("text") or p.get("caption") or "" for p in api.sent()]


def promised(api) -> int:
    """The points the last preview promised ("…，7826 积分？"): admission decides, confirming credits them."""
    preview = next(text for text in reversed(texts(api)) if "积分？" in text)
    return int(re.search(r"(\d+) 积分？", preview).group(1))


@pytest.mark.asyncio
@pytest.mark.parametrize(("language_code", "locale"), [("zh-hans", "zh_Hans"), ("en", "en")])
async def test_start_welcomes_in_the_persons_telegram_language(make_app, bot_api, language_code, locale):
    async with make_app() as app:
        await feed(app, Person(user_id=8001, language_code=language_code).message("/start"))
    sent = texts(bot_api)
    assert sent[0] == translate("chat_welcome", locale)
    assert translate("chat_link_needed", locale) in sent  # not linked yet: told how to link


@pytest.mark.asyncio
async def test_linking_an_account_by_deep_link(make_app, bot_api, engine, make_resident):
    resident_id = make_resident(display_name="王芳")
    with session_scope(engine) as session:
        code = create_link_code(session=session, resident_id=resident_id).code
    fang = Person(user_id=8002)
    async with make_app() as app:
        await feed(app, fang.message(f"/start link_{code}"))
        assert "王芳" in texts(bot_api)[-1]
        await feed(app, fang.message("/balance"))
    with read_session(engine) as session:
        assert session.get(Resident, resident_id).telegram_id == 8002
    assert translate("chat_link_needed", "zh_Hans") not in texts(bot_api)


@pytest.mark.asyncio
async def test_tapping_in_and_out_by_stop_deep_links_credits_the_trip(
    make_app, bot_api, engine, settings, linked
):
    resident_id = linked(8003)
    with session_scope(engine) as session:
        seed_demo_transit(session=session)
        stops = {s.code: s for s in session.execute(select(Stop)).scalars()}
    on, off = (
        sign_stop(stops[c].id, stops[c].token_version, settings.qr_signing_key) for c in ("XG1-01", "XG1-04")
    )
    rider = Person(user_id=8003)
    async with make_app() as app:
        await feed(app, rider.message(f"/start stop_{on}"))
        assert "孝感火车站" in texts(bot_api)[-1]
        with session_scope(engine) as session:  # the bus ride takes ten minutes
            tap = session.execute(select(TapIn).where(TapIn.status == "open")).scalar_one()
            tap.tapped_in_at = tap.tapped_in_at - timedelta(minutes=10)
        await feed(app, rider.message(f"/start stop_{off}"))
    credited = balance(engine, resident_id)
    assert credited > 0
    assert "孝感市中心医院" in texts(bot_api)[-1] and f"+{credited}" in texts(bot_api)[-1]


@pytest.mark.asyncio
async def test_logging_recycling_by_free_text_credits_the_published_factor(
    make_app, bot_api, engine, settings, linked
):
    resident_id = linked(8004)
    grams = quantify("recycling", material="mixed_paper", kg="2").grams
    mei = Person(user_id=8004)
    async with make_app() as app:
        await feed(app, mei.message("回收了2公斤纸"))
        assert f"{grams / 1000:.1f} kg CO2e" in texts(bot_api)[-1] and balance(engine, resident_id) == 0
        expected = promised(bot_api)
        await feed(app, mei.press(button_data(bot_api, "ok:")))
    assert texts(bot_api)[-1].startswith(translate("chat_recorded", "zh_Hans", points=expected))
    assert balance(engine, resident_id) == expected


@pytest.mark.asyncio
async def test_logging_recycling_by_buttons(make_app, bot_api, engine, settings, linked):
    resident_id = linked(8005)
    lei = Person(user_id=8005)
    async with make_app() as app:
        await feed(app, lei.message("/start"))
        await feed(app, lei.press("log"))
        await feed(app, lei.press(button_data(bot_api, "log:recycling")))
        await feed(app, lei.press(button_data(bot_api, "material:mixed_paper")))
        assert texts(bot_api)[-1] == translate("chat_ask_kg", "zh_Hans")
        await feed(app, lei.message("2"))
        await feed(app, lei.press(button_data(bot_api, "ok:")))
    assert balance(engine, resident_id) == promised(bot_api)
    assert len(bot_api.of("answerCallbackQuery")) == 4  # every press was acknowledged


@pytest.mark.asyncio
async def test_redeeming_a_reward_sends_the_voucher_qr_code_as_a_photo(
    make_app, bot_api, engine, linked, make_resident
):
    resident_id = linked(8006)
    merchant_id = make_resident(role="merchant")
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident_id)
        ledger.post(session=session, posting=ledger.Posting(account, 500, "earn", "seed-8006"))
        reward = Reward(name_zh="公交券", name_en="Bus ride", cost=100, stock=5, merchant_id=merchant_id)
        session.add(reward)
        session.flush()
        reward_id = reward.id
    yan = Person(user_id=8006)
    async with make_app() as app:
        await feed(app, yan.message("/rewards"))
        await feed(app, yan.press(button_data(bot_api, f"redeem:{reward_id}")))
        await feed(app, yan.press(button_data(bot_api, "ok:")))
    [photo] = bot_api.of("sendPhoto")
    assert photo["photo"].startswith(b"\x89PNG")
    with read_session(engine) as session:
        [(voucher, _)] = rewards.vouchers_of(session=session, resident_id=resident_id)
    assert voucher.code in photo["caption"]
    assert balance(engine, resident_id) == 400


@pytest.mark.asyncio
async def test_the_same_update_delivered_twice_credits_once(make_app, bot_api, engine, settings, linked):
    resident_id = linked(8007)
    jun = Person(user_id=8007)
    async with make_app() as app:
        await feed(app, jun.message("回收了2公斤纸"))
        confirm = jun.press(button_data(bot_api, "ok:"))
        await feed(app, confirm)
        await feed(app, confirm)  # Telegram resends an update it thinks was lost
    assert balance(engine, resident_id) == promised(bot_api)
    assert texts(bot_api)[-1] == texts(bot_api)[-2]  # the first answer, replayed


@pytest.mark.asyncio
async def test_a_double_pressed_confirm_button_credits_once(make_app, bot_api, engine, settings, linked):
    resident_id = linked(8008)
    ping = Person(user_id=8008)
    async with make_app() as app:
        await feed(app, ping.message("回收了2公斤纸"))
        data = button_data(bot_api, "ok:")
        await feed(app, ping.press(data))
        await feed(app, ping.press(data))
    expected = promised(bot_api)
    assert balance(engine, resident_id) == expected
    assert texts(bot_api)[-1].startswith(translate("chat_already_recorded", "zh_Hans", points=expected))


@pytest.mark.asyncio
async def test_a_restarted_bot_continues_a_half_finished_dialogue(
    make_app, bot_api, engine, settings, linked
):
    resident_id = linked(8009)
    qiang = Person(user_id=8009)
    async with make_app() as app:
        await feed(app, qiang.press("log"))
        await feed(app, qiang.press("log:recycling"))
        await feed(app, qiang.press("material:mixed_paper"))
    async with make_app() as restarted:  # a new process on the same database
        await feed(restarted, qiang.message("2"))
        await feed(restarted, qiang.press(button_data(bot_api, "ok:")))
    assert balance(engine, resident_id) == promised(bot_api)


@pytest.mark.asyncio
async def test_an_unexpected_error_gets_a_friendly_answer_and_the_next_update_still_works(
    make_app, bot_api, engine, linked, monkeypatch, caplog
):
    linked(8010)
    real_handle = chat_engine.handle

    def fail_once(**kwargs):
        monkeypatch.setattr(chat_engine, "handle", real_handle)
        raise RuntimeError("database on fire")

    monkeypatch.setattr(chat_engine, "handle", fail_once)
    hui = Person(user_id=8010)
    async with make_app() as app:
        await feed(app, hui.message("/balance"))
        await feed(app, hui.message("/balance"))
    apology, *answer = texts(bot_api)
    assert "请稍后再试" in apology and "try again later" in apology
    assert "database on fire" not in apology
    assert answer == [translate("chat_balance", "zh_Hans", points=0)]
    assert "database on fire" in caplog.text  # logged with its traceback for the operator


# -- what the chat never does: declare a trip, fail on an odd button --------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("data", ["redeem:²", "redeem:٣", "log:未知", "ok:١٢３", "ok:", "x" * 64, "日" * 21])
async def test_an_odd_button_value_gets_a_plain_answer(make_app, bot_api, engine, linked, data):
    linked(8020)
    async with make_app() as app:
        await feed(app, Person(user_id=8020).press(data))
    assert texts(bot_api)[-1] == translate("chat_bad_button", "zh_Hans")
    assert translate("domain_error", "zh_Hans") not in "\n".join(texts(bot_api))


@pytest.mark.asyncio
async def test_a_bus_ride_is_explained_with_a_link_to_the_card_page_never_logged(
    bot_api, bot_settings, engine, linked
):
    resident_id = linked(8021)
    served = bot_settings.with_overrides(public_base_url="https://cc.example.cn")
    async with build_application(served, base_url=bot_api.base_url, engine=engine) as app:
        await feed(app, Person(user_id=8021).message("坐公交8公里"))
    [sent] = [params for params in bot_api.sent() if "扫描站牌上的二维码" in params.get("text", "")]
    rows = keyboard(sent)
    assert rows[0] == [("绑定公交卡", "https://cc.example.cn/account/card")]
    assert not any(data.startswith("ok:") for row in rows for _label, data in row)
    assert balance(engine, resident_id) == 0


@pytest.mark.asyncio
async def test_an_http_link_is_left_out_of_the_keyboard(make_app, bot_api, linked):
    linked(8022)
    async with make_app() as app:  # the test server's http://127.0.0.1 address: Telegram would refuse it
        await feed(app, Person(user_id=8022).message("坐公交8公里"))
    sent = next(params for params in bot_api.sent() if "扫描站牌上的二维码" in params.get("text", ""))
    assert all(not label.startswith("绑定公交卡") for row in keyboard(sent) for label, _data in row)
