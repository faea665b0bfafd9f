"""A resident's first day, in a real browser on a 360 px screen: register, ride a bus by scanning two stop
QR codes, see the points at home, redeem a reward and see the voucher's QR code."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from carbon_credit import ledger
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents.models import Resident
from carbon_credit.rewards.models import Reward
from carbon_credit.stops import checkin_url
from carbon_credit.stops.models import Stop
from carbon_credit.transit.models import TapIn


def _stop(server, code: str) -> Stop:
    with read_session(server.engine) as session:
        return session.execute(select(Stop).where(Stop.code == code)).scalar_one()


def _ride_took(server, minutes: int) -> None:
    """The bus ride between the two scans: move the open tap-in back in time."""
    with session_scope(server.engine) as session:
        tap = session.execute(select(TapIn).where(TapIn.status == "open")).scalar_one()
        tap.tapped_in_at = tap.tapped_in_at - timedelta(minutes=minutes)
        session.add(tap)


def test_register_ride_redeem_in_a_browser(page, live_server, shoot):
    server = live_server
    page.goto(f"{server.url}/register")
    page.fill("input[name=login]", "13912345678")
    page.fill("input[name=display_name]", "骑车的小李")
    page.select_option("select[name=district]", "xiaonan")
    page.fill("input[name=password]", "green-commute-1")
    page.fill("input[name=confirm]", "green-commute-1")
    shoot(page, "01-register")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/login")  # registration never signs in (it would tell who has an account)
    page.fill("input[name=login]", "13912345678")
    page.fill("input[name=password]", "green-commute-1")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    assert page.get_by_text("退出").is_visible()

    stop_a, stop_b = _stop(server, "XG1-01"), _stop(server, "XG1-05")
    page.goto(checkin_url(stop_a, server.settings))
    assert page.get_by_text(stop_a.name_zh).first.is_visible()
    page.click("main form button[type=submit]")
    shoot(page, "02-tapped-in")
    _ride_took(server, 20)

    page.goto(checkin_url(stop_b, server.settings))
    page.click("main form button[type=submit]")
    shoot(page, "03-trip-credited")
    with read_session(server.engine) as session:
        resident = session.execute(select(Resident).where(Resident.phone == "13912345678")).scalar_one()
        points = ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident.id)
        )
    assert points > 0

    page.goto(f"{server.url}/me")
    shoot(page, "04-home")
    assert re.search(rf"\b{points:,}\b|\b{points}\b", page.inner_text("main"))

    with read_session(server.engine) as session:
        cheapest = (
            session.execute(select(Reward).where(Reward.cost <= points, Reward.stock > 0)).scalars().first()
        )
    assert cheapest is not None, f"no demo reward costs {points} points or less"
    page.goto(f"{server.url}/rewards/{cheapest.id}/redeem")
    shoot(page, "05-redeem-confirm")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/vouchers/[A-Za-z0-9]+$"))
    shoot(page, "06-voucher")
    assert page.locator("main svg").first.is_visible()
    code = page.url.rsplit("/", 1)[1]
    assert code in page.inner_text("main").replace(" ", "")  # shown in groups of four
