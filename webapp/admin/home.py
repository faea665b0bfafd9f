"""Admin: the start page, linking every administration area."""

from __future__ import annotations

from flask import render_template

from webapp.admin.blueprint import bp


@bp.get("/")
def index():
    """The administration start page."""
    return render_template("admin/index.html")
