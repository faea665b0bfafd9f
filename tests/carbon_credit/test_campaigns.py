"""Campaign bonuses: how much, for what, which campaign wins, the budget that stops them, and the admin
services (validation, audit)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import campaigns, ledger
from carbon_credit.activities import Activity, ActivityInput, DailyRollup, record_activities, record_activity
from carbon_credit.campaigns import Campaign, CampaignInput
from carbon_credit.campaigns.bonus import best_campaign, bonus_for
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import District

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
WALK = {"steps": "5000"}  # 100 g -> 100 points
PAPER = {"material": "paper", "kg": "1"}  # 3,913 points


def _campaign(id=1, multiplier=100, bonus=0, behaviours=(), districts=(), start=None, end=None):
    return Campaign(
        id=id,
        name_zh="低碳日",
        name_en="Low-Carbon Day",
        starts_at=start or NOON - timedelta(days=1),
        ends_at=end or NOON + timedelta(days=1),
        multiplier_percent=multiplier,
        bonus_points=bonus,
        behaviours=list(behaviours),
        district_ids=list(districts),
        budget_points=10**6,
    )


def _fact(points=100, behaviour="walking", district_id=1, occurred_at=NOON):
    return {
        "id": 1,
        "points": points,
        "behaviour": behaviour,
        "district_id": district_id,
        "occurred_at": occurred_at,
    }


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


@pytest.fixture
def create(engine, settings, admin):
    """``create(budget=..., multiplier=..., bonus=...)`` -> campaign id, through the admin service."""
    counter = iter(range(10**6))

    def make(budget=10_000, multiplier=100, bonus=0, behaviours=(), districts=(), start=None, end=None):
        data = CampaignInput(
            name_zh="全国低碳日",
            name_en="National Low-Carbon Day",
            kind="low_carbon_day",
            starts_at=start or NOON - timedelta(days=1),
            ends_at=end or NOON + timedelta(days=1),
            budget_points=budget,
            multiplier_percent=multiplier,
            bonus_points=bonus,
            behaviours=list(behaviours),
            district_ids=list(districts),
        )
        with session_scope(engine) as session:
            key = f"k{next(counter)}"
            made = campaigns.create_campaign(
                session=session, settings=settings, actor_id=admin, data=data, idempotency_key=key
            )
            return made.id

    return make


def _record(engine, settings, resident, key, behaviour="walking", inputs=WALK, at=NOON):
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, "web", key, at)
        return record_activity(session=session, settings=settings, item=item, now=at)


def _balance(engine, resident):
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        return ledger.balance(session=session, account_id=account)


def _bonus_entries(engine):
    with read_session(engine) as session:
        query = select(LedgerEntry).where(LedgerEntry.ref_type == "campaign_bonus").order_by(LedgerEntry.id)
        return list(session.execute(query).scalars())


def _spent(engine, campaign_id):
    with read_session(engine) as session:
        return session.get(Campaign, campaign_id).spent_points


def _district_id(engine, code):
    with read_session(engine) as session:
        return session.execute(select(District.id).where(District.code == code)).scalar_one()


# --- The bonus and which campaign applies (pure) --------------------------------------------------------


@pytest.mark.parametrize(
    ("multiplier", "bonus", "points", "expected"),
    [
        (150, 0, 100, 50),  # multiplier only: the extra 50%
        (100, 30, 100, 30),  # fixed only
        (150, 30, 100, 80),  # both
        (133, 0, 10, 3),  # 3.3 rounded down
        (200, 0, 0, 0),  # nothing credited (daily cap reached): no bonus
        (100, 30, 0, 0),
        (10_000, 0, 3_913, campaigns.MAX_BONUS_PER_ACTIVITY),  # per-activity cap
        (100, 9_999, 1, campaigns.MAX_BONUS_PER_ACTIVITY),
    ],
)
def test_bonus_is_multiplier_plus_fixed_rounded_down_and_capped(multiplier, bonus, points, expected):
    assert bonus_for(_campaign(multiplier=multiplier, bonus=bonus), points) == expected


def test_the_per_activity_cap_has_a_documented_default():
    assert campaigns.MAX_BONUS_PER_ACTIVITY == 5_000


@pytest.mark.parametrize(
    ("campaign", "fact", "covered"),
    [
        (_campaign(bonus=10), _fact(), True),
        (_campaign(bonus=10, behaviours=["walking"]), _fact(), True),
        (_campaign(bonus=10, behaviours=["recycling"]), _fact(), False),
        (_campaign(bonus=10, districts=[1, 2]), _fact(district_id=2), True),
        (_campaign(bonus=10, districts=[1]), _fact(district_id=3), False),
        (_campaign(bonus=10, districts=[1]), _fact(district_id=0), False),  # no district chosen
        (_campaign(bonus=10, start=NOON), _fact(), True),  # the start is included
        (_campaign(bonus=10, end=NOON), _fact(), False),  # the end is not
        (_campaign(bonus=10, start=NOON + timedelta(seconds=1)), _fact(), False),
    ],
)
def test_behaviour_district_and_time_filters(campaign, fact, covered):
    assert (best_campaign([campaign], fact) is not None) is covered


def test_overlapping_campaigns_the_largest_bonus_wins_and_ties_go_to_the_oldest():
    fixed, doubled, other = _campaign(1, bonus=60), _campaign(2, multiplier=200), _campaign(3, bonus=60)
    assert best_campaign([fixed, doubled, other], _fact(points=100)) == (doubled, 100)
    assert best_campaign([fixed, doubled, other], _fact(points=50)) == (fixed, 60)  # 60 > 50; 1 before 3
    assert best_campaign([other, fixed], _fact(points=50)) == (fixed, 60)


# --- Paying the bonus --------------------------------------------------------------------------------


def test_a_bonus_is_its_own_ledger_entry_and_the_activity_and_rollup_carry_the_campaign(
    engine, settings, make_resident, create
):
    resident = make_resident()
    campaign_id = create(multiplier=150, bonus=5)
    activity = _record(engine, settings, resident, "walk-1")
    assert (activity.points, activity.campaign_id, activity.bonus_points) == (100, campaign_id, 55)
    assert _balance(engine, resident) == 155
    [entry] = _bonus_entries(engine)
    assert (entry.kind, entry.points, entry.ref_id) == ("earn", 55, activity.id)
    assert entry.idempotency_key == f"bonus:{activity.id}"
    assert _spent(engine, campaign_id) == 55
    with read_session(engine) as session:
        stored = session.get(Activity, activity.id)
        assert (stored.campaign_id, stored.bonus_points) == (campaign_id, 55)
        rollup = session.execute(select(DailyRollup)).scalar_one()
    assert (rollup.campaign_id, rollup.activities, rollup.points, rollup.bonus_points) == (
        campaign_id,
        1,
        100,
        55,
    )


def test_overlapping_campaigns_pay_one_bonus_never_stacked(engine, settings, make_resident, create):
    resident = make_resident()
    create(bonus=20)
    best = create(multiplier=150)
    create(bonus=10, behaviours=["walking"])
    activity = _record(engine, settings, resident, "walk-1")
    assert (activity.campaign_id, activity.bonus_points) == (best, 50)
    assert [e.points for e in _bonus_entries(engine)] == [50]


def test_outside_the_campaign_nothing_changes(engine, settings, make_resident, create):
    resident = make_resident(district_code="hanchuan")
    create(bonus=20, districts=[_district_id(engine, "xiaonan")])
    create(bonus=20, behaviours=["recycling"])
    create(bonus=20, start=NOON + timedelta(hours=1), end=NOON + timedelta(days=2))
    activity = _record(engine, settings, resident, "walk-1")
    assert (activity.campaign_id, activity.bonus_points) == (None, 0)
    assert _bonus_entries(engine) == [] and _balance(engine, resident) == 100


def test_the_budget_pays_in_full_then_partially_then_nothing(engine, settings, make_resident, create):
    resident, other = make_resident(), make_resident()
    campaign_id = create(budget=120, multiplier=150)
    paid = [
        _record(engine, settings, who, f"w{n}").bonus_points for n, who in enumerate([resident, other] * 2)
    ]
    assert paid == [50, 50, 20, 0]  # the third gets what is left
    assert _spent(engine, campaign_id) == 120
    assert _balance(engine, resident) == 100 + 50 + 100 + 20  # base credits unchanged
    assert _balance(engine, other) == 100 + 50 + 100
    with read_session(engine) as session:
        last = session.execute(select(Activity).order_by(Activity.id.desc())).scalars().first()
    assert (last.points, last.campaign_id, last.bonus_points) == (100, None, 0)
    assert campaigns.is_exhausted(_get(engine, campaign_id))


def test_a_capped_activity_earns_no_bonus(engine, settings, make_resident, create):
    resident = make_resident()
    create(bonus=40)
    paid = [_record(engine, settings, resident, f"w{n}") for n in range(4)]  # walking cap: 296 a day
    assert [(a.points, a.bonus_points) for a in paid] == [(100, 40), (100, 40), (96, 40), (0, 0)]


def test_the_per_activity_cap_applies_to_real_credits(engine, settings, make_resident, create):
    resident = make_resident()
    create(multiplier=10_000)
    activity = _record(engine, settings, resident, "paper", "recycling", PAPER)
    assert activity.bonus_points == campaigns.MAX_BONUS_PER_ACTIVITY


def test_bulk_imports_pay_one_entry_per_activity_within_the_budget(engine, settings, make_resident, create):
    residents = [make_resident() for _ in range(3)]
    campaign_id = create(budget=130, bonus=50)
    items = [
        ActivityInput(r, "walking", WALK, "import", f"imp-{n}-{r}", NOON) for n in range(2) for r in residents
    ]
    with session_scope(engine) as session:
        result = record_activities(session=session, settings=settings, items=items, now=NOON)
    assert len(result.created) == 6
    entries = _bonus_entries(engine)
    assert sorted(e.points for e in entries) == [30, 50, 50]
    assert _spent(engine, campaign_id) == 130
    with read_session(engine) as session:
        rows = session.execute(select(Activity.id, Activity.campaign_id, Activity.bonus_points)).all()
        rollup_bonus = session.execute(select(func.sum(DailyRollup.bonus_points))).scalar_one()
    assert sum(b for _, _, b in rows) == 130 == rollup_bonus
    assert {e.ref_id for e in entries} == {i for i, c, _ in rows if c == campaign_id}


def test_an_ended_campaign_pays_nothing_more(engine, settings, make_resident, create, admin):
    resident = make_resident()
    campaign_id = create(bonus=50, end=NOON + timedelta(days=30))
    with session_scope(engine) as session:
        campaigns.end_campaign(session=session, actor_id=admin, campaign_id=campaign_id, now=NOON)
    assert _record(engine, settings, resident, "w1").bonus_points == 0


@pytest.mark.parametrize("threads", [8])
def test_concurrent_credits_never_overspend_the_budget(engine, settings, make_resident, create, threads):
    residents = [make_resident() for _ in range(threads)]
    campaign_id = create(budget=730, bonus=50)  # 40 activities want 2,000
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def credit(resident):
        try:
            start.wait()
            for n in range(5):
                _record(engine, settings, resident, f"paper-{n}", "recycling", PAPER)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    workers = [threading.Thread(target=credit, args=(r,)) for r in residents]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert _spent(engine, campaign_id) == 730
    assert sum(e.points for e in _bonus_entries(engine)) == 730
    with read_session(engine) as session:
        assert session.execute(select(func.count(Activity.id))).scalar_one() == threads * 5
        assert session.execute(select(func.sum(Activity.bonus_points))).scalar_one() == 730
        assert ledger.discrepancies(session=session) == []


def _get(engine, campaign_id):
    with read_session(engine) as session:
        return campaigns.get_campaign(session=session, campaign_id=campaign_id)


# --- Running campaigns and administration --------------------------------------------------------------


def test_active_campaigns_are_those_running_now(engine, admin, create):
    running = create(bonus=1)
    create(bonus=1, start=NOON + timedelta(days=2), end=NOON + timedelta(days=3))
    create(bonus=1, start=NOON - timedelta(days=3), end=NOON - timedelta(days=2))
    ended = create(bonus=1)
    with session_scope(engine) as session:
        campaigns.end_campaign(session=session, actor_id=admin, campaign_id=ended, now=NOON)
    with read_session(engine) as session:
        assert [c.id for c in campaigns.active_campaigns(session=session, now=NOON)] == [running]


def test_create_edit_and_end_are_audited(engine, settings, admin, create):
    campaign_id = create(bonus=10)
    with session_scope(engine) as session:
        data = CampaignInput("改名", "Renamed", "custom", NOON, NOON + timedelta(days=2), 500, 120, 0)
        campaigns.update_campaign(
            session=session, settings=settings, actor_id=admin, campaign_id=campaign_id, data=data
        )
        campaigns.end_campaign(
            session=session, actor_id=admin, campaign_id=campaign_id, now=NOON + timedelta(hours=1)
        )
        campaigns.end_campaign(session=session, actor_id=admin, campaign_id=campaign_id)  # no-op
    with read_session(engine) as session:
        rows = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
        campaign = session.get(Campaign, campaign_id)
    assert [(r.action, r.actor_id, r.target_id) for r in rows] == [
        ("campaign.create", admin, campaign_id),
        ("campaign.update", admin, campaign_id),
        ("campaign.end", admin, campaign_id),
    ]
    assert rows[1].before["name_zh"] == "全国低碳日" and rows[1].after["name_zh"] == "改名"
    assert rows[2].after["is_active"] is False
    assert campaign.ends_at == NOON + timedelta(hours=1) and not campaign.is_active


def test_local_times_are_stored_as_utc(engine, settings, admin):
    data = CampaignInput(
        "环境日",
        "Env Day",
        "environment_day",
        datetime(2026, 6, 5, 0, 0),
        datetime(2026, 6, 6, 0, 0),
        100,
        100,
        5,
    )
    with session_scope(engine) as session:
        made = campaigns.create_campaign(
            session=session, settings=settings, actor_id=admin, data=data, idempotency_key="k"
        )
    assert made.starts_at == datetime(2026, 6, 4, 16, 0, tzinfo=UTC)


def test_the_same_form_twice_creates_one_campaign(engine, settings, admin):
    data = CampaignInput("环境日", "Env Day", "environment_day", NOON, NOON + timedelta(days=1), 100, 100, 5)
    ids = set()
    for _ in range(2):
        with session_scope(engine) as session:
            ids.add(
                campaigns.create_campaign(
                    session=session, settings=settings, actor_id=admin, data=data, idempotency_key="same"
                ).id
            )
    assert len(ids) == 1


@pytest.mark.parametrize(
    ("changes", "code", "chinese"),
    [
        ({"ends_at": NOON - timedelta(hours=1)}, "campaign_period_invalid", "结束时间必须晚于开始时间"),
        ({"multiplier_percent": 90}, "campaign_multiplier_too_low", "倍数必须在 100%"),
        ({"multiplier_percent": 100, "bonus_points": 0}, "campaign_no_bonus", "至少一项"),
        ({"budget_points": 0}, "campaign_budget_invalid", "积分预算"),
        ({"name_zh": " "}, "campaign_name_required", "活动名称"),
        ({"behaviours": ["flying"]}, "unknown_behaviour", "不支持的低碳行为"),
    ],
)
def test_validation_errors_are_explained_in_chinese(engine, settings, admin, changes, code, chinese):
    values = {
        "name_zh": "节能周",
        "name_en": "Energy week",
        "kind": "energy_saving_week",
        "starts_at": NOON,
        "ends_at": NOON + timedelta(days=7),
        "budget_points": 1000,
        "multiplier_percent": 100,
        "bonus_points": 10,
    }
    with session_scope(engine) as session, pytest.raises(DomainError) as raised:
        data = CampaignInput(**{**values, **changes})
        campaigns.create_campaign(
            session=session, settings=settings, actor_id=admin, data=data, idempotency_key="k"
        )
    assert raised.value.code == code
    assert chinese in message(raised.value)


def test_the_budget_cannot_go_below_what_is_spent(engine, settings, make_resident, create, admin):
    campaign_id = create(budget=1000, bonus=50)
    _record(engine, settings, make_resident(), "w1")
    data = CampaignInput(
        "低碳日",
        "Low-Carbon Day",
        "low_carbon_day",
        NOON - timedelta(days=1),
        NOON + timedelta(days=1),
        49,
        100,
        50,
    )
    with session_scope(engine) as session, pytest.raises(DomainError) as raised:
        campaigns.update_campaign(
            session=session, settings=settings, actor_id=admin, campaign_id=campaign_id, data=data
        )
    assert raised.value.code == "campaign_budget_below_spent"
    assert "已发放的 50 积分" in message(raised.value)
