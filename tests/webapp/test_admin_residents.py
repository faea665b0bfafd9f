"""Administrators lock and unlock residents' accounts on /admin/residents: the list shows contacts masked
(PIPL); a lock from the page signs the resident out at once in their own browser and keeps them from
signing in, an unlock lets them in again; both are in the audit log with the reason; a double-submitted form
acts once; an administrator cannot lock themselves; nobody else gets in."""

from __future__ import annotations

import re

from sqlalchemy import select

from carbon_credit.platform.database import read_session
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident

ADMIN = "admin@example.org"
PASSWORD = "correct-horse-9"
PHONE = "13800138000"
KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def admin_signed_in(make_resident, login) -> int:
    admin = make_resident(role="admin", email=ADMIN, password=PASSWORD, display_name="管理员甲")
    login(ADMIN)
    return admin


def resident_browser(app, login: str):
    """The resident's own browser, signed in with "keep me logged in"."""
    browser = app.test_client()
    response = browser.submit("/login", {"login": login, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    return browser


def signed_in(browser) -> bool:
    return browser.get("/account/password").status_code == 200


def can_log_in(app, login: str) -> bool:
    return app.test_client().submit("/login", {"login": login, "password": PASSWORD}).status_code == 302


def press(client, resident_id: int, action: str, reason: str, key: str | None = None):
    """Open the resident's page and press Lock or Unlock (with the key the page carried, or ``key``)."""
    page = client.get(f"/admin/residents/{resident_id}").get_data(as_text=True)
    key = key or KEY.search(page).group(1)
    url = f"/admin/residents/{resident_id}/{action}"
    return client.submit(url, {"idempotency_key": key, "reason": reason}, form_page="/admin/residents")


def audit_of(engine, resident_id: int) -> list[tuple[str, dict | None]]:
    with read_session(engine) as session:
        rows = session.execute(
            select(AuditEntry.action, AuditEntry.after)
            .where(AuditEntry.target_type == "resident", AuditEntry.target_id == resident_id)
            .order_by(AuditEntry.id)
        )
        return [tuple(row) for row in rows]


def is_active(engine, resident_id: int) -> bool:
    with read_session(engine) as session:
        return session.get(Resident, resident_id).is_active


def test_the_list_shows_contacts_masked_and_finds_an_account_by_its_whole_number(
    client, make_resident, login
):
    make_resident(phone=PHONE, email=None, password=PASSWORD, display_name="王小明")
    make_resident(email="wang.xiaohong@example.cn", display_name="王小红")
    admin_signed_in(make_resident, login)
    page = client.get("/admin/residents").get_data(as_text=True)
    assert "138****8000" in page and "w***@example.cn" in page
    assert PHONE not in page and "wang.xiaohong" not in page and ADMIN not in page
    assert "a***@example.org" in page
    found = client.get(f"/admin/residents?q={PHONE}").get_data(as_text=True)
    assert "王小明" in found and "王小红" not in found
    partial = client.get("/admin/residents?q=1380013").get_data(as_text=True)
    assert "王小红" not in partial and "王小明" not in partial  # a contact is not guessed digit by digit
    by_name = client.get("/admin/residents?q=小红").get_data(as_text=True)
    assert "王小红" in by_name and "王小明" not in by_name


def test_a_lock_signs_the_resident_out_at_once_and_an_unlock_lets_them_back(
    app, client, engine, make_resident, login
):
    resident = make_resident(phone=PHONE, email=None, password=PASSWORD)
    browser = resident_browser(app, PHONE)
    remembered = browser.get_cookie("remember_token").value
    assert signed_in(browser)
    admin_signed_in(make_resident, login)
    locked = press(client, resident, "lock", "冒用他人公交卡")
    assert locked.status_code == 302
    shown = client.get(locked.headers["Location"]).get_data(as_text=True)
    assert "账号已锁定" in shown and "已锁定" in shown
    assert not signed_in(browser)  # their own browser, at the very next request
    stale = app.test_client()
    stale.set_cookie("remember_token", remembered)
    assert not signed_in(stale)
    assert not can_log_in(app, PHONE)
    unlocked = press(client, resident, "unlock", "本人到服务台核实")
    assert unlocked.status_code == 302 and can_log_in(app, PHONE)
    assert not signed_in(stale)  # sessions that ended with the lock stay ended
    assert audit_of(engine, resident) == [
        ("resident.lock", {"is_active": False, "reason": "冒用他人公交卡"}),
        ("resident.unlock", {"is_active": True, "reason": "本人到服务台核实"}),
    ]
    log = client.get("/admin/audit?target_type=resident").get_data(as_text=True)
    assert "resident.lock" in log and "冒用他人公交卡" in log and "resident.unlock" in log


def test_a_double_submitted_lock_acts_once(app, client, engine, make_resident, login):
    resident = make_resident(phone=PHONE, email=None, password=PASSWORD)
    admin_signed_in(make_resident, login)
    page = client.get(f"/admin/residents/{resident}").get_data(as_text=True)
    key = KEY.search(page).group(1)
    first = press(client, resident, "lock", "刷分", key=key)
    with read_session(engine) as session:
        version = session.get(Resident, resident).session_version
    again = press(client, resident, "lock", "刷分", key=key)
    assert first.status_code == again.status_code == 302
    assert [action for action, _ in audit_of(engine, resident)] == ["resident.lock"]
    with read_session(engine) as session:
        assert session.get(Resident, resident).session_version == version


def test_a_lock_needs_a_reason_and_an_administrator_cannot_lock_themselves(
    client, engine, make_resident, login
):
    resident = make_resident(phone=PHONE, email=None, password=PASSWORD)
    admin = admin_signed_in(make_resident, login)
    blank = press(client, resident, "lock", "  ")
    assert blank.status_code == 400 and is_active(engine, resident)
    own = client.get(f"/admin/residents/{admin}").get_data(as_text=True)
    assert "不能锁定" in own and f"/admin/residents/{admin}/lock" not in own
    forged = press(client, admin, "lock", "试试", key="forged-key-1")
    assert forged.status_code == 400 and "不能锁定您自己的账号" in forged.get_data(as_text=True)
    assert is_active(engine, admin) and audit_of(engine, admin) == []


def test_a_resident_or_merchant_is_refused(app, client, engine, make_resident, login):
    victim = make_resident(phone=PHONE, email=None, password=PASSWORD)
    for role in ("resident", "merchant"):
        make_resident(role=role, email=f"{role}@example.org", password=PASSWORD)
        browser = app.test_client()
        browser.submit("/login", {"login": f"{role}@example.org", "password": PASSWORD})
        assert browser.get("/admin/residents").status_code == 403
        assert browser.get(f"/admin/residents/{victim}").status_code == 403
        fields = {"idempotency_key": "k-" + role, "reason": "x"}
        refused = browser.submit(f"/admin/residents/{victim}/lock", fields, form_page="/")
        assert refused.status_code == 403
    assert app.test_client().get("/admin/residents").status_code == 302  # anonymous: to the login page
    assert is_active(engine, victim) and audit_of(engine, victim) == []
