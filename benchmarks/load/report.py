"""Printing the load results: the figures table, the target verdicts, the outcome mix and the invariant."""

from __future__ import annotations

from dataclasses import dataclass

from invariant import Verdict
from wrk import Measured

LABELS = {"healthz": "GET /healthz (trivial)", "scan": "POST /transit/scans", "activity": "POST /activities"}
TARGET_CLIENTS, TARGET_RATIO, TARGET_P99_MS = 32, 0.5, 250.0


@dataclass(frozen=True)
class Row:
    db: str
    limiter: str
    measured: Measured
    ratio: float | None  # req/s over the trivial endpoint's at the same client count
    restarts: int  # gunicorn workers booted during the run (max_requests recycling)


def table(rows: list[Row]) -> str:
    head = (
        f"{'db':<10} {'limiter':<7} {'endpoint':<22} {'clients':>7} {'req/s':>8} {'median ms':>9} "
        f"{'p99 ms':>8} {'errors':>12} {'vs trivial':>10}"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        m = row.measured
        ratio = "1.00 (ceil)" if row.ratio is None else f"{row.ratio:.2f}"
        errors = f"{m.errors} ({m.error_rate:.1%})"
        lines.append(
            f"{row.db:<10} {row.limiter:<7} {LABELS[m.mode]:<22} {m.clients:>7} {m.rate:>8.0f} "
            f"{m.p50_ms:>9.1f} {m.p99_ms:>8.1f} {errors:>12} {ratio:>10}"
        )
    return "\n".join(lines)


def details(rows: list[Row]) -> str:
    """Per run: what the answers were (scan outcomes, activity statuses, error codes) and worker restarts."""
    lines = []
    for row in rows:
        m = row.measured
        parts = [f"statuses {_counts(m.statuses)}"]
        if m.outcomes and m.mode != "healthz":
            parts.append(f"outcomes {_counts(m.outcomes)}")
        if m.codes:
            parts.append(f"error codes {_counts(m.codes)}")
        if m.socket_errors:
            parts.append(f"socket errors {m.socket_errors}")
        parts.append(f"worker restarts {row.restarts}")
        lines.append(f"  {row.db}/{row.limiter} {m.mode} c={m.clients}: " + "; ".join(parts))
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> str:
    """The issue's target for each write path at 32 clients: >= 50% of trivial, no errors, p99 < 250 ms."""
    lines = []
    for row in rows:
        m = row.measured
        if m.mode == "healthz" or m.clients != TARGET_CLIENTS or row.ratio is None:
            continue
        misses = []
        if row.ratio < TARGET_RATIO:
            misses.append(f"ratio {row.ratio:.2f} < {TARGET_RATIO}")
        if m.errors:
            misses.append(f"{m.errors} errors")
        if m.p99_ms >= TARGET_P99_MS:
            misses.append(f"p99 {m.p99_ms:.0f} ms >= {TARGET_P99_MS:.0f}")
        verdict = "MET" if not misses else "NOT MET: " + ", ".join(misses)
        lines.append(f"  {row.db}/{row.limiter} {LABELS[m.mode]} at {m.clients} clients: {verdict}")
    return "\n".join(lines) or f"  (no run at {TARGET_CLIENTS} clients)"


def invariant(db: str, verdict: Verdict, credited_seen: int, created_seen: int, in_flight: int) -> str:
    lines = [f"Ledger invariant after the load ({db}): {'HOLDS' if verdict.ok else 'BROKEN'}"]
    for name, bad in verdict.violations.items():
        lines.append(f"  {'ok ' if not bad else 'BAD'} {name}" + (f": {bad} violations" if bad else ""))
    c = verdict.counts
    lines.append(
        f"  accounts {c['accounts']}, ledger entries {c['ledger_entries']}; QR trips in the database "
        f"{c['qr_trips']} vs 'trip_credited' answers {credited_seen}; API activities {c['api_activities']} "
        f"vs 201 answers {created_seen} (the database may hold up to {in_flight} more: requests in flight "
        "when wrk stopped)"
    )
    return "\n".join(lines)


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
