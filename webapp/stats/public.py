"""Public pages: the landing page with live totals, and a health check."""

from __future__ import annotations

import logging

from flask import Blueprint, render_template
from sqlalchemy.exc import SQLAlchemyError

from carbon_credit import campaigns, stats
from carbon_credit.platform.database import current_revision, head_revision, read_session
from webapp.context import engine

bp = Blueprint("public", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
def landing():
    """Landing page: the running campaigns, total CO2e avoided, participants, and totals by evidence level,
    behaviour and district."""
    with read_session(engine()) as session:
        totals = stats.totals(session=session)
        running = campaigns.active_campaigns(session=session)
    return render_template("public/landing.html", totals=totals, running=running)


@bp.get("/healthz")
def healthz():
    """Process liveness: the worker answers (no database access, so a database outage does not get
    healthy workers restarted)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness for the load balancer: the database answers and is migrated to this code's revision."""
    head = head_revision()
    try:
        current = current_revision(engine())
    except SQLAlchemyError as error:
        log.warning("readyz: database unreachable: %s", getattr(error, "orig", error))
        return {"status": "unavailable", "database": "unreachable"}, 503
    if current != head:
        pending = {"database": "migrations pending", "current": current, "head": head}
        return {"status": "unavailable", **pending}, 503
    return {"status": "ok", "database": "ok", "revision": current}
