"""Sessions end when their owner says so: logging out (in any browser), changing the password and an
administrator's lock end every session and remember-me cookie of the account at once; a password change
revokes the API tokens unless the resident keeps them. Registration and login never tell who has an account,
and one login is held back after repeated failures whatever the address."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from carbon_credit import residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from webapp import create_app

PASSWORD = "correct-horse-9"
CSRF_VALUE = re.compile(r'value="[^"]*"')


def stolen_cookies(app, login: str) -> dict[str, str]:
    """Sign in with "keep me logged in" in a browser and copy its cookies (as a thief would)."""
    browser = app.test_client()
    response = browser.submit("/login", {"login": login, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return {name: browser.get_cookie(name).value for name in ("session", "remember_token")}


def works(app, **cookies) -> bool:
    """Whether a browser holding only these cookies is signed in."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser.get("/account/password").status_code == 200


def token_works(client, token: str) -> bool:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def new_token(client) -> str:
    page = client.get("/account/tokens").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" type="hidden" value="([^"]+)"', page).group(1)
    shown = client.submit(
        "/account/tokens", {"name": "脚本", "idempotency_key": key}, form_page="/account/tokens"
    )
    return re.search(r'value="(cc_[A-Za-z0-9_-]+)"', shown.get_data(as_text=True)).group(1)


def test_logging_out_in_another_browser_ends_old_session_and_remember_me_cookies(app, client, register):
    phone = register()
    old = stolen_cookies(app, phone)
    assert works(app, session=old["session"]) and works(app, remember_token=old["remember_token"])
    client.submit("/logout", form_page="/")  # another browser of the same account
    assert not works(app, session=old["session"])
    assert not works(app, remember_token=old["remember_token"])


@pytest.mark.parametrize("keep", [False, True])
def test_a_password_change_ends_other_sessions_and_revokes_tokens_unless_kept(app, client, register, keep):
    phone = register()
    token = new_token(client)
    old = stolen_cookies(app, phone)
    fields = {"current": PASSWORD, "new": "another-horse-7", "confirm": "another-horse-7"}
    changed = client.submit("/account/password", {**fields, **({"keep_tokens": "y"} if keep else {})})
    assert changed.status_code == 302
    assert client.get("/account/password").status_code == 200  # the browser that changed it carries on
    assert not works(app, session=old["session"]) and not works(app, remember_token=old["remember_token"])
    assert token_works(client, token) is keep


def test_an_administrators_lock_ends_every_session_even_after_unlocking(
    app, client, register, engine, make_resident
):
    phone = register()
    old = stolen_cookies(app, phone)
    admin = make_resident(role="admin")
    with read_session(engine) as session:
        resident = session.execute(select(Resident.id).where(Resident.phone == phone)).scalar_one()
    for key, active in (("lock-1", False), ("unlock-1", True)):
        with session_scope(engine) as session:
            residents.set_active(
                session=session, actor_id=admin, resident_id=resident, active=active, idempotency_key=key
            )
        assert not works(app, session=old["session"]) and not works(app, remember_token=old["remember_token"])
    assert client.get("/account/password").status_code == 302
    assert stolen_cookies(app, phone)  # unlocked: a new login works


def _neutral(page: str) -> str:
    return CSRF_VALUE.sub("", page)


def test_registering_a_taken_login_answers_exactly_like_a_new_one(app, register, engine, consent_fields):
    taken = register(login="13800138020")
    answers = []
    for login in ("13800138021", taken):
        browser = app.test_client()
        fields = {"login": login, "display_name": "小偷", "district": "", "password": "thief-horse-8"}
        response = browser.submit("/register", {**fields, **consent_fields(), "confirm": "thief-horse-8"})
        page = browser.get(response.headers["Location"])
        answers.append(
            (response.status_code, response.headers["Location"], _neutral(page.get_data(as_text=True)))
        )
        assert browser.get("/account/password").status_code == 302  # not signed in, either way
    assert answers[0] == answers[1]
    with read_session(engine) as session:
        assert session.execute(select(func.count()).where(Resident.phone == taken)).scalar_one() == 1
    assert stolen_cookies(app, taken)  # the owner's password still works; the newcomer's does not
    refused = app.test_client().submit("/login", {"login": taken, "password": "thief-horse-8"})
    assert refused.status_code == 400


def test_one_login_is_held_back_after_five_failures_whatever_the_address(
    settings, tmp_path, client, make_resident
):
    app = create_app(settings.with_overrides(login_rate_limit="1000 per minute", upload_folder=str(tmp_path)))
    app.test_client_class = type(client)  # the CSRF-aware client
    taken = "13800138030"
    make_resident(phone=taken, password=PASSWORD)
    pages = []
    for n, login in enumerate((taken, "13900139030")):  # an account, and no account
        browser = app.test_client()
        for attempt in range(5):
            address = {"REMOTE_ADDR": f"10.{n}.0.{attempt}"}
            wrong = browser.submit(
                "/login", {"login": login, "password": "wrong-password"}, environ_base=address
            )
            assert wrong.status_code == 400
        held = browser.submit(
            "/login", {"login": login, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
        )
        assert held.status_code == 429
        pages.append(_neutral(held.get_data(as_text=True)).replace(login, ""))
    assert "该账号登录失败次数过多" in pages[0] and pages[0] == pages[1]
    app.extensions["carbon"]["engine"].dispose()
