"""The administrator's batch forms (webapp.admin.registry), each read into the one registry command it calls:
verify (with exclusions), issue, sell, retire and allocate revenue. Tonnes are read by the registry's own
parser; yuan become whole fen here, and anything that is not a whole number of fen goes on as None for the
registry to refuse with its own message. Each returns the sentence to flash."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from carbon_credit import registry

OLDEST = "oldest"  # the retire form's source: the oldest issued batches first


def fen(text: str | None) -> int | None:
    """Yuan typed (``1234.5``) as whole fen; anything else (not a number, finer than a fen) as None, which
    the registry refuses with its own message."""
    amount = registry.typed_decimal(text) * 100
    return int(amount) if amount.is_finite() and amount == amount.to_integral_value() else None


def verify(db, form, batch_id: int, *, actor_id: int, settings) -> str:
    """The verifier's conclusion, less the records they excluded."""
    registry.verify(
        session=db,
        actor_id=actor_id,
        batch_id=batch_id,
        verifier=form.verifier.data,
        report_ref=form.report_ref.data,
        verified_on=form.verified_on.data,
        exclusions=_exclusions(form.exclusions.data),
        idempotency_key=form.idempotency_key.data,
    )
    return _("The verification is recorded.")


def _exclusions(text: str | None) -> dict:
    """``activity id, reason`` lines (a comma, a Chinese comma or a tab between them) -> {id: reason}; an
    id that is not a whole number goes as typed, for the registry to refuse by name."""
    found: dict = {}
    for line in (text or "").splitlines():
        if line.strip():
            head, _sep, reason = line.replace("，", ",").replace("\t", ",").partition(",")
            key = head.strip()
            found[int(key) if key.isascii() and key.isdigit() else key] = reason.strip()
    return found


def issue(db, form, batch_id: int, *, actor_id: int, settings) -> str:
    """The authority's issuance."""
    registry.issue(
        session=db,
        actor_id=actor_id,
        batch_id=batch_id,
        issuance_ref=form.issuance_ref.data,
        issued_on=form.issued_on.data,
        idempotency_key=form.idempotency_key.data,
    )
    return _("The issuance is recorded.")


def sell(db, form, batch_id: int, *, actor_id: int, settings) -> str:
    """A sale of the batch's available tonnes."""
    registry.sell(
        session=db,
        actor_id=actor_id,
        batch_id=batch_id,
        buyer=form.buyer.data,
        grams=registry.grams_from_tonnes(form.tonnes.data),
        price_fen=fen(form.price.data),
        sold_on=form.sold_on.data,
        contract_ref=form.contract_ref.data,
        idempotency_key=form.idempotency_key.data,
    )
    return _("The sale is recorded.")


def retire(db, form, batch_id: int, *, actor_id: int, settings) -> str:
    """A retirement from this batch, one of its sales, or the oldest issued batches first (``source``)."""
    source = form.source.data or ""
    sale_id = int(source[5:]) if source.startswith("sale-") and source[5:].isdigit() else None
    made = registry.retire(
        session=db,
        actor_id=actor_id,
        grams=registry.grams_from_tonnes(form.tonnes.data),
        beneficiary=form.beneficiary.data,
        purpose=form.purpose.data,
        retired_on=form.retired_on.data,
        idempotency_key=form.idempotency_key.data,
        batch_id=batch_id if source == "batch" else None,
        sale_id=sale_id,
        event_id=int(form.event.data) if (form.event.data or "").isdigit() else None,
    )
    return _("Retired: certificate %(serial)s.", serial=made.serial)


def allocate(db, form, batch_id: int, *, actor_id: int, settings) -> str:
    """Sale revenue into a campaign's points budget."""
    made = registry.allocate_revenue(
        session=db,
        settings=settings,
        actor_id=actor_id,
        batch_id=batch_id,
        campaign_id=int(form.campaign.data) if (form.campaign.data or "").isdigit() else 0,
        amount_fen=fen(form.amount.data),
        idempotency_key=form.idempotency_key.data,
    )
    return _("%(points)s points added to the campaign's budget.", points=f"{made.points:,}")


STEPS: dict[str, Callable] = {
    "verify": verify,
    "issue": issue,
    "sell": sell,
    "retire": retire,
    "allocate": allocate,
}
