"""Administration (/admin, admin role), one module per feature: stops and posters, transit (operator trip
imports), campaigns, review queue, statistics, exports, audit log, and the start page (home). Each module adds
its views to the one blueprint."""

from webapp.admin import (  # noqa: F401
    audit,
    campaigns,
    card_claims,  # noqa: F401
    exports,
    home,
    residents,
    review,
    stats,
    stop_imports,
    stops,
    transit,
)
from webapp.admin.blueprint import bp

__all__ = ["bp"]
