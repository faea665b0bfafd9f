"""Admin: the review queue (pending entries, suspicious transit scans), one entry's review page, approve,
reject with a reason, bulk approve, and the entry's photo. Reads and decisions are carbon_credit.review's."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from carbon_credit import review
from carbon_credit.platform import uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import MESSAGES, message
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import Form
from webapp.i18n import current_locale

TABS = ("pending", "suspicious")


class ApproveForm(Form):
    """Approve one entry (CSRF only, no idempotency key: the decision is idempotent by the entry's state)."""


class RejectForm(Form):
    """Reject one entry with a reason (idempotent by the entry's state: rejecting twice changes nothing)."""

    reason = TextAreaField(
        _l("Reason (shown to the resident)"),
        validators=[DataRequired(), Length(max=review.REASON_MAX)],
    )


class BulkApproveForm(Form):
    """Approve the selected entries (idempotent by their state: sending the form twice credits once)."""

    ids = SelectMultipleField(_l("Entries to approve"), coerce=int, validate_choice=False)


@bp.get("/review", endpoint="review_queue")
def queue():
    """The queue: entries waiting for review (tab "pending") or refused transit scans ("suspicious")."""
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "pending"
    page = request.args.get("page", 1, type=int)
    reason = request.args.get("reason") or None
    with read_session(engine()) as db:
        if tab == "suspicious":
            listing = review.suspicious(session=db, page=page, reason=reason)
            reasons = review.suspicious_reasons(session=db)
        else:
            listing, reasons = review.pending(session=db, page=page), []
    return render_template(
        "admin/review/queue.html",
        tab=tab,
        listing=listing,
        reasons=reasons,
        reason=reason,
        form=BulkApproveForm(),
        days=review.SUSPICIOUS_DAYS,
        labelled={code.split(".", 1)[1] for code in MESSAGES if code.startswith("suspicious.")},
    )


@bp.get("/review/<int:id>")
def review_detail(id: int):
    """One entry: what was entered, why it waits, its photo, the resident's trust level; approve or reject."""
    return _detail_page(id)


@bp.post("/review/<int:id>/approve")
def review_approve(id: int):
    """Approve (credit) one entry; approving it again does nothing."""
    if not ApproveForm().validate_on_submit():
        abort(400)
    try:
        with session_scope(engine()) as db:
            decision = review.approve(
                session=db, settings=settings(), activity_id=id, actor_id=current_user.id
            )
    except DomainError as error:
        return _detail_page(id, error=message(error, current_locale()), status=400)
    if decision.changed:
        flash(_("Approved: %(points)s points credited.", points=decision.points))
    else:
        flash(_("This entry was already approved; nothing changed."))
    return redirect(url_for("admin.review_queue"))


@bp.post("/review/<int:id>/reject")
def review_reject(id: int):
    """Reject one entry with a reason; a credited one is reversed (refused if the points were spent)."""
    form = RejectForm()
    if not form.validate_on_submit():
        return _detail_page(id, reject_form=form, status=400)
    try:
        with session_scope(engine()) as db:
            decision = review.reject(
                session=db,
                settings=settings(),
                activity_id=id,
                actor_id=current_user.id,
                reason=form.reason.data,
            )
    except DomainError as error:
        return _detail_page(id, reject_form=form, error=message(error, current_locale()), status=400)
    if not decision.changed:
        flash(_("This entry was already rejected; nothing changed."))
    elif decision.reversed_points:
        flash(_("Rejected: %(points)s points taken back.", points=decision.reversed_points))
    else:
        flash(_("Rejected."))
    return redirect(url_for("admin.review_queue"))


@bp.post("/review/bulk-approve")
def review_bulk_approve():
    """Approve the selected entries in one transaction (each one audited and notified)."""
    form = BulkApproveForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.ids.data:
        flash(message(DomainError("review_nothing_selected"), current_locale()), "error")
        return redirect(url_for("admin.review_queue"))
    with session_scope(engine()) as db:
        decisions = review.bulk_approve(
            session=db, settings=settings(), activity_ids=form.ids.data, actor_id=current_user.id
        )
    done = sum(d.changed for d in decisions)
    flash(_("%(count)s entries approved, %(skipped)s unchanged.", count=done, skipped=len(decisions) - done))
    return redirect(url_for("admin.review_queue"))


@bp.get("/review/<int:id>/photo")
def review_photo(id: int):
    """The photo attached to an entry, for the reviewer (the resident's own route serves only its owner)."""
    with read_session(engine()) as db:
        name = review.photo_of(session=db, activity_id=id)
    path = uploads.photo_path(settings=settings(), name=name)
    if not path.is_file():
        abort(404)
    return send_file(path, max_age=0)


def _detail_page(id: int, *, reject_form: RejectForm | None = None, error: str | None = None, status=200):
    with read_session(engine()) as db:
        found = review.detail(session=db, activity_id=id)
    page = render_template(
        "admin/review/detail.html",
        item=found,
        approve_form=ApproveForm(),
        reject_form=reject_form or RejectForm(formdata=None),
        error=error,
    )
    return page, status
