"""Correcting one's profile (``/account/profile``) and deleting one's account (``/account/delete``).

Both call one operation (``residents.update_profile``, ``privacy.delete_account``) in one unit of work. A
deletion signs this browser out at once; the account's other sessions, remember-me cookies, API tokens and
chat link stop with it (the operation raises the session version and closes the account)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from carbon_credit import privacy, residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message, translate
from webapp.context import engine, settings
from webapp.extensions import limiter
from webapp.forms import Form
from webapp.i18n import current_locale

bp = Blueprint("account_edit", __name__)


class ProfileForm(Form):
    """Name, district and contacts; the password only when a contact (a login) changes."""

    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=64)])
    district = SelectField(_l("District"), choices=[], validate_choice=True)
    phone = StringField(_l("Mobile number"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    password = PasswordField(
        _l("Current password (only needed to change the mobile number or e-mail)"),
        validators=[Optional(), Length(max=128)],
    )


class DeleteForm(Form):
    """The password and the typed word 删除 (or DELETE)."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    confirmation = StringField(_l("Type DELETE to confirm"), validators=[DataRequired(), Length(max=32)])


def _district_choices(form: ProfileForm) -> None:
    with read_session(engine()) as db:
        found = residents.districts(session=db)
    zh = current_locale() != "en"
    form.district.choices = [("", _("Not chosen"))] + [
        (d.code, d.name_zh if zh else d.name_en) for d in found
    ]


def _fill(form: ProfileForm) -> None:
    """The form as the profile is now (on first showing)."""
    with read_session(engine()) as db:
        me = residents.get(session=db, resident_id=current_user.id)
        district = db.get(residents.District, me.district_id) if me.district_id else None
        form.display_name.data, form.phone.data, form.email.data = me.display_name, me.phone, me.email
        form.district.data = district.code if district else ""


@bp.route("/account/profile", methods=["GET", "POST"])
@limiter.limit(lambda: settings().login_rate_limit, methods=["POST"])
@login_required
def profile():
    """Correct the display name, district, mobile number and e-mail; changing a login needs the password."""
    form = ProfileForm()
    _district_choices(form)
    error = None
    if not form.is_submitted():
        _fill(form)
    elif form.validate():
        try:
            with session_scope(engine()) as db:
                change = residents.update_profile(
                    session=db,
                    settings=settings(),
                    resident_id=current_user.id,
                    display_name=form.display_name.data,
                    district_code=form.district.data or None,
                    phone=form.phone.data or None,
                    email=form.email.data or None,
                    password=form.password.data or None,
                    channel="web",
                )
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            if not change.changed:
                flash(_("Nothing was changed."), "success")
            elif change.login_changed:
                flash(
                    _("Your details were saved. Log in with the new mobile number or e-mail next time."),
                    "success",
                )
            else:
                flash(_("Your details were saved."), "success")
            return redirect(url_for("resident.account"))
    status = 400 if form.is_submitted() else 200
    return render_template("account/profile.html", form=form, error=error), status


@bp.route("/account/delete", methods=["GET", "POST"])
@limiter.limit(lambda: settings().login_rate_limit, methods=["POST"])
@login_required
def delete():
    """What a deletion erases and keeps, and the form (password + the typed word) that does it."""
    form = DeleteForm()
    error = None
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                privacy.delete_account(
                    session=db,
                    settings=settings(),
                    resident_id=current_user.id,
                    password=form.password.data,
                    confirmation=form.confirmation.data,
                    channel="web",
                )
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            logout_user()
            session.clear()
            flash(translate("account_deleted_done", current_locale()), "success")
            return redirect(url_for("public.landing"))
    status = 400 if form.is_submitted() else 200
    return render_template("account/delete.html", form=form, error=error), status
