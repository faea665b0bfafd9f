"""The web chat page: the same dialogue as the Telegram bot, for residents who cannot reach Telegram, and the
page that links a Telegram account. Views only parse, call carbon_credit.chat, and render or redirect."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from carbon_credit import chat
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.qr_images import qr_svg
from webapp.context import engine, settings
from webapp.forms import Form, KeyedForm, new_key
from webapp.i18n import current_locale

bp = Blueprint("chat", __name__)


class SendForm(KeyedForm):
    """A typed message; its key is the update's key, so a double submit is handled once."""

    text = StringField(_l("Message"), validators=[DataRequired(), Length(max=500)])


MAX_PRESSED = 200
"""Longer button data is not sent on (the dialogue itself answers anything up to this, Telegram's 64-byte
limit included, with "not recognised")."""


class PressForm(KeyedForm):
    """A pressed button; its key is the update's key, so a double submit is handled once."""

    button = HiddenField(validators=[DataRequired(), Length(max=MAX_PRESSED)])


class LinkForm(Form):
    """Only the CSRF token."""


def _handle(**values) -> object:
    """Send one update of the signed-in resident through the dialogue engine, then show the page again."""
    incoming = chat.Incoming(
        channel="web",
        external_id=str(current_user.id),
        resident_id=current_user.id,
        language_hint=current_locale(),
        display_name=current_user.display_name,
        **values,
    )
    with session_scope(engine()) as db:
        chat.handle(session=db, settings=settings(), incoming=incoming)
    return redirect(url_for("chat.page", _anchor="latest"), 303)


@bp.get("/chat")
@login_required
def page():
    """The conversation so far; the latest answers' buttons as small forms (each with its own key); a text
    box."""
    with read_session(engine()) as db:
        entries = chat.web_transcript(session=db, resident_id=current_user.id, locale=current_locale())
    last_mine = max((i for i, e in enumerate(entries) if e["who"] == "me"), default=-1)
    return render_template(
        "chat/page.html", entries=entries, live_from=last_mine + 1, form=SendForm(), new_key=new_key
    )


@bp.post("/chat")
@login_required
def send():
    """A typed message."""
    form = SendForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():  # e.g. a control character pasted in: say why nothing was sent
            flash(errors[0], "error")
            break
        return redirect(url_for("chat.page"), 303)
    return _handle(text=form.text.data.strip(), update_key=form.idempotency_key.data)


@bp.post("/chat/button")
@login_required
def press():
    """A pressed button (its data as the bot would receive it)."""
    form = PressForm()
    if not form.validate_on_submit():  # a stale page, a forged or overlong value: say so, do nothing
        flash(_("That button could not be read, so nothing was done. Please use the buttons below."), "error")
        return redirect(url_for("chat.page"), 303)
    return _handle(button=form.button.data, update_key=form.idempotency_key.data)


@bp.route("/account/telegram", methods=["GET", "POST"])
@login_required
def telegram():
    """Link a Telegram account: the linked state, and a one-time code (and the bot's deep link) on request."""
    form = LinkForm()
    code = None
    if form.validate_on_submit():
        with session_scope(engine()) as db:
            code = chat.create_link_code(session=db, resident_id=current_user.id).code
    with read_session(engine()) as db:
        linked = chat.linked_telegram_id(session=db, resident_id=current_user.id)
    username = settings().telegram_bot_username
    deep_link = f"https://t.me/{username}?start=link_{code}" if code and username else None
    # The SVG is generated here from our own URL, never from user-supplied markup.
    qr = Markup(qr_svg(deep_link)) if deep_link else None  # noqa: S704
    return render_template(
        "chat/telegram.html",
        form=form,
        linked=linked,
        code=code,
        deep_link=deep_link,
        qr=qr,
        minutes=chat.CODE_MINUTES,
    )
