"""The registry's market: selling and retiring issued tonnes never takes more than is available (also when
two retirements race), bad quantities and unknown batches are refused with nothing written, certificates
name the batches they draw from, and sale revenue moves into a campaign's budget at most once."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from carbon_credit import campaigns
from carbon_credit.campaigns import Campaign, CampaignInput
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import message
from carbon_credit.platform.models import AuditEntry
from carbon_credit.registry import (
    Batch,
    Certificate,
    CertificatePart,
    Sale,
    allocate_revenue,
    certificate,
    certificate_qr,
    certificate_url,
    close_event,
    event,
    grams_from_tonnes,
    open_event,
    retire,
    sell,
    tonnes_text,
    yuan_text,
)
from carbon_credit.registry.sales import checked_grams
from tests.carbon_credit.test_rewards import run_at_once

T = 1_000_000  # grams per tonne
DAY = date(2026, 11, 30)
_serials = itertools.count(1)


@pytest.fixture
def admin(make_resident):
    return make_resident(role="admin", display_name="管理员")


def make_batch(engine, issued: int, *, issued_on: date = DAY, sold: int = 0, status: str = "issued") -> int:
    """An issued batch inserted directly (as the lifecycle would leave it): ``issued`` grams available."""
    n = next(_serials)
    with session_scope(engine) as session:
        batch = Batch(
            serial=f"XG-2026-10-{n:04d}",
            period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31),
            status=status,
            pooled_grams=issued,
            verified_grams=issued if status != "pooled" else None,
            issued_grams=issued if status == "issued" else None,
            issued_on=issued_on if status == "issued" else None,
            sold_grams=sold,
        )
        session.add(batch)
        session.flush()
        return batch.id


def figures(engine, batch_id: int) -> tuple[int, int, int, int]:
    """(issued, sold, retired, revenue) of a batch."""
    with read_session(engine) as session:
        b = session.get(Batch, batch_id)
        return b.issued_grams, b.sold_grams, b.retired_grams, b.revenue_fen


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def do_sell(engine, admin, batch_id, grams, key="s1", price_fen=4_350_000) -> Sale:
    with session_scope(engine) as session:
        return sell(
            session=session,
            actor_id=admin,
            batch_id=batch_id,
            buyer="孝感某热电公司",
            grams=grams,
            price_fen=price_fen,
            sold_on=DAY,
            contract_ref="HT-2026-001",
            idempotency_key=key,
        )


def do_retire(engine, admin, grams, key="r1", **source) -> Certificate:
    with session_scope(engine) as session:
        return retire(
            session=session,
            actor_id=admin,
            grams=grams,
            beneficiary="孝感某热电公司",
            purpose="2026 年度排放抵消",
            retired_on=DAY,
            idempotency_key=key,
            **source,
        )


def refusal(job) -> DomainError:
    with pytest.raises(DomainError) as caught:
        job()
    return caught.value


# --- Quantities -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "grams"),
    [("1", T), ("0.000001", 1), ("2.5", 2_500_000), (" 1,000 ", 1000 * T), ("1.500000", 1_500_000)],
)
def test_tonnes_are_read_exactly_as_whole_grams(typed, grams):
    assert grams_from_tonnes(typed) == grams


@pytest.mark.parametrize(
    "typed",
    ["-1", "0", "0.0000005", "1.0000001", "abc", "", "NaN", "sNaN", "Infinity", "1e30", "1,5", "1,50,0"],
)
def test_a_negative_zero_or_fractional_gram_quantity_is_refused(typed):
    assert refusal(lambda: grams_from_tonnes(typed)).code == "registry_quantity_invalid"


@pytest.mark.parametrize("grams", [-5, 0, 1.5, Decimal("2"), True, "10"])
def test_operations_take_only_positive_whole_grams(grams):
    assert refusal(lambda: checked_grams(grams)).code == "registry_quantity_invalid"


def test_figures_are_shown_as_tonnes_and_yuan():
    assert tonnes_text(1_234_567) == "1.234567 t" and tonnes_text(2_000 * T) == "2,000.000000 t"
    assert yuan_text(123_450) == "¥1,234.50"


def test_a_negative_or_fractional_quantity_changes_nothing(engine, admin):
    batch = make_batch(engine, 5 * T)
    for grams in (-T, 1.5, Decimal("0.5")):
        assert refusal(lambda g=grams: do_retire(engine, admin, g, batch_id=batch)).code == (
            "registry_quantity_invalid"
        )
        assert refusal(lambda g=grams: do_sell(engine, admin, batch, g)).code == "registry_quantity_invalid"
    assert figures(engine, batch) == (5 * T, 0, 0, 0)
    assert count(engine, Certificate) == count(engine, Sale) == count(engine, AuditEntry) == 0


# --- Sales -----------------------------------------------------------------------------------------------


def test_a_sale_takes_tonnes_from_the_batch_and_adds_its_revenue(engine, admin):
    batch = make_batch(engine, 5 * T)
    sale = do_sell(engine, admin, batch, 2 * T, price_fen=8_700)
    assert (sale.grams, sale.buyer, sale.retired_grams) == (2 * T, "孝感某热电公司", 0)
    assert figures(engine, batch) == (5 * T, 2 * T, 0, 8_700)
    assert do_sell(engine, admin, batch, 2 * T, price_fen=8_700).id == sale.id  # the same key: replayed
    assert figures(engine, batch) == (5 * T, 2 * T, 0, 8_700)
    with read_session(engine) as session:
        actions = session.execute(select(AuditEntry.action)).scalars().all()
    assert actions == ["registry.sell"]


def test_selling_more_than_is_available_is_refused_and_changes_nothing(engine, admin):
    batch = make_batch(engine, 5 * T)
    do_retire(engine, admin, 2 * T, batch_id=batch)
    error = refusal(lambda: do_sell(engine, admin, batch, 3 * T + 1, key="s2"))
    assert error.code == "registry_not_enough_available"
    assert "3.000000 t" in message(error) and "3.000001 t" in message(error)
    assert figures(engine, batch) == (5 * T, 0, 2 * T, 0)
    assert count(engine, Sale) == 0


def test_a_batch_not_yet_issued_cannot_be_sold(engine, admin):
    batch = make_batch(engine, 5 * T, status="verified")
    assert refusal(lambda: do_sell(engine, admin, batch, T)).code == "registry_batch_not_issued"
    assert count(engine, Sale) == 0


# --- Retirements ----------------------------------------------------------------------------------------


def test_retiring_more_than_is_available_is_refused_and_changes_nothing(engine, admin):
    first, second = make_batch(engine, 2 * T), make_batch(engine, T, sold=T // 2)
    for source in ({"batch_id": first}, {}):
        error = refusal(lambda s=source: do_retire(engine, admin, 2 * T + T // 2 + 1, **s))
        assert error.code == "registry_not_enough_available"
    assert figures(engine, first) == (2 * T, 0, 0, 0) and figures(engine, second) == (T, T // 2, 0, 0)
    assert count(engine, Certificate) == count(engine, CertificatePart) == count(engine, AuditEntry) == 0


def test_a_certificate_for_an_unknown_batch_is_refused(engine, admin):
    make_batch(engine, T)
    error = refusal(lambda: do_retire(engine, admin, 1, batch_id=999))
    assert isinstance(error, NotFound) and error.code == "registry_batch_not_found"
    assert count(engine, Certificate) == 0
    with read_session(engine) as session:
        for serial in ("XGC-2026-999999", "nonsense", ""):
            assert refusal(lambda s=serial: certificate(session, s)).code == "registry_certificate_not_found"


def test_retiring_takes_the_oldest_issued_batches_first_and_the_certificate_names_them(engine, admin):
    newer = make_batch(engine, 3 * T, issued_on=DAY)
    older = make_batch(engine, 2 * T, issued_on=DAY - timedelta(days=30))
    made = do_retire(engine, admin, 2 * T + 500_000)
    assert figures(engine, older)[2] == 2 * T and figures(engine, newer)[2] == 500_000
    with read_session(engine) as session:
        view = certificate(session, made.serial.lower())
        serials = {session.get(Batch, b).serial: b for b in (older, newer)}
    assert made.serial == f"XGC-2026-{made.id:06d}"
    assert (view.tonnes, view.kind, view.beneficiary, view.retired_on) == (
        "2.500000 t",
        "retirement",
        "孝感某热电公司",
        DAY,
    )
    assert {d.batch_serial: d.grams for d in view.drawn} == {
        next(s for s, b in serials.items() if b == older): 2 * T,
        next(s for s, b in serials.items() if b == newer): 500_000,
    }
    assert sum(d.grams for d in view.drawn) == view.grams


def test_a_retry_of_a_retirement_gives_the_same_certificate(engine, admin):
    batch = make_batch(engine, 5 * T)
    first = do_retire(engine, admin, T, batch_id=batch)
    assert do_retire(engine, admin, T, batch_id=batch).serial == first.serial
    assert figures(engine, batch)[2] == T and count(engine, Certificate) == 1


def test_retiring_from_a_sale_is_limited_to_its_quantity(engine, admin):
    batch = make_batch(engine, 5 * T)
    sale = do_sell(engine, admin, batch, 3 * T)
    do_retire(engine, admin, 2 * T, key="r1", sale_id=sale.id)
    error = refusal(lambda: do_retire(engine, admin, T + 1, key="r2", sale_id=sale.id))
    assert error.code == "registry_sale_not_enough" and "1.000000 t" in message(error)
    last = do_retire(engine, admin, T, key="r3", sale_id=sale.id)
    with read_session(engine) as session:
        assert session.get(Sale, sale.id).retired_grams == 3 * T
        assert certificate(session, last.serial).buyer == "孝感某热电公司"
    assert figures(engine, batch)[:3] == (5 * T, 3 * T, 0)  # sold tonnes had already left the available
    assert (
        refusal(lambda: do_retire(engine, admin, 1, key="r4", sale_id=999)).code == "registry_sale_not_found"
    )
    both = {"sale_id": sale.id, "batch_id": batch}
    assert refusal(lambda: do_retire(engine, admin, 1, key="r5", **both)).code == "registry_retire_one_source"


@pytest.mark.parametrize("named", [True, False], ids=["one-batch", "oldest-first"])
def test_two_retirements_racing_for_the_last_tonnes_one_wins(engine, admin, named):
    batch = make_batch(engine, 5 * T)
    do_sell(engine, admin, batch, 3 * T)
    source = {"batch_id": batch} if named else {}
    outcomes = run_at_once(
        [lambda k=k: do_retire(engine, admin, 1_500_000, key=f"race{k}", **source) for k in range(2)]
    )
    assert sorted(outcomes) == ["ok", "registry_not_enough_available"]
    issued, sold, retired, _ = figures(engine, batch)
    assert (sold, retired) == (3 * T, 1_500_000) and issued - sold - retired == 500_000
    with read_session(engine) as session:
        parts = session.execute(select(func.sum(CertificatePart.grams))).scalar_one()
    assert parts == retired and count(engine, Certificate) == 1


def test_a_retirement_for_an_event_counts_toward_it_until_it_closes(engine, admin):
    batch = make_batch(engine, 5 * T)
    with session_scope(engine) as session:
        made = open_event(
            session=session,
            actor_id=admin,
            slug="xiaogan-marathon-2026",
            name_zh="孝感马拉松",
            name_en="Xiaogan Marathon",
            target_grams=4 * T,
            starts_on=clock.local_day(clock.now()),
            ends_on=clock.local_day(clock.now()) + timedelta(days=10),
            idempotency_key="e1",
        )
    do_retire(engine, admin, T, event_id=made.id)
    with read_session(engine) as session:
        view = event(session, "Xiaogan-Marathon-2026")
    assert (view.percent, view.accepting, view.retired, view.event.donors) == (25, True, "1.000000 t", 0)
    with session_scope(engine) as session:
        close_event(session=session, actor_id=admin, event_id=made.id, idempotency_key="c1")
    error = refusal(lambda: do_retire(engine, admin, T, key="r2", event_id=made.id))
    assert error.code == "registry_event_closed"
    assert figures(engine, batch)[2] == T and count(engine, Certificate) == 1


def test_a_certificate_qr_code_opens_its_verification_page(settings):
    configured = settings.with_overrides(public_base_url="https://tan.xiaogan.gov.cn")
    url = certificate_url(configured, "XGC-2026-000001")
    assert url == "https://tan.xiaogan.gov.cn/registry/certificates/XGC-2026-000001"
    assert certificate_qr(configured, "XGC-2026-000001").startswith("<svg")


# --- Revenue ---------------------------------------------------------------------------------------------


def make_campaign(engine, settings, admin, budget=10_000) -> int:
    now = clock.now()
    data = CampaignInput(
        name_zh="绿色出行月",
        name_en="Green travel month",
        kind="custom",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        budget_points=budget,
        bonus_points=10,
    )
    with session_scope(engine) as session:
        return campaigns.create_campaign(
            session=session, settings=settings, actor_id=admin, data=data, idempotency_key="camp"
        ).id


def allocate(engine, settings, admin, batch, campaign, fen, key="a1"):
    with session_scope(engine) as session:
        return allocate_revenue(
            session=session,
            settings=settings,
            actor_id=admin,
            batch_id=batch,
            campaign_id=campaign,
            amount_fen=fen,
            idempotency_key=key,
        )


def test_revenue_moves_into_a_campaign_budget_but_never_more_than_the_batch_earned(engine, settings, admin):
    batch, campaign = make_batch(engine, 5 * T), make_campaign(engine, settings, admin)
    do_sell(engine, admin, batch, 2 * T, price_fen=8_700)  # ¥87.00
    made = allocate(engine, settings, admin, batch, campaign, 5_000)  # ¥50 at 100 points per yuan
    assert (made.amount_fen, made.points) == (5_000, 5_000)
    with read_session(engine) as session:
        assert session.get(Campaign, campaign).budget_points == 15_000
        assert session.get(Batch, batch).allocated_fen == 5_000
    error = refusal(lambda: allocate(engine, settings, admin, batch, campaign, 3_701, key="a2"))
    assert error.code == "registry_revenue_not_enough" and "¥37.00" in message(error)
    allocate(engine, settings, admin, batch, campaign, 3_700, key="a3")
    with read_session(engine) as session:
        assert session.get(Campaign, campaign).budget_points == 18_700
        assert session.get(Batch, batch).allocated_fen == 8_700
        actions = session.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars().all()
    assert actions.count("registry.allocate_revenue") == 2


def test_revenue_follows_the_configured_rate_and_refuses_bad_amounts(engine, settings, admin):
    batch, campaign = make_batch(engine, 5 * T), make_campaign(engine, settings, admin)
    do_sell(engine, admin, batch, T, price_fen=10_000)
    rated = settings.with_overrides(registry_points_per_yuan=30)
    assert allocate(engine, rated, admin, batch, campaign, 1_000).points == 300
    for fen in (0, -100, 1.5):
        assert refusal(lambda f=fen: allocate(engine, settings, admin, batch, campaign, f, key="x")).code == (
            "registry_amount_invalid"
        )
    assert refusal(lambda: allocate(engine, settings, admin, 999, campaign, 100, key="y")).code == (
        "registry_batch_not_found"
    )
    with read_session(engine) as session:
        assert session.get(Campaign, campaign).budget_points == 10_300
        assert session.get(Batch, batch).allocated_fen == 1_000
