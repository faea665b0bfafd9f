"""Administration (/admin, admin role): stops and posters, campaigns, review queue, statistics, exports,
imports, audit log. Each area is a module adding its views to the one blueprint."""

from webapp.admin import audit, campaigns, dashboard, exports, imports, review, stats, stops  # noqa: F401
from webapp.admin.blueprint import bp

__all__ = ["bp"]
