"""The residents' accounts an activity is credited to, locked with ``ledger.lock_accounts`` (the one way to
serialise one resident's requests), and their districts, read alongside for campaigns and statistics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.residents import Resident


@dataclass(frozen=True, slots=True)
class LockedAccount:
    """A resident's account, locked for the current transaction by :func:`lock_account`, and the
    resident's district (for the campaign and statistics steps)."""

    resident_id: int
    id: int
    district_id: int | None


def lock_account(*, session: Session, resident_id: int) -> LockedAccount:
    """Lock the resident's account row (which serialises one resident's requests) and read their district."""
    return lock_accounts(session=session, resident_ids=[resident_id])[resident_id]


def lock_accounts(*, session: Session, resident_ids: Iterable[int]) -> dict[int, LockedAccount]:
    """Lock several residents' accounts (in account id order, ``ledger.lock_accounts``) and read their
    districts; NotFound names the first resident without an account."""
    locked = ledger.lock_accounts(session=session, resident_ids=resident_ids)
    districts = districts_of(session=session, resident_ids=locked)
    return {r: LockedAccount(r, account_id, districts.get(r)) for r, account_id in locked.items()}


def districts_of(*, session: Session, resident_ids: Iterable[int]) -> dict[int, int | None]:
    """Each resident's district id (None when they chose none)."""
    query = select(Resident.id, Resident.district_id).where(Resident.id.in_(sorted(set(resident_ids))))
    return dict(session.execute(query).all())
