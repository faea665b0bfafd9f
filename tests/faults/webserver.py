"""The real web process for fault tests: gunicorn started as the Procfile does (optionally with the
worker-killing config next to this file) and a plain HTTP client that tells "no answer" from an answer."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KILLING_CONFIG = Path(__file__).with_name("gunicorn_faults.py")
# Production mode, as deployed: production refuses secrets shorter than 32 characters.
SECRET_KEY = "fault-tests-secret-key-0123456789abcdef"
QR_SIGNING_KEY = "fault-tests-qr-signing-key-0123456789abcd"
RECYCLING = {"behaviour": "recycling", "inputs": {"material": "pet", "kg": "2"}}


@dataclass(frozen=True)
class Client:
    """A resident and their personal API token."""

    resident_id: int
    token: str


class NoAnswer(Exception):
    """The connection closed without an HTTP answer (the worker died)."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


@dataclass
class WebServer:
    """A running gunicorn: ``call`` sends one HTTP request and returns its answer (NoAnswer if none)."""

    process: subprocess.Popen
    port: int
    log: Path

    def call(self, method: str, path: str, *, token=None, key=None, body=None, headers=None) -> Answer:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        if key:
            sent["Idempotency-Key"] = key
        data = None
        if body is not None:
            data, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        url = f"http://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(url, data=data, headers=sent, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())
        except (ConnectionError, urllib.error.URLError) as error:  # reset, or closed without a status line
            raise NoAnswer(str(error)) from error

    def worker_boots(self) -> int:
        """How many workers gunicorn has booted so far (one more after each killed worker)."""
        return self.log.read_text().count("Booting worker")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(database_url: str, workdir: Path, *, killing: bool = False, **extra: str) -> WebServer:
    """Start gunicorn on ``database_url`` in production mode with one worker; return once /healthz answers.
    ``killing`` uses the worker-killing config; ``extra`` adds environment variables."""
    markers = workdir / "kill-markers"
    markers.mkdir(exist_ok=True)
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET_KEY,
        "QR_SIGNING_KEY": QR_SIGNING_KEY,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "BIND_HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        # A worker still booting when SIGTERM arrives misses it and is killed only after the graceful
        # timeout (gunicorn's own race after a respawn): keep that short so that stopping is quick.
        "GUNICORN_GRACEFUL_TIMEOUT": "3",
        "TELEGRAM_BOT_TOKEN": "",
        "FAULT_MARKERS": str(markers),
        **extra,
    }
    config = KILLING_CONFIG if killing else ROOT / "gunicorn.conf.py"
    log = workdir / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", str(config), "webapp:create_app()"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = WebServer(process, port, log)
    _wait_until_serving(server)
    return server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_serving(server: WebServer) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            if server.call("GET", "/healthz").status == 200:
                return
        except NoAnswer:
            time.sleep(0.1)
    server.stop()
    raise AssertionError(f"gunicorn did not start; its log:\n{server.log.read_text()}")
