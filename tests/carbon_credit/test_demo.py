"""The demo data (docs/demo.md): what a newcomer and staff find after `flask --app webapp seed-demo`, made
through the features' own operations, right on any day, and loaded once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from carbon_credit import registry, review
from carbon_credit.activities import Activity
from carbon_credit.campaigns import Campaign, active_campaigns, status
from carbon_credit.demo import DEMO_CAMPAIGNS, WEEK, seed_demo
from carbon_credit.ledger import Account
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.platform.settings import ConfigError
from carbon_credit.residents import Resident
from carbon_credit.rewards import Voucher
from carbon_credit.stats import campaign_totals, leaderboard
from carbon_credit.transit import TapIn, TransitRejection, card_claims_waiting

RUNNING, FINISHED = (plan.name_en for plan in DEMO_CAMPAIGNS)


def seed(engine, settings) -> None:
    with session_scope(engine) as session:
        seed_demo(session=session, settings=settings)


def every_table(engine) -> dict[str, int]:
    """Rows per table, and the points held by all accounts."""
    with read_session(engine) as session:
        counts = {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }
        counts["points"] = session.execute(select(func.sum(Account.balance))).scalar_one()
    return counts


def demo_activities(session, email: str) -> list[Activity]:
    resident = session.execute(select(Resident.id).where(Resident.email == email)).scalar_one()
    query = select(Activity).where(Activity.resident_id == resident).order_by(Activity.occurred_at)
    return list(session.execute(query).scalars())


def campaign(session, name_en: str) -> Campaign:
    return session.execute(select(Campaign).where(Campaign.name_en == name_en)).scalar_one()


def test_the_logins_are_printed_and_a_second_seed_changes_nothing(engine, settings):
    with session_scope(engine) as session:
        logins = seed_demo(session=session, settings=settings)
    assert [login.login.split("@")[0] for login in logins] == ["admin", "resident", "yunmeng", "merchant"]
    first = every_table(engine)
    seed(engine, settings)
    assert every_table(engine) == first


def test_a_second_seed_on_a_later_day_changes_nothing(engine, settings, monkeypatch):
    monkeypatch.setattr(clock, "_offset", clock._offset)  # the clock moves below; put back afterwards
    seed(engine, settings)
    first = every_table(engine)
    clock.running_from(clock.now() + timedelta(days=3))
    seed(engine, settings)
    assert every_table(engine) == first


def test_demo_data_is_refused_in_production(engine, settings):
    with session_scope(engine) as session, pytest.raises(ConfigError):
        seed_demo(session=session, settings=settings.with_overrides(env="production"))


def test_a_week_of_history_credited_in_full_within_caps_and_claim_windows(engine, settings):
    seed(engine, settings)
    with read_session(engine) as session:
        resident = demo_activities(session, "resident@demo.xiaogan.local")
        neighbour = demo_activities(session, "yunmeng@demo.xiaogan.local")
    for history in (resident, neighbour):
        days = {a.local_day for a in history}
        assert len(days) == 7 and max(days) == clock.local_day(clock.now())
        assert {"walking", "recycling", "transit"} <= {a.behaviour for a in history}
        verified = [a for a in history if a.channel in ("demo", "qr")]
        assert all(a.status == "credited" and a.points == a.points_quantified for a in verified)
        assert all(a.note is None for a in verified), [a.note for a in verified]
    rides = [a for a in resident if a.channel == "qr"]
    assert len(rides) == sum(1 for step in WEEK if step.who.startswith("resident") and hasattr(step, "start"))
    assert sum(a.points for a in resident) != sum(a.points for a in neighbour)  # not the same week twice


def test_a_campaign_runs_this_week_with_progress_and_one_has_ended_with_its_report(engine, settings):
    seed(engine, settings)
    with read_session(engine) as session:
        running, finished = campaign(session, RUNNING), campaign(session, FINISHED)
        assert running.id in [c.id for c in active_campaigns(session=session)]
        assert status(finished) == "ended" and status(running) == "running"
        assert (
            clock.local_day(running.starts_at)
            < clock.local_day(clock.now())
            < clock.local_day(running.ends_at)
        )
        assert 0 < running.spent_points < running.budget_points
        live = campaign_totals(session=session, campaign_id=running.id)
        assert live.participants == 2 and live.bonus_points == running.spent_points
        report = campaign_totals(session=session, campaign_id=finished.id)
        assert report.participants == 2 and report.activities >= 4 and report.grams > 0
        assert 0 < finished.spent_points < finished.budget_points
        board = leaderboard(session=session, campaign_id=running.id)
        assert len(board) == 2 and {leader.name is None for leader in board} == {True, False}


def test_every_staff_page_has_something_to_show(engine, settings):
    seed(engine, settings)
    with read_session(engine) as session:
        held = review.pending(session=session)
        assert held.total == 1 and held.items[0].activity.note == "review_large_amount"
        assert held.items[0].activity.photo is None
        refused = session.execute(select(TransitRejection.reason)).scalars().all()
        assert refused == ["transit_too_fast"] and review.suspicious(session=session).total == 1
        vouchers = sorted(session.execute(select(Voucher.status)).scalars())
        assert vouchers == ["issued", "used"]
        actions = sorted(session.execute(select(AuditEntry.action)).scalars())
        assert [a for a in actions if not a.startswith("registry.")] == [
            "campaign.create",
            "campaign.create",
            "review.approve",
        ]
        assert {a for a in actions if a.startswith("registry.")} == {
            "registry.pool",
            "registry.verify",
            "registry.issue",
            "registry.sell",
            "registry.retire",
            "registry.open_event",
            "registry.allocate_revenue",
        }
        assert len(card_claims_waiting(session=session)) == 1
        assert session.execute(select(TapIn).where(TapIn.status == "open")).first() is None


@pytest.mark.parametrize(
    "moment",
    ["2027-01-04T00:00:30+08:00", "2026-12-31T23:58:00+08:00", "2028-02-29T12:00:00+08:00"],
    ids=["monday-just-after-midnight", "new-years-eve-before-midnight", "leap-day"],
)
def test_the_demo_is_right_at_any_hour(engine, settings, monkeypatch, moment):
    monkeypatch.setattr(clock, "_offset", clock._offset)
    clock.running_from(datetime.fromisoformat(moment))
    seed(engine, settings)
    today = clock.local_day(clock.now())
    with read_session(engine) as session:
        history = demo_activities(session, "resident@demo.xiaogan.local")
        assert any(a.local_day == today and a.behaviour == "walking" for a in history)
        assert {a.status for a in history} == {"credited", "pending"}
        assert status(campaign(session, RUNNING)) == "running"
        assert session.execute(select(TransitRejection)).scalars().all()[0].reason == "transit_too_fast"
        (view,) = registry.batches(session)
        assert view.batch.status == "issued" and view.available_grams > 0
        assert view.batch.period_end + timedelta(days=settings.registry_review_days) < today
        assert view.batch.period_end < today - timedelta(days=7)  # before the demo week
        assert registry.event(session, "xiaogan-marathon").accepting


def test_the_registry_shows_the_whole_chain_from_a_pooled_month_to_certificates(engine, settings):
    """Issue 16: an issued batch with a sale and a retirement certificate, and a neutralisation event in
    progress with residents' donations; the figures realistic and reconciled with the ledger."""
    seed(engine, settings)
    with read_session(engine) as session:
        (view,) = registry.batches(session)
        detail = registry.batch(session, view.batch.serial)
        batch = detail.batch
        assert batch.status == "issued" and batch.period_start.day == 1
        assert (
            detail.excluded_records == 1
            and batch.verified_grams == batch.pooled_grams - detail.excluded_grams
        )
        assert 2_000_000 < batch.issued_grams < 4_000_000  # a few tonnes from a few hundred verified records
        month = session.execute(select(Activity).where(Activity.idempotency_key.like("%:demo-month-%")))
        month = month.scalars().all()  # the month pooled, recorded in bulk: nothing cut, held or refused
        assert len(month) == batch.record_count + detail.excluded_records
        assert all(a.status == "credited" and a.points == a.points_quantified for a in month)
        pooled_residents = session.execute(select(registry.BatchRecord.resident_id).distinct()).all()
        assert 20_000 < batch.issued_grams // len(pooled_residents) < 300_000  # tens of kg a resident
        (sale,) = detail.sales
        assert sale.buyer == "湖北某低碳科技有限公司" and 0 < sale.retired_grams < sale.grams
        assert sale.price_fen * 1_000_000 // sale.grams == 4_350  # 43.50 CNY/t
        (drawing,) = [d for d in detail.certificates if d.beneficiary == sale.buyer]
        for_buyer = registry.certificate(session, drawing.serial)
        assert for_buyer.buyer == sale.buyer and for_buyer.grams == sale.retired_grams
        assert [d.batch_serial for d in for_buyer.drawn] == [batch.serial]
        (allocation,) = registry.allocations_of(session, batch.id)
        assert campaign(session, RUNNING).id == allocation.campaign_id and allocation.points > 0

        marathon = registry.event(session, "xiaogan-marathon")
        assert marathon.accepting and 30 <= marathon.percent <= 60
        assert view.available_grams >= marathon.event.target_grams - marathon.event.retired_grams  # reachable
        donations = [
            c for c in registry.certificates_of_event(session, marathon.event.id) if c.kind == "donation"
        ]
        assert len(donations) == marathon.event.donors >= 3
        assert all(c.points and c.resident_id and "孝感市民" in c.beneficiary for c in donations)
        neighbour = session.execute(select(Resident.id).where(Resident.email == "yunmeng@demo.xiaogan.local"))
        assert len(registry.certificates_of(session, neighbour.scalar_one())) == 1
        assert registry.reconcile(session).ok
