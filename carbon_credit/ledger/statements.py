"""Pre-built statements for the ledger's hot paths: a posting is one statement on PostgreSQL, a
data-modifying CTE (``WITH moved AS (UPDATE accounts ... RETURNING balance) INSERT INTO ledger_entries ...
SELECT ... FROM moved``), and two on SQLite, which has no data-modifying CTE (``UPDATE ... RETURNING``, then
the INSERT). Each is built once per dialect and shape and executed with plain parameters; rows come back as
tuples.

A caller that stores a row pointing at its new entry (an activity, a voucher) selects the entry's id from
the CTEs of :func:`entry_ctes` in its own INSERT on PostgreSQL, so the row is written after the entry and no
UPDATE sets the link afterwards; on SQLite it posts with :func:`post_rows` and inserts with the ids returned.

Bulk credits on PostgreSQL (:func:`post_credits`) send one array per column and ``unnest`` them: two
statements whatever the number of postings, and no per-value work in SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session

from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform import clock
from carbon_credit.platform.errors import IdempotencyConflict, InvalidAmount, NotFound

COLUMNS = (
    "account_id",
    "kind",
    "points",
    "balance_after",
    "ref_type",
    "ref_id",
    "idempotency_key",
    "memo",
    "created_at",
)
MAX_POINTS_PER_ENTRY = 10**12
SIGNS = {"earn": 1, "redeem": -1, "expiry": -1, "reversal": 0, "adjustment": 0}  # 0: either sign
_accounts = Account.__table__
_entries = LedgerEntry.__table__


def validate(posting) -> None:
    """InvalidAmount for a zero, fractional, absurd or wrongly signed amount; IdempotencyConflict for a
    missing or overlong key."""
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


def entry_row(posting, balance_after: int | None = None) -> dict[str, Any]:
    """The ledger_entries row of a posting (``created_at``: the posting's time, else the clock's)."""
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


def entry_params(postings: Sequence) -> dict[str, Any]:
    """Parameters of :func:`entry_ctes` for postings to one account, in order: ``account_id``, ``total``
    (the balance move) and each entry's values (``e<n>_<column>``)."""
    for posting in postings:
        validate(posting)
    total = sum(p.points for p in postings)
    params: dict[str, Any] = {"account_id": postings[0].account_id, "total": total}
    for n, posting in enumerate(postings):
        row = entry_row(posting)
        params.update({f"e{n}_{name}": row[name] for name in COLUMNS[1:] if name != "balance_after"})
    params["e0_rest"] = total - postings[0].points
    return params


@lru_cache(maxsize=16)
def entry_ctes(count: int, guarded: bool = False, skip_known_key: bool = False) -> tuple:
    """PostgreSQL CTEs ``(moved, e0, e1, ...)``: move the balance of ``:account_id`` by ``:total`` (only
    while it stays at or above zero when ``guarded``: a debit), then insert ``count`` entries in order, each
    after the one before (so their ids and ``balance_after`` follow the postings). Each entry CTE returns
    ``id`` and ``balance_after``. ``skip_known_key``: ON CONFLICT (idempotency_key) DO NOTHING."""
    move = update(_accounts).where(_accounts.c.id == bindparam("account_id"))
    if guarded:
        move = move.where(_accounts.c.balance + bindparam("total") >= 0)
    moved = move.values(balance=_accounts.c.balance + bindparam("total")).returning(_accounts.c.balance)
    ctes: list = [moved.cte("moved")]
    for n in range(count):
        before = ctes[-1]
        after = before.c.balance - bindparam("e0_rest") if n == 0 else before.c.balance_after
        if n:
            after = after + bindparam(f"e{n}_points")
        values = [_param("account_id", "account_id")]
        values += [_param(f"e{n}_{name}", name) for name in COLUMNS[1:3]]
        values += [after.label("balance_after")]
        values += [_param(f"e{n}_{name}", name) for name in COLUMNS[4:]]
        source = select(*values).select_from(before)
        statement = (pg_insert if skip_known_key else insert)(_entries).from_select(COLUMNS, source)
        if skip_known_key:
            statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
        ctes.append(statement.returning(_entries.c.id, _entries.c.balance_after).cte(f"e{n}"))
    return tuple(ctes)


def _param(name: str, column: str):
    return bindparam(name, type_=_entries.c[column].type)


@lru_cache(maxsize=4)
def _post_one(guarded: bool):
    """PostgreSQL: one posting in one statement, returning (new balance, entry id or NULL when its key is
    known); no row when the balance did not move (a refused debit, or no such account)."""
    moved, entry = entry_ctes(1, guarded, skip_known_key=True)
    return select(moved.c.balance, entry.c.id).select_from(moved.outerjoin(entry, true()))


@lru_cache(maxsize=4)
def _move(guarded: bool):
    statement = update(_accounts).where(_accounts.c.id == bindparam("account_id"))
    if guarded:
        statement = statement.where(_accounts.c.balance + bindparam("total") >= 0)
    statement = statement.values(balance=_accounts.c.balance + bindparam("total"))
    return statement.returning(_accounts.c.balance)


@lru_cache(maxsize=4)
def _insert(skip_known_key: bool):
    statement = (sqlite_insert if skip_known_key else insert)(_entries)
    if skip_known_key:
        statement = statement.on_conflict_do_nothing(index_elements=["idempotency_key"])
    return statement.returning(_entries.c.id, _entries.c.idempotency_key)


def post_one(conn: Connection, posting, guarded: bool) -> tuple[int, int | None] | None:
    """Post one entry: (new balance, entry id), the id None when the key is known already (the balance has
    moved then: the caller takes it back); None when the balance did not move."""
    if conn.dialect.name == "postgresql":
        return conn.execute(_post_one(guarded), entry_params([posting])).one_or_none()
    moved = post_rows(conn, [posting], guarded, skip_known_key=True)
    return None if moved is None else (moved[0], moved[1][0])


def post_rows(
    conn: Connection, postings: Sequence, guarded: bool = False, skip_known_key: bool = False
) -> tuple[int, list[int | None]] | None:
    """Two statements (any database): move the balance of the postings' one account by their sum, then
    insert their entries in order. Returns (new balance, entry ids in posting order; None for a key
    already known, with ``skip_known_key``), or None when the balance did not move."""
    for posting in postings:
        validate(posting)
    total = sum(p.points for p in postings)
    params = {"account_id": postings[0].account_id, "total": total}
    balance = conn.execute(_move(guarded), params).scalar_one_or_none()
    if balance is None:
        return None
    running, rows = balance - total, []
    for posting in postings:
        running += posting.points
        rows.append(entry_row(posting, running))
    ids = {key: entry_id for entry_id, key in conn.execute(_insert(skip_known_key), rows)}
    return balance, [ids.get(p.idempotency_key) for p in postings]


# Driver SQL for psycopg: ``%(name)b`` sends each array in binary, which psycopg dumps in a fraction of the
# time the text format takes (no quoting of each element). The sub-select locks the rows in account id order
# (its ORDER BY runs below the lock), as every other locker does, so two bulk posts never deadlock.
_MOVE_MANY = (
    "UPDATE accounts SET balance = accounts.balance + d.delta"
    " FROM (SELECT a.id, u.delta FROM accounts AS a"
    " JOIN unnest(CAST(%(ids)b AS integer[]), CAST(%(deltas)b AS bigint[])) AS u(id, delta) ON a.id = u.id"
    " ORDER BY a.id FOR UPDATE OF a) AS d"
    " WHERE accounts.id = d.id RETURNING accounts.id, accounts.balance"
)
_ARRAYS = ("integer", "text", "bigint", "bigint", "text", "bigint", "text", "text", "timestamptz")
# WITH ORDINALITY ... ORDER BY n: the ids (nextval, evaluated after the ordering) follow the arrays' order.
_INSERT_MANY = (
    f"INSERT INTO ledger_entries ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM unnest("
    + ", ".join(f"CAST(%({name})b AS {kind}[])" for name, kind in zip(COLUMNS, _ARRAYS, strict=True))
    + f") WITH ORDINALITY AS e({', '.join(COLUMNS)}, n) ORDER BY n RETURNING idempotency_key, id"
)


def post_credits(conn: Connection, groups: dict[int, list]) -> dict[str, int]:
    """PostgreSQL: post validated credits, grouped by account in posting order, in two statements: move
    every balance by its group's sum (locking the rows in id order), then insert the entries, each group's
    in order with ``balance_after`` counted up from the balance before. Returns the ids by key. NotFound
    names the lowest unknown account; the balances it had moved are moved back first."""
    ids = sorted(groups)
    deltas = [sum(p.points for p in groups[a]) for a in ids]
    moved = dict(conn.exec_driver_sql(_MOVE_MANY, {"ids": ids, "deltas": deltas}).all())
    if len(moved) < len(ids):
        back = [(a, -d) for a, d in zip(ids, deltas, strict=True) if a in moved]
        if back:
            conn.exec_driver_sql(_MOVE_MANY, {"ids": [a for a, _ in back], "deltas": [d for _, d in back]})
        raise NotFound(what="account", account_id=min(set(ids) - moved.keys()))
    now, rows = clock.now(), []
    for account_id, group in groups.items():
        running = moved[account_id] - sum(p.points for p in group)
        for p in group:
            running += p.points
            at = p.at or now
            if at.utcoffset() is None:
                raise ValueError("Datetime values must have timezone information.")
            rows.append(
                (account_id, p.kind, p.points, running, p.ref_type, p.ref_id, p.idempotency_key, p.memo, at)
            )
    columns = dict(zip(COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
    return dict(conn.exec_driver_sql(_INSERT_MANY, columns).all())


def move(conn: Connection, account_id: int, points: int) -> None:
    """Move a balance without an entry: only to take back a move whose entry was not written."""
    conn.execute(_move(False), {"account_id": account_id, "total": points})


def loaded(session: Session, model: type, values: dict[str, Any]):
    """The object for a row just written with Core statements, in the session as if loaded from it (no SQL,
    nothing to flush): callers get the usual model instance, and ``session.get`` finds it."""
    known = session.identity_map.get(identity_key(model, values["id"]))
    if known is not None:
        return known
    instance = model._sa_class_manager.new_instance()
    instance.__dict__.update(values)
    make_transient_to_detached(instance)
    session.add(instance)
    return instance
