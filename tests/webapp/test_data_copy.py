"""/account/data for a large history (issue 15): instead of the direct downloads, "准备我的数据副本"; then a
page that refreshes itself shows the progress and, when done, the download of one ZIP (data.json,
data.xlsx, photos/), to its owner only; a second request while it is prepared shows the same copy. The
photos download holds the resident's own photos only, and is offered only to residents with photos."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import zipfile

import pytest
from sqlalchemy import select

from carbon_credit import exports
from carbon_credit.activities import ActivityInput, record_activity
from carbon_credit.platform import uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.privacy import copy_jobs
from carbon_credit.residents import Resident

PNG = b"\x89PNG\r\n\x1a\n" + b"2" * 64
KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')


def resident_id(engine, login: str) -> int:
    with read_session(engine) as session:
        return session.execute(select(Resident.id).where(Resident.phone == login)).scalar_one()


def entry(app, rid: int, key: str, photo: bytes | None = None) -> str | None:
    """A walk, or a recycling entry with a photo; returns the photo's stored name."""
    config = app.extensions["carbon"]["settings"]
    name = uploads.store_photo(settings=config, data=photo, filename="p.png") if photo else None
    if name:
        item = ActivityInput(rid, "recycling", {"material": "pet", "kg": "2"}, "web", key, photo=name)
    else:
        item = ActivityInput(rid, "walking", {"steps": 6000}, "web", key)
    with session_scope(app.extensions["carbon"]["engine"]) as session:
        record_activity(session=session, settings=config, item=item)
    return name


@pytest.fixture
def two(app, client, register, engine) -> dict:
    """A neighbour with a photo, then 小王 signed in with a walk and a photo."""
    neighbour = resident_id(engine, register("13800139999", name="隔壁老李"))
    theirs = entry(app, neighbour, "theirs", PNG + b"theirs")
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    me = resident_id(engine, register("13800138000", name="小王"))
    entry(app, me, "walk")
    mine = entry(app, me, "photo", PNG + b"mine")
    return {"me": me, "neighbour": neighbour, "mine": mine, "theirs": theirs}


def wait_for(job_id: int) -> None:
    """Wait for the thread the request started to prepare the copy (exports.run_in_background)."""
    for thread in threading.enumerate():
        if thread.name == f"export-{job_id}":
            thread.join(timeout=60)


@pytest.fixture
def large(monkeypatch):
    """Every history counts as large (the threshold is 20,000 rows)."""
    monkeypatch.setattr(copy_jobs, "LARGE_ROWS", 3)


def form_key(client) -> str:
    """The idempotency key of the "准备我的数据副本" form as /account/data shows it now."""
    return KEY.search(client.get("/account/data").get_data(as_text=True)).group(1)


def ask(client, key: str | None = None):
    """Press "准备我的数据副本" (on a page shown earlier when ``key`` is given); returns the response (a
    redirect to the copy's page)."""
    fields = {"idempotency_key": key or form_key(client)}
    return client.submit("/account/data/copy", fields, form_page="/account/data")


def test_a_small_history_keeps_the_direct_downloads_and_offers_the_photos(client, two):
    html = client.get("/account/data").get_data(as_text=True)
    assert "下载我的数据 (JSON)" in html and "下载我的数据 (Excel)" in html
    assert "准备我的数据副本" not in html and "下载照片" in html
    assert 'data-testid="staff-access-none"' in html  # the staff-access section is still there


def test_a_large_history_gets_a_copy_with_progress_then_a_download(app, client, two, large):
    html = client.get("/account/data").get_data(as_text=True)
    assert "准备我的数据副本" in html and "下载我的数据 (JSON)" not in html
    asked = ask(client)
    assert asked.status_code == 302
    status_url = asked.headers["Location"]
    job_id = int(status_url.rsplit("/", 1)[-1])
    for _ in range(200):  # the copy runs in a thread started by the request
        page = client.get(status_url)
        if 'data-status="done"' in page.get_data(as_text=True):
            break
        assert 'http-equiv="refresh"' in page.get_data(as_text=True) and page.headers["Refresh"] == "3"
        time.sleep(0.05)
    wait_for(job_id)
    html = page.get_data(as_text=True)
    assert "副本已准备好" in html and 'http-equiv="refresh"' not in html and "Refresh" not in page.headers
    response = client.get(f"/account/data/copy/{job_id}/download")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/zip" and "attachment" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert set(archive.namelist()) == {"data.json", "data.xlsx", f"photos/{two['mine']}"}
        document = json.loads(archive.read("data.json"))
    assert document["resident_id"] == two["me"] and "隔壁老李" not in json.dumps(document)
    response.close()
    html = client.get("/account/data").get_data(as_text=True)
    assert "下载我的数据副本 (ZIP)" in html and "准备我的数据副本" in html  # or a fresh one


def test_another_resident_gets_not_found(app, client, two, large, login):
    job_id = int(ask(client).headers["Location"].rsplit("/", 1)[-1])
    wait_for(job_id)
    assert 'data-status="done"' in client.get(f"/account/data/copy/{job_id}").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    login("13800139999")
    for path in (f"/account/data/copy/{job_id}", f"/account/data/copy/{job_id}/download"):
        assert client.get(path).status_code == 404, path


def test_a_second_request_while_it_is_prepared_shows_the_same_copy(app, client, two, large, monkeypatch):
    monkeypatch.setattr(exports, "run_in_background", lambda **_: None)  # left to the scheduler
    two_tabs = form_key(client), form_key(client)
    first, second = (ask(client, key).headers["Location"] for key in two_tabs)
    assert first == second
    html = client.get(first).get_data(as_text=True)
    assert 'data-status="queued"' in html and "已完成 0%" in html and 'http-equiv="refresh"' in html
    assert "查看副本准备进度" in client.get("/account/data").get_data(as_text=True)
    config = app.extensions["carbon"]["settings"]
    assert exports.run_queued_exports(engine=app.extensions["carbon"]["engine"], settings=config) == 1
    assert 'data-status="done"' in client.get(first).get_data(as_text=True)


def test_the_photos_zip_holds_only_the_residents_photos(app, client, two, login):
    response = client.get("/account/data/photos.zip")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert archive.namelist() == [two["mine"]]
        assert archive.read(two["mine"]) == PNG + b"mine"
    response.close()
    client.post("/logout", data={"csrf_token": client.csrf_token("/account")})
    login("13800139999")
    with client.get("/account/data/photos.zip") as response:
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            assert archive.namelist() == [two["theirs"]]


def test_without_photos_there_is_no_photos_download(client, register):
    register("13800137777", name="新居民")
    assert "下载照片" not in client.get("/account/data").get_data(as_text=True)
    assert client.get("/account/data/photos.zip").status_code == 404


def test_signed_out_the_copy_pages_ask_to_log_in(app):
    anonymous = app.test_client()
    for path in ("/account/data/copy/1", "/account/data/copy/1/download", "/account/data/photos.zip"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
