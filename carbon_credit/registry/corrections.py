"""Corrections: what the registry does when a credited activity is reversed (``review.reject``, also for a
flagged account's clawback), called in the reversal's own transaction.

- In a **verified or issued** batch, the batch keeps its figures (the verifier and the authority saw
  them): a ``Correction`` records the activity, its grams and the reason, is shown on the batch, and is
  deducted from the next batch issued (lifecycle.issue). One per activity (unique ``activity_id``), so a
  second call returns the first.
- In a **pooled** batch, nobody has verified it yet: the record simply leaves the batch and its figures
  (it never counted). Not in any batch: nothing to do.

The registry lock is taken first, so a pooling running at that moment either finished before (its record
is found here and corrected) or starts after (it sees the activity rejected and leaves it out).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.registry.locking import batch_row, lock_registry
from carbon_credit.registry.models import BatchRecord, Correction
from carbon_credit.registry.pooling import take_out

REASON_MAX = 255  # Correction.reason


def record_correction(*, session: Session, activity_id: int, reason: str | None) -> Correction | None:
    """Correct the registry for a reversed activity (see the module); returns the Correction, or None when
    the activity was in no batch or only in a pooled one."""
    lock_registry(session)
    record = session.execute(
        select(BatchRecord)
        .where(BatchRecord.activity_id == activity_id)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if record is None:
        return None
    batch = batch_row(session, record.batch_id)  # its status changes only under the registry lock
    if batch.status == "pooled":
        take_out(batch, record)
        session.add(batch)
        session.delete(record)
        session.flush()
        return None
    earlier = session.execute(
        select(Correction).where(Correction.activity_id == activity_id)
    ).scalar_one_or_none()
    if earlier is not None:
        return earlier
    correction = Correction(
        batch_id=batch.id,
        activity_id=activity_id,
        grams=record.grams,
        reason=(reason or "").strip()[:REASON_MAX],
    )
    session.add(correction)
    session.flush()
    return correction
