"""Importing stops and routes from XLSX and CSV: the preview, all-or-nothing apply, re-imports that update
instead of duplicating, and every kind of bad file refused with a clear reason."""

from __future__ import annotations

import io
import os
import zipfile

import pytest
from sqlalchemy import func, select

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.models import AuditEntry
from carbon_credit.stops import Route, RouteStop, Stop
from carbon_credit.stops import imports as stop_import
from tests.spreadsheet_files import workbook_bytes

HEADER = list(stop_import.COLUMNS)
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
    [
        "XG1-03",
        "槐荫公园",
        "Huaiyin Park",
        "xiaonan",
        30.9321,
        113.9165,
        "bus",
        "XG1",
        "孝感1路",
        "Bus 1",
        3,
        1650,
    ],
    [
        "XG1-03",
        "槐荫公园",
        "Huaiyin Park",
        "xiaonan",
        30.9321,
        113.9165,
        "bus",
        "XG3",
        "孝感3路",
        "Bus 3",
        1,
        0,
    ],
    ["XG3-04", "长征路", "Changzheng Road", "", 30.927, 113.9188, "bus", "XG3", "孝感3路", "Bus 3", 2, 720],
    ["HC-01", "汉川站", "Hanchuan Station", "hanchuan", 30.652, 113.835, "bus", "", "", "", "", ""],
]


def xlsx(rows, header=HEADER) -> bytes:
    return workbook_bytes(header, rows)


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    lines = [",".join(str(c) for c in header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.fixture
def folder_settings(settings, tmp_path):
    return settings.with_overrides(upload_folder=str(tmp_path / "uploads"))


@pytest.fixture
def admin(make_resident) -> int:
    return make_resident(role="admin")


def stage(engine, settings, data: bytes, filename="stops.xlsx"):
    with read_session(engine) as db:
        return stop_import.stage_import(session=db, settings=settings, data=data, filename=filename)


def run(engine, settings, admin, data: bytes, filename="stops.xlsx", key="k1"):
    staged = stage(engine, settings, data, filename)
    assert staged.preview.ok, staged.preview.errors
    with session_scope(engine) as db:
        result = stop_import.apply_import(
            session=db,
            settings=settings,
            actor_id=admin,
            name=staged.name,
            sha256=staged.sha256,
            filename=filename,
            idempotency_key=key,
        )
    stop_import.discard_import(settings=settings, name=staged.name)
    return staged, result


def counts(engine) -> tuple[int, int, int]:
    with read_session(engine) as db:
        return tuple(
            db.execute(select(func.count()).select_from(m)).scalar_one() for m in (Stop, Route, RouteStop)
        )


def test_an_xlsx_file_is_previewed_then_imported_with_routes_and_audit_entries(
    engine, folder_settings, admin
):
    staged, result = run(engine, folder_settings, admin, xlsx(ROWS))
    assert (staged.preview.new_stops, staged.preview.new_routes, staged.preview.rows) == (5, 2, 6)
    assert (result.new_stops, result.updated_stops, result.new_routes) == (5, 0, 2)
    assert counts(engine) == (5, 2, 5)
    with read_session(engine) as db:
        huaiyin = db.execute(select(Stop).where(Stop.code == "XG1-03")).scalar_one()
        bus3 = db.execute(select(Route).where(Route.code == "XG3")).scalar_one()
        query = select(RouteStop).where(RouteStop.route_id == bus3.id).order_by(RouteStop.position)
        places = [(p.stop_id, p.metres_from_start) for p in db.execute(query).scalars()]
        actions = sorted(e.action for e in db.execute(select(AuditEntry)).scalars())
    assert (huaiyin.name_en, huaiyin.latitude, huaiyin.longitude) == ("Huaiyin Park", 30.9321, 113.9165)
    assert places[0] == (huaiyin.id, 0) and places[1][1] == 720
    assert actions == ["route.create"] * 2 + ["stop.create"] * 5 + ["stops.import"]
    assert os.listdir(os.path.join(folder_settings.upload_folder, "imports")) == []  # discarded


def test_a_reimport_updates_by_code_instead_of_duplicating(engine, folder_settings, admin):
    run(engine, folder_settings, admin, xlsx(ROWS))
    changed = [list(r) for r in ROWS]
    changed[0][2] = "Xiaogan Railway Station (North Square)"
    changed[1][11] = 900
    staged, result = run(engine, folder_settings, admin, csv_bytes(changed), "stops.csv", key="k2")
    assert (result.new_stops, result.updated_stops, result.unchanged_stops) == (0, 1, 4)
    assert (result.new_routes, result.updated_routes, result.unchanged_routes) == (0, 1, 1)
    assert counts(engine) == (5, 2, 5)
    with read_session(engine) as db:
        station = db.execute(select(Stop).where(Stop.code == "XG1-01")).scalar_one()
        updates = db.execute(select(AuditEntry).where(AuditEntry.action.in_(["stop.update", "route.update"])))
        updates = {e.action: e for e in updates.scalars()}
    assert station.name_en == "Xiaogan Railway Station (North Square)"
    assert updates["stop.update"].before["name_en"] == "Xiaogan Railway Station"
    assert updates["route.update"].after["stops"][1] == ["XG1-02", 900]


def test_csv_with_a_bom_and_gbk_csv_from_chinese_excel_both_import(engine, folder_settings, admin):
    with_bom = b"\xef\xbb\xbf" + csv_bytes(ROWS[:3])
    assert stage(engine, folder_settings, with_bom, "stops.csv").preview.new_stops == 3
    gbk = csv_bytes(ROWS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    run(engine, folder_settings, admin, gbk, "站点.csv")
    with read_session(engine) as db:
        assert db.execute(select(Stop.name_zh).where(Stop.code == "XG3-04")).scalar_one() == "长征路"


def test_formula_cells_are_text_never_evaluated(engine, folder_settings, admin):
    rows = [
        list(ROWS[5]),
        ["HC-02", '=HYPERLINK("http://x")', "=1+1", "", 30.66, 113.84, "bus", "", "", "", "", ""],
    ]
    run(engine, folder_settings, admin, xlsx(rows))
    with read_session(engine) as db:
        stop = db.execute(select(Stop).where(Stop.code == "HC-02")).scalar_one()
    assert (stop.name_zh, stop.name_en) == ('=HYPERLINK("http://x")', "=1+1")
    rows[1][4] = "=30+0.66"
    errors = stage(engine, folder_settings, xlsx(rows)).preview.errors
    assert [(e.row, e.column, e.code) for e in errors] == [(3, "latitude", "stop_latitude_invalid")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({4: "abc"}, (2, "latitude", "纬度须为 -90 到 90 之间的数字")),
        ({4: 39.9, 5: 116.4}, (2, "latitude", "不在孝感市范围内")),
        ({1: ""}, (2, "name_zh", "名称不能为空")),
        ({0: "bad code"}, (2, "stop_code", "编码须为")),
        ({3: "wuhan"}, (2, "district_code", "没有编码为 wuhan 的区县")),
        ({6: "ferry"}, (2, "mode", "bus（公交）或 metro（地铁）")),
        ({10: 0}, (2, "position", "站序须为不小于 1 的整数")),
        ({11: ""}, (2, "metres_from_start", "此项不能为空")),
        ({11: 5000}, (3, "metres_from_start", "须沿站序递增")),
        ({8: "孝感一路"}, (3, "route_name_zh", "与第 2 行不一致")),
    ],
)
def test_row_errors_name_the_row_column_and_reason_and_nothing_is_kept(
    engine, folder_settings, change, expected
):
    rows = [list(r) for r in ROWS[:3]]
    for index, value in change.items():
        rows[0][index] = value
    staged = stage(engine, folder_settings, xlsx(rows))
    assert not staged.preview.ok and staged.name is None
    row, column, text = expected
    assert any(
        (e.row, e.column) == (row, column) and text in e.text("zh_Hans") for e in staged.preview.errors
    ), [(e.row, e.column, e.text("zh_Hans")) for e in staged.preview.errors]
    assert not os.path.exists(os.path.join(folder_settings.upload_folder, "imports"))  # nothing kept


def test_duplicate_codes_within_the_file_are_refused(engine, folder_settings):
    rows = [list(ROWS[5]), list(ROWS[5])]
    errors = stage(engine, folder_settings, xlsx(rows)).preview.errors
    assert [(e.row, e.column) for e in errors] == [(3, "stop_code")]
    assert "HC-01 重复（首次出现在第 2 行）" in errors[0].text("zh_Hans")
    assert "first on row 2" in errors[0].text("en")
    same_route_twice = [list(ROWS[0]), list(ROWS[1]), list(ROWS[0])]
    same_route_twice[2][10] = 3
    assert [e.row for e in stage(engine, folder_settings, xlsx(same_route_twice)).preview.errors] == [4]
    position_twice = [list(ROWS[0]), list(ROWS[1])]
    position_twice[1][10] = 1
    errors = stage(engine, folder_settings, xlsx(position_twice)).preview.errors
    assert errors[0].code == "route_position_repeated"


@pytest.mark.parametrize(
    ("header", "code", "detail"),
    [
        (HEADER[:3] + HEADER[4:], "spreadsheet_missing_columns", "district_code"),
        (HEADER[:7] + ["route_code"], "spreadsheet_missing_columns", "route_name_zh"),
        (HEADER[:6] + ["lattitude"], "stop_import_unknown_columns", "lattitude"),
        (HEADER + ["stop_code"], "stop_import_duplicate_columns", "stop_code"),
    ],
)
def test_wrong_or_missing_columns_are_refused(header, code, detail):
    with pytest.raises(DomainError) as refused:
        stop_import.read_rows(xlsx([["x"] * len(header)], header=header), "s.xlsx")
    assert refused.value.code == code and detail in refused.value.params["columns"]


def test_stop_columns_alone_are_enough_and_header_case_and_spaces_do_not_matter():
    rows = stop_import.read_rows(csv_bytes([ROWS[5][:7]], [f" {h.upper()} " for h in HEADER[:7]]), "s.csv")
    assert rows == [(2, dict(zip(HEADER[:7], [str(c) for c in ROWS[5][:7]], strict=True)))]


def png_bytes() -> bytes:
    from carbon_credit.platform.qr_images import qr_png

    return qr_png("hello")


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (lambda: png_bytes(), "stops.xlsx", "spreadsheet_unreadable"),
        (lambda: png_bytes(), "stops.csv", "spreadsheet_unreadable"),
        (lambda: os.urandom(4096), "stops.xlsx", "spreadsheet_unreadable"),
        (lambda: b"\x81\x30\xff\xfe" + os.urandom(64) + b"\xff\xff", "stops.csv", "spreadsheet_encoding"),
        (lambda: b"PK\x03\x04" + os.urandom(2048), "stops.xlsx", "spreadsheet_unreadable"),
        (lambda: zipped({"hello.txt": b"not a workbook"}), "stops.xlsx", "spreadsheet_unreadable"),
        (lambda: csv_bytes(ROWS), "stops.ods", "spreadsheet_unsupported_type"),
        (lambda: csv_bytes([]), "stops.csv", "spreadsheet_empty"),
        (lambda: b"", "stops.csv", "spreadsheet_empty"),
        (lambda: b"x" * (stop_import.FILE_LIMITS.max_bytes + 1), "stops.csv", "spreadsheet_too_large"),
    ],
)
def test_files_that_are_not_stop_tables_are_refused_clearly(data, filename, code):
    with pytest.raises(DomainError) as refused:
        stop_import.read_rows(data(), filename)
    assert refused.value.code == code


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def bomb(member_bytes: int) -> bytes:
    """A real workbook with one more member of zeros that compresses about 1000:1."""
    with zipfile.ZipFile(io.BytesIO(xlsx(ROWS))) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/zeros.bin"] = bytes(member_bytes)
    return zipped(members)


def test_a_zip_bomb_workbook_is_refused_before_openpyxl_opens_it():
    ratio_bomb = bomb(20 * 1024 * 1024)
    assert len(ratio_bomb) < stop_import.FILE_LIMITS.max_bytes
    with pytest.raises(DomainError) as refused:
        stop_import.read_rows(ratio_bomb, "stops.xlsx")
    assert refused.value.code == "spreadsheet_zip_bomb" and refused.value.params["ratio"] > 100
    big_bomb = bomb(101 * 1024 * 1024)
    with pytest.raises(DomainError) as refused:
        stop_import.read_rows(big_bomb, "stops.xlsx")
    assert refused.value.code == "spreadsheet_zip_bomb" and refused.value.params["size_mb"] == "101"


def test_confirm_refuses_a_changed_or_missing_file_and_imports_nothing(engine, folder_settings, admin):
    staged = stage(engine, folder_settings, xlsx(ROWS))
    path = stop_import.staged_path(settings=folder_settings, name=staged.name)
    path.write_bytes(xlsx(ROWS[:2]))
    for name, sha, code in (
        (staged.name, staged.sha256, "stop_import_changed"),
        ("0" * 32 + ".xlsx", staged.sha256, "stop_import_expired"),
        ("../../etc/passwd", staged.sha256, "stop_import_expired"),
    ):
        with pytest.raises(DomainError) as refused, session_scope(engine) as db:
            stop_import.apply_import(
                session=db,
                settings=folder_settings,
                actor_id=admin,
                name=name,
                sha256=sha,
                filename="x",
                idempotency_key="k",
            )
        assert refused.value.code == code
    assert counts(engine) == (0, 0, 0)


def test_a_double_tapped_confirm_imports_once(engine, folder_settings, admin):
    staged = stage(engine, folder_settings, xlsx(ROWS))
    for _ in range(2):
        with session_scope(engine) as db:
            result = stop_import.apply_import(
                session=db,
                settings=folder_settings,
                actor_id=admin,
                name=staged.name,
                sha256=staged.sha256,
                filename="x",
                idempotency_key="same",
            )
        stop_import.discard_import(settings=folder_settings, name=staged.name)
        assert result.new_stops == 5
    with read_session(engine) as db:
        imports = db.execute(select(func.count()).where(AuditEntry.action == "stops.import")).scalar_one()
    assert imports == 1 and counts(engine) == (5, 2, 5)
