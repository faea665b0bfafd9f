"""Admin: stops, routes, their bulk import and printable QR posters (services: carbon_credit.stops_admin,
stop_import, posters)."""

from __future__ import annotations

import secrets

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from carbon_credit.stops import admin as stops_admin
from carbon_credit.stops import imports as stop_import
from carbon_credit.stops import posters
from carbon_credit.stops.models import TRANSIT_MODES
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import Form
from webapp.i18n import current_locale

MULTIPART_SLACK = 64 * 1024  # room for the form's other fields and multipart boundaries
MODE_LABELS = {"bus": _l("Bus"), "metro": _l("Metro")}


class KeyedForm(Form):
    """A state-changing form: CSRF plus the idempotency key generated when its page was shown."""

    key = HiddenField(validators=[DataRequired(), Length(max=120)])


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


FORM_FIELDS = {"district_code": "district"}  # service field -> form field, where they differ


# --- stops ------------------------------------------------------------------------------------------------


@bp.get("/stops")
def stops():
    """The stops, searchable by code or name and filtered by route, district and active or not."""
    filters = {
        "search": request.args.get("q", "").strip()[:64],
        "route_id": request.args.get("route", type=int),
        "district_id": request.args.get("district", type=int),
        "active": {"1": True, "0": False}.get(request.args.get("active", "")),
    }
    with read_session(engine()) as db:
        rows = stops_admin.list_stops(session=db, **filters)
        routes = stops_admin.list_routes(session=db)
        districts = stops_admin.districts(session=db)
    return render_template(
        "admin/stops/list.html", rows=rows, routes=routes, districts=districts, args=request.args
    )


@bp.route("/stops/new", methods=["GET", "POST"])
def stop_new():
    """Add a stop; invalid fields are shown on the same page."""
    form = _stop_form()
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                stop = stops_admin.create_stop(
                    session=db,
                    actor_id=current_user.id,
                    values=_stop_input(form),
                    idempotency_key=form.key.data,
                )
        except DomainError as failure:
            return _form_failed("admin/stops/stop_form.html", form, failure, stop=None)
        flash(_("The stop %(code)s was added.", code=stop.code), "success")
        return redirect(url_for("admin.stop_edit", stop_id=stop.id))
    return _render_form("admin/stops/stop_form.html", form, stop=None)


@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
def stop_edit(stop_id: int):
    """Change a stop's names, district, coordinates and mode (its code is fixed)."""
    with read_session(engine()) as db:
        stop = stops_admin.get_stop(session=db, stop_id=stop_id)
    form = _stop_form(stop)
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                stops_admin.update_stop(
                    session=db,
                    actor_id=current_user.id,
                    stop_id=stop_id,
                    values=_stop_input(form),
                    idempotency_key=form.key.data,
                )
        except DomainError as failure:
            return _form_failed(
                "admin/stops/stop_form.html", form, failure, stop=stop, active=_keyed(ActiveForm)
            )
        flash(_("The stop was saved."), "success")
        return redirect(url_for("admin.stop_edit", stop_id=stop_id))
    return _render_form("admin/stops/stop_form.html", form, stop=stop, active=_keyed(ActiveForm))


@bp.post("/stops/<int:stop_id>/deactivate")
def stop_deactivate(stop_id: int):
    """Deactivate a stop (``active=0``: its QR check-ins are refused) or reactivate it (``active=1``)."""
    form = ActiveForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.stop_edit", stop_id=stop_id))
    active = form.active.data == "1"
    with session_scope(engine()) as db:
        stops_admin.set_stop_active(
            session=db,
            actor_id=current_user.id,
            stop_id=stop_id,
            active=active,
            idempotency_key=form.key.data,
        )
    if active:
        flash(_("The stop is active again: its posters work."), "success")
    else:
        flash(_("The stop is deactivated: scans of its posters are refused."), "success")
    return redirect(url_for("admin.stop_edit", stop_id=stop_id))


@bp.route("/stops/<int:stop_id>/rotate", methods=["GET", "POST"])
def stop_rotate(stop_id: int):
    """GET: warn that printed posters will stop working; POST: rotate the token, then say to print anew."""
    form = KeyedForm()
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            stop = stops_admin.rotate_stop_token(
                session=db, actor_id=current_user.id, stop_id=stop_id, idempotency_key=form.key.data
            )
        return render_template("admin/stops/rotated.html", stop=stop)
    with read_session(engine()) as db:
        stop = stops_admin.get_stop(session=db, stop_id=stop_id)
    form.key.data = secrets.token_urlsafe(16)
    return render_template("admin/stops/rotate.html", stop=stop, form=form)


@bp.get("/stops/<int:stop_id>/poster")
def stop_poster(stop_id: int):
    """One A4 printable poster (a self-contained page: inline SVG, no external assets)."""
    with read_session(engine()) as db:
        poster = posters.stop_poster(session=db, settings=settings(), stop_id=stop_id)
    return render_template("admin/stops/posters.html", posters=[poster], title=poster.name_zh)


@bp.get("/stops/<int:stop_id>/qr.png")
def stop_qr_png(stop_id: int):
    """The stop's QR code as a PNG, for a printing shop."""
    with read_session(engine()) as db:
        code, png = posters.stop_qr_png(session=db, settings=settings(), stop_id=stop_id)
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Content-Disposition"] = f'inline; filename="stop-{code}.png"'
    response.headers["Cache-Control"] = "no-store"  # rotation changes the code behind the same URL
    return response


# --- routes -----------------------------------------------------------------------------------------------


@bp.get("/routes")
def routes():
    """The routes with their number of stops and length."""
    with read_session(engine()) as db:
        rows = stops_admin.list_routes(session=db)
    return render_template("admin/stops/routes.html", rows=rows)


@bp.route("/routes/new", methods=["GET", "POST"], defaults={"route_id": None})
@bp.route("/routes/<int:route_id>/edit", methods=["GET", "POST"])
def route_edit(route_id: int | None):
    """Create or edit a route: names, mode, active, and its stops in order with their distances."""
    with read_session(engine()) as db:
        route = stops_admin.get_route(session=db, route_id=route_id) if route_id is not None else None
        lines = stops_admin.route_lines(session=db, route_id=route_id) if route_id is not None else ""
    form = _route_form(route, lines)
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                saved = stops_admin.save_route(
                    session=db,
                    actor_id=current_user.id,
                    route_id=route_id,
                    values=_route_input(form),
                    idempotency_key=form.key.data,
                )
        except DomainError as failure:
            return _form_failed("admin/stops/route_form.html", form, failure, route=route)
        flash(_("The route %(code)s was saved.", code=saved.code), "success")
        return redirect(url_for("admin.route_edit", route_id=saved.id))
    return _render_form("admin/stops/route_form.html", form, route=route)


@bp.get("/routes/<int:route_id>/posters")
def route_posters(route_id: int):
    """Every stop of a route as one printable page, one A4 poster per stop."""
    with read_session(engine()) as db:
        route, items = posters.route_posters(session=db, settings=settings(), route_id=route_id)
    return render_template("admin/stops/posters.html", posters=items, title=route.name_zh)


# --- import -----------------------------------------------------------------------------------------------


@bp.url_value_preprocessor
def refuse_oversized_import(endpoint: str | None, _values) -> None:
    """Runs before the CSRF check reads the body: an administrator's too-large stops file gets the clear
    import message instead of the generic "too large" page, and the import's own limit replaces the photo
    upload limit (others keep the app's limit and get their usual 403 or login page)."""
    if endpoint != "admin.stops_import" or request.method != "POST":
        return
    if getattr(current_user, "role", None) == "admin":
        stop_import.check_size(max(0, (request.content_length or 0) - MULTIPART_SLACK))
        request.max_content_length = stop_import.MAX_FILE_BYTES + MULTIPART_SLACK  # whatever the photo limit


@bp.route("/stops/import", methods=["GET", "POST"])
def stops_import():
    """GET: the upload form and the column list; POST: check the file and preview what it would do."""
    form = ImportForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("admin/stops/import.html", form=form, columns=stop_import.COLUMNS), status
    upload = form.file.data
    data = upload.read(stop_import.MAX_FILE_BYTES + 1)
    try:
        with read_session(engine()) as db:
            staged = stop_import.stage(
                session=db, settings=settings(), data=data, filename=upload.filename or ""
            )
    except DomainError as failure:
        error = message(failure, current_locale())
        return render_template(
            "admin/stops/import.html", form=form, columns=stop_import.COLUMNS, error=error
        ), 400
    confirm = ConfirmImportForm(
        formdata=None, name=staged.name, sha256=staged.sha256, filename=staged.filename[:255]
    )
    confirm.key.data = secrets.token_urlsafe(16)
    status = 200 if staged.preview.ok else 400
    return render_template(
        "admin/stops/preview.html", staged=staged, confirm=confirm, locale=current_locale()
    ), status


@bp.post("/stops/import/confirm")
def stops_import_confirm():
    """Apply a previewed file in one transaction (nothing at all if anything is wrong)."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.stops_import"))
    try:
        with session_scope(engine()) as db:
            result = stop_import.apply(
                session=db,
                settings=settings(),
                actor_id=current_user.id,
                name=form.name.data,
                sha256=form.sha256.data,
                filename=form.filename.data or "",
                idempotency_key=form.key.data,
            )
    except DomainError as failure:
        error = message(failure, current_locale())
        return render_template(
            "admin/stops/import.html", form=ImportForm(), columns=stop_import.COLUMNS, error=error
        ), 400
    stop_import.discard(settings=settings(), name=form.name.data)
    return render_template("admin/stops/imported.html", result=result)


# --- helpers ----------------------------------------------------------------------------------------------


def _keyed(form_class, **data):
    form = form_class(formdata=None, **data)
    form.key.data = secrets.token_urlsafe(16)
    return form


def _mode_choices() -> list[tuple[str, str]]:
    return [(mode, str(MODE_LABELS.get(mode, mode))) for mode in TRANSIT_MODES]


def _stop_form(stop=None) -> StopForm:
    form = StopForm(obj=None)
    with read_session(engine()) as db:
        districts = stops_admin.districts(session=db)
    name = "name_en" if current_locale() == "en" else "name_zh"
    form.district.choices = [("", _("(none)"))] + [(d.code, getattr(d, name)) for d in districts]
    form.mode.choices = _mode_choices()
    if stop is not None:
        form.code.render_kw = {"readonly": True}
    if not form.is_submitted():
        form.key.data = secrets.token_urlsafe(16)
        if stop is not None:
            codes = {d.id: d.code for d in districts}
            form.code.data, form.name_zh.data, form.name_en.data = stop.code, stop.name_zh, stop.name_en
            form.district.data = codes.get(stop.district_id, "")
            form.latitude.data, form.longitude.data = str(stop.latitude), str(stop.longitude)
            form.mode.data = stop.mode
    return form


def _stop_input(form: StopForm) -> stops_admin.StopInput:
    return stops_admin.StopInput(
        code=form.code.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        district_code=form.district.data or "",
        latitude=form.latitude.data or "",
        longitude=form.longitude.data or "",
        mode=form.mode.data or "",
    )


def _route_form(route, lines: str) -> RouteForm:
    form = RouteForm()
    form.mode.choices = _mode_choices()
    if route is not None:
        form.code.render_kw = {"readonly": True}
    if not form.is_submitted():
        form.key.data = secrets.token_urlsafe(16)
        form.is_active.data = True if route is None else route.is_active
        if route is not None:
            form.code.data, form.name_zh.data, form.name_en.data = route.code, route.name_zh, route.name_en
            form.mode.data, form.stops.data = route.mode, lines
    return form


def _route_input(form: RouteForm) -> stops_admin.RouteInput:
    return stops_admin.RouteInput(
        code=form.code.data or "",
        name_zh=form.name_zh.data or "",
        name_en=form.name_en.data or "",
        mode=form.mode.data or "",
        is_active=bool(form.is_active.data),
        stops=form.stops.data or "",
    )


def _render_form(template: str, form, error: str | None = None, status: int = 200, **context):
    status = 400 if form.is_submitted() and status == 200 else status
    return render_template(template, form=form, error=error, **context), status


def _form_failed(template: str, form, failure: DomainError, **context):
    """Show the service's problems beside their fields, and its message above the form (status 400)."""
    locale = current_locale()
    for problem in getattr(failure, "problems", []):
        target = getattr(form, FORM_FIELDS.get(problem.field, problem.field), None) or form.code
        target.errors = [*target.errors, stops_admin.problem_text(problem, locale)]
    return _render_form(template, form, message(failure, locale), 400, **context)
