"""The bulk path (operator trip imports, the demo, batch jobs): many claims in one transaction, with the same
rules as recording one (``recording.record_activity``): the claim checks (``claims.check``), photo consent,
admission (``admission.admit_many``: review hold, caps counting the batch's earlier claims, campaign bonus),
one earn entry per account (``crediting.credit_batch``), then the campaign bonuses and rollups
(``crediting.after_credit``).

The accounts of the batch's residents are locked first (``accounts.lock_accounts``), then the idempotency
keys are checked, once: every writer of a resident's activities holds that lock, so a key recorded by a
concurrent import or request is seen here (on PostgreSQL the statement after the lock sees what committed
while it waited) and reported as a duplicate instead of failing on the unique key. A key recorded before is a
duplicate even if the claim would now be refused.

What makes it fast is how the rows reach the database: ids are taken before the insert (SQLite: ``max(id)``
under the write lock the transaction holds since BEGIN IMMEDIATE; PostgreSQL: ``nextval`` of the table's
sequence), so the rows need no RETURNING and go in as one ``COPY`` (PostgreSQL) or as multi-row INSERTs
(SQLite), pre-serialised as SQLAlchemy would store them (JSON text, UTC times); each quantification's
inputs and factors are serialised once per batch. docs/benchmarks.md has the figures.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache, wraps
from itertools import chain
from typing import Any

from sqlalchemy import bindparam, func, select, text
from sqlmodel import Session

from carbon_credit.activities import claims, crediting
from carbon_credit.activities.accounts import lock_accounts
from carbon_credit.activities.admission import Admission, admit_many
from carbon_credit.activities.audit_trail import factor_snapshot
from carbon_credit.activities.claims import ActivityInput, Claim
from carbon_credit.activities.models import Activity
from carbon_credit.activities.photo_consent import check_photo_consent
from carbon_credit.platform import clock
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import Settings
from quantification import Result

KEY_CHUNK = 500  # keys per IN (...) query
VALUES_ROWS = 250  # rows per multi-row INSERT on SQLite (24 columns: 6,000 parameters of the 32,766 allowed)
COLUMNS = (
    "id",
    "resident_id",
    "behaviour",
    "channel",
    "evidence",
    "request_digest",
    "status",
    "inputs",
    "methodology_id",
    "methodology_version",
    "factors",
    "formula",
    "grams",
    "points_quantified",
    "points",
    "note",
    "bonus_points",
    "photo",
    "details",
    "ledger_entry_id",
    "occurred_at",
    "local_day",
    "idempotency_key",
    "created_at",
)
_table = Activity.__table__
_key = _table.c.idempotency_key
_known = select(_key).where(_key.in_(bindparam("keys", expanding=True)))
_KNOWN_PG = text("SELECT idempotency_key FROM activities WHERE idempotency_key = ANY(:keys)")
_COPY = f"COPY activities ({', '.join(COLUMNS)}) FROM STDIN"
_NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('activities', 'id')) FROM generate_series(1, :n)")


@dataclass
class BulkResult:
    """What a bulk record did: ids created, keys already recorded, and row errors by position."""

    created: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[tuple[int, DomainError]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Keys:
    """How recording names a claim (recording.py): its idempotency key scoped to the resident, and the
    digest of what was asked, which a retry of the key through ``record_activity`` is compared with."""

    scoped: Callable[[ActivityInput], str]
    digest: Callable[[ActivityInput], str]


@dataclass(slots=True)
class _Batch:
    """The new, checked claims of a batch, in order: the items, their scoped keys and claim checks."""

    items: list[ActivityInput] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)


def _collector_paused(function: Callable) -> Callable:
    """The cyclic collector off during a batch (restored after): reference counting frees a batch's objects;
    collecting meanwhile only promotes them and sets off full collections (docs/benchmarks.md)."""

    @wraps(function)
    def paused(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@_collector_paused
def record_activities(
    *,
    session: Session,
    settings: Settings,
    items: Sequence[ActivityInput],
    keys: Keys,
    now: datetime | None = None,
) -> BulkResult:
    """Record and credit ``items`` (see the module docstring); keys recorded before are reported as
    duplicates, refused claims as errors by position. The caller owns the transaction."""
    outcome, now = BulkResult(), now or clock.now()
    scoped = [keys.scoped(item) for item in items]
    if not items:
        return outcome
    accounts = lock_accounts(session=session, resident_ids={item.resident_id for item in items})
    batch = _new_claims(session, settings, items, scoped, now, outcome)
    if not batch.items:
        return outcome
    districts = {r: a.district_id for r, a in accounts.items()}
    claimed = list(zip(batch.items, batch.claims, strict=True))
    decided = admit_many(session=session, settings=settings, claimed=claimed, districts=districts, now=now)
    facts = _facts(batch, decided, _allocate_ids(session, len(decided)))
    crediting.credit_batch(session, facts, {r: a.id for r, a in accounts.items()}, now)  # ledger_entry_id
    _insert(session, batch, decided, facts, keys, now)
    outcome.created.extend(f["id"] for f in facts)
    credited = [(f, a) for f, a in zip(facts, decided, strict=True) if a.status == "credited"]
    offers = [(a.campaign_id, a.bonus_points) for _, a in credited]
    activities = [f for f, _ in credited]
    crediting.after_credit(
        session=session, settings=settings, activities=activities, districts=districts, offers=offers
    )
    return outcome


def _new_claims(session, settings, items, scoped: list[str], now, outcome: BulkResult) -> _Batch:
    """The items not recorded before, checked (after the account locks: see the module docstring);
    duplicates and refused rows are noted in ``outcome``."""
    seen = _existing_keys(session, scoped)
    memo: dict[tuple, Result] = {}  # quantify is pure: identical inputs (same stop pairs) share a result
    batch = _Batch()
    for index, (item, key) in enumerate(zip(items, scoped, strict=True)):
        if key in seen:
            outcome.duplicates.append(index)
            continue
        try:
            if item.photo:
                check_photo_consent(session=session, item=item)
            batch.claims.append(claims.check(item, settings, now, memo))
        except DomainError as error:
            outcome.errors.append((index, error))
            continue
        seen.add(key)
        batch.items.append(item)
        batch.keys.append(key)
    return batch


def _facts(batch: _Batch, decided: list[Admission], ids: list[int]) -> list[dict[str, Any]]:
    """Each new activity as crediting reads it: ``credit_batch`` (one earn entry per account, keyed by the
    rows' keys; it sets ``ledger_entry_id``) and ``after_credit`` (campaign bonus, rollups)."""
    return [
        {
            "id": activity_id,
            "resident_id": item.resident_id,
            "behaviour": item.behaviour,
            "channel": item.channel,
            "evidence": a.evidence,
            "local_day": a.local_day,
            "occurred_at": a.occurred_at,
            "grams": a.result.grams,
            "points": a.points,
            "idempotency_key": key,
        }
        for activity_id, item, key, a in zip(ids, batch.items, batch.keys, decided, strict=True)
    ]


def _allocate_ids(session: Session, count: int) -> list[int]:
    """Ids for ``count`` new activities, taken before the insert so that no RETURNING is needed."""
    if session.get_bind().dialect.name == "postgresql":
        return list(session.execute(_NEXT_IDS, {"n": count}).scalars())
    last = session.execute(select(func.coalesce(func.max(_table.c.id), 0))).scalar_one()
    return list(range(last + 1, last + 1 + count))  # the write lock is held: nobody else inserts


def _insert(session: Session, batch: _Batch, decided, facts, keys: Keys, now: datetime) -> None:
    """The activity rows: one ``COPY`` on PostgreSQL; on SQLite, multi-row INSERTs of ``VALUES_ROWS`` rows
    (pysqlite runs one in about 60 % of the time ``executemany`` takes for the same rows)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        rows = _rows(batch, decided, facts, keys.digest, now, _same, _same)
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row(row)
        return
    rows = list(_rows(batch, decided, facts, keys.digest, now, _sqlite_moment, date.isoformat))
    for start in range(0, len(rows), VALUES_ROWS):
        part = rows[start : start + VALUES_ROWS]
        connection.exec_driver_sql(_values_insert(len(part)), tuple(chain.from_iterable(part)))


@lru_cache(maxsize=8)
def _values_insert(count: int) -> str:
    """INSERT INTO activities (COLUMNS) VALUES (?, ...), ... for ``count`` rows."""
    row = f"({', '.join('?' * len(COLUMNS))})"
    return f"INSERT INTO activities ({', '.join(COLUMNS)}) VALUES {', '.join([row] * count)}"


def _rows(batch: _Batch, decided, facts, digest, now, moment: Callable, day: Callable) -> Iterator:
    """The activity rows in COLUMNS order as the driver takes them: JSON as text, times and days as
    ``moment`` and ``day`` give them. A quantification's inputs and factors are serialised once (identical
    claims in a batch share one Result)."""
    texts: dict[int, tuple[str, str]] = {}
    days: dict[date, Any] = {}
    dumps, created = json.dumps, moment(now)
    for fact, item, a in zip(facts, batch.items, decided, strict=True):
        result = a.result
        serialised = texts.get(id(result))
        if serialised is None:
            serialised = texts[id(result)] = _result_json(result)
        on = days.get(a.local_day)
        if on is None:
            on = days[a.local_day] = day(a.local_day)
        details = {**(item.details or {}), **a.details} if a.details else item.details
        yield (
            fact["id"],
            item.resident_id,
            item.behaviour,
            item.channel,
            a.evidence,
            digest(item),
            a.status,
            serialised[0],
            result.methodology_id,
            result.methodology_version,
            serialised[1],
            result.formula,
            result.grams,
            a.points_quantified,
            a.points,
            a.note,
            0,
            item.photo,
            dumps(dict(details)) if details else "null",  # "null": as SQLAlchemy stores None
            fact["ledger_entry_id"],
            moment(a.occurred_at),
            on,
            fact["idempotency_key"],
            created,
        )


def _result_json(result: Result) -> tuple[str, str]:
    return json.dumps(result.inputs), json.dumps(factor_snapshot(result.factors))


def _sqlite_moment(moment: datetime) -> str:
    """As SQLAlchemy stores a UTC datetime in SQLite (``UTCDateTime``): ``2026-03-12 00:15:00.000000``."""
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def _same(value: Any) -> Any:
    return value


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    """The keys already recorded: one ``= ANY(array)`` query on PostgreSQL, IN lists of ``KEY_CHUNK`` on
    SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        return set(session.execute(_KNOWN_PG, {"keys": keys}).scalars())
    found: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        found.update(session.execute(_known, {"keys": keys[start : start + KEY_CHUNK]}).scalars())
    return found
