"""Resident page: claim, replace or unlink the transit card whose trips operators report (/account/card).

A card is claimed with proof (carbon_credit.transit.claim_card): the resident names the day and the boarding
stop of one recent trip on it, or asks an administrator to confirm it. A claim on a card that is already
someone's waits for an administrator. Claiming the same card again and unlinking are idempotent."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from carbon_credit import stops, transit
from carbon_credit.platform import clock
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.context import engine, settings
from webapp.forms import Form
from webapp.i18n import current_locale
from webapp.transit.views import bp


class CardForm(Form):
    """The card number and one recent trip on it (its day and boarding stop)."""

    action = HiddenField(default="link")
    card = StringField(
        _l("Transit card number"),
        validators=[Length(max=40)],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    trip_day = StringField(
        _l("Day of one recent trip on this card"), validators=[Length(max=10)], render_kw={"type": "date"}
    )
    boarding_stop = SelectField(_l("Stop where you boarded on that trip"), choices=[], validate_choice=False)


def _stop_choices() -> list[tuple[str, str]]:
    with read_session(engine()) as db:
        rows = stops.list_stops(session=db, active=True, limit=2000)
    zh = current_locale() != "en"
    return [("", _("Choose the stop"))] + [
        (row.stop.code, f"{row.stop.name_zh if zh else row.stop.name_en} ({row.stop.code})") for row in rows
    ]


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip()) if (raw or "").strip().isascii() else None
    except ValueError:
        return None


def _claim(form: CardForm) -> str | None:
    """Claim the card (with a trip, or for an administrator); the error to show, or None after a redirect
    is due."""
    by_admin = form.action.data == "ask_admin"
    with session_scope(engine()) as db:
        outcome = transit.claim_card(
            session=db,
            settings=settings(),
            resident_id=current_user.id,
            card=form.card.data or "",
            trip_day=None if by_admin else _day(form.trip_day.data),
            boarding_stop=None if by_admin else (form.boarding_stop.data or ""),
        )
    if outcome.refusal is not None:
        return message(outcome.refusal, current_locale())
    if outcome.status == "linked":
        flash(_("Your transit card is linked: its operator trips from now on will be credited."), "success")
    else:
        flash(_("Your claim was sent to an administrator, who will confirm whose card it is."), "success")
    return None


@bp.route("/account/card", methods=["GET", "POST"])
@login_required
def card():
    """The resident's transit card: claim one with proof of a recent trip, ask an administrator, or
    unlink it."""
    form = CardForm()
    form.boarding_stop.choices = _stop_choices()
    error = None
    if form.validate_on_submit():
        try:
            if form.action.data == "unlink":
                with session_scope(engine()) as db:
                    transit.unlink_card(session=db, resident_id=current_user.id)
                flash(_("Your transit card was unlinked."), "success")
                return redirect(url_for("transit.card"))
            error = _claim(form)
            if error is None:
                return redirect(url_for("transit.card"))
        except DomainError as failure:
            error = message(failure, current_locale())
    with read_session(engine()) as db:
        linked = transit.card_of(session=db, resident_id=current_user.id)
        waiting = transit.claim_waiting(session=db, resident_id=current_user.id)
    if not form.is_submitted():
        form.trip_day.data = clock.local_day(clock.now()).isoformat()
    status = 400 if form.is_submitted() else 200
    page = render_template(
        "resident/card.html",
        form=form,
        linked=linked,
        waiting=waiting,
        error=error,
        config_days=settings().card_proof_days,
    )
    return page, status
