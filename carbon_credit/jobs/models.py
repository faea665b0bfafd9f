"""Job runs: one row per (job, period), so a job runs once per period however many schedulers run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock


class JobRun(SQLModel, table=True):
    """A scheduled job's run for one period: the unique key makes a second scheduler harmless."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_period"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    period: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)
