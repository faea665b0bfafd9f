"""The navigation bar: links shown by role; a link appears only once its endpoint exists."""

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


def nav_links() -> list[tuple[str, str]]:
    """(endpoint, label) pairs for the current user."""
    if not current_user.is_authenticated:
        links = [("rewards.catalogue", _l("Rewards"))]
    elif current_user.role in ("merchant",):
        links = STAFF_LINKS
    else:
        links = RESIDENT_LINKS + (ADMIN_LINKS if current_user.role == "admin" else [])
    return [(endpoint, str(label)) for endpoint, label in links if endpoint in current_app.view_functions]
