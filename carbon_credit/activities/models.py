"""Activities (each credit with its methodology, factors and inputs) and the daily statistics rollups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.activities.policy import EVIDENCE_LEVELS
from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

ACTIVITY_STATUSES = ("credited", "pending", "rejected")


CHANNELS = ("web", "bot", "qr", "api", "import", "demo")


class Activity(SQLModel, table=True):
    """A recorded low-carbon behaviour with its full quantification snapshot, so it can be recomputed."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(in_values("status", ACTIVITY_STATUSES), name="ck_activities_status"),
        CheckConstraint(in_values("channel", CHANNELS), name="ck_activities_channel"),
        CheckConstraint(in_values("evidence", EVIDENCE_LEVELS), name="ck_activities_evidence"),
        CheckConstraint(
            "grams >= 0 AND points >= 0 AND points <= points_quantified", name="ck_activities_amounts"
        ),
        Index("ix_activities_resident_day", "resident_id", "behaviour", "local_day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    behaviour: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    # verified | evidenced | declared (policy.py): what the claim rests on, and what it may earn.
    evidence: str = Field(max_length=16)
    status: str = Field(max_length=16, index=True)
    inputs: dict[str, Any] = Field(sa_type=JSON)
    methodology_id: str = Field(max_length=64)
    methodology_version: str = Field(max_length=32)
    factors: list[dict[str, Any]] = Field(sa_type=JSON)
    formula: str = Field(sa_column=Column(Text, nullable=False))
    grams: int = Field(sa_type=BigInteger)
    points_quantified: int = Field(sa_type=BigInteger)
    points: int = Field(sa_type=BigInteger)
    note: str | None = Field(default=None, max_length=255)
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id", index=True)
    bonus_points: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    reviewed_by: int | None = Field(default=None, foreign_key="residents.id")
    reviewed_at: datetime | None = None
    review_note: str | None = Field(default=None, max_length=255)
    photo: str | None = Field(default=None, max_length=128)  # file name under the uploads folder
    # Facts the resident gave that the methodology does not use (tree species group, planting date...).
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # The entry that credited it: its own (one at a time) or its account's entry for a bulk batch.
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entries.id")
    occurred_at: datetime
    local_day: date = Field(index=True)
    idempotency_key: str = Field(max_length=160, unique=True)
    # SHA-256 of the request (recording.request_digest): the same key with another request is a conflict.
    request_digest: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=clock.now)


class DailyRollup(SQLModel, table=True):
    """Credited activity totals per Beijing day and dimension (0 = none for district and campaign),
    kept current on write and rebuilt by the scheduler, so statistics never scan the activities table."""

    __tablename__ = "daily_rollups"
    __table_args__ = (
        UniqueConstraint(
            "local_day",
            "behaviour",
            "district_id",
            "channel",
            "campaign_id",
            "evidence",
            name="uq_daily_rollups_key",
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    local_day: date = Field(index=True)
    behaviour: str = Field(max_length=32)
    district_id: int = Field(default=0)
    channel: str = Field(max_length=16)
    campaign_id: int = Field(default=0)
    evidence: str = Field(max_length=16)
    activities: int = Field(default=0, sa_type=BigInteger)
    grams: int = Field(default=0, sa_type=BigInteger)
    points: int = Field(default=0, sa_type=BigInteger)
    bonus_points: int = Field(default=0, sa_type=BigInteger)
