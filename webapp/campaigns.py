"""Public campaign pages: live totals, a chart over time and an opt-in leaderboard (no login)."""

from flask import Blueprint

bp = Blueprint("campaigns", __name__)
