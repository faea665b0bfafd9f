"""The review rule, and what a resident's own tree-planting entry must satisfy (docs/rules.md, "Review").

An entry with a photo, or above a threshold (``settings.review_recycling_kg`` kilograms of recycling,
``settings.review_trees`` trees), waits for an administrator: it is recorded with its full quantification but
``status = "pending"``, ``points = 0`` and ``note`` = the reason code, and nothing is written to the ledger.
Amounts exactly at a threshold are credited at once; only amounts above it wait.

The thresholds scale with the resident's trust level (``trust.py``): a trusted resident's are doubled,
a watched resident's halved; a photo always means review. Approving and rejecting: carbon_credit.review.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from carbon_credit.activities import trust as trust_levels
from carbon_credit.platform import clock
from carbon_credit.platform.errors import InvalidActivity
from carbon_credit.platform.settings import Settings

REVIEW_PHOTO = "review_photo"
REVIEW_LARGE_AMOUNT = "review_large_amount"

SPECIES_GROUPS = ("conifer", "broadleaf", "fruit", "bamboo", "other")


def review_reason(
    *,
    settings: Settings,
    behaviour: str,
    inputs: Mapping[str, Any],
    has_photo: bool,
    trust: str = trust_levels.NORMAL,
) -> str | None:
    """Why this entry must wait for an administrator (``review_photo``, ``review_large_amount``), or None.

    ``inputs`` are the quantified (normalised) inputs: recycling ``kg``, tree planting ``trees``.
    ``trust`` is the resident's trust level, which scales the thresholds (a photo waits at every level).
    """
    if has_photo:
        return REVIEW_PHOTO
    thresholds = {
        "recycling": ("kg", settings.review_recycling_kg),
        "tree_planting": ("trees", settings.review_trees),
    }
    if behaviour not in thresholds:
        return None
    name, limit = thresholds[behaviour]
    amount = _decimal(inputs.get(name))
    if amount is not None and amount * 100 > limit * trust_levels.threshold_percent(trust):
        return REVIEW_LARGE_AMOUNT
    return None


def species_group(value: str | None) -> str:
    """The species group of a planting entry, one of :data:`SPECIES_GROUPS` (``unknown_species`` else)."""
    if value not in SPECIES_GROUPS:
        raise InvalidActivity("unknown_species", value=value or "", choices=", ".join(SPECIES_GROUPS))
    return value


def planting_moment(
    *, planted_on: date, today: date | None = None, settings: Settings | None = None, year: int = 1
) -> datetime:
    """Noon (Beijing time) of the planting date, in UTC, as the activity's ``occurred_at`` (now, when that
    noon is still to come); ``today`` is the Beijing day of the platform clock unless given (``settings`` is
    accepted for the callers that pass it). A later ``year`` of the same trees happens now: the day their
    survival is shown (docs/rules.md, tree-years).

    Refused when in the future (``planting_date_future``) or, for the first year, more than a year back
    (``planting_date_too_old``).
    """
    today = today or clock.local_day(clock.now())
    if planted_on > today:
        raise InvalidActivity("planting_date_future", value=planted_on.isoformat())
    if year > 1:
        return clock.now()
    if planted_on < one_year_before(today):
        raise InvalidActivity("planting_date_too_old", value=planted_on.isoformat())
    return min(clock.as_utc(datetime.combine(planted_on, time(12))), clock.now())  # a morning planting: now


def one_year_before(day: date) -> date:
    """The same calendar date a year earlier (29 February -> 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
