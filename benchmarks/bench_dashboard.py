"""The admin statistics page (/admin/stats) on SQLite with N activities in the daily rollups: median response
time over 50 requests through the Flask test client, signed in as an administrator.

    .venv/bin/python benchmarks/bench_dashboard.py [--rows 1000000] [--db /tmp/bench.db] [--requests 50]

``--db`` reuses a database made by ``bench_exports.py --keep`` (same generator). Prints the median and 90th
percentile for the default page (last 30 days by day) and a year by month, each with the active-residents
count cached (as served) and uncached, and the distinct-count query alone. Target: median under 100 ms.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import populate  # noqa: E402

PASSWORD = "bench-password-9"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def admin_client(url: str):
    """The app on ``url`` and a test client signed in as a new administrator."""
    from carbon_credit.platform.database import make_engine, session_scope
    from carbon_credit.platform.settings import Settings
    from carbon_credit.residents import create_resident
    from webapp import create_app

    settings = Settings(
        env="test",
        database_url=url,
        password_hash_method="pbkdf2:sha256:1",
        login_rate_limit="1000 per minute",
    )
    engine = make_engine(url)
    email = f"admin{time.time_ns()}@example.org"
    with session_scope(engine) as session:
        create_resident(
            session=session,
            settings=settings,
            display_name="管理员",
            email=email,
            password=PASSWORD,
            role="admin",
        )
    engine.dispose()
    app = create_app(settings)
    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"csrf_token": token, "login": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return app, client


def timings(client, url: str, requests: int) -> list[float]:
    client.get(url)  # warm up: templates compiled, pygal imported
    result = []
    for _ in range(requests):
        t0 = time.perf_counter()
        response = client.get(url)
        result.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    return result


def active_query_ms(url: str, day_from: date, day_to: date) -> float:
    from carbon_credit.platform.database import make_engine, read_session
    from carbon_credit.stats import dashboard

    engine = make_engine(url)
    samples = []
    for _ in range(5):
        with read_session(engine) as session:
            t0 = time.perf_counter()
            dashboard.active_residents(session=session, day_from=day_from, day_to=day_to, fresh=True)
            samples.append((time.perf_counter() - t0) * 1000)
    engine.dispose()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="an existing bench_exports.py --keep database")
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    from carbon_credit.stats import dashboard

    with tempfile.TemporaryDirectory() as name:
        path = args.db or Path(name) / "bench.db"
        if not path.exists():
            populate(path, args.rows)
        url = f"sqlite:///{path}"
        _app, client = admin_client(url)
        today = (datetime.now(UTC) + timedelta(hours=8)).date()
        year = f"/admin/stats?day_from={today - timedelta(days=364)}&day_to={today}&granularity=month"
        pages = [("last 30 days by day (default)", "/admin/stats"), ("last 365 days by month", year)]
        print(f"SQLite, {args.rows:,} generated activities (rollups rebuilt), {args.requests} requests each")
        print(f"{'page':<34}{'active residents':<18}{'median ms':>10}{'p90 ms':>9}")
        for label, page in pages:
            for cached in (True, False):
                dashboard.ACTIVE_CACHE_SECONDS = 60 if cached else 0
                samples = sorted(timings(client, page, args.requests))
                p90 = samples[int(len(samples) * 0.9) - 1]
                mode = "cached (60 s)" if cached else "uncached"
                print(f"{label:<34}{mode:<18}{statistics.median(samples):>10.1f}{p90:>9.1f}")
        for days in (30, 365):
            ms = active_query_ms(url, today - timedelta(days=days - 1), today)
            print(f"active residents query alone, {days} days: {ms:.1f} ms")
    print("target: median under 100 ms")


if __name__ == "__main__":
    main()
