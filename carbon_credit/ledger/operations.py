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

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from carbon_credit.ledger import statements
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform.errors import IdempotencyConflict, InsufficientPoints, InvalidAmount, NotFound

MAX_POINTS_PER_ENTRY = statements.MAX_POINTS_PER_ENTRY
SIGNS = statements.SIGNS
_validate = statements.validate

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
    found = dict(session.connection().execute(_LOCK_ACCOUNTS, {"ids": wanted}).all())
    missing = [r for r in wanted if r not in found]
    if missing:
        raise NotFound(what="account", resident_id=missing[0])
    return found


_LOCK_ACCOUNTS = (
    select(_accounts.c.resident_id, _accounts.c.id)
    .where(_accounts.c.resident_id.in_(bindparam("ids", expanding=True)))
    .order_by(_accounts.c.id)
    .with_for_update(of=_accounts)
)  # built once: every scan and bulk import locks through it


def balance(*, session: Session, account_id: int) -> int:
    """The account's balance (the cached sum of its entries)."""
    value = session.execute(select(Account.balance).where(Account.id == account_id)).scalar_one_or_none()
    if value is None:
        raise NotFound(what="account", account_id=account_id)
    return value


def post(*, session: Session, posting: Posting) -> LedgerEntry:
    """Post one entry and move the balance, atomically and idempotently: one statement on PostgreSQL, two
    on SQLite (``statements.post_one``), no savepoint: a debit's refusal is the conditional UPDATE that
    moved nothing, and a known key (a retry, or a concurrent post of it that committed first) is an INSERT
    that did nothing, whose move is taken back in the same transaction.

    Raises InsufficientPoints if a debit would overdraw (a ``reversal`` never does: it leaves a debt),
    IdempotencyConflict if the key was used for a different posting, InvalidAmount for a zero, fractional or
    absurd amount.
    """
    _validate(posting)
    conn = session.connection()
    guarded = posting.points < 0 and posting.kind != "reversal"
    moved = statements.post_one(conn, posting, guarded)
    if moved is None:
        existing = _by_key(session, posting.idempotency_key)
        if existing is not None:
            return _same_or_conflict(existing, posting)
        current = balance(session=session, account_id=posting.account_id)  # NotFound for no account
        raise InsufficientPoints(needed=-posting.points, balance=current)
    new_balance, entry_id = moved
    if entry_id is None:
        statements.move(conn, posting.account_id, -posting.points)
        existing = _by_key(session, posting.idempotency_key)
        if existing is None:  # not reachable: the key is the only conflict target
            raise IdempotencyConflict(key=posting.idempotency_key)
        return _same_or_conflict(existing, posting)
    row = statements.entry_row(posting, new_balance)
    return statements.loaded(session, LedgerEntry, {**row, "id": entry_id})


def locked_balance(*, session: Session, resident_id: int) -> tuple[int, int]:
    """Lock the resident's account row (as :func:`lock_accounts`) and read (account id, balance) in the same
    statement; NotFound when the resident has no account."""
    found = session.connection().execute(_LOCKED_BALANCE, {"resident_id": resident_id}).one_or_none()
    if found is None:
        raise NotFound(what="account", resident_id=resident_id)
    return found[0], found[1]


_LOCKED_BALANCE = (
    select(_accounts.c.id, _accounts.c.balance)
    .where(_accounts.c.resident_id == bindparam("resident_id"))
    .with_for_update()
)


def post_many(*, session: Session, postings: Sequence[Posting]) -> dict[str, int]:
    """Post credits in bulk (imports, batch jobs). Only credits (positive points), so no posting can
    overdraw; keys must be new (the caller filters duplicates first). Returns the new entries' ids by
    idempotency key; each account's entries follow its postings in order. PostgreSQL: two statements over
    arrays (``statements.post_credits``); SQLite, where the transaction already holds the write lock (BEGIN
    IMMEDIATE): one read of the balances, one executemany UPDATE and one multi-row INSERT."""
    for posting in postings:
        _validate(posting)
        if posting.points < 0:
            raise InvalidAmount(value=posting.points)
    if not postings:
        return {}
    per_account: dict[int, list[Posting]] = defaultdict(list)
    for posting in postings:
        per_account[posting.account_id].append(posting)
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        return statements.post_credits(conn, per_account)
    locked = select(_accounts.c.id, _accounts.c.balance).where(_accounts.c.id.in_(sorted(per_account)))
    balances = dict(conn.execute(locked).all())
    if len(balances) != len(per_account):
        raise NotFound(what="account", account_id=min(set(per_account) - balances.keys()))
    rows, moves = [], []
    for account_id, group in per_account.items():
        running = balances[account_id]
        for posting in group:
            running += posting.points
            rows.append(statements.entry_row(posting, running))
        moves.append({"target": account_id, "delta": running - balances[account_id]})
    conn.execute(_MOVE, moves)
    inserted = conn.execute(_INSERT_MANY, rows)
    return {key: entry_id for key, entry_id in inserted}


_MOVE = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("target"))
    .values(balance=_accounts.c.balance + bindparam("delta"))
)
_INSERT_MANY = insert(_entries).returning(_entries.c.idempotency_key, _entries.c.id)


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


def _by_key(session: Session, key: str) -> LedgerEntry | None:
    return session.execute(select(LedgerEntry).where(LedgerEntry.idempotency_key == key)).scalar_one_or_none()


def _same_or_conflict(entry: LedgerEntry, posting: Posting) -> LedgerEntry:
    if (entry.account_id, entry.kind, entry.points) != (posting.account_id, posting.kind, posting.points):
        raise IdempotencyConflict(key=posting.idempotency_key)
    return entry
