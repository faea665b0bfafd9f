"""A batch's lifecycle after pooling, each step an audited, idempotent administrator command:

- **verify** (``registry.verify``): pooled -> verified, with the verifier's name, report reference and
  date. The verifier may exclude records: each leaves ``registry_records`` (an ``Exclusion`` row keeps
  what and why) and returns to the pool for a later batch. ``verified_grams`` = the records left (pooled
  less excluded); the totals are counted again from them.
- **issue** (``registry.issue``): verified -> issued, with the authority's issuance reference and date.
  ``issued_grams`` = verified less the corrections still waiting (reversals found after an earlier
  verification, oldest first, each whole while it fits; the rest waits for the next batch), each marked
  ``deducted_in`` this batch.

Both take the registry lock and the batch's row, so a correction, a pooling or a second administrator
always sees the step before it. Refusals (nothing written): ``registry_already_verified``,
``registry_not_verified``, ``registry_already_issued``, ``registry_not_in_batch``,
``registry_exclusion_reason``, ``registry_date_invalid``, ``registry_text_required``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError
from carbon_credit.registry.locking import batch_row, lock_registry
from carbon_credit.registry.models import Batch, BatchRecord, Correction, Exclusion
from carbon_credit.registry.pooling import recount
from carbon_credit.registry.sales import required_text

REASON_MAX = 255  # Exclusion.reason
LIFECYCLE_FIELDS = (
    "status",
    "record_count",
    "verified_grams",
    "verifier",
    "verifier_report",
    "verified_on",
    "deducted_grams",
    "issued_grams",
    "issuance_ref",
    "issued_on",
)
_records = BatchRecord.__table__


def verify(
    *,
    session: Session,
    actor_id: int,
    batch_id: int,
    verifier: str,
    report_ref: str,
    verified_on: date,
    exclusions: Mapping[int, str],
    idempotency_key: str,
) -> Batch:
    """Record the verification of a pooled batch, less the records the verifier excluded
    (``{activity_id: reason}``)."""
    verifier, report_ref = required_text(verifier, "verifier"), required_text(report_ref, "report_ref")
    excluded = {_activity_id(a): _reason(a, r) for a, r in exclusions.items()}

    def step(batch: Batch) -> None:
        if batch.status != "pooled":
            raise DomainError("registry_already_verified", serial=batch.serial, verifier=batch.verifier)
        _check_day(verified_on, batch.period_end)
        _exclude(session, batch, excluded)
        batch.verified_grams = recount(session, batch)
        batch.status, batch.verifier, batch.verifier_report = "verified", verifier, report_ref
        batch.verified_on = verified_on

    asked = (batch_id, verifier, report_ref, verified_on.isoformat(), sorted(excluded.items()))
    return _command(session, actor_id, "registry.verify", batch_id, idempotency_key, asked, step)


def issue(
    *,
    session: Session,
    actor_id: int,
    batch_id: int,
    issuance_ref: str,
    issued_on: date,
    idempotency_key: str,
) -> Batch:
    """Record the issuance of a verified batch, deducting the corrections waiting (see the module)."""
    issuance_ref = required_text(issuance_ref, "issuance_ref")

    def step(batch: Batch) -> None:
        if batch.status == "pooled":
            raise DomainError("registry_not_verified", serial=batch.serial)
        if batch.status == "issued":
            raise DomainError("registry_already_issued", serial=batch.serial, ref=batch.issuance_ref)
        _check_day(issued_on, batch.verified_on)
        batch.deducted_grams = _deduct_waiting(session, batch)
        batch.issued_grams = batch.verified_grams - batch.deducted_grams
        batch.status, batch.issuance_ref, batch.issued_on = "issued", issuance_ref, issued_on

    asked = (batch_id, issuance_ref, issued_on.isoformat())
    return _command(session, actor_id, "registry.issue", batch_id, idempotency_key, asked, step)


def _command(
    session: Session,
    actor_id: int,
    action: str,
    batch_id: int,
    key: str,
    asked: tuple,
    step: Callable[[Batch], None],
) -> Batch:
    """Run one lifecycle ``step`` on the locked batch as the audited command ``action``; a refusal rolls
    back its savepoint, so nothing of it is written."""

    def apply() -> commands.Change:
        lock_registry(session)
        batch = batch_row(session, batch_id, for_update=True)
        before = audit.snapshot(batch, LIFECYCLE_FIELDS)
        step(batch)
        session.add(batch)
        session.flush()
        return commands.Change(batch.id, before, audit.snapshot(batch, LIFECYCLE_FIELDS))

    with session.begin_nested():
        done = commands.run(
            session=session,
            actor_id=actor_id,
            action=action,
            target_type="registry_batch",
            idempotency_key=key,
            asked=asked,
            apply=apply,
        )
    return batch_row(session, done["target_id"])


def _activity_id(value: object) -> int:
    """An excluded record's activity id as a whole number, else ``registry_not_in_batch``."""
    try:
        return int(str(value).strip())
    except ValueError:
        raise DomainError("registry_not_in_batch", activity_id=str(value)[:20]) from None


def _reason(activity_id: object, reason: str | None) -> str:
    text = (reason or "").strip()
    if not text or len(text) > REASON_MAX:
        raise DomainError("registry_exclusion_reason", activity_id=activity_id, limit=REASON_MAX)
    return text


def _check_day(day: date, not_before: date | None) -> None:
    """A verification or issuance date: not in the future (Beijing), not before the step it follows."""
    today = clock.local_day(clock.now())
    if day > today or (not_before is not None and day < not_before):
        raise DomainError("registry_date_invalid", day=day, earliest=not_before, latest=today)


def _exclude(session: Session, batch: Batch, excluded: dict[int, str]) -> None:
    """Move the excluded records out of the batch, an Exclusion row each (they return to the pool)."""
    if not excluded:
        return
    found = dict(
        session.execute(
            select(_records.c.activity_id, _records.c.grams).where(
                _records.c.batch_id == batch.id, _records.c.activity_id.in_(excluded)
            )
        ).all()
    )
    missing = sorted(set(excluded) - found.keys())
    if missing:
        raise DomainError("registry_not_in_batch", activity_id=missing[0], serial=batch.serial)
    rows = [
        {"batch_id": batch.id, "activity_id": a, "grams": found[a], "reason": r, "created_at": clock.now()}
        for a, r in sorted(excluded.items())
    ]
    session.execute(insert(Exclusion), rows)
    session.execute(delete(_records).where(_records.c.activity_id.in_(excluded)))


def _deduct_waiting(session: Session, batch: Batch) -> int:
    """Mark the corrections waiting, oldest first, as deducted in ``batch`` while they fit in its verified
    grams; returns the grams deducted."""
    waiting = session.execute(
        select(Correction).where(Correction.deducted_in.is_(None)).order_by(Correction.id)
    ).scalars()
    room = batch.verified_grams
    for correction in waiting:
        if correction.grams <= room:
            correction.deducted_in = batch.id
            room -= correction.grams
            session.add(correction)
    return batch.verified_grams - room
