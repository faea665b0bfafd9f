"""The campaign report: one campaign's workbook with its totals (and the reportable total: verified and
evidenced reductions only), by district, by behaviour, by evidence level and by day (from the daily
rollups), and every methodology and factor with its published source. Numbers are written as numbers, with
their unit in the column header ("减排量 (kg CO2e)"); sheet and column names are Chinese by default, English
for ``locale="en"``."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import REPORTABLE_LEVELS, Activity, DailyRollup
from carbon_credit.campaigns import Campaign
from carbon_credit.exports.sheets import (
    Progress,
    district_names,
    kg,
    methodology_sheet,
    safe,
    sheet,
    wall_time,
)
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.i18n import normalise_locale, translate

SUM_HEADERS = ("xlsx.activities", "xlsx.kg", "xlsx.points", "xlsx.bonus_points")
_R = DailyRollup.__table__.c


def campaign_report(
    *,
    session: Session,
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
    wb = Workbook(write_only=True)
    mine = _R.campaign_id == campaign_id
    by_evidence = _rollup_by(session, _R.evidence, mine)
    reportable = sum(row[2] for row in by_evidence if row[0] in REPORTABLE_LEVELS)
    total = (*_sums(session, campaign_id), reportable)
    rows = _totals_sheet(wb, locale, campaign, total, _participants(session, campaign_id))
    rows += _breakdowns(session, wb, locale, mine)
    evidence = lambda key: translate(f"evidence.{key}", locale)  # noqa: E731
    rows += _breakdown(wb, locale, "xlsx.sheet.by_evidence", "xlsx.evidence", by_evidence, evidence)
    rows += methodology_sheet(wb, locale)
    wb.save(str(path))
    if progress:
        progress(rows, rows)
    return rows


def campaign_choices(*, session: Session, locale: str = "zh_Hans") -> list[tuple[int, str]]:
    """The campaigns a report can be asked for, newest first: (id, name in the language)."""
    query = select(Campaign.id, Campaign.name_zh, Campaign.name_en).order_by(Campaign.starts_at.desc())
    return [(i, en if locale == "en" else zh) for i, zh, en in session.execute(query)]


def _sums(session: Session, campaign_id: int) -> tuple[int, int, int, int]:
    sums = (func.sum(_R.activities), func.sum(_R.grams), func.sum(_R.points), func.sum(_R.bonus_points))
    row = session.execute(select(*sums).where(_R.campaign_id == campaign_id)).one()
    return tuple(int(v or 0) for v in row)


def _participants(session: Session, campaign_id: int) -> int:
    query = select(func.count(Activity.resident_id.distinct())).where(
        Activity.campaign_id == campaign_id, Activity.status == "credited"
    )
    return int(session.execute(query).scalar_one())


def _rollup_by(session: Session, column, where, order=None) -> list[tuple]:
    sums = (func.sum(_R.activities), func.sum(_R.grams), func.sum(_R.points), func.sum(_R.bonus_points))
    query = (
        select(column, *sums)
        .where(where)
        .group_by(column)
        .order_by(order if order is not None else func.sum(_R.grams).desc(), column)
    )
    return [(key, *(int(v or 0) for v in values)) for key, *values in session.execute(query)]


def _breakdowns(session: Session, wb: Workbook, locale: str, where) -> int:
    """The by-district, by-behaviour and by-day sheets; returns their rows."""
    districts = district_names(session, locale)
    behaviour = lambda key: translate(f"behaviour.{key}", locale)  # noqa: E731
    by_district = _rollup_by(session, _R.district_id, where)
    by_behaviour = _rollup_by(session, _R.behaviour, where)
    by_day = _rollup_by(session, _R.local_day, where, order=_R.local_day)
    rows = _breakdown(wb, locale, "xlsx.sheet.by_district", "xlsx.district", by_district, districts)
    rows += _breakdown(wb, locale, "xlsx.sheet.by_behaviour", "xlsx.behaviour", by_behaviour, behaviour)
    return rows + _breakdown(wb, locale, "xlsx.sheet.by_day", "xlsx.day", by_day, lambda day: day)


def _totals_sheet(wb: Workbook, locale: str, campaign: Campaign, total: tuple, participants: int) -> int:
    t = lambda code: translate(code, locale)  # noqa: E731
    ws = sheet(wb, t("xlsx.sheet.totals"), [t("xlsx.item"), t("xlsx.value")], (28, 36))
    name = campaign.name_en if locale == "en" else campaign.name_zh
    activities, grams, points, bonus, reportable = total
    rows = [
        (t("xlsx.campaign_id"), campaign.id),
        (t("xlsx.campaign_name"), safe(ws, name)),
        (t("xlsx.starts_at"), wall_time(campaign.starts_at)),
        (t("xlsx.ends_at"), wall_time(campaign.ends_at)),
        (t("xlsx.budget"), campaign.budget_points),
        (t("xlsx.spent"), campaign.spent_points),
        (t("xlsx.activities"), activities),
        (t("xlsx.kg"), kg(ws, grams)),
        (t("xlsx.reportable_kg"), kg(ws, reportable)),
        (t("xlsx.points"), points),
        (t("xlsx.bonus_points"), bonus),
        (t("xlsx.participants"), participants),
        (t("xlsx.note"), safe(ws, t("xlsx.reportable_note"))),
    ]
    for row in rows:
        ws.append(list(row))
    return len(rows)


def _breakdown(wb: Workbook, locale: str, title: str, first: str, rows: list[tuple], label) -> int:
    headers = [translate(first, locale)] + [translate(code, locale) for code in SUM_HEADERS]
    ws = sheet(wb, translate(title, locale), headers, (20, 18, 20, 16, 20))
    for key, activities, grams, points, bonus in rows:
        ws.append([safe(ws, label(key)), activities, kg(ws, grams), points, bonus])
    return len(rows)
