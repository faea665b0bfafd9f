"""Admin: operator trip imports (upload an XLSX/CSV trip file, follow its progress, resume it); service:
carbon_credit.transit.

Uploading and resuming are audited, idempotent commands: a double-tapped button replays the first outcome,
the same file (by SHA-256) is the same batch, and a batch continues from its ``next_row``, so nothing is
credited twice."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField

from carbon_credit import transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from webapp.admin.blueprint import bp
from webapp.admin.uploads import takes_spreadsheet
from webapp.context import engine, settings
from webapp.forms import KeyedForm
from webapp.i18n import current_locale

UPLOAD_BUDGET_S = 20  # seconds of import work in the upload request; the rest continues on resume/scheduler


class UploadForm(KeyedForm):
    file = FileField(_l("Trip file (.xlsx or .csv)"), render_kw={"accept": ".xlsx,.csv"})


def reason_text(problem: dict) -> str:
    """A row problem's reason in the current language."""
    return translate(problem["reason"], current_locale(), **(problem.get("params") or {}))


@bp.get("/imports")
def imports():
    """Operator trip imports: the upload form and the latest batches with their progress."""
    return _list_page(UploadForm())


@bp.post("/imports/upload")
@takes_spreadsheet(lambda: transit.TRIP_FILE_LIMITS)
def import_upload():
    """Store the uploaded trip file as a batch (or find the same file's batch) and import what fits in
    ``UPLOAD_BUDGET_S`` seconds; the detail page shows the progress."""
    form = UploadForm()
    upload = form.file.data
    if not form.validate_on_submit() or upload is None or not getattr(upload, "filename", ""):
        return _list_page(form, _("Please choose a trip file."), 400)
    try:
        with session_scope(engine()) as db:
            batch, created = transit.create_batch(
                session=db,
                settings=settings(),
                actor_id=current_user.id,
                filename=upload.filename,
                data=upload.read(transit.TRIP_FILE_LIMITS.max_bytes + 1),
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _list_page(form, message(failure, current_locale()), 400)
    if not created and batch.status == "done":
        flash(_("This file was already imported; nothing was credited again."))
        return redirect(url_for("admin.import_detail", id=batch.id))
    batch = transit.process_batch(
        engine=engine(), settings=settings(), batch_id=batch.id, max_seconds=UPLOAD_BUDGET_S
    )
    if not created:
        flash(_("This file was uploaded before; its import continued where it stopped."))
    return redirect(url_for("admin.import_detail", id=batch.id))


@bp.get("/imports/<int:id>")
def import_detail(id: int):
    """One batch: progress, credited and skipped counts, and its row errors."""
    with read_session(engine()) as db:
        batch = transit.get_batch(session=db, batch_id=id)
    return render_template(
        "admin/imports/detail.html", batch=batch, form=KeyedForm(), reason_text=reason_text
    )


@bp.post("/imports/<int:id>/resume")
def import_resume(id: int):
    """Continue an unfinished batch from its next row (after a crash or a time budget ran out)."""
    form = KeyedForm()
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            transit.resume_batch(
                session=db, actor_id=current_user.id, batch_id=id, idempotency_key=form.idempotency_key.data
            )
        transit.process_batch(engine=engine(), settings=settings(), batch_id=id, max_seconds=UPLOAD_BUDGET_S)
    return redirect(url_for("admin.import_detail", id=id))


def _list_page(form: UploadForm, error: str | None = None, status: int = 200):
    with read_session(engine()) as db:
        found = transit.list_batches(session=db)
    page = render_template(
        "admin/imports/index.html",
        form=form,
        batches=found,
        error=error,
        columns=transit.TRIP_COLUMNS,
        max_mb=transit.TRIP_FILE_LIMITS.max_bytes // (1024 * 1024),
    )
    return page, status
