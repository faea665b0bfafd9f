"""Campaigns: bonus points for qualifying activities. Owns the bonus rule (which campaign covers an activity
and how much it offers: ``offer``, used by activities admission), the enforced budget (``award`` pays the
offers, ``give_back`` returns a reversed bonus), reading campaigns, and their audited administration."""

from carbon_credit.campaigns.bonus import MAX_BONUS_PER_ACTIVITY, offer
from carbon_credit.campaigns.budget import award, give_back
from carbon_credit.campaigns.models import CAMPAIGN_KINDS, Campaign
from carbon_credit.campaigns.operations import (
    CampaignInput,
    add_budget,
    create_campaign,
    end_campaign,
    update_campaign,
)
from carbon_credit.campaigns.queries import (
    active_campaigns,
    get_campaign,
    is_exhausted,
    list_campaigns,
    open_to,
    status,
)

__all__ = [
    "CAMPAIGN_KINDS",
    "MAX_BONUS_PER_ACTIVITY",
    "Campaign",
    "CampaignInput",
    "active_campaigns",
    "add_budget",
    "award",
    "create_campaign",
    "end_campaign",
    "get_campaign",
    "give_back",
    "is_exhausted",
    "list_campaigns",
    "offer",
    "open_to",
    "status",
    "update_campaign",
]
