"""Excel exports (openpyxl, write-only mode, so memory stays flat however many rows are written).

* :func:`campaign_report` — one campaign: totals, by district, by behaviour, by day (from the daily rollups),
  and every methodology and factor with its published source.
* :func:`auditor_export` — every activity and every ledger entry of a date range with its methodology and
  factors, streamed from the database in chunks.

Numbers are written as numbers, with their unit in the column header ("减排量 (kg CO2e)"); sheet and column
names are Chinese by default, English for ``locale="en"``. No text is ever written as a formula: a string that
Excel could read as one (``=``, ``+``, ``-``, ``@``, or an error code like ``#N/A``) is forced to a text cell.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from sqlalchemy import Text, cast, func, select
from sqlmodel import Session

from carbon_credit.activities.models import Activity, DailyRollup
from carbon_credit.campaigns.models import Campaign
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.i18n import normalise_locale, translate
from carbon_credit.platform.settings import Settings
from carbon_credit.residents.models import District, Resident
from quantification import list_methodologies

Progress = Callable[[int, int], None]  # (rows written, rows expected)
CHUNK_ROWS = 2_000  # rows fetched per database round trip, and between progress reports
FORMULA_PREFIXES = ("=", "+", "-", "@")
KG_FORMAT = "#,##0.000"
_R = DailyRollup.__table__.c
_BOLD = Font(bold=True)


def safe(ws, value: Any) -> Any:
    """The value to append: strings lose characters Excel refuses, and a string that could be read as a
    formula or an error code becomes an explicit text cell (``data_type = "s"``); other values unchanged."""
    if type(value) is not str:
        return value
    if ILLEGAL_CHARACTERS_RE.search(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_PREFIXES) or value in ERROR_CODES:
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _sheet(wb: Workbook, title: str, headers: Sequence[str], widths: Sequence[int] = ()):
    """A write-only sheet with bold headers and column widths."""
    ws = wb.create_sheet(title[:31])
    for index, width in enumerate(widths):
        ws.column_dimensions[_column_letter(index)].width = width
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"
        cell.font = _BOLD
        header_cells.append(cell)
    ws.append(header_cells)
    return ws


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _kg(ws, grams: int) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=Decimal(grams) / 1000)
    cell.number_format = KG_FORMAT
    return cell


def _local(moment: datetime | None, zone: ZoneInfo) -> datetime | None:
    """Excel has no time zones: local wall time without tzinfo."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(zone).replace(tzinfo=None)


# Methodologies and factors, shared by both workbooks.

METHODOLOGY_HEADERS = (
    "xlsx.methodology_id",
    "xlsx.methodology_version",
    "xlsx.title_zh",
    "xlsx.title_en",
    "xlsx.methodology_source",
    "xlsx.factor",
    "xlsx.factor_value",
    "xlsx.unit",
    "xlsx.status",
    "xlsx.factor_source",
    "xlsx.source_url",
)


def methodology_rows() -> Iterator[tuple]:
    """One row per factor of every shipped methodology version (a methodology without factors: one row)."""
    for m in list_methodologies():
        head = (m.id, m.version, m.title_zh, m.title_en, m.source.cite())
        if not m.factors:
            yield (*head, None, None, None, m.status, None, m.source.url)
        for factor in m.factors.values():
            source = factor.source
            yield (*head, factor.key, factor.value, factor.unit, factor.status, source.cite(), source.url)


def _methodology_sheet(wb: Workbook, locale: str) -> int:
    headers = [translate(code, locale) for code in METHODOLOGY_HEADERS]
    ws = _sheet(
        wb, translate("xlsx.sheet.methodologies", locale), headers, (18, 10, 24, 24, 40, 22) + (12,) * 3
    )
    count = 0
    for row in methodology_rows():
        ws.append([safe(ws, v) for v in row])
        count += 1
    return count


# Campaign report.

SUM_HEADERS = ("xlsx.activities", "xlsx.kg", "xlsx.points", "xlsx.bonus_points")


def campaign_report(
    *,
    session: Session,
    settings: Settings,
    campaign_id: int,
    path: str | Path,
    locale: str = "zh_Hans",
    progress: Progress | None = None,
) -> int:
    """Write the campaign's workbook to ``path``; returns the number of data rows written."""
    locale = normalise_locale(locale)
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("campaign_not_found_for_export", what="campaign", campaign_id=campaign_id)
    where = _R.campaign_id == campaign_id
    total = _rollup_sums(session, [where])
    by_district = _rollup_by(session, _R.district_id, where)
    by_behaviour = _rollup_by(session, _R.behaviour, where)
    by_day = _rollup_by(session, _R.local_day, where, order=_R.local_day)
    participants = session.execute(
        select(func.count(Activity.resident_id.distinct())).where(
            Activity.campaign_id == campaign_id, Activity.status == "credited"
        )
    ).scalar_one()
    wb = Workbook(write_only=True)
    zone = ZoneInfo(settings.timezone)
    rows = _totals_sheet(wb, locale, campaign, total, int(participants), zone)
    names = _district_names(session, locale)
    rows += _breakdown(wb, locale, "xlsx.sheet.by_district", "xlsx.district", by_district, names)
    behaviour_label = lambda key: translate(f"behaviour.{key}", locale)  # noqa: E731
    rows += _breakdown(wb, locale, "xlsx.sheet.by_behaviour", "xlsx.behaviour", by_behaviour, behaviour_label)
    rows += _breakdown(wb, locale, "xlsx.sheet.by_day", "xlsx.day", by_day, lambda day: day)
    rows += _methodology_sheet(wb, locale)
    wb.save(str(path))
    if progress:
        progress(rows, rows)
    return rows


def campaign_report_rows(*, session: Session, campaign_id: int) -> int:
    """About how many rows the campaign report holds (for a progress bar)."""
    days = session.execute(
        select(func.count(_R.local_day.distinct())).where(_R.campaign_id == campaign_id)
    ).scalar_one()
    return int(days) + 20 + sum(max(1, len(m.factors)) for m in list_methodologies())


def _rollup_sums(session: Session, where: list) -> tuple[int, int, int, int]:
    sums = (func.sum(_R.activities), func.sum(_R.grams), func.sum(_R.points), func.sum(_R.bonus_points))
    row = session.execute(select(*sums).where(*where)).one()
    return tuple(int(v or 0) for v in row)


def _rollup_by(session: Session, column, where, order=None) -> list[tuple]:
    query = (
        select(
            column,
            func.sum(_R.activities),
            func.sum(_R.grams),
            func.sum(_R.points),
            func.sum(_R.bonus_points),
        )
        .where(where)
        .group_by(column)
        .order_by(order if order is not None else func.sum(_R.grams).desc(), column)
    )
    return [(key, *(int(v or 0) for v in sums)) for key, *sums in session.execute(query)]


def _district_names(session: Session, locale: str) -> Callable[[int], str]:
    query = select(District.id, District.name_zh, District.name_en)
    names = {i: (en if locale == "en" else zh) for i, zh, en in session.execute(query)}
    none = translate("xlsx.none", locale)
    return lambda key: names.get(key, none) if key else none


def _totals_sheet(wb, locale: str, campaign: Campaign, total: tuple, participants: int, zone) -> int:
    t = lambda code: translate(code, locale)  # noqa: E731
    ws = _sheet(wb, t("xlsx.sheet.totals"), [t("xlsx.item"), t("xlsx.value")], (28, 36))
    name = campaign.name_en if locale == "en" else campaign.name_zh
    activities, grams, points, bonus = total
    rows = [
        (t("xlsx.campaign_id"), campaign.id),
        (t("xlsx.campaign_name"), safe(ws, name)),
        (t("xlsx.starts_at"), _local(campaign.starts_at, zone)),
        (t("xlsx.ends_at"), _local(campaign.ends_at, zone)),
        (t("xlsx.budget"), campaign.budget_points),
        (t("xlsx.spent"), campaign.spent_points),
        (t("xlsx.activities"), activities),
        (t("xlsx.kg"), _kg(ws, grams)),
        (t("xlsx.points"), points),
        (t("xlsx.bonus_points"), bonus),
        (t("xlsx.participants"), participants),
    ]
    for row in rows:
        ws.append(list(row))
    return len(rows)


def _breakdown(wb, locale: str, title: str, first: str, rows: list[tuple], label) -> int:
    headers = [translate(first, locale)] + [translate(code, locale) for code in SUM_HEADERS]
    ws = _sheet(wb, translate(title, locale), headers, (20, 18, 20, 16, 20))
    for key, activities, grams, points, bonus in rows:
        ws.append([safe(ws, label(key)), activities, _kg(ws, grams), points, bonus])
    return len(rows)


# Auditor export.

ACTIVITY_HEADERS = (
    "xlsx.activity_id",
    "xlsx.resident_id",
    "xlsx.display_name",
    "xlsx.district",
    "xlsx.behaviour",
    "xlsx.channel",
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
    "xlsx.display_name",
    "xlsx.kind",
    "xlsx.points",
    "xlsx.balance_after",
    "xlsx.ref",
    "xlsx.ref_id",
    "xlsx.memo",
    "xlsx.created_at",
)


def auditor_bounds(settings: Settings, day_from: date, day_to: date) -> tuple[datetime, datetime]:
    """The UTC instants of [day_from 00:00, day_to + 1 00:00) in the platform's time zone."""
    zone = ZoneInfo(settings.timezone)
    return datetime.combine(day_from, time(), zone), datetime.combine(
        day_to + timedelta(days=1), time(), zone
    )


def auditor_rows(*, session: Session, settings: Settings, day_from: date, day_to: date) -> int:
    """How many activity and ledger rows the auditor export of the range will write."""
    start, end = auditor_bounds(settings, day_from, day_to)
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
    settings: Settings,
    day_from: date,
    day_to: date,
    path: str | Path,
    locale: str = "zh_Hans",
    progress: Progress | None = None,
) -> int:
    """Stream every activity (by local day) and ledger entry (by posting time) of the range into ``path``,
    with the methodologies and factors sheet; returns the number of activity and ledger rows written."""
    locale = normalise_locale(locale)
    total = auditor_rows(session=session, settings=settings, day_from=day_from, day_to=day_to)
    zone = ZoneInfo(settings.timezone)
    wb = Workbook(write_only=True)
    labels = _Labels(session, locale)
    done = 0

    def tick(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, max(total, done))

    headers = [translate(code, locale) for code in ACTIVITY_HEADERS]
    ws = _sheet(wb, translate("xlsx.sheet.activities", locale), headers, (10, 10, 16, 10, 10, 8, 8, 19, 11))
    _write_chunks(ws, _activity_rows(session, day_from, day_to, zone, labels), tick)
    headers = [translate(code, locale) for code in LEDGER_HEADERS]
    ws = _sheet(wb, translate("xlsx.sheet.ledger", locale), headers, (10, 10, 16, 8, 10, 12, 14, 10, 24, 19))
    start, end = auditor_bounds(settings, day_from, day_to)
    _write_chunks(ws, _ledger_rows(session, start, end, zone, labels), tick)
    _methodology_sheet(wb, locale)
    wb.save(str(path))
    if progress:
        progress(done, done)
    return done


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
        self.district = _district_names(session, locale)
        self._cache: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        found = self._cache.get(code)
        if found is None:
            found = self._cache[code] = translate(code, self.locale)
        return found


def _activity_rows(session: Session, day_from: date, day_to: date, zone, labels: _Labels) -> Iterator[tuple]:
    a = Activity.__table__.c
    query = (
        select(
            a.id,
            a.resident_id,
            Resident.display_name,
            Resident.district_id,
            a.behaviour,
            a.channel,
            a.status,
            a.occurred_at,
            a.local_day,
            a.grams,
            a.points,
            a.bonus_points,
            a.campaign_id,
            a.methodology_id,
            a.methodology_version,
            cast(a.factors, Text).label("factors_json"),  # the stored text: decoded once per distinct value
            cast(a.inputs, Text).label("inputs_json"),
            a.note,
            a.ledger_entry_id,
        )
        .join(Resident, Resident.id == a.resident_id)
        .where(a.local_day >= day_from, a.local_day <= day_to)
        .order_by(a.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    factors_text: dict[str, str] = {}
    for r in session.execute(query):
        text = factors_text.get(r.factors_json)
        if text is None:
            text = factors_text[r.factors_json] = _factors_text(json.loads(r.factors_json))
        yield (
            r.id,
            r.resident_id,
            r.display_name,
            labels.district(r.district_id),
            labels(f"behaviour.{r.behaviour}"),
            labels(f"stats.channel.{r.channel}"),
            labels(f"stats.status.{r.status}"),
            _local(r.occurred_at, zone),
            r.local_day,
            r.grams,
            r.points,
            r.bonus_points,
            r.campaign_id,
            r.methodology_id,
            r.methodology_version,
            text,
            r.inputs_json,
            r.note,
            r.ledger_entry_id,
        )


def _factors_text(factors: list[dict[str, Any]]) -> str:
    """``key = value unit [status]; ...`` (each factor's source is on the methodologies sheet)."""
    return "; ".join(f"{f['key']} = {f['value']} {f['unit']} [{f['status']}]" for f in factors or [])


def _ledger_rows(session: Session, start: datetime, end: datetime, zone, labels: _Labels) -> Iterator[tuple]:
    e = LedgerEntry.__table__.c
    query = (
        select(
            e.id,
            Account.resident_id,
            Resident.display_name,
            e.kind,
            e.points,
            e.balance_after,
            e.ref_type,
            e.ref_id,
            e.memo,
            e.created_at,
        )
        .join(Account, Account.id == e.account_id)
        .outerjoin(Resident, Resident.id == Account.resident_id)
        .where(e.created_at >= start, e.created_at < end)
        .order_by(e.id)
        .execution_options(yield_per=CHUNK_ROWS)
    )
    for r in session.execute(query):
        yield (
            r.id,
            r.resident_id,
            r.display_name,
            labels(f"stats.ledger.{r.kind}"),
            r.points,
            r.balance_after,
            r.ref_type,
            r.ref_id,
            r.memo,
            _local(r.created_at, zone),
        )
