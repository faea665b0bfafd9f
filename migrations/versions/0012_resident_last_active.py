"""Inactive accounts (PIPL retention): when each resident last used the platform, and when they were told
their unused account will be pseudonymised.

``last_active_at`` is filled from the latest of the account's creation, its activities (when they were
recorded), its API tokens' last use and its chat sessions' last message, so that nobody who used the
platform is counted as inactive from the day of the upgrade. Nobody has been told yet.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    # In place on both databases (ALTER TABLE ADD COLUMN): a batch copy of ``residents`` would fail on SQLite
    # while other tables' rows point at it.
    op.add_column("residents", sa.Column("last_active_at", WHEN(), nullable=True))
    op.add_column("residents", sa.Column("inactivity_notice_at", WHEN(), nullable=True))
    _backfill()
    op.create_index(op.f("ix_residents_last_active_at"), "residents", ["last_active_at"], unique=False)


def _backfill() -> None:
    """last_active_at = the latest of created_at and the resident's latest recorded use."""
    residents = sa.table("residents", sa.column("id", sa.Integer()), sa.column("created_at", WHEN()))
    residents.append_column(sa.column("last_active_at", WHEN()))
    uses = [
        ("activities", "resident_id", "created_at"),
        ("api_tokens", "resident_id", "last_used_at"),
        ("chat_sessions", "resident_id", "updated_at"),
    ]
    latest = [residents.c.created_at]
    for name, owner, moment in uses:
        table = sa.table(name, sa.column(owner, sa.Integer()), sa.column(moment, WHEN()))
        found = sa.select(sa.func.max(table.c[moment])).where(table.c[owner] == residents.c.id)
        latest.append(sa.func.coalesce(found.scalar_subquery(), residents.c.created_at))
    # PostgreSQL's GREATEST and SQLite's many-argument max(): with no NULL argument both give the latest.
    greatest = sa.func.greatest if op.get_bind().dialect.name == "postgresql" else sa.func.max
    op.execute(residents.update().values(last_active_at=greatest(*latest)))


def downgrade() -> None:
    op.drop_index(op.f("ix_residents_last_active_at"), table_name="residents")
    # In place on both databases (SQLite 3.35+ drops a column without copying the table).
    op.drop_column("residents", "inactivity_notice_at")
    op.drop_column("residents", "last_active_at")
