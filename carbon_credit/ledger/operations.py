"""The points ledger: the ONLY writer of ledger entries and account balances.

Rules (docs/ledger.md):
- entries are append-only integers; a correction is a reversal entry, never an edit or delete;
- ``Account.balance`` is updated in the same transaction as each entry, so it always equals the sum of
  the account's entries;
- a debit is one conditional ``UPDATE ... SET balance = balance - :n WHERE balance >= :n`` whose row count
  decides, which is atomic on SQLite and PostgreSQL alike (``SELECT ... FOR UPDATE`` is a no-op on SQLite);
  only a clawback (kind ``reversal``) always lands, leaving a debt (a negative balance) when the points were
  spent; the database refuses any other entry that leaves a balance below zero (CHECK constraint);
- every entry has a unique idempotency key: posting the same key again returns the first entry unchanged,
  and reusing a key for a different posting is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.errors import IdempotencyConflict, InsufficientPoints, InvalidAmount, NotFound

MAX_POINTS_PER_ENTRY = 10**12
SIGNS = {"earn": 1, "redeem": -1, "expiry": -1, "reversal": 0, "adjustment": 0}  # 0: either sign

_accounts = Account.__table__
_entries = LedgerEntry.__table__


@dataclass(frozen=True, slots=True)
class Posting:
    """A credit or debit to post: ``points`` is signed (positive credits, negative debits)."""

    account_id: int
    points: int
    kind: str
    idempotency_key: str
    ref_type: str | None = None
    ref_id: int | None = None
    memo: str | None = None
    at: datetime | None = None  # when it happened (the caller's injected clock); None: the platform clock


def open_account(*, session: Session, resident_id: int | None = None) -> Account:
    """Create an empty account (one per resident)."""
    account = Account(resident_id=resident_id)
    session.add(account)
    session.flush()
    return account


def account_id_for(*, session: Session, resident_id: int, lock: bool = False) -> int:
    """The resident's account id; ``lock`` takes a row lock on PostgreSQL to serialise per resident."""
    query = select(Account.id).where(Account.resident_id == resident_id)
    if lock:
        query = query.with_for_update()
    account_id = session.execute(query).scalar_one_or_none()
    if account_id is None:
        raise NotFound(what="account", resident_id=resident_id)
    return account_id


def lock_accounts(*, session: Session, resident_ids: Iterable[int]) -> dict[int, int]:
    """Lock the residents' account rows, in account id order (so two callers never deadlock), and return
    their account ids by resident id. The one way to serialise work per resident: PostgreSQL row locks
    (``FOR UPDATE``); on SQLite the write transaction (BEGIN IMMEDIATE) already serialises. NotFound names
    the first resident without an account."""
    wanted = sorted(set(resident_ids))
    query = (
        select(Account.resident_id, Account.id)
        .where(Account.resident_id.in_(wanted))
        .order_by(Account.id)
        .with_for_update(of=Account)
    )
    found = dict(session.execute(query).all())
    missing = [r for r in wanted if r not in found]
    if missing:
        raise NotFound(what="account", resident_id=missing[0])
    return found


def balance(*, session: Session, account_id: int) -> int:
    """The account's balance (the cached sum of its entries)."""
    value = session.execute(select(Account.balance).where(Account.id == account_id)).scalar_one_or_none()
    if value is None:
        raise NotFound(what="account", account_id=account_id)
    return value


def post(*, session: Session, posting: Posting) -> LedgerEntry:
    """Post one entry and move the balance, atomically and idempotently.

    Raises InsufficientPoints if a debit would overdraw (a ``reversal`` never does: it leaves a debt),
    IdempotencyConflict if the key was used for a different posting, InvalidAmount for a zero, fractional or
    absurd amount.
    """
    _validate(posting)
    if posting.points > 0:
        return _post_credit(session, posting)
    existing = _by_key(session, posting.idempotency_key)
    if existing is not None:
        return _same_or_conflict(existing, posting)
    try:
        with session.begin_nested():
            new_balance = _move(session, posting.account_id, posting.points, posting.kind == "reversal")
            entry = LedgerEntry(**_row(posting, new_balance))
            session.add(entry)
            session.flush()
    except IntegrityError:
        existing = _by_key(session, posting.idempotency_key)
        if existing is None:
            raise
        return _same_or_conflict(existing, posting)
    return entry


def _post_credit(session: Session, posting: Posting) -> LedgerEntry:
    """A credit cannot overdraw, so it needs no pre-check and no savepoint: move the balance (which locks the
    row on PostgreSQL), then insert the entry with ON CONFLICT (idempotency_key) DO NOTHING. When the key
    exists (a retry, or a concurrent post of it that committed first), the move is taken back in the same
    transaction and the answer is as for an existing key: that entry, or IdempotencyConflict."""
    new_balance = _move(session, posting.account_id, posting.points)
    statement = _insert_if_new(session.get_bind().dialect.name).values(**_row(posting, new_balance))
    entry = session.scalars(statement.returning(LedgerEntry)).one_or_none()
    if entry is not None:
        return entry
    _move(session, posting.account_id, -posting.points, True)
    existing = _by_key(session, posting.idempotency_key)
    if existing is None:  # not reachable: the key is the only conflict target
        raise IdempotencyConflict(key=posting.idempotency_key)
    return _same_or_conflict(existing, posting)


@lru_cache(maxsize=4)
def _insert_if_new(dialect: str):
    """INSERT INTO ledger_entries ... ON CONFLICT (idempotency_key) DO NOTHING, for SQLite and PostgreSQL."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(LedgerEntry)
    return statement.on_conflict_do_nothing(index_elements=["idempotency_key"])


def post_many(*, session: Session, postings: Sequence[Posting]) -> dict[str, int]:
    """Post credits in bulk (imports, batch jobs): one locking read of the balances, one multi-row balance
    UPDATE and one multi-row INSERT. Only credits (positive points), so no posting can overdraw; keys must
    be new (the caller filters duplicates first). Returns the new entries' ids by idempotency key."""
    for posting in postings:
        _validate(posting)
        if posting.points < 0:
            raise InvalidAmount(value=posting.points)
    if not postings:
        return {}
    per_account: dict[int, list[Posting]] = defaultdict(list)
    for posting in postings:
        per_account[posting.account_id].append(posting)
    # Row locks on PostgreSQL; on SQLite the transaction already holds the write lock (BEGIN IMMEDIATE).
    locked = select(_accounts.c.id, _accounts.c.balance).where(_accounts.c.id.in_(sorted(per_account)))
    balances = dict(session.execute(locked.order_by(_accounts.c.id).with_for_update()).all())
    if len(balances) != len(per_account):
        raise NotFound(what="account", account_id=min(set(per_account) - balances.keys()))
    rows, moves = [], []
    for account_id, group in per_account.items():
        running = balances[account_id]
        for posting in group:
            running += posting.points
            rows.append(_row(posting, running))
        moves.append({"target": account_id, "delta": running - balances[account_id]})
    move = update(_accounts).where(_accounts.c.id == bindparam("target"))
    session.execute(move.values(balance=_accounts.c.balance + bindparam("delta")), moves)
    inserted = session.execute(insert(_entries).returning(_entries.c.idempotency_key, _entries.c.id), rows)
    return {key: entry_id for key, entry_id in inserted}


def reverse(
    *,
    session: Session,
    entry_id: int,
    idempotency_key: str,
    memo: str | None = None,
    at: datetime | None = None,
) -> LedgerEntry:
    """Write the opposite of an entry: a reversal of a debit credits; of a credit, debits, and always lands
    (a clawback): when the points were spent meanwhile, the account goes into debt (``debt_of``)."""
    original = session.get(LedgerEntry, entry_id)
    if original is None:
        raise NotFound(what="ledger_entry", entry_id=entry_id)
    return post(
        session=session,
        posting=Posting(
            account_id=original.account_id,
            points=-original.points,
            kind="reversal",
            idempotency_key=idempotency_key,
            ref_type="ledger_entry",
            ref_id=original.id,
            memo=memo,
            at=at,
        ),
    )


def entries(
    *, session: Session, account_id: int, limit: int = 50, before_id: int | None = None
) -> list[LedgerEntry]:
    """The account's entries, newest first, paged by id."""
    query = select(LedgerEntry).where(LedgerEntry.account_id == account_id)
    if before_id is not None:
        query = query.where(LedgerEntry.id < before_id)
    return list(session.execute(query.order_by(LedgerEntry.id.desc()).limit(limit)).scalars())


def discrepancies(
    *, session: Session, account_ids: Iterable[int] | None = None
) -> list[tuple[int, int, int]]:
    """Accounts whose cached balance differs from the sum of entries: (account_id, balance, sum).
    Empty when the ledger is consistent (the scheduler checks this regularly)."""
    sums = (
        select(LedgerEntry.account_id, func.coalesce(func.sum(LedgerEntry.points), 0).label("total"))
        .group_by(LedgerEntry.account_id)
        .subquery()
    )
    query = select(Account.id, Account.balance, func.coalesce(sums.c.total, 0)).outerjoin(
        sums, sums.c.account_id == Account.id
    )
    if account_ids is not None:
        query = query.where(Account.id.in_(list(account_ids)))
    rows = session.execute(query).all()
    return [(a, b, int(s)) for a, b, s in rows if b != int(s)]


def _validate(posting: Posting) -> None:
    points = posting.points
    if type(points) is not int or points == 0 or abs(points) > MAX_POINTS_PER_ENTRY:
        raise InvalidAmount(value=points)
    sign = SIGNS.get(posting.kind)
    if sign is None:
        raise InvalidAmount(value=points, kind=posting.kind)
    if sign and (points > 0) != (sign > 0):
        raise InvalidAmount(value=points, kind=posting.kind)
    if not posting.idempotency_key or len(posting.idempotency_key) > 160:
        raise IdempotencyConflict(key=posting.idempotency_key)


def _move(session: Session, account_id: int, points: int, may_overdraw: bool = False) -> int:
    """Atomically add ``points`` to the balance; returns the new balance or raises (a debit that would
    overdraw, unless ``may_overdraw``: a clawback)."""
    stmt = update(_accounts).where(_accounts.c.id == account_id).values(balance=_accounts.c.balance + points)
    if points < 0 and not may_overdraw:
        stmt = stmt.where(_accounts.c.balance >= -points)
    new_balance = session.execute(stmt.returning(_accounts.c.balance)).scalar_one_or_none()
    if new_balance is not None:
        return new_balance
    current = balance(session=session, account_id=account_id)  # raises NotFound for a missing account
    raise InsufficientPoints(needed=-points, balance=current)


def _row(posting: Posting, balance_after: int) -> dict:
    return {
        "account_id": posting.account_id,
        "kind": posting.kind,
        "points": posting.points,
        "balance_after": balance_after,
        "ref_type": posting.ref_type,
        "ref_id": posting.ref_id,
        "idempotency_key": posting.idempotency_key,
        "memo": posting.memo,
        "created_at": posting.at or clock.now(),
    }


def _by_key(session: Session, key: str) -> LedgerEntry | None:
    return session.execute(select(LedgerEntry).where(LedgerEntry.idempotency_key == key)).scalar_one_or_none()


def _same_or_conflict(entry: LedgerEntry, posting: Posting) -> LedgerEntry:
    if (entry.account_id, entry.kind, entry.points) != (posting.account_id, posting.kind, posting.points):
        raise IdempotencyConflict(key=posting.idempotency_key)
    return entry
