"""Personal API tokens: only a SHA-256 hash is stored; the token is shown once, when created."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from carbon_credit.models.core import utcnow


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
