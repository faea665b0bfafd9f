"""The API token pages as a resident uses them: create (shown once), list, revoke; CSRF on; Chinese first."""

from __future__ import annotations

import re

from sqlalchemy import text

from carbon_credit.platform.database import read_session
from carbon_credit.residents import ApiToken

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def plaintext_of(page: str) -> str:
    found = re.search(r'value="(cc_[A-Za-z0-9_-]+)"', page)
    assert found, page
    return found.group(1)


def create(client, name: str = "我的脚本"):
    return client.submit(
        "/account/tokens", {"name": name, "idempotency_key": _key(client)}, form_page="/account/tokens"
    )


def _key(client) -> str:
    return KEY.search(client.get("/account/tokens").get_data(as_text=True)).group(1)


def test_the_pages_need_a_login(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_create_shows_the_token_once_and_it_works_on_the_api(client, register, engine):
    register()
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "API 令牌" in page and "还没有 API 令牌" in page
    response = create(client, "记账脚本")
    assert response.status_code == 201 and response.headers["Cache-Control"] == "no-store"
    shown = response.get_data(as_text=True)
    token = plaintext_of(shown)
    assert "只显示这一次" in shown and "记账脚本" in shown
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "记账脚本" in listing and token[:11] in listing and token not in listing and "从未使用" in listing
    with read_session(engine) as session:
        rows = session.execute(text("SELECT token_hash, prefix, name FROM api_tokens")).all()
    assert len(rows) == 1 and token not in str(rows)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert "从未使用" not in client.get("/account/tokens").get_data(as_text=True)


def test_a_double_submitted_form_creates_one_token(client, register, engine):
    register()
    key = _key(client)
    first = client.submit(
        "/account/tokens", {"name": "x", "idempotency_key": key}, form_page="/account/tokens"
    )
    csrf = CSRF.search(first.get_data(as_text=True)).group(1)
    second = client.post("/account/tokens", data={"name": "x", "idempotency_key": key, "csrf_token": csrf})
    assert second.status_code == 201
    assert plaintext_of(first.get_data(as_text=True)) == plaintext_of(second.get_data(as_text=True))
    with read_session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM api_tokens")).scalar_one() == 1


def test_revoke_stops_the_token(client, register, engine):
    register()
    token = plaintext_of(create(client).get_data(as_text=True))
    with read_session(engine) as session:
        token_id = session.execute(text("SELECT id FROM api_tokens")).scalar_one()
    response = client.submit(f"/account/tokens/{token_id}/revoke", form_page="/account/tokens")
    assert response.status_code == 302
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "令牌已撤销" in page and "已撤销" in page
    assert f"/account/tokens/{token_id}/revoke" not in page  # no button for a revoked token
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_another_resident_cannot_revoke_my_token(app, client, register, engine, consent_fields):
    register()
    token = plaintext_of(create(client).get_data(as_text=True))
    with read_session(engine) as session:
        token_id = session.execute(text("SELECT id FROM api_tokens")).scalar_one()
    other = app.test_client()
    login = f"139{token_id:08d}"
    other.submit(
        "/register",
        {
            **consent_fields(),
            "login": login,
            "display_name": "别人",
            "district": "",
            "password": "other-horse-42",
            "confirm": "other-horse-42",
        },
    )
    other.submit("/login", {"login": login, "password": "other-horse-42"})  # registering never signs in
    response = other.submit(f"/account/tokens/{token_id}/revoke", form_page="/account/tokens")
    assert response.status_code == 404 and "未找到该令牌" in response.get_data(as_text=True)
    with read_session(engine) as session:
        assert session.get(ApiToken, token_id).revoked_at is None
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_forms_need_the_csrf_token(client, register, engine):
    register()
    response = client.post("/account/tokens", data={"name": "x", "idempotency_key": "k"})
    assert response.status_code == 400
    with read_session(engine) as session:
        assert session.execute(text("SELECT count(*) FROM api_tokens")).scalar_one() == 0


def test_bad_names_are_refused_on_the_page(client, register):
    register()
    empty = create(client, "")
    assert empty.status_code == 400 and "cc_" not in empty.get_data(as_text=True)
    too_long = create(client, "x" * 65)
    assert too_long.status_code == 400


def test_a_hostile_token_name_is_escaped(client, register):
    register()
    create(client, "<script>alert(1)</script>")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_pages_in_english(client, register):
    register()
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    assert "You have no API tokens yet." in client.get("/account/tokens").get_data(as_text=True)
    shown = create(client, "cli").get_data(as_text=True)
    assert "shown only this once" in shown
