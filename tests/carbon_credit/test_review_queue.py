"""The review queue: approving credits with the cap of the entry's own day, rejecting before and after a
credit, bulk approval, the audit trail, residents' notifications and the suspicious-scans list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import ledger, notifications
from carbon_credit import review as review_queue
from carbon_credit.activities import (
    Activity,
    ActivityInput,
    DailyRollup,
    credit_discrepancies,
    local_day,
    policy_for,
    rebuild_rollups,
    record_activity,
)
from carbon_credit.ledger import LedgerEntry
from carbon_credit.notifications import Notification
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.transit import TransitRejection
from quantification import quantify

GLASS_20_1 = {"material": "glass", "kg": "20.1"}  # 6,204 g: above the 20 kg threshold, waits
GLASS_19_9 = {"material": "glass", "kg": "19.9"}  # 6,142 g: credited at once
# Issue 13: a typed weight is declared and earns a share (docs/rules.md); with a photo the entry is
# evidenced, waits for review and is credited in full on approval (1 point = 1 g).
BIG = quantify("recycling", **GLASS_20_1).grams
SMALL = quantify("recycling", **GLASS_19_9).grams
PHOTO = "ab.png"


@pytest.fixture
def record(engine, settings):
    def do(
        resident: int, inputs: dict, key: str, *, behaviour="recycling", when=None, photo=None, config=None
    ):
        with session_scope(engine) as session:
            item = ActivityInput(resident, behaviour, inputs, "web", key, when or clock.now(), photo=photo)
            return record_activity(session=session, settings=config or settings, item=item).id

    return do


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


def _approve(engine, settings, activity_id, actor, config=None):
    with session_scope(engine) as session:
        return review_queue.approve(
            session=session, settings=config or settings, activity_id=activity_id, actor_id=actor
        )


def _reject(engine, settings, activity_id, actor, reason="照片与记录不符"):
    with session_scope(engine) as session:
        return review_queue.reject(
            session=session, settings=settings, activity_id=activity_id, actor_id=actor, reason=reason
        )


def _activity(engine, activity_id) -> Activity:
    with read_session(engine) as session:
        return session.get(Activity, activity_id)


def _balance(engine, resident) -> int:
    with read_session(engine) as session:
        return ledger.balance(
            session=session, account_id=ledger.account_id_for(session=session, resident_id=resident)
        )


def _rollup_points(engine) -> list[tuple]:
    with read_session(engine) as session:
        rows = session.execute(select(DailyRollup).order_by(DailyRollup.id)).scalars()
        return sorted(
            (r.local_day, r.behaviour, r.activities, r.grams, r.points) for r in rows if r.activities
        )


def _notes(engine, resident) -> list[Notification]:
    with read_session(engine) as session:
        return notifications.recent_for(session=session, resident_id=resident)


def test_the_queue_lists_pending_entries_with_reason_and_trust(engine, settings, make_resident, record):
    resident = make_resident(display_name="小李")
    record(resident, GLASS_19_9, "small")
    big = record(resident, GLASS_20_1, "big")
    photo = record(resident, {"trees": "1"}, "tree", behaviour="tree_planting", photo="ab.png")
    with read_session(engine) as session:
        page = review_queue.pending(session=session)
    assert [(r.activity.id, r.activity.note, r.resident_name, r.trust) for r in page.items] == [
        (big, "review_large_amount", "小李", "normal"),
        (photo, "review_photo", "小李", "normal"),
    ]
    assert (page.total, page.pages) == (2, 1)


def test_approving_credits_with_the_cap_of_the_entry_own_day(engine, settings, make_resident, record, admin):
    cap = 2 * SMALL + 2000  # both small entries fit; the big one only partly
    capped = settings.with_overrides(daily_caps={**settings.daily_caps, "recycling": cap})
    resident = make_resident()
    yesterday = clock.now() - timedelta(days=1)
    small_y = record(resident, GLASS_19_9, "y-small", when=yesterday, photo=PHOTO, config=capped)
    small_t = record(resident, GLASS_19_9, "t-small", photo=PHOTO, config=capped)
    held = record(resident, GLASS_20_1, "y-big", when=yesterday, photo=PHOTO, config=capped)
    _approve(engine, settings, small_y, admin, config=capped)  # SMALL of yesterday's cap
    _approve(engine, settings, small_t, admin, config=capped)  # today's, but recorded today like the others
    decision = _approve(engine, settings, held, admin, config=capped)
    left = cap - 2 * SMALL  # the caps of the day claimed (SMALL used) and of the day recorded (2 x SMALL)
    assert (decision.status, decision.changed, decision.points) == ("credited", True, left)
    activity = _activity(engine, held)
    assert (activity.status, activity.evidence) == ("credited", "evidenced")
    assert (activity.points, activity.note) == (left, f"daily_cap:{cap}")
    assert (activity.reviewed_by, activity.review_note) == (admin, None) and activity.reviewed_at
    assert _balance(engine, resident) == SMALL + SMALL + left
    with read_session(engine) as session:
        entry = session.get(LedgerEntry, activity.ledger_entry_id)
        assert (entry.kind, entry.points, entry.ref_type, entry.ref_id) == (
            "earn",
            left,
            "activity",
            held,
        )
        assert entry.idempotency_key == f"activity:{activity.idempotency_key}"
        assert credit_discrepancies(session=session) == []
    day = local_day(yesterday, settings)
    rollup = (day, "recycling", 2, SMALL + BIG, SMALL + left)
    assert rollup in _rollup_points(engine)  # after_credit ran


def test_approving_twice_credits_once_and_notifies_once(engine, settings, make_resident, record, admin):
    resident = make_resident()
    held = record(resident, GLASS_20_1, "big", photo=PHOTO)
    first = _approve(engine, settings, held, admin)
    second = _approve(engine, settings, held, admin)
    assert (first.changed, second.changed) == (True, False)
    assert _balance(engine, resident) == BIG
    [note] = _notes(engine, resident)
    assert (note.kind, note.params["points"], note.dedupe_key) == (
        "review_approved",
        BIG,
        f"review:{held}:approved",
    )
    assert notifications.render(note, "en").startswith("Your entry of ") and f"{BIG} points credited" in (
        notifications.render(note, "en")
    )
    with read_session(engine) as session:
        log = audit.entries(session=session, target_type="activity").items
    assert [(e.action, e.actor_id, e.target_id) for e in log] == [("review.approve", admin, held)]
    assert (log[0].before["status"], log[0].after["status"], log[0].after["points"]) == (
        "pending",
        "credited",
        BIG,
    )


def test_rejecting_before_credit_keeps_the_ledger_untouched(engine, settings, make_resident, record, admin):
    resident = make_resident()
    held = record(resident, {"trees": "2"}, "photo", behaviour="tree_planting", photo="ab.png")
    decision = _reject(engine, settings, held, admin, reason="照片看不清")
    assert (decision.status, decision.changed, decision.reversed_points) == ("rejected", True, 0)
    activity = _activity(engine, held)
    assert (activity.status, activity.points, activity.review_note, activity.ledger_entry_id) == (
        "rejected",
        0,
        "照片看不清",
        None,
    )
    assert _balance(engine, resident) == 0
    [note] = _notes(engine, resident)
    assert note.kind == "review_rejected" and "照片看不清" in notifications.render(note)
    # a rejection is final and idempotent
    assert _reject(engine, settings, held, admin).changed is False
    with pytest.raises(DomainError) as caught:
        _approve(engine, settings, held, admin)
    assert caught.value.code == "review_already_rejected"
    assert len(_notes(engine, resident)) == 1


def test_a_reason_is_required(engine, settings, make_resident, record, admin):
    held = record(make_resident(), GLASS_20_1, "big")
    for reason in ("  ", "x" * 256):
        with pytest.raises(DomainError) as caught:
            _reject(engine, settings, held, admin, reason=reason)
        assert caught.value.code == "review_reason_required"
    assert _activity(engine, held).status == "pending"


def test_rejecting_after_credit_reverses_points_and_rollup(engine, settings, make_resident, record, admin):
    """Issue 13: both entries are declared, so each earns the policy table's share; the amounts fit within
    the declared daily cap together, so both are credited and the rejected one's points are taken back."""
    declared = policy_for("recycling").level("declared")
    other_inputs = {"material": "glass", "kg": "2"}
    other_grams = quantify("recycling", **other_inputs).grams
    other_points = other_grams * declared.percent // 100
    resident = make_resident()
    record(resident, other_inputs, "other")
    credited = record(resident, {"material": "glass", "kg": "10"}, "ten")
    before = _balance(engine, resident)
    points = _activity(engine, credited).points
    assert points == quantify("recycling", material="glass", kg="10").grams * declared.percent // 100
    assert before == other_points + points <= declared.daily_cap
    decision = _reject(engine, settings, credited, admin, reason="重复登记")
    assert (decision.changed, decision.reversed_points) == (True, points)
    assert _balance(engine, resident) == before - points
    with read_session(engine) as session:
        reversal = session.execute(select(LedgerEntry).where(LedgerEntry.kind == "reversal")).scalar_one()
        assert (reversal.points, reversal.ref_type) == (-points, "ledger_entry")
        assert ledger.discrepancies(session=session) == []
        assert credit_discrepancies(session=session) == []
    today = local_day(clock.now(), settings)
    assert _rollup_points(engine) == [(today, "recycling", 1, other_grams, other_points)]
    with session_scope(engine) as session:  # the live rollups equal a rebuild from the activities
        rebuild_rollups(session=session, day_from=today, day_to=today)
    assert _rollup_points(engine) == [(today, "recycling", 1, other_grams, other_points)]
    [note] = _notes(engine, resident)
    assert note.params["message"] == "review_rejected_reversed"
    assert f"{points} points credited for it were taken back" in notifications.render(note, "en")
    assert _reject(engine, settings, credited, admin).changed is False  # no second reversal
    assert _balance(engine, resident) == before - points


def test_rejecting_after_the_points_were_spent_lands_as_a_debt(
    engine, settings, make_resident, record, admin
):
    """Issue 13 changed this: the rejection used to be refused (review_reversal_overdraw); now it lands."""
    resident = make_resident()
    credited = record(resident, {"material": "glass", "kg": "10"}, "ten")
    points = _activity(engine, credited).points
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident, lock=True)
        ledger.post(session=session, posting=ledger.Posting(account, -(points - 100), "redeem", "spend"))
    decision = _reject(engine, settings, credited, admin)
    assert (decision.reversed_points, decision.debt) == (points, points - 100)
    assert _activity(engine, credited).status == "rejected" and _balance(engine, resident) == 100 - points
    [note] = _notes(engine, resident)
    assert note.params["message"] == "review_rejected_debt"
    assert f"your balance is now -{points - 100}" in notifications.render(note, "en")


def test_rejecting_an_entry_credited_by_a_batch_posts_its_share_back(engine, settings, make_resident, admin):
    from carbon_credit.activities import record_activities

    resident = make_resident()
    items = [
        ActivityInput(
            resident, "recycling", {"material": "glass", "kg": str(kg)}, "import", f"b{kg}", clock.now()
        )
        for kg in (5, 10)
    ]
    with session_scope(engine) as session:
        created = record_activities(session=session, settings=settings, items=items).created
    total = _balance(engine, resident)
    share = _activity(engine, created[1]).points
    assert _reject(engine, settings, created[1], admin).reversed_points == share
    assert _balance(engine, resident) == total - share
    with read_session(engine) as session:
        reversal = session.execute(select(LedgerEntry).where(LedgerEntry.kind == "reversal")).scalar_one()
        assert (reversal.points, reversal.ref_type, reversal.ref_id) == (-share, "activity", created[1])


def test_bulk_approve_credits_each_once_with_an_audit_entry_each(
    engine, settings, make_resident, record, admin
):
    """Issue 13: the entries come with a photo (evidenced), so approval credits them in full, within the
    behaviour's daily cap."""
    one, two = make_resident(), make_resident()
    ids = [
        record(one, GLASS_20_1, "a", photo=PHOTO),
        record(two, GLASS_20_1, "b", photo=PHOTO),
        record(one, {"trees": "11"}, "c", behaviour="tree_planting", photo=PHOTO),
    ]
    rejected = record(two, GLASS_20_1, "d", photo=PHOTO)
    _reject(engine, settings, rejected, admin)
    for _ in range(2):  # a double-submitted form
        with session_scope(engine) as session:
            decisions = review_queue.bulk_approve(
                session=session, settings=settings, activity_ids=[*ids, rejected], actor_id=admin
            )
    assert [(d.activity_id, d.status, d.changed) for d in decisions] == [
        (ids[0], "credited", False),
        (ids[1], "credited", False),
        (ids[2], "credited", False),
        (rejected, "rejected", False),
    ]
    trees_cap = settings.daily_caps["tree_planting"]
    assert quantify("tree_planting", trees=11).grams > trees_cap  # the trees are capped on approval
    assert (_balance(engine, one), _balance(engine, two)) == (BIG + trees_cap, BIG)
    with read_session(engine) as session:
        log = audit.entries(session=session, action="review.approve").items
        assert sorted(e.target_id for e in log) == ids
        assert len(notifications.pending(session=session)) == 4  # three approvals, one rejection


def test_the_suspicious_tab_lists_refused_scans_with_evidence_and_counts(engine, settings, make_resident):
    sly, other = make_resident(display_name="小赵"), make_resident()
    now = clock.now()
    with session_scope(engine) as session:
        for days, resident, reason in (
            (10, sly, "transit_cooldown"),
            (2, sly, "transit_cooldown"),
            (1, sly, "transit_too_fast"),
            (0, other, "transit_daily_cap"),
        ):
            evidence = (
                {"params": {"km": "20.0", "kmh": "240"}, "metres": 20000}
                if reason == "transit_too_fast"
                else {}
            )
            session.add(
                TransitRejection(
                    resident_id=resident,
                    reason=reason,
                    evidence=evidence,
                    created_at=now - timedelta(days=days),
                )
            )
    with read_session(engine) as session:
        page = review_queue.suspicious(session=session, now=now)
        fast = review_queue.suspicious(session=session, reason="transit_too_fast", now=now)
        reasons = review_queue.suspicious_reasons(session=session)
    assert [(r.rejection.reason, r.rejection.resident_id, r.recent_count) for r in page.items] == [
        ("transit_daily_cap", other, 1),
        ("transit_too_fast", sly, 2),  # the 10-day-old refusal is outside the 7 days
        ("transit_cooldown", sly, 2),
        ("transit_cooldown", sly, 2),
    ]
    assert page.items[1].resident_name == "小赵"
    assert [r.rejection.evidence["params"]["kmh"] for r in fast.items] == ["240"]
    assert reasons == ["transit_cooldown", "transit_daily_cap", "transit_too_fast"]


def test_rejecting_after_credit_also_takes_back_a_campaign_bonus(
    engine, settings, make_resident, record, admin
):
    from carbon_credit.campaigns import Campaign

    now = clock.now()
    with session_scope(engine) as session:
        session.add(
            Campaign(
                name_zh="低碳日",
                name_en="Low-carbon day",
                starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=1),
                multiplier_percent=150,
                budget_points=100_000,
            )
        )
    resident = make_resident()
    credited = record(resident, {"material": "glass", "kg": "10"}, "ten")
    found = _activity(engine, credited)
    assert found.bonus_points > 0 and _balance(engine, resident) == found.points + found.bonus_points
    assert _spent(engine) == found.bonus_points
    decision = _reject(engine, settings, credited, admin)
    assert decision.reversed_points == found.points + found.bonus_points
    assert _balance(engine, resident) == 0
    assert _rollup_points(engine) == []
    assert _spent(engine) == 0  # the bonus went back to the budget, for someone else's activity
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []


def _spent(engine) -> int:
    from carbon_credit.campaigns import Campaign

    with read_session(engine) as session:
        return session.execute(select(Campaign.spent_points)).scalar_one()


def test_approving_backdated_claims_cannot_multiply_the_daily_cap(
    engine, settings, make_resident, record, admin
):
    """Three held glass claims recorded today for today, yesterday and the day before: approved together,
    they share today's cap as recorded (as if credited at once), not one cap per claimed day."""
    resident = make_resident()
    days = [clock.now() - timedelta(days=n) for n in range(3)]
    held = [record(resident, GLASS_20_1, f"g{n}", when=when) for n, when in enumerate(days)]
    assert {_activity(engine, a).status for a in held} == {"pending"}
    with session_scope(engine) as session:
        review_queue.bulk_approve(session=session, settings=settings, activity_ids=held, actor_id=admin)
    declared = policy_for("recycling").level("declared")
    assert declared.percent * BIG // 100 > declared.daily_cap  # one claim alone reaches the cap
    assert _balance(engine, resident) == declared.daily_cap
