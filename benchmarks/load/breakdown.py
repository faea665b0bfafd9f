"""Where one API request's time goes: the app in process (Flask test client; no gunicorn, no concurrency) on a
fresh database seeded as for the load, production settings. Per endpoint: wall and CPU time per request, SQL
statements and commits per request, and the inclusive time of each step (hooks, services, queries).

    .venv/bin/python benchmarks/load/breakdown.py [--db sqlite|postgresql] [--requests 400]

Steps are timed by wrapping module attributes for the duration of the run (the wrappers add ~1 µs a call).
"""

from __future__ import annotations

import argparse
import importlib
import os
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path

from databases import fresh_database, init_db
from seed import seed
from server import free_port, server_env
from sqlalchemy import event
from sqlmodel import Session

from carbon_credit.platform import logs
from carbon_credit.platform.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
RESIDENTS = 20  # scans cycle over these, so each one taps in, then out at the next stop
STEPS = [
    ("carbon_credit.residents.tokens", "owner_of_token"),
    ("carbon_credit.residents.tokens", "record_use"),
    ("carbon_credit.transit.scans", "scan"),
    ("carbon_credit.transit.scans", "stop_for_token"),
    ("carbon_credit.transit.scans", "_tap_in"),
    ("carbon_credit.transit.scans", "last_scan_at"),
    ("carbon_credit.transit.scans", "_tap_out"),
    ("carbon_credit.transit.scans", "measure_leg"),
    ("carbon_credit.transit.scans", "trips_on"),
    ("carbon_credit.transit.scans", "_credit"),
    ("carbon_credit.platform.idempotency", "recall"),
    ("carbon_credit.platform.idempotency", "remember"),
    ("carbon_credit.activities.recording", "lock_account"),
    ("carbon_credit.transit.scans", "lock_account"),
    ("carbon_credit.ledger.operations", "post"),
    ("carbon_credit.activities.caps", "standing"),
    ("carbon_credit.activities.caps", "credited_on"),
    ("carbon_credit.activities.crediting", "after_credit"),
    ("carbon_credit.campaigns", "award"),
    ("carbon_credit.activities.rollups", "add"),
    ("webapp.api.routes", "record_activity"),  # the API view's call
    ("carbon_credit.transit.scans", "record_activity"),  # a tap-out's call
]
HOOKS = {
    "preprocess_request": "before_request hooks (request id, token check: a read; a write once a minute)",
    "dispatch_request": "view (spectree validation, service, its commit)",
    "process_response": "after_request hooks (headers, access log)",
}


class Clock:
    """Inclusive time and calls per step name."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
        self.missing: set[str] = set()  # steps of STEPS this checkout does not have

    def wrap(self, name, fn):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                entry = self.spent[name]
                entry[0] += 1
                entry[1] += time.perf_counter() - start

        return timed


@contextmanager
def instrumented(app, clock: Clock, sql: Counter):
    """Wrap the hooks, the steps and Session.commit; count statements on the app's engine."""
    undo = []
    for attr, name in HOOKS.items():
        setattr(app, attr, clock.wrap(name, getattr(app, attr)))
    for module_name, attr in STEPS:
        module = importlib.import_module(module_name)
        original = getattr(module, attr, None)
        if original is None:  # the step was renamed or merged away: time what is still there
            clock.missing.add(f"{module_name}.{attr}")
            continue
        undo.append((module, attr, original))
        setattr(module, attr, clock.wrap(f"{module_name.split('.')[-1]}.{attr}", original))
    undo.append((Session, "commit", Session.commit))
    Session.commit = clock.wrap("Session.commit (every commit)", Session.commit)
    engine = app.extensions["carbon"]["engine"]

    def count(*_args):
        sql["statements"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", count)
        for owner, attr, original in undo:
            setattr(owner, attr, original)
        for attr in HOOKS:
            delattr(app, attr)


def requester(client, mode: str, tokens: list[str], stops: list[str], sql: Counter):
    """``send(n)`` sends the n-th request; ``answers`` counts scan outcomes and SQL statements per outcome."""
    answers: Counter = Counter()

    def send(n: int) -> None:
        if mode == "healthz":
            if client.get("/healthz").status_code != 200:
                raise RuntimeError("healthz failed")
            return
        resident, nth = n % len(tokens), n // len(tokens)
        headers = {"Authorization": f"Bearer {tokens[resident]}", "Idempotency-Key": f"b{mode}{n}"}
        if mode == "scan":
            body = {"stop_token": stops[(resident * 7 + nth) % len(stops)]}
            before = sql["statements"]
            answer = client.post("/api/v1/transit/scans", json=body, headers=headers)
            kind = answer.get_json().get("kind")
            answers[kind] += 1
            answers[f"{kind} SQL statements"] += sql["statements"] - before
        else:
            body = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "0.1"}}
            answer = client.post("/api/v1/activities", json=body, headers=headers)
        if answer.status_code >= 300:
            raise RuntimeError(f"{mode}: {answer.status_code} {answer.get_data(as_text=True)}")

    return send, answers


def profile(app, mode: str, tokens: list[str], stops: list[str], requests: int) -> str:
    clock, sql = Clock(), Counter()
    send, answers = requester(app.test_client(), mode, tokens, stops, sql)
    warm = max(2 * len(tokens), 50)  # every resident taps in and out once
    for n in range(warm):
        send(n)
    answers.clear()
    with instrumented(app, clock, sql):
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(warm, warm + requests):
            send(n)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lines = [
        f"{mode}: {wall / requests * 1000:.2f} ms wall, {cpu / requests * 1000:.2f} ms CPU per request, "
        f"{sql['statements'] / requests:.1f} SQL statements per request"
    ]
    for kind in [k for k in answers if not k.endswith("statements")]:
        each = answers[f"{kind} SQL statements"] / answers[kind]
        lines.append(f"  {answers[kind]} answers {kind}, {each:.1f} SQL statements each")
    for name, (calls, spent) in sorted(clock.spent.items(), key=lambda kv: -kv[1][1]):
        lines.append(f"  {spent / requests * 1000:7.2f} ms {calls / requests:5.2f}x  {name}")
    if clock.missing:
        lines.append("  (not in this checkout: " + ", ".join(sorted(clock.missing)) + ")")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="cc-breakdown-") as tmp,
        fresh_database(args.db, Path(tmp)) as url,
    ):
        env = server_env(url, Path(tmp), free_port(), redis_url=None, log_level="info")
        init_db(ROOT, env)
        seeded = seed(Settings.from_env(env), stops=200, pools={"scan": RESIDENTS, "activity": RESIDENTS})
        os.environ.update(env)
        logs.configure(stream=open(os.devnull, "w"))  # noqa: SIM115 - formatted as in production, not shown
        from webapp import create_app

        app = create_app(Settings.from_env(env))
        for mode in ("healthz", "scan", "activity"):
            tokens = seeded.pools.get(mode, [])
            print(profile(app, mode, tokens, seeded.stop_tokens, args.requests), flush=True)
        app.extensions["carbon"]["engine"].dispose()


if __name__ == "__main__":
    main()
