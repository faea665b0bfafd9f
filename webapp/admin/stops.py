"""Admin: stops, routes and their printable QR posters (service: carbon_credit.stops; the import's pages are
in webapp.admin.stop_imports, the forms in webapp.admin.stop_forms)."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from carbon_credit import residents, stops
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.settings import is_loopback_url, link_base
from webapp.admin.blueprint import bp
from webapp.admin.stop_forms import (
    ActiveForm,
    form_failed,
    render_form,
    route_form,
    route_input,
    shown,
    stop_form,
    stop_input,
)
from webapp.context import engine, settings
from webapp.forms import KeyedForm

STOP_PAGE = "admin/stops/stop_form.html"
ROUTE_PAGE = "admin/stops/route_form.html"


# --- stops ------------------------------------------------------------------------------------------------


@bp.get("/stops", endpoint="stops")
def stops_list():
    """The stops, searchable by code or name and filtered by route, district and active or not."""
    filters = {
        "search": request.args.get("q", "").strip()[:64],
        "route_id": request.args.get("route", type=int),
        "district_id": request.args.get("district", type=int),
        "active": {"1": True, "0": False}.get(request.args.get("active", "")),
    }
    with read_session(engine()) as db:
        rows = stops.list_stops(session=db, **filters)
        routes = stops.list_routes(session=db)
        districts = residents.districts(session=db)
    return render_template(
        "admin/stops/list.html", rows=rows, routes=routes, districts=districts, args=request.args
    )


@bp.route("/stops/new", methods=["GET", "POST"])
def stop_new():
    """Add a stop; invalid fields are shown on the same page."""
    form = stop_form()
    if not form.validate_on_submit():
        return render_form(STOP_PAGE, form, stop=None)
    try:
        with session_scope(engine()) as db:
            stop = stops.create_stop(
                session=db,
                actor_id=current_user.id,
                values=stop_input(form),
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return form_failed(STOP_PAGE, form, failure, stop=None)
    flash(_("The stop %(code)s was added.", code=stop.code), "success")
    return redirect(url_for("admin.stop_edit", stop_id=stop.id))


@bp.route("/stops/<int:stop_id>/edit", methods=["GET", "POST"])
def stop_edit(stop_id: int):
    """Change a stop's names, district, coordinates and mode (its code is fixed)."""
    with read_session(engine()) as db:
        stop = stops.get_stop(session=db, stop_id=stop_id)
    form, active = stop_form(stop), shown(ActiveForm)
    if not form.validate_on_submit():
        return render_form(STOP_PAGE, form, stop=stop, active=active)
    try:
        with session_scope(engine()) as db:
            stops.update_stop(
                session=db,
                actor_id=current_user.id,
                stop_id=stop_id,
                values=stop_input(form),
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return form_failed(STOP_PAGE, form, failure, stop=stop, active=active)
    flash(_("The stop was saved."), "success")
    return redirect(url_for("admin.stop_edit", stop_id=stop_id))


@bp.post("/stops/<int:stop_id>/deactivate")
def stop_deactivate(stop_id: int):
    """Deactivate a stop (``active=0``: its QR check-ins are refused) or reactivate it (``active=1``)."""
    form = ActiveForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.stop_edit", stop_id=stop_id))
    active = form.active.data == "1"
    with session_scope(engine()) as db:
        stops.set_stop_active(
            session=db,
            actor_id=current_user.id,
            stop_id=stop_id,
            active=active,
            idempotency_key=form.idempotency_key.data,
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
            stop = stops.rotate_stop_token(
                session=db,
                actor_id=current_user.id,
                stop_id=stop_id,
                idempotency_key=form.idempotency_key.data,
            )
        return render_template("admin/stops/rotated.html", stop=stop)
    with read_session(engine()) as db:
        stop = stops.get_stop(session=db, stop_id=stop_id)
    return render_template("admin/stops/rotate.html", stop=stop, form=shown())


@bp.get("/stops/<int:stop_id>/poster")
def stop_poster(stop_id: int):
    """One A4 printable poster (a self-contained page: inline SVG, no external assets)."""
    with read_session(engine()) as db:
        poster = stops.stop_poster(
            session=db, settings=settings(), stop_id=stop_id, request_base=request.host_url
        )
    return _posters_page([poster], poster.name_zh)


@bp.get("/stops/<int:stop_id>/qr.png")
def stop_qr_png(stop_id: int):
    """The stop's QR code as a PNG, for a printing shop."""
    with read_session(engine()) as db:
        code, png = stops.stop_qr_png(
            session=db, settings=settings(), stop_id=stop_id, request_base=request.host_url
        )
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
        rows = stops.list_routes(session=db)
    return render_template("admin/stops/routes.html", rows=rows)


@bp.route("/routes/new", methods=["GET", "POST"], defaults={"route_id": None})
@bp.route("/routes/<int:route_id>/edit", methods=["GET", "POST"])
def route_edit(route_id: int | None):
    """Create or edit a route: names, mode, active, and its stops in order with their distances."""
    with read_session(engine()) as db:
        route = stops.get_route(session=db, route_id=route_id) if route_id is not None else None
        lines = stops.route_lines(session=db, route_id=route_id) if route_id is not None else ""
    form = route_form(route, lines)
    if not form.validate_on_submit():
        return render_form(ROUTE_PAGE, form, route=route)
    try:
        with session_scope(engine()) as db:
            saved = stops.save_route(
                session=db,
                actor_id=current_user.id,
                route_id=route_id,
                values=route_input(form),
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return form_failed(ROUTE_PAGE, form, failure, route=route)
    flash(_("The route %(code)s was saved.", code=saved.code), "success")
    return redirect(url_for("admin.route_edit", route_id=saved.id))


@bp.get("/routes/<int:route_id>/posters")
def route_posters(route_id: int):
    """Every stop of a route as one printable page, one A4 poster per stop."""
    with read_session(engine()) as db:
        route, items = stops.route_posters(
            session=db, settings=settings(), route_id=route_id, request_base=request.host_url
        )
    return _posters_page(items, route.name_zh)


def _posters_page(posters: list, title: str):
    """The printable posters, with a screen-only warning when their links point at this machine only."""
    base = link_base(settings(), request.host_url)
    return render_template(
        "admin/stops/posters.html",
        posters=posters,
        title=title,
        base=base,
        loopback=is_loopback_url(base),
        base_is_set=bool(settings().public_base_url),
    )
