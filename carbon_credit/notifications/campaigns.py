"""Campaign announcements: a "campaign_started" and a "campaign_ended" notification, each once, for residents
with a linked Telegram account in the campaign's districts (the scheduler's ``campaign-notices`` job).

``Campaign.started_notice_at`` / ``ended_notice_at`` record that an announcement was made; the campaign rows
are locked while they are stamped, and the dedupe key ``<kind>:<campaign>:<resident>`` makes a repeat
harmless. A campaign already over when first seen is stamped without notices; an end is announced only
after a start was.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.campaigns import Campaign
from carbon_credit.notifications.outbox import notify
from carbon_credit.platform import clock
from carbon_credit.residents import Resident


def announce_campaigns(*, session: Session, now: datetime) -> dict[str, int]:
    """Queue the start and end notices due at ``now`` and stamp their campaigns; returns how many
    notifications were queued, ``{"started": n, "ended": m}``."""
    counts = {"started": _announce_starts(session, now), "ended": _announce_ends(session, now)}
    session.flush()
    return counts


def _announce_starts(session: Session, now: datetime) -> int:
    query = select(Campaign).where(Campaign.started_notice_at.is_(None), Campaign.starts_at <= now)
    queued = 0
    for campaign in _locked(session, query):
        if campaign.is_active and now < campaign.ends_at:
            queued += _notify_campaign(session, campaign, "campaign_started")
        else:  # over before anyone was told it started: nothing to announce
            campaign.ended_notice_at = campaign.ended_notice_at or now
        campaign.started_notice_at = now
    return queued


def _announce_ends(session: Session, now: datetime) -> int:
    query = select(Campaign).where(
        Campaign.ended_notice_at.is_(None),
        Campaign.started_notice_at.is_not(None),
        (Campaign.ends_at <= now) | Campaign.is_active.is_(False),
    )
    queued = 0
    for campaign in _locked(session, query):
        queued += _notify_campaign(session, campaign, "campaign_ended")
        campaign.ended_notice_at = now
    return queued


def _locked(session: Session, query) -> list[Campaign]:
    return list(session.execute(query.order_by(Campaign.id).with_for_update()).scalars())


def _notify_campaign(session: Session, campaign: Campaign, kind: str) -> int:
    """Queue ``kind`` for the campaign's reachable residents; returns how many were new."""
    params = {
        "message": f"notify.{kind}",
        "campaign_id": campaign.id,
        "name_zh": campaign.name_zh,
        "name_en": campaign.name_en,
        "ends_on": clock.local_day(campaign.ends_at).isoformat(),
    }
    queued = 0
    for resident_id in _reachable(session, campaign):
        key = f"{kind}:{campaign.id}:{resident_id}"
        note = notify(session=session, resident_id=resident_id, kind=kind, params=params, dedupe_key=key)
        queued += note is not None
    return queued


def _reachable(session: Session, campaign: Campaign) -> list[int]:
    """Active residents with a linked Telegram account, in the campaign's districts (all when none)."""
    query = select(Resident.id).where(Resident.telegram_id.is_not(None), Resident.is_active.is_(True))
    if campaign.district_ids:
        query = query.where(Resident.district_id.in_(campaign.district_ids))
    return list(session.execute(query.order_by(Resident.id)).scalars())
