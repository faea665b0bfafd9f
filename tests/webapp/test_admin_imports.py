"""Operator trips on the web: a resident links a transit card; an administrator uploads the operator's file,
follows its progress and row problems, and resumes it."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from carbon_credit import transit
from carbon_credit.platform import clock, spreadsheets
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.residents import Resident
from carbon_credit.stops import Stop
from carbon_credit.transit import ImportBatch, operator_imports

ADMIN = "admin@example.org"
KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
PASSWORD = "correct-horse-9"


def local(moment) -> str:
    return (moment + timedelta(hours=8)).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S")


def trip_file(*cards: str) -> bytes:
    start = clock.now() - timedelta(hours=3)
    lines = ["card_number,boarding_stop,alighting_stop,boarding_time,alighting_time"]
    for n, card in enumerate(cards):
        begin = start + timedelta(minutes=30 * n)
        lines.append(f"{card},A,B,{local(begin)},{local(begin + timedelta(minutes=15))}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def admin(make_resident, login):
    make_resident(role="admin", email=ADMIN, password=PASSWORD)
    login(ADMIN)


@pytest.fixture
def stops(engine):
    with session_scope(engine) as session:
        for code, lat, lon in [("A", 30.9262, 113.9021), ("B", 30.9390, 113.9230)]:
            session.add(Stop(code=code, name_zh=f"{code}站", name_en=code, latitude=lat, longitude=lon))


def page_key(client, path: str) -> str:
    return KEY.search(client.get(path).get_data(as_text=True)).group(1)


def upload(client, data: bytes, name: str = "trips.csv"):
    return client.submit(
        "/admin/imports/upload",
        {"file": (io.BytesIO(data), name), "idempotency_key": page_key(client, "/admin/imports")},
        form_page="/admin/imports",
        content_type="multipart/form-data",
    )


def linked_card(engine, login_name: str) -> str | None:
    with read_session(engine) as session:
        return session.execute(select(Resident.transit_card).where(Resident.phone == login_name)).scalar_one()


# -- the resident's card page ------------------------------------------------------------------------------


def test_a_resident_links_and_unlinks_a_card_and_cannot_take_someone_elses(
    client, engine, settings, register, login
):
    ridden = clock.now() - timedelta(days=1)  # one trip on the card, from an operator file, names it
    with session_scope(engine) as session:
        seen = [("31040000000001", "S1", ridden)]
        transit.remember_card_trips(session=session, settings=settings, trips=seen, now=clock.now())
    trip = {"trip_day": clock.local_day(ridden).isoformat(), "boarding_stop": "S1"}
    first = register()
    page = client.get("/account/card")
    assert page.status_code == 200 and "公交卡" in page.get_data(as_text=True)
    response = client.submit("/account/card", {"action": "link", "card": "3104 0000 0000 01", **trip})
    assert response.status_code == 302
    assert "31040000000001" in client.get("/account/card").get_data(as_text=True)
    assert linked_card(engine, first) == "31040000000001"
    refused = client.submit("/account/card", {"action": "link", "card": "12ab"})
    assert refused.status_code == 400 and "8 到 20 位数字" in refused.get_data(as_text=True)
    client.submit("/logout", form_page="/")
    second = register()
    taken = client.submit("/account/card", {"action": "link", "card": "31040000000001", **trip})
    assert taken.status_code == 302 and "等待管理员审核" in client.get("/account/card").get_data(as_text=True)
    assert linked_card(engine, second) is None  # a second claim waits for an administrator
    client.submit("/logout", form_page="/")
    login(first)
    assert client.submit("/account/card", {"action": "unlink"}).status_code == 302
    assert linked_card(engine, first) is None


def test_the_card_page_needs_a_login(client):
    assert client.get("/account/card").status_code == 302


# -- the administrator's imports -----------------------------------------------------------------------------


def test_only_administrators_see_imports(client, register):
    assert client.get("/admin/imports").status_code == 302
    register()
    assert client.get("/admin/imports").status_code == 403


def test_an_upload_credits_linked_cards_and_shows_progress_and_problems(
    client, engine, admin, stops, make_resident
):
    rider = make_resident()
    with session_scope(engine) as session:
        session.get(Resident, rider).transit_card = "31040000000001"
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "上传乘车记录文件" in page and "card_number" in page
    # One file, uploaded twice below (built once: its times come from the clock, so a second build a
    # second later would be a different file).
    data = trip_file("31040000000001", "99999999", "12ab")
    response = upload(client, data)
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r'data-testid="import-credited">1<', detail)
    assert re.search(r'data-testid="import-skipped">1<', detail)
    assert "请输入 8 到 20 位数字的公交卡号" in detail  # row 4's card, with its row and column
    assert "card_number" in detail
    listing = client.get("/admin/imports").get_data(as_text=True)
    assert "trips.csv" in listing and "3 / 3" in listing
    again = upload(client, data)
    assert "该文件已导入过" in client.get(again.headers["Location"]).get_data(as_text=True)
    with read_session(engine) as session:
        assert [e.action for e in session.execute(select(AuditEntry)).scalars()] == ["import.upload"]


def test_an_unfinished_batch_can_be_resumed(client, engine, admin, stops, monkeypatch, make_resident):
    rider = make_resident()
    with session_scope(engine) as session:
        session.get(Resident, rider).transit_card = "31040000000001"
    monkeypatch.setattr("webapp.admin.transit.UPLOAD_BUDGET_S", 0)
    monkeypatch.setattr(operator_imports, "CHUNK_ROWS", 1)
    response = upload(client, trip_file("31040000000001", "31040000000001"))
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "未完成" in detail and "继续导入" in detail
    with read_session(engine) as session:
        batch_id = session.execute(select(ImportBatch.id)).scalar_one()
    monkeypatch.setattr("webapp.admin.transit.UPLOAD_BUDGET_S", 20)
    path = f"/admin/imports/{batch_id}"
    resumed = client.submit(f"{path}/resume", {"idempotency_key": page_key(client, path)}, form_page=path)
    assert resumed.status_code == 302
    with read_session(engine) as session:
        batch = session.get(ImportBatch, batch_id)
        actions = [e.action for e in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()]
    assert (batch.status, batch.credited) == ("done", 2)
    assert actions == ["import.upload", "import.resume"]


@pytest.mark.parametrize(
    ("data", "name", "text"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "trips.xlsx", "不是有效的 Excel 工作簿"),
        (b"x" * 300, "trips.csv", "文件太大"),
    ],
)
def test_files_it_cannot_take_are_refused_with_a_clear_message(client, admin, monkeypatch, data, name, text):
    trip_limits(monkeypatch, 200)
    response = upload(client, data, name)
    assert response.status_code == 400 and text in response.get_data(as_text=True)


def trip_limits(monkeypatch, max_bytes: int) -> None:
    """Operator trip files limited to ``max_bytes`` for one test (the page's check and the import's)."""
    limits = spreadsheets.Limits(max_bytes=max_bytes, max_rows=operator_imports.FILE_LIMITS.max_rows)
    monkeypatch.setattr(operator_imports, "FILE_LIMITS", limits)
    monkeypatch.setattr(transit, "TRIP_FILE_LIMITS", limits)


def post_large(client, data: bytes, key: str):
    """Upload ``data`` as a prepared body: the test client would spool a large form to a temporary file it
    never closes."""
    boundary = "trip-file-boundary"
    fields = {"csrf_token": client.csrf_token("/admin/imports"), "idempotency_key": key}
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/admin/imports/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_a_file_up_to_the_spreadsheet_limit_is_taken_and_a_larger_one_is_refused_clearly(
    client, engine, admin, stops, monkeypatch
):
    """A trip file at the import's limit (6 MB here; 50 MB in production) is larger than the app's photo
    limit; it is taken. A larger file is refused with the import's own message and no batch."""
    trip_limits(monkeypatch, 6 * 1024 * 1024)
    header = b"card_number,boarding_stop,alighting_stop,boarding_time,alighting_time,note\n"
    rows = [f"88888888,A,B,2026-01-01 08:00:00,2026-01-01 08:10:{n % 60:02d},".encode() for n in range(9_000)]
    width, longer = divmod(
        operator_imports.FILE_LIMITS.max_bytes - len(header) - sum(len(r) + 1 for r in rows), len(rows)
    )
    data = header + b"".join(r + b"n" * (width + (n < longer)) + b"\n" for n, r in enumerate(rows))
    assert (
        len(data) == operator_imports.FILE_LIMITS.max_bytes > client.application.config["MAX_CONTENT_LENGTH"]
    )
    assert post_large(client, data, "first").status_code == 302
    with read_session(engine) as session:
        assert session.execute(select(ImportBatch.total_rows)).scalar_one() == 9_000
    refused = post_large(client, data + b"n" * 1024, "second")
    assert refused.status_code == 400 and "文件太大" in refused.get_data(as_text=True)
    with read_session(engine) as session:
        assert len(session.execute(select(ImportBatch)).all()) == 1


def test_the_pages_read_in_english_too(client, admin):
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    page = client.get("/admin/imports").get_data(as_text=True)
    assert "Upload a trip file" in page and "No trip file has been imported yet." in page
