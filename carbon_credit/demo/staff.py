"""What staff did in the demo this morning, through their own operations: the administrator approved the
neighbour's held recycling claim (``review.approve``: audited, the resident notified), and the neighbour's
bus card claim, made without a trip to name, waits for an administrator (``transit.claim_card``).
The resident's own held claim stays in the review queue for whoever tries the demo."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.demo.week import APPROVED, CARD, NEIGHBOUR
from carbon_credit.platform.settings import Settings
from carbon_credit.review import approve
from carbon_credit.transit import CardClaim, card_of, claim_card


def staff_morning(
    *,
    session: Session,
    settings: Settings,
    people: Mapping[str, int],
    admin_id: int,
    recorded: Mapping[tuple[str, str], Activity],
) -> None:
    """Approve the held claim named by :data:`week.APPROVED` (if still held) and leave a card claim waiting
    (unless the neighbour ever claimed or linked a card)."""
    held = recorded.get(APPROVED)
    if held is not None and held.status == "pending":
        approve(session=session, settings=settings, activity_id=held.id, actor_id=admin_id)
    neighbour = people[NEIGHBOUR]
    claimed = session.execute(select(CardClaim.id).where(CardClaim.resident_id == neighbour).limit(1)).first()
    if claimed is None and card_of(session=session, resident_id=neighbour) is None:
        claim_card(session=session, settings=settings, resident_id=neighbour, card=CARD)
