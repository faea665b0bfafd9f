"""Reads of the registry: the batches, one batch in detail, the registry's totals and their reconciliation
with the records, the sales, the certificates and the ledger's credited activities (docs/registry.md)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.platform.errors import NotFound
from carbon_credit.registry.models import Batch, Certificate, CertificatePart, Correction, Exclusion, Sale
from carbon_credit.registry.sales import available_of

SERIAL = re.compile(r"XG-\d{4}-\d{2}-\d{4,}")


def available(batch: Batch) -> int:
    """Grams of a batch neither sold nor retired (0 until it is issued)."""
    return available_of(batch)


@dataclass(frozen=True, slots=True)
class BatchView:
    """A batch as the registry lists it: the row, its methodology mix (``(methodology id, version,
    grams)``, largest first), what is available, and the corrections recorded against it."""

    batch: Batch
    mix: list[tuple[str, str, int]]
    available_grams: int
    corrected_grams: int

    @property
    def grams(self) -> int:
        """The batch's current size: issued, else verified, else pooled grams."""
        b = self.batch
        return next(g for g in (b.issued_grams, b.verified_grams, b.pooled_grams) if g is not None)


@dataclass(frozen=True, slots=True)
class Drawing:
    """A certificate drawing from a batch, with the grams it takes from this one."""

    serial: str
    kind: str
    beneficiary: str
    purpose: str
    retired_on: date
    grams: int


@dataclass(frozen=True, slots=True)
class BatchDetail:
    """One batch with everything its page shows: totals by behaviour and methodology (``batch.totals``),
    the verifier's exclusions, the corrections against it, those deducted in it, its sales and the
    certificates drawing from it."""

    view: BatchView
    excluded_records: int
    excluded_grams: int
    corrections: list[Correction]
    deducted: list[Correction]
    sales: list[Sale]
    certificates: list[Drawing]
    deducted_serials: dict[int, str]  # the serial of each batch a correction against this one was deducted in

    @property
    def batch(self) -> Batch:
        return self.view.batch

    @property
    def available_grams(self) -> int:
        return self.view.available_grams


@dataclass(frozen=True, slots=True)
class RegistryTotals:
    """Grams over every batch: pooled (at pooling), verified, issued, sold, retired (from available tonnes;
    a buyer's retirement of what it bought stays in sold), available; corrections recorded and those still
    waiting to be deducted."""

    batches: int
    pooled: int
    verified: int
    issued: int
    sold: int
    retired: int
    corrected: int
    corrections_waiting: int

    @property
    def available(self) -> int:
        return self.issued - self.sold - self.retired


@dataclass(frozen=True, slots=True)
class Check:
    """One reconciliation rule: whether it holds, the figures compared and the batches where it fails."""

    name: str
    ok: bool
    figures: dict[str, int] = field(default_factory=dict)
    failing: list[str] = field(default_factory=list)


def batches(session: Session) -> list[BatchView]:
    """Every batch, newest period first."""
    rows = session.execute(select(Batch).order_by(Batch.period_start.desc(), Batch.id.desc())).scalars()
    found = list(rows)
    corrected = _corrected_by_batch(session)
    return [_view(b, corrected.get(b.id, 0)) for b in found]


def batch(session: Session, serial: str) -> BatchDetail:
    """One batch by serial (case and spaces forgiven), in detail; NotFound ``registry_batch_not_found``."""
    wanted = (serial or "").strip().upper()
    found = None
    if SERIAL.fullmatch(wanted):
        found = session.execute(select(Batch).where(Batch.serial == wanted)).scalar_one_or_none()
    if found is None:
        raise NotFound("registry_batch_not_found", what="batch", serial=wanted[:40])
    excluded = session.execute(
        select(func.count(Exclusion.id), func.coalesce(func.sum(Exclusion.grams), 0)).where(
            Exclusion.batch_id == found.id
        )
    ).one()
    corrections = _corrections(session, Correction.batch_id == found.id)
    later = {c.deducted_in for c in corrections if c.deducted_in is not None}
    found_in = select(Batch.id, Batch.serial).where(Batch.id.in_(later))
    serials = session.execute(found_in).all() if later else ()
    return BatchDetail(
        view=_view(found, sum(c.grams for c in corrections)),
        excluded_records=int(excluded[0]),
        excluded_grams=int(excluded[1]),
        corrections=corrections,
        deducted=_corrections(session, Correction.deducted_in == found.id),
        sales=list(
            session.execute(
                select(Sale).where(Sale.batch_id == found.id).order_by(Sale.sold_on, Sale.id)
            ).scalars()
        ),
        certificates=_drawings(session, found.id),
        deducted_serials=dict(serials),
    )


def registry_totals(session: Session) -> RegistryTotals:
    """The registry's totals (for /registry and the public statistics)."""
    b = Batch
    sums = session.execute(
        select(
            func.count(b.id),
            *(
                func.coalesce(func.sum(c), 0)
                for c in (b.pooled_grams, b.verified_grams, b.issued_grams, b.sold_grams, b.retired_grams)
            ),
        )
    ).one()
    corrected, waiting = session.execute(
        select(
            func.coalesce(func.sum(Correction.grams), 0),
            func.coalesce(func.sum(Correction.grams).filter(Correction.deducted_in.is_(None)), 0),
        )
    ).one()
    return RegistryTotals(*(int(v) for v in sums), corrected=int(corrected), corrections_waiting=int(waiting))


def _view(found: Batch, corrected: int) -> BatchView:
    mix: dict[tuple[str, str], int] = defaultdict(int)
    for total in found.totals.get("by", []):
        mix[(total["methodology_id"], total["methodology_version"])] += total["grams"]
    ordered = sorted(((m, v, g) for (m, v), g in mix.items()), key=lambda t: (-t[2], t[0], t[1]))
    return BatchView(found, ordered, available(found), corrected)


def _corrected_by_batch(session: Session) -> dict[int, int]:
    query = select(Correction.batch_id, func.sum(Correction.grams)).group_by(Correction.batch_id)
    return {batch_id: int(grams) for batch_id, grams in session.execute(query)}


def _corrections(session: Session, condition) -> list[Correction]:
    return list(session.execute(select(Correction).where(condition).order_by(Correction.id)).scalars())


def _drawings(session: Session, batch_id: int) -> list[Drawing]:
    c = Certificate
    query = (
        select(c.serial, c.kind, c.beneficiary, c.purpose, c.retired_on, CertificatePart.grams)
        .join(CertificatePart, CertificatePart.certificate_id == c.id)
        .where(CertificatePart.batch_id == batch_id)
        .order_by(c.retired_on, c.id)
    )
    return [Drawing(*row) for row in session.execute(query)]
