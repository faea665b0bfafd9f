"""Trust levels: residents approved often skip review for amounts up to twice the threshold; residents with
a rejection are reviewed more (halved thresholds); photos always wait."""

from __future__ import annotations

from datetime import timedelta

import pytest

from carbon_credit import review as review_queue
from carbon_credit.activities import (
    Activity,
    ActivityInput,
    record_activities,
    record_activity,
    review_reason,
    trust,
)
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.settings import Settings

RULES = Settings(env="test")


@pytest.fixture
def record(engine, settings):
    def do(resident: int, kg: str, key: str, photo=None) -> Activity:
        with session_scope(engine) as session:
            item = ActivityInput(
                resident, "recycling", {"material": "glass", "kg": kg}, "web", key, photo=photo
            )
            activity = record_activity(session=session, settings=settings, item=item)
            session.expunge(activity)
            return activity

    return do


@pytest.fixture
def decide(engine, settings, make_resident):
    admin = make_resident(role="admin")

    def do(activity_id: int, approve: bool = True, now=None):
        with session_scope(engine) as session:
            if approve:
                review_queue.approve(
                    session=session, settings=settings, activity_id=activity_id, actor_id=admin, now=now
                )
            else:
                review_queue.reject(
                    session=session,
                    settings=settings,
                    activity_id=activity_id,
                    actor_id=admin,
                    reason="不符",
                    now=now,
                )

    return do


def _level(engine, resident, now=None) -> str:
    with read_session(engine) as session:
        return trust.level_for(session=session, resident_id=resident, now=now)


@pytest.mark.parametrize(
    ("level", "kg", "waits"),
    [
        ("normal", "20", False),
        ("normal", "20.5", True),
        ("trusted", "40", False),  # up to twice the 20 kg threshold
        ("trusted", "40.1", True),
        ("watched", "10", False),  # half the threshold
        ("watched", "10.1", True),
    ],
)
def test_thresholds_scale_with_the_trust_level(level, kg, waits):
    inputs = {"material": "glass", "kg": kg}
    reason = review_reason(settings=RULES, behaviour="recycling", inputs=inputs, has_photo=False, trust=level)
    assert (reason == "review_large_amount") is waits


@pytest.mark.parametrize("level", trust.LEVELS)
def test_a_photo_waits_at_every_level(level):
    inputs = {"trees": "1"}
    assert review_reason(
        settings=RULES, behaviour="tree_planting", inputs=inputs, has_photo=True, trust=level
    )


def test_classify():
    assert trust.classify(0, 0) == trust.classify(4, 0) == "normal"
    assert trust.classify(trust.TRUSTED_MIN_APPROVALS, 0) == "trusted"
    assert trust.classify(50, 1) == trust.classify(0, 1) == "watched"


def test_a_trusted_resident_30_kg_is_credited_at_once(engine, make_resident, record, decide):
    resident = make_resident()
    for n in range(5):  # small entries with a photo: approved, without using up the daily cap
        decide(record(resident, "1", f"photo{n}", photo="ab.png").id)
    assert _level(engine, resident) == "trusted"
    activity = record(resident, "30", "thirty")  # 9,259 g: declared, half of it within the declared cap
    assert (activity.status, activity.note, activity.points) == ("credited", "daily_cap:2000", 2000)
    assert record(resident, "45", "too-big").status == "pending"  # above 2 x 20 kg: still waits
    assert record(resident, "1", "photo", photo="ab.png").status == "pending"  # photos still wait


def test_a_watched_resident_15_kg_waits(engine, make_resident, record, decide):
    resident = make_resident()
    decide(record(resident, "25", "big").id, approve=False)
    assert _level(engine, resident) == "watched"
    activity = record(resident, "15", "fifteen")
    assert (activity.status, activity.note, activity.points) == ("pending", "review_large_amount", 0)
    assert record(resident, "10", "ten").status == "credited"


def test_decisions_older_than_the_window_no_longer_count(engine, make_resident, record, decide):
    resident = make_resident()
    decide(record(resident, "25", "big").id, approve=False)
    later = clock.now() + timedelta(days=trust.WINDOW_DAYS + 1)
    assert _level(engine, resident, now=later) == "normal"


def test_the_bulk_path_uses_each_resident_level(engine, settings, make_resident, record, decide):
    trusted, watched, normal = make_resident(), make_resident(), make_resident()
    for n in range(5):
        decide(record(trusted, "1", f"t{n}", photo="ab.png").id)
    decide(record(watched, "25", "w").id, approve=False)
    items = [
        ActivityInput(r, "recycling", {"material": "glass", "kg": kg}, "import", f"bulk{r}{kg}", clock.now())
        for r, kg in ((trusted, "30"), (watched, "15"), (normal, "15"), (normal, "30"))
    ]
    with session_scope(engine) as session:
        created = record_activities(session=session, settings=settings, items=items).created
    with read_session(engine) as session:
        statuses = [session.get(Activity, i).status for i in created]
    assert statuses == ["credited", "pending", "credited", "pending"]
