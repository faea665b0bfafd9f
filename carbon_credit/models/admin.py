"""Administration tables: campaigns, the audit log, statistics rollups, notifications, job runs, imports
and export jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.models.core import in_values, utcnow

CAMPAIGN_KINDS = ("low_carbon_day", "environment_day", "energy_saving_week", "custom")
JOB_STATUSES = ("queued", "running", "done", "failed")


class Campaign(SQLModel, table=True):
    """An awareness campaign: a multiplier and/or a fixed bonus per activity, paid from a points budget that
    the database refuses to overspend (CHECK spent <= budget)."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(in_values("kind", CAMPAIGN_KINDS), name="ck_campaigns_kind"),
        CheckConstraint("multiplier_percent >= 100", name="ck_campaigns_multiplier"),
        CheckConstraint("bonus_points >= 0", name="ck_campaigns_bonus"),
        CheckConstraint("spent_points >= 0 AND spent_points <= budget_points", name="ck_campaigns_budget"),
        CheckConstraint("ends_at > starts_at", name="ck_campaigns_period"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    kind: str = Field(default="custom", max_length=32)
    starts_at: datetime
    ends_at: datetime
    behaviours: list[str] = Field(default_factory=list, sa_type=JSON)  # empty: every behaviour
    district_ids: list[int] = Field(default_factory=list, sa_type=JSON)  # empty: every district
    multiplier_percent: int = Field(default=100)  # 150 = base points x 1.5 (the bonus is the extra 50%)
    bonus_points: int = Field(default=0, sa_type=BigInteger)  # fixed bonus per qualifying activity
    budget_points: int = Field(sa_type=BigInteger)
    spent_points: int = Field(default=0, sa_type=BigInteger)
    is_active: bool = Field(default=True)
    started_notice_at: datetime | None = None
    ended_notice_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


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
    created_at: datetime = Field(default_factory=utcnow, index=True)


class DailyRollup(SQLModel, table=True):
    """Credited activity totals per Asia/Shanghai day and dimension (0 = none for district and campaign),
    kept current on write and rebuilt by the scheduler, so statistics never scan the activities table."""

    __tablename__ = "daily_rollups"
    __table_args__ = (
        UniqueConstraint(
            "local_day", "behaviour", "district_id", "channel", "campaign_id", name="uq_daily_rollups_key"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    local_day: date = Field(index=True)
    behaviour: str = Field(max_length=32)
    district_id: int = Field(default=0)
    channel: str = Field(max_length=16)
    campaign_id: int = Field(default=0)
    activities: int = Field(default=0, sa_type=BigInteger)
    grams: int = Field(default=0, sa_type=BigInteger)
    points: int = Field(default=0, sa_type=BigInteger)
    bonus_points: int = Field(default=0, sa_type=BigInteger)


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
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None


class JobRun(SQLModel, table=True):
    """A scheduled job's run for one period: the unique key makes a second scheduler harmless."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_period"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=64)
    period: str = Field(max_length=64)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)


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
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


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
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
