"""Admin: the statistics dashboard (range and day/week/month filters; every chart also as a table)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from carbon_credit import stats as figures
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.context import engine
from webapp.forms import Form
from webapp.i18n import current_locale


class StatsFilter(Form):
    """The range and granularity, sent by GET (bookmarkable; nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    day_from = DateField(_l("From"), validators=[Optional()])
    day_to = DateField(_l("To"), validators=[Optional()])
    granularity = SelectField(
        _l("Group by"),
        choices=[
            SelectChoice("day", _l("Day")),
            SelectChoice("week", _l("Week")),
            SelectChoice("month", _l("Month")),
        ],
        default="day",
    )


@dataclass(frozen=True)
class Chart:
    """One chart: its inline SVG and the same figures as table rows."""

    key: str
    title: str
    svg: Markup
    headers: tuple[str, ...]
    rows: list[tuple]


@bp.get("/stats")
def stats():
    """Credited activity totals, time series and breakdowns, active residents, redemptions and stock."""
    form = StatsFilter(formdata=request.args)
    valid = form.validate() if request.args else True
    default_from, default_to = figures.default_range()
    day_from, day_to = form.day_from.data or default_from, form.day_to.data or default_to
    granularity = form.granularity.data if form.granularity.data in figures.GRANULARITIES else "day"
    error = None if valid else _("Please check the dates.")
    with read_session(engine()) as db:
        try:
            data = _load(db, day_from, day_to, granularity)
        except DomainError as failure:
            error = message(failure, current_locale())
            data = _load(db, default_from, default_to, granularity)
    form.day_from.data, form.day_to.data = data.day_from, data.day_to
    page = render_template("admin/stats/index.html", form=form, data=data, charts=_charts(data), error=error)
    return page, (400 if error else 200)


def _load(db, day_from, day_to, granularity):
    return figures.dashboard_figures(
        session=db,
        day_from=day_from,
        day_to=day_to,
        granularity=granularity,
        locale=current_locale(),
    )


def _kg(grams: int) -> float:
    return round(grams / 1000, 1)


def _charts(data: figures.Dashboard) -> list[Chart]:
    """The page's charts (rendered server-side as SVG), each with its table."""
    period = {"day": _("Day"), "week": _("Week starting"), "month": _("Month")}[data.granularity]
    redeemed = data.redemptions
    svg = figures.bar_chart(
        _("Vouchers redeemed"),
        [r.label for r in redeemed],
        [r.vouchers for r in redeemed],
        empty=_("No data in this range."),
    )
    return [
        _chart("series", _("CO2e avoided over time (kg)"), period, data.series),
        _chart("behaviour", _("By behaviour (kg CO2e)"), _("Behaviour"), data.by_behaviour, horizontal=True),
        _chart("district", _("By district (kg CO2e)"), _("District"), data.by_district, horizontal=True),
        _chart("channel", _("By channel (kg CO2e)"), _("Channel"), data.by_channel, horizontal=True),
        _chart("evidence", _("By evidence level (kg CO2e)"), _("Evidence"), data.by_evidence, True),
        _chart("campaign", _("By campaign (kg CO2e)"), _("Campaign"), data.by_campaign, horizontal=True),
        Chart(
            "redemptions",
            _("Vouchers redeemed"),
            Markup(svg),
            (period, _("Vouchers"), _("Points spent")),
            [(r.label, r.vouchers, r.points) for r in redeemed],
        ),
    ]


def _chart(key: str, title: str, first: str, rows: list[figures.Row], horizontal: bool = False) -> Chart:
    svg = figures.bar_chart(
        title,
        [r.label for r in rows],
        [_kg(r.sums.grams) for r in rows],
        horizontal=horizontal,
        empty=_("No data in this range."),
    )
    headers = (first, _("Activities"), _("CO2e avoided (kg)"), _("Points"), _("Campaign bonus points"))
    table = [
        (r.label, r.sums.activities, _kg(r.sums.grams), r.sums.points, r.sums.bonus_points) for r in rows
    ]
    return Chart(key, title, Markup(svg), headers, table)
