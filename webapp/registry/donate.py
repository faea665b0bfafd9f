"""A resident's donation of points to a neutralisation event (the event page's form -> a confirmation page ->
the donation, then the personal certificate), and their certificates at /account/certificates. The points,
the grams they stand for and every refusal are carbon_credit.registry's."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from carbon_credit import registry, review
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.i18n import message
from webapp.context import engine, settings
from webapp.i18n import current_locale
from webapp.registry.forms import DonateForm
from webapp.registry.public import bp, not_found

MAX_DIGITS = 12


def _points(raw: str | None) -> int | None:
    """The points typed (plain ASCII digits), else None: the registry says what is acceptable."""
    text = (raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS else None


@bp.route("/registry/events/<slug>/donate", methods=["GET", "POST"])
@login_required
def donate(slug: str):
    """GET ``?points=N``: what the donation will retire and the balance after, with a Confirm button; POST:
    spend the points, retire the grams for the event and show the donor's certificate."""
    form = DonateForm()
    if request.method == "GET":
        form.points.data = request.args.get("points", "")
    points, error = _points(form.points.data), None
    if form.validate_on_submit() and points is not None:
        try:
            with session_scope(engine()) as db:
                view = registry.event(db, slug)
                made = registry.donate(
                    session=db,
                    settings=settings(),
                    resident_id=current_user.id,
                    event_id=view.event.id,
                    points=points,
                    idempotency_key=form.idempotency_key.data,
                )
        except NotFound as failure:
            return not_found(failure)
        except DomainError as failure:
            error = message(failure, current_locale())
        else:
            flash(_("Thank you! Your donation is retired: here is your certificate."), "success")
            return redirect(url_for("registry.certificate", serial=made.serial))
    return _confirm_page(slug, form, points, error)


def _confirm_page(slug: str, form: DonateForm, points: int | None, error: str | None):
    try:
        with read_session(engine()) as db:
            view = registry.event(db, slug)
            standing = review.standing(session=db, resident_id=current_user.id)
    except NotFound as failure:
        return not_found(failure)
    grams = registry.grams_for_points(settings(), points) if points else 0
    status = 400 if form.is_submitted() or (request.args.get("points") and not grams) else 200
    page = render_template(
        "registry/donate.html",
        form=form,
        view=view,
        e=view.event,
        points=points,
        grams=grams,
        standing=standing,
        error=error,
    )
    return page, status


@bp.get("/account/certificates")
@login_required
def my_certificates():
    """The signed-in resident's donation certificates, newest first (only their own)."""
    with read_session(engine()) as db:
        mine = registry.certificates_of(db, current_user.id)
    return render_template("registry/my_certificates.html", mine=mine)
