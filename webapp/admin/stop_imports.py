"""Admin: the stops and routes import, upload -> preview -> confirm (service: carbon_credit.stops)."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user

from carbon_credit import stops
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.admin.stop_forms import ConfirmImportForm, ImportForm, shown
from webapp.admin.uploads import takes_spreadsheet
from webapp.context import engine, settings
from webapp.i18n import current_locale


@bp.route("/stops/import", methods=["GET", "POST"])
@takes_spreadsheet(lambda: stops.IMPORT_FILE_LIMITS)
def stops_import():
    """GET: the upload form and the column list; POST: check the file and preview what it would do."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _upload_page(form, status=400 if form.is_submitted() else 200)
    upload = form.file.data
    data = upload.read(stops.IMPORT_FILE_LIMITS.max_bytes + 1)
    try:
        with read_session(engine()) as db:
            staged = stops.stage_import(
                session=db, settings=settings(), data=data, filename=upload.filename or ""
            )
    except DomainError as failure:
        return _upload_page(form, message(failure, current_locale()), 400)
    confirm = shown(ConfirmImportForm, name=staged.name, sha256=staged.sha256, filename=staged.filename[:255])
    status = 200 if staged.preview.ok else 400
    page = render_template(
        "admin/stops/preview.html", staged=staged, confirm=confirm, locale=current_locale()
    )
    return page, status


@bp.post("/stops/import/confirm")
def stops_import_confirm():
    """Apply a previewed file in one transaction (nothing at all if anything is wrong)."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.stops_import"))
    try:
        with session_scope(engine()) as db:
            result = stops.apply_import(
                session=db,
                settings=settings(),
                actor_id=current_user.id,
                name=form.name.data,
                sha256=form.sha256.data,
                filename=form.filename.data or "",
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _upload_page(ImportForm(), message(failure, current_locale()), 400)
    stops.discard_import(settings=settings(), name=form.name.data)
    return render_template("admin/stops/imported.html", result=result)


def _upload_page(form: ImportForm, error: str | None = None, status: int = 200):
    page = render_template("admin/stops/import.html", form=form, columns=stops.IMPORT_COLUMNS, error=error)
    return page, status
