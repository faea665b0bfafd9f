"""What every workbook shares: write-only sheets with bold headers, cells that are never formulas, kilograms
and Beijing wall times as Excel wants them, district names, and the methodologies and factors sheet.

Two writers: openpyxl's write-only mode for the small workbooks (campaign report, a resident's copy, the
registry), and XlsxWriter's ``constant_memory`` mode for the auditor export (millions of rows: about 1.5x
faster than openpyxl, rows flushed to a temporary file one at a time): ``streaming_book``,
``streaming_sheet``, ``streaming_methodology_sheet``.

No text is ever written as a formula: a string that Excel could read as one (``=``, ``+``, ``-``, ``@``, or
an error code like ``#N/A``) is forced to a text cell (openpyxl: :func:`safe`; XlsxWriter: every string is
written as a string, ``strings_to_formulas`` off, and :func:`text` drops the characters Excel refuses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.platform import clock
from carbon_credit.platform.i18n import translate
from carbon_credit.residents import District
from quantification import list_methodologies

Progress = Callable[[int, int], None]  # (rows written, rows expected)
FORMULA_PREFIXES = ("=", "+", "-", "@")
KG_FORMAT = "#,##0.000"
METHODOLOGY_HEADERS = (
    "xlsx.methodology_id",
    "xlsx.methodology_version",
    "xlsx.title_zh",
    "xlsx.title_en",
    "xlsx.methodology_source",
    "xlsx.factor",
    "xlsx.factor_value",
    "xlsx.unit",
    "xlsx.status",
    "xlsx.factor_source",
    "xlsx.source_url",
)
_BOLD = Font(bold=True)
# XlsxWriter: strings are never read as formulas, URLs or numbers; times and days have their Excel formats.
STREAMING_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "yyyy-mm-dd hh:mm:ss",
}
DAY_FORMAT = "yyyy-mm-dd"


def safe(ws, value: Any) -> Any:
    """The value to append: strings lose characters Excel refuses, and a string that could be read as a
    formula or an error code becomes an explicit text cell (``data_type = "s"``); other values unchanged."""
    if type(value) is not str:
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES) or value in ERROR_CODES:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int] = ()):
    """A write-only sheet with bold headers and column widths."""
    ws = wb.create_sheet(title[:31])
    for index, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        cell.font = _BOLD
        header_cells.append(cell)
    ws.append(header_cells)
    return ws


def kg(ws, grams: int) -> WriteOnlyCell:
    """Whole grams as a kilogram cell with three decimals."""
    cell = WriteOnlyCell(ws, value=Decimal(grams) / 1000)
    cell.number_format = KG_FORMAT
    return cell


def wall_time(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: the Beijing wall time without tzinfo (a naive value is taken as UTC)."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(clock.BEIJING).replace(tzinfo=None)


def district_names(session: Session, locale: str) -> Callable[[int], str]:
    """District id -> its name in the language ("none" for 0 or an unknown id)."""
    query = select(District.id, District.name_zh, District.name_en)
    names = {i: (en if locale == "en" else zh) for i, zh, en in session.execute(query)}
    none = translate("xlsx.none", locale)
    return lambda key: names.get(key, none) if key else none


def methodology_rows() -> Iterator[tuple]:
    """One row per factor of every shipped methodology version (a methodology without factors: one row)."""
    for m in list_methodologies():
        head = (m.id, m.version, m.title_zh, m.title_en, m.source.cite())
        if not m.factors:
            yield (*head, None, None, None, m.status, None, m.source.url)
        for factor in m.factors.values():
            source = factor.source
            yield (*head, factor.key, factor.value, factor.unit, factor.status, source.cite(), source.url)


def methodology_sheet(wb: Workbook, locale: str) -> int:
    """The methodologies and factors sheet, shared by both workbooks; returns its rows."""
    headers = [translate(code, locale) for code in METHODOLOGY_HEADERS]
    title = translate("xlsx.sheet.methodologies", locale)
    ws = sheet(wb, title, headers, (18, 10, 24, 24, 40, 22) + (12,) * 3)
    count = 0
    for row in methodology_rows():
        ws.append([safe(ws, v) for v in row])
        count += 1
    return count


def streaming_book(path: str | Path) -> xlsxwriter.Workbook:
    """An XlsxWriter workbook in constant-memory mode (rows go to a temporary file as they are written) that
    writes every string as text and ``datetime.date`` values as days (times get the default format)."""
    return xlsxwriter.Workbook(str(path), STREAMING_OPTIONS)


def streaming_sheet(
    book: xlsxwriter.Workbook, title: str, headers: Sequence[str], widths: Sequence[int] = ()
):
    """A sheet of :func:`streaming_book` with bold headers in row 0, column widths, and days written as days;
    write data rows from row 1 on, in order (``write_row``), each value through :func:`text` if a string."""
    ws = book.add_worksheet(title[:31])
    for index, width in enumerate(widths):
        ws.set_column(index, index, width)
    bold, day = book.add_format({"bold": True}), book.add_format({"num_format": DAY_FORMAT})
    ws.add_write_handler(date, lambda ws, row, col, value, _=None: ws.write_datetime(row, col, value, day))
    for index, header in enumerate(headers):
        ws.write_string(0, index, header, bold)
    return ws


def text(value: Any) -> Any:
    """A string without the control characters Excel refuses (other values unchanged); for XlsxWriter."""
    if type(value) is str and ILLEGAL_CHARACTERS_RE.search(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def streaming_methodology_sheet(book: xlsxwriter.Workbook, locale: str) -> int:
    """The methodologies and factors sheet of :func:`methodology_sheet` in a streaming workbook."""
    headers = [translate(code, locale) for code in METHODOLOGY_HEADERS]
    title = translate("xlsx.sheet.methodologies", locale)
    ws = streaming_sheet(book, title, headers, (18, 10, 24, 24, 40, 22) + (12,) * 3)
    count = 0
    for count, row in enumerate(methodology_rows(), 1):
        ws.write_row(count, 0, [text(v) for v in row])
    return count
