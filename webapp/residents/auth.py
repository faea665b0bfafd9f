"""Accounts: register, log in, log out, change password, choose the language.

A session and a remember-me cookie carry ``<id>:<session version>``; the user loader accepts them only while
the account is active and its version is unchanged, so logging out (in any browser), changing the password
and an administrator's lock end every one of them at once. Registration never signs in and answers a login
that already has an account exactly like a new one."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required, login_user, logout_user
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from carbon_credit import residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import LOCALES, message, normalise_locale
from webapp.context import engine, settings
from webapp.extensions import limiter
from webapp.forms import Form
from webapp.i18n import current_locale

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class SignedIn:
    """The signed-in person as Flask-Login sees them (plain values, no database session attached)."""

    id: int
    display_name: str
    role: str
    locale: str
    session_version: int = 0
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the remember-me cookie: ``<id>:<session version>``."""
        return f"{self.id}:{self.session_version}"

    @classmethod
    def of(cls, found) -> SignedIn:
        """The signed-in view of a resident row."""
        return cls(found.id, found.display_name, found.role, found.locale, found.session_version or 0)

    @property
    def is_admin(self) -> bool:
        """Whether the signed-in person is an administrator."""
        return self.role == "admin"


def init_login(manager: LoginManager) -> None:
    """Configure Flask-Login: the login page, its message, strong session protection and the user loader."""
    manager.login_view = "auth.login"
    manager.login_message = _l("Please log in to continue.")
    manager.session_protection = "strong"

    @manager.user_loader
    def load(user_id: str) -> SignedIn | None:
        resident_id, _, version = user_id.partition(":")
        if not (resident_id.isascii() and resident_id.isdigit() and version.isascii() and version.isdigit()):
            return None  # a cookie from before session versions, or forged: signed out
        if int(resident_id) > 2**31 - 1:
            return None
        with read_session(engine()) as db:
            found = residents.signed_in(session=db, resident_id=int(resident_id), version=int(version))
            return SignedIn.of(found) if found is not None else None


class LoginForm(Form):
    """Log in with a mobile number or e-mail address and a password."""

    login = StringField(_l("Mobile number or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me logged in on this device"))


class RegisterForm(Form):
    """Create a resident account."""

    login = StringField(_l("Mobile number or e-mail"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=64)])
    district = SelectField(_l("District"), choices=[], validate_choice=True)
    password = PasswordField(
        _l("Password (at least 8 characters, not easy to guess)"),
        validators=[DataRequired(), Length(max=128)],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))],
    )
    # Consent (carbon_credit.residents.consents): the age check, the notice shown, the trips switch and the
    # optional switches below, each off unless the resident turns it on.
    birth_year = StringField(_l("Year of birth (e.g. 1990)"), validators=[Length(max=4)])
    notice_version = HiddenField()
    accept_notice = BooleanField(_l("I have read and accept the privacy notice"))
    trips = BooleanField(_l("Record my transit trips (stops and times) to earn points for them"))
    card = BooleanField(_l("Link my transit card so the operator's trips on it can be credited."))
    photos = BooleanField(_l("Keep the photos I send with an activity until it has been reviewed."))
    chat = BooleanField(_l("Link my Telegram or chat account so I can record and ask by chat."))


OPTIONAL_SWITCHES = ("card", "photos", "chat")
"""The switches registration offers beside trips (carbon_credit.residents.SWITCHES), recorded on "web"."""


class PasswordForm(Form):
    """Change the password after confirming the current one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])
    new = PasswordField(
        _l("New password (at least 8 characters, not easy to guess)"),
        validators=[DataRequired(), Length(max=128)],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", _l("The passwords differ."))],
    )
    keep_tokens = BooleanField(_l("Keep my API tokens working (otherwise they are revoked)"))


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only same-site relative paths are followed after login (no open redirects); else ``default``, else the
    public home page."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return default or url_for("public.landing")


# Where each role starts after logging in: residents on their home, merchants where they check vouchers.
START_PAGES = {"resident": "resident.home", "admin": "resident.home", "merchant": "rewards.verify"}


def _sign_in(found, remember: bool) -> None:
    session.clear()  # a fresh session on login: nothing set before it survives (session fixation)
    login_user(SignedIn.of(found), remember=remember)


def login_attempts() -> residents.LoginAttempts:
    """The app's per-account login back-off (in Redis when REDIS_URL is set, else in this process)."""
    carbon = current_app.extensions["carbon"]
    if "login_attempts" not in carbon:
        carbon["login_attempts"] = residents.LoginAttempts(settings())
    return carbon["login_attempts"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: settings().login_rate_limit, methods=["POST"])
def login():
    """Log in with a mobile number or e-mail address and a password."""
    form = LoginForm()
    error = None
    if form.validate_on_submit():
        try:
            with read_session(engine()) as db:
                found = residents.authenticate(
                    session=db,
                    settings=settings(),
                    login=form.login.data,
                    password=form.password.data,
                    attempts=login_attempts(),
                )
        except DomainError as failure:
            error = message(failure, current_locale())
            status = 429 if failure.code == "login_backoff" else 400
        else:
            with session_scope(engine()) as db:
                residents.mark_active(session=db, resident_id=found.id)
            start = START_PAGES.get(found.role)
            target = safe_next(request.args.get("next"), url_for(start) if start else None)
            _sign_in(found, form.remember.data)
            return redirect(target)
    else:
        status = 400 if form.is_submitted() else 200
    return render_template("auth/login.html", form=form, error=error), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: settings().login_rate_limit, methods=["POST"])
def register():
    """Create a resident account (mobile number or e-mail, password, display name, district, year of birth,
    the privacy notice accepted, the transit-trips, card, photos and chat consents if chosen). Anyone who
    may be under 14 is refused politely before anything is created. The answer is the same whether or not
    the login already had an account: a redirect to the login page, signed out, with the same words."""
    form = RegisterForm()
    with read_session(engine()) as db:
        districts = residents.districts(session=db)
    zh = current_locale() != "en"
    form.district.choices = [("", _("Choose later"))] + [
        (d.code, d.name_zh if zh else d.name_en) for d in districts
    ]
    notice = residents.current_notice()
    error = None
    if form.validate_on_submit():
        year = (form.birth_year.data or "").strip()
        try:
            with session_scope(engine()) as db:
                created = residents.register(
                    session=db,
                    settings=settings(),
                    login=form.login.data,
                    password=form.password.data,
                    display_name=form.display_name.data,
                    district_code=form.district.data,
                    birth_year=int(year) if year.isascii() and year.isdigit() else None,
                    accepted_notice=form.notice_version.data if form.accept_notice.data else None,
                    trips=bool(form.trips.data),
                    channel="web",
                    locale=current_locale(),
                )
                _grant_chosen(db, created, form)
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            flash(_("Thank you. Log in with your mobile number or e-mail and your password."), "success")
            return redirect(url_for("auth.login", next=request.args.get("next") or None))
    status = 400 if form.is_submitted() else 200
    form.notice_version.data = notice.version  # the notice this page shows is the one accepted
    return render_template("auth/register.html", form=form, error=error, notice=notice), status


def _grant_chosen(db, created, form: RegisterForm) -> None:
    """Record the optional switches turned on at registration (nothing for a login that had an account)."""
    for purpose in OPTIONAL_SWITCHES if created is not None else ():
        if getattr(form, purpose).data:
            residents.set_consent(
                session=db, resident_id=created.id, purpose=purpose, granted=True, channel="web"
            )


@bp.post("/logout")
def logout():
    """Log out everywhere: every session and remember-me cookie of the account ends (a POST with the CSRF
    token, so a link on another site cannot log anyone out)."""
    if current_user.is_authenticated:
        with session_scope(engine()) as db:
            residents.end_sessions(session=db, resident_id=current_user.id)
    logout_user()
    session.clear()
    return redirect(url_for("public.landing"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password after confirming the current one: every other session and remember-me cookie
    ends, and the API tokens are revoked unless the resident keeps them; this browser stays signed in."""
    form = PasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            with session_scope(engine()) as db:
                residents.change_password(
                    session=db,
                    settings=settings(),
                    resident_id=current_user.id,
                    current=form.current.data,
                    new=form.new.data,
                    keep_tokens=bool(form.keep_tokens.data),
                )
                _sign_in(residents.get(session=db, resident_id=current_user.id), remember=False)
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            flash(_("Your password was changed. Other devices are signed out."), "success")
            return redirect(url_for("public.landing"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/password.html", form=form, error=error), status


@bp.post("/lang")
def set_language():
    """Switch the language; remembered on the account when signed in, else in a cookie."""
    chosen = normalise_locale(request.form.get("lang"))
    if chosen not in LOCALES:
        chosen = "zh_Hans"
    if current_user.is_authenticated:
        with session_scope(engine()) as db:
            residents.set_locale(session=db, resident_id=current_user.id, locale=chosen)
    response = make_response(redirect(safe_next(request.form.get("next"))))
    response.set_cookie("lang", chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
