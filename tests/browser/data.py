"""What the browser tests need besides the demo data, made through the same operations the app uses: a
trip, entries held for review, a voucher, a running campaign; signing in through the login form, and
waiting for an element with a failure that says what was expected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from carbon_credit import campaigns, rewards, transit
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.demo.people import DEMO_MERCHANT_EMAIL, DEMO_PASSWORD
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.residents import Resident
from carbon_credit.stops import Stop, sign_stop

ADMIN = "admin@demo.xiaogan.local"
RESIDENT = "resident@demo.xiaogan.local"
MERCHANT = DEMO_MERCHANT_EMAIL
PASSWORD = DEMO_PASSWORD
STOP_A, STOP_B = "XG1-01", "XG1-05"  # demo stops on one bus route, a few kilometres apart


def sign_in(page, server, login: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait until it has gone."""
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def expect_visible(page, selector: str, what: str) -> None:
    """Wait (up to 10 s) for the element; fail saying what was expected, and on which page."""
    try:
        page.locator(selector).first.wait_for(state="visible", timeout=10_000)
    except PlaywrightTimeout:
        pytest.fail(f"{what}: no visible {selector} on {page.url}", pytrace=False)


def person(server, email: str) -> int:
    """The id of the demo person with this e-mail."""
    with read_session(server.engine) as session:
        return session.execute(select(Resident.id).where(Resident.email == email)).scalar_one()


def stop(server, code: str) -> Stop:
    with read_session(server.engine) as session:
        return session.execute(select(Stop).where(Stop.code == code)).scalar_one()


def stop_url(server, code: str) -> str:
    """The stop's check-in link, as its poster's QR code holds it: /s/<signed token>."""
    found = stop(server, code)
    token = sign_stop(found.id, found.token_version, server.settings.qr_signing_key)
    return f"{server.url}/s/{token}"


def trip(server, resident_id: int) -> int:
    """A bus trip from stop A to stop B that took 20 minutes, ending now; the credited activity's id."""
    now = clock.now()
    for code, at in ((STOP_A, now - timedelta(minutes=20)), (STOP_B, now)):
        token = stop_url(server, code).rsplit("/", 1)[1]
        with session_scope(server.engine) as session:
            result = transit.scan(
                session=session,
                settings=server.settings,
                resident_id=resident_id,
                token=token,
                idempotency_key=f"browser-trip-{code}-{at.timestamp()}",
                now=at,
            )
    assert result.kind == "trip_credited", result
    return result.activity_id


def held_entry(server, resident_id: int, key: str) -> int:
    """25 kg of glass recycling: held for review. The activity's id."""
    item = ActivityInput(resident_id, "recycling", {"material": "glass", "kg": "25"}, "web", key, clock.now())
    with session_scope(server.engine) as session:
        activity = record_activity(session=session, settings=server.settings, item=item)
        assert activity.status == "pending", activity.status
        return activity.id


def affordable_reward(server, resident_id: int) -> int:
    """The id of the cheapest reward in the catalogue the resident can afford."""
    return affordable_rewards(server, resident_id)[0]


def affordable_rewards(server, resident_id: int) -> list[int]:
    """The ids of the rewards the resident can afford, cheapest first."""
    with read_session(server.engine) as session:
        balance = rewards.points_balance(session=session, resident_id=resident_id)
        offer = [r for r in rewards.catalogue(session=session) if r.cost <= balance and r.stock > 0]
    assert offer, f"no demo reward costs {balance} points or less"
    return [r.id for r in sorted(offer, key=lambda r: r.cost)]


def voucher(server, resident_id: int, key: str = "browser-voucher") -> str:
    """A voucher for the cheapest reward the resident can afford and may still redeem; its code."""
    refusals = []
    for reward_id in affordable_rewards(server, resident_id):
        try:
            with session_scope(server.engine) as session:
                return rewards.redeem(
                    session=session,
                    settings=server.settings,
                    resident_id=resident_id,
                    reward_id=reward_id,
                    idempotency_key=key,
                ).code
        except DomainError as refused:  # e.g. the demo already reached this reward's limit
            refusals.append(f"reward {reward_id}: {refused}")
    raise AssertionError(f"resident {resident_id} can redeem no reward: {refusals}")


def running_campaign(server) -> tuple[int, str]:
    """(id, Chinese name) of a campaign running now: the demo's, else one made by the demo admin (audited)."""
    with read_session(server.engine) as session:
        running = campaigns.active_campaigns(session=session)
    if running:
        return running[0].id, running[0].name_zh
    now = clock.now()
    data = campaigns.CampaignInput(
        name_zh="绿色出行周",
        name_en="Green travel week",
        kind="custom",
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=5),
        budget_points=50_000,
        multiplier_percent=150,
    )
    with session_scope(server.engine) as session:
        made = campaigns.create_campaign(
            session=session,
            settings=server.settings,
            actor_id=person(server, ADMIN),
            data=data,
            idempotency_key="browser-campaign",
        )
        return made.id, made.name_zh
