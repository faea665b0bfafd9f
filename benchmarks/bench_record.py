"""Recording activities through the service on SQLite: one at a time, and the bulk path, each beside a
bare ``sqlite3`` executemany insert of rows of the same shape into the same database.

    .venv/bin/python benchmarks/bench_record.py [--bulk-rows 50000] [--single-rows 2000]

Prints activities per second and the ratios (target: bulk >= 30% of the bare insert rate).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from carbon_credit.activities import ActivityInput, record_activities, record_activity
from carbon_credit.config import Settings
from carbon_credit.db import make_engine, migrate, session_scope
from carbon_credit.residents import create_resident

START = datetime(2026, 1, 1, 4, tzinfo=UTC)
MODES = ["bus", "metro", "shared_bike"]


def make_items(residents: list[int], count: int, prefix: str) -> list[ActivityInput]:
    items = []
    for n in range(count):
        resident = residents[n % len(residents)]
        when = START + timedelta(days=(n // len(residents)) % 365, minutes=n % 600)
        inputs = {"mode": MODES[n % 3], "km": str(1 + n % 17)}
        items.append(ActivityInput(resident, "transit", inputs, "import", f"{prefix}-{n}", when))
    return items


def bare_rows(items: list[ActivityInput], settings: Settings) -> list[tuple]:
    """Rows of the activities table's shape, with a realistic JSON snapshot, for the bare insert."""
    from quantification import quantify

    sample = quantify("transit", mode="bus", km="5").to_dict()
    factors, now = json.dumps(sample["factors"], ensure_ascii=False), datetime.now(UTC).isoformat(" ")
    return [
        (i.resident_id, "transit", "import", "credited", json.dumps(dict(i.inputs)), "green-travel", "1.0", factors,
         sample["formula"], 135, 135, 135, None, i.occurred_at.isoformat(" "), i.occurred_at.date().isoformat(),
         f"bare:{i.idempotency_key}", now)
        for i in items
    ]


BARE_SQL = (
    "INSERT INTO activities (resident_id, behaviour, channel, status, inputs, methodology_id, methodology_version,"
    " factors, formula, grams, points_quantified, points, note, occurred_at, local_day, idempotency_key, created_at)"
    " VALUES (" + ",".join("?" * 17) + ")"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bulk-rows", type=int, default=50_000)
    parser.add_argument("--single-rows", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        settings = Settings(env="test", database_url=f"sqlite:///{path}", password_hash_method="pbkdf2:sha256:1")
        engine = make_engine(settings.database_url)
        migrate(engine)
        with session_scope(engine) as session:
            residents = [create_resident(session=session, settings=settings, display_name=f"r{n}").id for n in range(500)]

        single = make_items(residents, args.single_rows, "single")
        t0 = time.perf_counter()
        for item in single:
            with session_scope(engine) as session:
                record_activity(session=session, settings=settings, item=item)
        single_rate = len(single) / (time.perf_counter() - t0)

        bulk = make_items(residents, args.bulk_rows, "bulk")
        t0 = time.perf_counter()
        for start in range(0, len(bulk), args.batch):
            with session_scope(engine) as session:
                record_activities(session=session, settings=settings, items=bulk[start : start + args.batch])
        bulk_rate = len(bulk) / (time.perf_counter() - t0)
        engine.dispose()

        rows = bare_rows(make_items(residents, args.bulk_rows, "bare"), settings)
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        t0 = time.perf_counter()
        for start in range(0, len(rows), args.batch):
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(BARE_SQL, rows[start : start + args.batch])
            conn.execute("COMMIT")
        bare_rate = len(rows) / (time.perf_counter() - t0)
        conn.close()

    print(f"{'path':<42}{'rows':>9}{'activities/s':>15}{'vs bare':>10}")
    for name, count, rate in [
        ("service, one activity per transaction", args.single_rows, single_rate),
        (f"service bulk path, {args.batch} per transaction", args.bulk_rows, bulk_rate),
        (f"bare sqlite3 executemany, {args.batch} per txn", args.bulk_rows, bare_rate),
    ]:
        print(f"{name:<42}{count:>9}{rate:>15,.0f}{rate / bare_rate:>10.1%}")
    print("bulk path writes an activity row AND a ledger entry per row (plus balance updates); bare writes one row")
    print(f"target: bulk >= 30% of bare -> {'met' if bulk_rate >= 0.3 * bare_rate else 'NOT met'}")


if __name__ == "__main__":
    main()
