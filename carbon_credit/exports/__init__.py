"""Exports: the Excel workbooks (campaign report, auditor export, their shared sheets) and the background
export jobs that write them (queued by an administrator's audited command, run by a request thread or the
scheduler, downloaded when done). A feature above registers its own kind of job (``register_kind``: privacy's
resident copy), queued with ``enqueue`` and seen only by its owner; ``discard_files`` forgets jobs' files."""

from carbon_credit.exports.auditor import (
    ACTIVITY_HEADERS,
    CHUNK_ROWS,
    LEDGER_HEADERS,
    auditor_export,
    auditor_rows,
)
from carbon_credit.exports.campaign_report import SUM_HEADERS, campaign_choices, campaign_report
from carbon_credit.exports.jobs import (
    EXPORT_FOLDER,
    UNFINISHED,
    JobKind,
    discard_files,
    download,
    download_name,
    enqueue,
    export_folder,
    export_to_file,
    get,
    recent,
    register_kind,
    run,
    run_in_background,
    run_queued_exports,
    start,
)
from carbon_credit.exports.models import ExportJob
from carbon_credit.exports.partial_files import sweep_partial_files
from carbon_credit.exports.sheets import (
    FORMULA_PREFIXES,
    KG_FORMAT,
    METHODOLOGY_HEADERS,
    Progress,
    methodology_rows,
    safe,
)

__all__ = [
    "ACTIVITY_HEADERS",
    "CHUNK_ROWS",
    "EXPORT_FOLDER",
    "FORMULA_PREFIXES",
    "KG_FORMAT",
    "LEDGER_HEADERS",
    "METHODOLOGY_HEADERS",
    "SUM_HEADERS",
    "UNFINISHED",
    "ExportJob",
    "JobKind",
    "Progress",
    "auditor_export",
    "auditor_rows",
    "campaign_choices",
    "campaign_report",
    "discard_files",
    "download",
    "download_name",
    "enqueue",
    "export_folder",
    "export_to_file",
    "get",
    "methodology_rows",
    "recent",
    "register_kind",
    "run",
    "run_in_background",
    "run_queued_exports",
    "safe",
    "start",
    "sweep_partial_files",
]
