"""The administration areas shown in the admin menu; a link appears once its endpoint exists."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

SECTIONS = [
    ("admin.stats", _l("Statistics")),
    ("admin.review_queue", _l("Review queue")),
    ("admin.campaigns", _l("Campaigns")),
    ("admin.stops", _l("Stops and routes")),
    ("admin.imports", _l("Operator trip imports")),
    ("admin.exports", _l("Excel exports")),
    ("admin.audit_log", _l("Audit log")),
    ("rewards.verify", _l("Verify a voucher")),
]


def admin_sections() -> list[tuple[str, str]]:
    return [(endpoint, str(label)) for endpoint, label in SECTIONS if endpoint in current_app.view_functions]
