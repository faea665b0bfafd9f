"""Admission decides once what a claim earns: the chat's preview shows exactly what recording then credits,
for a normal claim, one partly over the daily cap, one with a running campaign's bonus (and one whose bonus
the budget cuts), and one held for review."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from carbon_credit import activities, campaigns, ledger
from carbon_credit.activities import ActivityInput
from carbon_credit.campaigns import CampaignInput
from carbon_credit.platform.database import read_session, session_scope

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
ELECTRICITY = ("electricity", {"kwh": "10", "scope": "hubei"})  # 4,044 g; declared: half, 2,022 points
WALK = ("walking", {"steps": "6000"})  # 120 g -> 120 points; the walking cap is 296 a day
BIG_RECYCLING = ("recycling", {"material": "glass", "kg": "25"})  # above the 20 kg review threshold
keys = iter(range(1, 10**6))


def _preview(engine, settings, resident, claim) -> activities.Admission:
    behaviour, inputs = claim
    with read_session(engine) as session:
        return activities.preview(
            session=session,
            settings=settings,
            resident_id=resident,
            behaviour=behaviour,
            inputs=inputs,
            now=NOON,
        )


def _record(engine, settings, resident, claim) -> activities.Activity:
    behaviour, inputs = claim
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, "bot", f"chat-{next(keys)}")
        return activities.record_activity(session=session, settings=settings, item=item, now=NOON)


def _balance(engine, resident) -> int:
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        return ledger.balance(session=session, account_id=account)


def _previewed_then_recorded(engine, settings, resident, claim):
    """Preview the claim, record it, and check that the credit is what the preview said."""
    before = _balance(engine, resident)
    shown = _preview(engine, settings, resident, claim)
    activity = _record(engine, settings, resident, claim)
    assert (activity.status, activity.points, activity.note) == (shown.status, shown.points, shown.note)
    assert (activity.campaign_id, activity.bonus_points) == (shown.campaign_id, shown.bonus_points)
    assert (activity.grams, activity.points_quantified) == (shown.result.grams, shown.points_quantified)
    assert _balance(engine, resident) - before == shown.total
    return shown


@pytest.fixture
def campaign(engine, settings, make_resident):
    """``campaign(bonus=..., budget=...)``: a running campaign with a fixed bonus per activity."""
    admin = make_resident(role="admin")

    def create(bonus: int, budget: int = 10_000) -> int:
        period = (NOON - timedelta(days=1), NOON + timedelta(days=1))
        data = CampaignInput(
            "全国低碳日", "Low-Carbon Day", "low_carbon_day", *period, budget, bonus_points=bonus
        )
        with session_scope(engine) as session:
            made = campaigns.create_campaign(
                session=session, settings=settings, actor_id=admin, data=data, idempotency_key=f"c{bonus}"
            )
            return made.id

    return create


def test_a_normal_claim_is_credited_as_previewed(engine, settings, make_resident):
    shown = _previewed_then_recorded(engine, settings, make_resident(), WALK)
    assert (shown.status, shown.points, shown.bonus_points, shown.note) == ("credited", 120, 0, None)
    assert (shown.evidence, shown.share) == ("declared", 100)


def test_a_declared_claim_is_previewed_at_its_share(engine, settings, make_resident):
    resident = make_resident()
    shown = _previewed_then_recorded(engine, settings, resident, ELECTRICITY)
    assert (shown.evidence, shown.points_quantified, shown.points) == ("declared", 4044, 2022)
    assert shown.note == "declared_share:50"
    again = _previewed_then_recorded(engine, settings, resident, ELECTRICITY)  # the declared cap: 3,000 a day
    assert (again.points, again.capped_points, again.note) == (978, 1044, "daily_cap:3000")


def test_a_claim_partly_over_the_daily_cap_says_how_much_is_kept_back(engine, settings, make_resident):
    resident = make_resident()
    _previewed_then_recorded(engine, settings, resident, WALK)  # 120 of the 296
    _previewed_then_recorded(engine, settings, resident, WALK)  # 240
    shown = _previewed_then_recorded(engine, settings, resident, WALK)  # 56 left of the cap
    assert (shown.points_quantified, shown.points, shown.capped_points) == (120, 56, 64)
    assert (shown.cap, shown.note) == (296, "daily_cap:296")
    assert _balance(engine, resident) == 296


def test_a_running_campaign_bonus_is_previewed_and_paid(engine, settings, make_resident, campaign):
    campaign_id = campaign(bonus=50)
    shown = _previewed_then_recorded(engine, settings, make_resident(), WALK)
    assert (shown.points, shown.campaign_id, shown.bonus_points, shown.total) == (120, campaign_id, 50, 170)


def test_a_bonus_the_budget_cannot_pay_in_full_is_previewed_as_paid(
    engine, settings, make_resident, campaign
):
    campaign(bonus=50, budget=70)
    resident = make_resident()
    assert _previewed_then_recorded(engine, settings, resident, WALK).bonus_points == 50
    assert _previewed_then_recorded(engine, settings, resident, WALK).bonus_points == 20  # what is left
    assert _previewed_then_recorded(engine, settings, resident, WALK).campaign_id is None  # spent


def test_a_claim_held_for_review_is_previewed_as_held(engine, settings, make_resident, campaign):
    campaign(bonus=50)
    shown = _previewed_then_recorded(engine, settings, make_resident(), BIG_RECYCLING)
    assert (shown.status, shown.review, shown.points, shown.bonus_points) == (
        "pending",
        "review_large_amount",
        0,
        0,
    )
    assert shown.points_quantified > 0  # what it is worth once approved
