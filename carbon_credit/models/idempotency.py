"""Remembered outcomes of retried requests (QR scans, chat updates): one row per (scope, owner, key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.models.core import utcnow


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("scope", "owner_id", "key", name="uq_idempotency_records_key"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=32)
    owner_id: int
    key: str = Field(max_length=120)
    fingerprint: str = Field(
        max_length=64
    )  # sha256 of what the request asked for: same key, other request = conflict
    outcome: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
