"""Residents (and staff accounts), their districts and personal API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, false, text
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

ROLES = ("resident", "merchant", "admin")


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
    # When the card's ownership was proved (a named trip or an administrator): earlier trips are not theirs.
    transit_card_since: datetime | None = None
    leaderboard_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    weekly_summary_opt_in: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    is_active: bool = Field(default=True)
    # Signed into every session and remember-me cookie: raising it ends them all (logout, password, lock).
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    created_at: datetime = Field(default_factory=clock.now)
    # When the resident last signed in, used a token, chatted or recorded an activity, written at most once
    # a Beijing day (carbon_credit/residents/activity.py); an account unused for years is pseudonymised after
    # a notice (carbon_credit/privacy/inactivity.py), whose time is kept until the resident comes back.
    last_active_at: datetime | None = Field(default_factory=clock.now, index=True)
    inactivity_notice_at: datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token: only its SHA-256 hash and a short prefix are stored."""

    __tablename__ = "api_tokens"
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id", index=True)
    name: str = Field(max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)
    created_at: datetime = Field(default_factory=clock.now)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


# What a resident agrees to (carbon_credit.residents.consents): the notice itself, then each optional or
# sensitive use, off until the resident turns it on. ``trips`` are 行踪轨迹 (PIPL Art. 28: sensitive).
CONSENT_PURPOSES = ("notice", "trips", "card", "photos", "chat", "leaderboard", "weekly_summary")
CONSENT_CHANNELS = ("web", "chat", "api")


class ConsentRecord(SQLModel, table=True):
    """One grant or withdrawal, never changed afterwards: a purpose's current state is its latest record."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(in_values("purpose", CONSENT_PURPOSES), name="ck_consent_records_purpose"),
        CheckConstraint(in_values("channel", CONSENT_CHANNELS), name="ck_consent_records_channel"),
        Index("ix_consent_records_resident_purpose", "resident_id", "purpose", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    purpose: str = Field(max_length=16)
    granted: bool
    notice_version: str = Field(max_length=32)  # the notice in force when the choice was made
    channel: str = Field(max_length=8)
    created_at: datetime = Field(default_factory=clock.now)
