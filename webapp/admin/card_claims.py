"""Admin: transit card claims waiting for a decision (a second claim on a linked card, or a resident with no
trip to name) and approving or rejecting each; service: carbon_credit.transit (audited, idempotent)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from carbon_credit import residents, transit
from carbon_credit.platform.database import read_session, session_scope
from carbon_credit.platform.errors import DomainError
from carbon_credit.platform.i18n import message
from webapp.admin.blueprint import bp
from webapp.context import engine
from webapp.forms import KeyedForm
from webapp.i18n import current_locale


class DecideForm(KeyedForm):
    """Approve or reject one claim (the button's name says which)."""


@bp.get("/card-claims")
def card_claims():
    """Claims waiting for an administrator, oldest first, with who holds the card now; a claimant who has
    since withdrawn consent to the card link is flagged, and the claim can only be rejected."""
    return _page()


def _page(error: str | None = None, status: int = 200):
    with read_session(engine()) as db:
        claims = transit.card_claims_waiting(session=db)
        holders = {c.card: transit.card_holder(session=db, card=c.card) for c in claims}
        people = {c.resident_id for c in claims} | {i for i in holders.values() if i is not None}
        names = {i: residents.get(session=db, resident_id=i).display_name for i in people}
        withdrawn = transit.claims_not_approvable(session=db, claims=claims)
    page = render_template(
        "admin/card_claims.html",
        claims=claims,
        holders=holders,
        names=names,
        withdrawn=withdrawn,  # the claimant withdrew card consent: approval would be refused
        forms={c.id: DecideForm(formdata=None) for c in claims},  # each claim its own key
        error=error,
    )
    return page, status


@bp.post("/card-claims/<int:claim_id>/approve")
def approve_card_claim(claim_id: int):
    """Approve one claim: the card moves to the claimant, whose trips are credited from now on."""
    return _decide(claim_id, approve=True)


@bp.post("/card-claims/<int:claim_id>/reject")
def reject_card_claim(claim_id: int):
    """Reject one claim: the card stays where it is."""
    return _decide(claim_id, approve=False)


def _decide(claim_id: int, *, approve: bool):
    form = DecideForm()
    if not form.validate_on_submit():
        return _page(_("The form has expired. Please try again."), 400)
    try:
        with session_scope(engine()) as db:
            transit.decide_card_claim(
                session=db,
                actor_id=current_user.id,
                claim_id=claim_id,
                approve=approve,
                idempotency_key=form.idempotency_key.data,
            )
    except DomainError as failure:
        return _page(message(failure, current_locale()), 400)
    flash(_("The card claim was decided."), "success")
    return redirect(url_for("admin.card_claims"))
