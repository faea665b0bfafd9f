"""Daily statistics rollups: credited activity totals per Beijing day, behaviour, district, channel,
campaign and evidence level. Kept current on every credit (and reversal) in the same transaction, and
rebuilt from the activities table by the scheduler, so statistics pages read a few thousand rows, not
millions.

District is the resident's district when the activity was credited (a rebuild uses the current one).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from carbon_credit.activities.models import Activity, DailyRollup
from carbon_credit.residents import Resident

KEY = ("local_day", "behaviour", "district_id", "channel", "campaign_id", "evidence")
SUMS = ("activities", "grams", "points", "bonus_points")
_table = DailyRollup.__table__


def add(*, session: Session, activities: Iterable[Mapping[str, Any]], sign: int = 1) -> int:
    """Add (or, with ``sign=-1``, subtract) credited activities to their rollup rows; returns rows touched.
    Each activity is a mapping with the KEY fields plus grams, points and bonus_points."""
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for a in activities:
        key, sums = _key_and_sums(a, sign)
        row = totals[key]
        for n, value in enumerate(sums):
            row[n] += value
    if not totals:
        return 0
    values = [dict(zip(KEY + SUMS, key + tuple(sums), strict=True)) for key, sums in totals.items()]
    session.execute(_upsert(session.get_bind().dialect.name), values)
    return len(values)


def one_params(activity: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of :func:`upsert_one` for one credited activity (``rollup_<column>``)."""
    key, sums = _key_and_sums(activity, 1)
    return {f"rollup_{name}": value for name, value in zip(KEY + SUMS, key + sums, strict=True)}


@lru_cache(maxsize=4)
def upsert_one(dialect: str):
    """The upsert of one activity's row, with named parameters (:func:`one_params`): run on its own, or as a
    CTE of the statement that stores the activity (PostgreSQL)."""
    return _upsert(dialect).values({name: bindparam(f"rollup_{name}") for name in KEY + SUMS})


def _key_and_sums(a: Mapping[str, Any], sign: int) -> tuple[tuple, tuple[int, int, int, int]]:
    key = tuple(a.get(name) or 0 for name in KEY)
    return key, (sign, sign * a["grams"], sign * a["points"], sign * (a.get("bonus_points") or 0))


@lru_cache(maxsize=4)
def _upsert(dialect: str):
    """INSERT ... ON CONFLICT (key) DO UPDATE SET sums = sums + excluded (built once per dialect)."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(_table)
    return statement.on_conflict_do_update(
        index_elements=list(KEY), set_={name: _table.c[name] + statement.excluded[name] for name in SUMS}
    )


def rebuild(*, session: Session, day_from: date, day_to: date) -> int:
    """Recompute the rollups of [day_from, day_to] from the activities table (the scheduler's job)."""
    session.execute(delete(_table).where(_table.c.local_day >= day_from, _table.c.local_day <= day_to))
    district = func.coalesce(Resident.district_id, literal_column("0"))
    campaign = func.coalesce(Activity.campaign_id, literal_column("0"))
    dimensions = (
        Activity.local_day,
        Activity.behaviour,
        district,
        Activity.channel,
        campaign,
        Activity.evidence,
    )
    sums = (
        func.count(Activity.id),
        func.sum(Activity.grams),
        func.sum(Activity.points),
        func.sum(Activity.bonus_points),
    )
    query = (
        select(*dimensions, *sums)
        .join(Resident, Resident.id == Activity.resident_id)
        .where(Activity.status == "credited", Activity.local_day >= day_from, Activity.local_day <= day_to)
        .group_by(*dimensions)
    )
    rows = [dict(zip(KEY + SUMS, row, strict=True)) for row in session.execute(query)]
    if rows:
        session.execute(insert(_table), rows)
    return len(rows)
