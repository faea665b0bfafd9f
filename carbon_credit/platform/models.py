"""Platform tables: the audit log and remembered outcomes of retried commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock

JOB_STATUSES = ("queued", "running", "done", "failed")  # background work: exports, imports


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint: ``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class AuditEntry(SQLModel, table=True):
    """Every administrator action: who, what, when, on what, before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)
    id: int | None = Field(default=None, primary_key=True)
    actor_id: int | None = Field(default=None, foreign_key="residents.id", index=True)
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(max_length=32)
    target_id: int | None = Field(default=None, sa_type=BigInteger)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    created_at: datetime = Field(default_factory=clock.now, index=True)


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
    created_at: datetime = Field(default_factory=clock.now)
