"""Points accounts and the append-only ledger entries (written only by carbon_credit.ledger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

LEDGER_KINDS = ("earn", "redeem", "reversal", "expiry", "adjustment")
DEBT_RULE = "balance_after >= 0 OR points > 0 OR kind = 'reversal'"


class Account(SQLModel, table=True):
    """A points account. ``balance`` is a cache of the sum of its ledger entries, kept in the same
    transaction as every entry. It is negative only as a debt left by a clawback (see LedgerEntry)."""

    __tablename__ = "accounts"
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
        # Only a clawback (a reversal) may leave a balance below zero; a credit may leave it there while it
        # repays a debt; every other debit (redeem, expiry, adjustment) keeps the balance at or above zero.
        CheckConstraint(DEBT_RULE, name="ck_ledger_entries_debt_by_clawback_only"),
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
