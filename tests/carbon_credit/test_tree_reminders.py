"""The yearly tree-year reminder: a credited planting whose anniversary has come asks once for a survival
photo of its next tree-year, unless that year was already claimed."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from carbon_credit import notifications
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.jobs.schedule import tree_year_reminders
from carbon_credit.notifications import Notification
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope

NOW = clock.now()  # whatever day the suite runs on (tests/test_calendar.py moves it)
A_YEAR_AGO = NOW - timedelta(days=366)  # the first anniversary was yesterday (or today, across 29 February)


def plant(engine, settings, resident: int, at, *, key: str = "trees", photo: str | None = None, **inputs):
    """Record a resident's tree-planting claim as if made at ``at``."""
    values = {"trees": "3", **inputs}
    item = ActivityInput(resident, "tree_planting", values, "web", key, occurred_at=at, photo=photo)
    with session_scope(engine) as session:
        return record_activity(session=session, settings=settings, item=item, now=at)


def remind(engine, now=NOW) -> int:
    with session_scope(engine) as session:
        return notifications.remind_tree_years(session=session, now=now)


def reminders(engine) -> list[Notification]:
    with read_session(engine) as session:
        query = select(Notification).where(Notification.kind == "tree_year_due").order_by(Notification.id)
        return list(session.execute(query).scalars())


def test_a_planting_a_year_ago_gets_one_reminder_for_its_second_year(engine, settings, make_resident):
    resident = make_resident()
    planting = plant(engine, settings, resident, A_YEAR_AGO)
    assert planting.status == "credited"
    assert remind(engine) == 1
    [note] = reminders(engine)
    assert note.resident_id == resident
    assert (note.params["activity_id"], note.params["year"], note.params["trees"]) == (planting.id, 2, 3)
    zh, en = notifications.render(note, "zh_Hans"), notifications.render(note, "en")
    assert "第 2 年" in zh and "照片" in zh and "/log/trees" in zh
    assert "Year 2" in en and "photo" in en and "/log/trees" in en


def test_running_it_twice_the_same_day_still_reminds_once(engine, settings, make_resident):
    plant(engine, settings, make_resident(), A_YEAR_AGO)
    assert tree_year_reminders(engine, settings, now=NOW) == {"queued": 1}
    assert tree_year_reminders(engine, settings, now=NOW) is None  # the day's run is claimed
    assert remind(engine) == 0  # and the service itself adds nothing twice
    assert remind(engine, NOW + timedelta(days=3)) == 0  # nor later in the anniversary week
    assert len(reminders(engine)) == 1


def test_a_planting_whose_second_year_was_already_claimed_gets_none(engine, settings, make_resident):
    resident = make_resident()
    plant(engine, settings, resident, A_YEAR_AGO)
    survival = plant(engine, settings, resident, NOW, key="year-2", photo="survival.jpg", years="2")
    assert (survival.status, survival.details["tree_year"]) == ("pending", 2)
    assert remind(engine) == 0
    assert reminders(engine) == []


def test_a_planting_three_months_ago_gets_none(engine, settings, make_resident):
    plant(engine, settings, make_resident(), NOW - timedelta(days=91))
    assert remind(engine) == 0
    assert reminders(engine) == []


def test_the_reminder_waits_for_the_anniversary_and_stops_a_week_after(engine, settings, make_resident):
    plant(engine, settings, make_resident(), NOW - timedelta(days=375))  # anniversary ten days ago
    plant(engine, settings, make_resident(), NOW - timedelta(days=360))  # anniversary in five days
    assert remind(engine) == 0
