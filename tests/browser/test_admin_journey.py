"""Staff in a real browser on a phone (390x844): the review queue (approve one entry, reject another) and a
merchant verifying a voucher at the counter; an administrator's morning: create a campaign, import stops
from a workbook, download a stop's QR poster, export the campaign workbook and check its totals against the
database. Every step is screenshotted (test-artifacts/browser/390x844/staff-*.png, admin-*.png) and checked
for overflow, nav height, tap targets, text size and checkbox shapes (checks.py)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import func, select

from carbon_credit.activities.models import Activity
from carbon_credit.activities.recording import ActivityInput, record_activity
from carbon_credit.campaigns.models import Campaign
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.i18n import translate
from carbon_credit.residents.models import Resident
from carbon_credit.stops import checkin_url
from carbon_credit.stops.models import Stop
from tests.browser import data
from tests.browser.checks import PHONE

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEIGHBOUR = "yunmeng@demo.xiaogan.local"
on_a_phone = pytest.mark.parametrize("screen", [PHONE], ids=["phone"], indirect=True)


def _status(server, activity_id: int) -> str:
    with read_session(server.engine) as session:
        return session.get(Activity, activity_id).status


@on_a_phone
def test_staff_on_the_street(page, new_context, screen, live_server, steps):
    server = live_server
    neighbour = data.person(server, NEIGHBOUR)
    keep, refuse = (data.held_entry(server, neighbour, f"browser-held-{n}") for n in (1, 2))
    code = data.voucher(server, data.person(server, data.RESIDENT))

    data.sign_in(page, server, data.ADMIN)
    page.goto(f"{server.url}/admin/")
    steps.check(page, "staff-01-admin-home")
    page.goto(f"{server.url}/admin/review")
    assert page.locator("[data-testid=pending-row]").count() >= 2, "the queue lists the held entries"
    steps.check(page, "staff-02-review-queue")
    page.click(f"#entry-{keep} [data-testid=details]")
    steps.check(page, "staff-03-review-entry")
    page.goto(f"{server.url}/admin/review")
    page.click(f"#entry-{keep} [data-testid=approve]")  # from the queue: one tap per entry
    page.wait_for_load_state()
    assert _status(server, keep) == "credited", "approved from the queue"
    steps.check(page, "staff-04-approved")
    page.click(f"#entry-{refuse} [data-testid=reject-open]")
    page.fill(f"#entry-{refuse} [name=reason]", "照片与记录不符")
    steps.check(page, "staff-05-reject-reason")
    page.click(f"#entry-{refuse} [data-testid=reject]")
    page.wait_for_load_state()
    assert _status(server, refuse) == "rejected", "rejected with a reason from the queue"
    steps.check(page, "staff-06-rejected")

    counter = new_context(**screen.context_args()).new_page()  # the merchant's phone at the counter
    data.sign_in(counter, server, data.MERCHANT)
    counter.goto(f"{server.url}/verify")
    steps.check(counter, "staff-07-verify")
    counter.fill("input[name=code]", code)
    counter.click("[data-testid=mark-used]")
    data.expect_visible(counter, "[data-testid=verified]", f"voucher {code} marked used")
    steps.check(counter, "staff-08-verified")
    steps.assert_clean()


def _stops_workbook(path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["stop_code", "name_zh", "name_en", "district_code", "latitude", "longitude", "mode"])
    sheet.append(["XG9-01", "孝感东站", "Xiaogan East Station", "xiaonan", 30.9501, 113.9702, "bus"])
    sheet.append(["XG9-02", "澴川路", "Huanchuan Road", "xiaonan", 30.9447, 113.9580, "bus"])
    book.save(path)


@on_a_phone
def test_admin_campaign_import_poster_export(page, live_server, steps, tmp_path):
    server = live_server
    data.sign_in(page, server, data.ADMIN)
    page.goto(f"{server.url}/admin/")
    steps.check(page, "admin-01-start")

    # A campaign that started yesterday and runs a week, 1.5 x points.
    start = (clock.now() - timedelta(days=1)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    end = (clock.now() + timedelta(days=6)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    page.goto(f"{server.url}/admin/campaigns/new")
    page.fill("input[name=name_zh]", "全国低碳日骑行周")
    page.fill("input[name=name_en]", "Low-Carbon Day cycling week")
    page.select_option("select[name=kind]", "low_carbon_day")
    page.fill("input[name=starts_at]", start)
    page.fill("input[name=ends_at]", end)
    page.fill("input[name=multiplier_percent]", "150")
    page.fill("input[name=budget_points]", "100000")
    steps.check(page, "admin-02-campaign-form")
    page.click("main form button[type=submit]")
    with read_session(server.engine) as session:
        campaign = session.execute(
            select(Campaign).where(Campaign.name_en == "Low-Carbon Day cycling week")
        ).scalar_one()
        resident = session.execute(
            select(Resident).where(Resident.email == "resident@demo.xiaogan.local")
        ).scalar_one()
    with session_scope(server.engine) as session:  # residents act during the campaign
        for n, inputs in enumerate(({"mode": "bus", "km": "6"}, {"mode": "metro", "km": "9"})):
            item = ActivityInput(resident.id, "transit", inputs, "import", f"campaign-{n}")  # operator trips
            record_activity(session=session, settings=server.settings, item=item)

    # Stops from a workbook: preview, then import.
    workbook = tmp_path / "stops.xlsx"
    _stops_workbook(workbook)
    page.goto(f"{server.url}/admin/stops/import")
    page.set_input_files("input[type=file]", str(workbook))
    page.click("main form button[type=submit]")
    steps.check(page, "admin-03-import-preview")
    page.click("main form button[type=submit]")
    steps.check(page, "admin-04-imported")
    with read_session(server.engine) as session:
        stop = session.execute(select(Stop).where(Stop.code == "XG9-01")).scalar_one()
    assert stop.name_en == "Xiaogan East Station"

    # The stop's poster page, and its QR image downloaded and decoded.
    page.goto(f"{server.url}/admin/stops/{stop.id}/poster")
    assert page.get_by_text("孝感东站").first.is_visible()
    steps.check(page, "admin-05-poster")
    png = page.request.get(f"{server.url}/admin/stops/{stop.id}/qr.png")
    assert png.ok and png.headers["content-type"] == "image/png"
    if shutil.which("zbarimg"):
        qr = tmp_path / "qr.png"
        qr.write_bytes(png.body())
        decoded = subprocess.run(
            ["zbarimg", "-q", "--raw", str(qr)], capture_output=True, text=True
        ).stdout.strip()
        assert decoded == checkin_url(stop, server.settings)

    # The campaign workbook, exported in the background, downloaded and read back.
    page.goto(f"{server.url}/admin/exports")
    page.select_option("[data-testid=campaign-report-form] select", str(campaign.id))
    page.click("[data-testid=campaign-report-form] button[type=submit]")
    download_link = page.locator("[data-testid=export-download]")
    download_link.wait_for(timeout=30_000)
    steps.check(page, "admin-06-export-ready")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / "report.xlsx"
    info.value.save_as(path)
    totals = {
        row[0]: row[1]
        for row in openpyxl.load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True)
    }
    with read_session(server.engine) as session:
        count, grams, bonus = session.execute(
            select(func.count(), func.sum(Activity.grams), func.sum(Activity.bonus_points)).where(
                Activity.campaign_id == campaign.id
            )
        ).one()
    assert count == 2 and bonus > 0
    assert totals[translate("xlsx.activities", "zh_Hans")] == count
    assert totals[translate("xlsx.bonus_points", "zh_Hans")] == bonus
    assert float(totals[translate("xlsx.kg", "zh_Hans")]) * 1000 == grams
    assert re.search("全国低碳日骑行周", str(totals[translate("xlsx.campaign_name", "zh_Hans")]))
    steps.assert_clean()
