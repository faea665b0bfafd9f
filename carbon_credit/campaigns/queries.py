"""Reading campaigns: one, all, those running now, and those that could pay a bonus for a set of activities;
and a campaign's state as people see it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.campaigns.models import Campaign
from carbon_credit.platform import clock
from carbon_credit.platform.errors import NotFound


def get_campaign(*, session: Session, campaign_id: int) -> Campaign:
    """One campaign, or NotFound."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(what="campaign", campaign_id=campaign_id)
    return campaign


def list_campaigns(*, session: Session) -> list[Campaign]:
    """Every campaign, newest start first."""
    return list(session.execute(select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id)).scalars())


def active_campaigns(*, session: Session, now: datetime | None = None) -> list[Campaign]:
    """Campaigns running now (active and within their period), soonest-ending first; a campaign whose
    budget is spent is still listed (``is_exhausted`` tells)."""
    now = now or clock.now()
    query = select(Campaign).where(Campaign.is_active, Campaign.starts_at <= now, Campaign.ends_at > now)
    return list(session.execute(query.order_by(Campaign.ends_at, Campaign.id)).scalars())


def running_for(session: Session, facts: Sequence[dict[str, Any]]) -> list[Campaign]:
    """Active campaigns with budget left whose period overlaps the activities' times (one query; none for
    no activities). Read afresh: the budget UPDATEs of this transaction bypass the loaded objects."""
    if not facts:
        return []
    first = min(f["occurred_at"] for f in facts)
    last = max(f["occurred_at"] for f in facts)
    query = select(Campaign).where(
        Campaign.is_active,
        Campaign.spent_points < Campaign.budget_points,
        Campaign.starts_at <= last,
        Campaign.ends_at > first,
    )
    return list(session.execute(query.execution_options(populate_existing=True)).scalars())


def open_to(campaign: Campaign, district_id: int | None) -> bool:
    """Whether residents of the district take part (an empty list of districts: every district)."""
    return not campaign.district_ids or (district_id or 0) in campaign.district_ids


def is_exhausted(campaign: Campaign) -> bool:
    """The budget is spent: no more bonuses (base credits continue)."""
    return campaign.spent_points >= campaign.budget_points


def status(campaign: Campaign, now: datetime | None = None) -> str:
    """``upcoming``, ``running`` or ``ended`` (an ended-early or cancelled campaign is ``ended``)."""
    now = now or clock.now()
    if not campaign.is_active or now >= campaign.ends_at:
        return "ended"
    return "upcoming" if now < campaign.starts_at else "running"
