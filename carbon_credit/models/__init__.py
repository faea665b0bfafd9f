"""Database tables (SQLModel), one module per aggregate. Services in this package are the only writers."""

from carbon_credit.models.admin import (
    CAMPAIGN_KINDS,
    JOB_STATUSES,
    AuditEntry,
    Campaign,
    DailyRollup,
    ExportJob,
    ImportBatch,
    JobRun,
    Notification,
)
from carbon_credit.models.api import ApiToken
from carbon_credit.models.chat import ChatSession, LinkCode
from carbon_credit.models.core import (
    ACTIVITY_STATUSES,
    CHANNELS,
    LEDGER_KINDS,
    ROLES,
    Account,
    Activity,
    District,
    LedgerEntry,
    Resident,
    utcnow,
)
from carbon_credit.models.idempotency import IdempotencyRecord
from carbon_credit.models.rewards import VOUCHER_STATUSES, Reward, Voucher
from carbon_credit.models.transit import (
    TAP_IN_STATUSES,
    TRANSIT_MODES,
    Route,
    RouteStop,
    Stop,
    TapIn,
    TransitRejection,
)

__all__ = [
    "Notification",
    "JobRun",
    "ImportBatch",
    "ExportJob",
    "DailyRollup",
    "Campaign",
    "AuditEntry",
    "JOB_STATUSES",
    "CAMPAIGN_KINDS",
    "ACTIVITY_STATUSES",
    "CHANNELS",
    "LEDGER_KINDS",
    "ROLES",
    "TAP_IN_STATUSES",
    "TRANSIT_MODES",
    "VOUCHER_STATUSES",
    "Account",
    "Activity",
    "ApiToken",
    "ChatSession",
    "District",
    "IdempotencyRecord",
    "LedgerEntry",
    "LinkCode",
    "Resident",
    "Reward",
    "Route",
    "RouteStop",
    "Stop",
    "TapIn",
    "TransitRejection",
    "Voucher",
    "utcnow",
]
