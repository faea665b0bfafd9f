"""The audit log: every administrator action, with who, what, when, and the state before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import AuditEntry


def snapshot(obj: SQLModel | None, fields: tuple[str, ...] | None = None) -> dict[str, Any] | None:
    """A JSON-safe copy of a model's columns (or of ``fields``), for ``before`` and ``after``."""
    if obj is None:
        return None
    names = fields or tuple(obj.__class__.model_fields)
    return {name: _plain(getattr(obj, name)) for name in names}


def record(
    *,
    session: Session,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry (in the caller's transaction, so it lands only if the action does)."""
    entry = AuditEntry(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class AuditPage:
    """One page of audit entries, with the total count, the page number and the page count."""

    items: list[AuditEntry]
    total: int
    page: int
    pages: int


def entries(
    *,
    session: Session,
    actor_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> AuditPage:
    """Entries newest first, filtered by actor, action, target type and Beijing-time date range."""
    query = select(AuditEntry)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if day_from:
        query = query.where(AuditEntry.created_at >= datetime.combine(day_from, time(), clock.BEIJING))
    if day_to:
        query = query.where(
            AuditEntry.created_at < datetime.combine(day_to + timedelta(days=1), time(), clock.BEIJING)
        )
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = session.execute(query.order_by(AuditEntry.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return AuditPage(list(rows.scalars()), total, page, pages)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value
