"""Jobs: the schedule only (``python -m carbon_credit.jobs``). Owns the list of timers (:data:`JOBS`), the
scheduler process and the run claims (one run per job and period); each job is one call into its feature."""

from carbon_credit.jobs.models import JobRun
from carbon_credit.jobs.schedule import (
    IMPORT_BUDGET_S,
    JOBS,
    Job,
    apply_retention,
    campaign_notices,
    check_ledger,
    expire_copies,
    expire_tap_ins,
    flag_anomalies,
    points_expiry,
    refresh_rollups,
    resume_imports,
    run_exports,
    weekly_summary,
)
from carbon_credit.jobs.scheduler import run_scheduler

__all__ = [
    "IMPORT_BUDGET_S",
    "JOBS",
    "Job",
    "JobRun",
    "apply_retention",
    "campaign_notices",
    "check_ledger",
    "expire_copies",
    "expire_tap_ins",
    "flag_anomalies",
    "points_expiry",
    "refresh_rollups",
    "resume_imports",
    "run_exports",
    "run_scheduler",
    "weekly_summary",
]
