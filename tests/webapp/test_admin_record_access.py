"""An administrator opens a resident's full record on /admin/residents/<id> with a reason: the contacts in
full on that answer only (never cached, never in the session), masked everywhere else; the opening is in
the audit log with its reason and on the resident's /account/data with the administrator's name; without a
reason nothing opens and nothing is logged; a resident, a merchant or a visitor cannot open one."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select, update

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident

ADMIN, PASSWORD = "admin@example.org", "correct-horse-9"
PHONE, EMAIL, CARD = "13800138000", "wang.xiaoming@example.cn", "XG-0001-2345"
REASON = "核实居民来电投诉：积分未到账"
KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
CONTACTS = (PHONE, EMAIL, CARD)


@pytest.fixture
def resident(engine, make_resident) -> int:
    """王小明, with a mobile number, an e-mail address and a transit card, who can sign in."""
    rid = make_resident(display_name="王小明", phone=PHONE, email=EMAIL, password=PASSWORD)
    with session_scope(engine) as session:
        session.execute(update(Resident).where(Resident.id == rid).values(transit_card=CARD))
    return rid


@pytest.fixture
def admin(make_resident, login) -> int:
    """管理员甲, signed in on ``client``."""
    admin_id = make_resident(role="admin", email=ADMIN, password=PASSWORD, display_name="管理员甲")
    login(ADMIN)
    return admin_id


def form_key(client, resident: int) -> str:
    """The key the "view full information" form on the resident's page carries."""
    page = client.get(f"/admin/residents/{resident}").get_data(as_text=True)
    return KEY.search(page.split('data-testid="open-record"')[1]).group(1)


def open_record(client, resident: int, reason: str, key: str | None = None):
    """Submit the "view full information" form of the resident's page (with its key, or ``key``)."""
    key = key or form_key(client, resident)
    url = f"/admin/residents/{resident}/record"
    return client.submit(url, {"idempotency_key": key, "reason": reason}, form_page="/admin/residents")


def openings(engine, resident: int) -> list[tuple[int, str]]:
    with read_session(engine) as session:
        rows = session.execute(
            select(AuditEntry.actor_id, AuditEntry.after)
            .where(AuditEntry.action == "resident.record_opened", AuditEntry.target_id == resident)
            .order_by(AuditEntry.id)
        )
        return [(actor, after["reason"]) for actor, after in rows]


def test_the_list_and_the_page_show_contacts_masked_only(client, resident, admin):
    listing = client.get("/admin/residents").get_data(as_text=True)
    page = client.get(f"/admin/residents/{resident}")
    html = page.get_data(as_text=True)
    assert "138****8000" in listing and "138****8000" in html
    assert not [c for c in CONTACTS if c in listing or c in html]
    assert "查看完整信息" in html and 'data-testid="full-record"' not in html
    assert page.headers["Cache-Control"] == "no-store"


def test_opening_with_a_reason_shows_every_contact_on_that_answer_only_and_logs_it(
    client, engine, resident, admin
):
    opened = open_record(client, resident, REASON)
    html = opened.get_data(as_text=True)
    assert opened.status_code == 200 and opened.headers["Cache-Control"] == "no-store"
    assert 'data-testid="full-record"' in html and all(c in html for c in CONTACTS)
    assert "审计日志" in html and "王小明可以在“我的数据”页面看到" in html
    assert not [c for c in CONTACTS if c in opened.headers.get("Set-Cookie", "")]
    assert openings(engine, resident) == [(admin, REASON)]
    again = client.get(f"/admin/residents/{resident}").get_data(as_text=True)
    assert not [c for c in CONTACTS if c in again] and "138****8000" in again  # masked once more
    log = client.get("/admin/audit?target_type=resident").get_data(as_text=True)
    assert "resident.record_opened" in log and REASON in log and PHONE not in log


def test_a_resubmitted_opening_is_logged_once(client, engine, resident, admin):
    key = form_key(client, resident)
    first, again = (open_record(client, resident, REASON, key=key) for _ in range(2))
    assert first.status_code == again.status_code == 200 and PHONE in again.get_data(as_text=True)
    assert openings(engine, resident) == [(admin, REASON)]


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_nothing_opens_and_nothing_is_logged(client, engine, resident, admin, reason):
    refused = open_record(client, resident, reason)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'aria-invalid="true"' in html
    assert not [c for c in CONTACTS if c in html] and openings(engine, resident) == []


def test_the_resident_sees_on_my_data_who_opened_the_record_and_why(app, client, engine, resident, admin):
    open_record(client, resident, REASON)
    browser = app.test_client()
    assert browser.submit("/login", {"login": PHONE, "password": PASSWORD}).status_code == 302
    page = browser.get("/account/data").get_data(as_text=True)
    assert "管理员甲" in page and "查看了你的完整个人信息" in page and f"原因：{REASON}" in page
    assert ADMIN not in page  # the staff member's name, never their contact


@pytest.mark.parametrize("role", ["resident", "merchant"])
def test_a_resident_or_merchant_cannot_open_a_record(app, engine, make_resident, resident, role):
    make_resident(role=role, email=f"{role}@example.org", password=PASSWORD)
    browser = app.test_client()
    browser.submit("/login", {"login": f"{role}@example.org", "password": PASSWORD})
    fields = {"idempotency_key": "k-" + role, "reason": REASON}
    refused = browser.submit(f"/admin/residents/{resident}/record", fields, form_page="/")
    assert refused.status_code == 403 and PHONE not in refused.get_data(as_text=True)
    assert openings(engine, resident) == []


def test_a_visitor_is_sent_to_sign_in(app, engine, resident):
    visitor = app.test_client()
    fields = {"idempotency_key": "k-visitor", "reason": REASON}
    sent = visitor.submit(f"/admin/residents/{resident}/record", fields, form_page="/login")
    assert sent.status_code == 302 and "/login" in sent.headers["Location"]
    assert openings(engine, resident) == []
