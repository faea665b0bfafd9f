"""Anomalies surface by themselves (issue 13, section 5): the daily job flags accounts with reasons, the
review queue lists them, and clearing or clawing back a flag is one audited action each."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import jobs, review
from carbon_credit.activities import Activity, ActivityInput, record_activity
from carbon_credit.platform import audit, clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.i18n import translate
from carbon_credit.review import anomalies
from carbon_credit.rewards import points_balance
from carbon_credit.transit import CardClaim, TransitRejection


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


@pytest.fixture
def recycle(engine, settings):
    counter = iter(range(10**6))

    def do(resident: int, kg: str) -> Activity:
        with session_scope(engine) as session:
            item = ActivityInput(
                resident,
                "recycling",
                {"material": "glass", "kg": kg},
                "web",
                f"k{next(counter)}",
                clock.now(),
            )
            return record_activity(session=session, settings=settings, item=item)

    return do


def _tomorrow():
    return clock.now() + timedelta(days=1)


def _flags(engine) -> dict[int, list[str]]:
    with read_session(engine) as session:
        rows = session.execute(select(review.AccountFlag)).scalars()
        return {f.resident_id: [r["code"] for r in f.reasons] for f in rows}


def test_points_far_above_the_district_median_are_flagged(
    engine, settings, make_resident, recycle, monkeypatch
):
    monkeypatch.setattr(anomalies, "MIN_POINTS", 1)
    monkeypatch.setattr(anomalies, "MEDIAN_FACTOR", 3)
    peers = [make_resident() for _ in range(4)]
    outlier = make_resident()
    for resident in peers:
        recycle(resident, "1")
    recycle(outlier, "19.9")
    assert jobs.flag_anomalies(engine, settings, now=_tomorrow()) == {"flagged": 1}
    assert _flags(engine) == {outlier: ["anomaly.points_above_median"]}
    assert jobs.flag_anomalies(engine, settings, now=_tomorrow()) is None  # once a day


def test_a_district_with_few_residents_has_no_median_to_compare(engine, settings, make_resident, recycle):
    outlier = make_resident()
    recycle(make_resident(), "1")
    recycle(outlier, "19.9")
    with session_scope(engine) as session:
        assert review.flag_anomalies(session=session, now=_tomorrow()) == 0


def test_many_claims_at_the_cap_and_impossible_trips_are_flagged_with_reasons(
    engine, settings, make_resident, recycle, monkeypatch
):
    monkeypatch.setattr(anomalies, "CAP_HITS", 3)
    capped, traveller, honest = make_resident(), make_resident(), make_resident()
    for _ in range(4):
        recycle(capped, "19.9")
    recycle(honest, "1")
    with session_scope(engine) as session:
        for reason in ("transit_too_fast", "transit_cooldown", "transit_too_fast"):
            session.add(TransitRejection(resident_id=traveller, reason=reason, evidence={}))
        session.add(TransitRejection(resident_id=honest, reason="transit_too_fast", evidence={}))
    with session_scope(engine) as session:
        assert review.flag_anomalies(session=session, now=_tomorrow()) == 2
    assert _flags(engine) == {capped: ["anomaly.claims_at_cap"], traveller: ["anomaly.impossible_trips"]}
    with read_session(engine) as session:
        page = review.flagged(session=session)
    assert {row.flag.resident_id for row in page.items} == {capped, traveller}
    reasons = {row.flag.resident_id: row.flag.reasons[0] for row in page.items}
    assert translate("anomaly.impossible_trips", "en", **reasons[traveller]["params"]).startswith(
        "3 impossible"
    )
    assert "达到每日上限" in translate("anomaly.claims_at_cap", "zh_Hans", **reasons[capped]["params"])
    with session_scope(engine) as session:  # an open flag is not raised again
        assert review.flag_anomalies(session=session, now=_tomorrow() + timedelta(days=1)) == 0


def _one_flag(engine, settings, make_resident, recycle, monkeypatch) -> tuple[int, int]:
    monkeypatch.setattr(anomalies, "CAP_HITS", 2)
    resident = make_resident()
    recycle(resident, "19.9")
    recycle(resident, "19.9")
    with session_scope(engine) as session:
        review.flag_anomalies(session=session, now=_tomorrow())
    with read_session(engine) as session:
        [row] = review.flagged(session=session).items
    return resident, row.flag.id


def test_clearing_a_flag_is_one_audited_action(engine, settings, make_resident, recycle, monkeypatch, admin):
    resident, flag_id = _one_flag(engine, settings, make_resident, recycle, monkeypatch)
    balance = _balance(engine, resident)
    for _ in range(2):  # a double-submitted form
        with session_scope(engine) as session:
            outcome = review.clear_flag(
                session=session, flag_id=flag_id, actor_id=admin, idempotency_key="c1"
            )
        assert outcome["changed"] is True
    with read_session(engine) as session:
        assert review.flagged(session=session).items == []
        [entry] = audit.entries(session=session, action="review.flag_clear").items
    assert (entry.before["status"], entry.after["status"]) == ("open", "cleared")
    assert _balance(engine, resident) == balance


def test_clawing_back_a_flag_rejects_the_flagged_days_credits(
    engine, settings, make_resident, recycle, monkeypatch, admin
):
    resident, flag_id = _one_flag(engine, settings, make_resident, recycle, monkeypatch)
    credited = _balance(engine, resident)
    with session_scope(engine) as session:
        outcome = review.claw_back_flag(
            session=session,
            settings=settings,
            flag_id=flag_id,
            actor_id=admin,
            idempotency_key="c1",
            reason="刷分",
        )
    assert (outcome["changed"], outcome["reversed_points"], outcome["rejected"]) == (True, credited, 2)
    assert _balance(engine, resident) == 0
    with read_session(engine) as session:
        statuses = set(
            session.execute(select(Activity.status).where(Activity.resident_id == resident)).scalars()
        )
        [entry] = audit.entries(session=session, action="review.flag_claw_back").items
        rejections = audit.entries(session=session, action="review.reject").items
    assert statuses == {"rejected"} and len(rejections) == 2
    assert entry.after["status"] == "clawed_back" and entry.after["reversed_points"] == credited
    with session_scope(engine) as session:  # a second decision, with another key, changes nothing
        again = review.clear_flag(session=session, flag_id=flag_id, actor_id=admin, idempotency_key="c2")
    assert again["changed"] is False


def _balance(engine, resident: int) -> int:
    with read_session(engine) as session:
        return points_balance(session=session, resident_id=resident)


def test_one_transit_card_claimed_by_several_accounts_flags_each(engine, make_resident):
    owner, other, alone = make_resident(), make_resident(), make_resident()
    with session_scope(engine) as session:
        for resident, card in ((owner, "1234567890"), (other, "1234567890"), (alone, "5555666677")):
            session.add(CardClaim(resident_id=resident, card=card, status="review", proof="trip"))
    with session_scope(engine) as session:
        assert review.flag_anomalies(session=session, now=_tomorrow()) == 2
    assert _flags(engine) == {owner: ["anomaly.shared_card"], other: ["anomaly.shared_card"]}
    with read_session(engine) as session:
        [flag, _] = review.flagged(session=session).items
    assert translate("anomaly.shared_card", "en", **flag.flag.reasons[0]["params"]) == (
        "Transit card …7890 claimed by 2 accounts"
    )
