"""Consent records (PIPL): the privacy notice each resident accepted and each optional or sensitive use they
granted or withdrew, append-only. Residents registered before this revision have accepted no notice (they are
asked on their next visit) and have no switch on: transit trips, a card link, photos and the chat link wait
for their consent; the leaderboard and weekly summary keep their opt-in columns.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "purpose IN ('notice', 'trips', 'card', 'photos', 'chat', 'leaderboard', 'weekly_summary')",
            name="ck_consent_records_purpose",
        ),
        sa.CheckConstraint("channel IN ('web', 'chat', 'api')", name="ck_consent_records_channel"),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_consent_records_resident_purpose",
        "consent_records",
        ["resident_id", "purpose", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_consent_records_resident_purpose", table_name="consent_records")
    op.drop_table("consent_records")
