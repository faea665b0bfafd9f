"""Pooling a period into a batch (``registry.pool``): the eligible activities of the period are copied into
``registry_records`` by one ``INSERT ... SELECT`` (no Python loop over rows, so a month of a million
activities takes seconds and flat memory), then the batch's totals by behaviour, methodology, version and
evidence are frozen by one ``GROUP BY``.

Eligible: credited (not pending, not rejected), evidence verified or evidenced
(``activities.REPORTABLE_LEVELS``), more than 0 g, its Beijing day within the period, and not already in a
batch. A period is pooled only after its review window: today (Beijing) later than its last day plus
``settings.registry_review_days``; before that, ``registry_period_open``. A period without an eligible
activity is refused (``registry_period_empty``) and nothing is written.

The same period may be pooled again later: the new batch takes only what was not pooled yet (records the
verifier excluded, entries approved late). Two administrators pooling overlapping periods at once are
serialised by the registry lock; the primary key on ``registry_records.activity_id`` makes a second copy of
an activity impossible anyway (the insert fails, refused as ``registry_pool_busy``, and nothing is written).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Integer, exists, func, insert, literal, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.activities import REPORTABLE_LEVELS, Activity
from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from carbon_credit.registry.locking import lock_registry
from carbon_credit.registry.models import Batch, BatchRecord

SERIAL_PREFIX = "XG"
MAX_PERIOD_DAYS = 366
BATCH_FIELDS = ("serial", "period_start", "period_end", "status", "record_count", "pooled_grams")
RECORD_COLUMNS = (
    "activity_id",
    "batch_id",
    "resident_id",
    "behaviour",
    "methodology_id",
    "methodology_version",
    "evidence",
    "grams",
    "local_day",
)
TOTAL_KEYS = ("behaviour", "methodology_id", "methodology_version", "evidence")
_records = BatchRecord.__table__


def pool(
    *,
    session: Session,
    settings: Settings,
    actor_id: int,
    period_start: date,
    period_end: date,
    idempotency_key: str,
) -> Batch:
    """Pool the period's eligible activities into a new batch (status ``pooled``), audited and idempotent
    by key. Refusals, each writing nothing: ``registry_period_invalid``, ``registry_period_open``,
    ``registry_period_empty``, ``registry_pool_busy``."""
    check_period(settings, period_start, period_end)

    def apply() -> commands.Change:
        lock_registry(session)
        batch = Batch(
            serial=next_serial(session, period_start),
            period_start=period_start,
            period_end=period_end,
            created_by=actor_id,
        )
        session.add(batch)
        session.flush()
        _insert_records(session, batch)
        batch.pooled_grams = recount(session, batch)  # the row count of INSERT ... SELECT is not portable
        if not batch.record_count:
            raise DomainError("registry_period_empty", start=period_start, end=period_end)
        session.add(batch)
        session.flush()
        return commands.Change(batch.id, None, audit.snapshot(batch, BATCH_FIELDS))

    try:
        with session.begin_nested():
            done = commands.run(
                session=session,
                actor_id=actor_id,
                action="registry.pool",
                target_type="registry_batch",
                idempotency_key=idempotency_key,
                asked=(period_start.isoformat(), period_end.isoformat()),
                apply=apply,
            )
    except IntegrityError:  # only without the registry lock: a concurrent pooling took a serial or a record
        raise DomainError("registry_pool_busy") from None
    return session.get(Batch, done["target_id"])


def check_period(settings: Settings, period_start: date, period_end: date) -> None:
    """A period of at most a year whose review window has closed, else ``registry_period_invalid`` or
    ``registry_period_open`` (with the first day it may be pooled)."""
    if period_start > period_end or (period_end - period_start).days >= MAX_PERIOD_DAYS:
        raise DomainError("registry_period_invalid", start=period_start, end=period_end)
    first_day = period_end + timedelta(days=settings.registry_review_days + 1)
    if clock.local_day(clock.now()) < first_day:
        raise DomainError(
            "registry_period_open", end=period_end, days=settings.registry_review_days, first_day=first_day
        )


def eligible(period_start: date, period_end: date, batch_id: int = 0):
    """The activities a batch of the period may take, as rows of :data:`RECORD_COLUMNS`."""
    pooled = exists().where(_records.c.activity_id == Activity.id)
    return select(
        Activity.id,
        literal(batch_id, Integer).label("batch_id"),
        Activity.resident_id,
        Activity.behaviour,
        Activity.methodology_id,
        Activity.methodology_version,
        Activity.evidence,
        Activity.grams,
        Activity.local_day,
    ).where(
        Activity.local_day >= period_start,
        Activity.local_day <= period_end,
        Activity.status == "credited",
        Activity.evidence.in_(REPORTABLE_LEVELS),
        Activity.grams > 0,
        ~pooled,
    )


def next_serial(session: Session, period_start: date) -> str:
    """``XG-2026-11-0001``: the period's first month and the next number among that month's batches
    (taken under the registry lock; the unique serial backs it up)."""
    prefix = f"{SERIAL_PREFIX}-{period_start:%Y-%m}-"
    taken = session.execute(select(func.count(Batch.id)).where(Batch.serial.like(f"{prefix}%"))).scalar_one()
    return f"{prefix}{taken + 1:04d}"


def recount(session: Session, batch: Batch) -> int:
    """Set the batch's record count and totals from its records (one GROUP BY); returns their grams."""
    keys = [_records.c[name] for name in TOTAL_KEYS]
    rows = session.execute(
        select(*keys, func.count(), func.sum(_records.c.grams))
        .where(_records.c.batch_id == batch.id)
        .group_by(*keys)
    ).all()
    by = [dict(zip(TOTAL_KEYS, row[:4], strict=True), records=int(row[4]), grams=int(row[5])) for row in rows]
    by.sort(key=lambda t: (-t["grams"], *(t[k] for k in TOTAL_KEYS)))
    batch.totals = {"by": by}
    batch.record_count = sum(t["records"] for t in by)
    return sum(t["grams"] for t in by)


def take_out(batch: Batch, record: BatchRecord) -> None:
    """Subtract one record from a pooled batch's frozen figures (the record leaves the batch)."""
    by: list[dict[str, Any]] = [dict(t) for t in batch.totals.get("by", [])]
    for total in by:
        if all(total[k] == getattr(record, k) for k in TOTAL_KEYS):
            total["records"] -= 1
            total["grams"] -= record.grams
    batch.totals = {"by": [t for t in by if t["records"] > 0]}
    batch.record_count -= 1
    batch.pooled_grams -= record.grams


def _insert_records(session: Session, batch: Batch) -> None:
    """Copy the period's eligible activities into the batch (one INSERT ... SELECT)."""
    rows = eligible(batch.period_start, batch.period_end, batch.id)
    session.execute(insert(_records).from_select(list(RECORD_COLUMNS), rows))
