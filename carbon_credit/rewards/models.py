"""Rewards catalogue and the vouchers residents redeem points for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Column, Text
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

VOUCHER_STATUSES = ("issued", "used", "void")


class Reward(SQLModel, table=True):
    """Something residents can redeem points for; ``stock`` never goes below zero (CHECK constraint)."""

    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("stock >= 0", name="ck_rewards_stock"),
        CheckConstraint("cost > 0", name="ck_rewards_cost"),
        CheckConstraint("per_resident_limit >= 0", name="ck_rewards_limit"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name_zh: str = Field(max_length=80)
    name_en: str = Field(max_length=80)
    description_zh: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    description_en: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    cost: int = Field(sa_type=BigInteger)
    stock: int
    per_resident_limit: int = Field(default=0)  # 0 = no limit
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    merchant_id: int | None = Field(default=None, foreign_key="residents.id")
    is_active: bool = Field(default=True)
    is_demo: bool = Field(default=False)
    created_at: datetime = Field(default_factory=clock.now)


class Voucher(SQLModel, table=True):
    """A redeemed reward: an unguessable code, paid for by one ledger entry, used at most once; an unused one
    may be voided by an administrator (points refunded, stock returned; carbon_credit.rewards.voids)."""

    __tablename__ = "vouchers"
    __table_args__ = (CheckConstraint(in_values("status", VOUCHER_STATUSES), name="ck_vouchers_status"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    reward_id: int = Field(foreign_key="rewards.id", index=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    ledger_entry_id: int = Field(foreign_key="ledger_entries.id")
    idempotency_key: str = Field(max_length=160, unique=True)
    status: str = Field(default="issued", max_length=16)
    issued_at: datetime = Field(default_factory=clock.now)
    used_at: datetime | None = None
    used_by: int | None = Field(default=None, foreign_key="residents.id")
    voided_at: datetime | None = None
