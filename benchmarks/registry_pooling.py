"""Pooling a month of 1,000,000 activities into a registry batch on PostgreSQL (``registry.pool``): seconds
and peak Python memory (tracemalloc) beside the budget (60 s, issue 16) and beside a bare
``INSERT ... SELECT`` of the same rows in SQL (the floor: what the database alone takes). A month of 100,000
activities is pooled too, so the two peaks show whether memory grows with the batch (it should not: no row
passes through Python).

    .venv/bin/python benchmarks/registry_pooling.py [activities] [--url postgresql://...]

The activities are made by SQL ``generate_series`` in a throw-away schema (dropped at the end): one month of
``activities`` in June 2026 (every tenth one declared, every fiftieth still pending: not pooled), a tenth as
many in May, over 2,000 residents.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from carbon_credit import registry  # noqa: E402
from carbon_credit.platform.database import make_engine, migrate, session_scope  # noqa: E402
from carbon_credit.platform.settings import Settings  # noqa: E402
from carbon_credit.residents import create_resident  # noqa: E402

BUDGET_S = 60.0
RESIDENTS = 2_000
FACTORS = '[{"key": "bus", "value": "26.9", "unit": "g CO2/pkm", "status": "V"}]'
ACTIVITIES_SQL = """
INSERT INTO activities (resident_id, behaviour, channel, evidence, status, inputs, methodology_id,
    methodology_version, factors, formula, grams, points_quantified, points, bonus_points, occurred_at,
    local_day, idempotency_key, created_at)
SELECT :first + g % :residents, 'transit', CASE WHEN g % 10 = 0 THEN 'web' ELSE 'import' END,
    CASE WHEN g % 10 = 0 THEN 'declared' ELSE 'verified' END,
    CASE WHEN g % 50 = 1 THEN 'pending' ELSE 'credited' END,
    '{"legs": [{"mode": "bus", "km": "8"}]}', 'green-travel', '1.0', CAST(:factors AS json),
    'km * (car - bus)', 200 + g % 50, 200, 200, 0, t.at, CAST(t.at AT TIME ZONE 'Asia/Shanghai' AS date),
    :tag || g, t.at
FROM generate_series(1, :n) AS g,
    LATERAL (SELECT CAST(:start AS timestamptz) + (g % 2592000) * interval '1 second' AS at) AS t
"""
BARE_SQL = """
INSERT INTO registry_records (activity_id, batch_id, resident_id, behaviour, methodology_id,
    methodology_version, evidence, grams, local_day)
SELECT a.id, :batch, a.resident_id, a.behaviour, a.methodology_id, a.methodology_version, a.evidence,
    a.grams, a.local_day
FROM activities AS a
WHERE a.local_day BETWEEN :start AND :end AND a.status = 'credited'
    AND a.evidence IN ('verified', 'evidenced') AND a.grams > 0
    AND NOT EXISTS (SELECT 1 FROM registry_records AS r WHERE r.activity_id = a.id)
"""
SCRATCH_BATCH_SQL = """
INSERT INTO registry_batches (serial, period_start, period_end, status, record_count, pooled_grams, totals,
    deducted_grams, sold_grams, retired_grams, revenue_fen, allocated_fen, created_at)
VALUES ('bare', :start, :end, 'pooled', 0, 0, '{}', 0, 0, 0, 0, 0, now()) RETURNING id
"""
JUNE = (date(2026, 6, 1), date(2026, 6, 30))
MAY = (date(2026, 5, 1), date(2026, 5, 31))


def seed(engine, settings: Settings, count: int) -> int:
    """2,000 residents through the service, then June's ``count`` activities and May's tenth in SQL."""
    with session_scope(engine) as session:
        ids = [
            create_resident(
                session=session, settings=settings, display_name=f"居民{n}", email=f"b{n}@example.org"
            ).id
            for n in range(RESIDENTS)
        ]
    for start, n, tag in (
        ("2026-06-01 00:00+08", count, "jun-"),
        ("2026-05-01 00:00+08", count // 10, "may-"),
    ):
        with engine.begin() as conn:
            values = dict(first=min(ids), residents=RESIDENTS, factors=FACTORS, n=n, tag=tag, start=start)
            conn.execute(text(ACTIVITIES_SQL), values)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE activities"))
    return min(ids)


def bare(engine) -> tuple[float, int, int]:
    """The same copy as bare SQL into a scratch batch row, rolled back."""
    with engine.connect() as conn, conn.begin() as transaction:
        batch = conn.execute(text(SCRATCH_BATCH_SQL), {"start": JUNE[0], "end": JUNE[1]}).scalar_one()
        tracemalloc.start()
        began = time.perf_counter()
        rows = conn.execute(text(BARE_SQL), {"batch": batch, "start": JUNE[0], "end": JUNE[1]}).rowcount
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        transaction.rollback()
    return seconds, peak, rows


def pooled(engine, settings: Settings, admin: int, period: tuple[date, date]) -> tuple[float, int, int]:
    """``registry.pool`` of the period, committed: seconds, peak Python memory, records."""
    tracemalloc.start()
    began = time.perf_counter()
    with session_scope(engine) as session:
        batch = registry.pool(
            session=session,
            settings=settings,
            actor_id=admin,
            period_start=period[0],
            period_end=period[1],
            idempotency_key=f"bench-{period[0]}",
        )
        count = batch.record_count
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, count


def main(count: int, url: str) -> None:
    schema = f"bench_registry_{uuid.uuid4().hex[:8]}"
    probe = make_engine(url)
    with probe.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(f"{url}?options=-csearch_path%3D{schema}")
    settings = Settings(env="test", database_url=url, password_hash_method="pbkdf2:sha256:1")
    try:
        migrate(engine)
        began = time.perf_counter()
        admin = seed(engine, settings, count)
        print(
            f"seeded {count:,} + {count // 10:,} activities in {time.perf_counter() - began:.1f} s ({schema})"
        )
        runs = {
            "bare INSERT ... SELECT (June)": bare(engine),
            f"pool() May, {count // 10:,} activities": pooled(engine, settings, admin, MAY),
            f"pool() June, {count:,} activities": pooled(engine, settings, admin, JUNE),
        }
        report(runs)
    finally:
        engine.dispose()
        with probe.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        probe.dispose()


def report(runs: dict[str, tuple[float, int, int]]) -> None:
    base_s = next(iter(runs.values()))[0]
    small_peak = list(runs.values())[1][1]
    columns = (
        ("records", 10),
        ("time s", 9),
        ("peak MiB", 10),
        ("x bare", 8),
        ("x budget", 9),
        ("peak x May", 11),
    )
    print(f"{'run':<36}" + "".join(f"{name:>{width}}" for name, width in columns))
    for name, (seconds, peak, rows) in runs.items():
        print(
            f"{name:<36}{rows:>10,}{seconds:>9.2f}{peak / 2**20:>10.2f}{seconds / base_s:>8.2f}"
            f"{seconds / BUDGET_S:>9.3f}{peak / small_peak:>11.2f}"
        )
    print(f"budget: {BUDGET_S:.0f} s for a month of 1,000,000 activities (issue 16)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("activities", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/test")
    arguments = parser.parse_args()
    main(arguments.activities, arguments.url)
