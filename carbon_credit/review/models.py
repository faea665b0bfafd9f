"""Accounts flagged for review by the daily anomaly check (carbon_credit.review.anomalies), with reasons."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

FLAG_STATUSES = ("open", "cleared", "clawed_back")


class AccountFlag(SQLModel, table=True):
    """A resident's account flagged for the days ``day_from`` .. ``day_to`` (Beijing), with its reasons
    (``[{"code": ..., "params": {...}}]``); an administrator clears it or claws the period's credits back."""

    __tablename__ = "account_flags"
    __table_args__ = (
        CheckConstraint(in_values("status", FLAG_STATUSES), name="ck_account_flags_status"),
        UniqueConstraint("resident_id", "day_to", name="uq_account_flags_resident_day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    day_from: date
    day_to: date
    reasons: list[dict[str, Any]] = Field(sa_type=JSON)
    status: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(default_factory=clock.now)
    decided_by: int | None = Field(default=None, foreign_key="residents.id")
    decided_at: datetime | None = None
    decision_note: str | None = Field(default=None, max_length=255)
