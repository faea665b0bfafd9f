"""Transit pages (``transit`` blueprint): the scan page, QR check-in at stops and the transit card."""

from webapp.transit import cards, scan  # noqa: F401 - add their views to the blueprint
from webapp.transit.views import bp

__all__ = ["bp"]
