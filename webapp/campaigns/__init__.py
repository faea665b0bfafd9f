"""Public campaign pages (``campaigns`` blueprint)."""

from webapp.campaigns.views import bp

__all__ = ["bp"]
