"""The chat dialogue engine as a person on Telegram (or the web) meets it: commands, guided and free-text
logging with confirmation, idempotent updates and buttons, state across restarts, the rate limit, transit
deep links and redeeming a voucher with its QR code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import campaigns, ledger
from carbon_credit.activities import Activity
from carbon_credit.chat import ChatSession, Incoming, Reply, create_link_code, handle
from carbon_credit.chat.types import MAX_BUTTON_DATA
from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform.database import make_engine, read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.rewards.models import Reward, Voucher
from carbon_credit.stops.models import Stop
from carbon_credit.stops.tokens import sign_stop

T0 = datetime(2026, 6, 5, 1, 0, tzinfo=UTC)  # 09:00 in Asia/Shanghai
TG = "555001"
keys = iter(range(1, 10**6))


def texts(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


def buttons(replies: list[Reply]) -> dict[str, str]:
    """data -> label of every button under the replies."""
    return {b.data: b.label for reply in replies for row in reply.buttons for b in row}


def promised(replies: list[Reply]) -> int:
    """The points a preview says confirming will credit ("…，160 积分？")."""
    return int(re.search(r"(\d+) (?:积分|points)\?", texts(replies).replace("？", "?")).group(1))


def confirm_data(replies: list[Reply]) -> str:
    return next(data for data in buttons(replies) if data.startswith("ok:"))


@pytest.fixture
def say(engine, settings):
    """``say(text)`` / ``say(button=...)``: one update from a person, in its own unit of work (as the bot
    does), with a fresh update key unless one is given; every button's data fits Telegram's limit."""

    def send(text=None, *, button=None, who=TG, channel="telegram", now=T0, key=None, hint=None, **extra):
        incoming = Incoming(
            channel,
            who,
            text=text,
            button=button,
            update_key=key or f"u{next(keys)}",
            language_hint=hint,
            resident_id=extra.pop("resident_id", None),
        )
        with session_scope(engine) as db:
            replies = handle(
                session=db, settings=extra.pop("with_settings", settings), incoming=incoming, now=now
            )
        assert replies, "the engine never answers with silence"
        assert all(len(data.encode()) <= MAX_BUTTON_DATA for data in buttons(replies))
        return replies

    return send


@pytest.fixture
def linked(engine, make_resident, say):
    """A resident whose Telegram account (TG) is linked through /start link_<code>; returns the id."""
    resident_id = make_resident(display_name="小李")
    with session_scope(engine) as db:
        code = create_link_code(session=db, resident_id=resident_id, now=T0).code
    assert "小李" in texts(say(f"/start link_{code}"))
    return resident_id


def count(engine, model, *where) -> int:
    with read_session(engine) as db:
        return db.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def balance(engine, resident_id: int) -> int:
    with read_session(engine) as db:
        return ledger.balance(
            session=db, account_id=ledger.account_id_for(session=db, resident_id=resident_id)
        )


# --- not linked yet ----------------------------------------------------------------------------------------


def test_start_for_an_unlinked_telegram_user_explains_how_to_link(say, engine):
    replies = say("/start")
    assert "欢迎" in texts(replies)
    assert "/start link_" in texts(replies) and "绑定" in texts(replies)
    assert "走了6000步" in texts(replies)  # examples of what to type
    english = say("/start", who="555002", hint="en-GB")
    assert "link" in texts(english) and "walked 6000 steps" in texts(english)


@pytest.mark.parametrize(
    "text, button",
    [("/balance", None), ("坐公交8公里", None), (None, "log"), (None, "ok:abc"), ("/redeem", None)],
)
def test_nothing_can_be_earned_before_linking(say, engine, text, button):
    replies = say(text, button=button)
    assert "/start link_" in texts(replies)
    assert count(engine, Activity) == 0


# --- commands ----------------------------------------------------------------------------------------------


def test_start_when_linked_greets_with_the_balance_and_menu(say, linked):
    replies = say("/start")
    assert "小李" in texts(replies) and "0" in texts(replies)
    assert {"log", "balance", "history", "rewards", "stats", "lang"} <= set(buttons(replies))


def test_help_and_unknown_text_answer_with_examples(say, linked):
    assert "/balance" in texts(say("/help"))
    unknown = say("你好")
    assert "没看懂" in texts(unknown) and "走了6000步" in texts(unknown)
    assert "log" in buttons(unknown)


def test_cancel_drops_a_half_built_entry(say, linked):
    say(button="log")
    say(button="log:recycling")
    assert "已取消" in texts(say("/cancel"))
    assert "没有进行中" in texts(say("/cancel"))
    assert "失效" in texts(say(button="material:pet"))  # the old buttons no longer act


def test_english_after_choosing_it_with_lang(say, linked, engine):
    assert set(buttons(say("/lang"))) == {"lang:zh_Hans", "lang:en"}
    assert "Language set to English" in texts(say(button="lang:en"))
    assert "Your balance: 0 points" in texts(say("/balance"))
    with read_session(engine) as db:
        assert db.get(Resident, linked).locale == "en"
    assert "中文" in texts(say(button="lang:zh_Hans"))


def test_history_and_stats(say, linked, engine):
    for _ in range(6):
        say(button=confirm_data(say("省电1度")))
    history = texts(say("/history"))
    assert history.count("404 g") == 5  # the last five, with grams, points and status
    assert "已发放" in history
    stats = texts(say("/stats"))
    assert "2.4 kg" in stats and "1 人" in stats


# --- guided logging ----------------------------------------------------------------------------------------


def test_guided_log_with_buttons_then_confirm(say, linked, engine):
    behaviours = buttons(say(button="log"))
    assert {"log:walking", "log:recycling", "log:tree_planting", "log:electricity"} == set(behaviours)
    materials = buttons(say(button="log:recycling"))
    assert materials["material:pet"] == "PET塑料（饮料瓶）"
    assert "公斤" in texts(say(button="material:pet"))
    preview = say("1")
    assert "PET塑料（饮料瓶） 1 公斤" in texts(preview) and "1.1 kg" in texts(preview)
    points = promised(preview)  # what admission decides for a declared kilogram: the preview is the credit
    assert count(engine, Activity) == 0  # nothing before confirmation
    assert f"+{points}" in texts(say(button=confirm_data(preview)))
    with read_session(engine) as db:
        activity = db.execute(select(Activity)).scalar_one()
    assert (activity.channel, activity.points, activity.behaviour) == ("bot", points, "recycling")
    assert balance(engine, linked) == points


def test_a_large_recycling_entry_is_confirmed_and_held_for_review(say, linked, engine):
    say(button="log:recycling")
    say(button="material:corrugated_cardboard")
    preview = say("25公斤")
    assert "审核" in texts(preview)
    assert "待审核" in texts(say(button=confirm_data(preview)))
    assert balance(engine, linked) == 0
    assert count(engine, Activity, Activity.status == "pending") == 1


def test_the_preview_says_what_the_daily_cap_keeps_back_and_the_credit_agrees(say, linked, engine):
    for _ in range(2):
        say(button=confirm_data(say("走了6000步")))  # 120 + 120 of the 296 a day
    preview = texts(shown := say("走了6000步"))
    assert "56 积分" in preview and "每日上限 296 分" in preview and "64 分不计" in preview
    assert "+56" in texts(say(button=confirm_data(shown)))
    assert balance(engine, linked) == 296


def test_the_preview_shows_a_running_campaign_bonus_and_the_credit_pays_it(
    say, linked, engine, settings, make_resident
):
    period = (T0 - timedelta(hours=1), T0 + timedelta(days=1))
    data = campaigns.CampaignInput("低碳日", "Low-Carbon Day", "custom", *period, 1000, bonus_points=50)
    admin = make_resident(role="admin")
    with session_scope(engine) as db:
        campaigns.create_campaign(
            session=db, settings=settings, actor_id=admin, data=data, idempotency_key="c1"
        )
    preview = say("走了8000步")
    assert "160 积分" in texts(preview) and "活动“低碳日”另奖 50 分" in texts(preview)
    assert "+160" in texts(recorded := say(button=confirm_data(preview))) and "+50" in texts(recorded)
    assert balance(engine, linked) == 210


def test_an_implausible_amount_is_explained_and_asked_again(say, linked, engine):
    say(button="log:walking")
    refused = say("200000")
    assert "100000" in texts(refused).replace(",", "") and "步" in refused[-1].text
    assert "160 g" in texts(say("8000"))


def test_a_reply_that_is_not_a_number_is_asked_again(say, linked):
    say(button="log:walking")
    assert "数字" in texts(say("很多"))
    assert "6000 步" in texts(say("6,000"))


# --- free text ---------------------------------------------------------------------------------------------


def test_free_text_is_previewed_then_confirmed(say, linked, engine):
    preview = say("今天走了8000步")
    assert "步行 8000 步" in texts(preview) and "160 g" in texts(preview) and "160 积分" in texts(preview)
    assert set(buttons(preview)) == {confirm_data(preview), "no"}
    assert "+160" in texts(say("确认"))  # typing yes confirms too
    assert balance(engine, linked) == 160


@pytest.mark.parametrize(
    "text, expected",
    [
        ("走了6000步", "记录：步行 6000 步"),
        ("回收了2公斤纸板", "记录：回收瓦楞纸板 2 公斤"),
        ("种了3棵树", "记录：植树 3 棵"),
        ("省电10度", "记录：节约用电 10 度（湖北省）"),
        ("走了8000步，回收了2公斤纸板", "一次记录一项"),
        ("/foo", "没看懂"),
    ],
)
def test_free_text_table(say, linked, text, expected):
    assert expected in texts(say(text))


def test_free_text_without_an_amount_asks_for_it(say, linked):
    assert "多少步" in texts(say("走路去的"))
    assert "160 g" in texts(say("8000步"))
    assert "多少公斤" in texts(say("卖了3个易拉罐"))  # a count is not the weight: asked, never guessed
    assert "铝罐 0.5 公斤" in texts(say("一斤"))


def test_free_text_with_an_unknown_material_offers_the_materials(say, linked, engine):
    replies = say("回收了2公斤铀")
    assert "没有找到" in texts(replies)
    assert "material:pet" in buttons(replies)
    preview = say(button="material:aluminium_cans")
    assert "铝罐 2 公斤" in texts(preview)
    say(button="no")
    assert count(engine, Activity) == 0


def test_free_text_in_english(say, linked):
    say(button="lang:en")
    preview = say("walked 8000 steps")
    assert "Log: walking 8000 steps ≈ 160 g CO2e, 160 points?" in texts(preview)
    assert "Recorded: +160 points." in texts(say(button=confirm_data(preview)))
    assert "Sorry" in texts(say("hello there"))


def test_confirm_pressed_twice_credits_once(say, linked, engine):
    preview = say("走了8000步")
    first = say(button=confirm_data(preview))
    second = say(button=confirm_data(preview))
    assert "+160" in texts(first)
    assert "已经保存过" in texts(second) and "160" in texts(second)
    assert count(engine, Activity) == 1 and balance(engine, linked) == 160


def test_a_retried_update_is_replayed_not_redone(say, linked, engine):
    preview = say("走了8000步")
    again = say(button=confirm_data(preview), key="update-77")
    replayed = say(button=confirm_data(preview), key="update-77")
    assert replayed == again and "+160" in texts(replayed)
    assert count(engine, Activity) == 1


def test_a_restarted_bot_continues_a_half_finished_dialogue(say, linked, settings):
    say(button="log:recycling")
    say(button="material:pet")
    restarted = make_engine(settings.database_url)  # a new process: nothing but the database survives
    try:
        incoming = Incoming("telegram", TG, text="1", update_key="after-restart")
        with session_scope(restarted) as db:
            preview = handle(session=db, settings=settings, incoming=incoming, now=T0)
        assert "1.1 kg" in texts(preview)
        with session_scope(restarted) as db:
            done = handle(
                session=db,
                settings=settings,
                incoming=Incoming("telegram", TG, button=confirm_data(preview), update_key="after-2"),
                now=T0,
            )
        assert f"+{promised(preview)}" in texts(done)
    finally:
        restarted.dispose()


def test_over_the_rate_limit_one_short_reply_and_nothing_done(say, linked, engine, settings):
    tight = settings.with_overrides(chat_messages_per_minute=3)
    preview = say("走了8000步", with_settings=tight)
    say("/balance", with_settings=tight)
    say("/balance", with_settings=tight)
    slowed = say(button=confirm_data(preview), with_settings=tight, now=T0 + timedelta(seconds=30))
    assert len(slowed) == 1 and "稍等" in slowed[0].text
    assert count(engine, Activity) == 0
    later = say(button=confirm_data(preview), with_settings=tight, now=T0 + timedelta(seconds=61))
    assert "+160" in texts(later)


def test_control_characters_in_a_message_are_dropped_before_parsing_and_storing(say, linked, engine):
    """Telegram delivers whatever was typed or pasted; NUL cannot be stored on PostgreSQL."""
    assert "当前积分" in texts(say("/bal\x00ance\x1b"))
    with read_session(engine) as db:
        data = db.execute(select(ChatSession.data).where(ChatSession.external_id == TG)).scalar_one()
    assert data["transcript"][-2]["text"] == "/balance"


def test_the_transcript_keeps_the_last_thirty_entries(say, linked, engine):
    for _ in range(20):
        say("/balance")
    with read_session(engine) as db:
        transcript = db.execute(select(ChatSession.data).where(ChatSession.external_id == TG)).scalar_one()[
            "transcript"
        ]
    assert len(transcript) == 30
    assert transcript[-2] == {"who": "me", "text": "/balance", "buttons": [], "photo": None}
    assert transcript[-1]["who"] == "bot" and "当前积分" in transcript[-1]["text"]


def test_on_the_web_the_resident_is_known(say, make_resident, engine):
    resident_id = make_resident()
    web = {"channel": "web", "who": str(resident_id), "resident_id": resident_id}
    preview = say("走了8000步", **web)
    assert "+160" in texts(say(button=confirm_data(preview), **web))
    assert balance(engine, resident_id) == 160


# --- transit deep links ------------------------------------------------------------------------------------


def stop_token(engine, settings, code: str) -> str:
    with read_session(engine) as db:
        stop = db.execute(select(Stop).where(Stop.code == code)).scalar_one()
        return sign_stop(stop.id, stop.token_version, settings.qr_signing_key)


def test_stop_deep_links_tap_in_and_out(say, linked, engine, settings):
    with session_scope(engine) as db:
        seed_demo_transit(session=db)
    start, end = stop_token(engine, settings, "XG1-01"), stop_token(engine, settings, "XG1-05")
    assert "孝感火车站" in texts(say(f"/start stop_{start}"))
    off = say(f"/start stop_{end}", now=T0 + timedelta(minutes=20))
    assert "北京路" in texts(off) and "+" in texts(off)
    with read_session(engine) as db:
        trip = db.execute(select(Activity)).scalar_one()
    assert trip.channel == "qr" and trip.points > 0 and balance(engine, linked) == trip.points


def test_a_bad_stop_token_is_refused_politely(say, linked):
    assert "二维码无效" in texts(say("/start stop_1-1-AAAAAAAAAAAAAAAAAAAAAA"))


def test_a_stop_deep_link_needs_a_linked_account(say, engine, settings):
    with session_scope(engine) as db:
        seed_demo_transit(session=db)
    assert "/start link_" in texts(say(f"/start stop_{stop_token(engine, settings, 'XG1-01')}"))


# --- rewards -----------------------------------------------------------------------------------------------


def test_redeem_by_chat_gives_the_voucher_code_and_its_qr(say, linked, engine, make_resident):
    merchant = make_resident(role="merchant")
    with session_scope(engine) as db:
        cheap = Reward(name_zh="公交券", name_en="Bus ride", cost=100, stock=5, merchant_id=merchant)
        dear = Reward(name_zh="自行车", name_en="Bicycle", cost=99_999, stock=1, merchant_id=merchant)
        db.add_all([cheap, dear])
        db.flush()
        cheap_id, dear_id = cheap.id, dear.id
        account = ledger.account_id_for(session=db, resident_id=linked)
        ledger.post(session=db, posting=ledger.Posting(account, 300, "earn", "seed-chat"))
    listed = say("/rewards")
    assert "公交券" in texts(listed) and "自行车" in texts(listed)
    assert f"redeem:{cheap_id}" in buttons(listed) and f"redeem:{dear_id}" not in buttons(listed)
    asked = say(button=f"redeem:{cheap_id}")
    assert "100" in texts(asked)
    done = say(button=confirm_data(asked))
    with read_session(engine) as db:
        voucher = db.execute(select(Voucher)).scalar_one()
    assert voucher.code in texts(done)
    assert done[0].photo.startswith(b"\x89PNG")
    again = say(button=confirm_data(asked))
    assert voucher.code in texts(again) and count(engine, Voucher) == 1
    assert balance(engine, linked) == 200
    assert f"redeem:{cheap_id}" in buttons(say("/redeem"))


def test_a_refused_redemption_is_explained(say, linked, engine, make_resident):
    with session_scope(engine) as db:
        reward = Reward(name_zh="公交券", name_en="Bus ride", cost=100, stock=5, merchant_id=make_resident())
        db.add(reward)
        db.flush()
        reward_id = reward.id
    asked = say(button=f"redeem:{reward_id}")
    assert "积分不足" in texts(say(button=confirm_data(asked)))
    assert count(engine, Voucher) == 0
