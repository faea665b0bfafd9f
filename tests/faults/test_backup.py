"""``flask backup`` and ``flask restore``: an online SQLite backup taken while credits are being written
restores to one consistent moment; a damaged or foreign file is refused and the database left untouched;
on PostgreSQL, pg_dump -Fc and pg_restore round-trip a migrated database with its data."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from carbon_credit import ledger, rewards
from carbon_credit.activities.models import Activity
from carbon_credit.activities.recording import ActivityInput, record_activity
from carbon_credit.ledger.models import Account, LedgerEntry
from carbon_credit.platform.database import (
    current_revision,
    head_revision,
    make_engine,
    read_session,
    session_scope,
)
from carbon_credit.platform.settings import DEFAULT_DAILY_CAPS
from carbon_credit.residents.accounts import create_resident
from carbon_credit.rewards.models import Reward, Voucher
from webapp import create_app

RECYCLING = {"material": "pet", "kg": "2"}


@pytest.fixture
def uncapped(base_settings, tmp_path):
    """``uncapped(url)`` -> settings for ``url`` without daily caps (every activity earns points)."""

    def make(url: str):
        caps = dict.fromkeys(DEFAULT_DAILY_CAPS, 0)
        return base_settings.with_overrides(database_url=url, daily_caps=caps, upload_folder=str(tmp_path))

    return make


def cli(settings, *args: str, answer: str | None = None):
    """Run ``flask <args>`` against an app on ``settings`` (``answer``: what the operator types); returns
    the click result."""
    app = create_app(settings)
    try:
        return app.test_cli_runner().invoke(args=list(args), input=answer)
    finally:
        app.extensions["carbon"]["engine"].dispose()


def residents(engine, settings, n: int) -> list[int]:
    with session_scope(engine) as session:
        made = [
            create_resident(
                session=session, settings=settings, display_name=f"居民{i}", district_code="xiaonan"
            )
            for i in range(n)
        ]
        return [r.id for r in made]


def credit(engine, settings, resident_id: int, key: str) -> int:
    with session_scope(engine) as session:
        item = ActivityInput(resident_id, "recycling", RECYCLING, "web", key)
        return record_activity(session=session, settings=settings, item=item).points


def state(url: str) -> dict:
    """What a restore must bring back: balances, ledger, activities, vouchers, stock and schema revision."""
    engine = make_engine(url)
    try:
        with read_session(engine) as session:
            rows = {
                "balances": session.execute(select(Account.id, Account.balance).order_by(Account.id)).all(),
                "entries": session.execute(select(func.count(), func.sum(LedgerEntry.points))).one(),
                "activities": session.scalars(select(Activity.idempotency_key).order_by(Activity.id)).all(),
                "vouchers": sorted(session.scalars(select(Voucher.code))),
                "stock": session.execute(select(Reward.id, Reward.stock).order_by(Reward.id)).all(),
                "discrepancies": ledger.discrepancies(session=session),
            }
        rows["revision"] = current_revision(engine)
    finally:
        engine.dispose()
    return rows


def revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return current_revision(engine)
    finally:
        engine.dispose()


# ---- SQLite ---------------------------------------------------------------------------------------------


def test_an_online_sqlite_backup_restores_one_consistent_moment(tmp_path, sqlite_template, uncapped):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    (tmp_path / "live.db").write_bytes(sqlite_template.read_bytes())
    settings = uncapped(url)
    engine = make_engine(url)
    people = residents(engine, settings, 2)
    committed: list[tuple[str, int]] = []  # (key, points) in commit order
    failures: list[BaseException] = []
    stop = threading.Event()

    def write() -> None:  # the platform crediting residents all along
        n = 0
        while not stop.is_set():
            key = f"w{n:05d}"
            try:
                committed.append((key, credit(engine, settings, people[n % 2], key)))
            except BaseException as error:  # noqa: BLE001 - reported below
                failures.append(error)
                return
            n += 1

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    taken = []
    try:
        for n in range(3):
            seen = len(committed)
            wait_for(lambda seen=seen: len(committed) >= seen + 5 or failures)  # writes go on between backups
            before = len(committed)
            result = cli(settings, "backup", str(tmp_path / f"backup-{n}.db"))
            assert result.exit_code == 0, result.output
            assert "backup written" in result.output and "备份完成" in result.output
            taken.append((tmp_path / f"backup-{n}.db", before, len(committed)))
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert failures == []  # the backups never made a credit fail

    for backup_file, before, after in taken:
        fresh = f"sqlite:///{tmp_path / 'restored' / (backup_file.stem + '.db')}"
        result = cli(uncapped(fresh), "restore", str(backup_file), "--yes")
        assert result.exit_code == 0, result.output
        restored = state(fresh)
        keys = [key.split(":", 1)[1] for key in restored["activities"]]
        assert before <= len(keys) <= after  # the moment the backup was taken ...
        assert keys == [key for key, _ in committed[: len(keys)]]  # ... and everything before it, in order
        balances = sum(balance for _, balance in restored["balances"])
        assert balances == sum(points for _, points in committed[: len(keys)])
        credited = sum(1 for _, points in committed[: len(keys)] if points)  # a capped claim earns nothing
        assert restored["entries"] == (credited, balances)
        assert restored["discrepancies"] == [] and restored["revision"] == head_revision()


def wait_for(condition, timeout: float = 60) -> None:
    """Poll until ``condition()`` holds (a guard against hanging, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.01)


def test_restoring_over_the_live_database_keeps_the_replaced_one(tmp_path, sqlite_template, uncapped):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    (tmp_path / "live.db").write_bytes(sqlite_template.read_bytes())
    settings = uncapped(url)
    engine = make_engine(url)
    (resident,) = residents(engine, settings, 1)
    credit(engine, settings, resident, "kept")
    assert cli(settings, "backup", str(tmp_path / "backup.db")).exit_code == 0
    at_backup = state(url)
    credit(engine, settings, resident, "after-the-backup")
    before_restore = state(url)
    declined = cli(settings, "restore", str(tmp_path / "backup.db"), answer="n\n")
    assert declined.exit_code == 1 and "Stop web, bot and scheduler first" in declined.output
    assert state(url) == before_restore

    result = cli(settings, "restore", str(tmp_path / "backup.db"), "--yes")

    assert result.exit_code == 0, result.output
    assert state(url) == at_backup
    with read_session(engine) as session:  # a pooled connection opened before the restore sees it too
        assert session.execute(select(func.count()).select_from(Activity)).scalar_one() == 1
    engine.dispose()
    (previous,) = tmp_path.glob("live.db.before-restore-*")
    assert f"the replaced database was kept at: {previous}" in result.output
    assert state(f"sqlite:///{previous}") == before_restore


def _damaged(valid: bytes) -> bytes:
    middle = len(valid) // 2
    return valid[:middle] + b"\xde\xad\xbe\xef" * 1024 + valid[middle + 4096 :]


def _foreign(path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()


def _from_the_future(path, valid: bytes) -> None:
    path.write_bytes(valid)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_a_newer_release'")
    conn.close()


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("text", "damaged or not a SQLite database"),
        ("truncated", "damaged or not a SQLite database"),
        ("damaged", "damaged"),
        ("foreign", "not a backup of this platform"),
        ("future", "unknown to this version of the platform"),
        ("missing", "backup file not found"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_database_untouched(
    tmp_path, sqlite_template, uncapped, kind, message
):
    url = f"sqlite:///{tmp_path / 'live.db'}"
    (tmp_path / "live.db").write_bytes(sqlite_template.read_bytes())
    settings = uncapped(url)
    engine = make_engine(url)
    credit(engine, settings, residents(engine, settings, 1)[0], "kept")
    engine.dispose()
    assert cli(settings, "backup", str(tmp_path / "valid.db")).exit_code == 0
    valid, bad = (tmp_path / "valid.db").read_bytes(), tmp_path / "bad.db"
    {
        "text": lambda: bad.write_text("id,points\n1,100\n"),
        "truncated": lambda: bad.write_bytes(valid[: len(valid) // 3]),
        "damaged": lambda: bad.write_bytes(_damaged(valid)),
        "foreign": lambda: _foreign(bad),
        "future": lambda: _from_the_future(bad, valid),
        "missing": lambda: None,
    }[kind]()
    before = state(url), hashlib.sha256((tmp_path / "live.db").read_bytes()).hexdigest()

    result = cli(settings, "restore", str(bad), "--yes")

    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert (state(url), hashlib.sha256((tmp_path / "live.db").read_bytes()).hexdigest()) == before
    assert list(tmp_path.glob("live.db.before-restore-*")) == []


def test_backup_never_overwrites_a_file(tmp_path, sqlite_template, uncapped):
    (tmp_path / "live.db").write_bytes(sqlite_template.read_bytes())
    (tmp_path / "exists.db").write_text("an older backup")
    result = cli(uncapped(f"sqlite:///{tmp_path / 'live.db'}"), "backup", str(tmp_path / "exists.db"))
    assert result.exit_code == 1 and "already exists" in result.output
    assert (tmp_path / "exists.db").read_text() == "an older backup"


# ---- PostgreSQL -----------------------------------------------------------------------------------------


@pytest.fixture
def fresh_databases(postgres_url):
    """``fresh()`` -> the URL of a new empty database (createdb); all dropped afterwards (dropdb)."""
    server = make_url(postgres_url).set(query={})
    made = []

    def fresh() -> str:
        name = f"cc_backup_{uuid.uuid4().hex[:10]}"
        pg(["createdb", name], server)
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    yield fresh
    for name in made:
        pg(["dropdb", "--if-exists", "--force", name], server)


def pg(command: list[str], server) -> None:
    """A PostgreSQL client tool against the server of ``server`` (a URL)."""
    target = [
        "-h",
        server.host or "127.0.0.1",
        "-p",
        str(server.port or 5432),
        "-U",
        server.username or "postgres",
    ]
    subprocess.run([command[0], *target, *command[1:]], check=True, capture_output=True)


@pytest.mark.postgres
def test_pg_dump_and_pg_restore_round_trip_a_database_with_data(fresh_databases, uncapped, tmp_path):
    source = fresh_databases()
    settings = uncapped(source)
    assert cli(settings, "init-db").exit_code == 0
    engine = make_engine(source)
    people = residents(engine, settings, 3)
    for n, resident in enumerate(people):
        credit(engine, settings, resident, f"k{n}")
    with session_scope(engine) as session:
        reward = Reward(name_zh="公交乘车券", name_en="Bus ride voucher", cost=1000, stock=5)
        session.add(reward)
        session.flush()
        rewards.redeem(
            session=session,
            settings=settings,
            resident_id=people[0],
            reward_id=reward.id,
            idempotency_key="r",
        )
    engine.dispose()
    original = state(source)

    result = cli(settings, "backup", str(tmp_path / "platform.dump"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "platform.dump").read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format

    target = fresh_databases()
    refused = cli(uncapped(target), "restore", str(tmp_path / "valid.db"), "--yes")
    (tmp_path / "notes.txt").write_text("not an archive")
    foreign = cli(uncapped(target), "restore", str(tmp_path / "notes.txt"), "--yes")
    assert refused.exit_code == 1 and "backup file not found" in refused.output
    assert foreign.exit_code == 1 and "not a pg_dump custom-format archive" in foreign.output
    assert revision(target) is None  # still empty

    result = cli(uncapped(target), "restore", str(tmp_path / "platform.dump"), "--yes")

    assert result.exit_code == 0, result.output
    restored = state(target)
    assert restored == original and restored["revision"] == head_revision()
    assert restored["discrepancies"] == [] and len(restored["vouchers"]) == 1
    app = create_app(uncapped(target))
    try:
        assert app.test_client().get("/readyz").get_json()["status"] == "ok"  # what the load balancer asks
    finally:
        app.extensions["carbon"]["engine"].dispose()
