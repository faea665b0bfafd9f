"""Administration (/admin, admin role), one module per feature: stops and posters, transit (operator trip
imports), campaigns, review queue, statistics, exports, audit log, and the start page (home). Each module adds
its views to the one blueprint."""

from webapp.admin import audit, campaigns, exports, home, review, stats, stop_imports, stops, transit  # noqa: F401
from webapp.admin.blueprint import bp

__all__ = ["bp"]
