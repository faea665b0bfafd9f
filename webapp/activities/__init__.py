"""Residents' activity pages (``resident`` blueprint): home, logging actions, history, activity detail,
account settings."""

from webapp.activities.views import bp

__all__ = ["bp"]
