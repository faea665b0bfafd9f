"""The registry's reconciliation (docs/registry.md, "How the figures reconcile"): each rule compares figures
the registry keeps with what they stand for, so a page, an export or a test can show that no gram is
counted twice or out of nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, exists, func, select
from sqlmodel import Session

from carbon_credit.activities import REPORTABLE_LEVELS, Activity
from carbon_credit.registry.models import Batch, BatchRecord, Certificate, CertificatePart, Correction, Sale
from carbon_credit.registry.queries import Check

REPORTABLE_CREDITED = and_(Activity.status == "credited", Activity.evidence.in_(REPORTABLE_LEVELS))


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Every rule's check; ``ok`` when all hold."""

    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def __getitem__(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)


def reconcile(session: Session) -> Reconciliation:
    """Check the registry's rules (read this in a read session)."""
    found = list(session.execute(select(Batch).order_by(Batch.id)).scalars())
    records = _sums(session, BatchRecord.batch_id, BatchRecord.grams, count=True)
    deducted = _sums(session, Correction.deducted_in, Correction.grams)
    sold = _sums(session, Sale.batch_id, Sale.grams)
    retired = _retired_from_available(session)
    return Reconciliation(
        [
            _each("batch_is_its_records", found, lambda b: records.get(b.id, (0, 0)) == _size(b)),
            _each(
                "issued_is_verified_less_deductions",
                found,
                lambda b: (
                    b.status != "issued"
                    or (
                        b.issued_grams == b.verified_grams - b.deducted_grams
                        and b.deducted_grams == deducted.get(b.id, 0)
                    )
                ),
            ),
            _each(
                "available_not_negative",
                found,
                lambda b: (b.issued_grams or 0) - b.sold_grams - b.retired_grams >= 0,
            ),
            _each("sold_is_its_sales", found, lambda b: b.sold_grams == sold.get(b.id, 0)),
            _each("retired_is_its_certificates", found, lambda b: b.retired_grams == retired.get(b.id, 0)),
            _uncorrected_reversals(session),
            _within_reportable(session),
        ]
    )


def _each(name: str, found: Iterable[Batch], holds) -> Check:
    failing = [b.serial for b in found if not holds(b)]
    return Check(name, not failing, failing=failing)


def _size(batch: Batch) -> tuple[int, int]:
    """(records, grams) the batch says it holds: pooled grams until verified, then verified grams."""
    grams = batch.pooled_grams if batch.status == "pooled" else batch.verified_grams
    return batch.record_count, grams


def _sums(session: Session, key, grams, *, count: bool = False) -> dict:
    columns = (key, func.count(), func.sum(grams)) if count else (key, func.sum(grams))
    rows = session.execute(select(*columns).where(key.is_not(None)).group_by(key)).all()
    if count:
        return {k: (int(n), int(g)) for k, n, g in rows}
    return {k: int(g) for k, g in rows}


def _retired_from_available(session: Session) -> dict[int, int]:
    """Grams retired from each batch's available tonnes: certificates not drawn from a sale."""
    query = (
        select(CertificatePart.batch_id, func.sum(CertificatePart.grams))
        .join(Certificate, Certificate.id == CertificatePart.certificate_id)
        .where(Certificate.sale_id.is_(None))
        .group_by(CertificatePart.batch_id)
    )
    return {k: int(g) for k, g in session.execute(query)}


def _uncorrected_reversals(session: Session) -> Check:
    """Every record's activity is still credited and reportable, or has a correction."""
    corrected = exists().where(Correction.activity_id == BatchRecord.activity_id)
    query = (
        select(BatchRecord.activity_id)
        .join(Activity, Activity.id == BatchRecord.activity_id)
        .where(~REPORTABLE_CREDITED, ~corrected)
        .order_by(BatchRecord.activity_id)
        .limit(20)
    )
    failing = [str(a) for a in session.execute(query).scalars()]
    return Check("records_credited_or_corrected", not failing, failing=failing)


def _within_reportable(session: Session) -> Check:
    """The grams the registry holds net of corrections are within the reportable credited grams of the
    platform's activities (the public statistics' reportable total)."""
    records = session.execute(select(func.coalesce(func.sum(BatchRecord.grams), 0))).scalar_one()
    corrected = session.execute(select(func.coalesce(func.sum(Correction.grams), 0))).scalar_one()
    reportable = session.execute(
        select(func.coalesce(func.sum(Activity.grams), 0)).where(REPORTABLE_CREDITED)
    ).scalar_one()
    figures = {"records": int(records), "corrected": int(corrected), "reportable_credited": int(reportable)}
    return Check("within_reportable_credited", records - corrected <= reportable, figures)
