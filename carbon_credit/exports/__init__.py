"""Exports: Excel workbooks (campaign report, auditor export) and the background jobs that write them."""

from carbon_credit.exports.models import ExportJob
from carbon_credit.exports.workbooks import (
    ACTIVITY_HEADERS,
    CHUNK_ROWS,
    FORMULA_PREFIXES,
    KG_FORMAT,
    LEDGER_HEADERS,
    METHODOLOGY_HEADERS,
    SUM_HEADERS,
    Progress,
    auditor_bounds,
    auditor_export,
    auditor_rows,
    campaign_report,
    campaign_report_rows,
    methodology_rows,
    safe,
)

__all__ = [
    "ExportJob",
    "Progress",
    "CHUNK_ROWS",
    "FORMULA_PREFIXES",
    "KG_FORMAT",
    "safe",
    "METHODOLOGY_HEADERS",
    "methodology_rows",
    "SUM_HEADERS",
    "campaign_report",
    "campaign_report_rows",
    "ACTIVITY_HEADERS",
    "LEDGER_HEADERS",
    "auditor_bounds",
    "auditor_rows",
    "auditor_export",
]
