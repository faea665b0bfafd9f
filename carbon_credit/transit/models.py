"""Transit tables: tap-ins, refused scans and operator import batches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import JOB_STATUSES, in_values


class ImportBatch(SQLModel, table=True):
    """An uploaded operator trip file (or stop list) being imported: resumable from ``next_row``."""

    __tablename__ = "import_batches"
    __table_args__ = (CheckConstraint(in_values("status", JOB_STATUSES), name="ck_import_batches_status"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # "operator_trips"
    filename: str = Field(max_length=255)
    file_sha256: str = Field(max_length=64, index=True)
    status: str = Field(default="queued", max_length=16)
    total_rows: int = Field(default=0)
    next_row: int = Field(default=0)  # rows before this one are done
    credited: int = Field(default=0)
    skipped: int = Field(default=0)
    errors: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None


TAP_IN_STATUSES = ("open", "completed", "cancelled", "expired", "rejected")


class TapIn(SQLModel, table=True):
    """A resident's scan at a stop, waiting for the tap-out that makes it a trip. At most one is open."""

    __tablename__ = "tap_ins"
    __table_args__ = (
        CheckConstraint(in_values("status", TAP_IN_STATUSES), name="ck_tap_ins_status"),
        Index(
            "uq_tap_ins_one_open",
            "resident_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
        Index("ix_tap_ins_resident_time", "resident_id", "tapped_in_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    stop_id: int = Field(foreign_key="stops.id")
    tapped_in_at: datetime
    status: str = Field(default="open", max_length=16)
    tap_out_stop_id: int | None = Field(default=None, foreign_key="stops.id")
    closed_at: datetime | None = None
    metres: int | None = None
    activity_id: int | None = Field(default=None, foreign_key="activities.id")
    reason: str | None = Field(default=None, max_length=64)


class TransitRejection(SQLModel, table=True):
    """Every refused scan, with its reason code and evidence, for residents and the review queue."""

    __tablename__ = "transit_rejections"
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)
    stop_id: int | None = Field(default=None, foreign_key="stops.id")
    tap_in_id: int | None = Field(default=None, foreign_key="tap_ins.id")
    reason: str = Field(max_length=64)
    evidence: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=clock.now)
