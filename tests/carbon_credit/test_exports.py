"""Excel exports: the campaign report (sheets, headers with units, totals equal to the database, every
methodology with its sources), the auditor export (only the range, user text never a formula, write-only
mode) and export jobs (queued -> running -> done, progress, download, the scheduler's pick-up)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime

import openpyxl
import pytest
from sqlalchemy import func, select, update

from carbon_credit import exports
from carbon_credit.activities import Activity, ActivityInput, rebuild_rollups, record_activity
from carbon_credit.campaigns import Campaign
from carbon_credit.exports import ExportJob, auditor
from carbon_credit.ledger import LedgerEntry
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, IdempotencyConflict
from carbon_credit.platform.models import AuditEntry
from carbon_credit.rewards import Reward, redeem
from quantification import list_methodologies

NOV_2 = datetime(2026, 11, 2, 4, tzinfo=UTC)
NOV_9 = datetime(2026, 11, 9, 4, tzinfo=UTC)
DEC_1 = datetime(2026, 11, 30, 17, tzinfo=UTC)  # 1 December in Shanghai
EVIL_NAME = '=HYPERLINK("http://evil.example/","点我")'
EVIL_REWARD = "+1 免费咖啡"


def _record(engine, settings, resident, behaviour, inputs, key, when, channel="web"):
    with session_scope(engine) as session:
        item = ActivityInput(resident, behaviour, inputs, channel, key, when)
        activity = record_activity(session=session, settings=settings, item=item, now=when)
        # The ledger stamps entries with the real clock: date the entry like its activity (history).
        session.execute(
            update(LedgerEntry).where(LedgerEntry.id == activity.ledger_entry_id).values(created_at=when)
        )
        return activity.id


@pytest.fixture
def history(engine, settings, make_resident):
    """Two residents (one with a formula as display name), three credited activities in November, one in
    December (Shanghai), two under a campaign, and a voucher for a reward whose name starts with "+"."""
    alice = make_resident(display_name=EVIL_NAME, district_code="xiaonan")
    bob = make_resident(display_name="老李", district_code="anlu")
    ids = [
        _record(engine, settings, alice, "transit", {"mode": "bus", "km": "8"}, "a1", NOV_2, "qr"),
        _record(engine, settings, alice, "walking", {"steps": 8000}, "a2", NOV_9),
        _record(engine, settings, bob, "recycling", {"material": "pet", "kg": "3"}, "b1", NOV_9),
        _record(engine, settings, bob, "transit", {"mode": "metro", "km": "12"}, "b2", DEC_1, "import"),
    ]
    with session_scope(engine) as session:
        campaign = Campaign(
            name_zh="=SUM(A1:A9) 节能周",
            name_en="Energy saving week",
            kind="energy_saving_week",
            starts_at=NOV_2,
            ends_at=DEC_1,
            budget_points=50_000,
            is_active=False,
        )
        reward = Reward(name_zh=EVIL_REWARD, name_en="Free coffee", cost=50, stock=3)
        session.add_all([campaign, reward])
        session.flush()
        session.execute(update(Activity).where(Activity.id.in_(ids[:3:2])).values(campaign_id=campaign.id))
        rebuild_rollups(session=session, day_from=date(2026, 11, 1), day_to=date(2026, 12, 31))
        voucher = redeem(
            session=session,
            settings=settings,
            resident_id=alice,
            reward_id=reward.id,
            idempotency_key="v",
            now=NOV_9,
        )
        session.execute(
            update(LedgerEntry).where(LedgerEntry.id == voucher.ledger_entry_id).values(created_at=NOV_9)
        )
    return {"alice": alice, "bob": bob, "campaign": campaign.id, "activities": ids}


def _campaign_report(engine, settings, path, campaign_id, locale="zh_Hans"):
    with read_session(engine) as session:
        return exports.campaign_report(session=session, campaign_id=campaign_id, path=path, locale=locale)


def _sheet(workbook, name):
    return [list(row) for row in workbook[name].iter_rows(values_only=True)]


def test_campaign_report_totals_breakdowns_and_methodologies(engine, settings, history, tmp_path):
    path = tmp_path / "campaign.xlsx"
    _campaign_report(engine, settings, path, history["campaign"])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["总计", "按区县", "按行为", "按日", "按凭证等级", "方法学与因子"]
    with read_session(engine) as session:
        count, grams, points = session.execute(
            select(func.count(Activity.id), func.sum(Activity.grams), func.sum(Activity.points)).where(
                Activity.campaign_id == history["campaign"], Activity.status == "credited"
            )
        ).one()
    totals = dict(_sheet(wb, "总计")[1:])
    assert totals["减排记录数 (条)"] == count == 2
    assert round(totals["减排量 (kg CO2e)"] * 1000) == grams and isinstance(totals["减排量 (kg CO2e)"], float)
    assert totals["积分 (分)"] == points and totals["参与居民 (人)"] == 2
    assert totals["活动名称"] == "=SUM(A1:A9) 节能周" and totals["预算 (积分)"] == 50_000
    # the reportable total: the QR bus trip (verified, 215 g); the declared recycling is not a reduction
    assert totals["可申报减排量 (kg CO2e，已核验和有凭证)"] == 0.215 and "本人申报" in totals["备注"]
    assert {row[0]: row[1] for row in _sheet(wb, "按凭证等级")[1:]} == {"已核验": 1, "本人申报": 1}
    by_district = _sheet(wb, "按区县")
    assert by_district[0] == ["区县", "减排记录数 (条)", "减排量 (kg CO2e)", "积分 (分)", "活动奖励积分 (分)"]
    assert sorted(row[0] for row in by_district[1:]) == sorted(["孝南区", "安陆市"])
    assert sum(row[1] for row in by_district[1:]) == count
    assert {row[0]: row[1] for row in _sheet(wb, "按行为")[1:]} == {"绿色出行": 1, "垃圾回收": 1}
    by_day = _sheet(wb, "按日")
    assert [row[0].date() for row in by_day[1:]] == [date(2026, 11, 2), date(2026, 11, 9)]
    factors = _sheet(wb, "方法学与因子")
    assert factors[0][:5] == ["方法学编号", "方法学版本", "中文名称", "英文名称", "方法学来源"]
    listed = {(row[0], row[1]) for row in factors[1:]}
    assert listed == {(m.id, m.version) for m in list_methodologies()}
    assert all(row[4] for row in factors[1:])  # every methodology cites its source
    with_factor = [row for row in factors[1:] if row[5]]
    assert with_factor and all(isinstance(row[6], (int, float)) and row[9] for row in with_factor)


def test_campaign_report_in_english(engine, settings, history, tmp_path):
    path = tmp_path / "campaign-en.xlsx"
    _campaign_report(engine, settings, path, history["campaign"], locale="en")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [
        "Totals",
        "By district",
        "By behaviour",
        "By day",
        "By evidence level",
        "Methodologies and factors",
    ]
    assert dict(_sheet(wb, "Totals")[1:])["Campaign"] == "Energy saving week"
    assert _sheet(wb, "By day")[0][:3] == ["Day (Beijing time)", "Activities (count)", "Reduction (kg CO2e)"]


def test_campaign_report_of_an_unknown_campaign_is_refused(engine, settings, tmp_path):
    with pytest.raises(DomainError) as raised:
        _campaign_report(engine, settings, tmp_path / "x.xlsx", 999)
    assert raised.value.code == "campaign_not_found_for_export"


def _auditor(engine, settings, path, day_from, day_to, **kwargs):
    with read_session(engine) as session:
        return exports.auditor_export(session=session, day_from=day_from, day_to=day_to, path=path, **kwargs)


def test_auditor_export_holds_only_the_range_and_never_a_formula(engine, settings, history, tmp_path):
    path = tmp_path / "auditor.xlsx"
    seen = []
    rows = _auditor(
        engine,
        settings,
        path,
        date(2026, 11, 1),
        date(2026, 11, 30),
        progress=lambda d, t: seen.append((d, t)),
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["减排记录", "积分流水", "方法学与因子"]
    activities = _sheet(wb, "减排记录")
    assert activities[0][:3] == ["记录编号", "居民编号", "区县"] and "减排量 (g CO2e)" in activities[0]
    assert sorted(row[0] for row in activities[1:]) == sorted(history["activities"][:3])  # not 1 December
    assert {row[1] for row in activities[1:]} == {history["alice"], history["bob"]}
    bus = next(row for row in activities[1:] if row[0] == history["activities"][0])
    headers = activities[0]
    assert bus[headers.index("方法学编号")] and "[" in bus[headers.index("所用因子")]
    assert bus[headers.index("发生时间 (北京时间)")] == datetime(2026, 11, 2, 12, 0)
    ledger = _sheet(wb, "积分流水")
    assert len(ledger) - 1 == 4  # three earn entries and the voucher, not December's
    memo = ledger[0].index("摘要")
    assert EVIL_REWARD in [row[memo] for row in ledger[1:]]
    assert rows == 3 + 4 and seen[-1] == (7, 7)
    with zipfile.ZipFile(path) as archive:
        xml = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml


def test_the_auditor_export_shows_residents_by_pseudonymous_id_never_by_name_or_contact(
    engine, settings, history, tmp_path
):
    path = tmp_path / "auditor.xlsx"
    _auditor(engine, settings, path, date(2026, 11, 1), date(2026, 11, 30))
    wb = openpyxl.load_workbook(path)
    activities, ledger = _sheet(wb, "减排记录"), _sheet(wb, "积分流水")
    for rows in (activities, ledger):
        assert rows[0][1] == "居民编号" and "显示名称" not in rows[0]
        assert {row[1] for row in rows[1:]} == {history["alice"], history["bob"]}
    assert [row[2] for row in activities[1:]].count("孝南区") == 2  # the district stays, by its name
    with zipfile.ZipFile(path) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml"))
    assert "evil.example" not in text and "老李" not in text and "@example.org" not in text


def test_auditor_export_streams_in_constant_memory_mode(engine, settings, history, tmp_path, monkeypatch):
    books = []
    real = auditor.streaming_book

    def spy(path):
        books.append(real(path))
        return books[-1]

    monkeypatch.setattr(auditor, "streaming_book", spy)
    monkeypatch.setattr(auditor, "CHUNK_ROWS", 2)
    seen = []
    _auditor(
        engine,
        settings,
        tmp_path / "a.xlsx",
        date(2026, 11, 1),
        date(2026, 12, 31),
        progress=lambda d, t: seen.append(d),
    )
    assert [(book.constant_memory, book.strings_to_formulas) for book in books] == [(True, False)]
    assert seen == sorted(seen) and seen[0] == 2 and seen[-1] == 9  # progress in chunks


def test_safe_forces_text_for_formula_like_strings(tmp_path):
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("t")
    values = ["=1+1", "+1", "-2", "@SUM(A1)", "#N/A", "plain", "a\x01b", 3]
    ws.append([exports.safe(ws, v) for v in values])
    wb.save(tmp_path / "t.xlsx")
    back = list(openpyxl.load_workbook(tmp_path / "t.xlsx")["t"].iter_rows(values_only=True))[0]
    assert list(back) == ["=1+1", "+1", "-2", "@SUM(A1)", "#N/A", "plain", "ab", 3]


def _start(engine, settings, actor, kind, key="k1", **params):
    with session_scope(engine) as session:
        return exports.start(
            session=session, actor_id=actor, kind=kind, params=params, idempotency_key=key, locale="en"
        ).id


def test_export_job_runs_to_done_and_its_file_downloads(engine, settings, history, tmp_path, make_resident):
    settings = settings.with_overrides(upload_folder=str(tmp_path / "uploads"))
    admin = make_resident(role="admin")
    job_id = _start(engine, settings, admin, "auditor", day_from="2026-11-01", day_to="2026-11-30")
    assert _start(engine, settings, admin, "auditor", day_from="2026-11-01", day_to="2026-11-30") == job_id
    with read_session(engine) as session:
        assert exports.get(session=session, job_id=job_id).status == "queued"
        with pytest.raises(DomainError) as raised:
            exports.download(session=session, settings=settings, job_id=job_id)
        assert raised.value.code == "export_not_ready"
        audited = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.start")).all()
        assert [(a.actor_id, a.target_id) for a in audited] == [(admin, job_id)]
    exports.run_in_background(engine=engine, settings=settings, job_id=job_id).join(timeout=60)
    assert exports.run(engine=engine, settings=settings, job_id=job_id) is False  # never twice
    with read_session(engine) as session:
        job = exports.get(session=session, job_id=job_id)
        path, name = exports.download(session=session, settings=settings, job_id=job_id)
    assert (job.status, job.done_rows, job.total_rows) == ("done", 7, 7)
    assert path.parent == tmp_path / "uploads" / "exports" and len(path.stem) >= 24
    assert name == "auditor-2026-11-01_2026-11-30.xlsx"
    assert openpyxl.load_workbook(path).sheetnames[0] == "Activities"


def test_the_scheduler_runs_queued_jobs_and_a_failure_is_recorded(
    engine, settings, history, tmp_path, make_resident
):
    settings = settings.with_overrides(upload_folder=str(tmp_path / "uploads"))
    admin = make_resident(role="admin")
    good = _start(engine, settings, admin, "campaign_report", key="a", campaign_id=history["campaign"])
    bad = _start(engine, settings, admin, "campaign_report", key="b", campaign_id=history["campaign"])
    with session_scope(engine) as session:  # the campaign vanishes before the second job runs
        session.execute(update(ExportJob).where(ExportJob.id == bad).values(params={"campaign_id": 999}))
    assert exports.run_queued_exports(engine=engine, settings=settings) == 2
    assert exports.run_queued_exports(engine=engine, settings=settings) == 0
    with read_session(engine) as session:
        done, failed = (exports.get(session=session, job_id=i) for i in (good, bad))
    assert done.status == "done" and done.file_name and done.finished_at
    assert (failed.status, failed.error, failed.file_name) == (
        "failed",
        "campaign_not_found_for_export",
        None,
    )
    assert list((tmp_path / "uploads" / "exports").glob("*.part")) == []


@pytest.mark.parametrize(
    ("kind", "params", "code"),
    [
        ("campaign_report", {"campaign_id": 12345}, "campaign_not_found_for_export"),
        ("auditor", {"day_from": "2026-12-01", "day_to": "2026-11-01"}, "export_bad_range"),
        ("auditor", {"day_from": "yesterday", "day_to": "2026-11-01"}, "export_bad_range"),
        ("everything", {}, "export_unknown_kind"),
    ],
)
def test_a_bad_export_request_is_refused(engine, settings, make_resident, kind, params, code):
    with pytest.raises(DomainError) as raised:
        _start(engine, settings, make_resident(role="admin"), kind, **params)
    assert raised.value.code == code


def test_the_same_key_for_another_export_is_refused_and_queues_nothing(engine, settings, make_resident):
    admin = make_resident(role="admin")
    first = _start(engine, settings, admin, "auditor", day_from="2026-11-01", day_to="2026-11-30")
    with pytest.raises(IdempotencyConflict):
        _start(engine, settings, admin, "auditor", day_from="2026-10-01", day_to="2026-10-31")
    other_admin = _start(
        engine, settings, make_resident(role="admin"), "auditor", day_from="2026-11-01", day_to="2026-11-30"
    )
    with read_session(engine) as session:
        jobs = session.scalars(select(ExportJob.id).order_by(ExportJob.id)).all()
        audited = session.scalars(
            select(AuditEntry.target_id).where(AuditEntry.action == "export.start")
        ).all()
    assert jobs == audited == [first, other_admin]  # a key belongs to its administrator
