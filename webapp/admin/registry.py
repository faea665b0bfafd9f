"""Admin: the registry of pooled reductions (service: carbon_credit.registry). The start page pools a month
and lists the batches and events; a batch's page verifies (with exclusions), issues, sells, retires and
moves revenue into a campaign's budget, and downloads the records for the verifier. Each form carries its
idempotency key (a double tap acts once); a refusal shows the registry's message above the form that was
sent, with nothing changed (status 400)."""

from __future__ import annotations

import calendar
import tempfile
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from carbon_credit import campaigns, registry
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import KeyedForm, new_key
from webapp.i18n import current_locale
from webapp.registry import commands, forms
from webapp.registry.data import XLSX

BATCH_FORMS = {
    "verify": forms.VerifyForm,
    "issue": forms.IssueForm,
    "sell": forms.SellForm,
    "retire": forms.RetireForm,
    "allocate": forms.AllocateForm,
}


def _month(text: str) -> tuple[date, date]:
    """``2026-11`` -> its first and last day (the form has checked it is a month)."""
    year, month = (int(part) for part in text.strip().split("-"))
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


# --- the start page: pool a month, the batches, the events ----------------------------------------------


@bp.get("/registry", endpoint="registry")
def registry_index():
    """Pool a month; every batch with its status and figures; events, with the form to open one."""
    return _index_page(forms.PoolForm(formdata=None), forms.EventForm(formdata=None))


def _index_page(pool_form, event_form, error: str | None = None, status: int = 200):
    with read_session(engine()) as db:
        views = registry.batches(db)
        totals = registry.registry_totals(db)
        events = registry.events(db)
    page = render_template(
        "admin/registry/index.html",
        views=views,
        totals=totals,
        events=events,
        pool_form=pool_form,
        event_form=event_form,
        close_form=KeyedForm(formdata=None),
        new_key=new_key,
        error=error,
    )
    return page, status


@bp.post("/registry/pool")
def registry_pool():
    """Pool a month's eligible activities into a new batch, then show the batch."""
    form = forms.PoolForm()
    if not form.validate_on_submit():
        return _index_page(form, forms.EventForm(formdata=None), status=400)
    start, end = _month(form.month.data)
    try:
        with session_scope(engine()) as db:
            made = registry.pool(
                session=db,
                settings=settings(),
                actor_id=current_user.id,
                period_start=start,
                period_end=end,
                idempotency_key=form.idempotency_key.data,
            )
            serial = made.serial
    except DomainError as failure:
        return _index_page(form, forms.EventForm(formdata=None), message(failure, current_locale()), 400)
    flash(_("Batch %(serial)s pooled.", serial=serial), "success")
    return redirect(url_for("admin.registry_batch", serial=serial))


@bp.post("/registry/events")
def registry_event_open():
    """Open a carbon-neutral event for residents' donations."""
    form = forms.EventForm()
    if not form.validate_on_submit():
        return _index_page(forms.PoolForm(formdata=None), form, status=400)
    try:
        with session_scope(engine()) as db:
            registry.open_event(
                session=db,
                actor_id=current_user.id,
                slug=form.slug.data,
                name_zh=form.name_zh.data,
                name_en=form.name_en.data,
                target_grams=registry.grams_from_tonnes(form.target.data),
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _index_page(forms.PoolForm(formdata=None), form, message(failure, current_locale()), 400)
    flash(_("The event is open for donations."), "success")
    return redirect(url_for("admin.registry"))


@bp.post("/registry/events/<int:event_id>/close")
def registry_event_close(event_id: int):
    """Close an event: no more donations or retirements for it."""
    form = KeyedForm()
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            registry.close_event(
                session=db,
                actor_id=current_user.id,
                event_id=event_id,
                idempotency_key=form.idempotency_key.data,
            )
        flash(_("The event is closed."), "success")
    return redirect(url_for("admin.registry"))


# --- one batch -------------------------------------------------------------------------------------------


@bp.get("/registry/batches/<serial>")
def registry_batch(serial: str):
    """A batch's figures and the forms of its next steps."""
    return _batch_page(serial)


def _batch_page(serial: str, error: str | None = None, status: int = 200, posted=None):
    """The batch page; ``posted`` is the form sent (with its errors), the others are shown afresh."""
    with read_session(engine()) as db:
        detail = registry.batch(db, serial)
        events = [view.event for view in registry.events(db) if view.accepting]
        running = [c for c in campaigns.list_campaigns(session=db) if campaigns.status(c) != "ended"]
    shown = {kind: made(formdata=None) for kind, made in BATCH_FORMS.items()}
    if posted is not None:
        shown[_step()] = posted
    shown["retire"].source.choices = _sources(detail)
    shown["retire"].event.choices = [("", _("(none)"))] + [(str(e.id), e.name_zh) for e in events]
    shown["allocate"].campaign.choices = [(str(c.id), c.name_zh) for c in running]
    for kind, form in shown.items():  # several forms on one page: ids of their own (the names stay)
        for item in form:
            item.id = f"{kind}-{item.name}"
    page = render_template(
        "admin/registry/batch.html", detail=detail, b=detail.batch, forms=shown, error=error, step=_step()
    )
    return page, status


def _step() -> str | None:
    return request.view_args.get("step") if request.method == "POST" else None


def _sources(detail) -> list[tuple[str, str]]:
    """Where a retirement may come from: this batch, one of its sales (what is not retired yet), or the
    oldest issued batches first."""
    choices = [
        ("batch", _("This batch's available tonnes")),
        (commands.OLDEST, _("The oldest issued batches first")),
    ]
    for sale in detail.sales:
        left = sale.grams - sale.retired_grams
        if left > 0:
            label = _(
                "Sale to %(buyer)s (%(left)s not retired)", buyer=sale.buyer, left=registry.tonnes_text(left)
            )
            choices.append((f"sale-{sale.id}", label))
    return choices


@bp.post("/registry/batches/<serial>/<step>")
def registry_batch_step(serial: str, step: str):
    """One step of a batch (verify, issue, sell, retire or allocate revenue), then back to its page."""
    if step not in commands.STEPS:
        abort(404)
    with read_session(engine()) as db:
        batch_id = registry.batch(db, serial).batch.id
    form = BATCH_FORMS[step]()
    if not form.validate_on_submit():
        return _batch_page(serial, status=400, posted=form)
    try:
        with session_scope(engine()) as db:
            done = commands.STEPS[step](db, form, batch_id, actor_id=current_user.id, settings=settings())
    except DomainError as failure:
        return _batch_page(serial, message(failure, current_locale()), 400, posted=form)
    flash(done, "success")
    return redirect(url_for("admin.registry_batch", serial=serial))


# --- the verifier's files --------------------------------------------------------------------------------


@bp.get("/registry/batches/<serial>/records.csv")
def registry_records_csv(serial: str):
    """The batch's records for the verifier as CSV, streamed as they are read."""
    with read_session(engine()) as db:
        found = registry.batch(db, serial).batch
    batch_id, locale, bound, current = found.id, current_locale(), engine(), settings()

    def stream():
        with read_session(bound) as db:
            yield from registry.records_csv(session=db, settings=current, batch_id=batch_id, locale=locale)

    name = f"{found.serial}-records.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(stream(), mimetype="text/csv", headers=headers)


@bp.get("/registry/batches/<serial>/records.xlsx")
def registry_records_xlsx(serial: str):
    """The batch's records for the verifier as an Excel workbook (written to a temporary file)."""
    with read_session(engine()) as db:
        found = registry.batch(db, serial).batch  # NotFound before any file is made
        file = tempfile.TemporaryFile()  # removed when the response closes it
        try:
            registry.records_xlsx(
                session=db, settings=settings(), batch_id=found.id, file=file, locale=current_locale()
            )
        except BaseException:
            file.close()
            raise
    file.seek(0)
    name = f"{found.serial}-records.xlsx"
    response = send_file(file, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
