"""A registry batch's lifecycle (issue 16): verification with exclusions that return to the pool, issuance,
and a clawback after verification recorded as a correction (the batch unchanged) and deducted from the next
batch issued; the steps in the wrong order are refused and change nothing."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from carbon_credit import registry, review
from carbon_credit.activities import ActivityInput, record_activities
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from carbon_credit.platform.models import AuditEntry
from carbon_credit.registry import Batch, BatchRecord, Correction, Exclusion

BUS = {"mode": "bus", "km": "8"}
JUNE = (date(2026, 6, 1), date(2026, 6, 30))
JULY = (date(2026, 7, 1), date(2026, 7, 31))


def noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


@pytest.fixture
def trips(engine, settings, make_resident):
    """Factory: ``trips(day, n)`` -> ids of ``n`` verified bus trips on ``day`` (one resident each)."""

    def make(day: date, n: int = 3) -> list[int]:
        residents = [make_resident() for _ in range(n)]
        with session_scope(engine) as session:
            items = [ActivityInput(r, "transit", BUS, "import", f"{day}-{r}", noon(day)) for r in residents]
            return record_activities(session=session, settings=settings, items=items, now=noon(day)).created

    return make


def pool(engine, settings, admin, period=JUNE, key="pool") -> Batch:
    with session_scope(engine) as session:
        return registry.pool(
            session=session,
            settings=settings,
            actor_id=admin,
            period_start=period[0],
            period_end=period[1],
            idempotency_key=key,
        )


def verify(engine, admin, batch_id, exclusions=None, key="verify", on=date(2026, 7, 20)) -> Batch:
    with session_scope(engine) as session:
        return registry.verify(
            session=session,
            actor_id=admin,
            batch_id=batch_id,
            verifier="湖北省碳核查中心",
            report_ref="HBV-2026-0612",
            verified_on=on,
            exclusions=exclusions or {},
            idempotency_key=key,
        )


def issue(engine, admin, batch_id, key="issue", on=date(2026, 8, 1)) -> Batch:
    with session_scope(engine) as session:
        return registry.issue(
            session=session,
            actor_id=admin,
            batch_id=batch_id,
            issuance_ref=f"HB-CER-{batch_id}",
            issued_on=on,
            idempotency_key=key,
        )


def reject(engine, settings, admin, activity_id, reason="核查发现重复乘车记录"):
    with session_scope(engine) as session:
        return review.reject(
            session=session, settings=settings, activity_id=activity_id, actor_id=admin, reason=reason
        )


def grams_of(engine, activity_ids) -> int:
    with read_session(engine) as session:
        query = select(func.sum(BatchRecord.grams)).where(BatchRecord.activity_id.in_(activity_ids))
        return session.execute(query).scalar_one() or 0


def reloaded(engine, batch_id) -> Batch:
    with read_session(engine) as session:
        return session.get(Batch, batch_id)


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def reconciles(engine) -> None:
    with read_session(engine) as session:
        outcome = registry.reconcile(session)
    assert outcome.ok, [c for c in outcome.checks if not c.ok]


def test_excluded_records_leave_the_batch_and_return_to_the_pool(engine, settings, trips, admin):
    ids = trips(date(2026, 6, 5), 4)
    batch = pool(engine, settings, admin)
    excluded = ids[1]
    grams = grams_of(engine, [excluded])

    verified = verify(engine, admin, batch.id, {excluded: "乘车记录与运营数据不符"})

    assert (verified.status, verified.verifier, verified.verified_on) == (
        "verified",
        "湖北省碳核查中心",
        date(2026, 7, 20),
    )
    assert verified.verified_grams == batch.pooled_grams - grams == grams_of(engine, set(ids) - {excluded})
    assert verified.record_count == 3 and verified.totals["by"][0]["records"] == 3
    with read_session(engine) as session:
        exclusion = session.execute(select(Exclusion)).scalar_one()
        assert (exclusion.activity_id, exclusion.grams, exclusion.batch_id) == (excluded, grams, batch.id)
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "registry.verify")).scalar_one()
        assert entry.before["status"] == "pooled" and entry.after["verified_grams"] == verified.verified_grams
    again = pool(engine, settings, admin, key="pool-again")  # back in the pool: a later batch takes it
    assert again.record_count == 1 and again.pooled_grams == grams
    reconciles(engine)


def test_verifying_a_batch_twice_is_refused_and_changes_nothing(engine, settings, trips, admin):
    ids = trips(date(2026, 6, 5))
    batch = verify(engine, admin, pool(engine, settings, admin).id)

    error = refused(lambda: verify(engine, admin, batch.id, {ids[0]: "再次核证"}, key="verify-2"))

    assert error.code == "registry_already_verified" and batch.serial in message(error)
    after = reloaded(engine, batch.id)
    assert (after.verified_grams, after.record_count, after.verifier_report) == (
        batch.verified_grams,
        batch.record_count,
        batch.verifier_report,
    )
    with read_session(engine) as session:
        assert session.execute(select(func.count(Exclusion.id))).scalar_one() == 0
        assert (
            len(session.execute(select(AuditEntry).where(AuditEntry.action == "registry.verify")).all()) == 1
        )
    assert verify(engine, admin, batch.id).id == batch.id  # the same request replayed: its first answer


def test_issuing_before_verifying_is_refused_and_changes_nothing(engine, settings, trips, admin):
    trips(date(2026, 6, 5))
    batch = pool(engine, settings, admin)

    error = refused(lambda: issue(engine, admin, batch.id))

    assert error.code == "registry_not_verified" and batch.serial in message(error, "en")
    after = reloaded(engine, batch.id)
    assert (after.status, after.issued_grams, after.issuance_ref) == ("pooled", None, None)
    with read_session(engine) as session:
        assert not session.execute(select(AuditEntry).where(AuditEntry.action == "registry.issue")).first()
    verify(engine, admin, batch.id)
    issued = issue(engine, admin, batch.id, key="issue-after")
    assert issued.issued_grams == issued.verified_grams == batch.pooled_grams
    assert refused(lambda: issue(engine, admin, batch.id, key="twice")).code == "registry_already_issued"


def test_a_clawback_after_issuance_is_a_correction_deducted_from_the_next_batch(
    engine, settings, trips, admin
):
    june = trips(date(2026, 6, 5), 3)
    first = issue(engine, admin, verify(engine, admin, pool(engine, settings, admin).id).id)
    clawed = june[0]
    grams = grams_of(engine, [clawed])

    reject(engine, settings, admin, clawed)

    kept = reloaded(engine, first.id)  # the batch the verifier and the authority saw is not changed
    assert (kept.pooled_grams, kept.verified_grams, kept.issued_grams, kept.record_count) == (
        first.pooled_grams,
        first.verified_grams,
        first.issued_grams,
        first.record_count,
    )
    with read_session(engine) as session:
        correction = session.execute(select(Correction)).scalar_one()
        assert (correction.batch_id, correction.activity_id, correction.grams) == (first.id, clawed, grams)
        assert correction.deducted_in is None and correction.reason == "核查发现重复乘车记录"
        detail = registry.batch(session, first.serial)
        assert detail.corrections == [correction] and detail.view.corrected_grams == grams
        assert registry.registry_totals(session).corrections_waiting == grams
    reconciles(engine)

    trips(date(2026, 7, 8), 2)
    second = verify(
        engine,
        admin,
        pool(engine, settings, admin, JULY, key="july").id,
        key="verify-july",
        on=date(2026, 8, 10),
    )
    second = issue(engine, admin, second.id, key="issue-july", on=date(2026, 8, 20))

    assert second.deducted_grams == grams and second.issued_grams == second.verified_grams - grams
    with read_session(engine) as session:
        assert session.get(Correction, correction.id).deducted_in == second.id
        assert registry.batch(session, second.serial).deducted[0].activity_id == clawed
        assert registry.batch(session, first.serial).deducted_serials == {second.id: second.serial}
        assert registry.registry_totals(session).corrections_waiting == 0
    reconciles(engine)


def test_a_clawback_in_a_pooled_batch_takes_the_record_out(engine, settings, trips, admin):
    ids = trips(date(2026, 6, 5), 3)
    batch = pool(engine, settings, admin)
    grams = grams_of(engine, [ids[2]])

    reject(engine, settings, admin, ids[2])

    after = reloaded(engine, batch.id)
    assert (after.record_count, after.pooled_grams) == (2, batch.pooled_grams - grams)
    assert after.totals["by"][0]["grams"] == after.pooled_grams
    with read_session(engine) as session:
        assert session.get(BatchRecord, ids[2]) is None
        assert session.execute(select(func.count(Correction.id))).scalar_one() == 0
    reconciles(engine)


def test_a_clawback_racing_a_pooling_is_never_counted(engine, settings, trips, admin):
    """A reversal at the moment its period is pooled: either the batch never takes the entry, or the
    reversal finds it there and takes it out; the reconciliation holds either way."""
    ids = trips(date(2026, 6, 5), 6)
    barrier, outcomes = threading.Barrier(2), {}

    def run(name, call) -> None:
        barrier.wait()
        outcomes[name] = call()

    calls = {
        "pool": lambda: pool(engine, settings, admin),
        "reject": lambda: reject(engine, settings, admin, ids[3]),
    }
    threads = [threading.Thread(target=run, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    batch = reloaded(engine, outcomes["pool"].id)
    assert batch.record_count == 5 and batch.pooled_grams == grams_of(engine, set(ids) - {ids[3]})
    reconciles(engine)


def test_a_verification_date_in_the_future_is_refused(engine, settings, trips, admin):
    trips(date(2026, 6, 5))
    batch = pool(engine, settings, admin)
    error = refused(
        lambda: verify(engine, admin, batch.id, on=clock.local_day(clock.now()) + timedelta(days=1))
    )
    assert error.code == "registry_date_invalid"
    error = refused(lambda: verify(engine, admin, batch.id, {123456: "不在批次中"}, key="other"))
    assert error.code == "registry_not_in_batch" and reloaded(engine, batch.id).status == "pooled"
