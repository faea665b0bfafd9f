"""Recording activities through the service: the bulk path (``activities.record_activities``: operator
imports, the demo) beside a bare driver insert of the same rows, and one activity at a time; on SQLite and,
with ``--postgresql``, on PostgreSQL.

    .venv/bin/python benchmarks/bench_record.py [--bulk-rows 50000] [--single-rows 2000] [--batch 2000]
        [--postgresql postgresql://postgres@127.0.0.1:5432/test] [--no-sqlite]

The bare baseline writes the very rows the service stored (read back as the driver takes them: JSON, times
and days as text) into a fresh database with the same residents, one transaction per batch: on SQLite one
``sqlite3`` ``executemany`` (the pysqlite default: no foreign-key checks), on PostgreSQL one psycopg ``COPY``
(``write_row``) after the ledger entries the rows refer to. Each measurement starts from a fresh database
(PostgreSQL: a throw-away schema). Prints rows per second (wall clock), CPU microseconds per row of this
process (the service's Python and, on SQLite, the database engine) and the ratio to the bare insert.
Target: the bulk path at >= 30 % of the bare rate on each database.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from carbon_credit.activities import ActivityInput, record_activities, record_activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine, migrate, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import create_resident

START = clock.now() - timedelta(days=366)  # a year of history, as an operator back-fill
MODES = ["bus", "metro", "shared_bike"]
RESIDENTS = 500
FREEZE_HELP = (
    "gc.freeze() the objects of the loaded application first, as a server process that freezes them after"
    " start-up would: the cyclic collector then no longer walks them on every full collection"
)
YEAR = {"default": 400}  # the claim window opened to a year, as for an operator back-fill
# Every column the bulk path writes (the rest keep their defaults: NULL, or 0 for bonus_points).
COLUMNS = (
    "id, resident_id, behaviour, channel, evidence, request_digest, status, inputs, methodology_id,"
    " methodology_version, factors, formula, grams, points_quantified, points, note, bonus_points, photo,"
    " details, ledger_entry_id, occurred_at, local_day, idempotency_key, created_at"
).split(", ")


@dataclass(frozen=True)
class Rate:
    """One measurement: rows, wall seconds and this process's CPU seconds."""

    rows: int
    wall: float
    cpu: float

    @property
    def per_s(self) -> float:
        return self.rows / self.wall

    @property
    def cpu_us(self) -> float:
        return self.cpu / self.rows * 1e6


class Clock:
    """Accumulates wall and CPU time over timed blocks."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    @contextlib.contextmanager
    def timed(self) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.process_time()
        yield
        self.wall += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu

    def rate(self, rows: int) -> Rate:
        return Rate(rows, self.wall, self.cpu)


class Databases:
    """Fresh databases by name: SQLite files in a temporary folder, or throw-away PostgreSQL schemas (dropped
    on exit). ``url(name)`` makes one; ``fresh(name)`` also migrates it and adds the residents."""

    def __init__(self, folder: Path, postgresql: str | None = None) -> None:
        self.folder, self.postgresql, self.schemas = folder, postgresql, []
        self.kind = "PostgreSQL" if postgresql else "SQLite"

    def url(self, name: str) -> str:
        if not self.postgresql:
            return f"sqlite:///{self.folder / name}.db"
        schema = f"bench_{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
        self._admin(f"CREATE SCHEMA {schema}")
        self.schemas.append(schema)
        return f"{self.postgresql}?options=-csearch_path%3D{schema}"

    def fresh(self, name: str, residents: int = RESIDENTS, **overrides) -> tuple[Settings, Engine, list[int]]:
        url = self.url(name)
        settings = Settings(
            env="test",
            database_url=url,
            password_hash_method="pbkdf2:sha256:1",
            claim_window_days=YEAR,
            upload_folder=str(self.folder),
            **overrides,
        )
        engine = make_engine(url)
        migrate(engine)
        with session_scope(engine) as session:
            made = [
                create_resident(session=session, settings=settings, display_name=f"r{n}").id
                for n in range(residents)
            ]
        return settings, engine, made

    def drop_all(self) -> None:
        for schema in self.schemas:
            self._admin(f"DROP SCHEMA {schema} CASCADE")

    def _admin(self, statement: str) -> None:
        engine = make_engine(self.postgresql)
        with engine.begin() as connection:
            connection.execute(text(statement))
        engine.dispose()


def make_items(
    residents: list[int], count: int, prefix: str, distinct: bool = False, offset: int = 0
) -> list[ActivityInput]:
    """Bus, metro and bike trips spread over the residents and a year. Trips repeat 51 (mode, km) pairs, as
    an operator's file repeats stop pairs; ``distinct`` gives every trip its own distance instead. Every
    third trip carries details, as an imported trip does (its card and row)."""
    items = []
    for n in range(offset, offset + count):
        resident = residents[n % len(residents)]
        when = START + timedelta(days=(n // len(residents)) % 365, minutes=n % 600)
        km = f"{1 + (n * 7919) % 15000 / 1000:.3f}" if distinct else str(1 + n % 17)
        inputs = {"mode": MODES[n % 3], "km": km}
        details = {"card": f"3104{n:010d}", "row": n + 2} if n % 3 == 0 else None
        key = f"{prefix}-{n}"
        items.append(ActivityInput(resident, "transit", inputs, "import", key, when, None, details))
    return items


def single_rate(dbs: Databases, count: int) -> Rate:
    settings, engine, residents = dbs.fresh("single")
    clock_ = Clock()
    for item in make_items(residents, count, "single"):
        with clock_.timed(), session_scope(engine) as session:
            record_activity(session=session, settings=settings, item=item)
    engine.dispose()
    return clock_.rate(count)


def bulk_rate(dbs: Databases, count: int, batch: int, distinct: bool) -> tuple[Rate, Engine, Settings]:
    """Batches are made just before they are recorded (as an import reads a file chunk by chunk); only the
    ``record_activities`` calls are timed. Returns the engine, for the rows it stored."""
    settings, engine, residents = dbs.fresh(f"bulk-{'distinct' if distinct else 'repeating'}")
    clock_ = Clock()
    for start in range(0, count, batch):
        items = make_items(residents, min(batch, count - start), "bulk", distinct, offset=start)
        with clock_.timed(), session_scope(engine) as session:
            outcome = record_activities(session=session, settings=settings, items=items)
        assert not outcome.errors and len(outcome.created) == len(items), outcome.errors[:3]
    return clock_.rate(count), engine, settings


def stored_rows(engine: Engine, table: str = "activities", columns: tuple | list = COLUMNS) -> list[tuple]:
    """The rows as stored, pre-serialised as the driver takes them (PostgreSQL: every value as text)."""
    names = ", ".join(f"{c}::text" if engine.dialect.name == "postgresql" else c for c in columns)
    with engine.connect() as connection:
        return [tuple(r) for r in connection.exec_driver_sql(f"SELECT {names} FROM {table} ORDER BY id")]


def bare_rate(dbs: Databases, source: Engine, batch: int, residents: int = RESIDENTS) -> Rate:
    """The stored rows of ``source`` written again by the bare driver into a fresh database with the same
    number of residents (the rows' residents, when they were the first ones created)."""
    rows = stored_rows(source)
    _, engine, _ = dbs.fresh("bare", residents)
    clock_ = Clock()
    if dbs.postgresql:
        entries = stored_rows(source, "ledger_entries", ledger_columns(source))
        copy_rows(engine, "ledger_entries", ledger_columns(source), entries, len(entries), Clock())
        copy_rows(engine, "activities", COLUMNS, rows, batch, clock_)
    else:
        executemany_rows(engine, rows, batch, clock_)
    engine.dispose()
    return clock_.rate(len(rows))


def ledger_columns(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.exec_driver_sql("SELECT * FROM ledger_entries WHERE 1 = 0").keys())


def executemany_rows(engine: Engine, rows: list[tuple], batch: int, clock_: Clock) -> None:
    """sqlite3 executemany, one BEGIN IMMEDIATE ... COMMIT per batch (WAL, synchronous=NORMAL, as the app)."""
    path = engine.url.database
    engine.dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO activities ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    for start in range(0, len(rows), batch):
        with clock_.timed():
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(sql, rows[start : start + batch])
            connection.execute("COMMIT")
    connection.close()


def copy_rows(engine: Engine, table: str, columns, rows: list[tuple], batch: int, clock_: Clock) -> None:
    """psycopg COPY ... FROM STDIN with write_row, one transaction per batch."""
    raw = engine.raw_connection()
    connection = raw.driver_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    for start in range(0, len(rows), batch):
        with clock_.timed(), connection.transaction(), connection.cursor() as cursor:
            with cursor.copy(statement) as copy:
                for row in rows[start : start + batch]:
                    copy.write_row(row)
    raw.close()


def report(title: str, lines: list[tuple[str, Rate]], bare: Rate) -> None:
    """A table of the measurements: rows, rows/s, CPU µs per row and the ratio to ``bare``."""
    print(title)
    print(f"{'path':<58}{'rows':>8}{'rows/s':>10}{'CPU µs/row':>12}{'/ bare':>8}")
    for label, r in lines:
        print(f"{label:<58}{r.rows:>8}{r.per_s:>10,.0f}{r.cpu_us:>12.1f}{r.per_s / bare.per_s:>8.1%}")


def verdict(name: str, kind: str, rate: Rate, bare: Rate) -> None:
    """The line ``ratio <what> <database> <rows/s> / bare <rows/s> = <ratio>`` and the target's verdict."""
    ratio = rate.per_s / bare.per_s
    print(f"ratio {name} {kind} {rate.per_s:,.0f} / bare {bare.per_s:,.0f} = {ratio:.2f}", end="  ")
    if kind == "SQLite":  # everything in this process: the CPU ratio is the one a busy machine does not move
        print(f"(CPU time ratio {bare.cpu_us / rate.cpu_us:.2f})", end="  ")
    print(f"target >= 0.30: {'met' if ratio >= 0.3 else 'NOT met'}")


def run(dbs: Databases, args: argparse.Namespace) -> None:
    repeating, source, _ = bulk_rate(dbs, args.bulk_rows, args.batch, distinct=False)
    distinct, other, _ = bulk_rate(dbs, args.bulk_rows, args.batch, distinct=True)
    other.dispose()
    bare = bare_rate(dbs, source, args.batch)
    source.dispose()
    single = single_rate(dbs, args.single_rows)
    driver = "psycopg COPY (write_row)" if dbs.postgresql else "sqlite3 executemany"
    title = (
        f"{dbs.kind}, {args.batch} rows per transaction; each line on a fresh database, {RESIDENTS} residents"
    )
    report(
        title,
        [
            (f"bare {driver}, the same rows pre-serialised", bare),
            ("service bulk path, trips repeating stop pairs", repeating),
            ("service bulk path, every trip distance distinct", distinct),
            ("service, one activity per transaction", single),
        ],
        bare,
    )
    verdict("bulk", dbs.kind, repeating, bare)
    verdict("bulk-distinct", dbs.kind, distinct, bare)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bulk-rows", type=int, default=50_000)
    parser.add_argument("--single-rows", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=2_000)
    parser.add_argument("--postgresql", help="also measure on this server (a throw-away schema per database)")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--gc-freeze", action="store_true", help=FREEZE_HELP)
    on_each_database(run, parser.parse_args())


def on_each_database(run, args: argparse.Namespace) -> None:
    """``run(dbs, args)`` on SQLite (unless ``--no-sqlite``), then on ``--postgresql`` when given (its
    throw-away schemas dropped afterwards); ``--gc-freeze`` freezes the loaded objects first."""
    if args.gc_freeze:
        gc.freeze()
    with tempfile.TemporaryDirectory() as name:
        if not args.no_sqlite:
            run(Databases(Path(name)), args)
        if args.postgresql:
            dbs = Databases(Path(name), args.postgresql)
            try:
                run(dbs, args)
            finally:
                dbs.drop_all()


if __name__ == "__main__":
    main()
