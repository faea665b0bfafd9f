"""Load benchmark: QR tap-in/tap-out and activity recording through the JSON API under gunicorn, each beside
GET /healthz of the same server measured before and after the writes (the higher is the baseline), on SQLite
and PostgreSQL; worker and PostgreSQL CPU per write; then the ledger invariant over every account. See
docs/load.md.

    .venv/bin/python benchmarks/load/run.py [--db sqlite|postgresql|both] [--clients 32] [--duration 60]
        [--app-root PATH] [--workers N] [--threads M] [--out DIR]

Prints, per database and scenario, ``ratio <scenario> <db> <req/s> / healthz <req/s> = <ratio>  p99 <ms>``
(req/s: answers that did what was asked), a ``cpu`` line, the figures table, a ``verdict`` line per write
scenario at 32 clients against issue 17's targets and the answers per run. Writes results.json and report.txt
to --out, with the gunicorn log whenever a 5xx was answered. Exits 1 when an invariant is broken.
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import report
from cpu import Sampler
from databases import PG_ADMIN_URL, analyze, fresh_database, init_db
from invariant import check
from prime import prime
from server import BIN, RELAXED, Server, free_port, gunicorn, server_env, worker_boots
from wrk import THREADS, Measured, ensure_wrk, run_wrk, write_client_data

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
WARM_CLIENTS = 8
lines: list[str] = []  # everything said, for report.txt


def say(text: str = "") -> None:
    print(text, flush=True)
    lines.append(text)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clients", default="32", help="comma-separated connection counts (targets: 32)")
    parser.add_argument("--duration", type=int, default=60, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up per endpoint")
    parser.add_argument("--max-rate", type=int, default=1000, help="req/s the resident pools are sized for")
    parser.add_argument(
        "--token-gap", type=int, default=62, help="seconds before a token is used again (0: no gap)"
    )
    parser.add_argument("--think-ms", type=int, default=0, help="pause per connection between requests")
    parser.add_argument("--limiter", choices=("memory", "redis", "both"), default="memory")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--stops", type=int, default=200)
    parser.add_argument("--log-level", default="info", help="LOG_LEVEL of the server (production: info)")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout to seed and serve")
    parser.add_argument("--workers", type=int, help="WEB_CONCURRENCY (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="GUNICORN_THREADS (default: gunicorn.conf.py's)")
    parser.add_argument("--out", type=Path, help="folder for results (default benchmarks/out/load-<time>)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    args.clients = [int(c) for c in args.clients.split(",") if c.strip()]
    args.dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    args.limiters = ["memory", "redis"] if args.limiter == "both" else [args.limiter]
    args.app_root = args.app_root.resolve()
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    args.out = args.out or ROOT / "benchmarks" / "out" / f"load-{stamp}"
    return args


def pool_size(args: argparse.Namespace, clients: int, seconds: int) -> int:
    """Residents for one run: enough that at ``--max-rate`` no token is due again before the gap (or, without
    a gap, that no token nears the API's 120 requests per minute); even, so half can be primed."""
    window = min(seconds, args.token_gap) if args.token_gap else seconds / 40
    return 2 * math.ceil(max(4 * clients, args.max_rate * window * 1.05) / 2)


def seed_pools(args, env: dict[str, str], workdir: Path, pools: dict[str, int]) -> dict:
    """Seed in a process of the measured checkout (its services, its models)."""
    out = workdir / "seeded.json"
    command = [str(BIN / "python"), str(HERE / "seed.py"), str(out), f"--stops={args.stops}"]
    command += [f"--pool={name}={count}" for name, count in pools.items()]
    subprocess.run(command, cwd=args.app_root, env=env, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def run_database(kind: str, args: argparse.Namespace, wrk: str) -> tuple[list[report.Row], bool, dict]:
    """Every measured run on one fresh database of ``kind``, then the invariant check."""
    rows: list[report.Row] = []
    seen: list[Measured] = []  # every run, warm-ups included, for the counts beside the database's
    with tempfile.TemporaryDirectory(prefix="cc-load-") as tmp, fresh_database(kind, Path(tmp)) as url:
        workdir = Path(tmp)
        shape = {"app_root": args.app_root, "workers": args.workers, "threads": args.threads}
        env = server_env(url, workdir, free_port(), redis_url=None, log_level=args.log_level, **shape)
        init_db(args.app_root, env)
        pools = {}
        for lim in args.limiters:
            pools.update(
                {f"{lim}-warm-{m}": pool_size(args, WARM_CLIENTS, args.warmup) for m in ("scan", "activity")}
            )
            for c in args.clients:
                pools.update(
                    {f"{lim}-{m}-{c}": pool_size(args, c, args.duration) for m in ("scan", "activity")}
                )
        say(f"[{kind}] seeding {args.stops} stops and {sum(pools.values())} residents with tokens ...")
        started = time.monotonic()
        seeded = seed_pools(args, env, workdir, pools)
        say(f"[{kind}] seeded in {time.monotonic() - started:.0f} s ({seeded['method']})")
        for name, tokens in seeded["pools"].items():
            write_client_data(workdir / f"{name}.txt", tokens, seeded["stop_tokens"], THREADS)
        for lim in args.limiters:
            lim_env = {**env, "REDIS_URL": args.redis_url} if lim == "redis" else env
            rows += measure_server(kind, lim, lim_env, workdir, args, wrk, url, seeded, seen)
        verdict = check(url)
    writes = [m for m in seen if m.mode != "healthz"]
    credited = sum(m.outcomes.get("trip_credited", 0) for m in writes if m.mode == "scan")
    created = sum(m.outcomes.get("credited", 0) for m in writes if m.mode == "activity")
    say(report.invariant(kind, verdict, credited, created, sum(m.clients for m in writes)))
    summary = {"violations": verdict.violations, "counts": verdict.counts, "seen": [credited, created]}
    return rows, verdict.ok, summary


def measure_server(kind, limiter, env, workdir: Path, args, wrk, url: str, seeded, seen) -> list[report.Row]:
    """Start gunicorn and warm every path up; then per client count: prime the scan pool, /healthz, scans,
    activities, /healthz again. The server log is kept when an answer was a 5xx."""
    rows: list[report.Row] = []
    log = workdir / f"gunicorn-{kind}-{limiter}.log"
    try:
        with gunicorn(args.app_root, env, log) as server:
            pg = (PG_ADMIN_URL, url.rsplit("/", 1)[1]) if kind == "postgresql" else (None, None)
            run = Runner(server, Sampler(server.pid, *pg), workdir, args, (wrk, limiter, seeded, seen))
            run.prime(f"{limiter}-warm-scan", WARM_CLIENTS)
            for mode in ("healthz", "scan", "activity"):
                run.measure(mode, WARM_CLIENTS, args.warmup, f"{limiter}-warm-{mode}", gap=0)
            analyze(url)  # statistics as a production server's autovacuum keeps them (docs/load.md)
            for clients in args.clients:
                rows += run.client_count(kind, clients)
    except BaseException:
        keep_log(log, args.out)
        raise
    if any(r.measured.server_errors for r in rows):
        keep_log(log, args.out)
    return rows


def keep_log(log: Path, out: Path) -> None:
    """Copy the server log next to the results (a 5xx's traceback is in it, under its X-Request-ID)."""
    if log.exists():
        out.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, out / log.name)
        say(f"server log kept: {out / log.name}")


class Runner:
    """The measured runs against one server."""

    def __init__(self, server: Server, sampler: Sampler, workdir: Path, args, context: tuple) -> None:
        """``context``: the wrk binary, the limiter store's name, the seeded tokens, the list of runs."""
        self.server, self.sampler, self.workdir, self.args = server, sampler, workdir, args
        self.wrk, self.limiter, self.seeded, self.seen = context
        self.nonce = secrets.token_hex(4)

    def run(self, mode: str, clients: int, seconds: int, pool: str, gap: int) -> Measured:
        data = self.workdir / f"{pool}.txt" if mode != "healthz" else None
        key = f"{self.nonce}{mode}{pool.replace('-', '')}"
        return run_wrk(self.wrk, self.server.base, mode, clients, seconds, data, key, self.args.think_ms, gap)

    def prime(self, pool: str, clients: int) -> None:
        """Every second resident of the pool taps in once, so the measured scans alternate in and out."""
        tokens = self.seeded["pools"][pool]
        answers = prime(self.server.base, tokens, self.seeded["stop_tokens"], self.nonce + "p", clients)
        if set(answers) != {"tapped_in"}:
            say(f"  prime {pool}: {report._counts(answers)} (expected only tapped_in)")

    def measure(self, mode: str, clients: int, seconds: int, pool: str, gap: int):
        boots, before = worker_boots(self.server.log), self.sampler.sample()
        measured = self.run(mode, clients, seconds, pool, gap)
        self.seen.append(measured)
        usage = self.sampler.usage(before, self.sampler.sample())
        return measured, usage, worker_boots(self.server.log) - boots

    def client_count(self, kind: str, clients: int) -> list[report.Row]:
        args, pool = self.args, f"{self.limiter}-{{}}-{clients}"
        self.prime(pool.format("scan"), clients)
        primed_at = time.monotonic()
        runs = [self.measure("healthz", clients, args.duration, "", 0)]
        time.sleep(max(0.0, primed_at + args.token_gap - time.monotonic()))  # tokens due again
        for mode in ("scan", "activity"):
            runs.append(self.measure(mode, clients, args.duration, pool.format(mode), args.token_gap))
        runs.append(self.measure("healthz", clients, args.duration, "", 0))
        baseline = max(runs[0][0].rate, runs[-1][0].rate)
        phases = ["before", "", "", "after"]
        rows = [
            report.Row(kind, self.limiter, m, None if m.mode == "healthz" else baseline, boots, usage, phase)
            for (m, usage, boots), phase in zip(runs, phases, strict=True)
        ]
        for row in rows[1:3]:
            say(report.ratio_line(row))
        for row in rows:
            say(report.cpu_line(row))
        return rows


def describe(args) -> None:
    """What is measured: the checkout, the server's shape, the relaxed rules, the runs."""
    git = ["git", "-C", str(args.app_root)]
    commit = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout
    changed = subprocess.run([*git, "status", "--porcelain", "-uno"], capture_output=True, text=True).stdout
    say(f"app: {args.app_root} at {commit.strip() or '?'} ({len(changed.splitlines())} files changed)")
    workers = args.workers or "the measured checkout's gunicorn.conf.py default"
    say(f"gunicorn: workers {workers}, threads {args.threads or 'its default'}")
    say("Relaxed for the load (everything else at production values, APP_ENV=production):")
    for name, value in RELAXED.items():
        say(f"  {name}={value}")
    pools = ", ".join(f"{c} clients: {pool_size(args, c, args.duration)}" for c in args.clients)
    say(f"Each run: wrk -t{THREADS}, {args.duration} s; residents per write run ({pools}), one run each.")
    if args.token_gap:
        say(f"A token is used at most once per {args.token_gap} s: every write pays its last_used_at update.")
    if args.think_ms:
        say(f"Each connection pauses {args.think_ms} ms before each request: the ratio is not a ceiling.")
    say()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so gunicorn is stopped and the PostgreSQL database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    wrk = ensure_wrk()
    describe(args)
    rows: list[report.Row] = []
    invariants: dict[str, dict] = {}
    all_ok = True
    for kind in args.dbs:
        db_rows, ok, summary = run_database(kind, args, wrk)
        rows += db_rows
        invariants[kind] = summary
        all_ok = all_ok and ok
    say("\n" + report.table(rows))
    say("\n" + "\n".join(report.ratio_line(r) for r in rows if r.baseline))
    say(
        "\nTargets (issue 17, 32 clients): >= 250 req/s, >= 0.15 of /healthz, p99 < 250 ms, 0 errors, "
        "worker CPU <= 6 ms/write"
    )
    say(report.verdicts(rows))
    say("\nAnswers per run:\n" + report.details(rows))
    records = [
        {**asdict(r.measured), "db": r.db, "limiter": r.limiter, "scenario": r.scenario, "ratio": r.ratio,
         "rate": r.measured.rate, "baseline": r.baseline, "usage": asdict(r.usage) if r.usage else None}
        for r in rows
    ]  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    for path in filter(None, [args.out / "results.json", args.json]):
        path.write_text(
            json.dumps({"args": sys.argv[1:], "runs": records, "invariants": invariants}, indent=2)
        )
    (args.out / "report.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nresults: {args.out}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
