"""Excel exports on the web: an administrator queues one, watches its progress (the page refreshes itself
while it runs) and downloads the workbook; residents cannot; the command line writes the same workbooks."""

from __future__ import annotations

import io
import threading
from datetime import UTC, datetime

import openpyxl
import pytest

from carbon_credit import exports as export_jobs
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.exports import ExportJob
from carbon_credit.platform.database import read_session, session_scope
from webapp.cli_export import export_group

ADMIN = "admin@example.org"
NOV_2 = datetime(2026, 11, 2, 4, tzinfo=UTC)


@pytest.fixture
def admin(make_resident, login):
    make_resident(role="admin", email=ADMIN, password="correct-horse-9", display_name="管理员")
    login(ADMIN)


@pytest.fixture
def data(engine, settings, make_resident):
    resident = make_resident(display_name='=HYPERLINK("http://x")')
    with session_scope(engine) as session:
        item = ActivityInput(resident, "transit", {"mode": "bus", "km": "8"}, "qr", "a", NOV_2)
        record_activity(session=session, settings=settings, item=item, now=NOV_2)
        campaign = Campaign(
            name_zh="低碳日",
            name_en="Low-carbon Day",
            starts_at=NOV_2,
            ends_at=datetime(2026, 12, 1, tzinfo=UTC),
            budget_points=1000,
            is_active=False,
        )
        session.add(campaign)
    return {"campaign": campaign.id}


def _wait(job_id: int) -> None:
    for thread in threading.enumerate():
        if thread.name == f"export-{job_id}":
            thread.join(timeout=60)


def _job(engine, job_id) -> ExportJob:
    with read_session(engine) as session:
        return export_jobs.get(session=session, job_id=job_id)


def test_an_auditor_export_runs_in_the_background_and_downloads(client, admin, data, engine):
    page = client.get("/admin/exports").get_data(as_text=True)
    assert "Excel" in page and "稽核导出" in page and "低碳日" in page
    form = {"kind": "auditor", "idempotency_key": "key-1", "day_from": "2026-11-01", "day_to": "2026-11-30"}
    response = client.submit("/admin/exports", form)
    assert response.status_code == 302
    job_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    assert client.submit("/admin/exports", form).headers["Location"] == response.headers["Location"]  # twice
    _wait(job_id)
    job = _job(engine, job_id)
    assert (job.status, job.done_rows, job.total_rows) == ("done", 2, 2)  # one activity, one ledger entry
    status = client.get(f"/admin/exports/{job_id}")
    assert "Refresh" not in status.headers
    assert 'data-testid="export-download"' in status.get_data(as_text=True)
    download = client.get(f"/admin/exports/{job_id}/download")
    assert download.status_code == 200
    assert "auditor-2026-11-01_2026-11-30.xlsx" in download.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(download.data))
    download.close()
    assert wb.sheetnames == ["减排记录", "积分流水", "方法学与因子"]
    cells = [value for sheet in wb for row in sheet.iter_rows(values_only=True) for value in row]
    assert '=HYPERLINK("http://x")' not in cells  # residents by pseudonymous id: never their name
    listing = client.get("/admin/exports").get_data(as_text=True)
    assert f"/admin/exports/{job_id}" in listing and "已完成" in listing


def test_a_running_export_shows_progress_and_refreshes_every_two_seconds(
    client, admin, data, engine, make_resident
):
    with session_scope(engine) as session:
        job = export_jobs.start(
            session=session,
            actor_id=make_resident(role="admin"),
            kind="campaign_report",
            params={"campaign_id": data["campaign"]},
            idempotency_key="queued",
        )
    response = client.get(f"/admin/exports/{job.id}")
    page = response.get_data(as_text=True)
    assert response.headers["Refresh"] == "2"
    assert '<meta http-equiv="refresh" content="2">' in page and 'data-testid="export-progress"' in page
    assert "<script" not in page
    assert client.get(f"/admin/exports/{job.id}/download").status_code == 400  # not ready


def test_a_campaign_report_from_the_page(client, admin, data, engine):
    response = client.submit(
        "/admin/exports",
        {"kind": "campaign_report", "idempotency_key": "c1", "campaign_id": data["campaign"]},
    )
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    _wait(job_id)
    download = client.get(f"/admin/exports/{job_id}/download")
    assert openpyxl.load_workbook(io.BytesIO(download.data)).sheetnames[0] == "总计"
    download.close()


def test_a_bad_range_is_refused_on_the_page(client, admin, data):
    form = {"kind": "auditor", "idempotency_key": "k", "day_from": "2026-11-30", "day_to": "2026-11-01"}
    response = client.submit("/admin/exports", form)
    assert response.status_code == 400 and "日期范围无效" in response.get_data(as_text=True)


def test_residents_cannot_export_or_download(client, register, engine, data, tmp_path, make_resident):
    with session_scope(engine) as session:
        job = export_jobs.start(
            session=session,
            actor_id=make_resident(role="admin"),
            kind="auditor",
            params={"day_from": "2026-11-01", "day_to": "2026-11-02"},
            idempotency_key="x",
        )
    register()
    for path in ("/admin/exports", f"/admin/exports/{job.id}", f"/admin/exports/{job.id}/download"):
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/exports", data={"kind": "auditor"}).status_code in (400, 403)


def test_the_command_line_writes_the_same_workbooks(app, data, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "audit.xlsx"
    result = runner.invoke(
        export_group, ["auditor", "--from", "2026-11-01", "--to", "2026-11-30", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 rows written" in result.output
    assert openpyxl.load_workbook(out).sheetnames == ["减排记录", "积分流水", "方法学与因子"]
    report = tmp_path / "report.xlsx"
    args = ["campaign-report", "--campaign", str(data["campaign"]), "--out", str(report), "--lang", "en"]
    result = runner.invoke(export_group, args)
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(report).sheetnames[0] == "Totals"
    result = runner.invoke(export_group, ["campaign-report", "--campaign", "999", "--out", str(report)])
    assert result.exit_code != 0 and "找不到该活动" in result.output
