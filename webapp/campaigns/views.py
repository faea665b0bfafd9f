"""Public campaign pages: live totals, a chart over time and an opt-in leaderboard (no login), and the
resident's privacy page (leaderboard and weekly summary choices)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField

from carbon_credit import activities, campaigns, residents, stats
from carbon_credit.platform.database import read_session, session_scope
from webapp.context import engine
from webapp.forms import Form
from webapp.i18n import current_locale

bp = Blueprint("campaigns", __name__)

# Where a resident does each behaviour from the web (how to take part); a page that does not exist yet is
# left out, and the behaviour is described in words only.
TAKE_PART = {
    "transit": "transit.scan",
    "walking": "chat.page",
    "recycling": "resident.log_recycling",
    "tree_planting": "resident.log_trees",
    "electricity": "chat.page",
}


class PrivacyForm(Form):
    leaderboard = BooleanField(_l("Show my display name on campaign leaderboards"))
    weekly_summary = BooleanField(_l("Send me a weekly summary of my points"))


def campaign_name(campaign) -> str:
    """The campaign's name in the page's language."""
    return campaign.name_en if current_locale() == "en" else campaign.name_zh


@bp.get("/campaigns")
def index():
    """Current, upcoming and past campaigns (public)."""
    with read_session(engine()) as db:
        groups = stats.public_campaigns(session=db)
    return render_template("campaigns/index.html", groups=groups, name=campaign_name)


@bp.get("/campaigns/<int:campaign_id>")
def detail(campaign_id: int):
    """One campaign: how to take part (and, signed in, the resident's part so far), live totals, a chart and
    its table over time, budget and the leaderboard (public)."""
    with read_session(engine()) as db:
        campaign = campaigns.get_campaign(session=db, campaign_id=campaign_id)
        figures = stats.campaign_totals(session=db, campaign_id=campaign_id)
        leaders = stats.leaderboard(session=db, campaign_id=campaign_id)
        districts = [d for d in residents.districts(session=db) if d.id in campaign.district_ids]
        mine = None
        if current_user.is_authenticated:
            parts = activities.campaign_parts(
                session=db, resident_id=current_user.id, campaign_ids=[campaign_id]
            )
            mine = parts.get(campaign_id)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        name=campaign_name(campaign),
        state=campaigns.status(campaign),
        exhausted=campaigns.is_exhausted(campaign),
        figures=figures,
        leaders=leaders,
        chart=_chart(campaign_name(campaign), figures.by_day),
        ways=_ways(campaign),
        districts=districts,
        mine=mine,
    )


def _ways(campaign) -> list[tuple[str, str | None]]:
    """(behaviour, the page where a resident does it or None) for each resident behaviour the campaign
    rewards (all of them when it names none)."""
    wanted = [b for b in (campaign.behaviours or activities.RESIDENT_BEHAVIOURS) if b in TAKE_PART]
    known = current_app.view_functions
    return [(b, url_for(TAKE_PART[b]) if TAKE_PART[b] in known else None) for b in wanted]


def _chart(name: str, by_day) -> str:
    """The daily CO2e (kg) and activity counts as inline SVG; its accessible name says what it shows (the
    page's heading already names the campaign, so no title is drawn twice)."""
    return stats.line_chart_svg(
        title=_("%(name)s: CO2e avoided and activities, day by day", name=name),
        x_labels=[day.strftime("%m-%d") for day, _count, _grams in by_day],
        series=[
            (_("CO2e avoided (kg)"), [round(grams / 1000, 1) for _day, _count, grams in by_day]),
            (_("Activities"), [count for _day, count, _grams in by_day]),
        ],
    )


@bp.route("/account/leaderboard", methods=["GET", "POST"])
@login_required
def privacy():
    """Opt in or out of being named on leaderboards and of the weekly summary."""
    form = PrivacyForm()
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            stats.set_privacy(
                session=db,
                resident_id=current_user.id,
                leaderboard_opt_in=form.leaderboard.data,
                weekly_summary_opt_in=form.weekly_summary.data,
            )
        flash(_("Your choices were saved."), "success")
        return redirect(url_for("campaigns.privacy"))
    if not form.is_submitted():
        with read_session(engine()) as db:
            form.leaderboard.data, form.weekly_summary.data = stats.privacy(
                session=db, resident_id=current_user.id
            )
    status = 400 if form.is_submitted() else 200
    return render_template("campaigns/privacy.html", form=form), status
