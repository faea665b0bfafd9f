"""Public statistics: totals of credited activities, by district and by behaviour."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import Activity
from carbon_credit.residents import District, Resident

CREDITED = Activity.status == "credited"


@dataclass(frozen=True, slots=True)
class Totals:
    """Live platform totals (grams CO2e and counts)."""

    grams: int
    activities: int
    participants: int
    by_behaviour: list[tuple[str, int, int]]  # (behaviour, grams, activities)
    by_district: list[tuple[str, str, int, int]]  # (name_zh, name_en, grams, participants)


def totals(*, session: Session) -> Totals:
    """Totals over every credited activity (read these with ``carbon_credit.db.read_session``)."""
    grams, count, people = session.execute(
        select(
            func.coalesce(func.sum(Activity.grams), 0),
            func.count(Activity.id),
            func.count(Activity.resident_id.distinct()),
        ).where(CREDITED)
    ).one()
    by_behaviour = session.execute(
        select(Activity.behaviour, func.sum(Activity.grams), func.count(Activity.id))
        .where(CREDITED)
        .group_by(Activity.behaviour)
        .order_by(func.sum(Activity.grams).desc())
    ).all()
    by_district = session.execute(
        select(
            District.name_zh,
            District.name_en,
            func.coalesce(func.sum(Activity.grams), 0),
            func.count(Activity.resident_id.distinct()),
        )
        .select_from(District)
        .outerjoin(Resident, Resident.district_id == District.id)
        .outerjoin(Activity, (Activity.resident_id == Resident.id) & CREDITED)
        .group_by(District.id, District.name_zh, District.name_en)
        .order_by(func.coalesce(func.sum(Activity.grams), 0).desc(), District.id)
    ).all()
    return Totals(
        grams=int(grams),
        activities=int(count),
        participants=int(people),
        by_behaviour=[(b, int(g), int(n)) for b, g, n in by_behaviour],
        by_district=[(zh, en, int(g), int(n)) for zh, en, g, n in by_district],
    )
