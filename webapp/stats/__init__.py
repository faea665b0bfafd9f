"""Public statistics: the landing page with live totals, and the health checks (``public`` blueprint)."""

from webapp.stats.public import bp

__all__ = ["bp"]
