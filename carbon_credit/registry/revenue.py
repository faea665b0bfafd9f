"""Sale revenue back into rewards: an administrator moves part of a batch's revenue into a campaign's points
budget (audited), at the platform's rate REGISTRY_POINTS_PER_YUAN (default 100 points per yuan).

A batch's revenue is allocated at most once: one conditional UPDATE ``WHERE allocated + :fen <= revenue``
whose row count decides, with the batch's CHECK behind it; the campaign's budget grows by the points in
the same savepoint (``campaigns.add_budget``), so either both move or neither.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session

from carbon_credit import campaigns
from carbon_credit.platform import audit, clock, commands
from carbon_credit.platform.errors import DomainError, NotFound
from carbon_credit.platform.settings import Settings
from carbon_credit.registry.models import Allocation, Batch
from carbon_credit.registry.sales import MAX_FEN, command, yuan_text

_batches = Batch.__table__


def points_for_fen(settings: Settings, amount_fen: int) -> int:
    """The points an amount of money buys for a rewards budget, rounded down."""
    return amount_fen * settings.registry_points_per_yuan // 100


def allocate_revenue(
    *,
    session: Session,
    settings: Settings,
    actor_id: int,
    batch_id: int,
    campaign_id: int,
    amount_fen: int,
    idempotency_key: str,
) -> Allocation:
    """Move ``amount_fen`` of a batch's unallocated sale revenue into a campaign's points budget (audited
    ``registry.allocate_revenue``, idempotent by key). Refusals: ``registry_amount_invalid``, NotFound
    (``registry_batch_not_found``, the campaign), ``registry_campaign_ended``,
    ``registry_revenue_not_enough`` (``unallocated``); a refusal writes nothing."""
    if type(amount_fen) is not int or not 0 < amount_fen <= MAX_FEN:
        raise DomainError("registry_amount_invalid")
    points = points_for_fen(settings, amount_fen)
    if points < 1:
        raise DomainError("registry_amount_invalid")

    def apply() -> commands.Change:
        campaign = campaigns.get_campaign(session=session, campaign_id=campaign_id)
        if campaigns.status(campaign, clock.now()) == "ended":
            raise DomainError("registry_campaign_ended", name=campaign.name_zh)
        _take_revenue(session, batch_id, amount_fen)
        campaigns.add_budget(session=session, campaign_id=campaign_id, points=points)
        allocation = Allocation(
            batch_id=batch_id,
            campaign_id=campaign_id,
            amount_fen=amount_fen,
            points=points,
            created_by=actor_id,
        )
        session.add(allocation)
        session.flush()
        return commands.Change(allocation.id, after=audit.snapshot(allocation))

    asked = (batch_id, campaign_id, amount_fen)
    target_id = command(
        session, actor_id, "registry.allocate_revenue", idempotency_key, asked, apply, "registry_allocation"
    )
    return session.get(Allocation, target_id)


def allocations_of(session: Session, batch_id: int) -> list[Allocation]:
    """A batch's revenue allocations, oldest first."""
    query = select(Allocation).where(Allocation.batch_id == batch_id).order_by(Allocation.id)
    return list(session.execute(query).scalars())


def _take_revenue(session: Session, batch_id: int, amount_fen: int) -> None:
    allocated = _batches.c.allocated_fen
    statement = (
        update(_batches)
        .where(_batches.c.id == batch_id, allocated + amount_fen <= _batches.c.revenue_fen)
        .values(allocated_fen=allocated + amount_fen)
    )
    if session.execute(statement).rowcount == 1:
        return
    row = session.execute(select(Batch.revenue_fen - Batch.allocated_fen).where(Batch.id == batch_id)).first()
    if row is None:
        raise NotFound("registry_batch_not_found", what="batch", batch_id=batch_id)
    raise DomainError("registry_revenue_not_enough", unallocated=yuan_text(row[0]))
