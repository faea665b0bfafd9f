"""Trust levels: how much of the review rule applies to a resident, from their recent review outcomes.

Over the last :data:`WINDOW_DAYS` days (by ``Activity.reviewed_at``, i.e. administrators' decisions):

- ``watched``: at least one rejection. The review thresholds are halved (:data:`WATCHED_PERCENT`), so
  more of their entries wait for an administrator.
- ``trusted``: at least :data:`TRUSTED_MIN_APPROVALS` approvals and no rejection. Large amounts up to twice
  the threshold (:data:`TRUSTED_PERCENT`) are credited at once; above that they still wait.
- ``normal``: everyone else (the thresholds as configured).

Entries with a photo wait for review at every level: a photo is evidence only a person can look at, and a
resident who attaches one is asking for it to be checked (docs/review.md).

Only administrators' decisions count (``reviewed_by`` and ``reviewed_at`` set): an approval is such a
credited activity, a rejection such a rejected one (rejecting after a credit counts too).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlmodel import Session

from carbon_credit.activities.models import Activity
from carbon_credit.platform import clock

NORMAL = "normal"
TRUSTED = "trusted"
WATCHED = "watched"
LEVELS = (NORMAL, TRUSTED, WATCHED)

WINDOW_DAYS = 90  # review decisions older than this no longer count
TRUSTED_MIN_APPROVALS = 5  # approvals needed (with no rejection) to become trusted
TRUSTED_PERCENT = 200  # a trusted resident's review thresholds, in percent of the configured ones
WATCHED_PERCENT = 50  # a watched resident's review thresholds, in percent of the configured ones
BEHAVIOURS_WITH_THRESHOLDS = ("recycling", "tree_planting")  # where a level changes anything

_PERCENT = {NORMAL: 100, TRUSTED: TRUSTED_PERCENT, WATCHED: WATCHED_PERCENT}


def threshold_percent(level: str) -> int:
    """The review thresholds for ``level``, in percent of the configured ones (unknown: 100)."""
    return _PERCENT.get(level, 100)


def level_for(*, session: Session, resident_id: int, now: datetime | None = None) -> str:
    """One resident's trust level (one small aggregate query)."""
    return levels_for(session=session, resident_ids=[resident_id], now=now).get(resident_id, NORMAL)


def levels_for(
    *, session: Session, resident_ids: Iterable[int], now: datetime | None = None
) -> dict[int, str]:
    """Trust levels of several residents in one grouped query (the bulk path computes them once per batch).
    Residents without any recent review decision are ``normal``."""
    ids = sorted(set(resident_ids))
    levels = dict.fromkeys(ids, NORMAL)
    if not ids:
        return levels
    decided = decided_since(now)
    approved = case((Activity.status == "credited", 1), else_=0)
    rejected = case((Activity.status == "rejected", 1), else_=0)
    query = (
        select(Activity.resident_id, func.sum(approved), func.sum(rejected))
        .where(Activity.resident_id.in_(ids), decided)
        .group_by(Activity.resident_id)
    )
    for resident_id, approvals, rejections in session.execute(query):
        levels[resident_id] = classify(int(approvals or 0), int(rejections or 0))
    return levels


def decided_since(now: datetime | None = None) -> ColumnElement[bool]:
    """SQL condition: an activity an administrator decided within the last WINDOW_DAYS days."""
    return decided_after(window_start(now))


def window_start(now: datetime | None = None) -> datetime:
    """The oldest review decision that still counts at ``now``."""
    return (now or clock.now()) - timedelta(days=WINDOW_DAYS)


def decided_after(since: Any) -> ColumnElement[bool]:
    """SQL condition: an activity an administrator decided at or after ``since`` (a time or a bound
    parameter: pre-built statements pass :func:`window_start` at run time)."""
    return and_(
        Activity.reviewed_at.is_not(None), Activity.reviewed_at >= since, Activity.reviewed_by.is_not(None)
    )


def classify(approvals: int, rejections: int) -> str:
    """The level for a count of recent approvals and rejections."""
    if rejections:
        return WATCHED
    if approvals >= TRUSTED_MIN_APPROVALS:
        return TRUSTED
    return NORMAL
