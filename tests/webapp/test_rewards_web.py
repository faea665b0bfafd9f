"""Rewards pages as a resident and a merchant use them: browse, redeem through the forms (CSRF on), show the
voucher with its QR code, verify it at the counter."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from sqlalchemy import func, select

from carbon_credit import ledger, residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.rewards import Reward, Voucher
from tests.webapp.conftest import PASSWORD

# The registration form's consent fields: born in 1990, the current notice accepted, trips recorded.
CONSENT = {
    "birth_year": "1990",
    "accept_notice": "y",
    "notice_version": residents.current_notice().version,
    "trips": "y",
}

KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@pytest.fixture
def merchant(make_resident) -> tuple[int, str]:
    """A merchant account (id, login)."""
    return make_resident(role="merchant", email="shop@example.org", password=PASSWORD), "shop@example.org"


@pytest.fixture
def reward(engine, merchant) -> int:
    with session_scope(engine) as session:
        row = Reward(
            name_zh="孝感公交乘车券",
            name_en="Xiaogan bus ride voucher",
            description_zh="免费乘车一次。",
            description_en="One free ride.",
            cost=500,
            stock=5,
            merchant_id=merchant[0],
        )
        session.add(row)
        session.flush()
        return row.id


def give_points(engine, login: str, points: int) -> int:
    """Credit ``points`` to the resident signed up as ``login``; returns their id."""
    with session_scope(engine) as session:
        resident = residents.find_by_login(session=session, login=login)
        account = ledger.account_id_for(session=session, resident_id=resident.id)
        ledger.post(
            session=session, posting=ledger.Posting(account, points, "earn", f"web-seed-{resident.id}")
        )
        return resident.id


def confirm_form(client, reward_id: int) -> dict[str, str]:
    page = client.get(f"/rewards/{reward_id}/redeem").get_data(as_text=True)
    key = KEY.search(page)
    assert key, page
    return {"csrf_token": CSRF.search(page).group(1), "idempotency_key": key.group(1)}


def voucher_count(engine) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count(Voucher.id))).scalar_one()


def test_catalogue_is_public_and_in_chinese_by_default(client, reward):
    page = client.get("/rewards")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "孝感公交乘车券" in text and "500" in text and "剩余 5 份" in text and "登录后兑换" in text
    client.set_cookie("lang", "en")
    assert "Xiaogan bus ride voucher" in client.get("/rewards").get_data(as_text=True)


def test_redeem_journey_through_the_forms(client, engine, register, reward):
    login = register()
    give_points(engine, login, 1200)
    catalogue = client.get("/rewards").get_data(as_text=True)
    assert 'data-testid="balance">1200<' in catalogue and f"/rewards/{reward}/redeem" in catalogue
    confirm = client.get(f"/rewards/{reward}/redeem").get_data(as_text=True)
    assert 'data-testid="balance-after">700<' in confirm and "确认兑换" in confirm
    done = client.post(f"/rewards/{reward}/redeem", data=confirm_form(client, reward))
    assert done.status_code == 302 and "/vouchers/" in done.location
    voucher = client.get(done.location).get_data(as_text=True)
    code = re.search(r'data-code="([A-Z0-9]+)"', voucher).group(1)
    assert "兑换成功" in voucher and "<svg" in voucher and "可使用" in voucher
    listing = client.get("/vouchers").get_data(as_text=True)
    assert "孝感公交乘车券" in listing and f"/vouchers/{code}" in listing


def test_a_voucher_is_shown_for_the_counter(client, engine, register, reward):
    login = register()
    give_points(engine, login, 600)
    done = client.post(f"/rewards/{reward}/redeem", data=confirm_form(client, reward))
    page = client.get(done.location).get_data(as_text=True)
    code = done.location.rsplit("/", 1)[1]
    grouped = " ".join(code[i : i + 4] for i in range(0, len(code), 4))
    assert f'data-code="{code}">{grouped}</p>' in page  # readable in groups of four, under the QR code
    assert page.index('data-testid="voucher-qr"') < page.index('data-testid="voucher-code"')
    assert "请在柜台出示此二维码或下方券码" in page and f'aria-label="兑换券 {grouped} 的二维码"' in page
    assert re.search(r"兑换时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)  # Beijing time, no offset
    assert f'href="/vouchers/{code}/qr.png" download role="button"' in page
    listing = client.get("/vouchers").get_data(as_text=True)
    assert re.search(rf'<a href="/vouchers/{code}" role="button">\s*出示兑换券</a>', listing)
    assert 'href="/vouchers"' in client.get("/rewards").get_data(as_text=True)  # from the catalogue too


def test_a_double_submitted_confirm_form_gives_one_voucher(client, engine, register, reward):
    login = register()
    give_points(engine, login, 5000)
    form = confirm_form(client, reward)
    first = client.post(f"/rewards/{reward}/redeem", data=form)
    second = client.post(f"/rewards/{reward}/redeem", data=form)
    assert first.status_code == second.status_code == 302 and first.location == second.location
    assert voucher_count(engine) == 1
    assert 'data-testid="balance">4500<' in client.get("/rewards").get_data(as_text=True)


def test_refusals_are_shown_on_the_confirm_page(client, engine, register, reward):
    login = register()
    give_points(engine, login, 600)
    first, second = confirm_form(client, reward), confirm_form(client, reward)  # two tabs open
    assert client.post(f"/rewards/{reward}/redeem", data=first).status_code == 302
    again = client.post(f"/rewards/{reward}/redeem", data=second)
    assert again.status_code == 400
    assert "积分不足：需要 500 分，当前余额 100 分。" in again.get_data(as_text=True)
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    page = client.get(f"/rewards/{reward}/redeem").get_data(as_text=True)
    assert "You need 400 more points for this reward." in page


def test_sold_out_is_refused_clearly(client, engine, register, reward):
    login = register()
    give_points(engine, login, 600)
    form = confirm_form(client, reward)
    with session_scope(engine) as session:
        session.get(Reward, reward).stock = 0  # another resident took the last one meanwhile
    refused = client.post(f"/rewards/{reward}/redeem", data=form)
    assert refused.status_code == 400 and "该奖品已兑完。" in refused.get_data(as_text=True)
    assert "已兑完" in client.get("/rewards").get_data(as_text=True)


def test_pages_need_a_login(client, reward):
    for url in (f"/rewards/{reward}/redeem", "/vouchers", "/vouchers/ABCD/qr.png", "/verify"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


def test_other_residents_vouchers_are_not_found(app, engine, register, login, reward):
    owner = app.test_client()
    owner_login = _sign_up(owner, "13900000001")
    give_points(engine, owner_login, 600)
    code = _redeem(owner, reward)
    assert owner.get(f"/vouchers/{code}").status_code == 200
    stranger = app.test_client()
    _sign_up(stranger, "13900000002")
    assert stranger.get(f"/vouchers/{code}").status_code == 404
    assert stranger.get(f"/vouchers/{code}/qr.png").status_code == 404
    assert stranger.get("/rewards/9999/redeem").status_code == 404


def test_qr_png_encodes_the_code(client, engine, register, reward, tmp_path):
    give_points(engine, register(), 600)
    code = _redeem(client, reward)
    png = client.get(f"/vouchers/{code}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG")
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg is not installed, so the PNG cannot be decoded here")
    (tmp_path / "qr.png").write_bytes(png.data)
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "qr.png")], capture_output=True, text=True
    )
    assert decoded.stdout.strip() == code


def test_verify_is_for_merchants_and_admins(client, engine, register, login, reward, merchant):
    give_points(engine, register(), 600)
    code = _redeem(client, reward)
    assert client.get("/verify").status_code == 403
    client.submit("/logout", form_page="/")
    login(merchant[1])
    assert client.get("/verify").status_code == 200
    typed = f"{code[:4].lower()} {code[4:8]}-{code[8:]}"
    used = client.submit("/verify", {"code": typed})
    assert used.status_code == 200 and "核销成功：孝感公交乘车券" in used.get_data(as_text=True)
    again = client.submit("/verify", {"code": code})
    text = again.get_data(as_text=True)
    assert again.status_code == 400 and "该兑换券已于" in text and "不能重复使用" in text
    first_time = re.search(
        r"核销成功：孝感公交乘车券，时间 ([0-9: -]+)。", used.get_data(as_text=True)
    ).group(1)
    assert first_time in text
    missing = client.submit("/verify", {"code": "NOPE NOPE NOPE NOPE"})
    assert missing.status_code == 400 and "未找到该兑换券" in missing.get_data(as_text=True)


def test_a_merchant_cannot_verify_another_merchants_voucher(
    client, engine, register, login, reward, make_resident
):
    give_points(engine, register(), 600)
    code = _redeem(client, reward)
    make_resident(role="merchant", email="other@example.org", password=PASSWORD)
    client.submit("/logout", form_page="/")
    login("other@example.org")
    refused = client.submit("/verify", {"code": code})
    assert refused.status_code == 400 and "不属于您商户" in refused.get_data(as_text=True)


def _sign_up(client, login: str) -> str:
    response = client.submit(
        "/register",
        {
            **CONSENT,
            "login": login,
            "display_name": "小李",
            "district": "xiaonan",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    client.submit("/login", {"login": login, "password": PASSWORD})  # registration never signs in
    return login


def _redeem(client, reward_id: int) -> str:
    done = client.post(f"/rewards/{reward_id}/redeem", data=confirm_form(client, reward_id))
    assert done.status_code == 302, done.get_data(as_text=True)
    return done.location.rsplit("/", 1)[1]
