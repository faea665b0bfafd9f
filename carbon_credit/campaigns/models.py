"""Campaigns: bonus points for qualifying activities, paid from an enforced budget."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

CAMPAIGN_KINDS = ("low_carbon_day", "environment_day", "energy_saving_week", "custom")


class Campaign(SQLModel, table=True):
    """An awareness campaign: a multiplier and/or a fixed bonus per activity, paid from a points budget that
    the database refuses to overspend (CHECK spent <= budget)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(in_values("kind", CAMPAIGN_KINDS), name="ck_campaigns_kind"),
        CheckConstraint("multiplier_percent >= 100", name="ck_campaigns_multiplier"),
        CheckConstraint("bonus_points >= 0", name="ck_campaigns_bonus"),
        CheckConstraint("spent_points >= 0 AND spent_points <= budget_points", name="ck_campaigns_budget"),
        CheckConstraint("ends_at > starts_at", name="ck_campaigns_period"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    kind: str = Field(default="custom", max_length=32)
    starts_at: datetime
    ends_at: datetime
    behaviours: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: every behaviour
    district_ids: list[int] = Field(default_factory=list, sa_type=JSON)  # empty: every district
    multiplier_percent: int = Field(default=100)  # 150 = base points x 1.5 (the bonus is the extra 50%)
    bonus_points: int = Field(default=0, sa_type=BigInteger)  # fixed bonus per qualifying activity
    budget_points: int = Field(sa_type=BigInteger)
    spent_points: int = Field(default=0, sa_type=BigInteger)
    is_active: bool = Field(default=True)
    started_notice_at: datetime | None = None
    ended_notice_at: datetime | None = None
    created_at: datetime = Field(default_factory=clock.now)
