"""Public pages: the landing page with live totals, and a health check."""

from __future__ import annotations

from flask import Blueprint, make_response, render_template, request

from carbon_credit import stats
from carbon_credit.db import read_session
from carbon_credit.i18n import translate
from webapp.context import engine, locale

bp = Blueprint("public", __name__)


@bp.get("/")
def landing():
    """Landing page: total CO2e avoided, participants, and totals by behaviour and by district."""
    lang = locale()
    with read_session(engine()) as session:
        totals = stats.totals(session=session)
    response = make_response(render_template("landing.html", totals=totals, lang=lang, t=translate))
    if "lang" in request.args:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def healthz():
    """Process liveness for load balancers."""
    return {"status": "ok"}
