"""Chat state kept in the database, so a restarted bot continues a half-finished dialogue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock


class ChatSession(SQLModel, table=True):
    """One person on one channel: who they are, where the dialogue stands, a short transcript (web page)."""

    __tablename__ = "chat_sessions"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_chat_sessions_person"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    external_id: str = Field(max_length=64)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)
    locale: str | None = Field(default=None, max_length=10)
    state: str = Field(default="idle", max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # the pending action, the transcript
    window_started_at: datetime | None = None  # per-person rate limit: start of the current minute
    window_count: int = Field(default=0)
    updated_at: datetime = Field(default_factory=clock.now)


class LinkCode(SQLModel, table=True):
    """A one-time code from the web account page that links a Telegram account (10 minutes, single use)."""

    __tablename__ = "link_codes"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=clock.now)
