"""Retiring reductions: for a buyer (from their sale), or from the available tonnes of issued batches (one
batch, or the oldest issued first across batches), optionally on an event's behalf; each retirement
issues a certificate.

Never more than is available (docs/registry.md): the candidate batches are locked in a fixed order
(``FOR UPDATE``; SQLite's write transaction is already exclusive), then each share is taken by one
conditional UPDATE ``WHERE sold + retired + :grams <= issued`` whose row count decides, with the batch's
CHECK behind it. A sale's retirement is the same on the sale row (``retired + :grams <= grams``). All of it
runs in a savepoint: a refusal writes nothing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit.platform import audit, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.registry.certificates import write_certificate
from carbon_credit.registry.events import add_retired
from carbon_credit.registry.models import Batch, Certificate, Sale
from carbon_credit.registry.sales import (
    checked_grams,
    command,
    issued_batch,
    required_text,
    take,
    tonnes_text,
)

_batches = Batch.__table__
_sales = Sale.__table__


def retire(
    *,
    session: Session,
    actor_id: int,
    grams: int,
    beneficiary: str,
    purpose: str,
    retired_on: date,
    idempotency_key: str,
    batch_id: int | None = None,
    sale_id: int | None = None,
    event_id: int | None = None,
) -> Certificate:
    """Retire ``grams`` and issue a certificate (audited ``registry.retire``, idempotent by key): from the
    sale ``sale_id`` (up to what it has not retired yet), else from the batch ``batch_id``, else from the
    oldest issued batches first; for the event ``event_id`` when given. Refusals:
    ``registry_quantity_invalid``, ``registry_text_required``, ``registry_retire_one_source``, NotFound
    (``registry_batch_not_found``, ``registry_sale_not_found``, ``registry_event_not_found``),
    ``registry_batch_not_issued``, ``registry_sale_not_enough``, ``registry_not_enough_available``,
    ``registry_event_closed``."""
    grams = checked_grams(grams)
    beneficiary, purpose = required_text(beneficiary, "beneficiary"), required_text(purpose, "purpose", 255)
    if batch_id is not None and sale_id is not None:
        raise DomainError("registry_retire_one_source")

    def apply() -> commands.Change:
        if event_id is not None:
            add_retired(session, event_id, grams)
        drawn = (
            from_sale(session, sale_id, grams)
            if sale_id is not None
            else take_available(session, grams, batch_id)
        )
        certificate = write_certificate(
            session,
            drawn=drawn,
            idempotency_key=f"retire:a{actor_id}:{idempotency_key}",
            kind="retirement",
            grams=grams,
            beneficiary=beneficiary,
            purpose=purpose,
            sale_id=sale_id,
            event_id=event_id,
            retired_on=retired_on,
            created_by=actor_id,
        )
        return commands.Change(
            certificate.id,
            after={**audit.snapshot(certificate), "drawn": {str(b): g for b, g in drawn.items()}},
        )

    asked = (grams, beneficiary, purpose, retired_on, batch_id, sale_id, event_id)
    return session.get(
        Certificate,
        command(session, actor_id, "registry.retire", idempotency_key, asked, apply, "registry_certificate"),
    )


def take_available(session: Session, grams: int, batch_id: int | None = None) -> dict[int, int]:
    """Retire ``grams`` from the available tonnes of one issued batch, or of the oldest issued batches
    first; returns the grams taken by batch id. ``registry_not_enough_available`` when they do not fit
    (nothing taken: the caller's savepoint)."""
    if batch_id is not None:
        issued_batch(session, batch_id)  # NotFound, or not issued
        take(session, batch_id, grams, retire=True)
        return {batch_id: grams}
    available = _batches.c.issued_grams - _batches.c.sold_grams - _batches.c.retired_grams
    query = (
        select(_batches.c.id, available)
        .where(_batches.c.status == "issued", available > 0)
        .order_by(_batches.c.issued_on, _batches.c.id)
        .with_for_update()
    )
    candidates = session.execute(query).all()
    if sum(room for _, room in candidates) < grams:
        raise DomainError(
            "registry_not_enough_available",
            asked=tonnes_text(grams),
            available=tonnes_text(sum(room for _, room in candidates)),
        )
    drawn: dict[int, int] = {}
    for candidate_id, room in candidates:
        share = min(room, grams - sum(drawn.values()))
        if share <= 0:
            break
        take(session, candidate_id, share, retire=True)
        drawn[candidate_id] = share
    return drawn


def from_sale(session: Session, sale_id: int, grams: int) -> dict[int, int]:
    """Retire ``grams`` of a sale for its buyer (one conditional UPDATE on the sale); the batch's sold
    tonnes already left its available ones. NotFound or ``registry_sale_not_enough``."""
    statement = (
        update(_sales)
        .where(_sales.c.id == sale_id, _sales.c.retired_grams + grams <= _sales.c.grams)
        .values(retired_grams=_sales.c.retired_grams + grams)
    )
    moved = session.execute(statement).rowcount == 1
    query = select(Sale).where(Sale.id == sale_id).execution_options(populate_existing=True)
    sale = session.execute(query).scalar_one_or_none() if 0 < sale_id < 2**31 else None
    if sale is None:
        raise NotFound("registry_sale_not_found", what="sale", sale_id=sale_id)
    if not moved:
        raise DomainError(
            "registry_sale_not_enough",
            asked=tonnes_text(grams),
            unretired=tonnes_text(sale.grams - sale.retired_grams),
        )
    return {sale.batch_id: grams}
