"""Public pages: the landing page with live totals, and a health check."""

from __future__ import annotations

from flask import Blueprint, render_template

from carbon_credit import stats
from carbon_credit.db import read_session
from webapp.context import engine

bp = Blueprint("public", __name__)


@bp.get("/")
def landing():
    """Landing page: total CO2e avoided, participants, and totals by behaviour and by district."""
    with read_session(engine()) as session:
        totals = stats.totals(session=session)
    return render_template("public/landing.html", totals=totals)


@bp.get("/healthz")
def healthz():
    """Process liveness for load balancers."""
    return {"status": "ok"}
