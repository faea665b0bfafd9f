"""The /admin blueprint: every route needs the admin role (anonymous visitors are sent to log in)."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin():
    """Role check for every admin route, including ones added later: there is no way to forget it."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role != "admin":
        abort(403)
    return None
