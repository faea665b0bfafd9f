"""The review queue (reads): entries held for an administrator, refused transit scans ("suspicious"), and
one entry as the reviewer sees it. The decisions are carbon_credit.review.decisions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.activities import Activity, trust_level_for, trust_levels_for
from carbon_credit.platform import clock
from carbon_credit.platform.errors import NotFound
from carbon_credit.residents import Resident
from carbon_credit.stops import Stop
from carbon_credit.transit import TransitRejection

PER_PAGE = 50
# A scan refused because the resident has not allowed trips to be recorded is their choice, not a suspicion.
NOT_SUSPICIOUS = ("transit_consent_required",)
SUSPICIOUS_DAYS = 7  # the per-resident count of rejected scans in the suspicious tab


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
    """One page of a listing: its items, how many there are in all, the page number and the page count."""

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


def pending(
    *, session: Session, page: int = 1, per_page: int = PER_PAGE, now: datetime | None = None
) -> Page:
    """Entries waiting for review, oldest first, with each resident's trust level."""
    query = (
        select(Activity, Resident.display_name)
        .join(Resident, Resident.id == Activity.resident_id)
        .where(Activity.status == "pending")
    )
    total, page, pages = paging(session, query, page, per_page)
    rows = session.execute(query.order_by(Activity.id).offset((page - 1) * per_page).limit(per_page)).all()
    levels = trust_levels_for(session=session, resident_ids={a.resident_id for a, _ in rows}, now=now)
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
        .where(TransitRejection.reason.not_in(NOT_SUSPICIOUS))
    )
    if reason:
        query = query.where(TransitRejection.reason == reason)
    total, page, pages = paging(session, query, page, per_page)
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
    query = (
        select(TransitRejection.reason)
        .where(TransitRejection.reason.not_in(NOT_SUSPICIOUS))
        .distinct()
        .order_by(TransitRejection.reason)
    )
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
        .where(TransitRejection.reason.not_in(NOT_SUSPICIOUS))
        .group_by(TransitRejection.resident_id)
    )
    return {resident_id: count for resident_id, count in session.execute(query)}


def detail(*, session: Session, activity_id: int, now: datetime | None = None) -> ReviewDetail:
    """One entry (any status) with its resident, trust level, balance and recent refused scans."""
    activity = get_activity(session=session, activity_id=activity_id)
    resident = session.get(Resident, activity.resident_id)
    account_id = ledger.account_id_for(session=session, resident_id=resident.id)
    refusals = recent_rejections(session=session, resident_ids=[resident.id], now=now)
    return ReviewDetail(
        activity=activity,
        resident=resident,
        trust=trust_level_for(session=session, resident_id=resident.id, now=now),
        balance=ledger.balance(session=session, account_id=account_id),
        suspicious_count=refusals.get(resident.id, 0),
    )


def photo_of(*, session: Session, activity_id: int) -> str:
    """The stored photo file name of an entry (NotFound when it has none)."""
    activity = get_activity(session=session, activity_id=activity_id)
    if not activity.photo:
        raise NotFound(what="photo", activity_id=activity_id)
    return activity.photo


def get_activity(*, session: Session, activity_id: int) -> Activity:
    """One entry by id, or NotFound."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(what="activity", activity_id=activity_id)
    return activity


def paging(session: Session, query, page: int, per_page: int) -> tuple[int, int, int]:
    """(total rows, the page clamped to 1..pages, pages) of a listing query."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    return total, min(max(1, page), pages), pages
