"""A resident's first day, in a real browser on a phone (390x844) and on a desktop (1280x800): first visit,
register, the welcome on /me, a bus ride by scanning two stop QR codes, the trip at home, joining the
running campaign, redeeming a reward and showing the voucher, then the same page in English.

Every step is screenshotted (test-artifacts/browser/<width>x<height>/resident-NN-*.png) and checked for
overflow, nav height, tap targets, text size and checkbox shapes (checks.py); the layout problems of all
steps are reported together at the end, the journey itself stops at the first thing that does not work."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import Resident
from carbon_credit.transit import TapIn
from tests.browser import data
from tests.browser.data import expect_visible as _visible

PHONE_NUMBER = "13912345678"
SECRET = "green-commute-1"


def _ride_took(server, minutes: int) -> None:
    """The bus ride between the two scans: move the open tap-in back in time."""
    with session_scope(server.engine) as session:
        tap = session.execute(select(TapIn).where(TapIn.status == "open")).scalar_one()
        tap.tapped_in_at = tap.tapped_in_at - timedelta(minutes=minutes)
        session.add(tap)


def test_first_day(page, live_server, steps):
    server = live_server
    _first_visit_and_register(page, server, steps)
    _ride(page, server, steps)
    _join_campaign(page, server, steps)
    _redeem(page, server, steps)
    page.click("[data-testid=language-switch]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en", "after switching to English, <html lang>"
    steps.check(page, "resident-15-voucher-english", tab_bar=True)
    steps.assert_clean()


def _first_visit_and_register(page, server, steps) -> None:
    page.goto(f"{server.url}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans", "first visit: <html lang>"
    steps.check(page, "resident-01-first-visit")
    page.locator("a[href$='/register']").first.click()
    page.fill("input[name=login]", PHONE_NUMBER)
    page.fill("input[name=display_name]", "骑车的小李")
    page.select_option("select[name=district]", "xiaonan")
    page.fill("input[name=password]", SECRET)
    page.fill("input[name=confirm]", SECRET)
    page.fill("input[name=birth_year]", "1990")
    page.check("input[name=accept_notice]")  # the privacy notice, accepted once
    page.check("input[name=trips]")  # trips from stop scans: recorded only with this consent, off at first
    steps.check(page, "resident-02-register")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/login")  # registration never signs in (it would tell who has an account)
    steps.check(page, "resident-03-login")
    data.sign_in(page, server, PHONE_NUMBER, SECRET)
    page.goto(f"{server.url}/me")
    _visible(page, "[data-testid=welcome]", "a first-time resident's /me shows the three-step welcome")
    steps.check(page, "resident-04-welcome", tab_bar=True)


def _ride(page, server, steps) -> None:
    a, b = data.stop(server, data.STOP_A), data.stop(server, data.STOP_B)
    page.goto(data.stop_url(server, data.STOP_A))  # the phone's camera opened the poster's QR code
    assert page.get_by_text(a.name_zh).first.is_visible(), f"stop {a.code}: its name {a.name_zh}"
    steps.check(page, "resident-05-stop-a", tab_bar=True)
    page.click("[data-testid=scan-button]")
    _visible(page, "[data-testid=scan-result][data-kind=tapped_in]", "after tapping in at stop A")
    steps.check(page, "resident-06-tapped-in", tab_bar=True)
    _ride_took(server, 20)
    page.goto(data.stop_url(server, data.STOP_B))
    assert page.get_by_text(b.name_zh).first.is_visible(), f"stop {b.code}: its name {b.name_zh}"
    steps.check(page, "resident-07-stop-b", tab_bar=True)
    page.click("[data-testid=scan-button]")
    _visible(page, "[data-testid=scan-result][data-kind=trip_credited]", "after tapping out at stop B")
    points = int(page.inner_text("[data-testid=points]").replace(",", ""))
    assert points > 0
    steps.check(page, "resident-08-trip-credited", tab_bar=True)
    page.goto(f"{server.url}/me")
    assert re.search(rf"\b{points:,}\b|\b{points}\b", page.inner_text("main")), f"/me shows {points} points"
    _visible(page, "main a[href*='/activities/']", "/me lists the trip with a link to how it was calculated")
    steps.check(page, "resident-09-home-with-trip", tab_bar=True)


def _join_campaign(page, server, steps) -> None:
    _campaign_id, name = data.running_campaign(server)
    page.goto(f"{server.url}/me")
    _visible(page, "[data-testid=campaign]", "/me shows the running campaign")
    assert name in page.inner_text("main"), f"/me names the running campaign {name}"
    page.locator("[data-testid=join-campaign]").first.click()
    page.wait_for_load_state()
    assert page.get_by_text(name).first.is_visible(), f"after joining, the page names the campaign {name}"
    steps.check(page, "resident-10-campaign-joined", tab_bar=True)
    page.goto(f"{server.url}/me")
    page.locator("[data-testid=campaign] a[href*='/campaigns/']").first.click()
    _visible(page, "main svg", "the campaign page's chart")
    steps.check(page, "resident-11-campaign", tab_bar=True)


def _redeem(page, server, steps) -> None:
    page.goto(f"{server.url}/rewards")
    steps.check(page, "resident-12-rewards", tab_bar=True)
    with read_session(server.engine) as session:
        resident = session.execute(select(Resident).where(Resident.phone == PHONE_NUMBER)).scalar_one()
    reward_id = data.affordable_reward(server, resident.id)
    page.locator(f"a[href$='/rewards/{reward_id}/redeem']").first.click()
    steps.check(page, "resident-13-redeem", tab_bar=True)
    page.click("[data-testid=confirm-redeem]")
    page.wait_for_url(re.compile(r".*/vouchers/[A-Za-z0-9]+$"))
    _visible(page, "[data-testid=voucher-qr] svg", "the voucher's QR code")
    code = page.url.rsplit("/", 1)[1]
    assert code in page.inner_text("main").replace(" ", ""), "the voucher code is shown (groups of four)"
    steps.check(page, "resident-14-voucher", tab_bar=True)
