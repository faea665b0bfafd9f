"""Core tables: districts, residents, points accounts, ledger entries and activities."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Column, Index, Text, false
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock

ROLES = ("resident", "merchant", "admin")
LEDGER_KINDS = ("earn", "redeem", "reversal", "expiry", "adjustment")
ACTIVITY_STATUSES = ("credited", "pending", "rejected")
CHANNELS = ("web", "bot", "qr", "api", "import", "demo")


def utcnow() -> datetime:
    """Aware UTC now from the platform clock. SQLModel's datetime columns store aware values."""
    return clock.now()


def in_values(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK constraint: ``column IN ('a', 'b')``."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class District(SQLModel, table=True):
    """A county-level district of the city (孝南区, 汉川市, ...)."""

    __tablename__ = "districts"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=64)


class Resident(SQLModel, table=True):
    """A person using the platform: resident, merchant or administrator."""

    __tablename__ = "residents"
    __table_args__ = (CheckConstraint(in_values("role", ROLES), name="ck_residents_role"),)
    id: int | None = Field(default=None, primary_key=True)
    display_name: str = Field(max_length=64)
    email: str | None = Field(default=None, max_length=254, unique=True)
    phone: str | None = Field(default=None, max_length=20, unique=True)
    password_hash: str | None = Field(default=None, max_length=255)
    district_id: int | None = Field(default=None, foreign_key="districts.id", index=True)
    locale: str = Field(default="zh_Hans", max_length=10)
    role: str = Field(default="resident", max_length=16)
    telegram_id: int | None = Field(default=None, sa_type=BigInteger, unique=True)
    transit_card: str | None = Field(default=None, max_length=32, unique=True)  # operator card number
    leaderboard_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    weekly_summary_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)


class Account(SQLModel, table=True):
    """A points account. ``balance`` is a cache of the sum of its ledger entries, kept in the same
    transaction as every entry, and the database itself refuses a negative balance."""

    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint("balance >= 0", name="ck_accounts_balance_non_negative"),)
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int | None = Field(default=None, foreign_key="residents.id", unique=True)
    balance: int = Field(default=0, sa_type=BigInteger)
    created_at: datetime = Field(default_factory=utcnow)


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
    created_at: datetime = Field(default_factory=utcnow)


class Activity(SQLModel, table=True):
    """A recorded low-carbon behaviour with its full quantification snapshot, so it can be recomputed."""

    __tablename__ = "activities"
    __table_args__ = (
        CheckConstraint(in_values("status", ACTIVITY_STATUSES), name="ck_activities_status"),
        CheckConstraint(in_values("channel", CHANNELS), name="ck_activities_channel"),
        CheckConstraint(
            "grams >= 0 AND points >= 0 AND points <= points_quantified", name="ck_activities_amounts"
        ),
        Index("ix_activities_resident_day", "resident_id", "behaviour", "local_day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    behaviour: str = Field(max_length=32)
    channel: str = Field(max_length=16)
    status: str = Field(max_length=16, index=True)
    inputs: dict[str, Any] = Field(sa_type=JSON)
    methodology_id: str = Field(max_length=64)
    methodology_version: str = Field(max_length=32)
    factors: list[dict[str, Any]] = Field(sa_type=JSON)
    formula: str = Field(sa_column=Column(Text, nullable=False))
    grams: int = Field(sa_type=BigInteger)
    points_quantified: int = Field(sa_type=BigInteger)
    points: int = Field(sa_type=BigInteger)
    note: str | None = Field(default=None, max_length=255)
    campaign_id: int | None = Field(default=None, foreign_key="campaigns.id", index=True)
    bonus_points: int = Field(default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"})
    reviewed_by: int | None = Field(default=None, foreign_key="residents.id")
    reviewed_at: datetime | None = None
    review_note: str | None = Field(default=None, max_length=255)
    photo: str | None = Field(default=None, max_length=128)  # file name under the uploads folder
    # Facts the resident gave that the methodology does not use (tree species group, planting date...).
    details: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    # The entry that credited it: its own (one at a time) or its account's entry for a bulk batch.
    ledger_entry_id: int | None = Field(default=None, foreign_key="ledger_entries.id")
    occurred_at: datetime
    local_day: date = Field(index=True)
    idempotency_key: str = Field(max_length=160, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
