"""Admin: Excel exports (campaign report, auditor export) queued as background jobs, with progress and a
download when ready. The status page refreshes itself every 2 s while the job runs (no JavaScript)."""

from __future__ import annotations

from flask import redirect, render_template, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from carbon_credit import exports as exporting
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import KeyedForm
from webapp.i18n import current_locale

REFRESH_SECONDS = 2


class CampaignReportForm(KeyedForm):
    """Queue a campaign report (a fresh key each time the form is shown: a double tap queues one job)."""

    kind = HiddenField(default="campaign_report")
    campaign_id = SelectField(_l("Campaign"), coerce=int, validate_choice=True)


class AuditorForm(KeyedForm):
    """Queue an auditor export of a date range (keyed like the campaign report form)."""

    kind = HiddenField(default="auditor")
    day_from = DateField(_l("From"), validators=[DataRequired()])
    day_to = DateField(_l("To"), validators=[DataRequired()])


def _forms():
    """Both forms (the one posted with the submitted values), each with its idempotency key."""
    with read_session(engine()) as db:
        choices = exporting.campaign_choices(session=db, locale=current_locale())
    posted = request.form.get("kind") if request.method == "POST" else None
    campaign = CampaignReportForm(formdata=None if posted != "campaign_report" else request.form)
    auditor = AuditorForm(formdata=None if posted != "auditor" else request.form)
    campaign.campaign_id.choices = [SelectChoice(str(i), name) for i, name in choices]
    return campaign, auditor


def _page(campaign, auditor, error=None, status=200):
    with read_session(engine()) as db:
        jobs = exporting.recent(session=db)
    page = render_template(
        "admin/exports/index.html", jobs=jobs, campaign=campaign, auditor=auditor, error=error
    )
    return page, status


@bp.get("/exports")
def exports():
    """Recent export jobs and the forms to start a campaign report or an auditor export."""
    return _page(*_forms())


@bp.post("/exports")
def export_start():
    """Queue an export, start it in a background thread, and show its progress."""
    campaign, auditor = _forms()
    form = campaign if request.form.get("kind") == "campaign_report" else auditor
    if not form.validate():
        return _page(campaign, auditor, status=400)
    if form is campaign:
        params = {"campaign_id": campaign.campaign_id.data}
    else:
        params = {"day_from": auditor.day_from.data, "day_to": auditor.day_to.data}
    try:
        with session_scope(engine()) as db:
            job = exporting.start(
                session=db,
                actor_id=current_user.id,
                kind=form.kind.data,
                params=params,
                idempotency_key=form.idempotency_key.data,
                locale=current_locale(),
            )
    except DomainError as failure:
        return _page(campaign, auditor, error=message(failure, current_locale()), status=400)
    if job.status == "queued":
        exporting.run_in_background(engine=engine(), settings=settings(), job_id=job.id)
    return redirect(url_for("admin.export_status", job_id=job.id))


@bp.get("/exports/<int:job_id>")
def export_status(job_id: int):
    """One job's progress; refreshes every 2 s while it is queued or running."""
    with read_session(engine()) as db:
        job = exporting.get(session=db, job_id=job_id)
    running = job.status in ("queued", "running")
    page = render_template(
        "admin/exports/status.html",
        job=job,
        running=running,
        refresh=REFRESH_SECONDS,
        name=exporting.download_name(job),
    )
    headers = {"Refresh": str(REFRESH_SECONDS)} if running else {}
    return page, 200, headers


@bp.get("/exports/<int:job_id>/download")
def export_download(job_id: int):
    """The finished workbook (administrators only, like every /admin page)."""
    with read_session(engine()) as db:
        path, name = exporting.download(session=db, settings=settings(), job_id=job_id)
    return send_file(
        path,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
        max_age=0,
    )
