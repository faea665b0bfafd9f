"""Scheduled jobs, called directly with an explicit ``now``: each does its work once per period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from carbon_credit import exports, jobs, ledger, notifications
from carbon_credit.activities import ActivityInput, DailyRollup, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.jobs import JobRun
from carbon_credit.jobs import runs as job_runs
from carbon_credit.ledger import LedgerEntry
from carbon_credit.notifications import Notification
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.residents import District, Resident
from carbon_credit.stops import Stop
from carbon_credit.transit import TapIn

NOW = datetime(2026, 6, 8, 1, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Shanghai


def ride(engine, settings, resident: int, at: datetime, key: str = "k1"):
    item = ActivityInput(resident, "transit", {"mode": "bus", "km": "3"}, "import", key, occurred_at=at)
    with session_scope(engine) as session:
        return record_activity(session=session, settings=settings, item=item, now=at)


def update_resident(engine, resident: int, **values) -> None:
    with session_scope(engine) as session:
        session.execute(update(Resident).where(Resident.id == resident).values(**values))


def notes(engine, kind: str | None = None) -> list[Notification]:
    with read_session(engine) as session:
        query = select(Notification).order_by(Notification.id)
        if kind:
            query = query.where(Notification.kind == kind)
        return list(session.execute(query).scalars())


def test_the_job_list_starts_with_the_ledger_check_and_names_each_job_once():
    ids = [job.id for job in jobs.JOBS]
    assert ids[0] == "check-ledger" and len(set(ids)) == len(ids)
    assert {
        "refresh-rollups",
        "expire-tap-ins",
        "campaign-notices",
        "weekly-summary",
        "points-expiry",
    } <= set(ids)


def test_a_second_claim_of_the_same_period_is_refused(engine):
    with session_scope(engine) as session:
        assert job_runs.claim(session=session, job="x", period="2026-06-08")
        assert not job_runs.claim(session=session, job="x", period="2026-06-08")
        assert job_runs.claim(session=session, job="x", period="2026-06-09")
    with session_scope(engine) as session:  # another scheduler, later
        assert not job_runs.claim(session=session, job="x", period="2026-06-08")


def test_rollups_are_rebuilt_once_per_hour(engine, settings, make_resident):
    resident = make_resident()
    ride(engine, settings, resident, NOW - timedelta(hours=2))
    with session_scope(engine) as session:
        session.execute(DailyRollup.__table__.delete())
    assert jobs.refresh_rollups(engine, settings, now=NOW) == {"rows": 1}
    assert jobs.refresh_rollups(engine, settings, now=NOW + timedelta(minutes=30)) is None
    with read_session(engine) as session:
        (rollup,) = session.execute(select(DailyRollup)).scalars()
        assert rollup.activities == 1 and rollup.points > 0
        assert session.execute(select(func.count()).select_from(JobRun)).scalar_one() == 1
    assert jobs.refresh_rollups(engine, settings, now=NOW + timedelta(hours=1)) == {"rows": 1}


def test_stale_tap_ins_expire_once_per_ten_minutes(engine, settings, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        stop = Stop(code="A", name_zh="A", name_en="A", latitude=30.9, longitude=113.9)
        session.add(stop)
        session.flush()
        session.add(TapIn(resident_id=resident, stop_id=stop.id, tapped_in_at=NOW - timedelta(hours=4)))
    assert jobs.expire_tap_ins(engine, settings, now=NOW) == {"expired": 1}
    assert jobs.expire_tap_ins(engine, settings, now=NOW + timedelta(minutes=9)) is None
    assert jobs.expire_tap_ins(engine, settings, now=NOW + timedelta(minutes=10)) == {"expired": 0}
    with read_session(engine) as session:
        assert session.execute(select(TapIn.status)).scalar_one() == "expired"


def test_campaign_start_and_end_are_announced_once_to_linked_residents_of_its_districts(
    engine, settings, make_resident
):
    with read_session(engine) as session:
        district = {d.code: d.id for d in session.execute(select(District)).scalars()}
    linked = make_resident(district_code="xiaonan")
    update_resident(engine, linked, telegram_id=5001, locale="en")
    make_resident(district_code="xiaonan")  # no Telegram: the bot cannot reach them
    elsewhere = make_resident(district_code=next(code for code in district if code != "xiaonan"))
    update_resident(engine, elsewhere, telegram_id=5002)
    with session_scope(engine) as session:
        campaign = Campaign(
            name_zh="低碳日",
            name_en="Low-carbon day",
            starts_at=NOW - timedelta(minutes=5),
            ends_at=NOW + timedelta(days=1),
            district_ids=[district["xiaonan"]],
            budget_points=1000,
        )
        session.add(campaign)
    assert jobs.campaign_notices(engine, settings, now=NOW) == {"started": 1, "ended": 0}
    assert jobs.campaign_notices(engine, settings, now=NOW + timedelta(minutes=5)) is None
    assert jobs.campaign_notices(engine, settings, now=NOW + timedelta(minutes=10)) == {
        "started": 0,
        "ended": 0,
    }
    (started,) = notes(engine)
    assert (started.resident_id, started.kind) == (linked, "campaign_started")
    assert "Low-carbon day" in notifications.render(started, "en")
    assert "低碳日" in notifications.render(started, "zh_Hans")
    after = NOW + timedelta(days=1, minutes=1)
    assert jobs.campaign_notices(engine, settings, now=after) == {"started": 0, "ended": 1}
    assert jobs.campaign_notices(engine, settings, now=after + timedelta(minutes=10)) == {
        "started": 0,
        "ended": 0,
    }
    assert [n.kind for n in notes(engine)] == ["campaign_started", "campaign_ended"]
    with read_session(engine) as session:
        stamped = session.execute(select(Campaign)).scalar_one()
        assert stamped.started_notice_at == NOW and stamped.ended_notice_at == after


def test_a_campaign_already_over_when_first_seen_sends_nothing(engine, settings, make_resident):
    update_resident(engine, make_resident(), telegram_id=5003)
    with session_scope(engine) as session:
        session.add(
            Campaign(
                name_zh="旧",
                name_en="Old",
                starts_at=NOW - timedelta(days=3),
                ends_at=NOW - timedelta(days=2),
                budget_points=10,
            )
        )
    assert jobs.campaign_notices(engine, settings, now=NOW) == {"started": 0, "ended": 0}
    assert notes(engine) == []


def test_the_weekly_summary_goes_to_opted_in_residents_once_a_week(engine, settings, make_resident):
    keen, quiet, silent = make_resident(), make_resident(), make_resident()
    update_resident(engine, keen, weekly_summary_opt_in=True)
    update_resident(engine, quiet, weekly_summary_opt_in=True)
    activity = ride(engine, settings, keen, NOW - timedelta(days=3))  # last Friday
    ride(engine, settings, silent, NOW - timedelta(days=3))
    ride(engine, settings, keen, NOW - timedelta(days=9), key="k2")  # the week before: not counted
    assert jobs.weekly_summary(engine, settings, now=NOW) == {"queued": 2}
    assert jobs.weekly_summary(engine, settings, now=NOW + timedelta(days=2)) is None  # same week
    summaries = {n.resident_id: n.params for n in notes(engine, "weekly_summary")}
    assert set(summaries) == {keen, quiet}
    assert summaries[keen]["week"] == "2026-W23"
    assert (summaries[keen]["activities"], summaries[keen]["points"]) == (1, activity.points)
    assert summaries[quiet]["activities"] == 0
    text = notifications.render(notes(engine, "weekly_summary")[0], "zh_Hans")
    assert "2026-W23" in text and str(activity.points) in text


def test_points_expiry_is_off_by_default_and_does_nothing(engine, settings, make_resident):
    resident = make_resident()
    ride(engine, settings, resident, NOW - timedelta(days=3))
    assert settings.points_expiry_days == 0
    assert jobs.points_expiry(engine, settings, now=NOW + timedelta(days=3650)) is None
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(JobRun)).scalar_one() == 0
        kinds = set(session.execute(select(LedgerEntry.kind)).scalars())
    assert kinds == {"earn"}


def test_points_expiry_when_on_expires_unspent_old_points_first_in_first_out(engine, settings, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident)
        old = ledger.post(session=session, posting=ledger.Posting(account, 100, "earn", "old"))
        session.execute(
            update(LedgerEntry).where(LedgerEntry.id == old.id).values(created_at=NOW - timedelta(days=400))
        )
        ledger.post(session=session, posting=ledger.Posting(account, -30, "redeem", "spent"))
        ledger.post(session=session, posting=ledger.Posting(account, 50, "earn", "new"))
    yearly = settings.with_overrides(points_expiry_days=365)
    assert jobs.points_expiry(engine, yearly, now=NOW) == {"expired_points": 70}
    assert jobs.points_expiry(engine, yearly, now=NOW + timedelta(hours=1)) is None  # same day
    assert jobs.points_expiry(engine, yearly, now=NOW + timedelta(days=1)) == {"expired_points": 0}
    with read_session(engine) as session:
        assert ledger.balance(session=session, account_id=account) == 50
        assert ledger.discrepancies(session=session) == []
        entry = session.execute(select(LedgerEntry).where(LedgerEntry.kind == "expiry")).scalar_one()
    assert entry.points == -70


def test_queued_exports_run_once_per_minute_slot(engine, settings, make_resident, tmp_path):
    settings = settings.with_overrides(upload_folder=str(tmp_path))
    admin = make_resident(role="admin")
    with session_scope(engine) as session:
        job = exports.start(
            session=session,
            actor_id=admin,
            kind="auditor",
            params={"day_from": "2026-11-01", "day_to": "2026-11-30"},
            idempotency_key="j1",
            locale="zh_Hans",
        )
    now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert jobs.run_exports(engine, settings, now=now) == {"exports": 1}
    assert jobs.run_exports(engine, settings, now=now) is None
    with read_session(engine) as session:
        assert exports.get(session=session, job_id=job.id).status == "done"


def test_import_resumption_runs_once_per_minute_slot(engine, settings):
    assert jobs.resume_imports(engine, settings, now=NOW) == {"batches": 0}
    assert jobs.resume_imports(engine, settings, now=NOW + timedelta(seconds=59)) is None
    assert jobs.resume_imports(engine, settings, now=NOW + timedelta(minutes=1)) == {"batches": 0}
