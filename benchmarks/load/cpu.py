"""CPU time spent during a run, from the kernel's process accounting (/proc, Linux): the gunicorn workers
(live ones, plus the workers the master reaped: its cutime/cstime), the PostgreSQL backends of the load
database (their pids from pg_stat_activity, asked on another database so the question adds no backend of its
own), and the whole machine (/proc/stat), so that a busy neighbour shows up in the figures.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psycopg

TICK = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


@dataclass(frozen=True)
class Snapshot:
    workers_s: float
    backends: dict[int, float]  # pid -> CPU seconds
    machine_busy_s: float


@dataclass(frozen=True)
class Usage:
    """CPU seconds between two snapshots."""

    workers_s: float
    postgres_s: float | None  # None on SQLite or when /proc shows no backend
    machine_busy_s: float
    backends_lost: int  # backends that ended during the run (their CPU is missing)


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from the state on (field 3), or None when the process is gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def process_cpu(pid: int, *, reaped_children: bool = False) -> float | None:
    """User + system seconds of ``pid`` (and of its waited-for children when ``reaped_children``)."""
    fields = _stat(pid)
    if fields is None:
        return None
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICK


def children_of(ppid: int) -> list[int]:
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields is not None and int(fields[1]) == ppid:
                found.append(int(entry.name))
    return found


def workers_cpu(master: int) -> float:
    """CPU seconds of every worker the gunicorn master has had: the live ones and the reaped ones."""
    reaped = process_cpu(master, reaped_children=True) or 0.0
    own = process_cpu(master) or 0.0
    return (reaped - own) + sum(process_cpu(pid) or 0.0 for pid in children_of(master))


def machine_busy() -> float:
    """CPU seconds the machine has been busy (all cores): user, nice, system, irq, softirq, steal."""
    fields = (PROC / "stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


class Sampler:
    """``sample()`` before and after a run; ``usage(before, after)`` the CPU seconds in between."""

    def __init__(self, master: int, admin_url: str | None = None, database: str | None = None) -> None:
        self.master, self.admin_url, self.database = master, admin_url, database

    def _backend_pids(self) -> list[int]:
        if not self.admin_url:
            return []
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'"
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            return [row[0] for row in conn.execute(query, (self.database,))]

    def sample(self) -> Snapshot:
        backends = {pid: process_cpu(pid) for pid in self._backend_pids()}
        known = {pid: cpu for pid, cpu in backends.items() if cpu is not None}
        return Snapshot(workers_cpu(self.master), known, machine_busy())

    def usage(self, before: Snapshot, after: Snapshot) -> Usage:
        postgres = None
        if before.backends or after.backends:
            postgres = sum(cpu - before.backends.get(pid, 0.0) for pid, cpu in after.backends.items())
        lost = len(set(before.backends) - set(after.backends))
        return Usage(
            after.workers_s - before.workers_s, postgres, after.machine_busy_s - before.machine_busy_s, lost
        )
