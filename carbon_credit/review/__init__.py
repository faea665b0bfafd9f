"""Review: the queue of held entries and suspicious transit scans (reads), and the administrators'
decisions on them (approve, bulk approve, reject, taking a credit back), each audited and notified."""

from carbon_credit.review.decisions import AUDIT_FIELDS, REASON_MAX, Decision, approve, bulk_approve, reject
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

__all__ = [
    "AUDIT_FIELDS",
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
