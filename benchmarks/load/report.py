"""Printing the load results: the ratio and CPU lines, the figures table, the verdicts against the issue's
targets, the answers per run and the ledger invariant."""

from __future__ import annotations

from dataclasses import dataclass

from cpu import Usage
from invariant import Verdict
from wrk import Measured

LABELS = {"healthz": "GET /healthz", "scan": "POST /transit/scans", "activity": "POST /activities"}
# Issue 17's targets, at 32 clients: every figure from one run beside its /healthz baseline.
TARGET_CLIENTS = 32
TARGET_RATE = 250.0  # good answers per second
TARGET_RATIO = 0.15  # of /healthz in the same run
TARGET_P99_MS = 250.0
TARGET_CPU_MS = 6.0  # gunicorn worker CPU per good write
MIN_SAMPLES = 5000  # answers under the p99


@dataclass(frozen=True)
class Row:
    db: str
    limiter: str
    measured: Measured
    baseline: float | None  # /healthz good req/s, the higher of its runs before and after; None: healthz
    restarts: int  # gunicorn workers booted during the run (max_requests recycling)
    usage: Usage | None = None
    phase: str = ""  # /healthz: "before" or "after" the writes

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline else self.measured.rate / self.baseline

    @property
    def scenario(self) -> str:
        """``scan``, ``activity``, ``healthz``; ``-c<n>`` at another client count than the target's,
        ``-redis`` with the Redis limiter store."""
        clients = "" if self.measured.clients == TARGET_CLIENTS else f"-c{self.measured.clients}"
        phase = f"-{self.phase}" if self.phase else ""
        return self.measured.mode + phase + clients + ("-redis" if self.limiter == "redis" else "")

    def cpu_ms(self, seconds: float | None) -> float | None:
        good = self.measured.good
        return None if seconds is None or not good else seconds / good * 1000


def ratio_line(row: Row) -> str:
    """``ratio <scenario> <db> <req/s> / healthz <req/s> = <ratio>  p99 <ms>``"""
    m = row.measured
    return (
        f"ratio {row.scenario} {row.db} {m.rate:.1f} / healthz {row.baseline:.1f} = {row.ratio:.3f}  "
        f"p99 {m.p99_ms:.1f}"
    )


def cpu_line(row: Row) -> str:
    """Worker and PostgreSQL CPU per good answer, and what the whole machine did meanwhile."""
    u = row.usage
    if u is None:
        return f"cpu {row.scenario} {row.db}: not measured"
    worker, pg = row.cpu_ms(u.workers_s), row.cpu_ms(u.postgres_s)
    per = "write" if row.measured.mode != "healthz" else "request"
    parts = [f"worker {_ms(worker)} ms/{per}"]
    if row.db == "postgresql":
        parts.append(
            f"postgresql {_ms(pg)} ms/{per}" + (f" ({u.backends_lost} backends lost)" * bool(u.backends_lost))
        )
    others = u.machine_busy_s - u.workers_s - (u.postgres_s or 0) - row.measured.wrk_cpu_s
    parts.append(
        f"machine busy {u.machine_busy_s:.1f} CPU-s in {row.measured.seconds:.0f} s: wrk "
        f"{row.measured.wrk_cpu_s:.1f}, others {max(others, 0):.1f}"
    )
    return f"cpu {row.scenario} {row.db}: " + ", ".join(parts)


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def table(rows: list[Row]) -> str:
    head = (
        f"{'db':<10} {'limiter':<7} {'endpoint':<20} {'clients':>7} {'good/s':>8} {'p50 ms':>8} "
        f"{'p99 ms':>8} {'answers':>8} {'errors':>7} {'wrong':>6} {'vs healthz':>10} {'worker ms':>9}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        m = row.measured
        ratio = "baseline" if row.ratio is None else f"{row.ratio:.3f}"
        worker = _ms(row.cpu_ms(row.usage.workers_s) if row.usage else None)
        lines.append(
            f"{row.db:<10} {row.limiter:<7} {LABELS[m.mode]:<20} {m.clients:>7} {m.rate:>8.1f} "
            f"{m.p50_ms:>8.1f} {m.p99_ms:>8.1f} {m.requests:>8} {m.errors:>7} {m.wrong_answers:>6} "
            f"{ratio:>10} {worker:>9}"
        )
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> str:
    """Each write scenario at 32 clients against the issue's targets."""
    lines = []
    for row in rows:
        m = row.measured
        if m.mode == "healthz" or m.clients != TARGET_CLIENTS or row.ratio is None:
            continue
        lines.append(f"verdict {row.scenario} {row.db}: " + (", ".join(misses(row)) or "MET"))
    return "\n".join(lines) or f"(no write run at {TARGET_CLIENTS} clients: no verdict)"


def misses(row: Row) -> list[str]:
    m, worker = row.measured, row.cpu_ms(row.usage.workers_s) if row.usage else None
    found = []
    if m.rate < TARGET_RATE:
        found.append(f"{m.rate:.1f} req/s < {TARGET_RATE:.0f}")
    if row.ratio < TARGET_RATIO:
        found.append(f"ratio {row.ratio:.3f} < {TARGET_RATIO}")
    if m.p99_ms >= TARGET_P99_MS:
        found.append(f"p99 {m.p99_ms:.0f} ms >= {TARGET_P99_MS:.0f}")
    if m.errors or m.wrong_answers:
        found.append(f"{m.errors} errors and {m.wrong_answers} wrong answers (target 0)")
    if worker is None or worker > TARGET_CPU_MS:
        found.append(f"worker CPU {_ms(worker)} ms/write > {TARGET_CPU_MS:.0f}")
    if m.requests < MIN_SAMPLES:
        found.append(f"p99 on {m.requests} answers < {MIN_SAMPLES} (run longer)")
    if m.waits:
        found.append(f"pool too small: {m.waits} requests waited for a token (raise --max-rate)")
    return ["NOT MET: " + found[0], *found[1:]] if found else []


def details(rows: list[Row]) -> str:
    """Per run: every status, outcome, wrong answer and error code; token waits; worker restarts."""
    lines = []
    for row in rows:
        m = row.measured
        parts = [f"statuses {_counts(m.statuses)}"]
        if m.mode != "healthz":
            parts += [f"asked {_counts(m.sent)}", f"outcomes {_counts(m.outcomes)}"]
        parts += [f"wrong {_counts(m.wrong)}"] * bool(m.wrong) + [f"error codes {_counts(m.codes)}"] * bool(
            m.codes
        )
        parts += [f"socket errors {m.socket_errors}"] * bool(m.socket_errors)
        parts += [f"token waits {m.waits}, early reuses {m.early}"] * bool(m.waits or m.early)
        parts.append(f"max {m.max_ms:.0f} ms, worker restarts {row.restarts}")
        lines.append(f"  {row.db}/{row.limiter} {row.scenario}: " + "; ".join(parts))
    return "\n".join(lines)


def invariant(db: str, verdict: Verdict, credited_seen: int, created_seen: int, in_flight: int) -> str:
    lines = [f"Ledger invariant after the load ({db}): {'HOLDS' if verdict.ok else 'BROKEN'}"]
    for name, bad in verdict.violations.items():
        lines.append(f"  {'ok ' if not bad else 'BAD'} {name}" + (f": {bad} violations" if bad else ""))
    c = verdict.counts
    lines.append(
        f"  accounts {c['accounts']}, ledger entries {c['ledger_entries']}; QR trips in the database "
        f"{c['qr_trips']} vs 'trip_credited' answers {credited_seen}; API activities {c['api_activities']} "
        f"vs 'credited' answers {created_seen} (the database may hold up to {in_flight} more: requests in "
        "flight when wrk stopped)"
    )
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1])) or "none"
