"""Residents' data rights under PIPL (个人信息保护法): a copy of everything the platform holds about a
resident (access and portability, Art. 44-45) and the erasure of an account (Art. 47), over every feature's
tables. Consent itself lives with the resident (carbon_credit.residents), below the features it gates."""

from __future__ import annotations

from carbon_credit.privacy.copy_jobs import KEEP_DAYS as COPY_KEEP_DAYS
from carbon_credit.privacy.copy_jobs import (
    LARGE_ROWS,
    available_until,
    download_copy,
    erase_copies,
    expire_copies,
    get_copy,
    is_large,
    latest_copy,
    photo_count,
    photos_name,
    request_copy,
    write_photos_zip,
)
from carbon_credit.privacy.deletion import CONFIRM_WORDS, Deletion, confirmed, delete_account
from carbon_credit.privacy.export import (
    FORMAT,
    ExportSection,
    SectionCount,
    data_summary,
    export_json,
    export_name,
    export_resident,
    json_stream,
    json_value,
    section_about,
    section_label,
    staff_access,
)
from carbon_credit.privacy.export_tables import SECRET_COLUMNS, Source, owner_columns, resident_columns
from carbon_credit.privacy.export_tables import sources as export_sources
from carbon_credit.privacy.export_xlsx import export_xlsx
from carbon_credit.privacy.inactivity import (
    apply_inactivity,
    notify_inactive,
    pseudonymisation_day,
    pseudonymise_inactive,
)
from carbon_credit.privacy.retention import apply_retention

__all__ = ["CONFIRM_WORDS", "Deletion", "confirmed", "delete_account"]
__all__ += ["apply_retention"]  # retention (the daily job)
__all__ += [  # access and copy (export)
    "FORMAT",
    "SECRET_COLUMNS",
    "ExportSection",
    "SectionCount",
    "Source",
    "data_summary",
    "export_json",
    "export_name",
    "export_resident",
    "export_sources",
    "export_xlsx",
    "json_stream",
    "json_value",
    "owner_columns",
    "resident_columns",
    "section_about",
    "section_label",
    "staff_access",
]
__all__ += ["apply_inactivity", "notify_inactive", "pseudonymisation_day", "pseudonymise_inactive"]
__all__ += [  # a copy prepared in the background, and the photos
    "COPY_KEEP_DAYS",
    "LARGE_ROWS",
    "available_until",
    "download_copy",
    "erase_copies",
    "expire_copies",
    "get_copy",
    "is_large",
    "latest_copy",
    "photo_count",
    "photos_name",
    "request_copy",
    "write_photos_zip",
]
