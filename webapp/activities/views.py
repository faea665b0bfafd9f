"""Resident pages: home, logging actions, history, activity detail, account."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.file import FileField
from wtforms import SelectField, StringField
from wtforms.validators import Length

from carbon_credit import activities, campaigns, residents, review, transit
from carbon_credit.activities import ACTIVITY_STATUSES, RESIDENT_BEHAVIOURS, ActivityInput
from carbon_credit.platform import clock, uploads
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import co2_text, message, translate
from quantification import choices, get_methodology
from webapp.context import engine, settings
from webapp.forms import KeyedForm
from webapp.i18n import current_locale

bp = Blueprint("resident", __name__)


class RecyclingForm(KeyedForm):
    """Recycled material and its weight."""

    material = SelectField(_l("Material"), choices=[], validate_choice=False)  # the service checks it
    kg = StringField(_l("Weight (kg)"), validators=[Length(max=32)], render_kw={"inputmode": "decimal"})


class TreesForm(KeyedForm):
    """Trees planted: how many, species group, planting date, an optional photo."""

    trees = StringField(
        _l("Number of trees"), validators=[Length(max=16)], render_kw={"inputmode": "numeric"}
    )
    species = SelectField(_l("Species group"), choices=[], validate_choice=False)
    planted_on = StringField(_l("Planting date"), validators=[Length(max=10)], render_kw={"type": "date"})
    year = SelectField(
        _l("Year of these trees (1: planted now; 2 or more: they survived another year, photo needed)"),
        choices=[str(n) for n in range(1, 31)],
        default="1",
    )
    photo = FileField(_l("Photo (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})


def _zh() -> bool:
    return current_locale() != "en"


def material_labels() -> dict[str, str]:
    """Recycling material key -> label in the current language."""
    return {c.key: c.label_zh if _zh() else c.label_en for c in choices("recycling")}


def _parse_date(raw: str | None) -> date | None:
    """``YYYY-MM-DD`` -> date; None when empty; ValueError when malformed."""
    return date.fromisoformat(raw.strip()) if raw and raw.strip() else None


def _done(activity):
    """Flash what happened to a new entry and show its detail page."""
    co2 = co2_text(activity.grams)
    if activity.status == "pending":
        flash(_("Saved. It is pending review: %(reason)s", reason=translate(activity.note, current_locale())))
    else:
        text = _("Credited: %(points)s points, %(co2)s CO2e avoided.", points=activity.points, co2=co2)
        flash(text, "success")
    return redirect(url_for("resident.activity", id=activity.id))


def _record(item: ActivityInput):
    with session_scope(engine()) as db:
        return activities.record_activity(session=db, settings=settings(), item=item)


@bp.get("/me")
@login_required
def home():
    """The resident's home: CO2e avoided with an everyday equivalent, balance, today's progress toward the
    daily caps, the running campaigns open to them with their progress and a way to join, recent activity,
    and a three-step welcome until the first activity."""
    with read_session(engine()) as db:
        me = residents.get(session=db, resident_id=current_user.id)
        summary = activities.home_summary(session=db, resident_id=me.id)  # balance, totals, recent: 2 queries
        running = [c for c in campaigns.active_campaigns(session=db) if campaigns.open_to(c, me.district_id)]
        parts = activities.campaign_parts(session=db, resident_id=me.id, campaign_ids=[c.id for c in running])
        today = activities.today_progress(session=db, settings=settings(), resident_id=me.id)
        standing = review.standing(session=db, resident_id=me.id)
    return render_template(
        "resident/home.html",
        summary=summary,
        tree_kg=activities.tree_year_kg(),
        campaigns=running,
        parts=parts,
        today=today,
        standing=standing,
        scan_url=url_for("transit.scan" if "transit.scan" in current_app.view_functions else "resident.log"),
    )


@bp.get("/log")
@login_required
def log():
    """Choose what to log: a bus trip (the scan page, once there is one), recycling, tree planting, or walking
    and electricity through the chat; with a link to the resident's history."""
    current = settings()
    return render_template(
        "resident/log.html",
        review_kg=current.review_recycling_kg,
        review_trees=current.review_trees,
        scan_url=url_for("transit.scan") if "transit.scan" in current_app.view_functions else None,
    )


@bp.route("/log/recycling", methods=["GET", "POST"])
@login_required
def log_recycling():
    """Log recycled material (kilograms); large entries wait for review."""
    form = RecyclingForm()
    form.material.choices = list(material_labels().items())
    error = None
    if form.validate_on_submit():
        inputs = {"material": form.material.data or "", "kg": (form.kg.data or "").strip()}
        item = ActivityInput(current_user.id, "recycling", inputs, "web", form.idempotency_key.data)
        try:
            return _done(_record(item))
        except DomainError as failure:
            error = message(failure, current_locale())
    status = 400 if form.is_submitted() else 200
    return render_template("resident/log_recycling.html", form=form, error=error), status


@bp.route("/log/trees", methods=["GET", "POST"])
@login_required
def log_trees():
    """Log tree planting (trees, species group, planting date, optional photo); a photo means review."""
    form = TreesForm()
    locale = current_locale()
    form.species.choices = [(g, translate(f"species.{g}", locale)) for g in activities.SPECIES_GROUPS]
    if not form.is_submitted():
        form.planted_on.data = clock.local_day(clock.now()).isoformat()
    error = None
    if form.validate_on_submit():
        try:
            planted_on = _parse_date(form.planted_on.data)
        except ValueError:
            planted_on = None
        if planted_on is None:
            error = _("Please enter the planting date, for example 2026-03-12.")
        else:
            try:
                return _done(_record_trees(form, planted_on))
            except DomainError as failure:
                error = message(failure, current_locale())
    status = 400 if form.is_submitted() else 200
    tree_kg = activities.tree_year_kg()
    return render_template("resident/log_trees.html", form=form, error=error, tree_kg=tree_kg), status


def _record_trees(form: TreesForm, planted_on: date):
    """Check the entry, store the photo if any, record; a photo left unused is removed again."""
    species = activities.species_group(form.species.data)
    year = int(form.year.data or 1)
    occurred_at = activities.planting_moment(planted_on=planted_on, year=year)
    upload = form.photo.data
    photo = None
    if upload is not None and getattr(upload, "filename", ""):
        photo = uploads.store_photo(settings=settings(), data=upload.read(), filename=upload.filename)
    details = {"species": species, "planted_on": planted_on.isoformat()}
    inputs = {"trees": (form.trees.data or "").strip(), "years": str(year)}
    key = form.idempotency_key.data
    item = ActivityInput(current_user.id, "tree_planting", inputs, "web", key, occurred_at, photo, details)
    try:
        activity = _record(item)
    except BaseException:
        if photo:
            uploads.discard_photo(settings=settings(), name=photo)
        raise
    if photo and activity.photo != photo:  # a repeated submission: the first entry keeps its own photo
        uploads.discard_photo(settings=settings(), name=photo)
    return activity


@bp.get("/history", endpoint="history")
@login_required
def history_page():
    """The resident's activities with filters (behaviour, status, dates) and pages."""
    args = request.args
    error = None
    filters = {
        "behaviour": args.get("behaviour") if args.get("behaviour") in RESIDENT_BEHAVIOURS else None,
        "status": args.get("status") if args.get("status") in ACTIVITY_STATUSES else None,
    }
    try:
        filters["date_from"] = _parse_date(args.get("date_from"))
        filters["date_to"] = _parse_date(args.get("date_to"))
    except ValueError:
        error = _("Please enter dates as YYYY-MM-DD.")
        filters["date_from"] = filters["date_to"] = None
    page_number = args.get("page", "1")
    with read_session(engine()) as db:
        page = activities.activity_history(
            session=db,
            resident_id=current_user.id,
            page=int(page_number) if page_number.isascii() and page_number.isdigit() else 1,
            **filters,
        )
    query = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.items() if v}
    locale = current_locale()
    return render_template(
        "resident/history.html",
        page=page,
        what={a.id: activities.explain(a, locale).what for a in page.items},
        query=query,
        error=error,
        behaviours=RESIDENT_BEHAVIOURS,
        statuses=ACTIVITY_STATUSES,
    ), (400 if error else 200)


@bp.get("/activities/<int:id>")
@login_required
def activity(id: int):
    """One of the resident's activities in plain words: one sentence, the evidence, the factors with their
    sources, then the full audit trail under "technical details" (404 for anyone else's)."""
    locale = current_locale()
    with read_session(engine()) as db:
        found = activities.activity_of(session=db, resident_id=current_user.id, activity_id=id)
        names, passed = transit.trip_facts(session=db, details=found.details, locale=locale)
    methodology = get_methodology(found.methodology_id, found.methodology_version)
    level = activities.policy_for(found.behaviour).levels.get(found.evidence)
    return render_template(
        "resident/activity.html",
        activity=found,
        share=level.percent if level else 100,
        methodology=methodology,
        words=activities.explain(found, locale, stop_names=names, stops_passed=passed),
    )


@bp.get("/activities/<int:id>/photo")
@login_required
def activity_photo(id: int):
    """The photo attached to one of the resident's own activities."""
    with read_session(engine()) as db:
        found = activities.activity_of(session=db, resident_id=current_user.id, activity_id=id)
    if not found.photo:
        abort(404)
    path = uploads.photo_path(settings=settings(), name=found.photo)
    if not path.is_file():
        abort(404)
    return send_file(path, max_age=3600)


@bp.get("/account")
@login_required
def account():
    """The settings page (我的): account, language, notifications and leaderboard, transit card, privacy,
    links to vouchers and chat; API tokens and the Telegram link under "advanced"."""
    with read_session(engine()) as db:
        me = residents.get(session=db, resident_id=current_user.id)
        district = next((d for d in residents.districts(session=db) if d.id == me.district_id), None)
    return render_template(
        "resident/account.html",
        me=me,
        contact=residents.masked_contact(me),
        district=district,
        has_tokens="tokens.index" in current_app.view_functions,
    )
