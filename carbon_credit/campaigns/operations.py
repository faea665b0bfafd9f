"""Campaigns: bonus points for qualifying activities, paid from an enforced budget (docs/campaigns.md).

Rules:
- a campaign covers an activity when it is active, the activity *occurred* in [starts_at, ends_at), its
  behaviour is listed (empty list: all) and the resident's district is listed (empty list: all);
- bonus = base points x (multiplier_percent - 100) // 100 + bonus_points, capped at
  :data:`MAX_BONUS_PER_ACTIVITY`; an activity whose base credit is 0 (daily cap reached) earns no bonus;
- overlapping campaigns never stack: the one giving the largest bonus wins (a tie: the oldest campaign);
- the budget is enforced by one conditional UPDATE with a row-count check; when the full bonus does not
  fit, what is left is paid (partial), then nothing; the base credit is never touched;
- the bonus is its own ledger entry (kind "earn", ref_type "campaign_bonus", key ``bonus:<activity id>``).

Admin changes (create, edit, end) are audited in the same transaction (carbon_credit.audit).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.campaigns.models import CAMPAIGN_KINDS, Campaign
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform import audit, clock, idempotency
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import District

MAX_BONUS_PER_ACTIVITY = 5_000  # points; bounds what one activity can draw from any budget
MAX_BUDGET = 10**12  # the ledger's largest single amount
_table = Campaign.__table__


def bonus_for(campaign: Campaign, base_points: int) -> int:
    """The bonus this campaign gives an activity worth ``base_points`` (before the budget)."""
    if base_points <= 0:
        return 0
    extra = base_points * (campaign.multiplier_percent - 100) // 100
    return max(0, min(extra + campaign.bonus_points, MAX_BONUS_PER_ACTIVITY))


def covers(campaign: Campaign, fact: dict[str, Any]) -> bool:
    """Whether the campaign applies to the activity (time, behaviour, district)."""
    return (
        campaign.starts_at <= fact["occurred_at"] < campaign.ends_at
        and (not campaign.behaviours or fact["behaviour"] in campaign.behaviours)
        and (not campaign.district_ids or (fact.get("district_id") or 0) in campaign.district_ids)
    )


def best_campaign(running: Sequence[Campaign], fact: dict[str, Any]) -> tuple[Campaign, int] | None:
    """The overlap rule: among the covering campaigns, the largest bonus wins; a tie goes to the oldest."""
    offers = [(bonus_for(c, fact["points"]), -c.id, c) for c in running if covers(c, fact)]
    offers = [offer for offer in offers if offer[0] > 0]
    if not offers:
        return None
    bonus, _, campaign = max(offers, key=lambda offer: offer[:2])
    return campaign, bonus


def award(*, session: Session, settings: Settings, activities: Sequence[dict[str, Any]]) -> None:
    """Pay campaign bonuses for newly credited activities and set each one's ``campaign_id`` and
    ``bonus_points`` keys (0 when none). Called for every credit: one query loads the campaigns."""
    for fact in activities:
        fact["campaign_id"], fact["bonus_points"] = 0, 0
    eligible = [f for f in activities if (f.get("points") or 0) > 0]
    running = _load_running(session, eligible)
    if not running:
        return
    claims: dict[int, list[tuple[dict[str, Any], int]]] = defaultdict(list)
    for fact in eligible:
        best = best_campaign(running, fact)
        if best is not None:
            claims[best[0].id].append((fact, best[1]))
    paid_before = _already_paid(session, [fact["id"] for group in claims.values() for fact, _ in group])
    for campaign_id in sorted(claims):  # a fixed order: transactions take campaign row locks alike
        group = [(f, b) for f, b in claims[campaign_id] if f["id"] not in paid_before]
        granted = reserve(session=session, campaign_id=campaign_id, points=sum(b for _, b in group))
        for fact, bonus in sorted(group, key=lambda claim: claim[0]["id"]):
            pay = min(bonus, granted)
            granted -= pay
            if pay:
                fact["campaign_id"], fact["bonus_points"] = campaign_id, pay
    _pay(session, [f for f in eligible if f["bonus_points"]])


def reserve(*, session: Session, campaign_id: int, points: int) -> int:
    """Take up to ``points`` from the campaign's budget; returns what was granted (all, the rest, or 0).

    One conditional UPDATE decides (atomic on SQLite, whose write transactions are serialised, and on
    PostgreSQL, which re-checks the WHERE after a concurrent update commits). When the full amount does
    not fit, the row is locked, the remainder read and granted."""
    if points <= 0:
        return 0
    if _take(session, campaign_id, points):
        return points
    for _attempt in range(3):
        query = select(_table.c.budget_points - _table.c.spent_points).where(_table.c.id == campaign_id)
        remaining = session.execute(query.with_for_update()).scalar_one()
        grant = min(points, remaining)
        if grant <= 0:
            return 0
        if _take(session, campaign_id, grant):
            return grant
    return 0


def active_campaigns(*, session: Session, now: datetime | None = None) -> list[Campaign]:
    """Campaigns running now (active and within their period), soonest-ending first; a campaign whose
    budget is spent is still listed (``is_exhausted`` tells)."""
    now = now or clock.now()
    query = select(Campaign).where(Campaign.is_active, Campaign.starts_at <= now, Campaign.ends_at > now)
    return list(session.execute(query.order_by(Campaign.ends_at, Campaign.id)).scalars())


def is_exhausted(campaign: Campaign) -> bool:
    """The budget is spent: no more bonuses (base credits continue)."""
    return campaign.spent_points >= campaign.budget_points


def status(campaign: Campaign, now: datetime | None = None) -> str:
    """``upcoming``, ``running`` or ``ended`` (an ended-early or cancelled campaign is ``ended``)."""
    now = now or clock.now()
    if not campaign.is_active or now >= campaign.ends_at:
        return "ended"
    return "upcoming" if now < campaign.starts_at else "running"


def _load_running(session: Session, facts: Sequence[dict[str, Any]]) -> list[Campaign]:
    """Active campaigns with budget left whose period overlaps the activities' times (one query)."""
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
    return list(session.execute(query).scalars())


def _take(session: Session, campaign_id: int, points: int) -> bool:
    spent = _table.c.spent_points
    statement = (
        update(_table)
        .where(_table.c.id == campaign_id, spent + points <= _table.c.budget_points)
        .values(spent_points=spent + points)
    )
    return session.execute(statement).rowcount == 1


def give_back(*, session: Session, campaign_id: int, points: int) -> None:
    """Return a reversed bonus to its campaign's budget (a review rejection took it back from the resident),
    so ``spent_points`` stays the sum of the bonuses residents keep and the rest can still be awarded."""
    spent = _table.c.spent_points
    statement = (
        update(_table).where(_table.c.id == campaign_id, spent >= points).values(spent_points=spent - points)
    )
    if session.execute(statement).rowcount != 1:
        raise RuntimeError(f"campaign {campaign_id} has not spent the {points} points being given back")


def _already_paid(session: Session, activity_ids: list[int]) -> set[int]:
    """Activities whose bonus entry exists already (a repeated call must not draw the budget twice)."""
    if not activity_ids:
        return set()
    keys = [f"bonus:{activity_id}" for activity_id in activity_ids]
    query = select(LedgerEntry.ref_id).where(LedgerEntry.idempotency_key.in_(keys))
    return set(session.execute(query).scalars())


def _pay(session: Session, facts: list[dict[str, Any]]) -> None:
    """One ledger entry per bonus: ``ledger.post`` for one, ``ledger.post_many`` for a bulk import."""
    if not facts:
        return
    query = select(Account.resident_id, Account.id).where(
        Account.resident_id.in_({f["resident_id"] for f in facts})
    )
    accounts = dict(session.execute(query).all())
    postings = [
        ledger.Posting(
            accounts[f["resident_id"]],
            f["bonus_points"],
            "earn",
            f"bonus:{f['id']}",
            ref_type="campaign_bonus",
            ref_id=f["id"],
            memo=f"campaign {f['campaign_id']}",
        )
        for f in facts
    ]
    if len(postings) == 1:
        ledger.post(session=session, posting=postings[0])
    else:
        ledger.post_many(session=session, postings=postings)


# --- Administration ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignInput:
    """What an administrator enters; ``starts_at``/``ends_at`` are naive Asia/Shanghai local times (or
    aware datetimes). Stored as aware UTC."""

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


def list_campaigns(*, session: Session) -> list[Campaign]:
    """Every campaign, newest start first."""
    return list(session.execute(select(Campaign).order_by(Campaign.starts_at.desc(), Campaign.id)).scalars())


def get_campaign(*, session: Session, campaign_id: int) -> Campaign:
    """One campaign, or NotFound."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(what="campaign", campaign_id=campaign_id)
    return campaign


def create_campaign(
    *, session: Session, settings: Settings, actor_id: int, data: CampaignInput, idempotency_key: str
) -> Campaign:
    """Create a campaign (audited); the same form submitted twice creates it once."""
    values = _validated(session, settings, data, spent=0)
    asked = idempotency.fingerprint(*sorted((k, str(v)) for k, v in values.items()))
    seen = idempotency.recall(
        session=session, scope="campaign_create", owner_id=actor_id, key=idempotency_key, asked=asked
    )
    if seen is not None:
        return get_campaign(session=session, campaign_id=seen["campaign_id"])
    campaign = Campaign(**values)
    session.add(campaign)
    session.flush()
    audit.record(
        session=session,
        actor_id=actor_id,
        action="campaign.create",
        target_type="campaign",
        target_id=campaign.id,
        after=audit.snapshot(campaign, AUDITED),
    )
    idempotency.remember(
        session=session,
        scope="campaign_create",
        owner_id=actor_id,
        key=idempotency_key,
        asked=asked,
        outcome={"campaign_id": campaign.id},
    )
    return campaign


def update_campaign(
    *, session: Session, settings: Settings, actor_id: int, campaign_id: int, data: CampaignInput
) -> Campaign:
    """Change a campaign (audited); the budget may not go below what is already spent."""
    campaign = _locked(session, campaign_id)
    before = audit.snapshot(campaign, AUDITED)
    for name, value in _validated(session, settings, data, spent=campaign.spent_points).items():
        setattr(campaign, name, value)
    session.flush()
    after = audit.snapshot(campaign, AUDITED)
    if after != before:
        audit.record(
            session=session,
            actor_id=actor_id,
            action="campaign.update",
            target_type="campaign",
            target_id=campaign.id,
            before=before,
            after=after,
        )
    return campaign


def end_campaign(
    *, session: Session, actor_id: int, campaign_id: int, now: datetime | None = None
) -> Campaign:
    """End a campaign now (audited): no bonus for anything after this. A campaign that has not started is
    cancelled; ending an ended campaign changes nothing."""
    now = now or clock.now()
    campaign = _locked(session, campaign_id)
    if not campaign.is_active:
        return campaign
    before = audit.snapshot(campaign, AUDITED)
    campaign.is_active = False
    if campaign.starts_at < now < campaign.ends_at:
        campaign.ends_at = now
    session.flush()
    audit.record(
        session=session,
        actor_id=actor_id,
        action="campaign.end",
        target_type="campaign",
        target_id=campaign.id,
        before=before,
        after=audit.snapshot(campaign, AUDITED),
    )
    return campaign


def _locked(session: Session, campaign_id: int) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id).with_for_update()
    campaign = session.execute(query).scalar_one_or_none()
    if campaign is None:
        raise NotFound(what="campaign", campaign_id=campaign_id)
    return campaign


def _validated(session: Session, settings: Settings, data: CampaignInput, spent: int) -> dict[str, Any]:
    """The column values for ``data``, or a DomainError naming the first problem."""
    name_zh, name_en = (data.name_zh or "").strip(), (data.name_en or "").strip()
    if not name_zh or not name_en or len(name_zh) > 80 or len(name_en) > 80:
        raise DomainError("campaign_name_required")
    if data.kind not in CAMPAIGN_KINDS:
        raise DomainError("unexpected_input", name="kind", value=data.kind)
    starts_at, ends_at = _utc(data.starts_at, settings), _utc(data.ends_at, settings)
    if ends_at <= starts_at:
        raise DomainError("campaign_period_invalid")
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
    from carbon_credit.activities.recording import RESIDENT_BEHAVIOURS  # activities imports this module

    unknown = set(data.behaviours) - set(RESIDENT_BEHAVIOURS)
    if unknown:
        raise DomainError("unknown_behaviour", value=min(unknown))
    district_ids = sorted(set(data.district_ids))
    if district_ids:
        known = set(session.execute(select(District.id).where(District.id.in_(district_ids))).scalars())
        if known != set(district_ids):
            raise DomainError("unexpected_input", name="district", value=min(set(district_ids) - known))
    return {
        "name_zh": name_zh,
        "name_en": name_en,
        "kind": data.kind,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "behaviours": sorted(set(data.behaviours)),
        "district_ids": district_ids,
        "multiplier_percent": data.multiplier_percent,
        "bonus_points": data.bonus_points,
        "budget_points": data.budget_points,
    }


def _utc(moment: datetime, settings: Settings) -> datetime:
    """A naive local (Asia/Shanghai) time or an aware one -> aware UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(settings.timezone))
    return moment.astimezone(UTC)
