"""The registry of reductions in a real browser on a phone (390x844), issue 16: an administrator pools a past
month, downloads its records for the verifier, records the verification (one record excluded, with a
reason), the issuance, a sale to a buyer and a retirement (a certificate); the public /registry shows the
batch with those figures. Then a resident donates points to the open marathon's neutralisation from /me,
lands on the personal certificate, decodes its QR code (zbarimg, on a screenshot of the code as drawn) and
opens that address: the same quantity and batch serial as the batch's public page.

Every step is screenshotted (test-artifacts/browser/390x844/registry-NN-*.png) and checked for overflow,
nav height, tap targets, text size and checkbox shapes (checks.py). Runs in the SQLite pass only
(conftest.py: the PostgreSQL pass runs the resident's first day)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from carbon_credit import registry
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.demo.registry import EVENT_SLUG, demo_month
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.registry import Batch
from tests.browser import data
from tests.browser.checks import PHONE
from tests.browser.data import expect_visible as _visible

NEIGHBOUR = "yunmeng@demo.xiaogan.local"
BUS = {"mode": "bus", "km": "30"}
TRIP_DAYS = (2, 9, 16, 23)
SOLD, RETIRED, DONATED = 2_000, 1_000, 100  # grams (1 point = 1 g)
REASON = "抽样核查：乘车记录与刷卡数据不符"
QR_SHOT = "registry-qr.png"


@pytest.mark.parametrize("screen", [PHONE], ids=["phone"], indirect=True)
def test_registry_journey(page, new_context, screen, live_server, steps, tmp_path):
    server = live_server
    first, last = _month_before_demo(server)
    trips = _operator_trips(server, first)
    excluded = trips[0]

    data.sign_in(page, server, data.ADMIN)
    serial = _pool(page, server, steps, first, trips)
    _verify_and_issue(page, server, steps, serial, last, excluded)
    retirement = _sell_and_retire(page, server, steps, serial, last)
    _public_registry(page, server, steps, serial, retirement)

    phone = new_context(**screen.context_args()).new_page()  # the resident's own phone
    data.sign_in(phone, server, data.RESIDENT)
    donated = _donate(phone, server, steps)
    _open_by_qr(phone, server, steps, donated, serial, tmp_path)
    steps.assert_clean()


def _month_before_demo(server) -> tuple[date, date]:
    """The calendar month before the demo's pooled month: past its review window, in no batch yet."""
    demo_first, _demo_last = demo_month(clock.local_day(clock.now()), server.settings.registry_review_days)
    last = demo_first - timedelta(days=1)
    return last.replace(day=1), last


def _operator_trips(server, first: date) -> list[int]:
    """Bus trips of two demo residents in that month from the operator's import (verified evidence),
    recorded as the import came in; their activity ids."""
    made = []
    for email in (data.RESIDENT, NEIGHBOUR):
        resident_id = data.person(server, email)
        for day in TRIP_DAYS:
            at = clock.as_utc(datetime.combine(first.replace(day=day), time(7, 40)))
            item = ActivityInput(resident_id, "transit", BUS, "import", f"registry-trip-{day}", at)
            with session_scope(server.engine) as session:
                activity = record_activity(session=session, settings=server.settings, item=item, now=at)
                assert activity.status == "credited", activity.status
                made.append(activity.id)
    return made


def _batch(server, serial: str) -> Batch:
    with read_session(server.engine) as session:
        return session.execute(select(Batch).where(Batch.serial == serial)).scalar_one()


def _text(page, selector: str) -> str:
    return " ".join(page.locator(selector).first.inner_text().split())


def _pool(page, server, steps, first: date, trips: list[int]) -> str:
    """Pool the month from /admin/registry; the records for the verifier list the month's trips."""
    page.goto(f"{server.url}/admin/registry")
    steps.check(page, "registry-01-admin")
    page.fill("[data-testid=pool] input[name=month]", f"{first:%Y-%m}")
    page.click("[data-testid=pool-submit]")
    page.wait_for_url(re.compile(r".*/admin/registry/batches/XG-\d{4}-\d{2}-\d{4}$"))
    serial = page.url.rsplit("/", 1)[1]
    assert serial.startswith(f"XG-{first:%Y-%m}-"), f"the serial {serial} names the month {first:%Y-%m}"
    assert _text(page, "[data-testid=status]") == "已汇集，待核证", "a new batch awaits verification"
    _visible(page, "[data-testid=form-verify]", "a pooled batch's page offers the verification form")
    steps.check(page, "registry-02-pooled")
    records = page.request.get(f"{server.url}/admin/registry/batches/{serial}/records.csv")
    assert records.ok and records.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(records.text().lstrip("\ufeff"))))
    pooled = {int(row[1]) for row in rows[1:]}
    assert set(trips) <= pooled, "the verifier's records list every operator trip of the month"
    assert len(rows) - 1 == _batch(server, serial).record_count, "one CSV row per record of the batch"
    return serial


def _verify_and_issue(page, server, steps, serial: str, last: date, excluded: int) -> None:
    """The verifier's report (one trip excluded, with the reason), then the authority's issuance: dated
    after the month's review window, as the paperwork came in."""
    pooled = _batch(server, serial)
    with read_session(server.engine) as session:
        excluded_grams = next(
            int(row[7])
            for row in registry.record_rows(session=session, settings=server.settings, batch_id=pooled.id)
            if row[1] == excluded
        )
    opened = last + timedelta(days=server.settings.registry_review_days + 1)
    form = "[data-testid=form-verify]"
    page.fill(f"{form} [name=verifier]", "湖北某碳核查机构")
    page.fill(f"{form} [name=report_ref]", "HBV-2026-0917")
    page.fill(f"{form} [name=verified_on]", (opened + timedelta(days=1)).isoformat())
    page.fill(f"{form} [name=exclusions]", f"{excluded}, {REASON}")
    steps.check(page, "registry-03-verify-form")
    page.click("[data-testid=submit-verify]")
    _visible(page, "[data-testid=form-issue]", "after the verification, the issuance form")
    verified = _batch(server, serial)
    assert verified.status == "verified"
    assert verified.verified_grams == pooled.pooled_grams - excluded_grams, "the excluded trip left the batch"
    assert verified.record_count == pooled.record_count - 1
    assert "1 次行为" in _text(page, "[data-testid=excluded]"), "the page counts the one excluded record"
    assert _text(page, "[data-testid=verified]").startswith(registry.tonnes_text(verified.verified_grams))
    steps.check(page, "registry-04-verified")

    page.fill("[data-testid=form-issue] [name=issuance_ref]", "孝环碳普惠〔2026〕9号")
    page.fill("[data-testid=form-issue] [name=issued_on]", (opened + timedelta(days=3)).isoformat())
    page.click("[data-testid=submit-issue]")
    _visible(page, "[data-testid=form-sell]", "after the issuance, the sale form")
    issued = _batch(server, serial)
    assert issued.status == "issued"
    assert issued.issued_grams == verified.verified_grams - issued.deducted_grams, "less corrections waiting"
    assert _text(page, "[data-testid=status]") == "已签发"
    steps.check(page, "registry-05-issued")


def _sell_and_retire(page, server, steps, serial: str, last: date) -> str:
    """Part sold to a buyer, part retired from the batch: the certificate's serial (from the flash)."""
    day = (last + timedelta(days=server.settings.registry_review_days + 6)).isoformat()
    form = "[data-testid=form-sell]"
    page.fill(f"{form} [name=buyer]", "孝感某热电有限公司")
    page.fill(f"{form} [name=tonnes]", "0.002")
    page.fill(f"{form} [name=price]", "0.09")
    page.fill(f"{form} [name=sold_on]", day)
    page.fill(f"{form} [name=contract_ref]", "XGCP-2026-017")
    page.click("[data-testid=submit-sell]")
    _visible(page, "[data-testid=admin-sales]", "after the sale, the batch lists it")
    assert _text(page, "[data-testid=sold]") == registry.tonnes_text(SOLD)
    steps.check(page, "registry-06-sold")

    form = "[data-testid=form-retire]"
    page.select_option(f"{form} select[name=source]", "batch")
    page.fill(f"{form} [name=tonnes]", "0.001")
    page.fill(f"{form} [name=beneficiary]", "孝感市生态环境局")
    page.fill(f"{form} [name=purpose]", "2026 年全市低碳工作会议碳中和")
    page.fill(f"{form} [name=retired_on]", day)
    steps.check(page, "registry-07-retire-form")
    page.click("[data-testid=submit-retire]")
    _visible(page, ".flash:has-text('XGC-')", "after the retirement, the certificate's number")
    found = re.search(r"XGC-\d{4}-\d{6,}", _text(page, ".flash:has-text('XGC-')"))
    assert found, "the flash names the new certificate"
    assert _text(page, "[data-testid=retired]") == registry.tonnes_text(RETIRED)
    steps.check(page, "registry-08-retired")
    return found.group()


def _public_registry(page, server, steps, serial: str, certificate: str) -> None:
    """/registry's row of the batch says what the administrator did; its certificate draws from it."""
    batch = _batch(server, serial)
    assert (batch.sold_grams, batch.retired_grams) == (SOLD, RETIRED)
    page.goto(f"{server.url}/registry")
    row = f"[data-testid='batch-{serial}']"
    _visible(page, row, f"/registry lists the batch {serial}")
    expected = {
        "grams": batch.issued_grams,
        "sold": SOLD,
        "retired": RETIRED,
        "available": batch.issued_grams - SOLD - RETIRED,
    }
    for cell, grams in expected.items():
        assert _text(page, f"{row} [data-testid={cell}]") == registry.tonnes_text(grams), f"/registry {cell}"
    shown = _text(page, row)
    assert "湖北某碳核查机构" in shown and "孝环碳普惠〔2026〕9号" in shown and "已签发" in shown
    steps.check(page, "registry-09-public")
    page.goto(f"{server.url}/registry/certificates/{certificate}")
    assert _text(page, "[data-testid=quantity]") == registry.tonnes_text(RETIRED)
    assert _text(page, "[data-testid=drawn]") == f"{serial}: {registry.tonnes_text(RETIRED)}"
    steps.check(page, "registry-10-retirement-certificate")


def _donate(page, server, steps) -> str:
    """From /me's card of the marathon to its page, the confirmation and the personal certificate."""
    page.goto(f"{server.url}/me")
    donate = f"[data-testid=home-donate][href$='/registry/events/{EVENT_SLUG}']"
    _visible(page, donate, "/me shows the open marathon's neutralisation")
    steps.check(page, "registry-11-me", tab_bar=True)
    page.click(donate)
    _visible(page, "[data-testid=donate-form]", "the event's page has the donation form")
    steps.check(page, "registry-12-event", tab_bar=True)
    page.fill("[data-testid=donate-form] input[name=points]", str(DONATED))
    page.click("[data-testid=donate]")
    _visible(page, "[data-testid=confirm-donate]", "the donation asks for a confirmation")
    assert _text(page, "[data-testid=grams]").startswith(f"{DONATED}"), "100 points retire 100 g"
    steps.check(page, "registry-13-confirm", tab_bar=True)
    page.click("[data-testid=confirm-donate]")
    page.wait_for_url(re.compile(r".*/registry/certificates/XGC-\d{4}-\d{6,}$"))
    _visible(page, "[data-testid=valid]", "the personal certificate says it is valid")
    assert _text(page, "[data-testid=quantity]") == registry.tonnes_text(DONATED)
    steps.check(page, "registry-14-my-certificate", tab_bar=True)
    return page.url.rsplit("/", 1)[1]


def _open_by_qr(page, server, steps, certificate: str, serial: str, tmp_path) -> None:
    """The QR code as drawn decodes to the address printed under it; opened, it shows the quantity and the
    batch as the batch's public page does. The donation draws from the oldest issued batch with tonnes
    available: the one the administrator has just issued (dated before the demo batch)."""
    printed = _text(page, ".certificate-url")
    assert printed == f"{server.url}/registry/certificates/{certificate}", "the address under the QR code"
    if shutil.which("zbarimg"):
        shot = tmp_path / QR_SHOT
        code = page.locator("[data-testid=qr] svg")
        code.evaluate("svg => svg.scrollIntoView({block: 'center'})")  # clear of the fixed tab bar
        code.screenshot(path=str(shot))
        decoded = subprocess.run(
            ["zbarimg", "-q", "--raw", str(shot)], capture_output=True, text=True, check=False
        ).stdout.strip()
        assert decoded == printed, f"the QR code encodes {decoded!r}, the page prints {printed!r}"
    page.goto(printed)  # the phone's camera opened the code
    assert _text(page, "[data-testid=serial]") == certificate
    quantity = _text(page, "[data-testid=quantity]")
    assert _text(page, "[data-testid=drawn]") == f"{serial}: {quantity}", "drawn from the new batch"
    steps.check(page, "registry-15-scanned", tab_bar=True)

    page.click(f"[data-testid=drawn] a[href$='/registry/batches/{serial}']")
    row = page.locator("[data-testid=certificates] tr", has=page.locator(f"a[href$='/{certificate}']"))
    _visible(page, "[data-testid=certificates]", f"the batch {serial} lists its certificates")
    assert row.count() == 1, f"the batch page lists the certificate {certificate}"
    assert row.locator("td").last.inner_text().strip() == quantity, "the same quantity on the batch page"
    assert serial in _text(page, "h1")
    steps.check(page, "registry-16-batch", tab_bar=True)
