"""The notifications outbox: messages for residents (review outcomes, campaigns, weekly summaries).

A service writes a notification in the same transaction as the change it reports, with a ``dedupe_key``
that names the event (``review:42:approved``): writing the same event twice keeps the first one, so a
retried or double-submitted action notifies once. The bot sends ``pending`` ones to linked Telegram
accounts and calls ``mark_sent``; the web shows ``recent_for`` a resident.

A notification's text is the message (carbon_credit.messages) whose code is ``params["message"]`` if set,
else its ``kind``, formatted with its params: see :func:`render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from carbon_credit.notifications.models import Notification
from carbon_credit.platform import clock
from carbon_credit.platform.i18n import translate

_table = Notification.__table__


def notify(
    *, session: Session, resident_id: int, kind: str, params: Mapping[str, Any], dedupe_key: str
) -> Notification | None:
    """Queue a notification; returns it, or None when ``dedupe_key`` was already queued (nothing changes).
    ``params`` must be JSON-safe (dates are stored as ISO strings)."""
    values = {
        "resident_id": resident_id,
        "kind": kind,
        "params": _json_safe(params),
        "dedupe_key": dedupe_key,
        "created_at": clock.now(),
    }
    make = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = make(_table).values(values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    new_id = session.execute(statement.returning(_table.c.id)).scalar_one_or_none()
    return None if new_id is None else session.get(Notification, new_id)


def pending(*, session: Session, limit: int = 100) -> list[Notification]:
    """Unsent notifications, oldest first (the sender's batch)."""
    query = select(Notification).where(Notification.sent_at.is_(None)).order_by(Notification.id).limit(limit)
    return list(session.execute(query).scalars())


def mark_sent(*, session: Session, ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark notifications sent (those not already sent); returns how many changed."""
    ids = sorted(set(ids))
    if not ids:
        return 0
    statement = (
        update(_table)
        .where(_table.c.id.in_(ids), _table.c.sent_at.is_(None))
        .values(sent_at=now or clock.now())
    )
    return session.execute(statement).rowcount


def recent_for(*, session: Session, resident_id: int, limit: int = 10) -> list[Notification]:
    """A resident's latest notifications, newest first (sent or not)."""
    query = (
        select(Notification)
        .where(Notification.resident_id == resident_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def render(notification: Notification, locale: str | None = None) -> str:
    """The notification's text in ``locale`` (zh_Hans by default)."""
    code = notification.params.get("message") or notification.kind
    return translate(code, locale, **notification.params)


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
