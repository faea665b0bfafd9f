"""A resident's history: filters, pages, only their own activities; the home summary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from carbon_credit.activities import (
    ActivityInput,
    activity_history,
    activity_of,
    home_summary,
    record_activity,
)
from carbon_credit.activities.history import tree_years
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import InvalidActivity, NotFound

DAY1 = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)  # noon in Asia/Shanghai


def _record(engine, settings, resident, behaviour, inputs, key, when):
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, "web", key, when)
        return record_activity(session=session, settings=settings, item=item, now=item.occurred_at)


@pytest.fixture
def diary(engine, settings, make_resident):
    """One resident with 5 days of walking, 2 recyclings (one pending) and 1 tree; a second resident."""
    alice, bob = make_resident(), make_resident()
    for n in range(5):
        _record(engine, settings, alice, "walking", {"steps": 1000}, f"w{n}", DAY1 + timedelta(days=n))
    _record(engine, settings, alice, "recycling", {"material": "glass", "kg": "2"}, "r1", DAY1)
    _record(engine, settings, alice, "recycling", {"material": "glass", "kg": "30"}, "r2", DAY1)
    _record(engine, settings, alice, "tree_planting", {"trees": "1"}, "t1", DAY1 + timedelta(days=2))
    other = _record(engine, settings, bob, "walking", {"steps": 1000}, "w", DAY1)
    return alice, bob, other.id


def _history(engine, resident, **filters):
    with read_session(engine) as session:
        return activity_history(session=session, resident_id=resident, **filters)


def test_history_is_newest_first_and_paged(engine, diary):
    alice, _, _ = diary
    first = _history(engine, alice, per_page=3)
    assert (first.total, first.pages, first.page, first.per_page) == (8, 3, 1, 3)
    assert first.items[0].local_day == date(2026, 6, 5)
    last = _history(engine, alice, per_page=3, page=3)
    assert len(last.items) == 2
    seen = {a.id for p in (1, 2, 3) for a in _history(engine, alice, per_page=3, page=p).items}
    assert len(seen) == 8
    assert _history(engine, alice, per_page=3, page=99).page == 3  # past the end: the last page
    assert _history(engine, alice, per_page=3, page=-1).page == 1


def test_history_filters(engine, diary):
    alice, _, _ = diary
    assert _history(engine, alice, behaviour="recycling").total == 2
    pending = _history(engine, alice, status="pending")
    assert [a.inputs["kg"] for a in pending.items] == ["30"]
    days = _history(engine, alice, date_from=date(2026, 6, 2), date_to=date(2026, 6, 3))
    assert sorted(a.behaviour for a in days.items) == ["tree_planting", "walking", "walking"]
    assert (
        _history(engine, alice, behaviour="walking", status="credited", date_to=date(2026, 6, 1)).total == 1
    )
    with pytest.raises(InvalidActivity):
        _history(engine, alice, status="lost")


def test_someone_elses_activity_is_not_found(engine, diary):
    alice, bob, bobs = diary
    with read_session(engine) as session:
        assert activity_of(session=session, resident_id=bob, activity_id=bobs).resident_id == bob
        with pytest.raises(NotFound):
            activity_of(session=session, resident_id=alice, activity_id=bobs)
        with pytest.raises(NotFound):
            activity_of(session=session, resident_id=alice, activity_id=10**9)


def test_summary_counts_credited_activities_only(engine, diary):
    alice, _, _ = diary
    with read_session(engine) as session:
        mine = home_summary(session=session, resident_id=alice)
    # 5 x 20 g walking + 2 kg glass (617 g) + 1 tree (3,700 g); the 30 kg recycling is pending
    assert mine.grams == 5 * 20 + 617 + 3700
    assert mine.balance == 5 * 20 + 617 // 2 + 3700 // 10  # declared: glass earns half, a tree a tenth
    assert mine.activities == 7
    assert mine.tree_years == Decimal("1.2")  # 4,417 g / 3,700 g per tree-year
    assert len(mine.recent) == 5 and mine.recent[0].local_day == date(2026, 6, 5)


def test_an_empty_summary(engine, make_resident):
    resident = make_resident()
    with read_session(engine) as session:
        empty = home_summary(session=session, resident_id=resident)
    assert (empty.balance, empty.grams, empty.tree_years, empty.activities, empty.recent) == (
        0,
        0,
        Decimal("0.0"),
        0,
        [],
    )


def test_tree_years_use_the_per_tree_factor():
    assert tree_years(3700) == Decimal("1.0")
    assert tree_years(37_000_000) == Decimal("10000.0")
