"""QR check-in at transit stops: a poster's URL /s/<token> says what a scan will do; one button does it."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user, login_required

from carbon_credit import transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from webapp.context import engine, settings
from webapp.extensions import limiter
from webapp.forms import KeyedForm, new_key
from webapp.i18n import current_locale

bp = Blueprint("transit", __name__)


@bp.route("/s/<token>", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: settings().checkin_rate_limit, methods=["POST"])
def checkin(token: str):
    """GET: the stop and what a scan here does (tap in, tap out); POST: do it and show the outcome."""
    form = KeyedForm()  # the single check-in button
    if form.validate_on_submit():
        return _scan(token, form.idempotency_key.data)
    try:
        with read_session(engine()) as db:
            view = transit.preview(session=db, settings=settings(), resident_id=current_user.id, token=token)
    except DomainError as failure:
        return _invalid(failure)
    status = 400 if form.is_submitted() else 200
    form.idempotency_key.data = new_key()  # shown again after a refused submission too
    return render_template("transit/checkin.html", form=form, preview=view), status


def _scan(token: str, key: str):
    failure = None
    with session_scope(engine()) as db:
        try:
            result = transit.scan(
                session=db, settings=settings(), resident_id=current_user.id, token=token, idempotency_key=key
            )
        except DomainError as error:
            failure = error  # caught inside the unit of work, so the rejection record is committed
    if failure is not None:
        return _invalid(failure)
    reason = translate(result.reason, current_locale(), **result.params) if result.reason else None
    return render_template(
        "transit/result.html",
        result=result,
        reason=reason,
        next=transit.next_step(result.kind, result.reason),
        token=token,
        reference=f"R{result.rejection_id}" if result.rejection_id else None,
        activity_url=_url("resident.activity", id=result.activity_id) if result.activity_id else None,
        home_url=_url("resident.home"),
    )


def _invalid(failure: DomainError):
    """The clear refusal page for a forged, damaged or replaced poster (nothing credited), status 400, with
    the ways on: the scan page and the resident's home."""
    detail = failure.params.get("reason")
    detail_text = translate(detail, current_locale()) if detail else None
    text = message(failure, current_locale())
    page = render_template(
        "transit/invalid.html", message=text, detail=detail_text, home_url=_url("resident.home")
    )
    return page, 400


def _url(endpoint: str, **values) -> str | None:
    """A link to another blueprint's page, or None while that page does not exist."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None
