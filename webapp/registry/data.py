"""/registry.csv and /registry.xlsx: the public registry's rows (carbon_credit.registry.batches) as data,
one row per batch, the same figures as the page. Quantities are tonnes with six decimals (exact grams),
dates ISO 8601. No text is ever a formula: an administrator's text that a spreadsheet could read as one
(``=``, ``+``, ``-``, ``@``) is written as text (CSV: a leading apostrophe; XLSX: a text cell)."""

from __future__ import annotations

import csv
import io
import tempfile
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from carbon_credit import registry
from carbon_credit.exports.sheets import FORMULA_PREFIXES, safe, sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TONNES_FORMAT = "#,##0.000000"
QUANTITIES = ("pooled", "verified", "issued", "sold", "retired", "available", "corrected")


def status_words(code: str) -> str:
    """A batch's status in the request's language (the page's words)."""
    words = {"issued": _("Issued"), "verified": _("Verified")}
    return words.get(code, _("Pooled, awaiting verification"))


def headers() -> list[str]:
    """The column titles in the request's language."""
    return [
        _("Serial"),
        _("Period start"),
        _("Period end"),
        _("Status"),
        _("tCO2e"),
        _("Pooled (t)"),
        _("Verified (t)"),
        _("Issued (t)"),
        _("Sold (t)"),
        _("Retired (t)"),
        _("Available (t)"),
        _("Corrections (t)"),
        _("Methodology mix"),
        _("Verifier"),
        _("Verification report"),
        _("Verified on"),
        _("Issuance reference"),
        _("Issued on"),
    ]


def rows(views: list) -> list[list]:
    """One row per batch: text, dates as ISO text, quantities as exact Decimal tonnes (None when not yet)."""
    return [_row(view) for view in views]


def _row(view) -> list:
    b = view.batch
    grams = {
        "pooled": b.pooled_grams,
        "verified": b.verified_grams,
        "issued": b.issued_grams,
        "sold": b.sold_grams,
        "retired": b.retired_grams,
        "available": view.available_grams,
        "corrected": view.corrected_grams,
    }
    mix = "; ".join(f"{m} {v}: {_tonnes(g):.6f} t" for m, v, g in view.mix)
    return [
        b.serial,
        b.period_start.isoformat(),
        b.period_end.isoformat(),
        status_words(b.status),
        _tonnes(view.grams),
        *(_tonnes(grams[name]) for name in QUANTITIES),
        mix,
        b.verifier or "",
        b.verifier_report or "",
        b.verified_on.isoformat() if b.verified_on else "",
        b.issuance_ref or "",
        b.issued_on.isoformat() if b.issued_on else "",
    ]


def _tonnes(grams: int | None) -> Decimal | None:
    return None if grams is None else Decimal(grams) / registry.GRAMS_PER_TONNE


def registry_csv(views: list) -> str:
    """The CSV text, a BOM first (Excel then reads UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows(views):
        writer.writerow([_csv_cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.6f}"
    text = str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def registry_xlsx(views: list):
    """The workbook in a temporary file (removed when the response closes it), rewound for sending."""
    wb = Workbook(write_only=True)
    ws = sheet(wb, _("Registry"), headers(), widths=(18, 12, 12, 10, *([14] * 8), 40, 24, 24, 12, 24, 12))
    for row in rows(views):
        ws.append([_xlsx_cell(ws, value) for value in row])
    file = tempfile.TemporaryFile()
    wb.save(file)
    file.seek(0)
    return file


def _xlsx_cell(ws, value):
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = TONNES_FORMAT
        return cell
    return safe(ws, value)
