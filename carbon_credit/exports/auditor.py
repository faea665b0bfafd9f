"""The auditor export: every activity (by Beijing day) and every ledger entry (by posting time) of a date
range, with its methodology and factors, streamed from the database in chunks into a write-only workbook
(memory stays flat however many rows), and the methodologies and factors sheet.

Residents appear by their pseudonymous id and district only (PIPL: the least personal information the
audit needs): never a name, mobile number or e-mail address."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Text, cast, func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.exports.sheets import Progress, district_names, methodology_sheet, safe, sheet, wall_time
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
    wb = Workbook(write_only=True)
    labels = _Labels(session, locale)
    ws = sheet(
        wb,
        labels("xlsx.sheet.activities"),
        [labels(c) for c in ACTIVITY_HEADERS],
        (10, 10, 10, 10, 8, 8, 8, 19, 11),
    )
    _write_chunks(ws, _activity_rows(session, day_from, day_to, labels), tick)
    ws = sheet(
        wb,
        labels("xlsx.sheet.ledger"),
        [labels(c) for c in LEDGER_HEADERS],
        (10, 10, 8, 10, 12, 14, 10, 24, 19),
    )
    _write_chunks(ws, _ledger_rows(session, *day_bounds(day_from, day_to), labels), tick)
    methodology_sheet(wb, locale)
    wb.save(str(path))
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


def _write_chunks(ws, rows: Iterable[tuple], tick: Callable[[int], None]) -> None:
    pending = 0
    for row in rows:
        ws.append([safe(ws, v) for v in row])
        pending += 1
        if pending == CHUNK_ROWS:
            tick(pending)
            pending = 0
    if pending:
        tick(pending)


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


def _activity_rows(session: Session, day_from: date, day_to: date, labels: _Labels) -> Iterator[tuple]:
    """One row per activity of the range, in id order, streamed in chunks."""
    factors_text: dict[str, str] = {}
    for r in session.execute(_activity_query(day_from, day_to)):
        text = factors_text.get(r.factors_json)
        if text is None:
            text = factors_text[r.factors_json] = _factors_text(json.loads(r.factors_json))
        yield (
            *(r.id, r.resident_id, labels.district(r.district_id)),
            labels(f"behaviour.{r.behaviour}"),
            labels(f"stats.channel.{r.channel}"),
            labels(f"evidence.{r.evidence}"),
            labels(f"stats.status.{r.status}"),
            *(wall_time(r.occurred_at), r.local_day, r.grams, r.points, r.bonus_points, r.campaign_id),
            *(r.methodology_id, r.methodology_version, text, r.inputs_json, r.note, r.ledger_entry_id),
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
    for r in session.execute(query):
        yield (
            r.id,
            r.resident_id,
            labels(f"stats.ledger.{r.kind}"),
            r.points,
            r.balance_after,
            r.ref_type,
            r.ref_id,
            r.memo,
            wall_time(r.created_at),
        )
