"""The server under load: gunicorn with the measured checkout's gunicorn.conf.py, in production mode, on
127.0.0.1. The checkout (``--app-root``, default this one) is put first on PYTHONPATH and is the working
directory of every process started for it (migration, seeding, gunicorn), so a baseline worktree is measured
with this harness and this virtual environment's packages.

Relaxed for the load (and only these): ``TRANSIT_DAILY_TRIP_CAP`` and the bus/metro speed limits, because
the load taps out milliseconds after tapping in and makes hundreds of trips per resident. Every other rule
(minimum distance, stop cooldown, tap-in expiry, points caps, review rule) and the API's rate limit of
120 requests per minute per token keep their production values.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

RELAXED = {
    "TRANSIT_DAILY_TRIP_CAP": "1000000",  # default 6 credited trips a day
    "TRANSIT_MAX_SPEED_BUS_KMH": "1000000000",  # default 60: a 600 m trip in 20 ms is 108,000 km/h
    "TRANSIT_MAX_SPEED_METRO_KMH": "1000000000",  # default 100
}
START_TIMEOUT_S = 90
BIN = Path(sys.executable).parent  # the virtual environment running the harness: gunicorn, flask, python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(
    database_url: str,
    workdir: Path,
    port: int,
    *,
    redis_url: str | None,
    log_level: str,
    app_root: Path | None = None,
    workers: int | None = None,
    threads: int | None = None,
) -> dict[str, str]:
    """The environment of the web process (and of the seeding and migration, so the keys agree)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAP_", "TRANSIT_", "REDIS_URL"))}
    if app_root is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(app_root), *filter(None, [env.get("PYTHONPATH")])])
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    env.update(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        QR_SIGNING_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        BIND_HOST="127.0.0.1",
        PORT=str(port),
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        UPLOAD_FOLDER=str(workdir / "uploads"),
        LOG_LEVEL=log_level,
        **RELAXED,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    pid: int  # the gunicorn master
    log: Path  # its output (errorlog and the app's logs)


@contextmanager
def gunicorn(root: Path, env: dict[str, str], log_path: Path) -> Iterator[Server]:
    """Run gunicorn from the checkout ``root`` until the block ends; yields it once /healthz answers."""
    base = f"http://127.0.0.1:{env['PORT']}"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "webapp:create_app()"],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(base, process, log_path)
            yield Server(base, process.pid, log_path)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(base: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT_S} s:\n{_tail(log_path)}")


def _tail(log_path: Path, lines: int = 30) -> str:
    return "\n".join(log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def worker_boots(log_path: Path) -> int:
    """How many workers gunicorn has booted so far (a worker is replaced every GUNICORN_MAX_REQUESTS)."""
    text = log_path.read_text(encoding="utf-8", errors="replace")
    return text.count("Booting worker with pid")
