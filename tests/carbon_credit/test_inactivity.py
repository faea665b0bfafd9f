"""Inactive accounts (issue 15, PIPL retention): a resident unused for three years is told once, thirty days
ahead, then pseudonymised like a deleted account (the login stops; activities and totals stay); coming back
after the notice keeps the account; merchants and administrators are never touched; a second run does
nothing more; the last use is written at most once a Beijing day. The clock is moved as the daily job would
see it (at 04:10 Beijing time)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import notifications, privacy, residents, stats
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.ledger import LedgerEntry
from carbon_credit.notifications import Notification
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import ConfigError, Settings
from carbon_credit.privacy import deletion_steps, inactivity

PASSWORD = "violet-harbour-lantern-58"
MADE = clock.now()  # when the test accounts are made (whatever day the suite runs on)
NONE = {"inactive_notices": 0, "inactive_pseudonymised": 0}


@pytest.fixture
def config(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "_offset", clock._offset)  # the clock moves below; put back afterwards
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


def years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


THREE_YEARS = years_later(clock.local_day(MADE), 3)  # the accounts' third anniversary
NOTICE_DAY = THREE_YEARS - timedelta(days=30)


def at(day: date, hour: int = 4, minute: int = 10) -> datetime:
    """Move the clock to ``day`` at that Beijing time; returns the moment (UTC)."""
    moment = datetime.combine(day, time(hour, minute), clock.BEIJING).astimezone(UTC)
    clock.running_from(moment)
    return moment


def retain(engine, config, day: date) -> dict[str, int]:
    """The daily retention job's inactivity figures, run at 04:10 Beijing time on ``day``."""
    now = at(day)
    with session_scope(engine) as session:
        done = privacy.apply_retention(session=session, settings=config, now=now)
    return {key: done[key] for key in NONE}


def sign_in(engine, config, login: str, day: date) -> None:
    """What the web login does: check the password, then mark the resident active."""
    now = at(day, 20, 0)
    with read_session(engine) as session:
        found = residents.authenticate(session=session, settings=config, login=login, password=PASSWORD)
    with session_scope(engine) as session:
        residents.mark_active(session=session, resident_id=found.id, now=now)


def resident(engine, resident_id: int) -> residents.Resident:
    with read_session(engine) as session:
        return session.get(residents.Resident, resident_id)


def notices(engine, resident_id: int) -> list[Notification]:
    with read_session(engine) as session:
        query = select(Notification).where(Notification.resident_id == resident_id).order_by(Notification.id)
        return list(session.execute(query).scalars())


def figures(engine) -> tuple:
    with read_session(engine) as session:
        entries = session.execute(select(func.count(LedgerEntry.id), func.sum(LedgerEntry.points))).one()
        return stats.totals(session=session), tuple(entries)


@pytest.fixture
def people(engine, config, make_resident):
    """A resident with a login and a credited walk, an administrator and a merchant: all made at MADE."""
    me = make_resident(phone="13987650123", email="wang@example.org", password=PASSWORD)
    staff = {"admin": make_resident(role="admin"), "merchant": make_resident(role="merchant")}
    with session_scope(engine) as session:
        item = ActivityInput(me, "walking", {"steps": 9000}, "web", "walk", MADE - timedelta(hours=1))
        record_activity(session=session, settings=config, item=item)
    return {"me": me, **staff}


def test_an_unused_account_is_told_once_then_pseudonymised_and_its_totals_stay(engine, config, people):
    me = people["me"]
    assert retain(engine, config, NOTICE_DAY - timedelta(days=1)) == NONE  # not yet
    assert retain(engine, config, NOTICE_DAY) == {**NONE, "inactive_notices": 1}
    [notice] = notices(engine, me)
    zh, en = notifications.render(notice, "zh_Hans"), notifications.render(notice, "en")
    assert f"您的账号已 3 年未使用，将于 {THREE_YEARS.isoformat()} 匿名化；登录一次即可保留" in zh
    assert f"not been used for 3 years and will be anonymised on {THREE_YEARS.isoformat()}" in en
    assert resident(engine, me).inactivity_notice_at is not None
    for day in (NOTICE_DAY, NOTICE_DAY + timedelta(days=1), THREE_YEARS - timedelta(days=1)):
        assert retain(engine, config, day) == NONE  # never told twice; kept until the day
    before = figures(engine)

    assert retain(engine, config, THREE_YEARS) == {**NONE, "inactive_pseudonymised": 1}

    gone = resident(engine, me)
    assert gone.display_name.startswith("已注销用户 ") and not gone.is_active
    assert (gone.phone, gone.email, gone.password_hash) == (None, None, None)
    assert notices(engine, me) == []  # the outbox of a closed account is emptied
    with pytest.raises(DomainError, match="bad_credentials"), read_session(engine) as session:
        residents.authenticate(session=session, settings=config, login="13987650123", password=PASSWORD)
    assert figures(engine) == before  # the public totals; the ledger's entries and points
    with read_session(engine) as session:
        assert session.execute(select(func.count(Activity.id))).scalar_one() == 1
        [entry] = audit.entries(session=session, action="account.delete").items
    assert entry.actor_id is None and entry.target_id == me and entry.after["reason"] == "inactive"
    for role in ("admin", "merchant"):  # just as unused, never told nor touched
        kept = resident(engine, people[role])
        assert (
            kept.is_active and not kept.display_name.startswith("已注销用户") and not notices(engine, kept.id)
        )
    assert retain(engine, config, THREE_YEARS) == NONE  # a second run does nothing more
    assert retain(engine, config, THREE_YEARS + timedelta(days=400)) == NONE


def test_signing_in_after_the_notice_keeps_the_account(engine, config, people):
    me = people["me"]
    assert retain(engine, config, NOTICE_DAY)["inactive_notices"] == 1
    sign_in(engine, config, "wang@example.org", NOTICE_DAY + timedelta(days=10))
    assert resident(engine, me).inactivity_notice_at is None
    for day in (THREE_YEARS, THREE_YEARS + timedelta(days=90)):
        assert retain(engine, config, day) == NONE
    kept = resident(engine, me)
    assert kept.is_active and kept.phone == "13987650123"
    # Unused again for three years after that sign-in: told again (a new notice), with a new day.
    came_back = years_later(NOTICE_DAY + timedelta(days=10), 3)
    assert retain(engine, config, came_back - timedelta(days=30)) == {**NONE, "inactive_notices": 1}
    assert len(notices(engine, me)) == 2


def test_an_api_token_in_use_keeps_the_account(engine, config, people):
    me = people["me"]
    with session_scope(engine) as session:
        token, _ = residents.create_token(session=session, resident_id=me, name="脚本")
    assert retain(engine, config, NOTICE_DAY)["inactive_notices"] == 1
    at(NOTICE_DAY + timedelta(days=5), 12, 0)
    with session_scope(engine) as session:
        residents.record_use(session=session, token_id=token.id)
    assert resident(engine, me).inactivity_notice_at is None
    assert retain(engine, config, THREE_YEARS + timedelta(days=1)) == NONE
    assert resident(engine, me).is_active


def test_a_locked_account_is_left_to_the_administrators(engine, config, people):
    with session_scope(engine) as session:
        residents.set_active(
            session=session, actor_id=people["admin"], resident_id=people["me"], active=False,
            idempotency_key="lock", reason="申诉中",
        )  # fmt: skip
    assert retain(engine, config, NOTICE_DAY) == NONE
    assert retain(engine, config, THREE_YEARS) == NONE
    assert resident(engine, people["me"]).phone == "13987650123"


def test_a_failing_account_is_left_whole_and_the_others_go_on(
    engine, config, people, make_resident, monkeypatch
):
    other = make_resident(phone="13900001111", password=PASSWORD)
    assert retain(engine, config, NOTICE_DAY)["inactive_notices"] == 2
    erase_chat = deletion_steps.erase_chat

    def fails_for_me(session, who):
        if who.id == people["me"]:
            raise RuntimeError("worker killed")
        return erase_chat(session, who)

    monkeypatch.setattr(deletion_steps, "erase_chat", fails_for_me)
    assert retain(engine, config, THREE_YEARS)["inactive_pseudonymised"] == 1
    mine = resident(engine, people["me"])
    assert mine.is_active and mine.phone == "13987650123" and mine.inactivity_notice_at is not None
    assert not resident(engine, other).is_active
    monkeypatch.setattr(deletion_steps, "erase_chat", erase_chat)
    assert (
        retain(engine, config, THREE_YEARS + timedelta(days=1))["inactive_pseudonymised"] == 1
    )  # the next day


def test_a_run_erases_at_most_its_share_and_the_rest_follow_the_next_day(
    engine, config, people, make_resident, monkeypatch
):
    others = [make_resident() for _ in range(2)]
    assert retain(engine, config, NOTICE_DAY)["inactive_notices"] == 3
    monkeypatch.setattr(inactivity, "MAX_PER_RUN", 2)
    assert retain(engine, config, THREE_YEARS)["inactive_pseudonymised"] == 2
    assert retain(engine, config, THREE_YEARS + timedelta(days=1))["inactive_pseudonymised"] == 1
    assert not any(resident(engine, who).is_active for who in (people["me"], *others))


def test_the_last_use_is_written_at_most_once_a_beijing_day(engine, people):
    me = people["me"]
    day = clock.local_day(MADE) + timedelta(days=1)

    def mark(hour: int, minute: int = 0, on: date = day) -> bool:
        now = datetime.combine(on, time(hour, minute), clock.BEIJING).astimezone(UTC)
        with session_scope(engine) as session:
            return residents.mark_active(session=session, resident_id=me, now=now)

    assert mark(0, 5) is True  # a new Beijing day (16:05 UTC the day before)
    assert [mark(9), mark(18), mark(23, 59)] == [False, False, False]
    assert resident(engine, me).last_active_at == datetime.combine(day, time(0, 5), clock.BEIJING)
    assert mark(0, 1, day + timedelta(days=1)) is True
    with session_scope(engine) as session:  # the day the account was made is already recorded
        assert residents.mark_active(session=session, resident_id=people["admin"], now=MADE) is False


def test_the_periods_are_read_from_the_environment_and_checked():
    settings = Settings.from_env({"INACTIVE_ACCOUNT_YEARS": "5", "INACTIVE_NOTICE_DAYS": "60"})
    assert (settings.inactive_account_years, settings.inactive_notice_days) == (5, 60)
    assert (Settings().inactive_account_years, Settings().inactive_notice_days) == (3, 30)
    for variable in ("INACTIVE_ACCOUNT_YEARS", "INACTIVE_NOTICE_DAYS"):
        with pytest.raises(ConfigError, match=variable):
            Settings.from_env({variable: "0"})
    with pytest.raises(ConfigError, match="INACTIVE_NOTICE_DAYS"):
        Settings().with_overrides(inactive_account_years=1, inactive_notice_days=365)
