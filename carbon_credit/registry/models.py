"""The registry of pooled reductions (docs/registry.md): batches of verified or evidenced activities, what
the verifier excluded, corrections for reversals after verification, sales, retirement certificates and
the neutralisation events residents donate points to. Quantities are integer grams CO2e (1 t = 1,000,000 g);
money is integer fen (1 CNY = 100 fen)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

BATCH_STATUSES = ("pooled", "verified", "issued")
CERTIFICATE_KINDS = ("retirement", "donation")
EVENT_STATUSES = ("open", "closed")
GRAMS_PER_TONNE = 1_000_000


class Batch(SQLModel, table=True):
    """A period's eligible activities pooled under one serial (``XG-2026-11-0001``), with totals frozen at
    pooling (``pooled_grams``), after the verifier's exclusions (``verified_grams``) and at issuance
    (``issued_grams`` = verified less the corrections deducted into it). Available = issued - sold - retired,
    never negative (CHECK)."""

    __tablename__ = "registry_batches"
    __table_args__ = (
        CheckConstraint(in_values("status", BATCH_STATUSES), name="ck_registry_batches_status"),
        CheckConstraint("period_start <= period_end", name="ck_registry_batches_period"),
        CheckConstraint(
            "sold_grams >= 0 AND retired_grams >= 0 AND deducted_grams >= 0"
            " AND sold_grams + retired_grams <= COALESCE(issued_grams, 0)",
            name="ck_registry_batches_available",
        ),
        CheckConstraint(
            "allocated_fen >= 0 AND allocated_fen <= revenue_fen", name="ck_registry_batches_revenue"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=32, unique=True)
    period_start: date  # Beijing calendar days, inclusive
    period_end: date
    status: str = Field(default="pooled", max_length=16)
    record_count: int = Field(default=0, sa_type=BigInteger)
    pooled_grams: int = Field(default=0, sa_type=BigInteger)
    # {"by": [{"behaviour", "methodology_id", "methodology_version", "evidence", "records", "grams"}]}
    totals: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    verified_grams: int | None = Field(default=None, sa_type=BigInteger)
    verifier: str | None = Field(default=None, max_length=128)
    verifier_report: str | None = Field(default=None, max_length=128)
    verified_on: date | None = None
    deducted_grams: int = Field(default=0, sa_type=BigInteger)  # corrections of earlier batches taken here
    issued_grams: int | None = Field(default=None, sa_type=BigInteger)
    issuance_ref: str | None = Field(default=None, max_length=128)
    issued_on: date | None = None
    sold_grams: int = Field(default=0, sa_type=BigInteger)
    retired_grams: int = Field(default=0, sa_type=BigInteger)  # retired from what was available
    revenue_fen: int = Field(default=0, sa_type=BigInteger)
    allocated_fen: int = Field(default=0, sa_type=BigInteger)  # moved into campaign budgets
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)


class BatchRecord(SQLModel, table=True):
    """One activity in a batch, with the facts the verifier needs copied at pooling. ``activity_id`` is
    unique: an activity belongs to at most one batch, enforced by the database."""

    __tablename__ = "registry_records"
    __table_args__ = (Index("ix_registry_records_batch_id", "batch_id", "activity_id"),)
    activity_id: int = Field(foreign_key="activities.id", primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id")
    resident_id: int = Field(foreign_key="residents.id")
    behaviour: str = Field(max_length=32)
    methodology_id: str = Field(max_length=64)
    methodology_version: str = Field(max_length=32)
    evidence: str = Field(max_length=16)
    grams: int = Field(sa_type=BigInteger)
    local_day: date


class Exclusion(SQLModel, table=True):
    """A record the verifier excluded from a batch: it left ``registry_records`` and returned to the pool."""

    __tablename__ = "registry_exclusions"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id", index=True)
    activity_id: int = Field(foreign_key="activities.id", index=True)
    grams: int = Field(sa_type=BigInteger)
    reason: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=clock.now)


class Correction(SQLModel, table=True):
    """An activity of a verified or issued batch reversed afterwards: the batch keeps its figures, the
    correction is shown on it and deducted from the next batch issued (``deducted_in``)."""

    __tablename__ = "registry_corrections"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id", index=True)
    activity_id: int = Field(foreign_key="activities.id", unique=True)
    grams: int = Field(sa_type=BigInteger)
    reason: str | None = Field(default=None, max_length=255)
    deducted_in: int | None = Field(default=None, foreign_key="registry_batches.id", index=True)
    created_at: datetime = Field(default_factory=clock.now)


class Sale(SQLModel, table=True):
    """A sale of issued reductions from one batch; part of it may later be retired for the buyer."""

    __tablename__ = "registry_sales"
    __table_args__ = (
        CheckConstraint("grams > 0 AND price_fen >= 0", name="ck_registry_sales_amounts"),
        CheckConstraint("retired_grams >= 0 AND retired_grams <= grams", name="ck_registry_sales_retired"),
    )
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id", index=True)
    buyer: str = Field(max_length=128)
    grams: int = Field(sa_type=BigInteger)
    price_fen: int = Field(sa_type=BigInteger)  # the whole sale's amount
    sold_on: date
    contract_ref: str = Field(max_length=128)
    retired_grams: int = Field(default=0, sa_type=BigInteger)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)


class Event(SQLModel, table=True):
    """A city event residents neutralise by donating points (a marathon...): its target and progress."""

    __tablename__ = "registry_events"
    __table_args__ = (
        CheckConstraint(in_values("status", EVENT_STATUSES), name="ck_registry_events_status"),
        CheckConstraint("target_grams > 0 AND retired_grams >= 0", name="ck_registry_events_amounts"),
        CheckConstraint("starts_on <= ends_on", name="ck_registry_events_dates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    name_zh: str = Field(max_length=128)
    name_en: str = Field(max_length=128)
    target_grams: int = Field(sa_type=BigInteger)
    starts_on: date
    ends_on: date
    status: str = Field(default="open", max_length=16)
    retired_grams: int = Field(default=0, sa_type=BigInteger)
    donors: int = Field(default=0)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)


class Certificate(SQLModel, table=True):
    """A retirement, with its own serial: for a buyer or an event (``retirement``), or a resident's
    donation of points to an event (``donation``, with the points spent and the donor). Drawn from one or
    more batches (``CertificatePart``)."""

    __tablename__ = "registry_certificates"
    __table_args__ = (
        CheckConstraint(in_values("kind", CERTIFICATE_KINDS), name="ck_registry_certificates_kind"),
        CheckConstraint("grams > 0", name="ck_registry_certificates_grams"),
    )
    id: int | None = Field(default=None, primary_key=True)
    serial: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=16)
    grams: int = Field(sa_type=BigInteger)
    beneficiary: str = Field(max_length=128)  # for a donation: a pseudonymous label, never a name or contact
    purpose: str = Field(max_length=255)
    sale_id: int | None = Field(default=None, foreign_key="registry_sales.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="registry_events.id", index=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", index=True)  # the donor
    points: int | None = Field(default=None, sa_type=BigInteger)  # points a donor spent
    retired_on: date
    idempotency_key: str = Field(max_length=160, unique=True)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)


class CertificatePart(SQLModel, table=True):
    """How many grams of a certificate come from one batch."""

    __tablename__ = "registry_certificate_parts"
    __table_args__ = (CheckConstraint("grams > 0", name="ck_registry_certificate_parts_grams"),)
    certificate_id: int = Field(foreign_key="registry_certificates.id", primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id", primary_key=True)
    grams: int = Field(sa_type=BigInteger)


class Allocation(SQLModel, table=True):
    """Sale revenue of a batch moved into a campaign's rewards budget (points)."""

    __tablename__ = "registry_allocations"
    __table_args__ = (
        CheckConstraint("amount_fen > 0 AND points > 0", name="ck_registry_allocations_amounts"),
    )
    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="registry_batches.id", index=True)
    campaign_id: int = Field(foreign_key="campaigns.id", index=True)
    amount_fen: int = Field(sa_type=BigInteger)
    points: int = Field(sa_type=BigInteger)
    created_by: int | None = Field(default=None, foreign_key="residents.id")
    created_at: datetime = Field(default_factory=clock.now)
