"""The demo campaigns, created by the demo administrator (audited, like the admin form): one running this
week and one that ended before it, both placed around today's Beijing date so the demo is right on any day.
A campaign already there (by English name) is left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.campaigns import Campaign, CampaignInput, create_campaign
from carbon_credit.platform import clock
from carbon_credit.platform.settings import Settings


@dataclass(frozen=True, slots=True)
class DemoCampaign:
    """A campaign's terms, its period given in Beijing days from today (``ends`` is the first day after)."""

    name_zh: str
    name_en: str
    kind: str
    starts: int  # days from today (negative: before)
    ends: int
    budget_points: int
    multiplier_percent: int = 100
    bonus_points: int = 0
    behaviours: tuple[str, ...] = ()


DEMO_CAMPAIGNS = (
    # Running: two days in, five to go; 50 more points for every bus ride and walk, from a small budget.
    DemoCampaign(
        "全国低碳日 · 绿色出行周",
        "Low-Carbon Day · Green Travel Week",
        "low_carbon_day",
        starts=-2,
        ends=5,
        budget_points=2_000,
        bonus_points=50,
        behaviours=("transit", "walking"),
    ),
    # Ended the day before: a week of 20 % more for saving electricity and recycling.
    DemoCampaign(
        "节能宣传周 · 节电与回收",
        "Energy Saving Week · Save Power, Recycle More",
        "energy_saving_week",
        starts=-9,
        ends=-2,
        budget_points=8_000,
        multiplier_percent=120,
        behaviours=("electricity", "recycling"),
    ),
)


def seed_demo_campaigns(*, session: Session, settings: Settings, admin_id: int, now: datetime) -> None:
    """Create the demo campaigns that are missing, as the demo administrator would."""
    for index, plan in enumerate(DEMO_CAMPAIGNS):
        found = session.execute(select(Campaign.id).where(Campaign.name_en == plan.name_en)).first()
        if found is None:
            create_campaign(
                session=session,
                settings=settings,
                actor_id=admin_id,
                data=_input(plan, now),
                idempotency_key=f"demo-campaign-{index}-{clock.local_day(now)}",
            )


def _input(plan: DemoCampaign, now: datetime) -> CampaignInput:
    today = clock.local_day(now)
    return CampaignInput(
        name_zh=plan.name_zh,
        name_en=plan.name_en,
        kind=plan.kind,
        starts_at=datetime.combine(today + timedelta(days=plan.starts), time()),  # Beijing midnight
        ends_at=datetime.combine(today + timedelta(days=plan.ends), time()),
        budget_points=plan.budget_points,
        multiplier_percent=plan.multiplier_percent,
        bonus_points=plan.bonus_points,
        behaviours=list(plan.behaviours),
    )
