"""Transit card ownership tables: the recent operator trips a claim is proved against, and the claims."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from carbon_credit.platform import clock
from carbon_credit.platform.models import in_values

CLAIM_STATUSES = ("linked", "failed", "review", "approved", "rejected")
CLAIM_PROOFS = ("trip", "administrator")


class CardTrip(SQLModel, table=True):
    """A trip an operator file reported for a card, kept ``card_proof_days`` so its owner can name it."""

    __tablename__ = "card_trips"
    __table_args__ = (
        UniqueConstraint("card", "boarded_at", "boarding_stop", name="uq_card_trips_trip"),
        Index("ix_card_trips_card_boarded", "card", "boarded_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    card: str = Field(max_length=32)
    boarding_stop: str = Field(max_length=32)  # the stop code the operator gave
    boarded_at: datetime


class CardClaim(SQLModel, table=True):
    """A resident's claim to a card: linked at once (proved by a trip, card free), failed (the trip named
    is not on the card), or waiting for an administrator (card already someone's, or no trip to name)."""

    __tablename__ = "card_claims"
    __table_args__ = (
        CheckConstraint(in_values("status", CLAIM_STATUSES), name="ck_card_claims_status"),
        CheckConstraint(in_values("proof", CLAIM_PROOFS), name="ck_card_claims_proof"),
        Index("ix_card_claims_resident_created", "resident_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    resident_id: int = Field(foreign_key="residents.id")
    card: str = Field(max_length=32, index=True)
    status: str = Field(max_length=16)
    proof: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=clock.now)
    decided_at: datetime | None = None
    decided_by: int | None = Field(default=None, foreign_key="residents.id")
