"""/account/data as a resident sees it: what is held, in plain Chinese with counts, the JSON and Excel
downloads of their own data only, and GET /api/v1/me/export giving the same JSON to the token's owner."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from carbon_credit import residents
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.residents import tokens as api_tokens
from webapp.api.schemas import ExportOut

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)


def resident_id(engine, login: str) -> int:
    with read_session(engine) as session:
        return session.execute(select(Resident.id).where(Resident.phone == login)).scalar_one()


def walk(engine, settings, rid: int, key: str) -> None:
    with session_scope(engine) as session:
        item = ActivityInput(rid, "walking", {"steps": 6000}, "web", key, NOON)
        record_activity(session=session, settings=settings, item=item, now=NOON)


@pytest.fixture
def two(client, register, engine, settings) -> dict[str, int]:
    """A neighbour with a walk, then 小王 signed in with two walks; returns both ids."""
    neighbour = resident_id(engine, register("13800139999", name="隔壁老李"))
    walk(engine, settings, neighbour, "theirs")
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    me = resident_id(engine, register("13800138000", name="小王"))
    for key in ("mine-1", "mine-2"):
        walk(engine, settings, me, key)
    return {"me": me, "neighbour": neighbour}


def test_the_page_says_what_is_held_with_counts_and_offers_both_downloads(client, two):
    page = client.get("/account/data")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<title>我的数据 · " in html
    assert "下载我的数据 (JSON)" in html and "下载我的数据 (Excel)" in html
    assert "减排记录</strong>: 共 2 条" in html and "个人资料</strong>: 共 1 条" in html
    assert "还没有工作人员查看或更改过你的账号。" in html


def test_the_json_download_is_the_residents_own_data_and_no_one_elses(client, two):
    response = client.get("/account/data/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.is_streamed and "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    ExportOut.model_validate(document)  # what the API documents
    sections = document["sections"]
    assert document["resident_id"] == two["me"]
    assert sections["profile"]["rows"][0]["display_name"] == "小王"
    keys = {row["idempotency_key"].rsplit(":", 1)[-1] for row in sections["activities"]["rows"]}
    assert keys == {"mine-1", "mine-2"}
    text = response.get_data(as_text=True)
    assert "隔壁老李" not in text and "13800139999" not in text and "password_hash" not in text


def test_the_excel_download_opens_with_a_sheet_per_section(client, two):
    with client.get("/account/data/export.xlsx") as response:  # closing it removes the temporary file
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert workbook.sheetnames[0] == "个人资料" and "减排记录" in workbook.sheetnames
    rows = list(workbook["减排记录"].iter_rows(values_only=True))
    assert len(rows) == 3 and "methodology_id" in rows[0]


def test_signed_out_the_pages_ask_to_log_in(app):
    anonymous = app.test_client()
    for path in ("/account/data", "/account/data/export.json", "/account/data/export.xlsx"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_the_api_gives_the_owner_the_same_json_and_refuses_without_a_token(app, client, two, engine):
    with session_scope(engine) as session:
        token = api_tokens.create_token(session=session, resident_id=two["me"], name="export")[1]
    api = app.test_client()
    response = api.get("/api/v1/me/export", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    from_api = json.loads(response.get_data(as_text=True))
    from_page = json.loads(client.get("/account/data/export.json").get_data(as_text=True))
    for document in (from_api, from_page):
        document.pop("generated_at")
        document["sections"].pop("api_tokens")  # the API call itself marks the token as used
    assert from_api == from_page
    assert api.get("/api/v1/me/export").status_code == 401
    doc = api.get("/api/v1/openapi.json").get_json()
    schema = doc["paths"]["/api/v1/me/export"]["get"]["responses"]["200"]["content"]["application/json"]
    assert schema["schema"]["$ref"].endswith("/ExportOut")


def test_the_page_shows_the_staff_who_changed_the_account(client, two, engine, make_resident):
    admin = make_resident(role="admin")
    with session_scope(engine) as session:
        residents.set_active(
            session=session, actor_id=admin, resident_id=two["neighbour"], active=False, idempotency_key="k1"
        )  # someone else's account: not on this page
    html = client.get("/account/data").get_data(as_text=True)
    assert "还没有工作人员查看或更改过你的账号。" in html
    with session_scope(engine) as session:
        residents.set_active(
            session=session, actor_id=admin, resident_id=two["me"], active=False, idempotency_key="k2"
        )
        residents.set_active(
            session=session, actor_id=admin, resident_id=two["me"], active=True, idempotency_key="k3"
        )
    client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    client.submit("/login", {"login": "13800138000", "password": "correct-horse-9"})
    html = client.get("/account/data").get_data(as_text=True)
    looked = html.split('data-testid="staff-access"')[1]
    assert "查看或更改过你账号的工作人员" in html and looked.count('data-testid="staff-name"') == 2
    assert "锁定了你的账号" in looked and "解锁了你的账号" in looked and f"#{admin}" in looked
