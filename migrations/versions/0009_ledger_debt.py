"""Clawback always works: balances may go into visible debt (points integrity).

- accounts: the CHECK ``balance >= 0`` goes; ledger_entries gets ``ck_ledger_entries_debt_by_clawback_only``
  (an entry leaving the balance below zero is a reversal or a credit repaying a debt; never a redemption);
- vouchers: status ``void`` and ``voided_at`` (an administrator voids unused vouchers after a clawback);
- account_flags: accounts flagged by the daily anomaly check, with reasons.

Existing data is kept: every balance is >= 0 before this revision, so every existing entry meets the new rule.
SQLite recreates the tables it changes (batch mode) with foreign key enforcement off for the copy, as
SQLite's documentation prescribes for schema changes (https://sqlite.org/lang_altertable.html#otheralter).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence
from contextlib import contextmanager

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEBT_RULE = "balance_after >= 0 OR points > 0 OR kind = 'reversal'"
NON_NEGATIVE = "balance >= 0"


def _statuses(*values: str) -> str:
    return f"status IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with _foreign_keys_off():
        with op.batch_alter_table("accounts") as batch_op:
            batch_op.drop_constraint("ck_accounts_balance_non_negative", type_="check")
        with op.batch_alter_table("ledger_entries") as batch_op:
            batch_op.create_check_constraint("ck_ledger_entries_debt_by_clawback_only", sa.text(DEBT_RULE))
        with op.batch_alter_table("vouchers") as batch_op:
            batch_op.add_column(sa.Column("voided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
            batch_op.drop_constraint("ck_vouchers_status", type_="check")
            batch_op.create_check_constraint(
                "ck_vouchers_status", sa.text(_statuses("issued", "used", "void"))
            )
    _create_account_flags()


def downgrade() -> None:
    op.drop_table("account_flags")
    op.execute("UPDATE vouchers SET status = 'used' WHERE status = 'void'")  # a void voucher is never usable
    with _foreign_keys_off():
        with op.batch_alter_table("vouchers") as batch_op:
            batch_op.drop_constraint("ck_vouchers_status", type_="check")
            batch_op.drop_column("voided_at")
            batch_op.create_check_constraint("ck_vouchers_status", sa.text(_statuses("issued", "used")))
        with op.batch_alter_table("ledger_entries") as batch_op:
            batch_op.drop_constraint("ck_ledger_entries_debt_by_clawback_only", type_="check")
        with op.batch_alter_table("accounts") as batch_op:
            batch_op.create_check_constraint("ck_accounts_balance_non_negative", sa.text(NON_NEGATIVE))


def _create_account_flags() -> None:
    op.create_table(
        "account_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("day_from", sa.Date(), nullable=False),
        sa.Column("day_to", sa.Date(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.CheckConstraint(_statuses("open", "cleared", "clawed_back"), name="ck_account_flags_status"),
        sa.ForeignKeyConstraint(["decided_by"], ["residents.id"]),
        sa.ForeignKeyConstraint(["resident_id"], ["residents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("resident_id", "day_to", name="uq_account_flags_resident_day"),
    )
    with op.batch_alter_table("account_flags") as batch_op:
        batch_op.create_index(batch_op.f("ix_account_flags_resident_id"), ["resident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_account_flags_status"), ["status"], unique=False)


@contextmanager
def _foreign_keys_off():
    """On SQLite, switch foreign key enforcement off while tables are copied and renamed, as SQLite's
    documentation prescribes (a referenced table cannot be dropped otherwise), check them, and switch it on
    again. The pragma only works outside a transaction, hence the autocommit blocks around the copy, which
    itself runs in a transaction of its own. PostgreSQL alters tables in place and needs nothing."""
    if op.get_bind().dialect.name != "sqlite":
        yield
        return
    with op.get_context().autocommit_block():
        _pragma("foreign_keys = OFF")
    try:
        yield
        broken = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").all()
        if broken:
            raise RuntimeError(f"revision 0009 would break foreign keys: {broken[:5]}")
    finally:
        with op.get_context().autocommit_block():
            _pragma("foreign_keys = ON")


def _pragma(setting: str) -> None:
    """Run a PRAGMA between transactions. Inside ``autocommit_block`` Alembic still opens a placeholder
    transaction, which the project's engine begins as ``BEGIN IMMEDIATE`` (where SQLite ignores
    ``foreign_keys``): end it, run the pragma, and open it again for Alembic to close."""
    dbapi = op.get_bind().connection.dbapi_connection
    reopen = dbapi.in_transaction
    if reopen:
        dbapi.execute("COMMIT")
    dbapi.execute(f"PRAGMA {setting}")
    if reopen:
        dbapi.execute("BEGIN")
