"""The one spreadsheet reader: an uploaded XLSX workbook (its first sheet) or CSV file as a header and rows of
text, for every import (stops and routes, operator trips).

Checks, in order, before anything is parsed: the size (the import's :class:`Limits`); the type by content,
never by name (a zip is a workbook; PNG, JPEG, PDF, GIF, old ``.xls``, gzip and RAR data, or a ``.xlsx``
name on anything but a zip, is not a spreadsheet; other names than ``.csv``/``.txt`` are refused); for a
workbook the zip's member count, declared uncompressed total and compression ratio (zip bombs: Python's
zipfile never inflates a member past its declared size), then openpyxl with ``read_only=True``. CSV text is
UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK, which Chinese Excel writes), else refused.

Every cell is text: numbers without a spurious ".0", dates in ISO 8601, and a formula cell is its formula
text ("=1+1"), never evaluated. Blank rows are skipped; row numbers are the file's own (the header is row 1,
as Excel shows it). At most the import's ``max_rows`` data rows, :data:`MAX_COLUMNS` columns and
:data:`MAX_CELL_CHARS` characters in a cell. Every refusal is a :class:`SpreadsheetError` whose code has a
message in ``carbon_credit/platform/messages/spreadsheets.py``.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from carbon_credit.platform.errors import DomainError

MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
MAX_COLUMNS = 64
MAX_CELL_CHARS = 1_000
BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"%PDF", b"GIF8", b"\xd0\xcf\x11\xe0", b"Rar!", b"\x1f\x8b")
ZIP_MAGIC = b"PK\x03\x04"

Line = tuple[int, list[str]]


@dataclass(frozen=True, slots=True)
class Limits:
    """How large one kind of import may be: the file (and, for a workbook, 20 times that unpacked) and its
    data rows. Everything else (columns, cell length, zip checks, error codes) is the same for all."""

    max_bytes: int
    max_rows: int

    @property
    def max_unpacked_bytes(self) -> int:
        return 20 * self.max_bytes


class SpreadsheetError(DomainError):
    """An upload that is not a readable spreadsheet within the limits; nothing of it was imported."""

    code = "spreadsheet_unreadable"


@dataclass(frozen=True, slots=True)
class Sheet:
    """A read spreadsheet: its format ("xlsx" or "csv"), row 1's names and the data rows as
    (row number, cells), blank rows left out."""

    format: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def read(data: bytes, filename: str, limits: Limits) -> Sheet:
    """Check and read an upload (``filename`` is the client's name: only CSV versus other types is taken
    from it) within the import's ``limits``; SpreadsheetError for anything it refuses."""
    check_size(len(data), limits)
    kind = file_format(data, filename)
    if kind == "csv":
        return _collect(kind, _csv_lines(data), limits.max_rows)
    with _workbook_lines(data, limits) as lines:
        return _collect(kind, lines, limits.max_rows)


def check_size(size: int, limits: Limits) -> None:
    """SpreadsheetError ``spreadsheet_too_large`` above ``limits.max_bytes`` (checked before anything
    else, also from a request's Content-Length before its body is read)."""
    if size > limits.max_bytes:
        raise SpreadsheetError("spreadsheet_too_large", size_mb=_mb(size), limit_mb=_mb(limits.max_bytes))


def file_format(data: bytes, filename: str) -> str:
    """ "xlsx" for a zip (checked further when read), "csv" for text named .csv or .txt; else refused."""
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(BINARY_MAGIC):
        raise SpreadsheetError("spreadsheet_unreadable")
    if not name.endswith((".csv", ".txt")):
        raise SpreadsheetError("spreadsheet_unsupported_type")
    return "csv"


def require_columns(present: Iterable[str], needed: Iterable[str]) -> None:
    """SpreadsheetError ``spreadsheet_missing_columns`` naming every needed column not present."""
    names = set(present)
    missing = [name for name in needed if name not in names]
    if missing:
        raise SpreadsheetError("spreadsheet_missing_columns", columns=", ".join(missing))


# --- rows -------------------------------------------------------------------------------------------------


def _collect(kind: str, lines: Iterator[Line], max_rows: int) -> Sheet:
    """The header (the first line) and the non-blank data rows, within the limits."""
    first = next(lines, None)
    if first is None:
        raise SpreadsheetError("spreadsheet_empty")
    header = _checked(*first)
    rows: list[tuple[int, tuple[str, ...]]] = []
    for number, raw in lines:
        if number > 2 * max_rows + 1:  # blank rows are skipped, but a sheet of them cannot hold the reader
            raise SpreadsheetError("spreadsheet_too_many_rows", max=max_rows)
        cells = _checked(number, raw)
        if not cells:
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError("spreadsheet_too_many_rows", max=max_rows)
        rows.append((number, cells))
    if not rows:
        raise SpreadsheetError("spreadsheet_empty")
    return Sheet(kind, header, tuple(rows))


def _checked(number: int, cells: list[str]) -> tuple[str, ...]:
    """A line without its trailing empty cells, refused if too wide or with a cell too long."""
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    if end > MAX_COLUMNS:
        raise SpreadsheetError("spreadsheet_too_many_columns", row=number, max=MAX_COLUMNS)
    for column, cell in enumerate(cells[:end], start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise SpreadsheetError("spreadsheet_cell_too_long", row=number, column=column, max=MAX_CELL_CHARS)
    return tuple(cells[:end])


# --- CSV --------------------------------------------------------------------------------------------------


def _csv_lines(data: bytes) -> Iterator[Line]:
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetError("spreadsheet_unreadable")
    try:
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as error:
        raise SpreadsheetError("spreadsheet_unreadable") from error
    return enumerate(rows, start=1)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding).lstrip("\ufeff")
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError("spreadsheet_encoding")


# --- XLSX -------------------------------------------------------------------------------------------------


@contextmanager
def _workbook_lines(data: bytes, limits: Limits) -> Iterator[Iterator[Line]]:
    """The first sheet's lines (at most one column past the limit each), read-only; the zip is checked
    first and any failure to read the workbook is the same refusal."""
    _check_zip(data, limits.max_unpacked_bytes)
    import openpyxl  # imported here: only imports need it

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
            try:
                values = book.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
                yield ((n, [_text(v) for v in row]) for n, row in enumerate(values, start=1))
            finally:
                book.close()
    except DomainError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure to read the workbook is the same answer
        raise SpreadsheetError("spreadsheet_unreadable") from error


def _check_zip(data: bytes, max_unpacked: int) -> None:
    """Refuse a zip that is no workbook, or whose members would expand past the limits (zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise SpreadsheetError("spreadsheet_unreadable") from error
    total = sum(m.file_size for m in members)
    ratio = total // max(1, len(data))
    if len(members) > MAX_ZIP_MEMBERS or total > max_unpacked or ratio > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(
            "spreadsheet_zip_bomb",
            size_mb=_mb(total),
            ratio=ratio,
            limit_mb=_mb(max_unpacked),
            max_ratio=MAX_COMPRESSION_RATIO,
        )
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise SpreadsheetError("spreadsheet_unreadable")


def _text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", dates in ISO 8601, formulas as their text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"
