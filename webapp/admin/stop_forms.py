"""Admin: the stops, routes and stops-import forms, filled from and read into the stops feature's values,
and a service's problems shown beside their fields."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from carbon_credit import residents, stops
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.context import engine
from webapp.forms import Form, KeyedForm, new_key
from webapp.i18n import current_locale

MODE_LABELS = {"bus": _l("Bus"), "metro": _l("Metro")}
FORM_FIELDS = {"district_code": "district"}  # service field -> form field, where they differ


class StopForm(KeyedForm):
    code = StringField(_l("Stop code"), validators=[Length(max=64)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    district = SelectField(_l("District"), choices=[], validate_choice=False)
    latitude = StringField(_l("Latitude (e.g. 30.9262)"), validators=[Length(max=40)])
    longitude = StringField(_l("Longitude (e.g. 113.9021)"), validators=[Length(max=40)])
    mode = SelectField(_l("Mode"), choices=[], validate_choice=False)


class ActiveForm(KeyedForm):
    active = HiddenField(validators=[DataRequired()])


class RouteForm(KeyedForm):
    code = StringField(_l("Route code"), validators=[Length(max=64)])
    name_zh = StringField(_l("Name in Chinese"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    mode = SelectField(_l("Mode"), choices=[], validate_choice=False)
    is_active = BooleanField(_l("Active (scans on this route are measured along it)"))
    stops = TextAreaField(
        _l("Stops in order, one per line: stop code, metres from the first stop"),
        validators=[Length(max=20_000)],
        render_kw={"rows": 10},
    )


class ImportForm(Form):
    file = FileField(
        _l("Stops file (.xlsx or .csv)"), validators=[FileRequired()], render_kw={"accept": ".xlsx,.csv"}
    )


class ConfirmImportForm(KeyedForm):
    name = HiddenField(validators=[DataRequired(), Length(max=64)])
    sha256 = HiddenField(validators=[DataRequired(), Length(max=64)])
    filename = HiddenField(validators=[Length(max=255)])


def shown(form_class: type[KeyedForm] = KeyedForm, **data) -> KeyedForm:
    """A keyed form shown afresh, with a new key even in the answer to a POST (a preview, a refusal)."""
    form = form_class(formdata=None, **data)
    form.idempotency_key.data = new_key()
    return form


def stop_form(stop: stops.Stop | None = None) -> StopForm:
    """The stop form with its choices; on first display, the stop's values (a code is fixed once made)."""
    form = StopForm()
    with read_session(engine()) as db:
        districts = residents.districts(session=db)
    name = "name_en" if current_locale() == "en" else "name_zh"
    form.district.choices = [("", _("(none)"))] + [(d.code, getattr(d, name)) for d in districts]
    form.mode.choices = _mode_choices()
    if stop is not None:
        form.code.render_kw = {"readonly": True}
    if stop is not None and not form.is_submitted():
        codes = {d.id: d.code for d in districts}
        form.code.data, form.name_zh.data, form.name_en.data = stop.code, stop.name_zh, stop.name_en
        form.district.data = codes.get(stop.district_id, "")
        form.latitude.data, form.longitude.data = str(stop.latitude), str(stop.longitude)
        form.mode.data = stop.mode
    return form


def stop_input(form: StopForm) -> stops.StopInput:
    """The form's values as the service takes them."""
    return stops.StopInput(
        code=form.code.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        district_code=form.district.data or "",
        latitude=form.latitude.data or "",
        longitude=form.longitude.data or "",
        mode=form.mode.data or "",
    )


def route_form(route: stops.Route | None, lines: str) -> RouteForm:
    """The route form; on first display, the route's values and its stops as ``code, metres`` lines."""
    form = RouteForm()
    form.mode.choices = _mode_choices()
    if route is not None:
        form.code.render_kw = {"readonly": True}
    if not form.is_submitted():
        form.is_active.data = True if route is None else route.is_active
    if route is not None and not form.is_submitted():
        form.code.data, form.name_zh.data, form.name_en.data = route.code, route.name_zh, route.name_en
        form.mode.data, form.stops.data = route.mode, lines
    return form


def route_input(form: RouteForm) -> stops.RouteInput:
    """The form's values as the service takes them."""
    return stops.RouteInput(
        code=form.code.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        mode=form.mode.data or "",
        is_active=bool(form.is_active.data),
        stops=form.stops.data or "",
    )


def render_form(template: str, form, error: str | None = None, status: int = 200, **context):
    """The form page; 400 when a submission comes back to it."""
    status = 400 if form.is_submitted() and status == 200 else status
    return render_template(template, form=form, error=error, **context), status


def form_failed(template: str, form, failure: DomainError, **context):
    """Show the service's problems beside their fields, and its message above the form (status 400)."""
    locale = current_locale()
    for problem in getattr(failure, "problems", []):
        target = getattr(form, FORM_FIELDS.get(problem.field, problem.field), None) or form.code
        target.errors = [*target.errors, stops.problem_text(problem, locale)]
    return render_form(template, form, message(failure, locale), 400, **context)


def _mode_choices() -> list[tuple[str, str]]:
    return [(mode, str(MODE_LABELS.get(mode, mode))) for mode in stops.TRANSIT_MODES]
