"""The audit trail kept with every activity: the factors used (stored in the row) and their published
sources (found again from the versioned methodology registry), so any credit can be recomputed."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from carbon_credit.activities.models import Activity
from quantification import Factor, get_methodology


@lru_cache(maxsize=256)
def factor_snapshot(factors: tuple[Factor, ...]) -> list[dict[str, Any]]:
    """The factors used, as stored with the activity: key, exact value, unit and status tag. Each factor's
    published source is found from (methodology id, version, key) in the versioned registry, see
    :func:`factor_sources`; storing it again in every row would multiply the table's size."""
    return [{"key": f.key, "value": str(f.value), "unit": f.unit, "status": f.status} for f in factors]


def factor_sources(activity: Activity) -> list[dict[str, Any]]:
    """The audit trail of a stored activity's factors, each with its published source and status."""
    methodology = get_methodology(activity.methodology_id, activity.methodology_version)
    trail = []
    for stored in activity.factors:
        factor = methodology.factors.get(stored["key"])
        source = (factor.source if factor is not None else methodology.source).to_dict()  # derived: its base
        trail.append({**stored, "source": source, "to_confirm": bool(factor and factor.to_confirm)})
    return trail
