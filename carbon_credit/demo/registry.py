"""The demo registry (docs/demo.md, "The registry"): a month that has already happened, as thirty residents of
Xiaogan lived it (station-weighed recycling, a meter's saved kilowatt-hours, bus trips, walks: verified
data, channel "demo"), then the whole chain as the demo administrator would run it from /admin/registry:
the month pooled into a batch, verified (one record excluded, back in the pool), issued, part sold to a
buyer who retired part of the sale (a certificate), the city marathon's neutralisation in progress (the
organisers' retirement and a few residents' donations, a certificate each) and part of the sale's revenue
moved into the running campaign's budget.

The month is the latest calendar month (Beijing) whose review window has closed and which ends before the
demo week, so it is right on any day. Everything goes through the features' named operations
(``activities.record_activities``; ``registry.pool``, ``verify``, ``issue``, ``sell``, ``retire``,
``open_event``, ``donate``, ``allocate_revenue``). Loaded once: when the demo event is there, nothing is
done (as the other demo parts leave what they find); each command is idempotent by its key besides.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.activities import Activity, ActivityInput, record_activities
from carbon_credit.campaigns import Campaign, status
from carbon_credit.demo.campaigns import DEMO_CAMPAIGNS
from carbon_credit.demo.people import person_id
from carbon_credit.demo.week import NEIGHBOUR
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings
from carbon_credit.registry import (
    Batch,
    Event,
    allocate_revenue,
    donate,
    issue,
    open_event,
    pool,
    retire,
    sell,
    verify,
)
from carbon_credit.residents import create_resident, set_consent

MEMBERS = 30  # residents of the demo month, without logins: member-01@demo.xiaogan.local ...
DISTRICTS = ("xiaonan", "hanchuan", "yingcheng", "anlu", "yunmeng", "dawu", "xiaochang")
MATERIALS = ("mixed_paper", "corrugated_cardboard", "newspaper", "textiles", "corrugated_cardboard")
KILOGRAMS = ("3", "3.5", "4", "4.5", "5")  # a household's weekly bag at the station's scale
RECYCLING_DAYS = (3, 10, 17, 24)  # days of the month: every month has them, so every month adds up the same
BUS_DAYS = (2, 5, 9, 12, 16, 19, 23, 26)
WALK_DAYS = (6, 13, 20, 27)  # a long walk a week, from the phone's step counter
METER_DAY = 28  # the month's meter reading: kWh saved against the same month last year
WEEKS = ((1, 7), (8, 14), (15, 21), (22, 28))  # recorded a week at a time, inside the claim window
KEY_PREFIX = "demo-month-"

EVENT_SLUG = "xiaogan-marathon"
EVENT_TARGET = 1_000_000  # 1 t: the marathon's venue power and materials
ORGANISERS = ("孝感马拉松组委会 Xiaogan Marathon organising committee", 400_000)
DONATIONS = ((1, 5_000), (2, 8_000), (3, 3_000), (4, 10_000))  # (member number, points)
NEIGHBOUR_DONATION = 2_000  # a login, so a newcomer finds a donor's certificate in /account/certificates
BUYER = "湖北某低碳科技有限公司"
SALE_GRAMS, PRICE_FEN_PER_TONNE = 1_000_000, 4_350  # 43.50 CNY/t, Wuhan's price for pooled reductions
BUYER_RETIRED = 500_000
ALLOCATED_FEN = 3_000  # ¥30.00 of the ¥43.50 into the running campaign's budget
EXCLUDED = (5, "recycling", 10)  # member, behaviour, day: the record the verifier set aside
EXCLUSION_REASON = "抽样核查：回收站称重单缺失，待补正 / Sample check: the station's weighing slip is missing"


def seed_demo_registry(
    *, session: Session, settings: Settings, admin_id: int, people: Mapping[str, int]
) -> None:
    """Record the demo month and run the registry's chain on it, unless the demo event is there."""
    if session.execute(select(Event.id).where(Event.slug == EVENT_SLUG)).first() is not None:
        return
    today = clock.local_day(clock.now())
    first, last = demo_month(today, settings.registry_review_days)
    members = _members(session, settings)
    _record_month(session, settings, members, first)
    batch = _issued_batch(session, settings, admin_id, members, (first, last), today)
    _sale(session, settings, admin_id, batch, today)
    event = _event(session, admin_id, today)
    donors = [(members[number - 1], points) for number, points in DONATIONS]
    for resident_id, points in [*donors, (people[NEIGHBOUR], NEIGHBOUR_DONATION)]:
        donate(
            session=session,
            settings=settings,
            resident_id=resident_id,
            event_id=event.id,
            points=points,
            idempotency_key=f"demo-donation-{EVENT_SLUG}",
        )


def demo_month(today: date, review_days: int) -> tuple[date, date]:
    """The first and last day of the latest calendar month that may be pooled today (its review window
    closed) and ends more than a week ago (before the demo week)."""
    last = today.replace(day=1) - timedelta(days=1)
    while today <= last + timedelta(days=max(review_days, 7)):
        last = last.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def _members(session: Session, settings: Settings) -> list[int]:
    """The month's residents (created if missing, without a password: they have no demo login), spread
    over Xiaogan's districts; each accepted the privacy notice."""
    ids = []
    for number in range(1, MEMBERS + 1):
        email = f"member-{number:02d}@demo.xiaogan.local"
        found = person_id(session, email)
        if found is None:
            found = create_resident(
                session=session,
                settings=settings,
                display_name=f"演示成员 {number:02d} Demo member {number:02d}",
                email=email,
                district_code=DISTRICTS[number % len(DISTRICTS)],
            ).id
            set_consent(session=session, resident_id=found, purpose="notice", granted=True, channel="web")
        ids.append(found)
    return ids


def _record_month(session: Session, settings: Settings, members: list[int], first: date) -> None:
    """Each member's month through the bulk path, a week at a time as a station's export would come (within
    the claim window of verified records)."""
    for start, end in WEEKS:
        items = [
            ActivityInput(resident_id, behaviour, inputs, "demo", key, _at(first, day, hour))
            for index, resident_id in enumerate(members)
            for day, hour, key, behaviour, inputs in _month_of(index, first)
            if start <= day <= end
        ]
        done = record_activities(
            session=session, settings=settings, items=items, now=_at(first, end, "22:00")
        )
        if done.errors:  # the month is made to pass every rule: a refusal means a rule changed under it
            raise done.errors[0][1]


def _month_of(index: int, first: date) -> list[tuple[int, str, str, str, dict]]:
    """(day of the month, time, key, behaviour, inputs) of one member's month: varied by member, within
    every daily cap and below the review thresholds."""
    month = f"{KEY_PREFIX}{first:%Y-%m}"
    steps = [
        (day, "10:00", f"{month}-recycling-{day}", "recycling", _bag(index, week))
        for week, day in enumerate(RECYCLING_DAYS)
    ]
    kwh = str(15 + index * 7 % 45)
    steps.append((METER_DAY, "21:00", f"{month}-meter", "electricity", {"kwh": kwh, "scope": "hubei"}))
    if index % 4 != 3:  # three in four ride the bus to work
        bus = {"mode": "bus", "km": str(3 + index % 9)}
        steps += [(day, "07:40", f"{month}-bus-{day}", "transit", bus) for day in BUS_DAYS]
    for day in WALK_DAYS:
        walked = 5000 + (index * 853 + day * 311) % 7000
        steps.append((day, "19:30", f"{month}-walk-{day}", "walking", {"steps": walked}))
    return steps


def _bag(index: int, week: int) -> dict:
    material = MATERIALS[(index + week) % len(MATERIALS)]
    return {"material": material, "kg": KILOGRAMS[(index * 3 + week) % len(KILOGRAMS)]}


def _at(first: date, day: int, hour: str) -> datetime:
    """The aware UTC time of ``hour`` (Beijing) on ``day`` of the month starting ``first``."""
    hours, minutes = (int(part) for part in hour.split(":"))
    return clock.as_utc(datetime.combine(first.replace(day=day), time(hours, minutes)))


def _issued_batch(
    session: Session,
    settings: Settings,
    admin_id: int,
    members: list[int],
    period: tuple[date, date],
    today: date,
) -> Batch:
    """Pool the month, verify it less one record, issue it: the dates are the days after its review window
    (or today, when that is sooner)."""
    first, last = period
    opened = last + timedelta(days=settings.registry_review_days + 1)
    key = f"demo-registry-{first:%Y-%m}"
    batch = pool(
        session=session,
        settings=settings,
        actor_id=admin_id,
        period_start=first,
        period_end=last,
        idempotency_key=f"{key}-pool",
    )
    verify(
        session=session,
        actor_id=admin_id,
        batch_id=batch.id,
        verifier="湖北某碳核查机构",
        report_ref=f"HBV-{first:%Y%m}-017",
        verified_on=min(opened + timedelta(days=3), today),
        exclusions={_excluded(session, members, first): EXCLUSION_REASON},
        idempotency_key=f"{key}-verify",
    )
    return issue(
        session=session,
        actor_id=admin_id,
        batch_id=batch.id,
        issuance_ref=f"孝环碳普惠〔{first.year}〕{first.month}号",
        issued_on=min(opened + timedelta(days=6), today),
        idempotency_key=f"{key}-issue",
    )


def _excluded(session: Session, members: list[int], first: date) -> int:
    """The activity id of the record the verifier sets aside (:data:`EXCLUDED`)."""
    number, behaviour, day = EXCLUDED
    resident_id = members[number - 1]
    key = f"r{resident_id}:{KEY_PREFIX}{first:%Y-%m}-{behaviour}-{day}"
    return session.execute(select(Activity.id).where(Activity.idempotency_key == key)).scalar_one()


def _sale(session: Session, settings: Settings, admin_id: int, batch: Batch, today: date) -> None:
    """Sell part of the batch to the buyer, who retires part of it at once (a certificate); move part of
    the revenue into the running demo campaign's budget, if it is still running."""
    sold_on = min(batch.issued_on + timedelta(days=2), today)
    key = f"demo-registry-{batch.serial}"
    sale = sell(
        session=session,
        actor_id=admin_id,
        batch_id=batch.id,
        buyer=BUYER,
        grams=SALE_GRAMS,
        price_fen=SALE_GRAMS * PRICE_FEN_PER_TONNE // 1_000_000,
        sold_on=sold_on,
        contract_ref=f"XGCP-{sold_on:%Y%m}-001",
        idempotency_key=f"{key}-sell",
    )
    retire(
        session=session,
        actor_id=admin_id,
        grams=BUYER_RETIRED,
        beneficiary=BUYER,
        purpose=f"{sold_on.year} 年度办公用能碳中和 / Carbon neutrality of office energy use, {sold_on.year}",
        retired_on=sold_on,
        sale_id=sale.id,
        idempotency_key=f"{key}-retire-buyer",
    )
    running = session.execute(select(Campaign).where(Campaign.name_en == DEMO_CAMPAIGNS[0].name_en)).scalar()
    if running is not None and status(running) != "ended":
        allocate_revenue(
            session=session,
            settings=settings,
            actor_id=admin_id,
            batch_id=batch.id,
            campaign_id=running.id,
            amount_fen=ALLOCATED_FEN,
            idempotency_key=f"{key}-allocate",
        )


def _event(session: Session, admin_id: int, today: date) -> Event:
    """Open the city marathon's neutralisation (running from two weeks ago to three weeks ahead) and
    retire the organisers' share on its behalf."""
    year = today.year
    event = open_event(
        session=session,
        actor_id=admin_id,
        slug=EVENT_SLUG,
        name_zh=f"{year} 孝感马拉松",
        name_en=f"{year} Xiaogan Marathon",
        target_grams=EVENT_TARGET,
        starts_on=today - timedelta(days=14),
        ends_on=today + timedelta(days=21),
        idempotency_key=f"demo-registry-{EVENT_SLUG}",
    )
    beneficiary, grams = ORGANISERS
    retire(
        session=session,
        actor_id=admin_id,
        grams=grams,
        beneficiary=beneficiary,
        purpose=f"{event.name_zh}碳中和 / Carbon neutrality of the {event.name_en}",
        retired_on=today,
        event_id=event.id,
        idempotency_key=f"demo-registry-{EVENT_SLUG}-organisers",
    )
    return event
