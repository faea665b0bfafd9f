"""The one spreadsheet reader every import uses: XLSX and CSV read alike as text rows, within one set of
limits, and every file it cannot take refused with one clear, translated reason."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from carbon_credit.platform import spreadsheets
from carbon_credit.platform.i18n import message
from carbon_credit.platform.spreadsheets import SpreadsheetError
from tests.spreadsheet_files import workbook_bytes

HEADER = ["code", "name", "when"]


def xlsx(rows, header=HEADER) -> bytes:
    return workbook_bytes(header, rows)


def csv_bytes(rows, header=HEADER, encoding="utf-8") -> bytes:
    lines = [",".join(str(c) for c in line) for line in [header, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


LIMITS = spreadsheets.Limits(max_bytes=5 * 1024 * 1024, max_rows=10_000)


def refusal(data: bytes, filename: str, limits: spreadsheets.Limits = LIMITS) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.read(data, filename, limits)
    return refused.value


def test_a_workbook_and_a_csv_file_read_as_the_same_text_rows():
    rows = [["XG1-01", "孝感火车站", datetime(2026, 3, 12, 8, 15)], [30, 113.9021, None], ["", "", ""]]
    book = spreadsheets.read(xlsx(rows), "stops.xlsx", LIMITS)
    text = spreadsheets.read(
        csv_bytes([["XG1-01", "孝感火车站", "2026-03-12T08:15:00"], [30, 113.9021]]), "s.csv", LIMITS
    )
    assert (book.format, text.format) == ("xlsx", "csv")
    assert book.header == text.header == ("code", "name", "when")
    assert (
        book.rows
        == text.rows
        == ((2, ("XG1-01", "孝感火车站", "2026-03-12T08:15:00")), (3, ("30", "113.9021")))
    )


def test_formula_looking_cells_are_their_text_never_evaluated():
    rows = [["=1+1", '=HYPERLINK("http://x")', "@SUM(A1)"]]
    for data, name in ((xlsx(rows), "f.xlsx"), (csv_bytes(rows), "f.csv")):
        assert spreadsheets.read(data, name, LIMITS).rows == (
            (2, ("=1+1", '=HYPERLINK("http://x")', "@SUM(A1)")),
        )


def test_csv_from_chinese_excel_with_a_bom_or_in_gbk_is_read_and_other_bytes_are_refused():
    for data in (
        b"\xef\xbb\xbf" + csv_bytes([["A", "长征路"]]),
        csv_bytes([["A", "长征路"]], encoding="gbk"),
    ):
        sheet = spreadsheets.read(data, "站点.csv", LIMITS)
        assert sheet.header[0] == "code" and sheet.rows[0][1] == ("A", "长征路")
    undecodable = b"code,name\r\n\x81\x30\xff\xfe,x\r\n"
    assert refusal(undecodable, "s.csv").code == "spreadsheet_encoding"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "s.xlsx"),  # a broken zip
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "s.csv"),  # an image named .csv
        (b"code,name\r\nab\x00cd,x\r\n", "s.csv"),  # NUL in text
        (b"not a zip at all", "s.xlsx"),
    ],
)
def test_malformed_files_are_refused_as_unreadable(data, filename):
    refused = refusal(data, filename)
    assert refused.code == "spreadsheet_unreadable"
    assert "不是有效的 Excel 工作簿" in message(refused, "zh_Hans") and "Nothing was imported" in message(
        refused, "en"
    )


def test_a_zip_without_a_workbook_and_a_zip_bomb_are_refused_before_openpyxl_opens_them():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("hello.txt", b"not a workbook")
    assert refusal(buffer.getvalue(), "s.xlsx").code == "spreadsheet_unreadable"
    with zipfile.ZipFile(io.BytesIO(xlsx([["a", "b", "c"]]))) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    members["xl/media/zeros.bin"] = bytes(20 * 1024 * 1024)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    refused = refusal(bomb.getvalue(), "s.xlsx")
    assert (
        refused.code == "spreadsheet_zip_bomb"
        and refused.params["ratio"] > spreadsheets.MAX_COMPRESSION_RATIO
    )


@pytest.mark.parametrize(
    ("data", "filename"), [(b"", "s.csv"), (csv_bytes([]), "s.csv"), (xlsx([]), "s.xlsx")]
)
def test_an_empty_file_or_a_header_alone_is_refused_as_empty(data, filename):
    assert refusal(data, filename).code == "spreadsheet_empty"


def test_one_set_of_limits_for_size_rows_columns_and_cells():
    too_big = refusal(b"x" * (LIMITS.max_bytes + 1), "s.csv")
    assert (too_big.code, too_big.params["limit_mb"]) == ("spreadsheet_too_large", "5.0")
    three = spreadsheets.Limits(max_bytes=LIMITS.max_bytes, max_rows=3)
    rows = [["A", str(n)] for n in range(4)]
    for data, name in ((csv_bytes(rows), "s.csv"), (xlsx(rows), "s.xlsx")):
        assert refusal(data, name, three).params == {"max": 3}
    assert (
        len(spreadsheets.read(csv_bytes(rows[:3] + [[""]] * 3), "s.csv", three).rows) == 3
    )  # blanks are free
    wide = [["x"] * (spreadsheets.MAX_COLUMNS + 1)]
    for data, name in ((csv_bytes(wide), "s.csv"), (xlsx(wide), "s.xlsx")):
        assert (refusal(data, name).code, refusal(data, name).params["row"]) == (
            "spreadsheet_too_many_columns",
            2,
        )
    long_cell = [["A", "长" * (spreadsheets.MAX_CELL_CHARS + 1)]]
    refused = refusal(csv_bytes(long_cell), "s.csv")
    assert (refused.code, refused.params["row"], refused.params["column"]) == (
        "spreadsheet_cell_too_long",
        2,
        2,
    )


def test_types_are_told_by_content_and_only_csv_text_by_name():
    assert refusal(csv_bytes([["A", "B"]]), "stops.ods").code == "spreadsheet_unsupported_type"
    assert refusal(csv_bytes([["A", "B"]]), "stops.xlsx").code == "spreadsheet_unreadable"
    assert (
        spreadsheets.read(xlsx([["A", "B"]]), "upload.bin", LIMITS).format == "xlsx"
    )  # a workbook, whatever its name


def test_missing_columns_are_named():
    spreadsheets.require_columns(["code", "name"], ["name"])
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.require_columns(["code"], ["code", "name", "when"])
    assert "缺少列：name, when" in message(refused.value, "zh_Hans")
