"""Activities: recording on every channel, admission (caps, review rule, trust), crediting, the audit
trail, history and the daily rollups kept on every credit."""

from carbon_credit.activities.models import ACTIVITY_STATUSES, CHANNELS, Activity, DailyRollup
from carbon_credit.activities.recording import (
    CLOCK_SKEW,
    KEY_CHUNK,
    RESIDENT_BEHAVIOURS,
    ActivityInput,
    BulkResult,
    LockedAccount,
    after_credit,
    credit_discrepancies,
    credit_pending,
    factor_snapshot,
    factor_sources,
    local_day,
    lock_account,
    points_for,
    record_activities,
    record_activity,
)

__all__ = [
    "ACTIVITY_STATUSES",
    "CHANNELS",
    "Activity",
    "DailyRollup",
    "CLOCK_SKEW",
    "KEY_CHUNK",
    "RESIDENT_BEHAVIOURS",
    "ActivityInput",
    "BulkResult",
    "points_for",
    "local_day",
    "LockedAccount",
    "lock_account",
    "record_activity",
    "credit_pending",
    "after_credit",
    "record_activities",
    "credit_discrepancies",
    "factor_snapshot",
    "factor_sources",
]
