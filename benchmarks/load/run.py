"""Load benchmark: QR tap-in/tap-out and activity logging through the JSON API under gunicorn, beside
GET /healthz of the same app on the same server as the ceiling, on SQLite and PostgreSQL; then the ledger
invariant over every account. See docs/load.md.

    .venv/bin/python benchmarks/load/run.py [--db sqlite|postgresql|both] [--clients 32,128] [--duration 20]

Prints, per database, endpoint and client count: requests per second, median and p99 latency, errors
(non-2xx answers and socket errors) and the ratio to the trivial endpoint; the issue's target at 32 clients;
the outcome mix; and the invariant checks. Exits 1 when an invariant is broken.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import report
from databases import fresh_database, init_db
from invariant import check
from seed import seed, write_lua_data
from server import RELAXED, free_port, gunicorn, server_env, worker_boots
from wrk import THREADS, Measured, ensure_wrk, run_wrk

from carbon_credit.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MODES = ("healthz", "scan", "activity")
WARM_CLIENTS = 8
PER_TOKEN_BUDGET = 40  # requests per token per run, well under the API's 120 per minute
ASSUMED_MAX_RATE = 1500  # requests per second, for sizing the resident pools


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", default="32,128", help="comma-separated connection counts")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per endpoint")
    parser.add_argument("--think-ms", type=int, default=0, help="pause per connection between requests")
    parser.add_argument("--limiter", choices=("memory", "redis", "both"), default="memory")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--residents", type=int, default=0, help="residents per run (default: sized)")
    parser.add_argument("--stops", type=int, default=200)
    parser.add_argument("--log-level", default="info", help="LOG_LEVEL of the server (production: info)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    args.dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    args.limiters = ["memory", "redis"] if args.limiter == "both" else [args.limiter]
    return args


def pool_size(args: argparse.Namespace, clients: int) -> int:
    """Residents for one run: enough that no token nears the rate limit at any plausible rate."""
    sized = -(-ASSUMED_MAX_RATE * args.duration // PER_TOKEN_BUDGET)
    return args.residents or max(4 * clients, sized)


def run_database(kind: str, args: argparse.Namespace, wrk: str) -> tuple[list[report.Row], bool, dict]:
    """Every measured run on one fresh database of ``kind``, then the invariant check."""
    rows: list[report.Row] = []
    seen: list[Measured] = []
    with tempfile.TemporaryDirectory(prefix="cc-load-") as tmp, fresh_database(kind, Path(tmp)) as url:
        workdir = Path(tmp)
        env = server_env(url, workdir, free_port(), redis_url=None, log_level=args.log_level)
        init_db(ROOT, env)
        pools = {f"{lim}-warm-{mode}": 4 * WARM_CLIENTS for lim in args.limiters for mode in MODES[1:]}
        for lim in args.limiters:
            pools.update({f"{lim}-{m}-{c}": pool_size(args, c) for c in args.clients for m in MODES[1:]})
        print(f"[{kind}] seeding {args.stops} stops and {sum(pools.values())} residents with tokens ...")
        started = time.monotonic()
        seeded = seed(Settings.from_env(env), stops=args.stops, pools=pools)
        print(f"[{kind}] seeded in {time.monotonic() - started:.0f} s", flush=True)
        for name, tokens in seeded.pools.items():
            write_lua_data(workdir / f"{name}.lua", tokens, seeded.stop_tokens, THREADS)
        for lim in args.limiters:
            lim_env = {**env, "REDIS_URL": args.redis_url} if lim == "redis" else env
            rows += measure_server(kind, lim, lim_env, workdir, args, wrk, seen)
        verdict = check(url)
    credited = sum(m.outcomes.get("trip_credited", 0) for m in seen if m.mode == "scan")
    created = sum(m.statuses.get("201", 0) for m in seen if m.mode == "activity")
    in_flight = sum(m.clients for m in seen if m.mode != "healthz")
    print(report.invariant(kind, verdict, credited, created, in_flight), flush=True)
    summary = {"violations": verdict.violations, "counts": verdict.counts, "seen": [credited, created]}
    return rows, verdict.ok, summary


def measure_server(kind, limiter, env, workdir: Path, args, wrk: str, seen: list[Measured]) -> list:
    """Start gunicorn, warm every endpoint up, then measure each client count: trivial first, then the
    write paths, each with its own pool of residents."""
    rows = []
    log = workdir / f"gunicorn-{limiter}.log"
    nonce = secrets.token_hex(4)
    with gunicorn(ROOT, env, log) as base:

        def measure(mode: str, clients: int, seconds: int, pool: str) -> Measured:
            data = workdir / f"{pool}.lua" if mode != "healthz" else None
            key = nonce + pool.replace("-", "")
            measured = run_wrk(wrk, base, mode, clients, seconds, data, key, args.think_ms)
            seen.append(measured)
            return measured

        for mode in MODES:
            measure(mode, WARM_CLIENTS, args.warmup, f"{limiter}-warm-{mode}")
        for clients in args.clients:
            trivial = None
            for mode in MODES:
                boots = worker_boots(log)
                measured = measure(mode, clients, args.duration, f"{limiter}-{mode}-{clients}")
                trivial = trivial or measured.rate
                ratio = None if mode == "healthz" else measured.rate / trivial
                rows.append(report.Row(kind, limiter, measured, ratio, worker_boots(log) - boots))
                print(report.table(rows[-1:]).splitlines()[-1], flush=True)
    return rows


def gunicorn_shape() -> str:
    """Workers and threads as gunicorn.conf.py computes them from this environment."""
    workers = os.environ.get("WEB_CONCURRENCY") or f"{os.cpu_count() * 2 + 1} (cores x 2 + 1)"
    return f"workers {workers}, threads {os.environ.get('GUNICORN_THREADS', '4')} (gthread)"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the PostgreSQL database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = ensure_wrk()
    print("Relaxed for the load (everything else at production values, APP_ENV=production):")
    for name, value in RELAXED.items():
        print(f"  {name}={value}")
    print(f"Each run: wrk -t{THREADS}, {args.duration} s; each resident and token serves one run only.")
    print(f"gunicorn: gunicorn.conf.py, {gunicorn_shape()}")
    if args.think_ms:
        print(f"Each connection pauses {args.think_ms} ms before each request: the ratio is not a ceiling.")
    print()
    rows: list[report.Row] = []
    invariants: dict[str, dict] = {}
    all_ok = True
    for kind in args.dbs:
        db_rows, ok, summary = run_database(kind, args, wrk)
        rows += db_rows
        invariants[kind] = summary
        all_ok = all_ok and ok
    print("\n" + report.table(rows))
    print("\nTarget (issue): write path >= 50% of trivial req/s, no errors, p99 < 250 ms at 32 clients")
    print(report.verdicts(rows))
    print("\nAnswers per run:\n" + report.details(rows))
    if args.json:
        records = [{**asdict(r.measured), "db": r.db, "limiter": r.limiter, "ratio": r.ratio} for r in rows]
        args.json.write_text(json.dumps({"runs": records, "invariants": invariants}, indent=2))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
