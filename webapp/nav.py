"""The navigation: the bar's links shown by role, and the administration areas of the admin menu; a link
appears only once its endpoint exists."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

RESIDENT_LINKS = [
    ("resident.home", _l("My points")),
    ("resident.log", _l("Log an action")),
    ("resident.history", _l("History")),
    ("rewards.catalogue", _l("Rewards")),
    ("rewards.my_vouchers", _l("My vouchers")),
    ("chat.page", _l("Chat")),
    ("resident.account", _l("Account")),
]
STAFF_LINKS = [("rewards.verify", _l("Verify a voucher"))]
ADMIN_LINKS = [("admin.index", _l("Administration"))]
ADMIN_SECTIONS = [
    ("admin.stats", _l("Statistics")),
    ("admin.review_queue", _l("Review queue")),
    ("admin.campaigns", _l("Campaigns")),
    ("admin.stops", _l("Stops and routes")),
    ("admin.imports", _l("Operator trip imports")),
    ("admin.card_claims", _l("Transit card claims")),
    ("admin.residents_list", _l("Residents")),
    ("admin.exports", _l("Excel exports")),
    ("admin.audit_log", _l("Audit log")),
    ("rewards.verify", _l("Verify a voucher")),
]


def nav_links() -> list[tuple[str, str]]:
    """(endpoint, label) pairs for the current user."""
    if not current_user.is_authenticated:
        links = [("rewards.catalogue", _l("Rewards"))]
    elif current_user.role in ("merchant",):
        links = STAFF_LINKS
    else:
        links = RESIDENT_LINKS + (ADMIN_LINKS if current_user.role == "admin" else [])
    return _existing(links)


def admin_sections() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the administration areas (the admin menu and start page)."""
    return _existing(ADMIN_SECTIONS)


def _existing(links) -> list[tuple[str, str]]:
    return [(endpoint, str(label)) for endpoint, label in links if endpoint in current_app.view_functions]
