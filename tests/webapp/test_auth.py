"""Accounts: register, log in and out, change password, language, CSRF, rate limits, cookies."""

from __future__ import annotations

from sqlalchemy import select

from carbon_credit.platform.database import read_session
from carbon_credit.residents import Resident
from webapp import create_app

PASSWORD = "correct-horse-9"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_register_then_log_in_and_only_a_password_hash_is_stored(client, register, engine):
    login = register(login="13800138000", name="小王")  # registers, then logs in through the form
    assert "退出" in _text(client.get("/"))  # "Log out": signed in
    with read_session(engine) as session:
        resident = session.execute(select(Resident).where(Resident.phone == login)).scalar_one()
    assert PASSWORD not in resident.password_hash and resident.password_hash.startswith("pbkdf2:")
    assert resident.locale == "zh_Hans" and resident.district_id is not None


def test_email_logins_are_case_insensitive(client, register, login):
    register(login="Wang.Li@Example.CN")
    client.submit("/logout", form_page="/")
    login("wang.li@example.cn")


def test_registration_errors_are_shown_in_chinese_on_the_same_page(client, register):
    register(login="13800138001")
    client.submit("/logout", form_page="/")
    data = {
        "login": "13800138001",
        "display_name": "重复",
        "district": "",
        "password": PASSWORD,
        "confirm": PASSWORD,
    }
    bad_login = client.submit("/register", {**data, "login": "12345"})
    assert bad_login.status_code == 400 and "请填写有效的手机号" in _text(bad_login)
    short = client.submit(
        "/register", {**data, "login": "13800138002", "password": "short", "confirm": "short"}
    )
    assert short.status_code == 400 and "密码长度需为 8 到 128 个字符" in _text(short)
    differ = client.submit("/register", {**data, "login": "13800138003", "confirm": "something-else"})
    assert differ.status_code == 400 and "两次输入的密码不一致" in _text(differ)
    easy = client.submit(
        "/register", {**data, "login": "13800138002", "password": "12345678", "confirm": "12345678"}
    )
    assert easy.status_code == 400 and "这个密码太容易被猜到" in _text(easy) and "12345678" in _text(easy)


def test_wrong_password_and_unknown_login_get_the_same_answer(client, register):
    register(login="13800138004")
    client.submit("/logout", form_page="/")
    wrong = client.submit("/login", {"login": "13800138004", "password": "wrong-password"})
    unknown = client.submit("/login", {"login": "13900000000", "password": "wrong-password"})
    assert wrong.status_code == unknown.status_code == 400
    assert "账号或密码不正确" in _text(wrong) and "账号或密码不正确" in _text(unknown)


def test_login_returns_to_the_page_asked_for_but_never_off_site(client, register, login):
    phone = register(login="13800138005")
    client.submit("/logout", form_page="/")
    response = client.submit("/login?next=/account/password", {"login": phone, "password": PASSWORD})
    assert response.headers["Location"] == "/account/password"
    client.submit("/logout", form_page="/")
    evil = client.submit("/login?next=//evil.example/steal", {"login": phone, "password": PASSWORD})
    assert evil.headers["Location"] == "/me"  # the resident's own home, never the other site


def test_without_a_page_asked_for_a_resident_starts_on_their_home(client, register):
    phone = register(login="13800138006")
    client.submit("/logout", form_page="/")
    response = client.submit("/login", {"login": phone, "password": PASSWORD})
    assert response.headers["Location"] == "/me"


def test_post_without_csrf_token_is_refused(client, register):
    response = client.post("/login", data={"login": "13800138006", "password": PASSWORD})
    assert response.status_code == 400 and "表单已过期" in _text(response)
    assert client.post("/logout").status_code == 400


def test_change_password(client, register, login):
    phone = register(login="13800138007")
    bad = client.submit(
        "/account/password",
        {"current": "not-it-at-all", "new": "new-password-1", "confirm": "new-password-1"},
    )
    assert bad.status_code == 400 and "当前密码不正确" in _text(bad)
    ok = client.submit(
        "/account/password", {"current": PASSWORD, "new": "new-password-1", "confirm": "new-password-1"}
    )
    assert ok.status_code == 302
    client.submit("/logout", form_page="/")
    login(phone, "new-password-1")


def test_language_choice_is_remembered_on_the_account(client, register, login):
    phone = register(login="13800138008")
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    assert "Log out" in _text(client.get("/"))
    client.submit("/logout", form_page="/")
    client.delete_cookie("lang")
    assert "登录" in _text(client.get("/"))  # a visitor again: Chinese by default
    login(phone)
    assert "Log out" in _text(client.get("/"))  # the account remembered English


def test_login_is_rate_limited(settings, tmp_path, client):
    app = create_app(settings.with_overrides(login_rate_limit="3 per minute", upload_folder=str(tmp_path)))
    app.test_client_class = type(client)  # the CSRF-aware client
    client = app.test_client()
    responses = [client.submit("/login", {"login": "x@y.cn", "password": "wrong-password"}) for _ in range(4)]
    assert [r.status_code for r in responses] == [400, 400, 400, 429]
    assert "尝试次数过多" in _text(responses[-1])
    app.extensions["carbon"]["engine"].dispose()


def test_session_cookies_are_http_only_and_same_site(client, register):
    register(login="13800138009")
    cookies = {c.key: c for c in client._cookies.values()}
    session_cookie = cookies["session"]
    assert session_cookie.http_only and session_cookie.same_site == "Lax"


def test_logout_ends_the_session(client, register):
    register(login="13800138010")
    client.submit("/logout", form_page="/")
    assert client.get("/account/password").status_code == 302
