"""Selling issued reductions, and the quantities of the registry's market as people enter and read them.

A sale takes its grams from a batch's available tonnes (issued - sold - retired) by one conditional UPDATE
whose row count decides (``WHERE sold + retired + :grams <= issued``, backed by the batch's CHECK), so two
sales or a sale and a retirement racing for the last tonnes can never oversell, on SQLite or PostgreSQL.
The sale's amount adds to the batch's revenue, which an administrator may later move into a campaign's
rewards budget (revenue.py). Every market command runs through :func:`command`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit.platform import audit, commands
from carbon_credit.platform.errors import DomainError
from carbon_credit.registry.locking import batch_row
from carbon_credit.registry.models import GRAMS_PER_TONNE, Batch, Sale

MAX_GRAMS = 10**15  # a billion tonnes: far beyond any batch, within BIGINT
MAX_FEN = 10**15
_batches = Batch.__table__
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")  # 1,234,567.5


def typed_decimal(text: str | Decimal | None) -> Decimal:
    """A number as staff type it, exactly: ``1234.5``, ``1,234.5`` (commas only as thousands separators:
    ``1,5`` is not read as 15), full-width digits; anything else is NaN."""
    typed = str(text if text is not None else "").strip()
    if "," in typed:
        if not THOUSANDS.fullmatch(typed):
            return Decimal("NaN")
        typed = typed.replace(",", "")
    try:
        return Decimal(typed)
    except (InvalidOperation, ValueError):
        return Decimal("NaN")


def grams_from_tonnes(text: str | Decimal) -> int:
    """Tonnes as an administrator types them (``"1.5"``, ``"0.000001"``) as whole grams; negative, zero,
    not a number or finer than 1 g: DomainError ``registry_quantity_invalid``. Decimal, never float."""
    tonnes = typed_decimal(text)
    tonnes = tonnes.normalize() if tonnes.is_finite() else Decimal("NaN")
    # Finite, at most six decimals (whole grams), under 10**10 t: exact within Decimal's 28 digits.
    if not tonnes.is_finite() or tonnes.as_tuple().exponent < -6 or tonnes.adjusted() > 9:
        raise DomainError("registry_quantity_invalid", value=str(text)[:40])
    return checked_grams(int(tonnes.scaleb(6)))


def checked_grams(grams: object) -> int:
    """A quantity of whole grams, positive and within bounds, or DomainError ``registry_quantity_invalid``
    (a float, a Decimal or a bool is refused too: only whole grams are recorded)."""
    if type(grams) is not int or not 0 < grams <= MAX_GRAMS:
        raise DomainError("registry_quantity_invalid", value=str(grams)[:40])
    return grams


def tonnes_text(grams: int) -> str:
    """Grams as tonnes with six decimals, ``1.234567 t`` (exact)."""
    return f"{Decimal(grams) / GRAMS_PER_TONNE:,.6f} t"


def yuan_text(fen: int) -> str:
    """Fen as yuan, ``¥1,234.50``."""
    return f"¥{Decimal(fen) / 100:,.2f}"


def required_text(value: str | None, name: str, limit: int = 128) -> str:
    """A stripped, non-empty text of at most ``limit`` characters, or ``registry_text_required``."""
    text = (value or "").strip()
    if not text or len(text) > limit:
        raise DomainError("registry_text_required", name=name, limit=limit)
    return text


def sell(
    *,
    session: Session,
    actor_id: int,
    batch_id: int,
    buyer: str,
    grams: int,
    price_fen: int,
    sold_on: date,
    contract_ref: str,
    idempotency_key: str,
) -> Sale:
    """Sell ``grams`` of an issued batch to ``buyer`` for ``price_fen`` (the whole amount), audited
    (``registry.sell``) and idempotent by key. Refusals: ``registry_quantity_invalid``,
    ``registry_price_invalid``, ``registry_text_required``, NotFound ``registry_batch_not_found``,
    ``registry_batch_not_issued``, ``registry_not_enough_available``; a refusal writes nothing."""
    grams = checked_grams(grams)
    if type(price_fen) is not int or not 0 <= price_fen <= MAX_FEN:
        raise DomainError("registry_price_invalid")
    buyer, contract_ref = required_text(buyer, "buyer"), required_text(contract_ref, "contract_ref")

    def apply() -> commands.Change:
        take(session, batch_id, grams, revenue_fen=price_fen)
        sale = Sale(
            batch_id=batch_id,
            buyer=buyer,
            grams=grams,
            price_fen=price_fen,
            sold_on=sold_on,
            contract_ref=contract_ref,
            created_by=actor_id,
        )
        session.add(sale)
        session.flush()
        return commands.Change(sale.id, after=audit.snapshot(sale))

    asked = (batch_id, buyer, grams, price_fen, sold_on, contract_ref)
    target_id = command(session, actor_id, "registry.sell", idempotency_key, asked, apply, "registry_sale")
    return session.get(Sale, target_id)


def command(session: Session, actor_id: int, action: str, key: str, asked: tuple, apply, target: str) -> int:
    """Run one of the market's administrator commands (``platform.commands.run``: audited, idempotent by
    key) in a savepoint, so a refusal leaves nothing behind, not even the claimed key; returns the id of
    what it made or changed (the first request's, for a replay)."""
    with session.begin_nested():
        done = commands.run(
            session=session,
            actor_id=actor_id,
            action=action,
            target_type=target,
            idempotency_key=key,
            asked=asked,
            apply=apply,
        )
    return done["target_id"]


def take(session: Session, batch_id: int, grams: int, *, revenue_fen: int = 0, retire: bool = False) -> None:
    """Take ``grams`` from one issued batch's available tonnes, as sold (with its revenue) or retired: one
    conditional UPDATE; its row count decides. NotFound, ``registry_batch_not_issued`` or
    ``registry_not_enough_available`` when it does not fit."""
    column = "retired_grams" if retire else "sold_grams"
    room = _batches.c.sold_grams + _batches.c.retired_grams + grams <= _batches.c.issued_grams
    statement = (
        update(_batches)
        .where(_batches.c.id == batch_id, _batches.c.status == "issued", room)
        .values({column: _batches.c[column] + grams, "revenue_fen": _batches.c.revenue_fen + revenue_fen})
    )
    if session.execute(statement).rowcount == 1:
        return
    batch = issued_batch(session, batch_id)
    raise DomainError(
        "registry_not_enough_available",
        asked=tonnes_text(grams),
        available=tonnes_text(available_of(batch)),
    )


def issued_batch(session: Session, batch_id: int) -> Batch:
    """The batch, read afresh, if it is issued; else NotFound or ``registry_batch_not_issued``."""
    batch = batch_row(session, batch_id)
    if batch.status != "issued":
        raise DomainError("registry_batch_not_issued", serial=batch.serial)
    return batch


def available_of(batch: Batch) -> int:
    """Grams of an issued batch neither sold nor retired."""
    return (batch.issued_grams or 0) - batch.sold_grams - batch.retired_grams


def sales_of(session: Session, batch_id: int) -> list[Sale]:
    """A batch's sales, in the order they were made."""
    query = select(Sale).where(Sale.batch_id == batch_id).order_by(Sale.sold_on, Sale.id)
    return list(session.execute(query).scalars())
