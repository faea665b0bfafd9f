"""Export jobs: background exports and their progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import JOB_STATUSES, in_values


class ExportJob(SQLModel, table=True):
    """A large export running in the background, with progress, downloadable when done."""

    __tablename__ = "export_jobs"
    __table_args__ = (CheckConstraint(in_values("status", JOB_STATUSES), name="ck_export_jobs_status"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # "campaign_report" | "auditor"
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="queued", max_length=16)
    done_rows: int = Field(default=0)
    total_rows: int = Field(default=0)
    file_name: str | None = Field(default=None, max_length=255)
    error: str | None = Field(default=None, max_length=255)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None
