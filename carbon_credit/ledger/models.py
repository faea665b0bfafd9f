"""Points accounts and the append-only ledger entries (written only by carbon_credit.ledger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

LEDGER_KINDS = ("earn", "redeem", "reversal", "expiry", "adjustment")


class Account(SQLModel, table=True):
    """A points account. ``balance`` is a cache of the sum of its ledger entries, kept in the same
    transaction as every entry, and the database itself refuses a negative balance."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_accounts_balance_non_negative"),)
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", unique=True)
    balance: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=clock.now)


class LedgerEntry(SQLModel, table=True):
    """One append-only movement of points; written only by :mod:`carbon_credit.ledger`."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(in_values("kind", LEDGER_KINDS), name="ck_ledger_entries_kind"),
        CheckConstraint("points <> 0", name="ck_ledger_entries_points_non_zero"),
        Index("ix_ledger_entries_account_id_id", "account_id", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="accounts.id")
    kind: str = Field(max_length=16)
    points: int = Field(sa_type=BigInteger)
    balance_after: int = Field(sa_type=BigInteger)
    ref_type: str | None = Field(default=None, max_length=32)
    ref_id: int | None = Field(default=None, sa_type=BigInteger)
    idempotency_key: str = Field(max_length=160, unique=True)
    memo: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=clock.now)
