"""A resident's copy of their data with 100,000 activities, on SQLite: the streamed JSON export
(``privacy.export_json``) and the Excel workbook against a baseline that loads every activity into a list
first. Prints time and peak Python memory (tracemalloc) of each, and the figures as ratios.

    .venv/bin/python benchmarks/privacy_export.py [activities]

The activities are bulk-inserted (not through admission: the export only reads them). Times are measured
under tracemalloc, which slows every run several times over: compare them as ratios.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, select

from carbon_credit import privacy
from carbon_credit.activities import Activity
from carbon_credit.platform import clock
from carbon_credit.platform.database import make_engine, migrate, read_session, session_scope
from carbon_credit.platform.settings import Settings
from carbon_credit.residents import create_resident

FACTORS = [{"key": "bus_g_per_pkm", "value": "27", "unit": "gCO2e/pkm", "source": "demo"}]


def seed(engine, settings, count: int) -> int:
    """A resident with ``count`` bus trips, inserted in batches of 5,000."""
    with session_scope(engine) as session:
        rid = create_resident(
            session=session, settings=settings, display_name="基准居民", email="b@example.org"
        ).id
    start = clock.now() - timedelta(days=365)
    for first in range(0, count, 5000):
        rows = [
            _activity(rid, n, start + timedelta(minutes=5 * n))
            for n in range(first, min(first + 5000, count))
        ]
        with session_scope(engine) as session:
            session.execute(insert(Activity), rows)
    return rid


def _activity(rid: int, n: int, when) -> dict:
    return dict(
        resident_id=rid, behaviour="transit", channel="qr", evidence="verified", status="credited",
        inputs={"mode": "bus", "km": "4.2"}, methodology_id="transit", methodology_version="1.0",
        factors=FACTORS, formula="km * (car - bus)", grams=500, points_quantified=500, points=500,
        occurred_at=when, local_day=clock.local_day(when), idempotency_key=f"bench-{n}", created_at=when,
    )  # fmt: skip


def measure(work) -> tuple[float, int, object]:
    tracemalloc.start()
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak, result


def streamed(engine, rid: int, sink: Path) -> int:
    with read_session(engine) as session, sink.open("w", encoding="utf-8") as out:
        for piece in privacy.export_json(session=session, resident_id=rid):
            out.write(piece)
    return sink.stat().st_size


def workbook(engine, rid: int, sink: Path) -> int:
    with read_session(engine) as session, sink.open("wb") as out:
        privacy.export_xlsx(session=session, resident_id=rid, file=out)
    return sink.stat().st_size


def baseline(engine, rid: int, sink: Path) -> int:
    """Load every activity as an object into a list, then write the JSON in one go."""
    with read_session(engine) as session:
        found = list(session.execute(select(Activity).where(Activity.resident_id == rid)).scalars())
        rows = [{c: privacy.json_value(getattr(a, c)) for c in Activity.model_fields} for a in found]
    sink.write_text(json.dumps({"activities": rows}, ensure_ascii=False), encoding="utf-8")
    return sink.stat().st_size


def main(count: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="privacy-export-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(env="test", database_url=url, password_hash_method="pbkdf2:sha256:1")
    engine = make_engine(settings.database_url)
    migrate(engine)
    began = time.perf_counter()
    rid = seed(engine, settings, count)
    print(f"seeded {count:,} activities in {time.perf_counter() - began:.1f} s ({folder})")
    runs = {
        "baseline (all in a list)": measure(lambda: baseline(engine, rid, folder / "baseline.json")),
        "streamed JSON": measure(lambda: streamed(engine, rid, folder / "export.json")),
        "streamed Excel": measure(lambda: workbook(engine, rid, folder / "export.xlsx")),
    }
    base_s, base_peak, _ = runs["baseline (all in a list)"]
    print(f"{'run':<26}{'time s':>9}{'peak MiB':>10}{'file MiB':>10}{'time x':>8}{'peak x':>8}")
    for name, (seconds, peak, size) in runs.items():
        print(
            f"{name:<26}{seconds:>9.2f}{peak / 2**20:>10.1f}{size / 2**20:>10.1f}"
            f"{seconds / base_s:>8.2f}{peak / base_peak:>8.3f}"
        )
    engine.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
