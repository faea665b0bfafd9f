"""Each Procfile line starts a real process that serves or logs what it is and stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def _start(command: str, env: dict) -> subprocess.Popen:
    """Start a Procfile line the way Procfile runners do: through the shell, with the venv first on PATH."""
    env = {**env, "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}"}
    return subprocess.Popen(
        ["bash", "-c", f"exec {command}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def env(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "PORT": str(_free_port()),
        "TELEGRAM_BOT_TOKEN": "",
    }


def _wait_for_line(process: subprocess.Popen, needle: str, timeout: float = 30) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen.append(line)
        if needle in line:
            return "".join(seen)
        if not line and process.poll() is not None:
            break
    process.kill()
    process.communicate()
    raise AssertionError(f"{needle!r} not logged; output was:\n{''.join(seen)}")


@pytest.mark.parametrize(
    ("name", "needle"), [("bot", "local mode"), ("scheduler", "started with jobs check-ledger")]
)
def test_worker_processes_log_what_they_are_and_stop_on_sigterm(env, name, needle):
    process = _start(_procfile()[name], env)
    _wait_for_line(process, needle)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "stopped" in output


def test_web_process_serves_the_landing_page_and_stops_on_sigterm(env):
    process = _start(_procfile()["web"], env)
    try:
        _wait_for_line(process, "Booting worker")
        url = f"http://127.0.0.1:{env['PORT']}/"
        for _ in range(50):
            try:
                body = urllib.request.urlopen(url, timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "孝感碳普惠" in body
        ready = urllib.request.urlopen(f"http://127.0.0.1:{env['PORT']}/readyz", timeout=5)
        assert json.load(ready)["status"] == "ok"
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.mark.parametrize("name", ["web", "bot", "scheduler"])
def test_no_process_starts_in_production_with_development_secrets(env, name):
    process = _start(
        _procfile()[name], {**env, "APP_ENV": "production", "SECRET_KEY": "", "QR_SIGNING_KEY": ""}
    )
    output, _ = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "SECRET_KEY must be set to a random value of at least 32 characters" in output
