"""Campaigns: bonus points for qualifying activities, paid from an enforced budget."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from carbon_credit.config import Settings


def award(*, session: Session, settings: Settings, activities: Sequence[dict[str, Any]]) -> None:
    """Pay campaign bonuses for newly credited activities and set each one's ``campaign_id`` and
    ``bonus_points`` keys (the campaign issue's helper implements the rule; until then: no campaign)."""
    for activity in activities:
        activity.setdefault("campaign_id", 0)
        activity.setdefault("bonus_points", 0)
