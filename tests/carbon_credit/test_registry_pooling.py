"""Pooling a period into a registry batch (issue 16): only credited, verified or evidenced entries of a
closed period, each activity in at most one batch even when two administrators pool overlapping periods at
once, the batch's grams the sum of its records, and the verifier's records file."""

from __future__ import annotations

import csv
import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from carbon_credit import registry, review
from carbon_credit.activities import ActivityInput, factor_sources, record_activities, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from carbon_credit.platform.models import AuditEntry, IdempotencyRecord
from carbon_credit.registry import Batch, BatchRecord

BUS = {"mode": "bus", "km": "8"}
GLASS = {"material": "glass", "kg": "5"}
JUNE = (date(2026, 6, 1), date(2026, 6, 30))


def noon(day: date) -> datetime:
    """Noon in Beijing on ``day``."""
    return datetime(day.year, day.month, day.day, 4, tzinfo=UTC)


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


def record(
    engine, settings, resident, key, day, *, behaviour="transit", inputs=BUS, channel="import", photo=None
):
    """One entry recorded on ``day`` as if it were that day (the registry pools closed periods only)."""
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, channel, key, noon(day), photo=photo)
        return record_activity(session=session, settings=settings, item=item, now=noon(day))


def pool(engine, settings, admin, period=JUNE, key="pool-1"):
    with session_scope(engine) as session:
        return registry.pool(
            session=session,
            settings=settings,
            actor_id=admin,
            period_start=period[0],
            period_end=period[1],
            idempotency_key=key,
        )


def records_of(engine, batch_id: int | None = None) -> dict[int, int]:
    """{activity id: batch id} of the registry's records (of one batch when given)."""
    query = select(BatchRecord.activity_id, BatchRecord.batch_id)
    if batch_id is not None:
        query = query.where(BatchRecord.batch_id == batch_id)
    with read_session(engine) as session:
        return dict(session.execute(query).all())


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def nothing_written(engine) -> None:
    with read_session(engine) as session:
        assert session.execute(select(func.count(Batch.id))).scalar_one() == 0
        assert session.execute(select(func.count()).select_from(BatchRecord)).scalar_one() == 0
        assert not session.execute(select(AuditEntry).where(AuditEntry.action == "registry.pool")).first()
        assert not session.execute(
            select(IdempotencyRecord).where(IdempotencyRecord.scope == "registry.pool")
        ).first()


def test_a_batch_takes_only_credited_verified_or_evidenced_entries_of_its_period(
    engine, settings, make_resident, admin
):
    resident = make_resident()
    day = date(2026, 6, 10)
    trip = record(engine, settings, resident, "trip", day)  # verified (operator import)
    photo = record(
        engine,
        settings,
        resident,
        "photo",
        day,
        behaviour="recycling",
        inputs=GLASS,
        channel="web",
        photo="a.png",
    )
    with session_scope(engine) as session:
        review.approve(
            session=session, settings=settings, activity_id=photo.id, actor_id=admin, now=noon(day)
        )
    declared = record(
        engine, settings, resident, "declared", day, behaviour="recycling", inputs=GLASS, channel="web"
    )
    pending = record(
        engine,
        settings,
        resident,
        "pending",
        day,
        behaviour="recycling",
        inputs=GLASS,
        channel="web",
        photo="b.png",
    )
    reversed_trip = record(engine, settings, resident, "reversed", day - timedelta(days=1))
    with session_scope(engine) as session:
        review.reject(
            session=session,
            settings=settings,
            activity_id=reversed_trip.id,
            actor_id=admin,
            reason="重复导入",
        )
    july = record(engine, settings, resident, "july", date(2026, 7, 1))
    assert (declared.status, declared.evidence, pending.status) == ("credited", "declared", "pending")
    assert july.status == "credited"

    batch = pool(engine, settings, admin)

    assert records_of(engine) == {trip.id: batch.id, photo.id: batch.id}
    assert (batch.serial, batch.status, batch.record_count) == ("XG-2026-06-0001", "pooled", 2)
    assert batch.pooled_grams == trip.grams + photo.grams  # the sum of its records
    by = {(t["behaviour"], t["evidence"]): (t["records"], t["grams"]) for t in batch.totals["by"]}
    assert by == {("transit", "verified"): (1, trip.grams), ("recycling", "evidenced"): (1, photo.grams)}
    assert {t["methodology_id"] for t in batch.totals["by"]} == {trip.methodology_id, photo.methodology_id}
    with read_session(engine) as session:
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "registry.pool")).scalar_one()
        assert (entry.actor_id, entry.target_id, entry.after["pooled_grams"]) == (
            admin,
            batch.id,
            batch.pooled_grams,
        )
        assert registry.reconcile(session).ok


def test_batch_grams_are_the_sum_of_its_records_and_pooling_again_takes_only_the_rest(
    engine, settings, make_resident, admin
):
    residents = [make_resident() for _ in range(3)]
    days = [date(2026, 6, d) for d in (1, 12, 30)]
    for day in days:
        with session_scope(engine) as session:
            items = [ActivityInput(r, "transit", BUS, "import", f"{day}-{r}", noon(day)) for r in residents]
            record_activities(session=session, settings=settings, items=items, now=noon(day))
    first = pool(engine, settings, admin)
    late = record(
        engine,
        settings,
        residents[0],
        "late",
        date(2026, 6, 20),
        channel="web",
        behaviour="recycling",
        inputs=GLASS,
        photo="late.png",
    )
    assert refused(lambda: pool(engine, settings, admin, key="again")).code == "registry_period_empty"
    with session_scope(engine) as session:  # approved after the first pooling: it waits for the next one
        review.approve(session=session, settings=settings, activity_id=late.id, actor_id=admin)

    second = pool(engine, settings, admin, key="pool-2")

    assert second.serial == "XG-2026-06-0002" and records_of(engine, second.id) == {late.id: second.id}
    with read_session(engine) as session:
        for batch in (first, second):
            grams, count = session.execute(
                select(func.sum(BatchRecord.grams), func.count()).where(BatchRecord.batch_id == batch.id)
            ).one()
            assert (batch.pooled_grams, batch.record_count) == (grams, count)
        assert first.record_count == 9
        assert registry.reconcile(session)["batch_is_its_records"].ok


@pytest.mark.parametrize("lock", ["registry_lock", "primary_key_only"])
def test_concurrent_pooling_of_overlapping_periods_never_puts_an_activity_in_two_batches(
    engine, settings, make_resident, admin, lock, monkeypatch
):
    """Two administrators pool June and 15 June - 15 July at the same moment. With the registry lock the
    second waits and takes what is left; without it (``primary_key_only``) the primary key on
    ``registry_records.activity_id`` still refuses a second copy of any activity (``registry_pool_busy``)."""
    if lock == "primary_key_only":
        monkeypatch.setattr("carbon_credit.registry.pooling.lock_registry", lambda session: None)
    residents = [make_resident() for _ in range(4)]
    for offset in range(0, 45, 2):
        day = date(2026, 6, 1) + timedelta(days=offset)
        with session_scope(engine) as session:
            items = [ActivityInput(r, "transit", BUS, "import", f"{day}-{r}", noon(day)) for r in residents]
            record_activities(session=session, settings=settings, items=items, now=noon(day))
    periods = {"june": JUNE, "mid": (date(2026, 6, 15), date(2026, 7, 15))}
    with read_session(engine) as session:
        eligible = {n: set(session.execute(registry.eligible(*p)).scalars()) for n, p in periods.items()}
    barrier, outcomes = threading.Barrier(2), {}

    def run(name: str) -> None:
        barrier.wait()
        try:
            outcomes[name] = pool(engine, settings, admin, periods[name], key=name)
        except DomainError as error:
            outcomes[name] = error.code

    threads = [threading.Thread(target=run, args=(name,)) for name in periods]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    made = {name: b for name, b in outcomes.items() if isinstance(b, Batch)}
    assert made and all(outcomes[n] == "registry_pool_busy" for n in periods if n not in made), outcomes
    pooled = records_of(engine)
    assert set(pooled) == set().union(*(eligible[n] for n in made))  # each pooled once, nothing left out
    for name, batch in made.items():
        mine = {a for a, b in pooled.items() if b == batch.id}
        assert mine <= eligible[name] and len(mine) == batch.record_count
    with read_session(engine) as session:
        assert registry.reconcile(session).ok
        total = session.execute(select(func.sum(BatchRecord.grams))).scalar_one()
    assert sum(b.pooled_grams for b in made.values()) == total
    if lock == "registry_lock":
        assert made.keys() == periods.keys()
    with pytest.raises(IntegrityError), session_scope(engine) as session:  # the database's own refusal
        activity_id, batch_id = next(iter(pooled.items()))
        row = session.get(BatchRecord, activity_id)
        session.expunge(row)
        session.execute(BatchRecord.__table__.insert().values(**{**row.model_dump(), "batch_id": batch_id}))


def test_pooling_an_empty_period_is_refused_and_writes_nothing(engine, settings, make_resident, admin):
    record(engine, settings, make_resident(), "june", date(2026, 6, 3))
    error = refused(lambda: pool(engine, settings, admin, (date(2026, 3, 1), date(2026, 3, 31))))
    assert error.code == "registry_period_empty"
    assert "2026-03-01" in message(error) and "未创建批次" in message(error)
    nothing_written(engine)


def test_pooling_a_period_whose_review_window_is_open_is_refused(engine, settings, make_resident, admin):
    """Entries of the last fortnight may still be reviewed or clawed back: their period waits."""
    today = clock.local_day(clock.now())
    record(engine, settings, make_resident(), "recent", today - timedelta(days=3))
    period = (today - timedelta(days=5), today - timedelta(days=2))
    error = refused(lambda: pool(engine, settings, admin, period))
    assert error.code == "registry_period_open"
    first_day = period[1] + timedelta(days=settings.registry_review_days + 1)
    assert f"{first_day}" in message(error, "en") and error.params["days"] == 14
    nothing_written(engine)
    shorter = settings.with_overrides(registry_review_days=1)
    assert pool(engine, shorter, admin, period, key="after-a-day").record_count == 1


def test_pooling_is_idempotent_by_key(engine, settings, make_resident, admin):
    record(engine, settings, make_resident(), "trip", date(2026, 6, 3))
    first = pool(engine, settings, admin, key="same")
    again = pool(engine, settings, admin, key="same")
    assert again.id == first.id
    with read_session(engine) as session:
        assert session.execute(select(func.count(Batch.id))).scalar_one() == 1


def test_the_verifier_gets_every_record_with_a_pseudonymous_resident_and_the_factor_sources(
    engine, settings, make_resident, admin
):
    resident = make_resident(display_name="王小明", email="wang@example.org")
    trips = [record(engine, settings, resident, f"t{n}", date(2026, 6, 2 + n)) for n in range(3)]
    batch = pool(engine, settings, admin)
    with read_session(engine) as session:
        text = "".join(
            registry.records_csv(session=session, settings=settings, batch_id=batch.id, locale="en")
        )
        book = io.BytesIO()
        written = registry.records_xlsx(session=session, settings=settings, batch_id=batch.id, file=book)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Resident (pseudonymous id)", "Activity id"] and len(rows) == 4
    tag = registry.pseudonym(settings, resident)
    assert len(tag) == 13 and tag.startswith("P") and tag != registry.pseudonym(settings, resident + 1)
    assert [r[0] for r in rows[1:]] == [tag] * 3 and [int(r[1]) for r in rows[1:]] == [t.id for t in trips]
    assert [int(r[7]) for r in rows[1:]] == [t.grams for t in trips]
    assert rows[1][2] == "2026-06-02" and rows[1][4] == trips[0].methodology_id
    source = factor_sources(trips[0])[0]
    assert rows[1][8].startswith(f"{source['key']} = ") and source["source"]["issuer"] in rows[1][8]
    assert "王小明" not in text and "wang@" not in text
    sheet = load_workbook(io.BytesIO(book.getvalue())).active
    assert written == 3 and sheet.max_row == 4 and sheet.cell(2, 1).value == tag
