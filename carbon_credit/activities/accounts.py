"""The residents' accounts an activity is credited to, locked as ``ledger.lock_accounts`` locks them (the
account row, in account id order: the one way to serialise one resident's requests), with their districts
read in the same statement for campaigns and statistics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlmodel import Session

from carbon_credit import ledger
from carbon_credit.platform.errors import NotFound
from carbon_credit.residents import Resident


@dataclass(frozen=True, slots=True)
class LockedAccount:
    """A resident's account, locked for the current transaction by :func:`lock_account`, and the
    resident's district (for the campaign and statistics steps)."""

    resident_id: int
    id: int
    district_id: int | None


def lock_account(*, session: Session, resident_id: int) -> LockedAccount:
    """Lock the resident's account row (which serialises one resident's requests) and read their district,
    in one statement."""
    row = session.connection().execute(_LOCK_ONE, {"resident_id": resident_id}).one_or_none()
    if row is None:
        raise NotFound(what="account", resident_id=resident_id)
    return LockedAccount(resident_id, row[0], row[1])


def lock_accounts(*, session: Session, resident_ids: Iterable[int]) -> dict[int, LockedAccount]:
    """Lock several residents' accounts (in account id order, as ``ledger.lock_accounts``, so two callers
    never deadlock) and read their districts, in one statement; NotFound names the first resident without an
    account."""
    wanted = sorted(set(resident_ids))
    rows = session.connection().execute(_LOCK_MANY, {"residents": wanted}).all()
    locked = {r: LockedAccount(r, account_id, district) for r, account_id, district in rows}
    missing = [r for r in wanted if r not in locked]
    if missing:
        raise NotFound(what="account", resident_id=missing[0])
    return locked


def locks_rows(session: Session) -> bool:
    """Whether locking an account is a statement of its own: a row lock on PostgreSQL; on SQLite the write
    transaction (BEGIN IMMEDIATE) serialises writers from its start, so the account is read with the
    statement that follows (:func:`account_columns`)."""
    return session.get_bind().dialect.name == "postgresql"


def account_columns() -> tuple:
    """Scalar subqueries for the account id and the district of ``:resident_id``, for a read that takes the
    place of :func:`lock_account` where :func:`locks_rows` is false."""
    return _ACCOUNT_ID, _DISTRICT_ID


def account_of(resident_id: int, account_id: int | None, district_id: int | None) -> LockedAccount:
    """The account :func:`account_columns` read; NotFound when the resident has none."""
    if account_id is None:
        raise NotFound(what="account", resident_id=resident_id)
    return LockedAccount(resident_id, account_id, district_id)


_accounts = ledger.Account.__table__
_residents = Resident.__table__
# The ledger's row lock on the account (FOR UPDATE OF accounts: the residents row is only read).
_LOCKED = (
    select(_accounts.c.resident_id, _accounts.c.id, _residents.c.district_id)
    .join(_residents, _residents.c.id == _accounts.c.resident_id)
    .with_for_update(of=_accounts)
)
_LOCK_ONE = _LOCKED.with_only_columns(_accounts.c.id, _residents.c.district_id).where(
    _accounts.c.resident_id == bindparam("resident_id")
)
_LOCK_MANY = _LOCKED.where(_accounts.c.resident_id.in_(bindparam("residents", expanding=True))).order_by(
    _accounts.c.id
)
_ACCOUNT_ID = (
    select(_accounts.c.id).where(_accounts.c.resident_id == bindparam("resident_id")).scalar_subquery()
)
_DISTRICT_ID = (
    select(_residents.c.district_id).where(_residents.c.id == bindparam("resident_id")).scalar_subquery()
)


def districts_of(*, session: Session, resident_ids: Iterable[int]) -> dict[int, int | None]:
    """Each resident's district id (None when they chose none)."""
    query = select(Resident.id, Resident.district_id).where(Resident.id.in_(sorted(set(resident_ids))))
    return dict(session.execute(query).all())
