"""Spreadsheet files as an administrator uploads them, built in memory for the import tests."""

from __future__ import annotations

import io

import openpyxl


def workbook_bytes(header, rows) -> bytes:
    """An XLSX workbook whose first sheet holds ``header`` then ``rows``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
