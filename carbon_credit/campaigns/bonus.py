"""Which campaign pays an activity's bonus, and how much (docs/campaigns.md):

- a campaign covers an activity when it is active, the activity *occurred* in [starts_at, ends_at), its
  behaviour is listed (empty list: all) and the resident's district is listed (empty list: all);
- bonus = base points x (multiplier_percent - 100) // 100 + bonus_points, capped at
  :data:`MAX_BONUS_PER_ACTIVITY`; an activity whose base credit is 0 (daily cap reached) earns no bonus;
- overlapping campaigns never stack: the one giving the largest bonus wins (a tie: the oldest campaign),
  and it pays at most what its budget has left.

Activities admission (carbon_credit.activities) prices every claim with :func:`offer`; ``budget.award``
pays the offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlmodel import Session

from carbon_credit.campaigns.models import Campaign
from carbon_credit.campaigns.queries import Running, open_to, running_for

MAX_BONUS_PER_ACTIVITY = 5_000  # points; bounds what one activity can draw from any budget


def bonus_for(campaign: Campaign | Running, base_points: int) -> int:
    """The bonus this campaign gives an activity worth ``base_points`` (before the budget)."""
    if base_points <= 0:
        return 0
    extra = base_points * (campaign.multiplier_percent - 100) // 100
    return max(0, min(extra + campaign.bonus_points, MAX_BONUS_PER_ACTIVITY))


def covers(campaign: Campaign | Running, fact: dict[str, Any]) -> bool:
    """Whether the campaign applies to the activity (time, behaviour, district)."""
    return (
        campaign.starts_at <= fact["occurred_at"] < campaign.ends_at
        and (not campaign.behaviours or fact["behaviour"] in campaign.behaviours)
        and open_to(campaign, fact.get("district_id"))
    )


def best_campaign(running: Sequence[Running], fact: dict[str, Any]) -> tuple[Running, int] | None:
    """The overlap rule: among the covering campaigns, the largest bonus wins; a tie goes to the oldest."""
    offers = [(bonus_for(c, fact["points"]), -c.id, c) for c in running if covers(c, fact)]
    offers = [offer for offer in offers if offer[0] > 0]
    if not offers:
        return None
    bonus, _, campaign = max(offers, key=lambda offer: offer[:2])
    return campaign, bonus


def offer(*, session: Session, facts: Sequence[dict[str, Any]]) -> None:
    """Price each activity's bonus: set its ``campaign_id`` and ``bonus_points`` keys to the winning
    campaign and its bonus, at most what the budget has left (0 and 0 when none). ``facts`` hold
    ``occurred_at``, ``behaviour``, ``district_id`` and the base ``points``. The campaigns come from the
    per-process cache (``queries.running_for``): no query at all while it is fresh."""
    for fact in facts:
        fact["campaign_id"], fact["bonus_points"] = 0, 0
    eligible = [f for f in facts if (f.get("points") or 0) > 0]
    running = running_for(session, eligible)
    for fact in eligible if running else ():
        best = best_campaign(running, fact)
        if best is not None:
            campaign, bonus = best
            left = campaign.budget_points - campaign.spent_points
            fact["campaign_id"], fact["bonus_points"] = campaign.id, min(bonus, left)
