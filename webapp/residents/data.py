"""The resident's own data (PIPL Art. 44-45): what the platform holds, section by section, and a copy to
download: as JSON or Excel at once for a small history, or prepared in the background as one ZIP for a large
one (a page that refreshes itself shows the progress, then the download); the photo files as a ZIP. Only
ever the signed-in resident's own data: a copy's id in the URL is looked up among their own copies."""

from __future__ import annotations

import tempfile

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from carbon_credit import exports, privacy
from carbon_credit.platform.database import read_session, session_scope
from webapp.context import engine, settings
from webapp.forms import KeyedForm
from webapp.i18n import current_locale

bp = Blueprint("privacy_data", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRIVATE = {"Cache-Control": "no-store"}
REFRESH_SECONDS = 3


class CopyForm(KeyedForm):
    """Ask for a copy prepared in the background (a fresh key each time: a double tap asks once)."""


@bp.get("/account/data")
@login_required
def index():
    """Each section of the resident's data with how many records it holds, the latest staff access, and
    the downloads: JSON and Excel at once, or a copy to prepare for a large history; the photos."""
    with read_session(engine()) as db:
        sections = privacy.data_summary(session=db, resident_id=current_user.id, locale=current_locale())
        looked = privacy.staff_access(session=db, resident_id=current_user.id)
        photos = privacy.photo_count(session=db, resident_id=current_user.id)
        copy = privacy.latest_copy(session=db, resident_id=current_user.id)
    page = render_template(
        "privacy_data/index.html",
        held=[s for s in sections if s.count],
        empty=[s for s in sections if not s.count],
        looked=looked,
        large=privacy.is_large([s.count for s in sections]),
        photos=photos,
        copy=copy,
        until=privacy.available_until(copy) if copy else None,
        form=CopyForm(),
    )
    return page, 200, PRIVATE


@bp.post("/account/data/copy")
@login_required
def copy_request():
    """Ask for a copy prepared in the background (or see the one already being prepared), start it in a
    thread, and show its progress."""
    form = CopyForm()
    if not form.validate():
        return redirect(url_for("privacy_data.index"))
    with session_scope(engine()) as db:
        job = privacy.request_copy(
            session=db,
            resident_id=current_user.id,
            idempotency_key=form.idempotency_key.data,
            locale=current_locale(),
        )
    if job.status == "queued":
        exports.run_in_background(engine=engine(), settings=settings(), job_id=job.id)
    return redirect(url_for("privacy_data.copy_status", job_id=job.id))


@bp.get("/account/data/copy/<int:job_id>")
@login_required
def copy_status(job_id: int):
    """One of the resident's copies: its progress (the page refreshes itself while it is prepared), then
    the download button until the file is deleted. Anyone else's copy is not found."""
    with read_session(engine()) as db:
        job = privacy.get_copy(session=db, resident_id=current_user.id, job_id=job_id)
    running = job.status in exports.UNFINISHED
    percent = min(100, job.done_rows * 100 // job.total_rows) if job.total_rows else 0
    page = render_template(
        "privacy_data/copy.html",
        job=job,
        running=running,
        percent=percent,
        refresh=REFRESH_SECONDS,
        until=privacy.available_until(job),
        form=CopyForm(),
    )
    headers = {"Refresh": str(REFRESH_SECONDS), **PRIVATE} if running else PRIVATE
    return page, 200, headers


@bp.get("/account/data/copy/<int:job_id>/download")
@login_required
def copy_download(job_id: int):
    """The finished copy (a ZIP: data.json, data.xlsx, photos/), to its owner only."""
    with read_session(engine()) as db:
        path, name = privacy.download_copy(
            session=db, settings=settings(), resident_id=current_user.id, job_id=job_id
        )
    response = send_file(path, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers.update(PRIVATE)
    return response


@bp.get("/account/data/photos.zip")
@login_required
def photos_zip():
    """The resident's own photo files as a ZIP, written to a temporary file (not memory) and sent from
    there; not found when they hold none."""
    file = tempfile.TemporaryFile()  # removed when the response closes it
    with read_session(engine()) as db:
        count = privacy.write_photos_zip(
            session=db, settings=settings(), resident_id=current_user.id, file=file
        )
    if not count:
        file.close()
        abort(404)
    file.seek(0)
    name = privacy.photos_name(current_user.id)
    response = send_file(file, mimetype="application/zip", as_attachment=True, download_name=name, max_age=0)
    response.headers.update(PRIVATE)
    return response


@bp.get("/account/data/export.json")
@login_required
def export_json():
    """The resident's data as one JSON document, streamed as it is read (a large history never sits in
    memory)."""
    stream = privacy.json_stream(engine=engine(), resident_id=current_user.id, locale=current_locale())
    return Response(
        stream, mimetype="application/json", headers=_download(privacy.export_name(current_user.id, "json"))
    )


@bp.get("/account/data/export.xlsx")
@login_required
def export_xlsx():
    """The resident's data as an Excel workbook, one sheet per section, written to a temporary file (not
    memory) and sent from there."""
    file = tempfile.TemporaryFile()  # removed when the response closes it
    with read_session(engine()) as db:
        privacy.export_xlsx(session=db, resident_id=current_user.id, file=file, locale=current_locale())
    file.seek(0)
    name = privacy.export_name(current_user.id, "xlsx")
    response = send_file(file, mimetype=XLSX, as_attachment=True, download_name=name, max_age=0)
    response.headers.update(PRIVATE)
    return response


def _download(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"', **PRIVATE}
