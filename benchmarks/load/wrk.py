"""Running wrk with client.lua and reading the JSON line its done() prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("client.lua")
THREADS = 2  # the machine has 2 cores; wrk shares them with gunicorn


@dataclass(frozen=True)
class Measured:
    """One wrk run: counts, statuses, outcomes and latency percentiles."""

    mode: str
    clients: int
    seconds: float
    requests: int
    statuses: dict[str, int]
    outcomes: dict[str, int]
    codes: dict[str, int]
    socket_errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Answers other than 2xx, plus connect/read/write errors and timeouts."""
        bad = sum(n for status, n in self.statuses.items() if not status.startswith("2"))
        return bad + self.socket_errors

    @property
    def error_rate(self) -> float:
        return self.errors / max(self.requests + self.socket_errors, 1)


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian when missing and running as root."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is not installed: run `sudo apt-get install -y wrk` (Debian package) and try again")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, stdout=subprocess.DEVNULL)
    if not shutil.which("wrk"):
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def run_wrk(
    wrk: str,
    base: str,
    mode: str,
    clients: int,
    seconds: int,
    data: Path | None,
    nonce: str,
    think_ms: int = 0,
) -> Measured:
    """Load ``base`` with ``clients`` connections for ``seconds`` seconds in ``mode``."""
    command = [
        wrk,
        f"-t{min(THREADS, clients)}",
        f"-c{clients}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(SCRIPT),
        base,
        "--",
        mode,
        str(data or "-"),
        nonce,
    ]
    env = {**os.environ, "LOAD_THINK_MS": str(think_ms)}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOAD-RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    found = json.loads(line.removeprefix("LOAD-RESULT "))
    latency = found["latency_us"]
    return Measured(
        mode=mode,
        clients=clients,
        seconds=found["duration_us"] / 1e6,
        requests=found["requests"],
        statuses=found["statuses"],
        outcomes=found["outcomes"],
        codes=found["codes"],
        socket_errors=sum(found["socket_errors"].values()),
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
    )
