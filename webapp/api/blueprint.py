"""The API blueprint (CSRF-exempt: bearer tokens, never cookies) and its constants."""

from __future__ import annotations

from flask import Blueprint

from webapp.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, never cookies: a cross-site form cannot authenticate, so CSRF does not apply

RATE_LIMIT = "120 per minute"
# Refusals that are about the state of things rather than the request's shape.
CONFLICTS = frozenset(
    {
        "insufficient_points",
        "out_of_stock",
        "redeem_limit_reached",
        "reward_unavailable",
        "idempotency_conflict",
    }
)
