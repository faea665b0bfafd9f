"""Admin: campaigns (list with budget bars, create, edit, end now). Every change is audited by the service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlmodel import Session
from wtforms import SelectField, SelectMultipleField, StringField, ValidationError, widgets
from wtforms.validators import InputRequired, Length, Regexp

from carbon_credit import campaigns, residents
from carbon_credit.activities import RESIDENT_BEHAVIOURS
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import KeyedForm, new_key
from webapp.i18n import current_locale

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends
WHOLE = Regexp(r"^\s*\d{1,13}\s*$", message=_l("Enter a whole number."))
REQUIRED = InputRequired(message=_l("Please fill in this field."))


def _local_time(form, field) -> None:
    try:
        datetime.strptime((field.data or "").strip(), LOCAL_FORMAT)
    except ValueError:
        raise ValidationError(_l("Enter a date and time, for example 2026-06-05 09:00.")) from None


class Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CampaignForm(KeyedForm):
    """A campaign as an administrator enters it (the service checks the rules)."""

    name_zh = StringField(_l("Name (Chinese)"), validators=[REQUIRED, Length(max=80)])
    name_en = StringField(_l("Name (English)"), validators=[REQUIRED, Length(max=80)])
    kind = SelectField(_l("Kind"), choices=[], validate_choice=False)  # the service checks it
    starts_at = StringField(
        _l("Starts (Beijing time)"), validators=[REQUIRED, _local_time], render_kw={"type": "datetime-local"}
    )
    ends_at = StringField(
        _l("Ends (Beijing time)"), validators=[REQUIRED, _local_time], render_kw={"type": "datetime-local"}
    )
    behaviours = Checkboxes(_l("Actions covered (none ticked: all)"), choices=[], validate_choice=False)
    districts = Checkboxes(_l("Districts covered (none ticked: all)"), choices=[], validate_choice=False)
    multiplier_percent = StringField(
        _l("Multiplier in percent (100 = none, 150 = 1.5 x)"),
        default="100",
        validators=[REQUIRED, WHOLE],
        render_kw={"inputmode": "numeric"},
    )
    bonus_points = StringField(
        _l("Fixed bonus points per activity"),
        default="0",
        validators=[REQUIRED, WHOLE],
        render_kw={"inputmode": "numeric"},
    )
    budget_points = StringField(
        _l("Points budget"), validators=[REQUIRED, WHOLE], render_kw={"inputmode": "numeric"}
    )


class EndForm(KeyedForm):
    """End a campaign now (the list gives each campaign's button its own key)."""


def _form(campaign=None) -> CampaignForm:
    """The campaign form with its choices (and, for an edit, the campaign's values on first render)."""
    form = CampaignForm()
    locale = current_locale()
    zh = locale != "en"
    form.kind.choices = [(k, translate(f"campaign_kind.{k}", locale)) for k in campaigns.CAMPAIGN_KINDS]
    form.behaviours.choices = [(b, translate(f"behaviour.{b}", locale)) for b in RESIDENT_BEHAVIOURS]
    with read_session(engine()) as db:
        districts = residents.districts(session=db)
    form.districts.choices = [(str(d.id), d.name_zh if zh else d.name_en) for d in districts]
    if not form.is_submitted() and campaign is not None:
        _fill(form, campaign)
    return form


def _fill(form: CampaignForm, campaign) -> None:
    """The campaign's values, its times as Beijing ``datetime-local`` values."""
    form.name_zh.data, form.name_en.data, form.kind.data = campaign.name_zh, campaign.name_en, campaign.kind
    form.starts_at.data = clock.local_text(campaign.starts_at).replace(" ", "T")
    form.ends_at.data = clock.local_text(campaign.ends_at).replace(" ", "T")
    form.behaviours.data = list(campaign.behaviours)
    form.districts.data = [str(d) for d in campaign.district_ids]
    form.multiplier_percent.data = str(campaign.multiplier_percent)
    form.bonus_points.data = str(campaign.bonus_points)
    form.budget_points.data = str(campaign.budget_points)


def _input(form: CampaignForm) -> campaigns.CampaignInput:
    """Form -> plain values (the service validates the rules)."""
    return campaigns.CampaignInput(
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        kind=form.kind.data or "",
        starts_at=datetime.strptime(form.starts_at.data.strip(), LOCAL_FORMAT),
        ends_at=datetime.strptime(form.ends_at.data.strip(), LOCAL_FORMAT),
        budget_points=int(form.budget_points.data),
        multiplier_percent=int(form.multiplier_percent.data),
        bonus_points=int(form.bonus_points.data),
        behaviours=list(form.behaviours.data or []),
        district_ids=[int(d) for d in form.districts.data or [] if d.isdigit()],
    )


@bp.get("/campaigns", endpoint="campaigns")  # the menu's endpoint name
def campaigns_list():
    """Every campaign with its state and budget bar."""
    with read_session(engine()) as db:
        items = campaigns.list_campaigns(session=db)
    return render_template(
        "admin/campaigns/list.html", items=items, status=campaigns.status, end_form=EndForm(), new_key=new_key
    )


@bp.route("/campaigns/new", methods=["GET", "POST"])
def campaign_new():
    """Create a campaign."""
    form = _form()

    def save(db) -> str:
        created = campaigns.create_campaign(
            session=db,
            settings=settings(),
            actor_id=current_user.id,
            data=_input(form),
            idempotency_key=form.idempotency_key.data,
        )
        return url_for("campaigns.detail", campaign_id=created.id)

    return _saved_or_shown(form, None, save)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def campaign_edit(campaign_id: int):
    """Edit a campaign (the budget cannot go below what has been paid)."""
    with read_session(engine()) as db:
        campaign = campaigns.get_campaign(session=db, campaign_id=campaign_id)
    form = _form(campaign)

    def save(db) -> str:
        campaigns.update_campaign(
            session=db,
            settings=settings(),
            actor_id=current_user.id,
            campaign_id=campaign_id,
            data=_input(form),
            idempotency_key=form.idempotency_key.data,
        )
        return url_for("admin.campaigns")

    return _saved_or_shown(form, campaign, save)


def _saved_or_shown(form: CampaignForm, campaign, save: Callable[[Session], str]):
    """A valid submission saved (``save`` in one unit of work, returning where to go next), else the form
    again with the service's refusal in the administrator's language (400 for a submission)."""
    error = None
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                next_url = save(db)
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            flash(_("Campaign saved."), "success")
            return redirect(next_url)
    status = 400 if form.is_submitted() else 200
    cap = campaigns.MAX_BONUS_PER_ACTIVITY
    page = render_template("admin/campaigns/form.html", form=form, error=error, campaign=campaign, cap=cap)
    return page, status


@bp.post("/campaigns/<int:campaign_id>/end")
def campaign_end(campaign_id: int):
    """End a campaign now (no bonus after this moment)."""
    form = EndForm()
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            campaigns.end_campaign(
                session=db,
                actor_id=current_user.id,
                campaign_id=campaign_id,
                idempotency_key=form.idempotency_key.data,
            )
        flash(_("The campaign has ended."), "success")
    return redirect(url_for("admin.campaigns"))
