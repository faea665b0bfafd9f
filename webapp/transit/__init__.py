"""Transit pages: QR check-in at stops (``transit`` blueprint) and the resident's transit card."""

from webapp.transit import cards  # noqa: F401 - adds its views to the blueprint
from webapp.transit.views import bp

__all__ = ["bp"]
