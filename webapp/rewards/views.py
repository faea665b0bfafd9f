"""Rewards catalogue, redemption, vouchers and voucher verification."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from carbon_credit import residents, review, rewards
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import message
from carbon_credit.platform.qr_images import qr_png, qr_svg
from webapp.context import engine, settings
from webapp.forms import Form, KeyedForm
from webapp.i18n import current_locale

bp = Blueprint("rewards", __name__)

# Pages that show voucher codes (bearer codes: whoever holds one can use it) are never stored by a browser
# or a proxy: the voucher list, a voucher and its QR image, the redemption that issues one, verification.
NO_STORE = {
    "rewards.my_vouchers",
    "rewards.voucher",
    "rewards.voucher_png",
    "rewards.redeem",
    "rewards.verify",
}


@bp.after_request
def no_store(response):
    """``Cache-Control: no-store`` on the pages that show voucher codes (see NO_STORE)."""
    if request.endpoint in NO_STORE:
        response.headers["Cache-Control"] = "no-store"
    return response


class RedeemForm(KeyedForm):
    """Confirm a redemption (its key makes a double tap one voucher)."""


class VerifyForm(Form):
    """A voucher code to mark used (idempotent by the voucher's state: used once, then refused)."""

    code = StringField(_l("Voucher code"), validators=[DataRequired(), Length(max=60)])


@bp.get("/rewards")
def catalogue():
    """Browse the rewards (public); signed-in residents also see their balance and a Redeem link."""
    resident_id = current_user.id if current_user.is_authenticated else None
    with read_session(engine()) as db:
        page = rewards.catalogue_page(session=db, resident_id=resident_id)
    return render_template("rewards/catalogue.html", page=page)


@bp.route("/rewards/<int:reward_id>/redeem", methods=["GET", "POST"])
@login_required
def redeem(reward_id: int):
    """Confirm a redemption; the POST spends the points and shows the new voucher."""
    form = RedeemForm()
    error = None
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                voucher = rewards.redeem(
                    session=db,
                    settings=settings(),
                    resident_id=current_user.id,
                    reward_id=reward_id,
                    idempotency_key=form.idempotency_key.data,
                )
        except NotFound:
            raise
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            flash(_("Redeemed! Show this voucher at the counter."), "success")
            return redirect(url_for("rewards.voucher", code=voucher.code))
    with read_session(engine()) as db:
        reward = rewards.get_reward(session=db, reward_id=reward_id)
        standing = review.standing(session=db, resident_id=current_user.id)
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "rewards/redeem.html",
        form=form,
        reward=reward,
        balance=standing.balance,
        standing=standing,
        error=error,
        open=rewards.is_open(reward),
    )
    return page, status


@bp.get("/vouchers")
@login_required
def my_vouchers():
    """The signed-in resident's vouchers, newest first, with their status."""
    with read_session(engine()) as db:
        held = rewards.vouchers_of(session=db, resident_id=current_user.id)
    return render_template("rewards/vouchers.html", held=held)


@bp.get("/vouchers/<code>")
@login_required
def voucher(code: str):
    """One of the resident's own vouchers: the code in large text and its QR code."""
    with read_session(engine()) as db:
        found, reward = rewards.voucher_for(session=db, resident_id=current_user.id, code=code)
    # The SVG is generated here from the voucher code, never from user-supplied markup.
    qr = Markup(qr_svg(found.code))  # noqa: S704
    return render_template("rewards/voucher.html", voucher=found, reward=reward, qr=qr)


@bp.get("/vouchers/<code>/qr.png")
@login_required
def voucher_png(code: str):
    """The voucher's QR code as a PNG (own vouchers only)."""
    with read_session(engine()) as db:
        found, _reward = rewards.voucher_for(session=db, resident_id=current_user.id, code=code)
    response = make_response(qr_png(found.code))
    response.headers["Content-Type"] = "image/png"
    return response


@bp.route("/verify", methods=["GET", "POST"])
@login_required
def verify():
    """Merchants and administrators enter (or scan) a voucher code and mark it used; the outcome is shown big:
    used now (hand over the reward), already used (when and by whom), voided, another merchant's, unknown."""
    if not rewards.can_verify(current_user.role):
        abort(403)
    form = VerifyForm()
    error = used = first_use_by_me = refusal = used_by = None
    checked = rewards.normalise_code(form.code.data or "") if form.is_submitted() else ""
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                used = rewards.use_voucher(
                    session=db, code=form.code.data, staff_id=current_user.id, staff_role=current_user.role
                )
        except DomainError as failure:
            error, refusal = message(failure, current_locale()), failure.code
            first_use_by_me = failure.params.get("used_by") == current_user.id
            if failure.params.get("used_by") is not None:
                with read_session(engine()) as db:
                    used_by = residents.get(session=db, resident_id=failure.params["used_by"]).display_name
        else:
            form.code.data = ""
    status = 400 if error or (form.is_submitted() and form.errors) else 200
    page = render_template(
        "rewards/verify.html",
        form=form,
        error=error,
        refusal=refusal,
        used=used,
        used_by=used_by,
        checked=checked,
        first_use_by_me=first_use_by_me,
    )
    return page, status
