"""The resident's own data (PIPL Art. 44-45): what the platform holds, section by section, and a copy to
download as JSON or Excel. Only ever the signed-in resident's own data: no id is taken from the URL."""

from __future__ import annotations

import tempfile

from flask import Blueprint, render_template, send_file
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from carbon_credit import privacy
from carbon_credit.platform.database import read_session
from webapp.context import engine
from webapp.i18n import current_locale

bp = Blueprint("privacy_data", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRIVATE = {"Cache-Control": "no-store"}


@bp.get("/account/data")
@login_required
def index():
    """Each section of the resident's data with how many records it holds, the latest staff access, and
    the two download buttons."""
    with read_session(engine()) as db:
        sections = privacy.data_summary(session=db, resident_id=current_user.id, locale=current_locale())
        looked = privacy.staff_access(session=db, resident_id=current_user.id)
    held = [s for s in sections if s.count]
    empty = [s for s in sections if not s.count]
    page = render_template("privacy_data/index.html", held=held, empty=empty, looked=looked)
    return page, 200, PRIVATE


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
