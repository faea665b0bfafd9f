"""The auditor export (carbon_credit.exports.auditor_export) on SQLite beside its Python peers writing the
same rows read with a plain sqlite3 cursor: a bare openpyxl write-only loop and a bare XlsxWriter
constant-memory loop (``write_row``); each run in its own process, for its peak memory.

    .venv/bin/python benchmarks/bench_exports.py [--rows 1000000] [--keep /tmp/bench.db]

Generates N activities over the last year (plus one ledger entry per ten activities) with bulk SQL,
rebuilds the daily rollups, then prints seconds, rows/s and peak RSS of each, and the export's time over the
fastest peer's. Targets: at most 1.2x the fastest peer's time, peak memory under 100 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESIDENTS = 2_000
BEHAVIOURS = [
    (
        "transit",
        {"legs": [{"mode": "bus", "km": "8"}]},
        [{"key": "bus", "value": "26.9", "unit": "g CO2/pkm", "status": "V"}],
    ),
    ("walking", {"steps": 6000}, [{"key": "walking", "value": "0.05", "unit": "g CO2/step", "status": "S"}]),
    (
        "recycling",
        {"material": "pet", "kg": "2"},
        [{"key": "pet", "value": "1030", "unit": "g CO2e/kg", "status": "V"}],
    ),
    (
        "electricity",
        {"kwh": "3"},
        [{"key": "hubei_2023", "value": "410", "unit": "g CO2/kWh", "status": "V"}],
    ),
]
CHANNELS = ["web", "bot", "qr", "api", "import"]
DISTRICTS = 7
ACTIVITY_SQL = (
    "INSERT INTO activities (resident_id, behaviour, channel, status, inputs, methodology_id,"
    " methodology_version, factors, formula, grams, points_quantified, points, bonus_points, occurred_at,"
    " local_day, idempotency_key, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
LEDGER_SQL = (
    "INSERT INTO ledger_entries (account_id, kind, points, balance_after, ref_type, ref_id, idempotency_key,"
    " memo, created_at) VALUES (?,?,?,?,?,?,?,?,?)"
)
ACTIVITY_COLUMNS = (
    "a.id, a.resident_id, r.display_name, r.district_id, a.behaviour, a.channel, a.status, a.occurred_at,"
    " a.local_day, a.grams, a.points, a.bonus_points, a.campaign_id, a.methodology_id, a.methodology_version,"
    " a.factors, a.inputs, a.note, a.ledger_entry_id"
)


def populate(path: Path, rows: int, days: int = 365) -> tuple[date, date]:
    """A migrated SQLite file with RESIDENTS residents, ``rows`` activities over ``days`` days ending today
    (Shanghai) and one ledger entry per ten activities; rollups rebuilt. Returns the first and last day."""
    from carbon_credit.activities import rebuild_rollups
    from carbon_credit.platform.database import make_engine, migrate, session_scope
    from carbon_credit.platform.settings import Settings
    from carbon_credit.residents import create_resident

    url = f"sqlite:///{path}"
    settings = Settings(env="test", database_url=url, password_hash_method="pbkdf2:sha256:1")
    engine = make_engine(url)
    migrate(engine)
    codes = ["xiaonan", "hanchuan", "yingcheng", "anlu", "yunmeng", "dawu", "xiaochang"]
    with session_scope(engine) as session:
        for n in range(RESIDENTS):
            name = f"居民{n}" if n % 97 else f'=HYPERLINK("x","{n}")'  # some formula-looking names
            create_resident(
                session=session, settings=settings, display_name=name, district_code=codes[n % DISTRICTS]
            )
    last = (datetime.now(UTC) + timedelta(hours=8)).date()
    first = last - timedelta(days=days - 1)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    created = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    chunk = 50_000
    for start in range(0, rows, chunk):
        batch = []
        for n in range(start, min(rows, start + chunk)):
            behaviour, inputs, factors = BEHAVIOURS[n % len(BEHAVIOURS)]
            day = first + timedelta(days=n * days // rows)
            grams = 50 + n % 400
            status = "pending" if n % 50 == 0 else "credited"
            batch.append(
                (
                    1 + (n * 7919) % RESIDENTS,
                    behaviour,
                    CHANNELS[n % len(CHANNELS)],
                    status,
                    json.dumps(inputs),
                    "green-travel",
                    "1.0",
                    json.dumps(factors),
                    f"{behaviour} formula = {grams} g",
                    grams,
                    grams,
                    0 if status == "pending" else grams,
                    0,
                    f"{day.isoformat()} 04:00:00.000000",
                    day.isoformat(),
                    f"bench:{n}",
                    created,
                )
            )
        conn.execute("BEGIN")
        conn.executemany(ACTIVITY_SQL, batch)
        ledger = [
            (
                1 + (n * 7919) % RESIDENTS,
                "earn",
                500,
                500,
                "activity_batch",
                None,
                f"bench-entry:{n}",
                "=1+1" if n % 1000 == 0 else "10 activities",
                f"{(first + timedelta(days=n * days // rows)).isoformat()} 05:00:00.000000",
            )
            for n in range(start, min(rows, start + chunk), 10)
        ]
        conn.executemany(LEDGER_SQL, ledger)
        conn.execute("COMMIT")
    conn.close()
    with session_scope(engine) as session:
        rebuild_rollups(session=session, day_from=first, day_to=last)
    engine.dispose()
    return first, last


def run_export(path: str, day_from: str, day_to: str, out: str) -> dict:
    """Child process: the service export."""
    from carbon_credit.exports import auditor_export
    from carbon_credit.platform.database import make_engine, read_session

    url = f"sqlite:///{path}"
    engine = make_engine(url)
    imports = peak_mb()  # the application's modules, loaded before the export starts
    t0 = time.perf_counter()
    with read_session(engine) as session:
        rows = auditor_export(
            session=session,
            day_from=date.fromisoformat(day_from),
            day_to=date.fromisoformat(day_to),
            path=out,
        )
    return {"rows": rows, "seconds": time.perf_counter() - t0, "imports_mb": imports}


def bare_queries(path: str, day_from: str, day_to: str) -> Iterator[tuple[str, Iterator[tuple]]]:
    """(sheet name, rows) of the export's two data sheets, read with a plain sqlite3 cursor."""
    conn = sqlite3.connect(path)
    query = (
        f"SELECT {ACTIVITY_COLUMNS} FROM activities a JOIN residents r ON r.id = a.resident_id"
        " WHERE a.local_day BETWEEN ? AND ? ORDER BY a.id"
    )
    yield "activities", conn.execute(query, (day_from, day_to))
    query = (
        "SELECT e.id, a.resident_id, r.display_name, e.kind, e.points, e.balance_after, e.ref_type, e.ref_id,"
        " e.memo, e.created_at FROM ledger_entries e JOIN accounts a ON a.id = e.account_id"
        " LEFT JOIN residents r ON r.id = a.resident_id ORDER BY e.id"
    )
    yield "ledger", conn.execute(query)


def run_openpyxl(path: str, day_from: str, day_to: str, out: str) -> dict:
    """Child process: a bare openpyxl write-only loop over the same rows."""
    from openpyxl import Workbook

    t0 = time.perf_counter()
    wb = Workbook(write_only=True)
    rows = 0
    for name, cursor in bare_queries(path, day_from, day_to):
        ws = wb.create_sheet(name)
        for row in cursor:
            ws.append(row)
            rows += 1
    wb.save(out)
    return {"rows": rows, "seconds": time.perf_counter() - t0}


def run_xlsxwriter(path: str, day_from: str, day_to: str, out: str) -> dict:
    """Child process: a bare XlsxWriter constant-memory loop (``write_row``) over the same rows."""
    import xlsxwriter

    t0 = time.perf_counter()
    book = xlsxwriter.Workbook(out, {"constant_memory": True})
    rows = 0
    for name, cursor in bare_queries(path, day_from, day_to):
        ws = book.add_worksheet(name)
        for number, row in enumerate(cursor):
            ws.write_row(number, 0, row)
        rows += number + 1
    book.close()
    return {"rows": rows, "seconds": time.perf_counter() - t0}


RUNS = {"export": run_export, "openpyxl": run_openpyxl, "xlsxwriter": run_xlsxwriter}


def peak_mb() -> float:
    """This process's peak resident memory. Linux: VmHWM (ru_maxrss would include the parent's size at
    fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(kind: str, path: str, day_from: str, day_to: str, out: str) -> None:
    result = RUNS[kind](path, day_from, day_to, out)
    result["peak_mb"] = peak_mb()
    result["file_mb"] = os.path.getsize(out) / 1e6
    print(json.dumps(result))


def measure(kind: str, path: Path, first: date, last: date, tmp: Path) -> dict:
    args = [sys.executable, __file__, "--child", kind, str(path), first.isoformat(), last.isoformat()]
    output = subprocess.run([*args, str(tmp / f"{kind}.xlsx")], check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="database file to create (or reuse if it exists)")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        path = args.keep or tmp / "bench.db"
        t0 = time.perf_counter()
        if path.exists():
            last = (datetime.now(UTC) + timedelta(hours=8)).date()
            first = last - timedelta(days=364)
        else:
            first, last = populate(path, args.rows)
        print(f"SQLite database with {args.rows:,} activities ready in {time.perf_counter() - t0:.0f} s")
        results = {
            kind: measure(kind, path, first, last, tmp) for kind in ("openpyxl", "xlsxwriter", "export")
        }
    print(f"{f'auditor export, {first} to {last}':<44}{'rows':>10}{'seconds':>9}{'rows/s':>9}{'peak MB':>9}")
    for label, kind in (
        ("bare openpyxl write-only loop", "openpyxl"),
        ("bare XlsxWriter constant_memory loop", "xlsxwriter"),
        ("carbon_credit.exports.auditor_export", "export"),
    ):
        result = results[kind]
        rate = result["rows"] / result["seconds"]
        print(
            f"{label:<44}{result['rows']:>10,}{result['seconds']:>9.1f}{rate:>9,.0f}{result['peak_mb']:>9.0f}"
        )
    export = results["export"]
    fastest = min(("openpyxl", "xlsxwriter"), key=lambda kind: results[kind]["seconds"])
    ratio = export["seconds"] / results[fastest]["seconds"]
    verdict = "met" if ratio <= 1.2 and export["peak_mb"] < 100 else "NOT met"
    before = export["imports_mb"]
    print(f"export peak memory {export['peak_mb']:.0f} MB, of which {before:.0f} MB before it began")
    peer = results[fastest]["seconds"]
    print(
        f"ratio export / fastest peer ({fastest}) {export['seconds']:.1f} s / {peer:.1f} s = {ratio:.2f}"
        f" (target <= 1.20); export peak {export['peak_mb']:.0f} MB (target < 100): {verdict}"
    )


if __name__ == "__main__":
    main()
