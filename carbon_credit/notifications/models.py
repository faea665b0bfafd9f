"""The notifications outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock


class Notification(SQLModel, table=True):
    """An outbox message for a resident (review outcome, campaign start, weekly summary); the bot sends it
    to linked Telegram accounts and marks it sent; the web shows recent ones."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unsent", "sent_at", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    kind: str = Field(max_length=32)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    dedupe_key: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(default_factory=clock.now)
    sent_at: datetime | None = None
