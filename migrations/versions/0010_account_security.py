"""Accounts that belong to their owner: session versions, card claims (points integrity).

Residents get a session version (0 for everyone: cookies issued before this revision carry no version and
are signed out once) and the time their transit card's ownership was proved. Cards linked before this
revision were never proved: they stay linked, counted from the upgrade on, so operator trips from before it
are not credited to them. Two tables: the recent operator trips a card claim names, and the claims.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # In place on both databases (ALTER TABLE ADD COLUMN): a batch copy of ``residents`` would fail on SQLite
    # while other tables' rows point at it.
    since = sa.Column("transit_card_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    op.add_column("residents", since)
    op.add_column(
        "residents", sa.Column("session_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    residents = sa.table(
        "residents",
        sa.column("transit_card", sa.String()),
        sa.column("transit_card_since", sqlmodel.sql.sqltypes.UTCDateTime()),
    )
    op.execute(
        residents.update()
        .where(residents.c.transit_card.is_not(None))
        .values(transit_card_since=datetime.now(UTC))
    )
    op.create_table(
        "card_trips",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("card", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("boarding_stop", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("boarded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("card", "boarded_at", "boarding_stop", name="uq_card_trips_trip"),
    )
    op.create_index("ix_card_trips_card_boarded", "card_trips", ["card", "boarded_at"], unique=False)
    op.create_table(
        "card_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("card", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("proof", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('linked', 'failed', 'review', 'approved', 'rejected')", name="ck_card_claims_status"
        ),
        sa.CheckConstraint("proof IN ('trip', 'administrator')", name="ck_card_claims_proof"),
        sa.ForeignKeyConstraint(["decided_by"], ["residents.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_card_claims_card"), "card_claims", ["card"], unique=False)
    op.create_index(
        "ix_card_claims_resident_created", "card_claims", ["resident_id", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_card_claims_resident_created", table_name="card_claims")
    op.drop_index(op.f("ix_card_claims_card"), table_name="card_claims")
    op.drop_table("card_claims")
    op.drop_index("ix_card_trips_card_boarded", table_name="card_trips")
    op.drop_table("card_trips")
    # In place on both databases (SQLite 3.35+ drops a column without copying the table, which a batch copy
    # of ``residents`` could not do while other tables' rows point at it).
    op.drop_column("residents", "session_version")
    op.drop_column("residents", "transit_card_since")
