"""Residents neutralising an event: a donation spends points through the ledger and retires the same grams
for the event, once per key, gives a certificate that names no one, and is refused (spending nothing) when
the balance is short or in debt, the event closed or no tonnes are available; concurrent donations never
overspend points or tonnes."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict, InsufficientPoints
from carbon_credit.registry import (
    Batch,
    Certificate,
    CertificatePart,
    Event,
    certificate,
    certificates_of,
    close_event,
    donate,
    donor_label,
    event,
    open_event,
)
from tests.carbon_credit.test_registry_market import make_batch, run_at_once

T = 1_000_000


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


@pytest.fixture
def marathon(engine, admin) -> int:
    """An event open from today for ten days, target 10 t."""
    today = clock.local_day(clock.now())
    with session_scope(engine) as session:
        return open_event(
            session=session,
            actor_id=admin,
            slug="marathon",
            name_zh="孝感马拉松",
            name_en="Xiaogan Marathon",
            target_grams=10 * T,
            starts_on=today,
            ends_on=today + timedelta(days=10),
            idempotency_key="open",
        ).id


def earn(engine, resident_id: int, points: int, key: str = "seed") -> LedgerEntry:
    with session_scope(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident_id)
        return ledger.post(
            session=session, posting=ledger.Posting(account, points, "earn", f"{key}-{resident_id}")
        )


def give(engine, settings, resident_id, event_id, points, key="d1") -> Certificate:
    with session_scope(engine) as session:
        return donate(
            session=session,
            settings=settings,
            resident_id=resident_id,
            event_id=event_id,
            points=points,
            idempotency_key=key,
        )


def balance_and_sum(engine, resident_id) -> tuple[int, int]:
    """The cached balance and the sum of the resident's ledger entries."""
    with read_session(engine) as session:
        account = ledger.account_id_for(session=session, resident_id=resident_id)
        total = session.execute(
            select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(LedgerEntry.account_id == account)
        ).scalar_one()
        return ledger.balance(session=session, account_id=account), total


def state(engine, batch_id, event_id) -> tuple[int, int, int, int]:
    """(batch retired grams, event retired grams, event donors, certificates)."""
    with read_session(engine) as session:
        found = session.get(Event, event_id)
        certificates = session.execute(select(func.count(Certificate.id))).scalar_one()
        return session.get(Batch, batch_id).retired_grams, found.retired_grams, found.donors, certificates


def refused(job, code) -> None:
    with pytest.raises(DomainError) as caught:
        job()
    assert caught.value.code == code


def test_a_donation_spends_points_and_retires_the_same_grams_for_the_event(
    engine, settings, make_resident, marathon
):
    batch, resident = make_batch(engine, 5 * T), make_resident(display_name="王小明")
    earn(engine, resident, 1_000)
    made = give(engine, settings, resident, marathon, 300)
    assert balance_and_sum(engine, resident) == (700, 700)
    assert state(engine, batch, marathon) == (300, 300, 1, 1)
    with read_session(engine) as session:
        entry = session.execute(select(LedgerEntry).where(LedgerEntry.ref_type == "donation")).scalar_one()
        view = certificate(session, made.serial)
        assert [c.serial for c in certificates_of(session, resident)] == [made.serial]
        assert ledger.discrepancies(session=session) == []
    assert (entry.kind, entry.points, entry.ref_id) == ("redeem", -300, made.id)
    assert (view.kind, view.grams, view.points, view.event.slug) == ("donation", 300, 300, "marathon")
    assert view.beneficiary == donor_label(settings, resident) and view.beneficiary.startswith("孝感市民 P")
    assert "王小明" not in view.beneficiary and "@" not in view.beneficiary
    assert sum(d.grams for d in view.drawn) == 300


def test_points_follow_the_platform_rate(engine, settings, make_resident, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    earn(engine, resident, 1_000)
    halved = settings.with_overrides(points_per_gram_num=2, points_per_gram_den=1)  # 2 points a gram
    assert give(engine, halved, resident, marathon, 300).grams == 150
    assert state(engine, batch, marathon)[:2] == (150, 150)
    refused(lambda: give(engine, halved, resident, marathon, 1, key="d2"), "registry_donation_points_invalid")


def test_the_same_key_gives_one_donation(engine, settings, make_resident, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    earn(engine, resident, 1_000)
    first = give(engine, settings, resident, marathon, 100)
    assert give(engine, settings, resident, marathon, 100).serial == first.serial
    with pytest.raises(IdempotencyConflict):
        give(engine, settings, resident, marathon, 200)
    assert balance_and_sum(engine, resident) == (900, 900)
    assert state(engine, batch, marathon) == (100, 100, 1, 1)
    give(engine, settings, resident, marathon, 100, key="d2")  # another donation: the donor counted once
    assert state(engine, batch, marathon) == (200, 200, 1, 2)


@pytest.mark.parametrize("points", [0, -10, 2.5, True])
def test_a_donation_of_no_whole_points_is_refused(engine, settings, make_resident, marathon, points):
    resident = make_resident()
    earn(engine, resident, 100)
    refused(lambda: give(engine, settings, resident, marathon, points), "registry_donation_points_invalid")


def test_a_short_balance_is_refused_and_nothing_is_spent(engine, settings, make_resident, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    earn(engine, resident, 99)
    with pytest.raises(InsufficientPoints):
        give(engine, settings, resident, marathon, 100)
    assert balance_and_sum(engine, resident) == (99, 99)
    assert state(engine, batch, marathon) == (0, 0, 0, 0)


def test_a_debt_blocks_donations(engine, settings, make_resident, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    credit = earn(engine, resident, 100)
    with session_scope(engine) as session:  # the points are spent, then the credit is clawed back
        account = ledger.account_id_for(session=session, resident_id=resident)
        ledger.post(session=session, posting=ledger.Posting(account, -100, "redeem", "spend"))
        ledger.reverse(session=session, entry_id=credit.id, idempotency_key="clawback")
    earn(engine, resident, 60, key="new")
    refused(lambda: give(engine, settings, resident, marathon, 10), "registry_donation_blocked_by_debt")
    assert balance_and_sum(engine, resident) == (-40, -40)
    assert state(engine, batch, marathon) == (0, 0, 0, 0)


def test_a_closed_or_ended_event_takes_no_donations(engine, settings, make_resident, admin, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    earn(engine, resident, 1_000)
    with session_scope(engine) as session:
        close_event(session=session, actor_id=admin, event_id=marathon, idempotency_key="close")
    refused(lambda: give(engine, settings, resident, marathon, 100), "registry_event_closed")
    yesterday = clock.local_day(clock.now()) - timedelta(days=1)
    with session_scope(engine) as session:
        past = open_event(
            session=session,
            actor_id=admin,
            slug="past",
            name_zh="往届",
            name_en="Past",
            target_grams=T,
            starts_on=yesterday - timedelta(days=5),
            ends_on=yesterday,
            idempotency_key="past",
        ).id
        assert event(session, "past").accepting is False
    refused(lambda: give(engine, settings, resident, past, 100, key="d2"), "registry_event_closed")
    assert balance_and_sum(engine, resident) == (1_000, 1_000)
    assert state(engine, batch, marathon) == (0, 0, 0, 0)


def test_nothing_available_is_refused_and_nothing_is_spent(engine, settings, make_resident, marathon):
    resident = make_resident()
    earn(engine, resident, 1_000)
    refused(lambda: give(engine, settings, resident, marathon, 100), "registry_not_enough_available")
    batch = make_batch(engine, 50)
    refused(lambda: give(engine, settings, resident, marathon, 51, key="d2"), "registry_not_enough_available")
    assert balance_and_sum(engine, resident) == (1_000, 1_000)
    assert state(engine, batch, marathon) == (0, 0, 0, 0)
    with read_session(engine) as session:
        assert session.execute(select(func.count()).select_from(CertificatePart)).scalar_one() == 0


def test_two_concurrent_donations_cannot_overspend_points(engine, settings, make_resident, marathon):
    batch, resident = make_batch(engine, 5 * T), make_resident()
    earn(engine, resident, 150)
    outcomes = run_at_once(
        [lambda k=k: give(engine, settings, resident, marathon, 100, key=f"c{k}") for k in range(2)]
    )
    assert sorted(outcomes) == ["insufficient_points", "ok"]
    assert balance_and_sum(engine, resident) == (50, 50)
    assert state(engine, batch, marathon) == (100, 100, 1, 1)


def test_two_donors_racing_for_the_last_tonnes_cannot_overspend_them(
    engine, settings, make_resident, marathon
):
    batch, people = make_batch(engine, 150), [make_resident(), make_resident()]
    for person in people:
        earn(engine, person, 1_000)
    outcomes = run_at_once([lambda p=p: give(engine, settings, p, marathon, 100) for p in people])
    assert sorted(outcomes) == ["ok", "registry_not_enough_available"]
    assert sorted(balance_and_sum(engine, p)[0] for p in people) == [900, 1_000]
    assert state(engine, batch, marathon) == (100, 100, 1, 1)
    with read_session(engine) as session:
        assert ledger.discrepancies(session=session) == []


def test_an_event_opened_under_a_slug_taken_at_the_same_moment_is_refused_clearly(engine, admin):
    """Two administrators open events under one slug at once (PostgreSQL; SQLite's write lock runs them one
    after the other): the second waits for the first's row, then gets ``registry_event_slug_taken``, not an
    internal error, and nothing of its own is kept."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite's write lock orders the two: the slug check sees the first")
    today = clock.local_day(clock.now())
    dates = {"starts_on": today, "ends_on": today + timedelta(days=3)}
    outcome: dict[str, object] = {}

    def second() -> None:
        try:
            with session_scope(engine) as session:
                outcome["event"] = open_event(
                    session=session, actor_id=admin, slug="run", name_zh="夜跑", name_en="Night run",
                    target_grams=T, idempotency_key="second", **dates,
                )  # fmt: skip
        except Exception as error:  # noqa: BLE001 - the test reports whatever the second one met
            outcome["error"] = error

    with Session(engine) as first:  # the first administrator's event, written, not yet committed
        first.add(
            Event(slug="run", name_zh="环城跑", name_en="City run", target_grams=T, created_by=admin, **dates)
        )
        first.flush()
        thread = threading.Thread(target=second)
        thread.start()
        waiting_for_lock(engine)
        first.commit()
        thread.join(timeout=30)
    error = outcome.get("error")
    assert isinstance(error, DomainError) and error.code == "registry_event_slug_taken", outcome
    with read_session(engine) as session:
        assert session.execute(select(Event.name_en).where(Event.slug == "run")).scalars().all() == [
            "City run"
        ]


def waiting_for_lock(engine, seconds: float = 10) -> None:
    """Until a backend waits for a lock (the second insert, behind the first's uncommitted row)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with engine.connect() as probe:
            query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if probe.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the second event never waited for the first")
