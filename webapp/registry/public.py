"""Public registry pages (no login, zh/en): every batch with the totals and the events in progress, the same
as CSV and XLSX, a batch in detail with its corrections, a certificate's verification page (what a buyer
sees when scanning its QR code) and an event's progress. An unknown serial or slug gets a 404 page that says
which number was not found."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from markupsafe import Markup

from carbon_credit import registry
from carbon_credit.platform.database import read_session
from carbon_credit.platform.errors import NotFound
from carbon_credit.platform.i18n import message
from webapp.context import engine, settings
from webapp.i18n import current_locale
from webapp.registry import data

bp = Blueprint("registry", __name__)


@bp.app_template_filter("tonnes")
def tonnes(grams: int | None) -> str:
    """Grams as ``1.234567 t`` (exact, six decimals); an empty figure as a dash."""
    return "—" if grams is None else registry.tonnes_text(grams)


@bp.app_template_filter("yuan")
def yuan(fen: int | None) -> str:
    """Fen as ``¥1,234.50``."""
    return "—" if fen is None else registry.yuan_text(fen)


@bp.app_template_global("registry_open_events")
def registry_open_events() -> list:
    """The events taking donations now (for the card on /me and the landing page's registry section)."""
    with read_session(engine()) as db:
        return [view for view in registry.events(db) if view.accepting]


@bp.app_template_global("registry_summary")
def registry_summary():
    """The registry's totals (for the landing page's registry section)."""
    with read_session(engine()) as db:
        return registry.registry_totals(db)


def not_found(failure: NotFound):
    """The clear 404 page: which serial or event was not found, and where to look instead."""
    text = message(failure, current_locale())
    return render_template("registry/not_found.html", message=text), 404


@bp.get("/registry")
def index():
    """Every batch (serial, period, tCO2e, status, methodology mix, verifier and issuance references, sold
    and retired), the registry's totals, and the events taking donations."""
    with read_session(engine()) as db:
        views = registry.batches(db)
        totals = registry.registry_totals(db)
        events = [view for view in registry.events(db) if view.accepting]
    return render_template("registry/index.html", views=views, totals=totals, events=events)


@bp.get("/registry.csv")
def registry_csv():
    """The registry as CSV (UTF-8 with a BOM, so Excel reads the Chinese headers)."""
    with read_session(engine()) as db:
        text = data.registry_csv(registry.batches(db))
    headers = {"Content-Disposition": 'attachment; filename="xiaogan-registry.csv"'}
    return text, 200, {"Content-Type": "text/csv; charset=utf-8", **headers}


@bp.get("/registry.xlsx")
def registry_xlsx():
    """The registry as an Excel workbook (the same rows as the CSV)."""
    with read_session(engine()) as db:
        file = data.registry_xlsx(registry.batches(db))
    return send_file(file, mimetype=data.XLSX, as_attachment=True, download_name="xiaogan-registry.xlsx")


@bp.get("/registry/batches/<serial>")
def batch(serial: str):
    """One batch: its figures at each step, totals by behaviour and methodology, exclusions, corrections
    against it and deducted in it, sales and the certificates drawing from it."""
    try:
        with read_session(engine()) as db:
            detail = registry.batch(db, serial)
    except NotFound as failure:
        return not_found(failure)
    return render_template("registry/batch.html", detail=detail, b=detail.batch)


@bp.get("/registry/certificates")
def find_certificate():
    """The "check a certificate" form's answer: the certificate's page for the number typed."""
    serial = (request.args.get("serial") or "").strip()[:40]
    if not serial:
        return redirect(url_for("registry.index", _anchor="check"))
    return redirect(url_for("registry.certificate", serial=serial))


@bp.get("/registry/certificates/<serial>")
def certificate(serial: str):
    """A certificate's verification page (its QR code opens it): quantity, the batches it draws from,
    beneficiary, purpose and date, with a "this certificate is valid" box; printable on A4."""
    try:
        with read_session(engine()) as db:
            view = registry.certificate(db, serial)
    except NotFound as failure:
        return not_found(failure)
    # The SVG is made here from the certificate's own URL, never from user-supplied markup.
    qr = Markup(registry.certificate_qr(settings(), view.serial, request.host_url))  # noqa: S704
    url = registry.certificate_url(settings(), view.serial, request.host_url)
    return render_template("registry/certificate.html", c=view, qr=qr, url=url)


@bp.get("/registry/events/<slug>")
def event(slug: str):
    """An event's progress toward its target, its certificates, and (signed-in residents) a donate form."""
    try:
        with read_session(engine()) as db:
            view = registry.event(db, slug)
            given = registry.certificates_of_event(db, view.event.id)
    except NotFound as failure:
        return not_found(failure)
    return render_template("registry/event.html", view=view, e=view.event, given=given)
