"""The resident's copy as an Excel workbook: one sheet per section that holds rows (the same sections,
columns and values as the JSON, which lists the empty ones too), written in openpyxl's write-only mode as the
rows are read, never as formulas."""

from __future__ import annotations

import json
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlmodel import Session

from carbon_credit.exports import safe
from carbon_credit.privacy.export import export_resident

_BOLD = Font(bold=True)
_NOT_IN_TITLES = str.maketrans({c: " " for c in "[]:*?/\\"})


def _cell(ws, value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return safe(ws, value)


def _title(label: str, used: set[str]) -> str:
    base = label.translate(_NOT_IN_TITLES).strip()[:28] or "sheet"
    title, n = base, 2
    while title.lower() in used:
        title, n = f"{base} {n}", n + 1
    used.add(title.lower())
    return title


def _sheet(wb: Workbook, section, used: set[str]):
    ws = wb.create_sheet(_title(section.label, used))
    header = []
    for name in section.columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.data_type, cell.font = "s", _BOLD
        header.append(cell)
    ws.append(header)
    return ws


def export_xlsx(
    *, session: Session, resident_id: int, file: IO[bytes], locale: str | None = None
) -> dict[str, int]:
    """Write the workbook to ``file`` (a path-less binary file); returns the rows written per section."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    written: dict[str, int] = {}
    for section in export_resident(session=session, resident_id=resident_id, locale=locale):
        ws, count = None, 0
        for row in section.rows:
            if ws is None:  # a sheet only for a section that holds something (the JSON lists them all)
                ws = _sheet(wb, section, used)
            ws.append([_cell(ws, row[name]) for name in section.columns])
            count += 1
        written[section.name] = count
    if not used:
        wb.create_sheet("empty")
    wb.save(file)
    return written
