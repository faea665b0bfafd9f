"""Jobs: the schedule only (``python -m carbon_credit.jobs``); each job calls one operation of its feature."""

from carbon_credit.jobs.models import JobRun
from carbon_credit.jobs.schedule import (
    IMPORT_BUDGET_S,
    JOBS,
    POINTS_EXPIRY_DAYS,
    Job,
    announce_campaigns,
    campaign_notices,
    check_ledger,
    expire_points,
    expire_tap_ins,
    expiry_days,
    log,
    points_expiry,
    refresh_rollups,
    resume_imports,
    run_exports,
    run_scheduler,
    weekly_summary,
)

__all__ = [
    "JobRun",
    "POINTS_EXPIRY_DAYS",
    "IMPORT_BUDGET_S",
    "log",
    "check_ledger",
    "refresh_rollups",
    "expire_tap_ins",
    "campaign_notices",
    "weekly_summary",
    "points_expiry",
    "resume_imports",
    "run_exports",
    "expiry_days",
    "announce_campaigns",
    "expire_points",
    "Job",
    "JOBS",
    "run_scheduler",
]
