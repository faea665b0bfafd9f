"""Where a resident's data lives, found from the tables themselves rather than listed by hand, so that a new
table with a column referring to ``residents.id`` is in every export from the day it is added.

- ``profile``: the resident's own row, without its secrets.
- Every table with a foreign key to ``residents.id``: the rows whose ``resident_id`` is the resident (a
  table without that column: the rows where any of its resident columns is, e.g. a merchant's rewards, an
  administrator's export jobs). Columns naming the staff member who acted on a resident's row
  (``reviewed_by``, ``decided_by``, ``used_by``) do not make the row that staff member's.
- Tables one foreign key away from such a table (ledger entries through the points account).
- ``staff_access``: the audit entries whose target is the resident or one of the resident's rows (who
  viewed or changed the account); ``audit_entries`` (the resident's own audited actions) leaves out the
  before and after images, which describe other people.
- Links without a foreign key (:data:`UNLINKED`): idempotency records (``owner_id`` is the resident, or
  the resident's chat session for chat turns) and the operator's card trips of the resident's card since
  its ownership was proved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Table, and_, func, or_, select
from sqlmodel import SQLModel

# Imported so that their tables are in SQLModel.metadata (features above this layer have no resident data).
from carbon_credit import (  # noqa: F401
    activities,
    campaigns,
    chat,
    exports,
    ledger,
    notifications,
    residents,
    review,
    rewards,
    stats,
    stops,
    transit,
)
from carbon_credit.platform import models as platform_models  # noqa: F401

RESIDENTS = "residents"
AUDIT = "audit_entries"
OWNER_COLUMN = "resident_id"
# Never exported, in any table: credentials and what would let someone else act as the resident.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "session_version"})
SECRET_BY_TABLE = {"link_codes": frozenset({"code"})}  # a live one-time code links a chat to the account
ACTOR_OMITS = frozenset({"before", "after"})

Match = Callable[[int], ColumnElement[bool]]


@dataclass(frozen=True)
class Source:
    """One section of the export: the table, which rows are the resident's, which columns are left out."""

    name: str
    table: Table
    match: Match
    omit: frozenset[str] = frozenset()

    @property
    def columns(self) -> list[str]:
        return [c.name for c in self.table.columns if c.name not in self.omit]


def _secrets(table: Table) -> frozenset[str]:
    names = {c.name for c in table.columns}
    hashed = {name for name in names if name.endswith("_hash")}
    return frozenset((names & SECRET_COLUMNS) | hashed | SECRET_BY_TABLE.get(table.name, frozenset()))


def resident_columns(table: Table) -> list[str]:
    """The columns of ``table`` holding a foreign key to ``residents.id``."""
    return [c.name for c in table.columns for fk in c.foreign_keys if fk.target_fullname == "residents.id"]


def owner_columns(table: Table) -> list[str]:
    """The columns that make a row the resident's: ``resident_id`` when the table has it, else every
    resident column (``created_by``, ``merchant_id``, ``actor_id``)."""
    columns = resident_columns(table)
    return [OWNER_COLUMN] if OWNER_COLUMN in columns else columns


def _owned(table: Table) -> Match:
    columns = owner_columns(table)
    return lambda rid: or_(*(table.c[name] == rid for name in columns))


def _through(table: Table, column: str, parent: Table, parent_match: Match) -> Match:
    key = next(iter(parent.primary_key.columns))
    return lambda rid: table.c[column].in_(select(key).where(parent_match(rid)))


def _singular(name: str) -> str:
    return name[:-3] + "y" if name.endswith("ies") else name.removesuffix("s")


def _staff_access(audit: Table, owned: dict[str, Match], tables: dict[str, Table]) -> Match:
    """Audit entries about the resident: target ``resident`` with their id, or one of their rows."""

    def match(rid: int) -> ColumnElement[bool]:
        about_rows = [
            and_(
                audit.c.target_type == _singular(name),
                audit.c.target_id.in_(select(tables[name].c.id).where(m(rid))),
            )
            for name, m in owned.items()
            if "id" in tables[name].c and name != AUDIT
        ]
        return or_(and_(audit.c.target_type == "resident", audit.c.target_id == rid), *about_rows)

    return match


def _idempotency(tables: dict[str, Table]) -> Match:
    records, chats = tables["idempotency_records"], tables.get("chat_sessions")

    def match(rid: int) -> ColumnElement[bool]:
        chat_turn = records.c.scope.like("chat-%")
        mine = and_(~chat_turn, records.c.owner_id == rid)
        if chats is None:
            return mine
        sessions = select(chats.c.id).where(chats.c.resident_id == rid)
        return or_(mine, and_(chat_turn, records.c.owner_id.in_(sessions)))

    return match


def _card_trips(tables: dict[str, Table]) -> Match:
    trips, people = tables["card_trips"], tables[RESIDENTS]

    def match(rid: int) -> ColumnElement[bool]:
        card = select(people.c.transit_card).where(people.c.id == rid).scalar_subquery()
        since = select(people.c.transit_card_since).where(people.c.id == rid).scalar_subquery()
        return and_(trips.c.card == card, trips.c.boarded_at >= func.coalesce(since, trips.c.boarded_at))

    return match


# Tables holding a resident's data without a foreign key to them: table -> how to find the rows.
UNLINKED: dict[str, Callable[[dict[str, Table]], Match]] = {
    "idempotency_records": _idempotency,
    "card_trips": _card_trips,
}
# The order residents read; any other table follows in alphabetical order.
ORDER = (
    "profile",
    "consent_records",
    "consents",
    "activities",
    "accounts",
    "ledger_entries",
    "vouchers",
    "card_claims",
    "card_trips",
    "chat_sessions",
    "link_codes",
    "tap_ins",
    "transit_rejections",
    "api_tokens",
    "notifications",
    "account_flags",
    "staff_access",
    "audit_entries",
)


def sources() -> list[Source]:
    """Every section of a resident's export, from the tables in ``SQLModel.metadata``."""
    tables = dict(SQLModel.metadata.tables)
    people = tables[RESIDENTS]
    found = [Source("profile", people, lambda rid: people.c.id == rid, _secrets(people))]
    owned = {name: _owned(t) for name, t in tables.items() if name != RESIDENTS and resident_columns(t)}
    for name, match in owned.items():
        omit = _secrets(tables[name]) | (ACTOR_OMITS if name == AUDIT else frozenset())
        found.append(Source(name, tables[name], match, omit))
    for name, table in tables.items():
        if name in owned or name == RESIDENTS:
            continue
        if name in UNLINKED:
            found.append(Source(name, table, UNLINKED[name](tables), _secrets(table)))
            continue
        for column in table.columns:
            parents = [fk.column.table.name for fk in column.foreign_keys if fk.column.table.name in owned]
            if parents:
                match = _through(table, column.name, tables[parents[0]], owned[parents[0]])
                found.append(Source(name, table, match, _secrets(table)))
                break
    if AUDIT in tables:
        found.append(Source("staff_access", tables[AUDIT], _staff_access(tables[AUDIT], owned, tables)))
    return sorted(found, key=_reading_order)


def _reading_order(source: Source) -> tuple[int, str]:
    return (ORDER.index(source.name) if source.name in ORDER else len(ORDER), source.name)
