"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL (production).

SQLite: WAL, foreign keys, a busy timeout, and every read-write transaction opened with
``BEGIN IMMEDIATE`` so two writers can never interleave a read-modify-write (the pysqlite
default takes the write lock late and silently loses updates; see docs/ledger.md). Read-only
work uses :func:`read_session`, which opens a deferred transaction and does not queue behind writers.

PostgreSQL: a pooled connection is pinged before use only when it has sat idle in the pool for more than
PING_AFTER_IDLE_S (see :func:`_ping_if_idle`); a busy worker reuses its connections within milliseconds and
pays no ping round trip, while a connection left over from before a server restart is always pinged, since
a restart takes longer than that.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlmodel import Session

from carbon_credit.platform.settings import PROJECT_ROOT

try:
    import fcntl
except ImportError:  # Windows: threads still queue; processes meet SQLite's busy handler
    fcntl = None

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30
PG_CONNECT_TIMEOUT_S = 5
PING_AFTER_IDLE_S = 2.0  # shorter than any server restart or failover; longer than a busy worker's reuse
_READ_ONLY = "carbon_read_only"
_READ_FIRST = "carbon_read_before_writing"  # SQLite: no BEGIN; each statement reads on its own, lock-free
_IDLE_SINCE = "carbon_idle_since"


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, sqlite_busy_timeout_s: int = SQLITE_BUSY_TIMEOUT_S, **kwargs) -> Engine:
    """Create an engine; SQLite files get their folder created and the pragmas, busy timeout and locking
    set up (the web app passes its shorter SQLITE_BUSY_TIMEOUT_S setting)."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        # A server that is down answers at once; one that cannot be reached must not hold a request longer.
        kwargs.setdefault("connect_args", {"connect_timeout": PG_CONNECT_TIMEOUT_S})
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_if_idle(engine)
        return engine
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # Write transactions queue for the file: threads of a process on a lock shared by the engine's
    # connections, processes on an advisory lock file polled every 2 ms, so writers rarely meet SQLite's busy
    # handler, whose back-off sleeps of up to 100 ms made latency spiky under load.
    lock_path = f"{database}-writers.lock" if database and database != ":memory:" else None
    factory = type(
        "QueuedWriterConnection",
        (_QueuedWriterConnection,),
        {"write_lock": threading.Lock(), "busy_timeout_s": sqlite_busy_timeout_s, "lock_path": lock_path},
    )
    connect_args = {"timeout": sqlite_busy_timeout_s, "factory": factory}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _ping_if_idle(engine: Engine) -> None:
    """Ping a pooled PostgreSQL connection at checkout only when it has been idle over PING_AFTER_IDLE_S.

    ``pool_pre_ping`` pings at every checkout: one round trip per transaction, about a tenth of a request's
    round trips once the paths are lean. A connection that fails the ping is replaced at once (the pool
    retries the checkout on ``DisconnectionError``), so a server restart still costs no request. A connection
    broken within the last PING_AFTER_IDLE_S of use (a failover in the middle of a burst) fails its request
    with a disconnect error, which invalidates the pool and answers 503 (webapp/errors.py); the client retries
    with its Idempotency-Key."""

    @event.listens_for(engine.pool, "checkin")
    def _checkin(_dbapi_conn, record) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _checkout(dbapi_conn, record, _proxy) -> None:
        since = record.info.pop(_IDLE_SINCE, None)
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("a pooled connection idle past the ping age is gone") from error


class _QueuedWriterConnection(sqlite3.Connection):
    """A pysqlite connection that holds its class's ``write_lock`` from BEGIN IMMEDIATE to COMMIT/ROLLBACK."""

    write_lock: threading.Lock
    busy_timeout_s: int
    lock_path: str | None
    _lock_file: tuple[int, int] | None = None  # (pid, fd): a forked child opens its own
    _holding = False
    _file_locked = False

    def queue_for_write(self) -> None:
        # Bounded: after the busy timeout the writer goes ahead and SQLite's own busy timeout decides.
        deadline = time.monotonic() + self.busy_timeout_s
        self._holding = self.write_lock.acquire(timeout=self.busy_timeout_s)
        if not self._holding or self.lock_path is None or fcntl is None:
            return
        fd = self._file_descriptor()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(0.002)
            else:
                self._file_locked = True
                return

    def _file_descriptor(self) -> int:
        cls = type(self)
        if cls._lock_file is None or cls._lock_file[0] != os.getpid():
            cls._lock_file = (os.getpid(), os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600))
        return cls._lock_file[1]

    def release_write(self) -> None:
        if self._file_locked:
            self._file_locked = False
            fcntl.flock(self._file_descriptor(), fcntl.LOCK_UN)
        if self._holding:
            self._holding = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_write()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_write()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.release_write()


def _sqlite_on_connect(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={dbapi_conn.busy_timeout_s * 1000}")
    cursor.close()


def _sqlite_on_begin(conn) -> None:
    options = conn.get_execution_options()
    if options.get(_READ_FIRST):
        return  # autocommit reads until start_writing(); COMMIT and ROLLBACK of nothing send nothing
    if options.get(_READ_ONLY):
        conn.exec_driver_sql("BEGIN")
        return
    dbapi_conn = conn.connection.dbapi_connection
    queued = isinstance(dbapi_conn, _QueuedWriterConnection)
    if queued:
        dbapi_conn.queue_for_write()
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        if queued:
            dbapi_conn.release_write()
        raise


def open_session(engine: Engine, *, write: bool = True) -> Session:
    """A session whose caller ends its transaction (commit, rollback or close): read-write, or with
    ``write=False`` read-only (on SQLite a deferred BEGIN that takes no write lock). Objects stay readable
    after commit. :func:`session_scope` and :func:`read_session` are the usual ways in; the web app's
    request-wide session (webapp/context.py) uses this one."""
    bound = engine if write else engine.execution_options(**{_READ_ONLY: True})
    return Session(bound, expire_on_commit=False)


def read_before_writing(session: Session) -> None:
    """Let a read-write session's first statements read without the write lock: on SQLite they run with no
    BEGIN (each its own read, as of its start, the way every PostgreSQL statement reads under READ
    COMMITTED) until :func:`start_writing`, which is where BEGIN IMMEDIATE queues for the write lock; on
    PostgreSQL it changes nothing (reads lock nothing, so one transaction is cheapest). Call it on a new
    session, and read only until :func:`start_writing`: a write before it would commit on its own."""
    if session.get_bind().dialect.name == "sqlite" and not session.in_transaction():
        session.connection(execution_options={_READ_FIRST: True})


def start_writing(session: Session) -> None:
    """End the lock-free reads of :func:`read_before_writing`, if any, so the session's next statement begins
    the write transaction (SQLite: nothing is sent to end them)."""
    if session.in_transaction() and session.connection().get_execution_options().get(_READ_FIRST):
        session.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A read-write unit of work: commit on success, roll back on any exception."""
    with open_session(engine) as session, committing(session):
        yield session


@contextmanager
def committing(session: Session) -> Iterator[Session]:
    """Commit ``session`` when the block ends, roll it back on any exception (nothing half-written)."""
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A read-only session; on SQLite it does not take the write lock. Objects stay readable after it
    closes. It ends with COMMIT, not ROLLBACK: the same for a transaction that wrote nothing, but psycopg
    discards its prepared statements (and sends DEALLOCATE ALL) at every ROLLBACK, so ending reads with a
    rollback made each connection parse the hot write statements afresh (an exception still rolls back)."""
    with open_session(engine, write=False) as session:
        yield session
        session.commit()


def alembic_config(engine: Engine):
    """An Alembic config bound to ``engine``'s URL, pointing at the project's ``migrations/``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (the app, the tests and the CLI all use this, never create_all)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@cache
def head_revision() -> str:
    """The newest revision in ``migrations/``: what a current database is at."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.execution_options(**{_READ_ONLY: True}).connect() as conn:  # no write lock on SQLite
        return MigrationContext.configure(conn).get_current_revision()
