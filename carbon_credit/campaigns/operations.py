"""Administering campaigns: create, edit and end now, each one audited, idempotent administrator command
(``platform.commands.run``: actions ``campaign.create``, ``campaign.update``, ``campaign.end``), its change
and audit entry in the caller's transaction."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit.campaigns.bonus import MAX_BONUS_PER_ACTIVITY
from carbon_credit.campaigns.models import CAMPAIGN_KINDS, Campaign
from carbon_credit.campaigns.queries import forget_running, get_campaign
from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import District
from quantification import behaviours

MAX_BUDGET = 10**12  # the ledger's largest single amount
AUDITED = (
    "name_zh",
    "name_en",
    "kind",
    "starts_at",
    "ends_at",
    "behaviours",
    "district_ids",
    "multiplier_percent",
    "bonus_points",
    "budget_points",
    "spent_points",
    "is_active",
)


@dataclass(frozen=True)
class CampaignInput:
    """What an administrator enters; ``starts_at``/``ends_at`` are naive Beijing times (or aware
    datetimes). Stored as aware UTC."""

    name_zh: str
    name_en: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    budget_points: int
    multiplier_percent: int = 100
    bonus_points: int = 0
    behaviours: list[str] = field(default_factory=list)
    district_ids: list[int] = field(default_factory=list)


def create_campaign(
    *, session: Session, settings: Settings, actor_id: int, data: CampaignInput, idempotency_key: str
) -> Campaign:
    """Create a campaign (audited); the same form submitted twice creates it once."""
    values = _validated(session, data, spent=0)

    def apply() -> commands.Change:
        campaign = Campaign(**values)
        session.add(campaign)
        session.flush()
        return commands.Change(campaign.id, after=audit.snapshot(campaign, AUDITED))

    done = _run(session, actor_id, "campaign.create", idempotency_key, _asked(values), apply)
    forget_running(session)
    return get_campaign(session=session, campaign_id=done["target_id"])


def update_campaign(
    *,
    session: Session,
    settings: Settings,
    actor_id: int,
    campaign_id: int,
    data: CampaignInput,
    idempotency_key: str | None = None,
) -> Campaign:
    """Change a campaign (audited); the budget may not go below what is already spent. The edit form's key
    makes a resubmitted form a replay; without one, every call acts."""

    def apply() -> commands.Change:
        campaign = _locked(session, campaign_id)
        before = audit.snapshot(campaign, AUDITED)
        for name, value in _validated(session, data, spent=campaign.spent_points).items():
            setattr(campaign, name, value)
        session.flush()
        return commands.Change(campaign.id, before, audit.snapshot(campaign, AUDITED))

    asked = (campaign_id, *_asked(asdict(data)))
    _run(session, actor_id, "campaign.update", idempotency_key, asked, apply)
    forget_running(session)
    return get_campaign(session=session, campaign_id=campaign_id)


def end_campaign(
    *,
    session: Session,
    actor_id: int,
    campaign_id: int,
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> Campaign:
    """End a campaign now (audited): no bonus for anything after this. A campaign that has not started is
    cancelled; ending an ended campaign changes nothing (and audits nothing)."""
    now = now or clock.now()

    def apply() -> commands.Change:
        campaign = _locked(session, campaign_id)
        before = audit.snapshot(campaign, AUDITED)
        if campaign.is_active:
            campaign.is_active = False
            if campaign.starts_at < now < campaign.ends_at:
                campaign.ends_at = now
            session.flush()
        return commands.Change(campaign.id, before, audit.snapshot(campaign, AUDITED))

    _run(session, actor_id, "campaign.end", idempotency_key, (campaign_id,), apply)
    forget_running(session)
    return get_campaign(session=session, campaign_id=campaign_id)


def add_budget(*, session: Session, campaign_id: int, points: int) -> Campaign:
    """Raise a campaign's points budget by ``points`` (registry sale revenue moved into rewards: the caller's
    audited command records it). One conditional UPDATE keeps the budget within MAX_BUDGET. NotFound for an
    unknown campaign; ``campaign_budget_invalid`` for an amount that is not positive or does not fit."""
    table = Campaign.__table__
    if type(points) is not int or not 0 < points <= MAX_BUDGET:
        raise DomainError("campaign_budget_invalid")
    statement = (
        update(table)
        .where(table.c.id == campaign_id, table.c.budget_points + points <= MAX_BUDGET)
        .values(budget_points=table.c.budget_points + points)
    )
    moved = session.execute(statement).rowcount == 1
    forget_running(session)
    campaign = get_campaign(session=session, campaign_id=campaign_id)
    if not moved:
        raise DomainError("campaign_budget_invalid")
    session.refresh(campaign)
    return campaign


def _run(session: Session, actor_id: int, action: str, key: str | None, asked: tuple, apply) -> dict:
    """``commands.run`` for a campaign command; a call without a key (a script, a test) gets a fresh one."""
    return commands.run(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type="campaign",
        idempotency_key=key or secrets.token_urlsafe(16),
        asked=asked,
        apply=apply,
    )


def _asked(values: dict[str, Any]) -> tuple[str, ...]:
    return tuple(f"{name}={value}" for name, value in sorted(values.items()))


def _locked(session: Session, campaign_id: int) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    campaign = session.execute(query).scalar_one_or_none()
    if campaign is None:
        raise NotFound(what="campaign", campaign_id=campaign_id)
    return campaign


def _validated(session: Session, data: CampaignInput, spent: int) -> dict[str, Any]:
    """The column values for ``data``, or a DomainError naming the first problem."""
    name_zh, name_en = (data.name_zh or "").strip(), (data.name_en or "").strip()
    if not name_zh or not name_en or len(name_zh) > 80 or len(name_en) > 80:
        raise DomainError("campaign_name_required")
    if data.kind not in CAMPAIGN_KINDS:
        raise DomainError("unexpected_input", name="kind", value=data.kind)
    starts_at, ends_at = clock.as_utc(data.starts_at), clock.as_utc(data.ends_at)
    if ends_at <= starts_at:
        raise DomainError("campaign_period_invalid")
    _check_amounts(data, spent)
    unknown = set(data.behaviours) - set(behaviours())
    if unknown:
        raise DomainError("unknown_behaviour", value=min(unknown))
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "kind": data.kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "behaviours": sorted(set(data.behaviours)),
        "district_ids": _known_districts(session, data.district_ids),
        "multiplier_percent": data.multiplier_percent,
        "bonus_points": data.bonus_points,
        "budget_points": data.budget_points,
    }


def _check_amounts(data: CampaignInput, spent: int) -> None:
    """Multiplier, fixed bonus and budget within their bounds, and at least one bonus."""
    if data.multiplier_percent < 100 or data.multiplier_percent > 10_000:
        raise DomainError("campaign_multiplier_too_low")
    if data.bonus_points < 0 or data.bonus_points > MAX_BONUS_PER_ACTIVITY:
        raise DomainError("campaign_bonus_invalid", cap=MAX_BONUS_PER_ACTIVITY)
    if data.multiplier_percent == 100 and data.bonus_points == 0:
        raise DomainError("campaign_no_bonus")
    if not 0 < data.budget_points <= MAX_BUDGET:
        raise DomainError("campaign_budget_invalid")
    if data.budget_points < spent:
        raise DomainError("campaign_budget_below_spent", spent=spent)


def _known_districts(session: Session, district_ids: list[int]) -> list[int]:
    """The districts, sorted and once each; every one must exist."""
    wanted = sorted(set(district_ids))
    if wanted:
        known = set(session.execute(select(District.id).where(District.id.in_(wanted))).scalars())
        if known != set(wanted):
            raise DomainError("unexpected_input", name="district", value=min(set(wanted) - known))
    return wanted
