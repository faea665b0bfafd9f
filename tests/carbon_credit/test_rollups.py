"""Statistics rollups stay equal to the activities they summarise: on every credit, and when rebuilt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from carbon_credit.activities import (
    Activity,
    ActivityInput,
    DailyRollup,
    record_activities,
    record_activity,
    rollups,
)
from carbon_credit.platform.database import read_session, session_scope

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 Asia/Shanghai


def _rollup_rows(engine):
    with read_session(engine) as session:
        rows = session.execute(
            select(
                DailyRollup.local_day,
                DailyRollup.behaviour,
                DailyRollup.district_id,
                DailyRollup.channel,
                DailyRollup.campaign_id,
                DailyRollup.activities,
                DailyRollup.grams,
                DailyRollup.points,
                DailyRollup.evidence,
            ).order_by(
                DailyRollup.local_day, DailyRollup.behaviour, DailyRollup.district_id, DailyRollup.channel
            )
        ).all()
    return [tuple(r) for r in rows]


def test_each_credit_updates_the_rollups_and_a_rebuild_gives_the_same(engine, settings, make_resident):
    xiaonan, yunmeng = make_resident(district_code="xiaonan"), make_resident(district_code="yunmeng")
    with session_scope(engine) as session:
        for n, (who, behaviour, inputs, when) in enumerate(
            [
                (xiaonan, "transit", {"mode": "bus", "km": "8"}, NOON),
                (xiaonan, "transit", {"mode": "metro", "km": "10"}, NOON),
                (yunmeng, "recycling", {"material": "pet", "kg": "2"}, NOON),
                (yunmeng, "walking", {"steps": 5000}, NOON + timedelta(days=1)),
                (xiaonan, "recycling", {"material": "pet", "kg": "25"}, NOON),  # pending review: not counted
            ]
        ):
            record_activity(
                session=session,
                settings=settings,
                item=ActivityInput(
                    who, behaviour, inputs, "qr" if behaviour == "transit" else "web", f"k{n}", when
                ),
                now=when,
            )
        items = [ActivityInput(yunmeng, "transit", {"mode": "bus", "km": "3"}, "import", "b1", NOON)]
        record_activities(session=session, settings=settings, items=items, now=NOON)
    incremental = _rollup_rows(engine)
    with read_session(engine) as session:
        credited = session.execute(
            select(func.count(), func.sum(Activity.grams)).where(Activity.status == "credited")
        ).one()
    assert sum(r[5] for r in incremental) == credited[0] == 5
    assert sum(r[6] for r in incremental) == credited[1]
    bus_xiaonan = [r for r in incremental if r[1] == "transit" and r[3] == "qr"]
    assert [(r[5], r[6], r[8]) for r in bus_xiaonan] == [(2, 215 + 467, "verified")]
    assert {r[8] for r in incremental if r[3] == "web"} == {"declared"}
    with session_scope(engine) as session:
        rollups.rebuild(
            session=session, day_from=NOON.date() - timedelta(days=1), day_to=NOON.date() + timedelta(days=2)
        )
    assert _rollup_rows(engine) == incremental


def test_a_reversal_takes_an_activity_back_out(engine, settings, make_resident):
    resident = make_resident()
    with session_scope(engine) as session:
        item = ActivityInput(resident, "walking", {"steps": 10000}, "web", "w", NOON)
        activity = record_activity(session=session, settings=settings, item=item, now=NOON)
    with session_scope(engine) as session:
        fact = {
            "local_day": activity.local_day,
            "behaviour": "walking",
            "district_id": 1,
            "channel": "web",
            "campaign_id": 0,
            "evidence": activity.evidence,
            "grams": activity.grams,
            "points": activity.points,
        }
        rollups.add(session=session, activities=[fact], sign=-1)
    assert [(r[5], r[6], r[7]) for r in _rollup_rows(engine)] == [(0, 0, 0)]
