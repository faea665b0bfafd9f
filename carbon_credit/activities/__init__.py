"""Activities: a resident's low-carbon claims on every channel. Owns admission (claim window, review hold at
the resident's trust level, daily caps, campaign bonus), recording (one and in bulk), crediting (earn
entries, what follows every credit, a pending entry's approval), the audit trail of factors, the resident's
history, the review rule, trust levels and the daily statistics rollups.

Admission (``admission.admit``) is the one place that decides what a claim earns: recording credits exactly
that, and the chat shows it before confirmation with ``preview``. What each evidence level of a behaviour
may earn, and how far back it may be claimed, is the policy table (``policy.POLICIES``)."""

from carbon_credit.activities.accounts import LockedAccount, lock_account
from carbon_credit.activities.admission import Admission, points_for, preview
from carbon_credit.activities.audit_trail import factor_snapshot, factor_sources
from carbon_credit.activities.claims import CLOCK_SKEW, RESIDENT_BEHAVIOURS, ActivityInput, local_day
from carbon_credit.activities.crediting import after_credit, credit_discrepancies, credit_pending
from carbon_credit.activities.explain import Explanation, FactorWords, explain
from carbon_credit.activities.explain_facts import Fact, facts_in_words
from carbon_credit.activities.history import activity_history, activity_of, tree_year_kg
from carbon_credit.activities.home import home_summary
from carbon_credit.activities.models import ACTIVITY_STATUSES, CHANNELS, Activity, DailyRollup
from carbon_credit.activities.policy import (
    EVIDENCE_CHANNELS,
    EVIDENCE_LEVELS,
    POLICIES,
    REPORTABLE_LEVELS,
    EvidenceRequired,
    policy_for,
)
from carbon_credit.activities.progress import CampaignPart, CapProgress, campaign_parts, today_progress
from carbon_credit.activities.recording import record_activities, record_activity
from carbon_credit.activities.review_rule import SPECIES_GROUPS, planting_moment, review_reason, species_group
from carbon_credit.activities.rollups import add as add_to_rollups
from carbon_credit.activities.rollups import rebuild as rebuild_rollups
from carbon_credit.activities.trust import level_for as trust_level_for
from carbon_credit.activities.trust import levels_for as trust_levels_for

__all__ = [
    "ACTIVITY_STATUSES",
    "CHANNELS",
    "CLOCK_SKEW",
    "EVIDENCE_CHANNELS",
    "EVIDENCE_LEVELS",
    "POLICIES",
    "REPORTABLE_LEVELS",
    "RESIDENT_BEHAVIOURS",
    "SPECIES_GROUPS",
    "Activity",
    "ActivityInput",
    "Admission",
    "CampaignPart",
    "CapProgress",
    "DailyRollup",
    "EvidenceRequired",
    "Explanation",
    "Fact",
    "FactorWords",
    "LockedAccount",
    "activity_history",
    "activity_of",
    "add_to_rollups",
    "after_credit",
    "campaign_parts",
    "credit_discrepancies",
    "credit_pending",
    "explain",
    "factor_snapshot",
    "factor_sources",
    "facts_in_words",
    "home_summary",
    "local_day",
    "lock_account",
    "planting_moment",
    "points_for",
    "policy_for",
    "preview",
    "rebuild_rollups",
    "record_activities",
    "record_activity",
    "review_reason",
    "species_group",
    "today_progress",
    "tree_year_kg",
    "trust_level_for",
    "trust_levels_for",
]
