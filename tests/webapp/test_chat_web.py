"""The web chat page and the Telegram linking page, through the browser-like client (CSRF on)."""

from __future__ import annotations

import html
import re
import secrets

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, residents
from carbon_credit.activities import Activity
from carbon_credit.chat import Incoming, handle
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.rewards.models import Reward, Voucher
from webapp import create_app

CONFIRM = re.compile(r'name="button" value="(ok:[^"]+)"')


@pytest.fixture
def db_engine(app):
    return app.extensions["carbon"]["engine"]


@pytest.fixture
def me(register, db_engine) -> int:
    """A resident signed up and signed in through the real form; returns the id."""
    login = register(name="小王")
    with read_session(db_engine) as db:
        return db.execute(select(Resident.id).where(Resident.phone == login)).scalar_one()


def page(client) -> str:
    response = client.get("/chat")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def send(client, text: str, key: str | None = None) -> str:
    response = client.submit(
        "/chat", {"text": text, "idempotency_key": key or secrets.token_urlsafe(16)}, form_page="/chat"
    )
    assert response.status_code == 303 and response.headers["Location"].startswith("/chat")
    return page(client)


def press(client, data: str, key: str | None = None) -> str:
    fields = {"button": data, "idempotency_key": key or secrets.token_urlsafe(16)}
    response = client.submit("/chat/button", fields, form_page="/chat")
    assert response.status_code == 303
    return page(client)


def activities(db_engine) -> int:
    with read_session(db_engine) as db:
        return db.execute(select(func.count(Activity.id))).scalar_one()


def test_the_chat_page_needs_a_login(client):
    assert client.get("/chat").status_code == 302


def test_the_page_greets_with_the_menu_in_chinese(client, me):
    shown = page(client)
    assert "聊天助手" in shown and "欢迎使用" in shown
    assert 'value="log"' in shown and "记录低碳行为" in shown
    assert 'name="csrf_token"' in shown and 'name="idempotency_key"' in shown


def test_a_guided_log_on_the_web(client, me, db_engine):
    menu = press(client, "log")
    assert "步行" in menu and 'value="log:transit"' not in menu  # trips come only from QR scans
    assert "走了多少步" in press(client, "log:walking")
    shown = send(client, "8000")
    assert "160 g" in shown and "步行 8000 步" in shown
    assert "+160" in press(client, CONFIRM.search(shown).group(1))
    with read_session(db_engine) as db:
        activity = db.execute(select(Activity)).scalar_one()
    assert (activity.resident_id, activity.channel, activity.points) == (me, "bot", 160)


def test_free_text_on_the_web_and_a_double_submitted_confirm_credits_once(client, me, db_engine):
    shown = send(client, "今天走了8000步")
    assert "160 g" in shown
    confirm, key = CONFIRM.search(shown).group(1), secrets.token_urlsafe(16)
    press(client, confirm, key=key)
    again = press(client, confirm, key=key)  # the same form submitted twice: replayed
    assert again.count("+160") == 1
    later = press(client, confirm)  # the old button pressed again from another tab
    assert "已经保存过" in later
    assert activities(db_engine) == 1


def test_only_the_latest_answers_have_buttons(client, me):
    press(client, "log")
    shown = press(client, "log:walking")
    assert 'value="log:transit"' not in shown
    assert "走了多少步" in shown


def test_unknown_text_gets_examples(client, me):
    assert "走了6000步" in send(client, "今天天气不错")


def test_a_voucher_redeemed_in_the_chat_shows_its_qr_code(client, me, db_engine, make_resident):
    with session_scope(db_engine) as db:
        reward = Reward(name_zh="公交券", name_en="Bus ride", cost=100, stock=3, merchant_id=make_resident())
        db.add(reward)
        db.flush()
        reward_id = reward.id
        account = ledger.account_id_for(session=db, resident_id=me)
        ledger.post(session=db, posting=ledger.Posting(account, 150, "earn", "seed-web-chat"))
    assert f'value="redeem:{reward_id}"' in press(client, "rewards")
    shown = press(client, CONFIRM.search(press(client, f"redeem:{reward_id}")).group(1))
    with read_session(db_engine) as db:
        voucher = db.execute(select(Voucher)).scalar_one()
    assert voucher.code in shown and 'src="data:image/png;base64,' in shown


def test_the_chat_in_english(client, me):
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    shown = page(client)
    assert "Log an action" in shown and "Welcome" in shown
    assert "Your balance: 0 points." in press(client, "balance")


def test_the_account_page_links_to_telegram_linking(client, me):
    shown = client.get("/account").get_data(as_text=True)
    assert 'href="/account/telegram"' in shown and "绑定 Telegram" in shown


def test_the_telegram_page_shows_a_one_time_code(client, me, db_engine, settings):
    assert "尚未绑定" in client.get("/account/telegram").get_data(as_text=True)
    shown = html.unescape(client.submit("/account/telegram", {}).get_data(as_text=True))
    code = re.search(r'data-testid="code">([A-Za-z0-9]{10})<', shown).group(1)
    assert f"/start link_{code}" in shown and "t.me" not in shown
    incoming = Incoming("telegram", "90001", text=f"/start link_{code}", update_key="1")
    with session_scope(db_engine) as db:
        handle(session=db, settings=settings, incoming=incoming)
    assert "已绑定" in client.get("/account/telegram").get_data(as_text=True)


def test_with_a_bot_username_the_code_comes_as_a_deep_link_and_qr(settings, tmp_path, client, consent_fields):
    app = create_app(
        settings.with_overrides(
            telegram_bot_username="XgCarbonBot",
            upload_folder=str(tmp_path / "uploads"),
            login_rate_limit="1000 per minute",
        )
    )
    app.test_client_class = type(client)  # the browser-like client of the conftest
    client = app.test_client()
    try:
        fields = {"login": "13900139000", "display_name": "小赵", "district": "xiaonan", **consent_fields()}
        client.submit("/register", {**fields, "password": "correct-horse-9", "confirm": "correct-horse-9"})
        client.submit("/login", {"login": fields["login"], "password": "correct-horse-9"})
        with session_scope(app.extensions["carbon"]["engine"]) as session:
            resident_id = residents.find_by_login(session=session, login=fields["login"]).id
            residents.set_consent(
                session=session, resident_id=resident_id, purpose="chat", granted=True, channel="web"
            )
        shown = html.unescape(client.submit("/account/telegram", {}).get_data(as_text=True))
        assert re.search(r'href="https://t\.me/XgCarbonBot\?start=link_[A-Za-z0-9]{10}"', shown)
        assert "<svg" in shown
    finally:
        app.extensions["carbon"]["engine"].dispose()


def test_a_bus_ride_on_the_web_explains_the_qr_flow_with_a_link_to_the_card_page(client, me, db_engine):
    shown = send(client, "坐公交8公里")
    assert "扫描站牌上的二维码" in shown and re.search(r'href="[^"]*/account/card"', shown)
    assert not CONFIRM.search(shown)
    assert activities(db_engine) == 0


@pytest.mark.parametrize(
    "data", ["redeem:²", "redeem:٣", "log:未知", "ok:١٢٣", "ok:", "x" * 65, "ok:" + "日" * 60, "日" * 199]
)
def test_an_odd_button_value_on_the_web_gets_a_plain_answer(client, me, db_engine, data):
    assert "这个按钮无法识别" in press(client, data)  # never a 500
    assert activities(db_engine) == 0


def test_an_overlong_button_value_on_the_web_is_refused_in_plain_words(client, me):
    assert "这个按钮无法识别" in press(client, "9" * 500)


def test_confirming_on_the_web_after_starting_something_else_says_so(client, me, db_engine):
    first = CONFIRM.search(send(client, "走了8000步")).group(1)
    send(client, "回收了1公斤塑料瓶")
    assert "确认已经失效" in press(client, first)
    assert activities(db_engine) == 0
