"""A resident's copy of their data (PIPL Art. 45, access and portability): every section found by
``export_tables``, read in chunks and written as it is read, so that a resident with 100,000 activities is
exported without holding them in memory (``benchmarks/privacy_export.py``).

Values are JSON-safe: times are ISO-8601 in Beijing time with their offset (``2026-12-06T23:15:00+08:00``;
a naive time is UTC, as SQLite returns it), dates ISO-8601, decimals strings; JSON columns stay JSON.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session

from carbon_credit import residents
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session
from carbon_credit.platform.i18n import MESSAGES, normalise_locale, translate
from carbon_credit.privacy.export_tables import Source, sources

FORMAT = "carbon-credit-personal-data/1"
CHUNK_ROWS = 500  # rows fetched per round trip and written per piece of the JSON stream
# Where an audit entry keeps the staff member's reason (a lock, an opening; a review's note).
REASON_KEYS = ("reason", "review_note", "decision_note")


@dataclass(frozen=True)
class ExportSection:
    """One section as it is written: its rows are read from the database while they are consumed (read
    the sections in order, each to its end)."""

    name: str
    label: str
    table: str
    columns: list[str]
    rows: Iterator[dict[str, Any]]


@dataclass(frozen=True)
class SectionCount:
    """What ``/account/data`` shows for a section: its name, words for it and how many rows it has."""

    name: str
    label: str
    about: str
    count: int


def section_label(name: str, locale: str | None = None) -> str:
    """The section's name in the language (the table's name for a table that has no words yet)."""
    code = f"privacy.section.{name}"
    return translate(code, locale) if code in MESSAGES else name


def section_about(name: str, locale: str | None = None) -> str:
    """One sentence saying what the section holds ("" for a table that has no words yet)."""
    code = f"privacy.about.{name}"
    return translate(code, locale) if code in MESSAGES else ""


def json_value(value: Any) -> Any:
    """A value as JSON can carry it: times with their offset, decimals as strings."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(clock.BEIJING).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _rows(session: Session, source: Source, resident_id: int) -> Iterator[dict[str, Any]]:
    columns = [source.table.c[name] for name in source.columns]
    query = select(*columns).where(source.match(resident_id)).order_by(*source.table.primary_key.columns)
    result = session.connection().execute(query.execution_options(yield_per=CHUNK_ROWS))
    try:
        for row in result.mappings():
            yield {key: json_value(value) for key, value in row.items()}
    finally:
        result.close()


def export_resident(
    *, session: Session, resident_id: int, locale: str | None = None
) -> Iterator[ExportSection]:
    """Everything the platform holds about the resident, section by section, rows streamed from the
    database; secrets (password and token hashes, session version, live link codes) are never read."""
    for source in sources():
        rows = _rows(session, source, resident_id)
        yield ExportSection(
            source.name, section_label(source.name, locale), source.table.name, source.columns, rows
        )


def data_summary(*, session: Session, resident_id: int, locale: str | None = None) -> list[SectionCount]:
    """Each section with the number of the resident's rows in it, in reading order."""
    found = []
    for source in sources():
        count = session.execute(
            select(func.count()).select_from(source.table).where(source.match(resident_id))
        )
        name = source.name
        found.append(
            SectionCount(name, section_label(name, locale), section_about(name, locale), count.scalar_one())
        )
    return found


class StaffAccess(TypedDict):
    """One staff action on the resident's account or records, as /account/data shows it: when, the staff
    member's display name (never a contact), what they did in the resident's words, the reason when the
    action has one; then the audit entry's own fields, for the technical details."""

    created_at: datetime
    staff_name: str
    what: str
    reason: str | None
    action: str
    actor_id: int | None
    target_type: str
    target_id: int | None


def staff_access(
    *, session: Session, resident_id: int, limit: int = 20, locale: str | None = None
) -> list[StaffAccess]:
    """The latest staff actions on the resident's account or one of their rows, newest first: who (their
    display name; "the platform" for an automatic one), what in plain words, why. The resident's own
    actions (a profile correction) are in their export, not here. Words in ``locale``, else the resident's
    language."""
    source = next(s for s in sources() if s.name == "staff_access")
    table = source.table
    staff = residents.Resident.__table__.alias("staff")
    query = (
        select(
            *(table.c.created_at, table.c.actor_id, table.c.action, table.c.target_type, table.c.target_id),
            table.c.after,
            staff.c.display_name,
        )
        .outerjoin(staff, staff.c.id == table.c.actor_id)
        .where(source.match(resident_id), or_(table.c.actor_id.is_(None), table.c.actor_id != resident_id))
        .order_by(table.c.created_at.desc(), table.c.id.desc())
        .limit(limit)
    )
    locale = locale or residents.get(session=session, resident_id=resident_id).locale
    return [_staff_entry(row, locale) for row in session.execute(query).mappings()]


def _staff_entry(row: Any, locale: str) -> StaffAccess:
    """One audit row in the resident's words."""
    after = row["after"] if isinstance(row["after"], dict) else {}
    reason = next((after[k] for k in REASON_KEYS if isinstance(after.get(k), str) and after[k]), None)
    name = row["display_name"] if row["actor_id"] is not None else None
    return StaffAccess(
        created_at=row["created_at"],
        staff_name=name or translate("staff_access.platform", locale),
        what=translate(_what_code(row["action"], row["target_type"]), locale),
        reason=reason,
        action=row["action"],
        actor_id=row["actor_id"],
        target_type=row["target_type"],
        target_id=row["target_id"],
    )


def _what_code(action: str, target_type: str) -> str:
    for code in (f"staff_access.{action}", f"staff_access.target.{target_type}"):
        if code in MESSAGES:
            return code
    return "staff_access.other"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=json_value, separators=(",", ":"))


def export_json(*, session: Session, resident_id: int, locale: str | None = None) -> Iterator[str]:
    """The export as one JSON document, in pieces of at most :data:`CHUNK_ROWS` rows (join them, or send
    them as they come): ``{"format", "resident_id", "generated_at", "sections": {name: {"label", "table",
    "columns", "rows", "count"}}}``."""
    head = {"format": FORMAT, "resident_id": resident_id, "generated_at": json_value(clock.now())}
    yield _dumps(head)[:-1] + ',"sections":{'
    for index, section in enumerate(export_resident(session=session, resident_id=resident_id, locale=locale)):
        about = {"label": section.label, "table": section.table, "columns": section.columns}
        yield ("," if index else "") + _dumps(section.name) + ":" + _dumps(about)[:-1] + ',"rows":['
        count = 0
        piece: list[str] = []
        for row in section.rows:
            piece.append(_dumps(row))
            count += 1
            if len(piece) == CHUNK_ROWS:
                yield ("," if count > CHUNK_ROWS else "") + ",".join(piece)
                piece = []
        if piece:
            yield ("," if count > len(piece) else "") + ",".join(piece)
        yield f'],"count":{count}}}'
    yield "}}"


def json_stream(*, engine: Engine, resident_id: int, locale: str | None = None) -> Iterator[bytes]:
    """:func:`export_json` as UTF-8 bytes in its own read session, for a response that is still being sent
    after the view has returned."""
    with read_session(engine) as session:
        for piece in export_json(session=session, resident_id=resident_id, locale=normalise_locale(locale)):
            yield piece.encode("utf-8")


def export_name(resident_id: int, extension: str) -> str:
    """The download's file name: ``my-data-<id>-<Beijing date>.<extension>``."""
    return f"my-data-{resident_id}-{clock.local_day(clock.now()).isoformat()}.{extension}"
