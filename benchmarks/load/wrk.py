"""Running wrk with client.lua and reading the JSON line its done() prints; the data files it reads."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).with_name("client.lua")
THREADS = 2  # the machine has 2 cores; wrk shares them with gunicorn


@dataclass(frozen=True)
class Measured:
    """One wrk run: answers that did what was asked (``good``), the rest by kind, latency percentiles."""

    mode: str
    clients: int
    seconds: float
    requests: int  # every answer wrk read
    good: int  # 2xx answers that did what was asked (tapped_in / trip_credited / credited / 200)
    statuses: dict[str, int]
    outcomes: dict[str, int]  # 2xx answers by scan kind / activity status
    codes: dict[str, int]  # non-2xx answers by error code
    wrong: dict[str, int]  # 2xx answers that did something else: "asked>got[:reason]"
    sent: dict[str, int]  # requests sent by what they asked for
    socket_errors: int
    waits: int  # requests held back because their resident's token was used less than the gap ago
    early: int  # tokens used again within the gap all the same
    p50_ms: float
    p99_ms: float
    max_ms: float
    wrk_cpu_s: float = 0.0  # the load generator's own CPU time
    extra: dict = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Good answers per second: the throughput that counts."""
        return self.good / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        """Answers other than 2xx, plus connect/read/write errors and timeouts."""
        bad = sum(n for status, n in self.statuses.items() if not status.startswith("2"))
        return bad + self.socket_errors

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))

    @property
    def wrong_answers(self) -> int:
        return sum(self.wrong.values())


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
    gap_s: int = 0,
) -> Measured:
    """Load ``base`` with ``clients`` connections for ``seconds`` seconds in ``mode`` (client.lua)."""
    command = [wrk, f"-t{min(THREADS, clients)}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(SCRIPT), base, "--", mode, str(data or "-"), nonce, str(gap_s)]
    env = {**os.environ, "LOAD_THINK_MS": str(think_ms)}
    cpu = _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    cpu = _children_cpu() - cpu
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
        good=found["good"],
        statuses=found["statuses"],
        outcomes=found["outcomes"],
        codes=found["codes"],
        wrong=found["wrong"],
        sent=found["sent"],
        socket_errors=sum(found["socket_errors"].values()),
        waits=found["waits"],
        early=found["early"],
        p50_ms=latency["p50"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        wrk_cpu_s=cpu,
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def write_client_data(path: Path, tokens: list[str], stop_tokens: list[str], threads: int = THREADS) -> None:
    """The data file client.lua reads: the stops, and the tokens split round-robin over wrk's threads."""
    lines = [f"s {stop}" for stop in stop_tokens]
    lines += [f"t{n % threads + 1} {token}" for n, token in enumerate(tokens)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
