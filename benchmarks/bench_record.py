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
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from carbon_credit.activities import ActivityInput, factor_snapshot, record_activities, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine, migrate, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import create_resident
from quantification import quantify

START = clock.now() - timedelta(days=366)  # a year of history, as an operator back-fill
MODES = ["bus", "metro", "shared_bike"]


def make_items(
    residents: list[int], count: int, prefix: str, distinct: bool = False, offset: int = 0
) -> list[ActivityInput]:
    """Bus, metro and bike trips spread over 500 residents and a year. Trips repeat 51 (mode, km) pairs, as
    an operator's file repeats stop pairs; ``distinct`` gives every trip its own distance instead."""
    items = []
    for n in range(offset, offset + count):
        resident = residents[n % len(residents)]
        when = START + timedelta(days=(n // len(residents)) % 365, minutes=n % 600)
        km = f"{1 + (n * 7919) % 15000 / 1000:.3f}" if distinct else str(1 + n % 17)
        inputs = {"mode": MODES[n % 3], "km": km}
        items.append(ActivityInput(resident, "transit", inputs, "import", f"{prefix}-{n}", when))
    return items


def bare_values(items: list[ActivityInput]) -> list[tuple]:
    """Rows of the activities table's shape as Python values (dicts, lists, datetimes)."""
    sample = quantify("transit", mode="bus", km="5")
    factors, now = factor_snapshot(sample.factors), clock.now()
    return [
        (
            i.resident_id,
            "transit",
            "import",
            "credited",
            dict(i.inputs),
            "green-travel",
            "1.0",
            factors,
            sample.formula,
            135,
            135,
            135,
            None,
            i.occurred_at,
            i.occurred_at.date(),
            f"bare:{i.idempotency_key}",
            now,
        )
        for i in items
    ]


def serialise(row: tuple) -> tuple:
    """What a driver needs: JSON text and ISO timestamps."""
    inputs, factors, occurred_at, day, created_at = row[4], row[7], row[13], row[14], row[16]
    return (
        *row[:4],
        json.dumps(inputs),
        *row[5:7],
        json.dumps(factors),
        *row[8:13],
        occurred_at.isoformat(" "),
        day.isoformat(),
        row[15],
        created_at.isoformat(" "),
    )


COLUMNS = (
    "resident_id, behaviour, channel, status, inputs, methodology_id, methodology_version, factors, formula,"
    " grams, points_quantified, points, note, occurred_at, local_day, idempotency_key, created_at"
)
BARE_SQL = f"INSERT INTO activities ({COLUMNS}) VALUES ({','.join('?' * 17)})"


def fresh_database(tmp: Path, name: str) -> tuple[Settings, Engine, list[int]]:
    """A migrated SQLite file with 500 residents: each measurement starts from the same state."""
    url = f"sqlite:///{tmp / name}.db"
    year = {"default": 400}  # the claim window opened to a year, as for an operator back-fill
    settings = Settings(
        env="test", database_url=url, password_hash_method="pbkdf2:sha256:1", claim_window_days=year
    )
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        residents = [
            create_resident(session=session, settings=settings, display_name=f"r{n}").id for n in range(500)
        ]
    return settings, engine, residents


def single_rate(tmp: Path, count: int) -> float:
    settings, engine, residents = fresh_database(tmp, "single")
    items = make_items(residents, count, "single")
    t0 = time.perf_counter()
    for item in items:
        with session_scope(engine) as session:
            record_activity(session=session, settings=settings, item=item)
    engine.dispose()
    return count / (time.perf_counter() - t0)


def bulk_rate(tmp: Path, count: int, batch: int, distinct: bool) -> float:
    """Batches are made just before they are recorded (as an import reads a file chunk by chunk); only the
    ``record_activities`` calls are timed."""
    settings, engine, residents = fresh_database(tmp, f"bulk-{distinct}")
    elapsed = 0.0
    for start in range(0, count, batch):
        items = make_items(residents, min(batch, count - start), "bulk", distinct, offset=start)
        t0 = time.perf_counter()
        with session_scope(engine) as session:
            outcome = record_activities(session=session, settings=settings, items=items)
        elapsed += time.perf_counter() - t0
        assert not outcome.errors and len(outcome.created) == len(items), outcome.errors[:3]
    engine.dispose()
    return count / elapsed


def bare_rate(tmp: Path, count: int, batch: int, serialise_in_loop: bool) -> float:
    """sqlite3 executemany of the same rows; either pre-serialised before the clock starts (the strict
    ceiling), or serialised inside the timed loop from the same Python values the service starts from."""
    settings, engine, residents = fresh_database(tmp, f"bare-{serialise_in_loop}")
    engine.dispose()
    values = bare_values(make_items(residents, count, "bare"))
    rows = values if serialise_in_loop else [serialise(row) for row in values]
    conn = sqlite3.connect(tmp / f"bare-{serialise_in_loop}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    t0 = time.perf_counter()
    for start in range(0, count, batch):
        chunk = rows[start : start + batch]
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(BARE_SQL, [serialise(row) for row in chunk] if serialise_in_loop else chunk)
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bulk-rows", type=int, default=50_000)
    parser.add_argument("--single-rows", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        strict = bare_rate(tmp, args.bulk_rows, args.batch, serialise_in_loop=False)
        loop = bare_rate(tmp, args.bulk_rows, args.batch, serialise_in_loop=True)
        single = single_rate(tmp, args.single_rows)
        repeating = bulk_rate(tmp, args.bulk_rows, args.batch, distinct=False)
        distinct = bulk_rate(tmp, args.bulk_rows, args.batch, distinct=True)
    print(f"SQLite, {args.batch} rows per transaction; each line on a fresh database with 500 residents")
    print(f"{'path':<50}{'rows':>8}{'activities/s':>14}{'/ bare':>9}{'/ bare+ser':>12}")
    for label, count, rate in [
        ("bare executemany, pre-serialised tuples", args.bulk_rows, strict),
        ("bare executemany, serialising JSON/timestamps", args.bulk_rows, loop),
        ("service, one activity per transaction", args.single_rows, single),
        ("service bulk path, trips repeating stop pairs", args.bulk_rows, repeating),
        ("service bulk path, every trip distance distinct", args.bulk_rows, distinct),
    ]:
        print(f"{label:<50}{count:>8}{rate:>14,.0f}{rate / strict:>9.1%}{rate / loop:>12.1%}")
    print("bulk path per row: quantify, admission (review, cap, bonus), idempotency check, activity row;")
    print("per account and batch: one ledger entry and one balance update.")
    print("Target: bulk >= 30% of the bare insert rate.")


if __name__ == "__main__":
    main()
