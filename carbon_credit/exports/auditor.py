"""The auditor export: every activity (by Beijing day) and every ledger entry (by posting time) of a date
range, with its methodology and factors, streamed from the database in chunks into an XlsxWriter workbook in
constant-memory mode (each row goes to a temporary file as it is written: memory stays flat however many
rows), and the methodologies and factors sheet. Strings are always text cells, never formulas
(``sheets.streaming_book``).

Residents appear by their pseudonymous id and district only (PIPL: the least personal information the
audit needs): never a name, mobile number or e-mail address."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, cast, func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.exports.sheets import (
    Progress,
    district_names,
    streaming_book,
    streaming_methodology_sheet,
    streaming_sheet,
    text,
    wall_time,
)
from carbon_credit.ledger import Account, LedgerEntry
from carbon_credit.platform.i18n import normalise_locale, translate
from carbon_credit.residents import Resident
from carbon_credit.stats import day_bounds

CHUNK_ROWS = 2_000  # rows fetched per database round trip, and between progress reports
ACTIVITY_HEADERS = (
    "xlsx.activity_id",
    "xlsx.resident_id",
    "xlsx.district",
    "xlsx.behaviour",
    "xlsx.channel",
    "xlsx.evidence",
    "xlsx.status",
    "xlsx.occurred_at",
    "xlsx.day",
    "xlsx.grams",
    "xlsx.points",
    "xlsx.bonus_points",
    "xlsx.campaign_id",
    "xlsx.methodology_id",
    "xlsx.methodology_version",
    "xlsx.factors",
    "xlsx.inputs",
    "xlsx.note",
    "xlsx.ledger_entry_id",
)
LEDGER_HEADERS = (
    "xlsx.ledger_entry_id",
    "xlsx.resident_id",
    "xlsx.kind",
    "xlsx.points",
    "xlsx.balance_after",
    "xlsx.ref",
    "xlsx.ref_id",
    "xlsx.memo",
    "xlsx.created_at",
)


def auditor_rows(*, session: Session, day_from: date, day_to: date) -> int:
    """How many activity and ledger rows the auditor export of the range will write."""
    start, end = day_bounds(day_from, day_to)
    activities = session.execute(
        select(func.count(Activity.id)).where(Activity.local_day >= day_from, Activity.local_day <= day_to)
    ).scalar_one()
    entries = session.execute(
        select(func.count(LedgerEntry.id)).where(
            LedgerEntry.created_at >= start, LedgerEntry.created_at < end
        )
    ).scalar_one()
    return int(activities) + int(entries)


def auditor_export(
    *,
    session: Session,
    day_from: date,
    day_to: date,
    path: str | Path,
    locale: str = "zh_Hans",
    progress: Progress | None = None,
) -> int:
    """Stream every activity (by local day) and ledger entry (by posting time) of the range into ``path``,
    with the methodologies and factors sheet; returns the number of activity and ledger rows written."""
    locale = normalise_locale(locale)
    tick = _Ticker(auditor_rows(session=session, day_from=day_from, day_to=day_to), progress)
    labels = _Labels(session, locale)
    book = streaming_book(path)
    headers = [labels(c) for c in ACTIVITY_HEADERS]
    ws = streaming_sheet(book, labels("xlsx.sheet.activities"), headers, (10, 10, 10, 10, 8, 8, 8, 19, 11))
    _write_rows(ws, _activity_rows(session, day_from, day_to, labels), tick)
    headers = [labels(c) for c in LEDGER_HEADERS]
    ws = streaming_sheet(book, labels("xlsx.sheet.ledger"), headers, (10, 10, 8, 10, 12, 14, 10, 24, 19))
    _write_rows(ws, _ledger_rows(session, *day_bounds(day_from, day_to), labels), tick)
    streaming_methodology_sheet(book, locale)
    book.close()
    if progress:
        progress(tick.done, tick.done)
    return tick.done


class _Ticker:
    """Counts the rows written and reports them to ``progress`` (expected: at least the rows written)."""

    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.progress, self.done = total, progress, 0

    def __call__(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress(self.done, max(self.total, self.done))


def _write_rows(ws, rows: Iterable[tuple], tick: Callable[[int], None]) -> None:
    """Rows from row 1 on (under the headers), counted to ``tick`` every ``CHUNK_ROWS``."""
    number = 0
    for number, row in enumerate(rows, 1):
        ws.write_row(number, 0, row)
        if number % CHUNK_ROWS == 0:
            tick(CHUNK_ROWS)
    if number % CHUNK_ROWS:
        tick(number % CHUNK_ROWS)


class _Labels:
    """Translated labels looked up once per value, not once per row."""

    def __init__(self, session: Session, locale: str) -> None:
        self.locale = locale
        self.district = district_names(session, locale)
        self._cache: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        found = self._cache.get(code)
        if found is None:
            found = self._cache[code] = translate(code, self.locale)
        return found

    def of(self, prefix: str) -> _Translated:
        """The labels of one column's codes: ``labels.of("behaviour.")["transit"]``."""
        return _Translated(prefix, self.locale)


class _Translated(dict):
    """Code -> label of one prefix, each translated on first use."""

    def __init__(self, prefix: str, locale: str) -> None:
        super().__init__()
        self.prefix, self.locale = prefix, locale

    def __missing__(self, code: str) -> str:
        label = self[code] = translate(f"{self.prefix}{code}", self.locale)
        return label


def _activity_rows(session: Session, day_from: date, day_to: date, labels: _Labels) -> Iterator[tuple]:
    """One row per activity of the range, in id order, streamed in chunks."""
    factors_text: dict[str, str] = {}
    district = labels.district
    behaviours, channels = labels.of("behaviour."), labels.of("stats.channel.")
    levels, statuses = labels.of("evidence."), labels.of("stats.status.")
    for row in session.execute(_activity_query(day_from, day_to)):
        (activity_id, resident_id, district_id, behaviour, channel, evidence, status, occurred_at) = row[:8]
        factors = factors_text.get(row.factors_json)
        if factors is None:
            factors = factors_text[row.factors_json] = _factors_text(json.loads(row.factors_json))
        yield (
            *(activity_id, resident_id, district(district_id), behaviours[behaviour], channels[channel]),
            *(levels[evidence], statuses[status], wall_time(occurred_at), *row[8:15], factors),
            *(row.inputs_json, text(row.note), row.ledger_entry_id),
        )


def _activity_query(day_from: date, day_to: date):
    a = Activity.__table__.c
    plain = ("occurred_at", "local_day", "grams", "points", "bonus_points", "campaign_id", "methodology_id")
    return (
        select(
            *(a.id, a.resident_id, Resident.district_id),
            *(
                a.behaviour,
                a.channel,
                a.evidence,
                a.status,
                *(a[name] for name in plain),
                a.methodology_version,
            ),
            cast(a.factors, Text).label("factors_json"),  # the stored text: decoded once per distinct value
            cast(a.inputs, Text).label("inputs_json"),
            *(a.note, a.ledger_entry_id),
        )
        .join(Resident, Resident.id == a.resident_id)
        .where(a.local_day >= day_from, a.local_day <= day_to)
        .order_by(a.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )


def _factors_text(factors: list[dict[str, Any]]) -> str:
    """``key = value unit [status]; ...`` (each factor's source is on the methodologies sheet)."""
    return "; ".join(f"{f['key']} = {f['value']} {f['unit']} [{f['status']}]" for f in factors or [])


def _ledger_rows(session: Session, start: datetime, end: datetime, labels: _Labels) -> Iterator[tuple]:
    e = LedgerEntry.__table__.c
    query = (
        select(
            e.id,
            Account.resident_id,
            e.kind,
            e.points,
            e.balance_after,
            e.ref_type,
            e.ref_id,
            e.memo,
            e.created_at,
        )
        .join(Account, Account.id == e.account_id)
        .where(e.created_at >= start, e.created_at < end)
        .order_by(e.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    kinds = labels.of("stats.ledger.")
    for entry_id, resident_id, kind, points, balance, ref_type, ref_id, memo, created_at in session.execute(
        query
    ):
        yield (
            entry_id,
            resident_id,
            kinds[kind],
            points,
            balance,
            ref_type,
            ref_id,
            text(memo),
            wall_time(created_at),
        )
