"""The registry's administration pages (issue 16): an administrator pools a month, downloads the records for
the verifier, verifies (with an exclusion), issues, sells, retires and moves revenue into a campaign's
budget, and opens and closes events, all through the forms; bad input is refused with the registry's
message and changes nothing; residents and merchants get 403, visitors are sent to log in."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.registry import Batch, BatchRecord, Certificate, Event, Exclusion, Sale
from carbon_credit.registry.records import headers

BUS = {"mode": "bus", "km": "8"}
PASSWORD = "correct-horse-9"
TODAY = clock.local_day(clock.now()).isoformat()


@pytest.fixture
def admin(make_resident, login):
    """An administrator, signed in."""
    admin_id = make_resident(role="admin", email="admin@example.org", password=PASSWORD)
    login("admin@example.org")
    return admin_id


@pytest.fixture
def june(engine, settings, make_resident) -> list[int]:
    """Four verified bus trips (an operator's import) in June 2026: their activity ids."""
    resident = make_resident()
    made = []
    for n in (3, 10, 17, 24):
        moment = datetime(2026, 6, n, 4, tzinfo=UTC)
        with session_scope(engine) as session:
            item = ActivityInput(resident, "transit", BUS, "import", f"trip-{n}", moment)
            made.append(record_activity(session=session, settings=settings, item=item, now=moment).id)
    return made


def text(response) -> str:
    return response.get_data(as_text=True)


def post(client, url: str, data: dict, key: str, page: str):
    """A form submission as the browser sends it (the CSRF token from ``page``, the form's own key)."""
    return client.submit(url, {**data, "idempotency_key": key}, form_page=page)


def pooled(client) -> str:
    """June pooled through the form: the new batch's serial."""
    response = post(client, "/admin/registry/pool", {"month": "2026-06"}, "pool-1", "/admin/registry")
    assert response.status_code == 302, text(response)
    return response.headers["Location"].rsplit("/", 1)[1]


def step(client, serial: str, name: str, data: dict, key: str | None = None):
    page = f"/admin/registry/batches/{serial}"
    return post(client, f"{page}/{name}", data, key or f"{name}-1", page)


VERIFY = {"verifier": "湖北某核证机构", "report_ref": "HB-V-001", "verified_on": TODAY, "exclusions": ""}
ISSUE = {"issuance_ref": "HB-ISS-7", "issued_on": TODAY}
SELL = {
    "buyer": "孝感某热电公司",
    "tonnes": "0.0004",
    "price": "17.40",
    "sold_on": TODAY,
    "contract_ref": "HT-1",
}


def issued(client) -> str:
    serial = pooled(client)
    assert step(client, serial, "verify", VERIFY).status_code == 302
    assert step(client, serial, "issue", ISSUE).status_code == 302
    return serial


def state(engine) -> tuple:
    """Everything a refused form must leave as it was."""
    with read_session(engine) as session:
        batches = session.execute(select(Batch).order_by(Batch.id)).scalars().all()
        figures = [
            (
                b.status,
                b.record_count,
                b.pooled_grams,
                b.verified_grams,
                b.issued_grams,
                b.sold_grams,
                b.retired_grams,
                b.revenue_fen,
                b.allocated_fen,
            )
            for b in batches
        ]
        counts = [
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (BatchRecord, Sale, Certificate, Event, AuditEntry)
        ]
        return figures, counts


@pytest.mark.parametrize("role", ["resident", "merchant"])
def test_only_administrators_reach_the_registry_admin_pages(client, make_resident, login, role, june):
    make_resident(role=role, email="someone@example.org", password=PASSWORD)
    login("someone@example.org")
    token = client.csrf_token("/")
    for url in (
        "/admin/registry",
        "/admin/registry/batches/XG-2026-06-0001",
        "/admin/registry/batches/x/records.csv",
    ):
        assert client.get(url).status_code == 403
    for url in ("/admin/registry/pool", "/admin/registry/events", "/admin/registry/batches/x/verify"):
        assert client.post(url, data={"csrf_token": token, "month": "2026-06"}).status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/registry")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_an_administrator_pools_verifies_issues_sells_retires_and_allocates(
    client, engine, settings, admin, june, make_campaign
):
    serial = pooled(client)
    page = text(client.get(f"/admin/registry/batches/{serial}"))
    assert "已汇集，待核证" in page and 'data-testid="form-verify"' in page
    with client.get(f"/admin/registry/batches/{serial}/records.csv") as response:
        header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert header == headers("zh_Hans")  # the administrator's language
    assert sorted(int(r[1]) for r in rows) == june and all(r[0].startswith("P") for r in rows)
    with client.get(f"/admin/registry/batches/{serial}/records.xlsx") as response:
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.max_row == len(june) + 1
    excluded = {**VERIFY, "exclusions": f"{june[0]}，照片无法辨认"}
    assert step(client, serial, "verify", excluded).status_code == 302
    with read_session(engine) as session:
        batch = session.execute(select(Batch)).scalar_one()
        assert batch.status == "verified" and batch.record_count == 3
        excluded_grams = session.execute(select(Exclusion.grams)).scalar_one()
        assert batch.verified_grams == batch.pooled_grams - excluded_grams
    assert step(client, serial, "issue", ISSUE).status_code == 302
    assert step(client, serial, "sell", SELL).status_code == 302
    page = text(client.get(f"/admin/registry/batches/{serial}"))
    assert "¥17.40" in page and "孝感某热电公司" in page
    with read_session(engine) as session:
        sale_id = session.execute(select(Sale.id)).scalar_one()
    retire = {
        "source": f"sale-{sale_id}",
        "tonnes": "0.0003",
        "beneficiary": "孝感某热电公司",
        "purpose": "2026 年度排放抵消",
        "retired_on": TODAY,
        "event": "",
    }
    done = step(client, serial, "retire", retire)
    assert done.status_code == 302
    flashed = text(client.get(done.headers["Location"]))
    assert "已注销，证书编号 XGC-" in flashed
    campaign = make_campaign(days_left=5, bonus=50)
    assert step(client, serial, "allocate", {"campaign": str(campaign), "amount": "0.10"}).status_code == 302
    with read_session(engine) as session:
        assert session.get(Campaign, campaign).budget_points == 1000 + 10  # 100 points per yuan
        actions = set(session.execute(select(AuditEntry.action)).scalars())
    assert {
        "registry.pool",
        "registry.verify",
        "registry.issue",
        "registry.sell",
        "registry.retire",
        "registry.allocate_revenue",
    } <= actions


def test_a_double_submitted_sale_is_recorded_once(client, engine, admin, june):
    serial = issued(client)
    for _ in range(2):
        assert step(client, serial, "sell", SELL, key="same-key").status_code == 302
    with read_session(engine) as session:
        assert session.execute(select(func.count(Sale.id))).scalar_one() == 1


def test_pooling_an_empty_month_is_refused_and_creates_nothing(client, engine, admin, june):
    before = state(engine)
    response = post(client, "/admin/registry/pool", {"month": "2026-05"}, "pool-may", "/admin/registry")
    assert response.status_code == 400 and "没有可以汇集的减排量" in text(response)
    assert state(engine) == before


def test_pooling_a_month_still_under_review_is_refused(client, engine, admin, june):
    before = state(engine)
    month = clock.local_day(clock.now()).strftime("%Y-%m")
    response = post(client, "/admin/registry/pool", {"month": month}, "pool-now", "/admin/registry")
    assert response.status_code == 400 and "复核期还没有结束" in text(response)
    assert state(engine) == before


def test_a_month_that_is_not_a_month_is_refused(client, engine, admin):
    response = post(client, "/admin/registry/pool", {"month": "2026-13"}, "pool-bad", "/admin/registry")
    assert response.status_code == 400 and "请输入月份" in text(response)


def test_verifying_twice_is_refused_and_changes_nothing(client, engine, admin, june):
    serial = pooled(client)
    assert step(client, serial, "verify", VERIFY).status_code == 302
    before = state(engine)
    again = step(client, serial, "verify", {**VERIFY, "verifier": "另一家机构"}, key="verify-2")
    assert again.status_code == 400 and "已经核证过了" in text(again)
    assert state(engine) == before


def test_excluding_a_record_not_in_the_batch_is_refused(client, engine, admin, june):
    serial = pooled(client)
    before = state(engine)
    response = step(client, serial, "verify", {**VERIFY, "exclusions": "999999, 不存在"})
    assert response.status_code == 400 and "不在这个批次中" in text(response)
    assert state(engine) == before


def test_selling_more_than_is_available_is_refused_and_changes_nothing(client, engine, admin, june):
    serial = issued(client)
    before = state(engine)
    response = step(client, serial, "sell", {**SELL, "tonnes": "1"})
    assert response.status_code == 400 and "可用减排量不足" in text(response)
    assert state(engine) == before


@pytest.mark.parametrize("tonnes", ["-1", "0", "0.0000001", "abc", "NaN"])
def test_a_negative_zero_or_fractional_gram_quantity_is_refused(client, engine, admin, june, tonnes):
    serial = issued(client)
    before = state(engine)
    response = step(client, serial, "sell", {**SELL, "tonnes": tonnes})
    assert response.status_code == 400 and "数量无效" in text(response)
    assert state(engine) == before


def test_a_price_finer_than_a_fen_is_refused(client, engine, admin, june):
    serial = issued(client)
    before = state(engine)
    response = step(client, serial, "sell", {**SELL, "price": "17.405"})
    assert response.status_code == 400 and "金额无效" in text(response)
    assert state(engine) == before


def test_a_missing_field_is_shown_under_it_and_changes_nothing(client, engine, admin, june):
    serial = issued(client)
    before = state(engine)
    response = step(client, serial, "sell", {**SELL, "buyer": ""})
    assert response.status_code == 400 and "请填写此项" in text(response)
    assert state(engine) == before


def test_events_are_opened_and_closed_through_the_forms(client, engine, admin):
    tomorrow = (clock.local_day(clock.now()) + timedelta(days=1)).isoformat()
    event = {
        "slug": "xiaogan-marathon",
        "name_zh": "孝感马拉松",
        "name_en": "Xiaogan Marathon",
        "target": "2.5",
        "starts_on": TODAY,
        "ends_on": tomorrow,
    }
    bad = post(
        client, "/admin/registry/events", {**event, "slug": "Bad Slug!"}, "event-bad", "/admin/registry"
    )
    assert bad.status_code == 400 and "网址名只能包含" in text(bad)
    assert post(client, "/admin/registry/events", event, "event-1", "/admin/registry").status_code == 302
    with read_session(engine) as session:
        opened = session.execute(select(Event)).scalar_one()
    assert opened.target_grams == 2_500_000 and opened.status == "open"
    assert "孝感马拉松" in text(client.get("/admin/registry"))
    closed = post(client, f"/admin/registry/events/{opened.id}/close", {}, "close-1", "/admin/registry")
    assert closed.status_code == 302
    assert "该活动已结束" in text(client.get("/registry/events/xiaogan-marathon"))
