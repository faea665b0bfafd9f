"""Resident page: link, replace or unlink the transit card whose trips operators report (/account/card).

Linking and unlinking are naturally idempotent (carbon_credit.transit), so a double-tapped button changes
nothing twice; the form carries no idempotency key."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from carbon_credit import transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.context import engine
from webapp.forms import Form
from webapp.i18n import current_locale
from webapp.transit.views import bp


class CardForm(Form):
    action = HiddenField(default="link")
    card = StringField(
        _l("Transit card number"),
        validators=[Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


@bp.route("/account/card", methods=["GET", "POST"])
@login_required
def card():
    """The resident's transit card: link one (8-20 digits, not someone else's) or unlink it."""
    form = CardForm()
    error = None
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                if form.action.data == "unlink":
                    transit.unlink_card(session=db, resident_id=current_user.id)
                    flash(_("Your transit card was unlinked."), "success")
                else:
                    transit.link_card(session=db, resident_id=current_user.id, card=form.card.data or "")
                    flash(_("Your transit card is linked: operator trips will be credited."), "success")
            return redirect(url_for("transit.card"))
        except DomainError as failure:
            error = message(failure, current_locale())
    with read_session(engine()) as db:
        linked = transit.card_of(session=db, resident_id=current_user.id)
    status = 400 if form.is_submitted() else 200
    return render_template("resident/card.html", form=form, linked=linked, error=error), status
