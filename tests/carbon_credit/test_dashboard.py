"""The statistics dashboard: sums read from the rollups equal the credited activities, grouped by day, week
and month in Asia/Shanghai and by behaviour, district, campaign and channel; active residents; redemptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from carbon_credit import stats as figures
from carbon_credit.activities import Activity, ActivityInput, rebuild_rollups, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.rewards import Reward, redeem

# Shanghai is UTC+8: 2026-11-30 17:00 UTC is already 1 December there.
MON_2 = datetime(2026, 11, 2, 4, tzinfo=UTC)  # Monday 12:00 in Shanghai
SUN_8 = datetime(2026, 11, 8, 4, tzinfo=UTC)  # Sunday: same week as the 2nd
MON_9 = datetime(2026, 11, 9, 4, tzinfo=UTC)  # next week
DEC_1 = datetime(2026, 11, 30, 17, tzinfo=UTC)  # Tuesday 1 December 01:00 in Shanghai
WALK = ("walking", {"steps": 6000})
BUS = ("transit", {"mode": "bus", "km": "8"})
PET = ("recycling", {"material": "pet", "kg": "2"})


def _record(engine, settings, resident, what, channel, key, when):
    with session_scope(engine) as session:
        item = ActivityInput(resident, what[0], what[1], channel, key, when)
        return record_activity(session=session, settings=settings, item=item, now=when).id


@pytest.fixture
def history(engine, settings, make_resident):
    """Two residents in two districts, activities over three weeks and two months, one held for review,
    two under a campaign."""
    alice = make_resident(district_code="xiaonan")
    bob = make_resident(district_code="hanchuan")
    ids = {
        "a1": _record(engine, settings, alice, WALK, "web", "a1", MON_2),
        "a2": _record(engine, settings, alice, BUS, "qr", "a2", SUN_8),  # trips: QR pairs and imports only
        "b1": _record(engine, settings, bob, PET, "api", "b1", MON_9),
        "b2": _record(engine, settings, bob, BUS, "import", "b2", DEC_1),
        "held": _record(
            engine, settings, bob, ("recycling", {"material": "pet", "kg": "30"}), "web", "h", MON_9
        ),
    }
    with session_scope(engine) as session:
        campaign = Campaign(
            name_zh="全国低碳日",
            name_en="Low-carbon Day",
            kind="low_carbon_day",
            starts_at=MON_2,
            ends_at=MON_9,
            budget_points=10_000,
            is_active=False,
        )
        session.add(campaign)
        session.flush()
        session.execute(
            update(Activity).where(Activity.id.in_([ids["a2"], ids["b1"]])).values(campaign_id=campaign.id)
        )
        rebuild_rollups(session=session, day_from=date(2026, 11, 1), day_to=date(2026, 12, 31))
    return {"alice": alice, "bob": bob, "campaign": campaign.id, **ids}


def _stats(engine, settings, granularity="day", day_from=date(2026, 11, 1), day_to=date(2026, 12, 31), **kw):
    figures.forget_active_residents()
    with read_session(engine) as session:
        return figures.dashboard_figures(
            session=session,
            day_from=day_from,
            day_to=day_to,
            granularity=granularity,
            **kw,
        )


def _credited(engine, *where):
    with read_session(engine) as session:
        query = select(func.count(Activity.id), func.sum(Activity.grams), func.sum(Activity.points))
        return tuple(
            int(v or 0) for v in session.execute(query.where(Activity.status == "credited", *where)).one()
        )


def test_totals_equal_the_sums_of_credited_activities(engine, settings, history):
    stats = _stats(engine, settings)
    count, grams, points = _credited(engine)
    assert count == 4  # the entry held for review is not counted
    assert (stats.totals.activities, stats.totals.grams, stats.totals.points) == (count, grams, points)
    assert stats.active_residents == 2


def test_breakdowns_by_behaviour_district_channel_and_campaign(engine, settings, history):
    stats = _stats(engine, settings, locale="en")
    behaviour = {row.key: row.sums.activities for row in stats.by_behaviour}
    assert behaviour == {"walking": 1, "transit": 2, "recycling": 1}
    assert {row.label: row.sums.activities for row in stats.by_district} == {
        "Xiaonan District": 2,
        "Hanchuan City": 2,
    }
    bus_grams = _credited(engine, Activity.behaviour == "transit")[1]
    assert next(r.sums.grams for r in stats.by_behaviour if r.key == "transit") == bus_grams
    assert {row.key: row.sums.activities for row in stats.by_channel} == {
        "web": 1,
        "qr": 1,
        "api": 1,
        "import": 1,
    }
    assert {row.key: row.sums.activities for row in stats.by_evidence} == {"verified": 2, "declared": 2}
    assert stats.reportable.grams == bus_grams  # the reportable total: verified and evidenced only
    campaigns = {row.label: row.sums.activities for row in stats.by_campaign}
    assert campaigns == {"Low-carbon Day": 2, "None": 2}
    in_campaign = _credited(engine, Activity.campaign_id == history["campaign"])
    row = next(r for r in stats.by_campaign if r.key == history["campaign"])
    assert (row.sums.activities, row.sums.grams, row.sums.points) == in_campaign
    assert next(r.label for r in _stats(engine, settings).by_behaviour if r.key == "walking") == "步行"


def test_weeks_start_on_monday_and_months_follow_shanghai_days(engine, settings, history):
    weeks = {row.key: row.sums.activities for row in _stats(engine, settings, "week").series}
    assert weeks[date(2026, 11, 2)] == 2  # Monday the 2nd and Sunday the 8th
    assert weeks[date(2026, 11, 9)] == 1
    assert weeks[date(2026, 11, 30)] == 1  # 1 December in Shanghai
    assert date(2026, 10, 26) in weeks and weeks[date(2026, 10, 26)] == 0  # the week holding 1 November
    months = _stats(engine, settings, "month").series
    assert [(row.label, row.sums.activities) for row in months] == [("2026-11", 3), ("2026-12", 1)]
    days = _stats(engine, settings, "day").series
    assert len(days) == 61 and sum(row.sums.activities for row in days) == 4
    assert next(row for row in days if row.key == date(2026, 12, 1)).sums.activities == 1


def test_active_residents_count_each_resident_once_in_the_range(engine, settings, history):
    assert _stats(engine, settings, day_to=date(2026, 11, 8)).active_residents == 1  # alice, twice
    assert _stats(engine, settings, day_from=date(2026, 11, 9)).active_residents == 1  # bob
    assert _stats(engine, settings, day_from=date(2027, 1, 1), day_to=date(2027, 1, 31)).active_residents == 0


def test_redemptions_by_day_and_reward_stock(engine, settings, history):
    with session_scope(engine) as session:
        reward = Reward(name_zh="公交一日票", name_en="Bus day pass", cost=100, stock=5)
        session.add(reward)
        session.flush()
        for n, when in enumerate((SUN_8, SUN_8 + timedelta(hours=1), DEC_1)):
            redeem(
                session=session,
                settings=settings,
                resident_id=history["bob"] if when == DEC_1 else history["alice"],
                reward_id=reward.id,
                idempotency_key=f"v{n}",
                now=when,
            )
    stats = _stats(engine, settings, "month", locale="en")
    assert [(r.label, r.vouchers, r.points) for r in stats.redemptions] == [
        ("2026-11", 2, 200),
        ("2026-12", 1, 100),
    ]
    assert stats.redeemed == (3, 300)
    (stock,) = stats.rewards
    assert (stock.label, stock.stock, stock.issued_total, stock.issued_in_range) == ("Bus day pass", 2, 3, 3)
    november = _stats(engine, settings, day_to=date(2026, 11, 30))
    assert november.redeemed == (2, 200) and november.rewards[0].issued_in_range == 2


def test_a_bad_range_or_granularity_is_refused(engine, settings):
    for day_from, day_to, granularity in (
        (date(2026, 12, 1), date(2026, 11, 1), "day"),
        (date(2020, 1, 1), date(2026, 1, 1), "day"),
        (date(2026, 11, 1), date(2026, 11, 2), "year"),
    ):
        with pytest.raises(DomainError) as raised:
            _stats(engine, settings, granularity, day_from=day_from, day_to=day_to)
        assert raised.value.code == "stats_bad_range"


def test_bar_chart_is_inline_svg_without_scripts_or_remote_references():
    svg = figures.bar_chart("减排量 <kg>", ["11-01", "11-02"], [1200, 3400])
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "<script" not in svg and 'href="http' not in svg and "<!--" not in svg
    assert 'aria-label="减排量 &lt;kg&gt;"' in svg
