"""Review decisions (writes): administrators approve or reject held entries (docs/review.md).

- **approve** a pending entry: the daily cap as of the entry's own day, its earn entry and
  ``activities.after_credit`` (campaign bonus, rollups), via ``activities.credit_pending``;
- **reject** a pending entry: status ``rejected`` with the administrator's reason, nothing credited;
- **reject a credited entry**: its points, campaign bonus and rollup are taken back first
  (carbon_credit.review.reversal); this always lands, leaving a debt if the resident has spent them.

Every decision writes an audit entry (``review.approve`` / ``review.reject``, before/after) and queues one
notification for the resident (dedupe key ``review:<id>:approved|rejected``), all in the caller's
transaction. A rejection is final.

Idempotent by the entry's state, not by a request key, so these decisions do not go through
``platform.commands.run``: the residents' accounts are locked first (``ledger.lock_accounts``), so a second
decision on an entry always sees the first one's outcome and answers ``changed=False`` ("already approved"),
which a replayed key would hide behind the first answer; and a bulk approval is one transaction deciding
many entries, each audited on its own, where ``commands.run`` audits one target per key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit import activities, ledger, notifications, registry
from carbon_credit.activities import Activity
from carbon_credit.platform import audit, clock
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.review.reversal import take_back

REASON_MAX = 255  # Activity.review_note
AUDIT_FIELDS = (
    "status",
    "points",
    "note",
    "review_note",
    "reviewed_by",
    "reviewed_at",
    "ledger_entry_id",
    "campaign_id",
    "bonus_points",
)


@dataclass(frozen=True)
class Decision:
    """What a decision did: ``changed`` is False when the entry was already in that state."""

    activity_id: int
    status: str
    changed: bool
    points: int = 0  # credited by an approval
    reversed_points: int = 0  # taken back by a rejection after a credit
    debt: int = 0  # what the resident owes after the clawback (points already spent), 0 when none


def approve(
    *, session: Session, settings: Settings, activity_id: int, actor_id: int, now: datetime | None = None
) -> Decision:
    """Approve one pending entry (see the module docstring). Approving a credited entry does nothing;
    approving a rejected one is refused (``review_already_rejected``)."""
    return bulk_approve(
        session=session,
        settings=settings,
        activity_ids=[activity_id],
        actor_id=actor_id,
        now=now,
        strict=True,
    )[0]


def bulk_approve(
    *,
    session: Session,
    settings: Settings,
    activity_ids: Iterable[int],
    actor_id: int,
    now: datetime | None = None,
    strict: bool = False,
) -> list[Decision]:
    """Approve several entries in the caller's one transaction, each capped, credited and audited; entries
    not pending are left as they are (``changed=False``), or with ``strict`` a rejected one is refused."""
    now = now or clock.now()
    decisions, credited, befores = [], [], {}
    for activity in _lock(session, activity_ids):
        if activity.status == "rejected" and strict:
            raise DomainError("review_already_rejected", activity_id=activity.id)
        if activity.status != "pending":
            decisions.append(Decision(activity.id, activity.status, False, activity.points))
            continue
        befores[activity.id] = audit.snapshot(activity, AUDIT_FIELDS)
        activities.credit_pending(session=session, settings=settings, activity=activity)
        _mark_reviewed(session, activity, actor_id, now, note=None)
        credited.append(activity)
        decisions.append(Decision(activity.id, "credited", True, activity.points))
    activities.after_credit(session=session, settings=settings, activities=credited)
    for activity in credited:
        _audit(session, actor_id, "review.approve", activity, befores[activity.id])
        _tell(session, activity, "approved", {"points": activity.points})
    return decisions


def reject(
    *,
    session: Session,
    settings: Settings,
    activity_id: int,
    actor_id: int,
    reason: str,
    now: datetime | None = None,
) -> Decision:
    """Reject an entry with the administrator's reason (1 to :data:`REASON_MAX` characters). A pending
    entry is simply rejected; a credited one is taken back first, always (the account goes into debt when
    the points were spent). Rejecting a rejected entry does nothing."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("review_reason_required", limit=REASON_MAX)
    (activity,) = _lock(session, [activity_id])
    if activity.status == "rejected":
        return Decision(activity.id, "rejected", False)
    before = audit.snapshot(activity, AUDIT_FIELDS)
    reversed_points = take_back(session=session, activity=activity) if activity.status == "credited" else 0
    if activity.status == "credited":  # pooled reductions: a correction, or out of a batch not verified yet
        registry.record_correction(session=session, activity_id=activity.id, reason=reason)
    activity.status = "rejected"
    _mark_reviewed(session, activity, actor_id, now or clock.now(), note=reason)
    debt = _debt(session, activity.resident_id) if reversed_points else 0
    extra = {"reversed_points": reversed_points, **({"debt": debt} if debt else {})}
    _audit(session, actor_id, "review.reject", activity, before, **extra)
    params = {"reason": reason}
    if reversed_points:
        message = "review_rejected_debt" if debt else "review_rejected_reversed"
        params.update(points=reversed_points, message=message, **({"debt": debt} if debt else {}))
    _tell(session, activity, "rejected", params)
    return Decision(activity.id, "rejected", True, reversed_points=reversed_points, debt=debt)


def _debt(session: Session, resident_id: int) -> int:
    """What the resident owes now (0 when the balance is not negative)."""
    account_id = ledger.account_id_for(session=session, resident_id=resident_id)
    return ledger.debt_of(session=session, account_id=account_id).owed


def _lock(session: Session, activity_ids: Iterable[int]) -> list[Activity]:
    """The entries, read after locking their residents' accounts (``ledger.lock_accounts``, as the bulk
    recording path does), so two administrators deciding at once are serialised per resident."""
    ids = sorted(set(activity_ids))
    owners = dict(
        session.execute(select(Activity.id, Activity.resident_id).where(Activity.id.in_(ids))).all()
    )
    missing = set(ids) - owners.keys()
    if missing:
        raise NotFound(what="activity", activity_id=min(missing))
    ledger.lock_accounts(session=session, resident_ids=owners.values())
    query = select(Activity).where(Activity.id.in_(ids)).order_by(Activity.id)
    return list(session.execute(query.execution_options(populate_existing=True)).scalars())


def _mark_reviewed(session: Session, activity: Activity, actor_id: int, now: datetime, note: str | None):
    activity.reviewed_by, activity.reviewed_at, activity.review_note = actor_id, now, note
    session.add(activity)
    session.flush()


def _audit(session: Session, actor_id: int, action: str, activity: Activity, before: dict, **extra) -> None:
    after = {**audit.snapshot(activity, AUDIT_FIELDS), **extra}
    audit.record(
        session=session,
        actor_id=actor_id,
        action=action,
        target_type="activity",
        target_id=activity.id,
        before=before,
        after=after,
    )


def _tell(session: Session, activity: Activity, outcome: str, params: dict) -> None:
    """The resident's notification of the decision (``review_approved`` / ``review_rejected``), once."""
    notifications.notify(
        session=session,
        resident_id=activity.resident_id,
        kind=f"review_{outcome}",
        params={"activity_id": activity.id, "day": activity.local_day, **params},
        dedupe_key=f"review:{activity.id}:{outcome}",
    )
