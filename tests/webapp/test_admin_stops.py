"""The administrator's stops pages: forms with errors in Chinese on the same page, deactivation and token
rotation as a resident scanning a poster feels them, imports through upload -> preview -> confirm, printable
posters whose QR code decodes to the check-in URL, and 403 for everyone else."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from carbon_credit.demo.transit import seed_demo_transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.models import AuditEntry
from carbon_credit.platform.qr_images import qr_svg
from carbon_credit.stops import IMPORT_COLUMNS as COLUMNS
from carbon_credit.stops import Route, RouteStop, Stop, checkin_url, manual_code

PASSWORD = "correct-horse-9"
KEY = re.compile(r'name="idempotency_key" type="hidden" value="([^"]+)"')
HIDDEN = re.compile(r'name="(\w+)" type="hidden" value="([^"]*)"')
ROWS = [
    [
        "XG1-01",
        "孝感火车站",
        "Xiaogan Railway Station",
        "xiaonan",
        30.9262,
        113.9021,
        "bus",
        "XG1",
        "孝感1路",
        "Bus 1",
        1,
        0,
    ],
    [
        "XG1-02",
        "城站路口",
        "Chengzhan Road",
        "xiaonan",
        30.929,
        113.9098,
        "bus",
        "XG1",
        "孝感1路",
        "Bus 1",
        2,
        880,
    ],
    ["HC-01", "汉川站", "Hanchuan Station", "hanchuan", 30.652, 113.835, "bus", "", "", "", "", ""],
]


@pytest.fixture
def admin(make_resident, login) -> int:
    """An administrator, logged in through the form."""
    admin_id = make_resident(role="admin", email="admin@example.org", password=PASSWORD)
    login("admin@example.org", PASSWORD)
    return admin_id


@pytest.fixture
def demo(engine) -> dict[str, Stop]:
    with session_scope(engine) as db:
        seed_demo_transit(session=db)
    with read_session(engine) as db:
        return {s.code: s for s in db.execute(select(Stop)).scalars()}


def page_key(client, path: str) -> str:
    found = KEY.search(client.get(path).get_data(as_text=True))
    assert found, f"no idempotency key on {path}"
    return found.group(1)


def stop_form(**changes) -> dict[str, str]:
    values = {
        "code": "T-01",
        "name_zh": "槐荫公园",
        "name_en": "Huaiyin Park",
        "district": "xiaonan",
        "latitude": "30.9321",
        "longitude": "113.9165",
        "mode": "bus",
    }
    return {**values, **changes}


def submit_keyed(client, path: str, data: dict):
    return client.submit(path, {**data, "idempotency_key": page_key(client, path)})


def count(engine, model) -> int:
    with read_session(engine) as db:
        return db.execute(select(func.count()).select_from(model)).scalar_one()


def actions(engine) -> list[str]:
    with read_session(engine) as db:
        return list(db.execute(select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


def body(response) -> str:
    return response.get_data(as_text=True)


# --- stops ------------------------------------------------------------------------------------------------


def test_adding_a_stop_shows_errors_in_chinese_on_the_same_page_then_saves(client, engine, admin):
    bad = submit_keyed(client, "/admin/stops/new", stop_form(name_zh=" ", latitude="39.9", longitude="116.4"))
    page = body(bad)
    assert bad.status_code == 400
    assert "请修改标出的内容" in page and "名称不能为空" in page and "不在孝感市范围内" in page
    assert 'value="Huaiyin Park"' in page  # what was typed stays
    assert count(engine, Stop) == 0
    saved = submit_keyed(client, "/admin/stops/new", stop_form())
    assert saved.status_code == 302
    with read_session(engine) as db:
        stop = db.execute(select(Stop)).scalar_one()
    assert saved.headers["Location"].endswith(f"/admin/stops/{stop.id}/edit")
    again = submit_keyed(client, "/admin/stops/new", stop_form())
    assert again.status_code == 400 and "站点编码 T-01 已被使用" in body(again)
    assert actions(engine) == ["stop.create"]


def test_english_administrators_get_english_errors(client, engine, admin):
    client.submit("/lang", {"lang": "en", "next": "/"}, form_page="/")
    bad = submit_keyed(client, "/admin/stops/new", stop_form(latitude="north"))
    assert bad.status_code == 400 and "The latitude must be a number between -90 and 90" in body(bad)


def test_editing_and_deactivating_a_stop_refuses_its_posters_scans(client, engine, settings, admin, demo):
    stop = demo["XG1-03"]
    path = f"/admin/stops/{stop.id}/edit"
    edited = submit_keyed(client, path, stop_form(code="IGNORED", name_en="Huaiyin Park East"))
    assert edited.status_code == 302
    scan_path = checkin_url(stop, settings).removeprefix(settings.public_base_url)
    assert client.get(scan_path).status_code == 200
    deactivated = client.submit(
        f"/admin/stops/{stop.id}/deactivate",
        {"active": "0", "idempotency_key": page_key(client, path)},
        form_page=path,
    )
    assert deactivated.status_code == 302
    refused = client.get(scan_path)
    assert refused.status_code == 400 and "该站点暂停扫码乘车打卡" in body(refused)
    assert 'data-testid="inactive"' in body(client.get(path))
    client.submit(
        f"/admin/stops/{stop.id}/deactivate",
        {"active": "1", "idempotency_key": page_key(client, path)},
        form_page=path,
    )
    assert client.get(scan_path).status_code == 200
    with read_session(engine) as db:
        saved = db.get(Stop, stop.id)
    assert (saved.code, saved.name_en, saved.is_active) == ("XG1-03", "Huaiyin Park East", True)
    assert actions(engine) == ["stop.update", "stop.deactivate", "stop.activate"]


def test_the_stop_list_searches_and_filters(client, engine, admin, demo):
    with read_session(engine) as db:
        bus8 = db.execute(select(Route).where(Route.code == "XG8")).scalar_one()
    page = body(client.get("/admin/stops?q=park"))
    assert "Huaiyin Park" in page and "Dongyong Park" in page and "Beijing Road" not in page
    page = body(client.get(f"/admin/stops?route={bus8.id}"))
    assert "银泰城" in page and "孝感火车站" not in page
    assert "没有符合条件的站点" in body(client.get("/admin/stops?active=0"))


def test_rotating_warns_then_voids_the_old_poster_and_says_to_print_the_new_one(
    client, engine, settings, admin, demo
):
    stop = demo["XG1-01"]
    old_path = checkin_url(stop, settings).removeprefix(settings.public_base_url)
    confirm = body(client.get(f"/admin/stops/{stop.id}/rotate"))
    assert "所有已打印的海报将立即失效" in confirm
    done = submit_keyed(client, f"/admin/stops/{stop.id}/rotate", {})
    assert done.status_code == 200
    assert "旧海报已失效" in body(done) and f"/admin/stops/{stop.id}/poster" in body(done)
    refused = client.submit(old_path, {"idempotency_key": "old-poster-scan"}, form_page="/admin/stops")
    assert refused.status_code == 400 and "已被新海报替换" in body(refused)
    with read_session(engine) as db:
        rotated = db.get(Stop, stop.id)
    new_path = checkin_url(rotated, settings).removeprefix(settings.public_base_url)
    poster = body(client.get(f"/admin/stops/{stop.id}/poster"))
    assert "v2" in poster
    page = body(client.get(new_path))
    key = KEY.search(page).group(1)
    assert client.submit(new_path, {"idempotency_key": key}).status_code == 200
    assert actions(engine) == ["stop.rotate_token"]


# --- posters ----------------------------------------------------------------------------------------------


def test_a_poster_is_a_self_contained_a4_page_with_both_names_instructions_and_an_inline_qr(
    client, admin, demo
):
    stop = demo["XG1-03"]
    page = body(client.get(f"/admin/stops/{stop.id}/poster"))
    assert "槐荫公园" in page and "Huaiyin Park" in page
    assert "上车扫码打卡" in page and "Scan when you board" in page
    assert "孝感碳普惠" in page and "Xiaogan Carbon Inclusion" in page
    assert "<svg" in page and "@page" in page and "A4" in page
    assert not re.search(r"<(link|script|img)\b", page)  # no external assets at all


def test_route_posters_are_one_page_per_stop_in_route_order(client, engine, admin, demo):
    with read_session(engine) as db:
        bus1 = db.execute(select(Route).where(Route.code == "XG1")).scalar_one()
    page = body(client.get(f"/admin/routes/{bus1.id}/posters"))
    assert re.findall(r'data-stop="([^"]+)"', page) == [f"XG1-0{n}" for n in range(1, 7)]
    assert page.count("<svg") == 6 and "page-break-after: always" in page


def decode_qr(png: bytes, tmp_path) -> str:
    zbarimg = shutil.which("zbarimg") or ("/usr/bin/zbarimg" if os.path.exists("/usr/bin/zbarimg") else None)
    if zbarimg is None:
        if os.environ.get("CI") == "true":
            pytest.fail("zbarimg (Debian zbar-tools) is required under CI=true")
        pytest.skip("zbarimg (Debian zbar-tools) is not installed: cannot decode the QR code")
    path = tmp_path / "qr.png"
    path.write_bytes(png)
    result = subprocess.run([zbarimg, "-q", "--raw", str(path)], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_the_qr_png_decodes_to_the_stops_check_in_url(client, settings, admin, demo, tmp_path):
    stop = demo["XG8-05"]
    response = client.get(f"/admin/stops/{stop.id}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert decode_qr(response.data, tmp_path) == checkin_url(stop, settings, "http://localhost/")


def use_settings(client, **changes) -> None:
    """Run the app on from now with some settings changed (as if started with other environment values)."""
    carbon = client.application.extensions["carbon"]
    carbon["settings"] = carbon["settings"].with_overrides(**changes)


def test_posters_point_to_the_address_they_were_printed_from_unless_public_base_url_is_set(
    client, settings, admin, demo
):
    stop = demo["XG1-01"]
    path = f"/admin/stops/{stop.id}/poster"
    signed_in = client.get_cookie("session", domain="localhost")
    client.set_cookie("session", signed_in.value, domain="stops.example.cn")  # the same browser, served there
    served = body(client.get(path, base_url="https://stops.example.cn"))
    assert qr_svg(checkin_url(stop, settings, "https://stops.example.cn/")) in served
    assert 'data-testid="loopback-warning"' not in served and "https://stops.example.cn" in served
    use_settings(client, public_base_url="https://cc.example.cn")
    public = body(client.get(path, base_url="https://stops.example.cn"))
    assert qr_svg(f"https://cc.example.cn{checkin_url(stop, settings)}") in public
    assert 'data-testid="loopback-warning"' not in public and 'data-testid="base-note"' not in public


@pytest.mark.parametrize("public_base_url", ["", "http://127.0.0.1:5000"])
def test_a_poster_printed_from_a_loopback_address_warns_on_screen_only(client, admin, demo, public_base_url):
    use_settings(client, public_base_url=public_base_url)
    page = body(client.get(f"/admin/routes/{demo['XG1-01'].id}/posters"))
    warning = re.search(r'<div class="screen-only"[^>]*>.*?</div>', page, re.S).group(0)
    assert 'data-testid="loopback-warning"' in warning and "只有本机能打开" in warning
    assert "@media print { .screen-only { display: none; } }" in page


def test_the_code_printed_under_the_qr_code_takes_a_resident_to_the_stop(client, settings, admin, demo):
    stop = demo["XG3-02"]
    poster = body(client.get(f"/admin/stops/{stop.id}/poster"))
    printed = re.search(r'data-testid="manual-code">([^<]+)<', poster).group(1)
    assert printed == manual_code(stop, settings) and "扫不了码？" in poster and "v1" in poster
    typed = client.get("/scan", query_string={"code": printed.lower()})
    assert (typed.status_code, typed.headers["Location"]) == (303, checkin_url(stop, settings))


def test_the_stop_and_route_tables_scroll_in_their_own_container_with_named_columns(client, admin, demo):
    for path in ("/admin/stops", "/admin/routes"):
        page = body(client.get(path))
        assert 'class="table-scroll" tabindex="0" role="region"' in page, path
        assert "<th></th>" not in page and "overflow-auto" not in page, path


# --- routes -----------------------------------------------------------------------------------------------


def test_a_route_is_created_and_edited_with_increasing_distances(client, engine, admin, demo):
    form = {"code": "XG9", "name_zh": "孝感9路", "name_en": "Bus 9", "mode": "bus", "is_active": "y"}
    bad = submit_keyed(client, "/admin/routes/new", {**form, "stops": "XG1-01, 0\nXG1-02, 500\nXG1-03, 400"})
    assert bad.status_code == 400 and "第 3 行：距起点距离须沿站序递增" in body(bad)
    saved = submit_keyed(
        client, "/admin/routes/new", {**form, "stops": "XG1-01, 0\nXG1-02, 500\nXG1-03, 1400"}
    )
    assert saved.status_code == 302
    with read_session(engine) as db:
        route = db.execute(select(Route).where(Route.code == "XG9")).scalar_one()
    path = f"/admin/routes/{route.id}/edit"
    assert "XG1-02, 500" in body(client.get(path))
    submit_keyed(client, path, {**form, "is_active": "", "stops": "XG1-01, 0\nXG1-03, 1300"})
    with read_session(engine) as db:
        route = db.get(Route, route.id)
        places = db.execute(select(func.count()).where(RouteStop.route_id == route.id)).scalar_one()
    assert (route.is_active, places) == (False, 2)
    assert "XG9" in body(client.get("/admin/routes"))
    assert actions(engine) == ["route.create", "route.update"]


# --- import -----------------------------------------------------------------------------------------------


def xlsx(rows, header=COLUMNS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(header))
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    lines = [",".join(COLUMNS)] + [",".join(str(c) for c in row) for row in rows]
    return "\r\n".join(lines).encode(encoding)


def upload(client, data: bytes, filename: str):
    return client.submit(
        "/admin/stops/import",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def confirm(client, preview_page: str):
    fields = dict(HIDDEN.findall(preview_page))
    return client.post("/admin/stops/import/confirm", data=fields)


def test_import_xlsx_preview_then_confirm_then_reimport_csv_updates(client, engine, admin):
    assert "stop_code, name_zh, name_en" in body(client.get("/admin/stops/import"))
    preview = upload(client, xlsx(ROWS), "stops.xlsx")
    page = body(preview)
    assert preview.status_code == 200 and "导入预览" in page
    assert re.search(r'class="figure">3</span>个新站点', page) and re.search(
        r'class="figure">1</span>条新线路', page
    )
    assert count(engine, Stop) == 0  # nothing before the confirmation
    done = confirm(client, page)
    assert done.status_code == 200 and "新增站点 3 个" in body(done)
    assert (count(engine, Stop), count(engine, Route), count(engine, RouteStop)) == (3, 1, 2)
    again = confirm(client, page)  # a double-tapped button: the same outcome, nothing done twice
    assert again.status_code == 200 and "新增站点 3 个" in body(again)
    fields = dict(HIDDEN.findall(page))
    stale = client.post("/admin/stops/import/confirm", data={**fields, "idempotency_key": "another-tab"})
    assert stale.status_code == 400 and "这次上传已失效" in body(stale)  # the staged file is gone
    assert actions(engine).count("stops.import") == 1
    changed = [list(r) for r in ROWS]
    changed[2][2] = "Hanchuan Railway Station"
    page = body(upload(client, csv_bytes(changed), "stops.csv"))
    assert re.search(r'class="figure">1</span>个站点将更新', page)
    assert "更新 1 个" in body(confirm(client, page))
    assert (count(engine, Stop), count(engine, Route), count(engine, RouteStop)) == (3, 1, 2)
    with read_session(engine) as db:
        assert (
            db.execute(select(Stop.name_en).where(Stop.code == "HC-01")).scalar_one()
            == "Hanchuan Railway Station"
        )
    assert actions(engine).count("stops.import") == 2 and actions(engine).count("stop.update") == 1


def test_gbk_csv_imports(client, engine, admin):
    page = body(upload(client, csv_bytes(ROWS, encoding="gbk"), "站点.csv"))
    confirm(client, page)
    with read_session(engine) as db:
        assert db.execute(select(Stop.name_zh).where(Stop.code == "HC-01")).scalar_one() == "汉川站"


def zip_bomb() -> bytes:
    with zipfile.ZipFile(io.BytesIO(xlsx(ROWS))) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/zeros.bin"] = bytes(101 * 1024 * 1024)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bad_rows():
    rows = [list(r) for r in ROWS]
    rows[1][4] = 39.9  # Beijing latitude
    rows.append(list(ROWS[2]))  # HC-01 twice
    return rows


BAD_FILES = {
    "missing columns": (lambda: xlsx([r[:6] for r in ROWS], COLUMNS[:6]), "stops.xlsx", "缺少列：mode"),
    "bad coordinates and duplicates": (lambda: xlsx(bad_rows()), "stops.xlsx", "不在孝感市范围内"),
    "png renamed": (lambda: open_png(), "stops.xlsx", "不是有效的 Excel 工作簿"),
    "random bytes": (lambda: os.urandom(3000), "stops.xlsx", "不是有效的 Excel 工作簿"),
    "zip bomb": (zip_bomb, "stops.xlsx", "解压后过大"),
    "other type": (lambda: csv_bytes(ROWS), "stops.numbers", "只能导入 .xlsx 或 .csv 文件"),
}


def open_png() -> bytes:
    from carbon_credit.platform.qr_images import qr_png

    return qr_png("not a workbook")


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_imports_give_a_clear_error_and_import_nothing(client, engine, admin, case):
    data, filename, expected = BAD_FILES[case]
    before = (count(engine, Stop), count(engine, Route), count(engine, AuditEntry))
    response = upload(client, data(), filename)
    assert response.status_code == 400
    assert expected in body(response), body(response)[-2000:]
    assert "/admin/stops/import/confirm" not in body(response)
    assert (count(engine, Stop), count(engine, Route), count(engine, AuditEntry)) == before


def test_row_errors_are_listed_with_row_column_and_reason(client, admin):
    page = body(upload(client, xlsx(bad_rows()), "stops.xlsx"))
    assert "文件中有 2 处错误" in page
    assert re.search(r"<td>3</td><td><code>latitude</code></td><td>坐标不在孝感市范围内", page)
    assert re.search(r"<td>5</td><td><code>stop_code</code></td><td>站点编码 HC-01 重复", page)
    assert "/admin/stops/import/confirm" not in page


def test_a_50_mb_file_is_refused_with_a_clear_message(client, engine, admin):
    fields = {"csrf_token": client.csrf_token("/admin/stops/import")}
    content = io.BytesIO(b"stop_code\r\n" + b"x" * (50 * 1024 * 1024))
    fields["file"] = FileStorage(stream=content, filename="stops.csv", content_type="text/csv")
    boundary, data = encode_multipart(fields)  # in memory: the test client would leave a temporary file open
    response = client.post(
        "/admin/stops/import", data=data, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    page = body(response)
    assert "文件太大（约 50 MB）" in page and "上限为 5.0 MB" in page and "未导入任何内容" in page
    assert count(engine, Stop) == 0


# --- access -----------------------------------------------------------------------------------------------

GETS = [
    "/admin/stops",
    "/admin/stops/new",
    "/admin/stops/1/edit",
    "/admin/stops/1/rotate",
    "/admin/stops/1/poster",
    "/admin/stops/1/qr.png",
    "/admin/routes",
    "/admin/routes/new",
    "/admin/routes/1/edit",
    "/admin/routes/1/posters",
    "/admin/stops/import",
]
POSTS = [
    "/admin/stops/new",
    "/admin/stops/1/edit",
    "/admin/stops/1/deactivate",
    "/admin/stops/1/rotate",
    "/admin/routes/new",
    "/admin/routes/1/edit",
    "/admin/stops/import",
    "/admin/stops/import/confirm",
]


@pytest.mark.parametrize("role", ["resident", "merchant"])
def test_everyone_but_administrators_gets_403_on_every_stops_page(
    client, engine, make_resident, login, demo, role
):
    make_resident(role=role, email="someone@example.org", password=PASSWORD)
    login("someone@example.org", PASSWORD)
    for path in GETS:
        assert client.get(path).status_code == 403, path
    for path in POSTS:
        data = {"idempotency_key": "k", "active": "0"}
        assert client.submit(path, data, form_page="/").status_code == 403, path
    assert actions(engine) == []
    with read_session(engine) as db:
        assert db.get(Stop, 1).is_active and db.get(Stop, 1).token_version == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/admin/stops")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
