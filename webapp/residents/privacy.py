"""Privacy: the public notice (``/privacy``), the resident's consent switches and their history
(``/account/privacy``), and the gate that asks a signed-in resident once to accept a new notice version before
going on (``/privacy/accept``). Every change is ``residents.set_consent`` on channel "web"."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import BooleanField, HiddenField

from carbon_credit import residents
from carbon_credit.platform.database import read_session, session_scope
from webapp.context import engine
from webapp.forms import Form
from webapp.i18n import current_locale
from webapp.residents.auth import safe_next

bp = Blueprint("privacy", __name__)

# What each switch allows, in one sentence (the order of residents.SWITCHES).
SWITCHES = {
    "trips": (
        _l("Transit trips"),
        _l("Record the stops and times of my QR scans and of my card's trips, to credit them."),
    ),
    "card": (
        _l("Transit card"),
        _l("Link my transit card so the operator's trips on it can be credited."),
    ),
    "photos": (
        _l("Photo evidence"),
        _l("Keep the photos I send with an activity until it has been reviewed."),
    ),
    "chat": (
        _l("Chat account link"),
        _l("Link my Telegram or chat account so I can record and ask by chat."),
    ),
    "leaderboard": (_l("Leaderboards"), _l("Show my display name on campaign leaderboards.")),
    "weekly_summary": (_l("Weekly summary"), _l("Send me a weekly summary of my points.")),
}
# What turning a switch off does at once, said before the switch (carbon_credit.residents.consent_effects).
WHEN_OFF = {
    "trips": _l("Turning this off stops recording and crediting your trips at once."),
    "card": _l("Turning this off unlinks your transit card at once."),
    "chat": _l("Turning this off unlinks your Telegram account at once."),
}
# Pages a resident who has yet to accept a new notice may still reach: exercising a right (a copy of the
# data, deleting the account) never waits for accepting a new notice.
UNGATED = {
    "static",
    "favicon",
    "web_manifest",
    "public.healthz",
    "public.readyz",
    "auth.logout",
    "auth.set_language",
    "account_edit.delete",
}
UNGATED_BLUEPRINTS = ("privacy.", "privacy_data.", "api.")


class ConsentForm(Form):
    """One switch per optional or sensitive use."""

    trips = BooleanField()
    card = BooleanField()
    photos = BooleanField()
    chat = BooleanField()
    leaderboard = BooleanField()
    weekly_summary = BooleanField()


class AcceptForm(Form):
    """Accept the notice version the page showed."""

    notice_version = HiddenField()


@bp.get("/privacy")
def notice():
    """The privacy notice in force, in the reader's language (public)."""
    current = residents.current_notice()
    return render_template("privacy/notice.html", notice=current, text=current.text(current_locale()))


@bp.route("/account/privacy", methods=["GET", "POST"])
@login_required
def settings():
    """Each consent switch with what it allows and what turning it off undoes (the card, the Telegram link),
    and every change below; a change takes effect at once."""
    form = ConsentForm()
    if form.validate_on_submit():
        changed = 0
        with session_scope(engine()) as db:
            for purpose in residents.SWITCHES:
                granted = bool(getattr(form, purpose).data)
                record = residents.set_consent(
                    session=db, resident_id=current_user.id, purpose=purpose, granted=granted, channel="web"
                )
                changed += record is not None
        flash(_("Your choices were saved.") if changed else _("Nothing changed."), "success")
        return redirect(url_for("privacy.settings"))
    with read_session(engine()) as db:
        consents = residents.consents_of(session=db, resident_id=current_user.id)
    for purpose, granted in consents.state.items():
        getattr(form, purpose).data = granted
    return render_template(
        "privacy/settings.html",
        form=form,
        consents=consents,
        switches=SWITCHES,
        when_off=WHEN_OFF,
        labels=_labels(),
    )


@bp.route("/privacy/accept", methods=["GET", "POST"])
@login_required
def accept():
    """Accept the notice in force (asked once after a new version); then on to where the resident was."""
    current = residents.current_notice()
    form = AcceptForm()
    target = safe_next(request.args.get("next"), url_for("resident.home"))
    if form.validate_on_submit() and form.notice_version.data == current.version:
        with session_scope(engine()) as db:
            residents.set_consent(
                session=db, resident_id=current_user.id, purpose="notice", granted=True, channel="web"
            )
        return redirect(target)
    form.notice_version.data = current.version
    text = current.text(current_locale())
    status = 400 if form.is_submitted() else 200
    return render_template("privacy/accept.html", form=form, notice=current, text=text), status


@bp.before_app_request
def ask_for_the_new_notice():
    """A signed-in resident who has not accepted the notice in force goes to the accept page first (except
    for the privacy and data-rights pages, logout, language, static files, the API and health checks)."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in UNGATED or endpoint.startswith(UNGATED_BLUEPRINTS):
        return None
    if not current_user.is_authenticated:
        return None
    with read_session(engine()) as db:
        if not residents.needs_notice(session=db, resident_id=current_user.id):
            return None
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("privacy.accept", next=back), 303)


def _labels() -> dict[str, str]:
    """The history's words for each purpose (the notice too)."""
    return {
        "notice": _("Privacy notice"),
        **{purpose: str(label) for purpose, (label, _s) in SWITCHES.items()},
    }
