"""Admin pages that take a spreadsheet upload (the stops import, operator trip files): the one size check
(carbon_credit.platform.spreadsheets), made before the body is read."""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask_login import current_user

from carbon_credit.platform import spreadsheets
from webapp.admin.blueprint import bp

MULTIPART_SLACK = 64 * 1024  # room for the form's other fields and multipart boundaries
_SPREADSHEET_VIEWS: dict[str, Callable[[], spreadsheets.Limits]] = {}


def takes_spreadsheet(limits: Callable[[], spreadsheets.Limits]) -> Callable[[Callable], Callable]:
    """Mark an admin view whose POST carries a spreadsheet file, under the import's ``limits()``."""

    def mark(view: Callable) -> Callable:
        _SPREADSHEET_VIEWS[f"{bp.name}.{view.__name__}"] = limits
        return view

    return mark


@bp.url_value_preprocessor
def refuse_oversized_spreadsheet(endpoint: str | None, _values) -> None:
    """Runs before the CSRF check reads the body: an administrator's too-large file gets the clear import
    message instead of the generic "too large" page, and the spreadsheet limit replaces the photo upload
    limit (others keep the app's limit and get their usual 403 or login page)."""
    if endpoint not in _SPREADSHEET_VIEWS or request.method != "POST":
        return
    if getattr(current_user, "role", None) == "admin":
        limits = _SPREADSHEET_VIEWS[endpoint]()
        spreadsheets.check_size(max(0, (request.content_length or 0) - MULTIPART_SLACK), limits)
        request.max_content_length = limits.max_bytes + MULTIPART_SLACK  # whatever the photo limit
