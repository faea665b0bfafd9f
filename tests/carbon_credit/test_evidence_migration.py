"""Migration 0008 gives every stored activity an evidence level and changes nobody's balance: QR trips and
operator imports are verified, a reviewed photo is evidenced, the rest is declared."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import MetaData, Table, insert, select, text, update

from carbon_credit.activities import Activity, ActivityInput, rebuild_rollups, record_activity
from carbon_credit.platform.database import alembic_config, migrate, session_scope

NOON = datetime(2026, 6, 5, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
STORED = [  # (key, behaviour, inputs, channel, photo)
    ("qr", "transit", {"mode": "bus", "km": "8"}, "qr", None),
    ("import", "transit", {"mode": "bus", "km": "5"}, "import", None),
    ("walk", "walking", {"steps": 8000}, "web", None),
    ("paper", "recycling", {"material": "newspaper", "kg": "1"}, "bot", None),
    ("tree", "tree_planting", {"trees": 1}, "web", "tree.png"),  # approved below
    ("waiting", "tree_planting", {"trees": 2}, "web", "wait.png"),  # still waits for review
]


def _read(engine, sql: str) -> list[tuple]:
    """Plain SQL, so that it reads the same at revision 0008 as at head."""
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql))]


BALANCES = (
    "SELECT a.id, a.balance, SUM(e.points) FROM accounts a JOIN ledger_entries e ON e.account_id = a.id "
)
BALANCES += "GROUP BY a.id, a.balance ORDER BY a.id"
LEVELS = "SELECT idempotency_key, evidence FROM activities"
ROLLUPS = "SELECT behaviour, channel, evidence, activities, grams, points FROM daily_rollups "
ROLLUPS += "ORDER BY behaviour, channel, evidence"


def _empty(engine) -> dict[str, list[dict]]:
    """Every table's rows, saved; the tables emptied."""
    found = MetaData()
    found.reflect(engine)
    tables = [t for t in found.sorted_tables if t.name != "alembic_version"]
    with engine.begin() as connection:
        saved = {t.name: [dict(r._mapping) for r in connection.execute(select(t))] for t in tables}
        for table in reversed(tables):
            connection.execute(table.delete())
    return saved


def _as_before_this_revision(engine) -> dict[str, list[dict]]:
    """The same rows in a database at revision 0007: saved, the tables emptied (later revisions' downgrades
    need no data to move), migrated down, and the rows put back in the columns that existed then."""
    saved = _empty(engine)
    command.downgrade(alembic_config(engine), "0007")
    old = MetaData()
    old.reflect(engine)
    assert "evidence" not in old.tables["activities"].c
    with engine.begin() as connection:
        for table in old.sorted_tables:
            if saved.get(table.name):
                columns = table.c.keys()
                rows = [{k: v for k, v in row.items() if k in columns} for row in saved[table.name]]
                connection.execute(insert(table), rows)
    return saved


def test_stored_activities_get_their_level_and_keep_every_point(engine, settings, make_resident):
    alice, admin = make_resident(), make_resident(role="admin")
    with session_scope(engine) as session:
        for key, behaviour, inputs, channel, photo in STORED:
            item = ActivityInput(alice, behaviour, inputs, channel, key, NOON, photo)
            record_activity(session=session, settings=settings, item=item, now=NOON)
        approved = Activity.idempotency_key == f"r{alice}:tree"
        session.execute(update(Activity).where(approved).values(status="credited", reviewed_by=admin))
        rebuild_rollups(session=session, day_from=NOON.date(), day_to=NOON.date())
    before, rollups_before = _read(engine, BALANCES), _read(engine, ROLLUPS)

    saved = _as_before_this_revision(engine)
    command.upgrade(alembic_config(engine), "0008")

    assert {key.split(":", 1)[1]: level for key, level in _read(engine, LEVELS)} == {
        "qr": "verified",
        "import": "verified",
        "walk": "declared",
        "paper": "declared",
        "tree": "evidenced",  # approved after review, with its photo
        "waiting": "evidenced",  # its photo will be reviewed
    }
    assert _read(engine, BALANCES) == before and all(balance == total for _, balance, total in before)
    assert _read(engine, ROLLUPS) == rollups_before  # rebuilt with the evidence level
    _empty(engine)
    migrate(engine)  # back at head, with the seeded districts, for the next test
    districts = Table("districts", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(insert(districts), saved["districts"])
