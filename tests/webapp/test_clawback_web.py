"""Issue 13 over HTTP, as a resident and an administrator use it: the fraud-is-kept exploit (spend, then the
entry is rejected) now ends in a visible debt; the administrator voids the unused vouchers; flagged accounts
are cleared or clawed back from the queue; pages with voucher codes are never cached."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import residents, review
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.rewards import Reward, Voucher, points_balance
from tests.webapp.conftest import PASSWORD

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
ADMIN = "admin@example.org"


@pytest.fixture
def admin_client(app, make_resident):
    make_resident(role="admin", email=ADMIN, password=PASSWORD, display_name="管理员")
    other = app.test_client()
    assert other.submit("/login", {"login": ADMIN, "password": PASSWORD}).status_code == 302
    return other


@pytest.fixture
def reward(engine, make_resident):
    def make(cost: int) -> int:
        with session_scope(engine) as session:
            row = Reward(
                name_zh="公交券",
                name_en="Bus ride",
                cost=cost,
                stock=5,
                merchant_id=make_resident(role="merchant"),
            )
            session.add(row)
            session.flush()
            return row.id

    return make


def _resident(engine, login: str) -> int:
    with read_session(engine) as session:
        return residents.find_by_login(session=session, login=login).id


def _recycle(engine, app, resident: int, key: str = "glass"):
    config = app.extensions["carbon"]["settings"]
    with session_scope(engine) as session:
        item = ActivityInput(
            resident, "recycling", {"material": "glass", "kg": "10"}, "web", key, clock.now()
        )
        activity = record_activity(session=session, settings=config, item=item)
        return activity.id, activity.points


def _keyed(client, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    return {"csrf_token": CSRF.search(page).group(1), "idempotency_key": KEY.search(page).group(1)}


def _balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        return points_balance(session=session, resident_id=resident)


def test_fraud_is_not_kept_over_http(client, admin_client, engine, app, register, reward):
    """Before issue 13 the rejection answered 400 ("the resident has already spent these points") and the
    resident kept the voucher. Now it lands: the balance shows the debt and why, redemptions wait."""
    resident = _resident(engine, register())
    activity_id, points = _recycle(engine, app, resident)
    offer, cheap = reward(points - 100), reward(10)
    spent = client.post(f"/rewards/{offer}/redeem", data=_keyed(client, f"/rewards/{offer}/redeem"))
    assert spent.status_code == 302 and _balance(engine, resident) == 100
    form = {"reason": "照片与实物不符"}
    rejected = admin_client.submit(
        f"/admin/review/{activity_id}/reject", form, form_page=f"/admin/review/{activity_id}"
    )
    assert rejected.status_code == 302
    debt = points - 100
    assert _balance(engine, resident) == -debt  # the clawback landed
    flashed = admin_client.get("/admin/review").get_data(as_text=True)
    assert f"该居民现欠 {debt} 分" in flashed
    page = client.get(f"/rewards/{cheap}/redeem").get_data(as_text=True)
    assert f"-{debt}" in page and "照片与实物不符" in page and 'data-testid="debt"' in page
    assert 'data-testid="confirm-redeem"' not in page
    sent = {"csrf_token": client.csrf_token(f"/rewards/{cheap}/redeem"), "idempotency_key": "an-old-tab"}
    refused = client.post(f"/rewards/{cheap}/redeem", data=sent)  # a confirm page left open in another tab
    assert refused.status_code == 400 and "暂不能兑换奖品" in refused.get_data(as_text=True)
    with read_session(engine) as session:
        assert review.standing(session=session, resident_id=resident).debt == debt


def test_the_administrator_voids_unused_vouchers_from_the_entry_page(
    client, admin_client, engine, app, register, reward
):
    resident = _resident(engine, register())
    activity_id, points = _recycle(engine, app, resident)
    offer = reward(points - 100)
    client.post(f"/rewards/{offer}/redeem", data=_keyed(client, f"/rewards/{offer}/redeem"))
    admin_client.submit(
        f"/admin/review/{activity_id}/reject", {"reason": "重复"}, form_page=f"/admin/review/{activity_id}"
    )
    detail = admin_client.get(f"/admin/review/{activity_id}").get_data(as_text=True)
    assert 'data-testid="void-vouchers"' in detail and 'data-testid="debt"' in detail
    form = _keyed(admin_client, f"/admin/review/{activity_id}")
    for _ in range(2):  # a double tap voids once
        voided = admin_client.post(f"/admin/review/residents/{resident}/void-vouchers", data=form)
        assert voided.status_code == 302
    assert _balance(engine, resident) == 0  # owed points - 100, refunded the voucher's points - 100
    with read_session(engine) as session:
        assert session.get(Reward, offer).stock == 5
        [voucher] = session.execute(select(Voucher)).scalars().all()
    assert voucher.status == "void"
    listing = client.get("/vouchers").get_data(as_text=True)
    assert "已于" in listing and "作废" in listing


def test_pages_showing_voucher_codes_are_never_stored(client, engine, app, register, reward):
    resident = _resident(engine, register())
    _recycle(engine, app, resident)
    offer = reward(10)
    issued = client.post(f"/rewards/{offer}/redeem", data=_keyed(client, f"/rewards/{offer}/redeem"))
    code = issued.location.rsplit("/", 1)[1]
    for url in ("/vouchers", f"/vouchers/{code}", f"/vouchers/{code}/qr.png", f"/rewards/{offer}/redeem"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    assert issued.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/rewards").headers.get("Cache-Control", "")


def test_a_flagged_account_is_cleared_or_clawed_back_from_the_queue(
    admin_client, engine, app, make_resident, monkeypatch
):
    from carbon_credit.review import anomalies

    monkeypatch.setattr(anomalies, "CAP_HITS", 2)
    cleared, clawed = make_resident(display_name="小张"), make_resident(display_name="小赵")
    for resident in (cleared, clawed):
        for n in range(2):
            _recycle(engine, app, resident, key=f"big{n}")
            _recycle(engine, app, resident, key=f"cap{n}")
    with session_scope(engine) as session:
        assert review.flag_anomalies(session=session, now=clock.now() + timedelta(days=1)) == 2
    page = admin_client.get("/admin/review?tab=flagged").get_data(as_text=True)
    assert "被标记的账户" in page and "小张" in page and "条记录达到每日上限" in page
    with read_session(engine) as session:
        flags = {f.flag.resident_id: f.flag.id for f in review.flagged(session=session).items}
    page = admin_client.get("/admin/review?tab=flagged").get_data(as_text=True)
    csrf, keys = CSRF.search(page).group(1), KEY.findall(page)
    assert len(set(keys)) == 4  # two flags, two forms each, each its own key
    form = {"csrf_token": csrf}
    for flag_id, clear_key, claw_key in zip(_ids_in_page(page), keys[0::2], keys[1::2], strict=True):
        if flag_id == flags[cleared]:
            form["idempotency_key"] = clear_key
            assert admin_client.post(f"/admin/review/flags/{flag_id}/clear", data=form).status_code == 302
        else:
            claw = {"csrf_token": csrf, "idempotency_key": claw_key, "reason": "刷分"}
    assert "已解除标记" in admin_client.get("/admin/review?tab=flagged").get_data(as_text=True)
    assert admin_client.post(f"/admin/review/flags/{flags[clawed]}/claw-back", data=claw).status_code == 302
    assert _balance(engine, clawed) == 0 and _balance(engine, cleared) > 0
    assert "没有被标记的账户" in admin_client.get("/admin/review?tab=flagged").get_data(as_text=True)


def _ids_in_page(page: str) -> list[int]:
    """The flag ids in the order the flagged tab shows them (from their clear forms' actions)."""
    return [int(n) for n in re.findall(r"/admin/review/flags/(\d+)/clear", page)]


def test_the_home_page_shows_the_debt_and_why(client, engine, settings, make_resident, login):
    """After a clawback leaves a debt, the resident's home page says how much is owed and why."""
    from carbon_credit.ledger import Posting, account_id_for, post, reverse
    from carbon_credit.platform.database import session_scope

    resident = make_resident(email="debtor@example.org", password="correct-horse-9")
    with session_scope(engine) as session:
        account = account_id_for(session=session, resident_id=resident)
        earned = post(session=session, posting=Posting(account, 500, "earn", "t-earn"))
        post(session=session, posting=Posting(account, -400, "redeem", "t-spend"))
        reverse(session=session, entry_id=earned.id, idempotency_key="t-claw", memo="rejected")
    login("debtor@example.org")
    page = client.get("/me").get_data(as_text=True)
    assert 'data-testid="debt"' in page and "-400" in page
