"""Personal API token pages: list, create (the token is shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from carbon_credit import residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.context import engine
from webapp.forms import Form, KeyedForm, new_key
from webapp.i18n import current_locale

bp = Blueprint("tokens", __name__)
NEW_TOKEN = "new_api_token"  # session slot: the token just created, until the list is shown again


class CreateTokenForm(KeyedForm):
    """Name a new token (its key makes a double-tapped button create one token)."""

    name = StringField(
        _l("Token name (e.g. the app or script that uses it)"),
        validators=[DataRequired(), Length(max=residents.MAX_NAME)],
    )


class RevokeForm(Form):
    """Only the CSRF token: the token id is in the URL."""


def _index(form: CreateTokenForm, error: str | None = None, status: int = 200):
    form.idempotency_key.data = new_key()  # a fresh key whenever the form is shown, after an error too
    with read_session(engine()) as db:
        tokens = residents.tokens_of(session=db, resident_id=current_user.id)
    page = render_template("tokens/index.html", form=form, revoke=RevokeForm(), tokens=tokens, error=error)
    return page, status


@bp.get("/account/tokens")
@login_required
def index():
    """The resident's API tokens (name, prefix, created, last used, revoked) and a form to create one."""
    session.pop(NEW_TOKEN, None)  # a new token is shown once: leaving its page forgets it
    return _index(CreateTokenForm())


@bp.post("/account/tokens")
@login_required
def create():
    """Create a token and show it once; it is stored only as a hash. A double-tapped button (the same
    hidden key) creates one token and shows it again instead of a second one."""
    form = CreateTokenForm()
    if not form.validate_on_submit():
        return _index(form, status=400)
    earlier = session.get(NEW_TOKEN)
    if earlier and earlier["key"] == form.idempotency_key.data:
        return _created(earlier["name"], earlier["token"])
    try:
        with session_scope(engine()) as db:
            token, plaintext = residents.create_token(
                session=db, resident_id=current_user.id, name=form.name.data
            )
    except DomainError as failure:
        return _index(form, error=message(failure, current_locale()), status=400)
    session[NEW_TOKEN] = {"key": form.idempotency_key.data, "name": token.name, "token": plaintext}
    return _created(token.name, plaintext)


def _created(name: str, plaintext: str):
    page = render_template("tokens/created.html", name=name, plaintext=plaintext)
    return page, 201, {"Cache-Control": "no-store"}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int):
    """Revoke one of the resident's tokens: requests with it are refused from now on."""
    if not RevokeForm().validate_on_submit():
        return _index(CreateTokenForm(formdata=None), status=400)
    try:
        with session_scope(engine()) as db:
            residents.revoke_token(session=db, resident_id=current_user.id, token_id=token_id)
    except DomainError as failure:
        return _index(CreateTokenForm(formdata=None), error=message(failure, current_locale()), status=404)
    flash(_("The token was revoked."), "success")
    return redirect(url_for("tokens.index"))
