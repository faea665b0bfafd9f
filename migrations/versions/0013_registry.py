"""The registry of pooled reductions (issue 16, docs/registry.md): batches of verified or evidenced
activities and their records (an activity in at most one batch: ``registry_records.activity_id`` is the
primary key), the verifier's exclusions, corrections for reversals after verification, sales, retirement
certificates and their parts, neutralisation events and revenue allocations.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString
UTC_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def _by() -> tuple[sa.Column, sa.Column, sa.ForeignKeyConstraint]:
    """``created_by`` (an administrator) and ``created_at``, as every registry table keeps them."""
    return (
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME(), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["residents.id"]),
    )


def upgrade() -> None:
    op.create_table(
        "registry_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", TEXT(length=32), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("record_count", sa.BigInteger(), nullable=False),
        sa.Column("pooled_grams", sa.BigInteger(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("verified_grams", sa.BigInteger(), nullable=True),
        sa.Column("verifier", TEXT(length=128), nullable=True),
        sa.Column("verifier_report", TEXT(length=128), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("deducted_grams", sa.BigInteger(), nullable=False),
        sa.Column("issued_grams", sa.BigInteger(), nullable=True),
        sa.Column("issuance_ref", TEXT(length=128), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("sold_grams", sa.BigInteger(), nullable=False),
        sa.Column("retired_grams", sa.BigInteger(), nullable=False),
        sa.Column("revenue_fen", sa.BigInteger(), nullable=False),
        sa.Column("allocated_fen", sa.BigInteger(), nullable=False),
        *_by(),
        sa.CheckConstraint("status IN ('pooled', 'verified', 'issued')", name="ck_registry_batches_status"),
        sa.CheckConstraint("period_start <= period_end", name="ck_registry_batches_period"),
        sa.CheckConstraint(
            "sold_grams >= 0 AND retired_grams >= 0 AND deducted_grams >= 0"
            " AND sold_grams + retired_grams <= COALESCE(issued_grams, 0)",
            name="ck_registry_batches_available",
        ),
        sa.CheckConstraint(
            "allocated_fen >= 0 AND allocated_fen <= revenue_fen", name="ck_registry_batches_revenue"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("serial"),
    )
    op.create_table(
        "registry_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", TEXT(length=64), nullable=False),
        sa.Column("name_zh", TEXT(length=128), nullable=False),
        sa.Column("name_en", TEXT(length=128), nullable=False),
        sa.Column("target_grams", sa.BigInteger(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", TEXT(length=16), nullable=False),
        sa.Column("retired_grams", sa.BigInteger(), nullable=False),
        sa.Column("donors", sa.Integer(), nullable=False),
        *_by(),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_registry_events_status"),
        sa.CheckConstraint("starts_on <= ends_on", name="ck_registry_events_dates"),
        sa.CheckConstraint("target_grams > 0 AND retired_grams >= 0", name="ck_registry_events_amounts"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    op.create_table(
        "registry_records",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("behaviour", TEXT(length=32), nullable=False),
        sa.Column("methodology_id", TEXT(length=64), nullable=False),
        sa.Column("methodology_version", TEXT(length=32), nullable=False),
        sa.Column("evidence", TEXT(length=16), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("activity_id"),
    )
    op.create_index("ix_registry_records_batch_id", "registry_records", ["batch_id", "activity_id"])
    op.create_table(
        "registry_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("reason", TEXT(length=255), nullable=False),
        sa.Column("created_at", UTC_TIME(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_exclusions_activity_id", "registry_exclusions", ["activity_id"])
    op.create_index("ix_registry_exclusions_batch_id", "registry_exclusions", ["batch_id"])
    op.create_table(
        "registry_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("reason", TEXT(length=255), nullable=True),
        sa.Column("deducted_in", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activities.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.ForeignKeyConstraint(["deducted_in"], ["registry_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id"),
    )
    op.create_index("ix_registry_corrections_batch_id", "registry_corrections", ["batch_id"])
    op.create_index("ix_registry_corrections_deducted_in", "registry_corrections", ["deducted_in"])
    op.create_table(
        "registry_sales",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("buyer", TEXT(length=128), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("price_fen", sa.BigInteger(), nullable=False),
        sa.Column("sold_on", sa.Date(), nullable=False),
        sa.Column("contract_ref", TEXT(length=128), nullable=False),
        sa.Column("retired_grams", sa.BigInteger(), nullable=False),
        *_by(),
        sa.CheckConstraint("grams > 0 AND price_fen >= 0", name="ck_registry_sales_amounts"),
        sa.CheckConstraint("retired_grams >= 0 AND retired_grams <= grams", name="ck_registry_sales_retired"),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_sales_batch_id", "registry_sales", ["batch_id"])
    op.create_table(
        "registry_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial", TEXT(length=32), nullable=False),
        sa.Column("kind", TEXT(length=16), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.Column("beneficiary", TEXT(length=128), nullable=False),
        sa.Column("purpose", TEXT(length=255), nullable=False),
        sa.Column("sale_id", sa.Integer(), nullable=True),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("resident_id", sa.Integer(), nullable=True),
        sa.Column("points", sa.BigInteger(), nullable=True),
        sa.Column("retired_on", sa.Date(), nullable=False),
        sa.Column("idempotency_key", TEXT(length=160), nullable=False),
        *_by(),
        sa.CheckConstraint("kind IN ('retirement', 'donation')", name="ck_registry_certificates_kind"),
        sa.CheckConstraint("grams > 0", name="ck_registry_certificates_grams"),
        sa.ForeignKeyConstraint(["event_id"], ["registry_events.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.ForeignKeyConstraint(["sale_id"], ["registry_sales.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key"),
        sa.UniqueConstraint("serial"),
    )
    op.create_index("ix_registry_certificates_event_id", "registry_certificates", ["event_id"])
    op.create_index("ix_registry_certificates_resident_id", "registry_certificates", ["resident_id"])
    op.create_index("ix_registry_certificates_sale_id", "registry_certificates", ["sale_id"])
    op.create_table(
        "registry_certificate_parts",
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("grams", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("grams > 0", name="ck_registry_certificate_parts_grams"),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.ForeignKeyConstraint(["certificate_id"], ["registry_certificates.id"]),
        sa.PrimaryKeyConstraint("certificate_id", "batch_id"),
    )
    op.create_table(
        "registry_allocations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        *_by(),
        sa.CheckConstraint("amount_fen > 0 AND points > 0", name="ck_registry_allocations_amounts"),
        sa.ForeignKeyConstraint(["batch_id"], ["registry_batches.id"]),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_registry_allocations_batch_id", "registry_allocations", ["batch_id"])
    op.create_index("ix_registry_allocations_campaign_id", "registry_allocations", ["campaign_id"])


INDEXES = {
    "registry_allocations": ("ix_registry_allocations_batch_id", "ix_registry_allocations_campaign_id"),
    "registry_certificate_parts": (),
    "registry_certificates": (
        "ix_registry_certificates_event_id",
        "ix_registry_certificates_resident_id",
        "ix_registry_certificates_sale_id",
    ),
    "registry_sales": ("ix_registry_sales_batch_id",),
    "registry_corrections": ("ix_registry_corrections_batch_id", "ix_registry_corrections_deducted_in"),
    "registry_exclusions": ("ix_registry_exclusions_activity_id", "ix_registry_exclusions_batch_id"),
    "registry_records": ("ix_registry_records_batch_id",),
    "registry_events": (),
    "registry_batches": (),
}


def downgrade() -> None:
    for table, indexes in INDEXES.items():  # dependants first
        for index in indexes:
            op.drop_index(index, table_name=table)
        op.drop_table(table)
