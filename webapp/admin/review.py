"""Admin: the review queue (pending entries, suspicious transit scans, accounts flagged by the daily anomaly
check), one entry's review page, approve, reject with a reason (a clawback, always: a debt when the points
were spent), bulk approve, the entry's photo, clearing or clawing back a flag, voiding a resident's unused
vouchers. Reads and decisions are carbon_credit.review's (vouchers: carbon_credit.rewards)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length

from carbon_credit import review, rewards
from carbon_credit.platform import uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import MESSAGES, message
from webapp.admin import review_text
from webapp.admin.blueprint import bp
from webapp.context import engine, settings
from webapp.forms import Form, KeyedForm
from webapp.i18n import current_locale

TABS = ("pending", "suspicious", "flagged")
# What the review pages use to put entries and evidence in words (webapp/admin/review_text.py).
IN_WORDS = {
    "in_words": review_text.in_words,
    "evidence_facts": review_text.evidence_facts,
    "reason_max": review.REASON_MAX,
}


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


class ClearFlagForm(KeyedForm):
    """Clear a flag: looked at, nothing wrong (one audited command; its key makes a double tap one)."""


class ClawBackForm(KeyedForm):
    """Claw back a flag: reject the flagged days' credited entries with a reason (one audited command)."""

    reason = TextAreaField(
        _l("Reason (shown to the resident)"),
        validators=[DataRequired(), Length(max=review.REASON_MAX)],
    )


class VoidVouchersForm(KeyedForm):
    """Void the resident's unused vouchers: points refunded, stock returned (one audited command)."""


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
        elif tab == "flagged":
            listing, reasons = review.flagged(session=db, page=page), []
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
        flag_forms={  # each flag its own forms, so each decision has its own key
            row.flag.id: (ClearFlagForm(formdata=None), ClawBackForm(formdata=None))
            for row in (listing.items if tab == "flagged" else [])
        },
        labelled={code.split(".", 1)[1] for code in MESSAGES if code.startswith("suspicious.")},
        **IN_WORDS,
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
    elif decision.debt:
        flash(
            _(
                "Rejected: %(points)s points taken back; they had been spent, so the resident owes %(debt)s.",
                points=decision.reversed_points,
                debt=decision.debt,
            )
        )
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


@bp.post("/review/flags/<int:id>/clear")
def review_flag_clear(id: int):
    """Clear a flagged account (looked at, nothing wrong); audited, once per key."""
    form = ClearFlagForm()
    if not form.validate_on_submit():
        abort(400)
    with session_scope(engine()) as db:
        outcome = review.clear_flag(
            session=db, flag_id=id, actor_id=current_user.id, idempotency_key=form.idempotency_key.data
        )
    flash(_t("review_flag_cleared" if outcome["changed"] else "review_flag_already_decided"))
    return redirect(url_for("admin.review_queue", tab="flagged"))


@bp.post("/review/flags/<int:id>/claw-back")
def review_flag_claw_back(id: int):
    """Claw back a flagged account: reject the flagged days' credited entries with a reason; audited."""
    form = ClawBackForm()
    if not form.validate_on_submit():
        flash(_t("review_reason_required", limit=review.REASON_MAX), "error")
        return redirect(url_for("admin.review_queue", tab="flagged"))
    with session_scope(engine()) as db:
        outcome = review.claw_back_flag(
            session=db,
            settings=settings(),
            flag_id=id,
            actor_id=current_user.id,
            idempotency_key=form.idempotency_key.data,
            reason=form.reason.data,
        )
    flash(
        _t("review_flag_clawed_back", **outcome) if outcome["changed"] else _t("review_flag_already_decided")
    )
    return redirect(url_for("admin.review_queue", tab="flagged"))


@bp.post("/review/residents/<int:resident_id>/void-vouchers")
def review_void_vouchers(resident_id: int):
    """Void a resident's unused vouchers (after a clawback): points refunded, stock returned; audited."""
    form = VoidVouchersForm()
    if not form.validate_on_submit():
        abort(400)
    with session_scope(engine()) as db:
        outcome = rewards.void_vouchers(
            session=db,
            actor_id=current_user.id,
            resident_id=resident_id,
            idempotency_key=form.idempotency_key.data,
        )
    flash(
        _t(
            "review_vouchers_voided",
            count=len(outcome["voided"]),
            refunded=outcome["refunded"],
            balance=outcome["balance"],
        )
    )
    back = request.form.get("back", "")
    return redirect(back if back.startswith("/admin/") else url_for("admin.review_queue"))


def _t(code: str, **params) -> str:
    """A catalogue message (carbon_credit/platform/messages) in the administrator's language."""
    return message(DomainError(code, **params), current_locale())


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
        standing = review.standing(session=db, resident_id=found.resident.id)
        unused = rewards.unused_vouchers(session=db, resident_id=found.resident.id)
    page = render_template(
        "admin/review/detail.html",
        item=found,
        standing=standing,
        unused=unused,
        void_form=VoidVouchersForm(formdata=None),
        approve_form=ApproveForm(),
        reject_form=reject_form or RejectForm(formdata=None),
        error=error,
        **IN_WORDS,
    )
    return page, status
