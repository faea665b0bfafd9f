"""The review queue: administrators approve or reject held entries, and see suspicious transit scans.

Decisions (docs/review.md):
- **approve** a pending entry: the daily cap as of the entry's own day, its earn entry and
  ``activities.after_credit`` (campaign bonus, rollups), via ``activities.credit_pending``;
- **reject** a pending entry: status ``rejected`` with the administrator's reason, nothing credited;
- **reject a credited entry**: a reversal of its points (``ledger.reverse`` of its own entry, or a reversal
  posting of its points when a batch entry credited it), of its campaign bonus entry if any, and its
  rollup subtracted; the bonus goes back to the campaign's budget. If the resident has
  spent the points already, the reversal would overdraw: it is refused (``review_reversal_overdraw``, an
  InsufficientPoints) and nothing changes; the points are never partly taken back.

Every decision is idempotent by state (approving a credited entry, rejecting a rejected one: nothing
happens), writes an audit entry (before/after) and queues one notification for the resident (dedupe key
``review:<id>:approved|rejected``), all in the caller's transaction. A rejection is final.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit import activities, campaigns, ledger, notifications
from carbon_credit.activities import rollups, trust
from carbon_credit.activities.models import Activity
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform import audit, clock
from carbon_credit.platform.errors import DomainError, InsufficientPoints, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import Resident
from carbon_credit.stops.models import Stop
from carbon_credit.transit.models import TransitRejection

PER_PAGE = 50
REASON_MAX = 255  # Activity.review_note
SUSPICIOUS_DAYS = 7  # the per-resident count of rejected scans in the suspicious tab
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
class QueueRow:
    """A pending entry with its resident's name and trust level."""

    activity: Activity
    resident_name: str
    trust: str


@dataclass(frozen=True)
class SuspiciousRow:
    """A refused transit scan with its resident, stop and the resident's recent count of refusals."""

    rejection: TransitRejection
    resident_name: str | None
    stop: Stop | None
    recent_count: int


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class ReviewDetail:
    """One entry as the reviewer sees it."""

    activity: Activity
    resident: Resident
    trust: str
    balance: int
    suspicious_count: int


@dataclass(frozen=True)
class Decision:
    """What a decision did: ``changed`` is False when the entry was already in that state."""

    activity_id: int
    status: str
    changed: bool
    points: int = 0  # credited by an approval
    reversed_points: int = 0  # taken back by a rejection after a credit


def pending(
    *, session: Session, page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None
) -> Page:
    """Entries waiting for review, oldest first, with each resident's trust level."""
    query = (
        select(Activity, Resident.display_name)
        .join(Resident, Resident.id == Activity.resident_id)
        .where(Activity.status == "pending")
    )
    total, page, pages = _paging(session, query, page, per_page)
    rows = session.execute(query.order_by(Activity.id).offset((page - 1) * per_page).limit(per_page)).all()
    levels = trust.levels_for(session=session, resident_ids={a.resident_id for a, _ in rows}, now=now)
    items = [QueueRow(a, name, levels[a.resident_id]) for a, name in rows]
    return Page(items, total, page, pages)


def suspicious(
    *,
    session: Session,
    page: int = 1,
    per_page: int = PER_PAGE,
    reason: str | None = None,
    now: datetime | None = None,
) -> Page:
    """Refused transit scans (carbon_credit.transit), newest first, each with its reason code and evidence
    and how many refusals its resident had in the last :data:`SUSPICIOUS_DAYS` days."""
    query = (
        select(TransitRejection, Resident.display_name, Stop)
        .outerjoin(Resident, Resident.id == TransitRejection.resident_id)
        .outerjoin(Stop, Stop.id == TransitRejection.stop_id)
    )
    if reason:
        query = query.where(TransitRejection.reason == reason)
    total, page, pages = _paging(session, query, page, per_page)
    rows = session.execute(
        query.order_by(TransitRejection.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    counts = recent_rejections(
        session=session, resident_ids={r.resident_id for r, _, _ in rows if r.resident_id}, now=now
    )
    items = [SuspiciousRow(r, name, stop, counts.get(r.resident_id, 0)) for r, name, stop in rows]
    return Page(items, total, page, pages)


def suspicious_reasons(*, session: Session) -> list[str]:
    """The reason codes present among refused scans (for the tab's filter)."""
    query = select(TransitRejection.reason).distinct().order_by(TransitRejection.reason)
    return list(session.execute(query).scalars())


def recent_rejections(
    *, session: Session, resident_ids: Iterable[int], now: datetime | None = None
) -> dict[int, int]:
    """Refused transit scans per resident in the last :data:`SUSPICIOUS_DAYS` days."""
    ids = sorted(set(resident_ids))
    if not ids:
        return {}
    since = (now or clock.now()) - timedelta(days=SUSPICIOUS_DAYS)
    query = (
        select(TransitRejection.resident_id, func.count())
        .where(TransitRejection.resident_id.in_(ids), TransitRejection.created_at >= since)
        .group_by(TransitRejection.resident_id)
    )
    return {resident_id: count for resident_id, count in session.execute(query)}


def detail(*, session: Session, activity_id: int, now: datetime | None = None) -> ReviewDetail:
    """One entry (any status) with its resident, trust level, balance and recent refused scans."""
    activity = _get(session, activity_id)
    resident = session.get(Resident, activity.resident_id)
    account_id = ledger.account_id_for(session=session, resident_id=resident.id)
    return ReviewDetail(
        activity=activity,
        resident=resident,
        trust=trust.level_for(session=session, resident_id=resident.id, now=now),
        balance=ledger.balance(session=session, account_id=account_id),
        suspicious_count=recent_rejections(session=session, resident_ids=[resident.id], now=now).get(
            resident.id, 0
        ),
    )


def photo_of(*, session: Session, activity_id: int) -> str:
    """The stored photo file name of an entry (NotFound when it has none)."""
    activity = _get(session, activity_id)
    if not activity.photo:
        raise NotFound(what="photo", activity_id=activity_id)
    return activity.photo


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
    held = _lock(session, activity_ids)
    decisions, credited, befores = [], [], {}
    for activity in held:
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
        notifications.notify(
            session=session,
            resident_id=activity.resident_id,
            kind="review_approved",
            params={"activity_id": activity.id, "day": activity.local_day, "points": activity.points},
            dedupe_key=f"review:{activity.id}:approved",
        )
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
    entry is simply rejected; a credited one is reversed first (refused if that would overdraw).
    Rejecting a rejected entry does nothing."""
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError("review_reason_required", limit=REASON_MAX)
    now = now or clock.now()
    (activity,) = _lock(session, [activity_id])
    if activity.status == "rejected":
        return Decision(activity.id, "rejected", False)
    before = audit.snapshot(activity, AUDIT_FIELDS)
    reversed_points = 0
    if activity.status == "credited":
        reversed_points = _reverse_credit(session, activity)
        rollups.add(session=session, activities=[_rollup_fact(session, activity)], sign=-1)
    activity.status = "rejected"
    _mark_reviewed(session, activity, actor_id, now, note=reason)
    _audit(session, actor_id, "review.reject", activity, before, reversed_points=reversed_points)
    params = {"activity_id": activity.id, "day": activity.local_day, "reason": reason}
    if reversed_points:
        params.update(points=reversed_points, message="review_rejected_reversed")
    notifications.notify(
        session=session,
        resident_id=activity.resident_id,
        kind="review_rejected",
        params=params,
        dedupe_key=f"review:{activity.id}:rejected",
    )
    return Decision(activity.id, "rejected", True, reversed_points=reversed_points)


# --- helpers ----------------------------------------------------------------------------------------------


def _get(session: Session, activity_id: int) -> Activity:
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(what="activity", activity_id=activity_id)
    return activity


def _lock(session: Session, activity_ids: Iterable[int]) -> list[Activity]:
    """The entries, read after locking their residents' accounts (in account id order, as the bulk
    recording path does), so two administrators deciding at once are serialised per resident."""
    ids = sorted(set(activity_ids))
    owners = dict(
        session.execute(select(Activity.id, Activity.resident_id).where(Activity.id.in_(ids))).all()
    )
    missing = set(ids) - owners.keys()
    if missing:
        raise NotFound(what="activity", activity_id=min(missing))
    accounts = select(Account.id).where(Account.resident_id.in_(sorted(set(owners.values()))))
    session.execute(accounts.order_by(Account.id).with_for_update()).all()
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


def _reverse_credit(session: Session, activity: Activity) -> int:
    """Take back a credited entry's points and its campaign bonus (its own entry, key ``bonus:<id>``);
    returns the points taken back (0 when the cap left nothing). All or nothing: InsufficientPoints
    (``review_reversal_overdraw``) when the balance no longer holds them."""
    memo = f"review rejected: activity {activity.id}"
    bonus = session.execute(
        select(LedgerEntry).where(LedgerEntry.idempotency_key == f"bonus:{activity.id}")
    ).scalar_one_or_none()
    total = 0
    try:
        if activity.points and activity.ledger_entry_id is not None:
            _reverse_points(session, activity, memo)
            total += activity.points
        if bonus is not None:
            key = f"review_reversal:bonus:{activity.id}"
            ledger.reverse(session=session, entry_id=bonus.id, idempotency_key=key, memo=memo)
            campaigns.give_back(session=session, campaign_id=activity.campaign_id, points=bonus.points)
            total += bonus.points
    except InsufficientPoints as error:
        raise InsufficientPoints("review_reversal_overdraw", **error.params) from error
    return total


def _reverse_points(session: Session, activity: Activity, memo: str) -> None:
    entry = session.get(LedgerEntry, activity.ledger_entry_id)
    key = f"review_reversal:{activity.id}"
    if entry.ref_type == "activity" and entry.ref_id == activity.id and entry.points == activity.points:
        ledger.reverse(session=session, entry_id=entry.id, idempotency_key=key, memo=memo)
    else:  # one batch entry credited several activities: take back this one's share
        posting = ledger.Posting(
            entry.account_id, -activity.points, "reversal", key, "activity", activity.id, memo
        )
        ledger.post(session=session, posting=posting)


def _rollup_fact(session: Session, activity: Activity) -> dict[str, Any]:
    district_id = session.execute(
        select(Resident.district_id).where(Resident.id == activity.resident_id)
    ).scalar_one()
    names = ("local_day", "behaviour", "channel", "campaign_id", "grams", "points", "bonus_points")
    return {**{name: getattr(activity, name) for name in names}, "district_id": district_id or 0}


def _paging(session: Session, query, page: int, per_page: int) -> tuple[int, int, int]:
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    return total, min(max(1, page), pages), pages
