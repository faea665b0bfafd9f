"""The ledger invariant after the load, checked with SQL over every account (docs/ledger.md), and the credits
counted in the database beside the successes the clients saw."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text

from carbon_credit.platform.database import make_engine

# Each query returns the number of violations; 0 = the rule holds.
CHECKS = {
    "balance == sum(entries), every account": """
        SELECT COUNT(*) FROM (
            SELECT a.id FROM accounts a LEFT JOIN ledger_entries e ON e.account_id = a.id
            GROUP BY a.id, a.balance HAVING a.balance <> COALESCE(SUM(e.points), 0)) bad""",
    "no negative balance": "SELECT COUNT(*) FROM accounts WHERE balance < 0",
    "balance_after == running sum, every entry": """
        SELECT COUNT(*) FROM (
            SELECT balance_after, SUM(points) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM ledger_entries) e WHERE balance_after <> running""",
    "no duplicate ledger idempotency key": """
        SELECT COUNT(*) FROM (SELECT idempotency_key FROM ledger_entries
            GROUP BY idempotency_key HAVING COUNT(*) > 1) d""",
    "no duplicate activity idempotency key": """
        SELECT COUNT(*) FROM (SELECT idempotency_key FROM activities
            GROUP BY idempotency_key HAVING COUNT(*) > 1) d""",
    "no duplicate scan idempotency record": """
        SELECT COUNT(*) FROM (SELECT scope, owner_id, key FROM idempotency_records
            GROUP BY scope, owner_id, key HAVING COUNT(*) > 1) d""",
    "every credited activity has its own entry of its points": """
        SELECT COUNT(*) FROM activities a LEFT JOIN ledger_entries e ON e.id = a.ledger_entry_id
        WHERE a.status = 'credited' AND a.points > 0 AND (e.id IS NULL OR e.points <> a.points)""",
    "at most one open tap-in per resident": """
        SELECT COUNT(*) FROM (SELECT resident_id FROM tap_ins WHERE status = 'open'
            GROUP BY resident_id HAVING COUNT(*) > 1) d""",
    "every completed tap-in has one activity, every QR trip one tap-in": """
        SELECT (SELECT COUNT(*) FROM tap_ins WHERE status = 'completed' AND activity_id IS NULL)
             + ABS((SELECT COUNT(*) FROM tap_ins WHERE status = 'completed')
                   - (SELECT COUNT(*) FROM activities WHERE channel = 'qr'))""",
    "statistics rollups == credited activities (count, points)": """
        SELECT ABS((SELECT COALESCE(SUM(activities), 0) FROM daily_rollups)
                   - (SELECT COUNT(*) FROM activities WHERE status = 'credited'))
             + ABS((SELECT COALESCE(SUM(points), 0) FROM daily_rollups)
                   - (SELECT COALESCE(SUM(points), 0) FROM activities WHERE status = 'credited'))""",
}
COUNTS = {
    "accounts": "SELECT COUNT(*) FROM accounts",
    "ledger_entries": "SELECT COUNT(*) FROM ledger_entries",
    "qr_trips": "SELECT COUNT(*) FROM activities WHERE channel = 'qr'",
    "api_activities": "SELECT COUNT(*) FROM activities WHERE channel = 'api'",
}


@dataclass(frozen=True)
class Verdict:
    violations: dict[str, int]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not any(self.violations.values())


def check(database_url: str) -> Verdict:
    """Run every check on the database at ``database_url``."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            violations = {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in CHECKS.items()}
            counts = {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in COUNTS.items()}
    finally:
        engine.dispose()
    return Verdict(violations, counts)
