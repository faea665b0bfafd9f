"""Public statistics: totals of credited activities, by district, by behaviour and by evidence level. The
city's reportable total counts verified and evidenced reductions only (``activities.REPORTABLE_LEVELS``):
declared claims earn residents points but are not reductions a sale or an offset could rest on."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from carbon_credit.activities import EVIDENCE_LEVELS, REPORTABLE_LEVELS, Activity
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
    by_evidence: list[tuple[str, int, int]] = ()  # (evidence level, grams, activities), every level

    @property
    def reportable_grams(self) -> int:
        """Grams CO2e of verified and evidenced activities: the city's reportable total."""
        return sum(grams for level, grams, _ in self.by_evidence if level in REPORTABLE_LEVELS)


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
        by_evidence=by_evidence(session=session, condition=CREDITED),
        grams=int(grams),
        activities=int(count),
        participants=int(people),
        by_behaviour=[(b, int(g), int(n)) for b, g, n in by_behaviour],
        by_district=[(zh, en, int(g), int(n)) for zh, en, g, n in by_district],
    )


def by_evidence(*, session: Session, condition=CREDITED) -> list[tuple[str, int, int]]:
    """(evidence level, grams, activities) of the activities matching ``condition``, every level listed in
    :data:`EVIDENCE_LEVELS` order (0 where there are none)."""
    found = dict.fromkeys(EVIDENCE_LEVELS, (0, 0))
    query = (
        select(Activity.evidence, func.sum(Activity.grams), func.count(Activity.id))
        .where(condition)
        .group_by(Activity.evidence)
    )
    for level, grams, count in session.execute(query):
        found[level] = (int(grams or 0), int(count))
    return [(level, grams, count) for level, (grams, count) in found.items()]
