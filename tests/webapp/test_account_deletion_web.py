"""Deleting one's account over HTTP: the page says plainly what goes and what stays; a wrong password or
word deletes nothing and says why; afterwards the old session and remember-me cookies, the API token and the
login all fail (the login exactly like one that never existed) and the contact registers again. The JSON API
(``DELETE /api/v1/me``) does the same, documented in the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from carbon_credit.platform.database import read_session
from carbon_credit.residents import Resident
from tests.webapp.test_sessions import new_token, stolen_cookies, token_works, works

PASSWORD = "correct-horse-9"
ERROR = re.compile(r'data-testid="form-error">([^<]+)<')


def _error(response) -> str:
    return ERROR.search(response.get_data(as_text=True)).group(1)


def _resident(engine, phone: str) -> Resident | None:
    with read_session(engine) as session:
        return session.execute(select(Resident).where(Resident.phone == phone)).scalar_one_or_none()


def test_the_page_says_what_goes_what_stays_and_why(client, register):
    register()
    page = client.get("/account/delete").get_data(as_text=True)
    assert "<title>注销我的账号 · " in page
    for words in (
        "手机号和邮箱",
        "已注销用户",
        "公交卡号",
        "照片",
        "兑换券",
        "公开的总量",
        "所在区县",
        "无法知道您是谁",
    ):
        assert words in page, words
    assert 'name="password"' in page and 'name="confirmation"' in page


@pytest.mark.parametrize(
    ("password", "word", "says"),
    [
        ("wrong-horse-1", "删除", "没有删除任何内容：密码不正确。"),
        (PASSWORD, "好的", "请在确认框中输入“删除”"),
    ],
)
def test_a_wrong_password_or_word_deletes_nothing_and_says_why(
    client, register, engine, password, word, says
):
    phone = register()
    response = client.submit("/account/delete", {"password": password, "confirmation": word})
    assert response.status_code == 400 and says in _error(response)
    assert _resident(engine, phone).is_active
    assert client.get("/account/password").status_code == 200  # still signed in


def test_after_deletion_cookies_token_and_login_fail_and_the_contact_registers_again(
    app, client, register, engine
):
    phone = register()
    token = new_token(client)
    old = stolen_cookies(app, phone)
    resident_id = _resident(engine, phone).id
    deleted = client.submit("/account/delete", {"password": PASSWORD, "confirmation": "删除"})
    assert deleted.status_code == 302 and deleted.headers["Location"] == "/"
    assert "您的账号已注销" in client.get("/").get_data(as_text=True)
    assert client.get("/account/password").status_code == 302  # this browser is signed out
    assert not works(app, session=old["session"]) and not works(app, remember_token=old["remember_token"])
    assert not token_works(client, token)
    answers = []
    for login in (phone, "13911112222"):  # the deleted login, and one that never existed
        refused = app.test_client().submit("/login", {"login": login, "password": PASSWORD})
        answers.append((refused.status_code, _error(refused)))
    assert answers[0] == answers[1] == (400, "账号或密码不正确。")
    assert register(login=phone)  # the same number, a new account
    assert _resident(engine, phone).id != resident_id


def test_the_api_deletes_the_token_owner_with_password_and_word(app, client, register, engine):
    phone = register()
    token = new_token(client)
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    wrong = api.delete(
        "/api/v1/me", headers=headers, json={"password": "nope-horse-1", "confirmation": "DELETE"}
    )
    assert wrong.status_code == 400 and wrong.get_json()["error"]["code"] == "deletion_wrong_password"
    unsaid = api.delete("/api/v1/me", headers=headers, json={"password": PASSWORD, "confirmation": "ok"})
    assert unsaid.status_code == 400 and unsaid.get_json()["error"]["code"] == "deletion_not_confirmed"
    missing = api.delete("/api/v1/me", headers=headers, json={"password": PASSWORD})
    assert missing.status_code == 400 and missing.get_json()["error"]["fields"][0]["field"] == "confirmation"
    assert _resident(engine, phone).is_active
    done = api.delete("/api/v1/me", headers=headers, json={"password": PASSWORD, "confirmation": "DELETE"})
    assert done.status_code == 200, done.get_json()
    body = done.get_json()
    assert body["deleted"] is True and body["display_name"].startswith("已注销用户 ")
    assert _resident(engine, phone) is None
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        api.delete(
            "/api/v1/me", headers=headers, json={"password": PASSWORD, "confirmation": "DELETE"}
        ).status_code
        == 401
    )


def test_the_openapi_document_describes_the_deletion(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/me"]["delete"]
    assert {"200", "400", "401"} <= set(operation["responses"])
    assert "删除" in operation["description"] + operation.get("summary", "")
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/DeleteMeIn")
    schema = doc["components"]["schemas"]["DeleteMeIn"]
    assert set(schema["required"]) == {"password", "confirmation"}


def test_the_web_chat_answers_with_the_link_and_deletes_nothing(client, register, engine):
    phone = register()
    page = client.get("/chat").get_data(as_text=True)
    key = re.findall(r'name="idempotency_key" value="([^"]+)"', page)[-1]
    client.submit("/chat", {"text": "删除我的账号", "idempotency_key": key}, form_page="/chat")
    answer = client.get("/chat").get_data(as_text=True)
    assert "/account/delete" in answer and "输入密码" in answer
    assert _resident(engine, phone).is_active
