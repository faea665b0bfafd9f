"""A resident's copy prepared in the background (issue 15): the job runs with progress row by row up to its
total; its ZIP holds every section as JSON and Excel and the resident's photos (no one else's); only its
owner sees and downloads it; one copy is prepared at a time; its file goes after its keeping time and with
the account, and a copy asked for by an account since closed never runs."""

from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from carbon_credit import exports, privacy
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.exports import ExportJob
from carbon_credit.jobs.schedule import expire_copies  # the daily job
from carbon_credit.platform import clock, uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.residents import Resident

PNG = b"\x89PNG\r\n\x1a\n" + b"1" * 64


@pytest.fixture
def config(settings, tmp_path):
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


def walk(engine, config, rid: int, key: str, photo: bytes | None = None) -> str | None:
    """A recycling entry (with a photo when ``photo`` is given) or a walk; returns the stored photo name."""
    name = uploads.store_photo(settings=config, data=photo, filename="p.png") if photo else None
    if name:
        item = ActivityInput(rid, "recycling", {"material": "pet", "kg": "2"}, "web", key, photo=name)
    else:
        item = ActivityInput(rid, "walking", {"steps": 6000}, "web", key)
    with session_scope(engine) as session:
        record_activity(session=session, settings=config, item=item)
    return name


@pytest.fixture
def people(engine, config, make_resident) -> dict:
    """小王 with two walks and two photos; a neighbour with a photo of their own."""
    me, neighbour = make_resident(display_name="小王"), make_resident(display_name="隔壁老李")
    walk(engine, config, me, "w1")
    walk(engine, config, me, "w2")
    mine = [walk(engine, config, me, f"p{n}", PNG + bytes([n])) for n in (1, 2)]
    theirs = walk(engine, config, neighbour, "theirs", PNG + b"neighbour")
    return {"me": me, "neighbour": neighbour, "mine": mine, "theirs": theirs}


def ask(engine, rid: int, key: str = "k1"):
    with session_scope(engine) as session:
        return privacy.request_copy(session=session, resident_id=rid, idempotency_key=key)


def finished(engine, rid: int, job_id: int) -> ExportJob:
    with read_session(engine) as session:
        return privacy.get_copy(session=session, resident_id=rid, job_id=job_id)


def test_the_copy_runs_to_its_total_and_holds_every_section_and_the_photos(engine, config, people):
    job = ask(engine, people["me"])
    assert (job.kind, job.status, job.created_by) == ("resident_copy", "queued", people["me"])
    seen: list[tuple[int, int]] = []
    path = Path(config.upload_folder) / "probe.zip"
    written = exports.export_to_file(
        engine=engine, kind=job.kind, params=job.params, path=path, settings=config,
        progress=lambda done, total: seen.append((done, total)),
    )  # fmt: skip
    totals = {total for _, total in seen}
    assert len(totals) == 1 and seen[0][0] == 0 and seen[-1] == (written, written)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen) and len(seen) > 10  # row by row

    assert exports.run_queued_exports(engine=engine, settings=config) == 1
    done = finished(engine, people["me"], job.id)
    assert done.status == "done" and done.done_rows == done.total_rows > 0
    with read_session(engine) as session:
        file, name = privacy.download_copy(
            session=session, settings=config, resident_id=people["me"], job_id=job.id
        )
        summary = privacy.data_summary(session=session, resident_id=people["me"])
        expected = json.loads("".join(privacy.export_json(session=session, resident_id=people["me"])))
    assert name == f"my-data-{people['me']}-{clock.local_day(done.finished_at).isoformat()}.zip"
    rows = sum(section.count for section in summary)
    assert done.total_rows == 2 * rows + 2  # every row in the JSON, again in the workbook, and two photos

    with zipfile.ZipFile(file) as archive:
        names = set(archive.namelist())
        document = json.loads(archive.read("data.json"))
        workbook = load_workbook(io.BytesIO(archive.read("data.xlsx")), read_only=True)
        photos = {n: archive.read(n) for n in names if n.startswith("photos/")}
    assert names == {"data.json", "data.xlsx", *(f"photos/{p}" for p in people["mine"])}
    assert document["sections"].keys() == expected["sections"].keys()
    assert document["sections"]["activities"]["count"] == 4 and "隔壁老李" not in json.dumps(document)
    assert "减排记录" in workbook.sheetnames and workbook.sheetnames[0] == "个人资料"
    folder = Path(config.upload_folder)
    assert photos == {f"photos/{p}": (folder / p).read_bytes() for p in people["mine"]}


def test_only_its_owner_sees_or_downloads_the_copy(engine, config, people, make_resident):
    job = ask(engine, people["me"])
    exports.run(engine=engine, settings=config, job_id=job.id)
    with read_session(engine) as session:
        for other in (people["neighbour"], make_resident(role="admin")):
            with pytest.raises(NotFound):
                privacy.download_copy(session=session, settings=config, resident_id=other, job_id=job.id)
            with pytest.raises(NotFound):
                privacy.get_copy(session=session, resident_id=other, job_id=job.id)
        with pytest.raises(NotFound):  # the administrators' export pages do not reach it either
            exports.download(session=session, settings=config, job_id=job.id)
        assert job.id not in [j.id for j in exports.recent(session=session)]
        assert privacy.latest_copy(session=session, resident_id=people["neighbour"]) is None


def test_a_second_request_while_one_is_prepared_returns_it(engine, config, people):
    first = ask(engine, people["me"], "k1")
    assert ask(engine, people["me"], "k2").id == first.id  # queued
    with session_scope(engine) as session:
        session.execute(update(ExportJob).where(ExportJob.id == first.id).values(status="running"))
    assert ask(engine, people["me"], "k3").id == first.id  # running
    assert ask(engine, people["neighbour"], "k1").id != first.id  # each resident their own
    with session_scope(engine) as session:  # its process ended two hours ago: a new copy is prepared
        stale = clock.now() - timedelta(hours=3)
        session.execute(update(ExportJob).where(ExportJob.id == first.id).values(created_at=stale))
    second = ask(engine, people["me"], "k4")
    assert second.id != first.id and second.status == "queued"
    assert ask(engine, people["me"], "k1").id == first.id  # the same key replays its first answer


def test_the_file_goes_after_its_keeping_time(engine, config, people):
    job = ask(engine, people["me"])
    exports.run(engine=engine, settings=config, job_id=job.id)
    done = finished(engine, people["me"], job.id)
    path = Path(config.upload_folder) / "exports" / done.file_name
    later = clock.now() + timedelta(days=privacy.COPY_KEEP_DAYS, hours=1)
    assert expire_copies(engine, config, now=later - timedelta(days=1)) == {"copies": 0, "partial_files": 0}
    assert path.is_file()
    assert expire_copies(engine, config, now=later) == {"copies": 1, "partial_files": 0}
    assert expire_copies(engine, config, now=later) is None  # once a day
    assert not path.exists() and finished(engine, people["me"], job.id).file_name is None
    with read_session(engine) as session, pytest.raises(DomainError) as refused:
        privacy.download_copy(session=session, settings=config, resident_id=people["me"], job_id=job.id)
    assert refused.value.code == "export_not_ready"


def test_the_copies_go_with_the_account(engine, config, people):
    job = ask(engine, people["me"])
    exports.run(engine=engine, settings=config, job_id=job.id)
    path = Path(config.upload_folder) / "exports" / finished(engine, people["me"], job.id).file_name
    queued = ask(engine, people["me"], "again")
    with session_scope(engine) as session:
        assert privacy.erase_copies(session=session, settings=config, resident_id=people["me"]) == 2
        assert path.is_file()  # until the transaction commits
    assert not path.exists()
    assert exports.run(engine=engine, settings=config, job_id=queued.id) is False  # never runs
    stopped = finished(engine, people["me"], queued.id)
    assert (stopped.status, stopped.error) == ("failed", "copy_discarded")


def test_a_closed_account_cannot_ask_and_its_copies_are_swept(engine, config, people):
    job = ask(engine, people["neighbour"])
    exports.run(engine=engine, settings=config, job_id=job.id)
    with session_scope(engine) as session:
        session.execute(update(Resident).where(Resident.id == people["neighbour"]).values(is_active=False))
    with pytest.raises(DomainError) as refused:
        ask(engine, people["neighbour"], "k2")
    assert refused.value.code == "account_closed"
    assert expire_copies(engine, config, now=clock.now()) == {"copies": 1, "partial_files": 0}
    assert finished(engine, people["neighbour"], job.id).file_name is None


def test_the_photos_zip_holds_the_residents_photos_and_no_one_elses(engine, config, people):
    buffer = io.BytesIO()
    with read_session(engine) as session:
        assert privacy.photo_count(session=session, resident_id=people["me"]) == 2
        count = privacy.write_photos_zip(
            session=session, settings=config, resident_id=people["me"], file=buffer
        )
    with zipfile.ZipFile(buffer) as archive:
        assert sorted(archive.namelist()) == sorted(people["mine"]) and count == 2
        assert people["theirs"] not in archive.namelist()


def test_the_daily_job_sweeps_what_a_crashed_export_left_half_written(engine, config, people):
    """A process killed mid-export leaves ``<name>.part`` (named by no job): gone once a day old; a file still
    being written (or a finished one) stays."""
    folder = exports.export_folder(config)
    folder.mkdir(parents=True, exist_ok=True)
    crashed, writing, finished_file = folder / "a1.zip.part", folder / "b2.xlsx.part", folder / "c3.zip"
    for path in (crashed, writing, finished_file):
        path.write_bytes(b"PK")
    now, two_days = clock.now().timestamp(), 2 * 86_400  # dated by the test clock (it may stand elsewhere)
    for path, written in ((crashed, now - two_days), (writing, now - 60), (finished_file, now - two_days)):
        os.utime(path, (written, written))
    assert expire_copies(engine, config, now=clock.now()) == {"copies": 0, "partial_files": 1}
    assert not crashed.exists() and writing.is_file() and finished_file.is_file()
