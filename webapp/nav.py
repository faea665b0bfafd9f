"""The navigation: the resident tab bar, the top bar's links shown by role, and the administration areas of
the admin menu; a link appears only once its endpoint exists (a page another change is still building is
skipped, not broken)."""

from __future__ import annotations

from typing import NamedTuple

from flask import Flask, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# The resident tab bar (bottom on phones, top on wide screens): endpoint, label, icon (a symbol of
# static/icons/sprite.svg). Chat (chat.page) and vouchers (rewards.my_vouchers) are reached from pages.
TABS = [
    ("resident.home", _l("Home"), "home"),
    ("transit.scan", _l("Scan"), "scan"),
    ("resident.log", _l("Log"), "log"),
    ("rewards.catalogue", _l("Redeem"), "redeem"),
    ("resident.account", _l("Me"), "me"),
]
# The other pages of each tab: its tab is marked as the current section there (aria-current="true").
SECTIONS = {
    "resident.home": ("campaigns.index", "campaigns.detail"),
    "transit.scan": ("transit.checkin",),
    "resident.log": ("resident.log_recycling", "resident.log_trees", "resident.history", "resident.activity"),
    "rewards.catalogue": ("rewards.redeem", "rewards.my_vouchers", "rewards.voucher"),
    "resident.account": (
        "auth.change_password",
        "tokens.index",
        "tokens.create",
        "chat.page",
        "chat.telegram",
        "transit.card",
        "campaigns.privacy",
        "privacy.settings",
        "privacy_data.index",
        "account_edit.profile",
        "account_edit.delete",
        "registry.my_certificates",
    ),
}
TAB_ROLES = ("resident", "admin")  # administrators are residents too; merchants only verify vouchers
STAFF_LINKS = {
    "merchant": [("rewards.verify", _l("Verify a voucher"))],
    "admin": [("admin.index", _l("Admin"))],
}
ADMIN_SECTIONS = [
    ("admin.stats", _l("Statistics")),
    ("admin.review_queue", _l("Review queue")),
    ("admin.campaigns", _l("Campaigns")),
    ("admin.stops", _l("Stops and routes")),
    ("admin.imports", _l("Operator trip imports")),
    ("admin.card_claims", _l("Transit card claims")),
    ("admin.residents_list", _l("Residents")),
    ("admin.exports", _l("Excel exports")),
    ("admin.registry", _l("Registry of reductions")),
    ("admin.audit_log", _l("Audit log")),
    ("rewards.verify", _l("Verify a voucher")),
]


class Tab(NamedTuple):
    endpoint: str
    label: str
    icon: str
    current: str | None  # the aria-current value: "page" on the tab's own page, "true" on its other pages


def tab_links() -> list[Tab]:
    """The tab bar for the current user: empty for visitors and merchants."""
    if not current_user.is_authenticated or current_user.role not in TAB_ROLES:
        return []
    return [
        Tab(endpoint, str(label), icon, _current(endpoint))
        for endpoint, label, icon in TABS
        if endpoint in current_app.view_functions
    ]


def _current(endpoint: str) -> str | None:
    if request.endpoint == endpoint:
        return "page"
    return "true" if request.endpoint in SECTIONS[endpoint] else None


def nav_links() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the top bar beside the language switch: the staff entry by role."""
    if not current_user.is_authenticated:
        return []
    return _existing(STAFF_LINKS.get(current_user.role, []))


def admin_sections() -> list[tuple[str, str]]:
    """(endpoint, label) pairs of the administration areas (the admin menu and start page)."""
    return _existing(ADMIN_SECTIONS)


def _existing(links) -> list[tuple[str, str]]:
    return [(endpoint, str(label)) for endpoint, label in links if endpoint in current_app.view_functions]


def init_app(app: Flask) -> None:
    """The tab bar as a template global (nav_links and admin_sections are registered by webapp.i18n)."""
    app.jinja_env.globals["tab_links"] = tab_links
