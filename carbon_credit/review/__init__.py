"""Review: the queue of held entries and suspicious transit scans (reads), and the administrators'
decisions on them (approve, bulk approve, reject, taking a credit back, always: a debt when the points were
spent), each audited and notified; a resident's standing (balance, debt and why); the daily anomaly check
flagging accounts, and clearing or clawing back a flag."""

from carbon_credit.review.anomalies import WINDOW_DAYS, flag_anomalies
from carbon_credit.review.decisions import AUDIT_FIELDS, REASON_MAX, Decision, approve, bulk_approve, reject
from carbon_credit.review.flags import FlagRow, claw_back_flag, clear_flag, flagged
from carbon_credit.review.models import FLAG_STATUSES, AccountFlag
from carbon_credit.review.queue import (
    PER_PAGE,
    SUSPICIOUS_DAYS,
    Page,
    QueueRow,
    ReviewDetail,
    SuspiciousRow,
    detail,
    get_activity,
    pending,
    photo_of,
    recent_rejections,
    suspicious,
    suspicious_reasons,
)
from carbon_credit.review.standing import DebtReason, Standing, standing

__all__ = [
    "AUDIT_FIELDS",
    "FLAG_STATUSES",
    "WINDOW_DAYS",
    "AccountFlag",
    "DebtReason",
    "FlagRow",
    "Standing",
    "claw_back_flag",
    "clear_flag",
    "flag_anomalies",
    "flagged",
    "standing",
    "PER_PAGE",
    "REASON_MAX",
    "SUSPICIOUS_DAYS",
    "Decision",
    "Page",
    "QueueRow",
    "ReviewDetail",
    "SuspiciousRow",
    "approve",
    "bulk_approve",
    "detail",
    "get_activity",
    "pending",
    "photo_of",
    "recent_rejections",
    "reject",
    "suspicious",
    "suspicious_reasons",
]
