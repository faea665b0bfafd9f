"""A resident's privacy rights, in a real browser on a phone (390x844): register with consent (year of birth,
the notice accepted, the trips switch on), turn trips off and on again under My privacy choices and see
both changes in the history, download the copy of their data as JSON and as Excel (both must open), then
delete the account with the password and the typed word: signed out, and the old login answered exactly
like one that never existed.

Every step is screenshotted (test-artifacts/browser/390x844/privacy-NN-*.png) and checked for overflow,
nav height, tap targets, text size and checkbox shapes (checks.py). Runs in the SQLite pass only (the
suite's time budget: tests/browser/conftest.py)."""

from __future__ import annotations

import json

import openpyxl
import pytest
from sqlalchemy import select

from carbon_credit import residents
from carbon_credit.platform.database import read_session
from carbon_credit.residents import Resident
from tests.browser import data
from tests.browser.checks import PHONE
from tests.browser.data import expect_visible as _visible

PHONE_NUMBER = "13912340987"
SECRET = "quiet-river-stone-7"
TRIPS = "乘车行程"  # the switch's label in the history
HISTORY = "[data-testid=consent-history] tbody tr"


@pytest.mark.parametrize("screen", [PHONE], ids=["phone"], indirect=True)
def test_privacy_rights(page, live_server, steps, tmp_path):
    server = live_server
    _register(page, server, steps)
    resident_id = _resident_id(server)
    _switch_trips_off_and_on(page, server, steps, resident_id)
    _download_copies(page, server, steps, tmp_path, resident_id)
    _delete(page, server, steps)
    _old_login_is_unknown(page, server, steps)
    steps.assert_clean()


def _resident_id(server) -> int:
    with read_session(server.engine) as session:
        return session.execute(select(Resident.id).where(Resident.phone == PHONE_NUMBER)).scalar_one()


def _register(page, server, steps) -> None:
    page.goto(f"{server.url}/register")
    page.fill("input[name=login]", PHONE_NUMBER)
    page.fill("input[name=display_name]", "注重隐私的小周")
    page.select_option("select[name=district]", "xiaonan")
    page.fill("input[name=password]", SECRET)
    page.fill("input[name=confirm]", SECRET)
    page.fill("input[name=birth_year]", "1988")
    page.check("input[name=accept_notice]")
    page.check("input[name=trips]")
    steps.check(page, "privacy-01-register")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/login")
    data.sign_in(page, server, PHONE_NUMBER, SECRET)


def _trips_history(page) -> list[str]:
    """The choices listed for the trips switch, newest first."""
    rows = page.locator(HISTORY).filter(has_text=TRIPS)
    return [rows.nth(n).locator("td").nth(2).inner_text().strip() for n in range(rows.count())]


def _save_choices(page) -> None:
    page.click("[data-testid=consents] button[type=submit]")
    page.wait_for_load_state()
    _visible(page, "[data-testid=consent-history]", "after saving, the history")


def _switch_trips_off_and_on(page, server, steps, resident_id: int) -> None:
    page.goto(f"{server.url}/account")
    page.click("[data-testid=privacy-link]")
    page.wait_for_url(f"{server.url}/account/privacy")
    trips = page.locator("input[name=trips]")
    assert trips.is_checked(), "the trips switch turned on at registration is on"
    assert _trips_history(page) == ["开启"], "the history lists the choice made at registration"
    steps.check(page, "privacy-02-choices", tab_bar=True)
    trips.uncheck()
    _save_choices(page)
    assert not page.locator("input[name=trips]").is_checked(), "after turning trips off and saving"
    with read_session(server.engine) as session:
        assert not residents.has_consent(session=session, resident_id=resident_id, purpose="trips")
    steps.check(page, "privacy-03-trips-off", tab_bar=True)
    page.locator("input[name=trips]").check()
    _save_choices(page)
    assert page.locator("input[name=trips]").is_checked(), "after turning trips back on and saving"
    assert _trips_history(page) == ["开启", "关闭", "开启"], "the history shows both changes, newest first"
    with read_session(server.engine) as session:
        assert residents.has_consent(session=session, resident_id=resident_id, purpose="trips")
    steps.check(page, "privacy-04-trips-on-again", tab_bar=True)


def _download(page, selector: str, folder, name: str):
    with page.expect_download() as started:
        page.click(selector)
    path = folder / name
    started.value.save_as(path)
    return path


def _download_copies(page, server, steps, folder, resident_id: int) -> None:
    page.goto(f"{server.url}/account")
    page.click("[data-testid=account-data]")
    page.wait_for_url(f"{server.url}/account/data")
    _visible(page, "[data-testid=data-sections]", "/account/data lists what is held")
    steps.check(page, "privacy-05-my-data", tab_bar=True)
    document = json.loads(
        _download(page, "[data-testid=download-json]", folder, "copy.json").read_text("utf-8")
    )
    sections = document["sections"]
    assert document["resident_id"] == resident_id
    assert sections["profile"]["rows"][0]["phone"] == PHONE_NUMBER
    trips = [row["granted"] for row in sections["consent_records"]["rows"] if row["purpose"] == "trips"]
    assert sorted(trips) == [False, True, True], "the copy holds every trips choice"
    workbook = openpyxl.load_workbook(_download(page, "[data-testid=download-xlsx]", folder, "copy.xlsx"))
    assert workbook.sheetnames[0] == "个人资料"
    header, *rows = workbook["个人资料"].iter_rows(values_only=True)
    assert [dict(zip(header, row, strict=True))["phone"] for row in rows] == [PHONE_NUMBER]


def _delete(page, server, steps) -> None:
    page.goto(f"{server.url}/account")
    page.click("[data-testid=delete-link]")
    page.wait_for_url(f"{server.url}/account/delete")
    steps.check(page, "privacy-06-delete", tab_bar=True)
    page.fill("input[name=password]", SECRET)
    page.fill("input[name=confirmation]", "删除")
    page.click("[data-testid=delete-button]")
    page.wait_for_url(f"{server.url}/")
    assert "您的账号已注销" in page.inner_text("body"), "the landing page says the account is deleted"
    steps.check(page, "privacy-07-deleted")
    page.goto(f"{server.url}/account")
    assert "/login" in page.url, "after deleting, this browser is signed out"


def _login_refusal(page, server, login: str) -> str:
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", SECRET)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    _visible(page, "[data-testid=form-error]", f"logging in as {login} is refused")
    assert "/login" in page.url
    return page.inner_text("[data-testid=form-error]")


def _old_login_is_unknown(page, server, steps) -> None:
    deleted = _login_refusal(page, server, PHONE_NUMBER)
    steps.check(page, "privacy-08-old-login-refused")
    never = _login_refusal(page, server, "13900001111")
    assert deleted == never == "账号或密码不正确。", "the deleted login is answered like an unknown one"
