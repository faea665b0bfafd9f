"""Admin: residents' accounts, listed with their contacts masked (PIPL), locking or unlocking one with the
reason, and opening one's full record with a reason; service: carbon_credit.residents (``set_active`` and
``open_full_record``: audited, idempotent; a lock ends every session of the account at once). The full
record is only ever on the answer to the opening's POST: never in the session, never cached."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from carbon_credit import residents
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.context import engine
from webapp.forms import Form, KeyedForm
from webapp.i18n import current_locale

NO_STORE = {"Cache-Control": "no-store"}  # an account's page: no browser or proxy keeps a copy


class SearchForm(Form):
    """The search, read from the query string (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Name, whole mobile number or e-mail, or id"), validators=[Optional(), Length(max=254)]
    )


class LockForm(KeyedForm):
    """Lock an account: the reason is required and kept in the audit log."""

    reason = TextAreaField(
        _l("Reason for locking"), validators=[DataRequired(), Length(max=residents.LOCK_REASON_MAX)]
    )


class OpenRecordForm(KeyedForm):
    """Open the full record: the reason is required, kept in the audit log and shown to the resident."""

    reason = TextAreaField(
        _l("Why do you need the full contacts?"),
        validators=[DataRequired(), Length(max=residents.RECORD_REASON_MAX)],
        id="record-reason",  # the lock form on the same page has its own "reason"
    )


class UnlockForm(KeyedForm):
    """Unlock an account, with an optional note for the audit log."""

    reason = TextAreaField(
        _l("Note (optional)"), validators=[Optional(), Length(max=residents.LOCK_REASON_MAX)]
    )


@bp.get("/residents")
def residents_list():
    """Accounts newest first, 50 a page, searchable; contacts masked; whether each may sign in."""
    form = SearchForm(formdata=request.args)
    search = form.q.data if form.validate() else None
    with read_session(engine()) as db:
        listing = residents.directory(session=db, search=search, page=request.args.get("page", 1, type=int))
    query = {"q": search} if search else {}
    return render_template("admin/residents/list.html", form=form, listing=listing, query=query)


@bp.get("/residents/<int:resident_id>")
def resident_detail(resident_id: int):
    """One account, with the form to lock it (with a reason) or unlock it."""
    return _page(resident_id)


@bp.post("/residents/<int:resident_id>/lock")
def lock_resident(resident_id: int):
    """Lock the account: it cannot sign in, and every session and remember-me cookie ends at once."""
    return _set_active(resident_id, LockForm(), active=False)


@bp.post("/residents/<int:resident_id>/unlock")
def unlock_resident(resident_id: int):
    """Unlock the account: its owner can sign in again (old sessions stay ended)."""
    return _set_active(resident_id, UnlockForm(), active=True)


@bp.post("/residents/<int:resident_id>/record")
def open_record(resident_id: int):
    """Open the account's full record with a reason (audited; the resident sees it on /account/data): the
    contacts in full on this answer only, which no cache keeps."""
    form = OpenRecordForm()
    if not form.validate_on_submit():
        return _page(resident_id, opener=form, error=_expired(form), status=400)
    try:
        with session_scope(engine()) as db:
            record = residents.open_full_record(
                session=db,
                actor_id=current_user.id,
                resident_id=resident_id,
                reason=form.reason.data,
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _page(resident_id, opener=form, error=message(failure, current_locale()), status=400)
    return _page(resident_id, record=record)


def _page(
    resident_id: int,
    form: KeyedForm | None = None,
    error: str | None = None,
    status: int = 200,
    *,
    opener: OpenRecordForm | None = None,
    record: residents.FullRecord | None = None,
):
    with read_session(engine()) as db:
        account = residents.profile(session=db, resident_id=resident_id)
    if form is None:
        form = UnlockForm(formdata=None) if not account.is_active else LockForm(formdata=None)
    page = render_template(
        "admin/residents/detail.html",
        account=account,
        form=form,
        opener=opener or OpenRecordForm(formdata=None),
        record=record,
        own=account.id == current_user.id,
        error=error,
    )
    return page, status, NO_STORE


def _expired(form: KeyedForm) -> str | None:
    expired = form.csrf_token.errors or form.idempotency_key.errors
    return _("The form has expired. Please try again.") if expired else None


def _set_active(resident_id: int, form: KeyedForm, *, active: bool):
    if not form.validate_on_submit():
        return _page(resident_id, form, _expired(form), 400)
    try:
        with session_scope(engine()) as db:
            residents.set_active(
                session=db,
                actor_id=current_user.id,
                resident_id=resident_id,
                active=active,
                reason=form.reason.data,
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _page(resident_id, error=message(failure, current_locale()), status=400)
    flash(_("The account was unlocked.") if active else _("The account was locked."), "success")
    return redirect(url_for("admin.resident_detail", resident_id=resident_id))
