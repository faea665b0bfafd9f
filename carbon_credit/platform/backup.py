"""Backing up and restoring the platform database (docs/backup.md).

SQLite: an online copy through SQLite's backup API, a consistent snapshot taken while the web, bot and
scheduler keep writing (in WAL mode a reader does not block writers). It is written next to the target and
renamed when complete, so a half-written backup never carries the final name. A restore first checks the file
(``PRAGMA integrity_check`` and an Alembic revision this code knows), keeps a copy of the current database,
then copies the backup into the live file through the same API, so an open connection sees the old database
or the restored one, never a mix of both.

PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --single-transaction`` on the
database URL; the client tools must be installed, of the server's major version or newer.

Messages are for the operator at the command line: Chinese first, then English.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from carbon_credit.platform.database import (
    MIGRATIONS_DIR,
    SQLITE_BUSY_TIMEOUT_S,
    current_revision,
    head_revision,
    make_engine,
    normalise_url,
)

# In pg_restore's SQL: the rows of "COPY <schema>.alembic_version (version_num) FROM stdin;" up to "\.".
_ALEMBIC_ROWS = re.compile(r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.$", re.M | re.S)


class BackupError(RuntimeError):
    """A backup or restore was refused or failed; nothing was replaced. The message says why."""


@dataclass(frozen=True, slots=True)
class Backup:
    """A finished backup file and the schema revision it holds."""

    path: Path
    size: int
    revision: str


@dataclass(frozen=True, slots=True)
class Restored:
    """The outcome of a restore: the revision now in the database, whether ``flask init-db`` must still
    upgrade it to this code's, and where the replaced SQLite database was kept (None on PostgreSQL)."""

    revision: str
    needs_upgrade: bool
    previous: Path | None


def backup(database_url: str, target: Path) -> Backup:
    """Write a backup of the database at ``database_url`` to the new file ``target``."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} 已存在，请换一个文件名 / already exists: choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if _is_sqlite(database_url):
            _sqlite_copy(_sqlite_path(database_url, must_exist=True), partial, standalone=True)
            revision = check(partial, database_url)
        else:
            revision = _pg_dump(database_url, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(target, target.stat().st_size, revision)


def check(source: Path, database_url: str) -> str:
    """The schema revision of the backup file ``source``, after checking that it is a backup of the
    kind ``database_url`` needs, undamaged, and made by this version of the platform or an older one."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"找不到备份文件 / backup file not found: {source}")
    revision = _sqlite_revision(source) if _is_sqlite(database_url) else _pg_archive_revision(source)
    if revision not in _known_revisions():
        raise BackupError(
            f"备份的数据库版本 {revision} 比本程序新，请先部署对应版本 / "
            f"the backup's schema revision {revision} is unknown to this version of the platform: "
            "deploy the version that made it first"
        )
    return revision


def restore(source: Path, database_url: str) -> Restored:
    """Replace the database at ``database_url`` with the backup ``source`` (checked first: a damaged or
    foreign file is refused and the database left as it was)."""
    revision = check(source, database_url)
    previous = None
    if _is_sqlite(database_url):
        target = _sqlite_path(database_url, must_exist=False)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            previous = target.with_name(f"{target.name}.before-restore-{stamp}")
            _sqlite_copy(target, previous, standalone=True)
        _sqlite_copy(Path(source), target, standalone=False)
    else:
        _pg_restore(Path(source), database_url)
    engine = make_engine(database_url)
    try:
        now = current_revision(engine)
    finally:
        engine.dispose()
    if now != revision:
        raise BackupError(
            f"恢复后的版本 {now} 与备份 {revision} 不符 / after the restore the revision is {now}"
        )
    return Restored(revision, revision != head_revision(), previous)


# ---- SQLite --------------------------------------------------------------------------------------


def _is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite")


def _sqlite_path(database_url: str, *, must_exist: bool) -> Path:
    name = make_url(database_url).database
    if not name or name == ":memory:":
        raise BackupError("内存数据库无法备份 / an in-memory database cannot be backed up or restored")
    path = Path(name)
    if must_exist and not path.is_file():
        raise BackupError(f"数据库文件不存在 / database file not found: {path}")
    return path


def _sqlite_copy(source: Path, target: Path, *, standalone: bool) -> None:
    """Copy ``source`` into ``target`` with the backup API (one step: one consistent snapshot).
    ``standalone`` makes the copy a single self-contained file (rollback journal instead of WAL)."""
    try:
        with (
            closing(_sqlite_connect(source, create=False)) as src,
            closing(_sqlite_connect(target, create=True)) as dst,
        ):
            src.backup(dst)
            if standalone:
                dst.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(f"SQLite 复制失败 / SQLite copy failed: {source} -> {target}: {error}") from error


def _sqlite_connect(path: Path, *, create: bool) -> sqlite3.Connection:
    mode = "rwc" if create else "rw"  # never create an empty database where one was expected
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        timeout=SQLITE_BUSY_TIMEOUT_S,
        isolation_level=None,
    )


def _sqlite_revision(path: Path) -> str:
    try:
        with closing(_sqlite_connect(path, create=False)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchall()
            if verdict != [("ok",)]:
                raise BackupError(f"备份文件已损坏 / the backup is damaged: {path}: {verdict[0][0]}")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            row = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if ("alembic_version" in tables)
                else None
            )
    except sqlite3.DatabaseError as error:
        raise BackupError(
            f"文件已损坏或不是 SQLite 数据库 / damaged or not a SQLite database: {path} ({error})"
        ) from error
    if row is None:
        raise BackupError(
            f"不是本平台的数据库备份（缺少 alembic_version）/ not a backup of this platform: {path}"
        )
    return row[0]


# ---- PostgreSQL ----------------------------------------------------------------------------------


def _libpq(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for the client tools (no driver name) and an environment carrying the password, which
    would otherwise be visible in the process list."""
    url: URL = make_url(normalise_url(database_url))
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"找不到 {name}，请安装 PostgreSQL 客户端（如 postgresql-client）/ {name} not found: install the "
            "PostgreSQL client tools (e.g. the postgresql-client package)"
        )
    return found


def _run(command: list[str], env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()[-2000:]
        raise BackupError(f"{Path(command[0]).name} 失败 / failed: {detail}")
    return done.stdout


def _pg_dump(database_url: str, partial: Path) -> str:
    engine = make_engine(database_url)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    if revision is None:
        raise BackupError("数据库尚未初始化 / the database has no schema yet (run flask init-db)")
    uri, env = _libpq(database_url)
    _run([_tool("pg_dump"), "--format=custom", "--file", str(partial), "--dbname", uri], env)
    _pg_archive_revision(partial)  # readable by pg_restore
    return revision


def _pg_archive_revision(path: Path) -> str:
    """The Alembic revision stored in a pg_dump custom-format archive (pg_restore writes it back as SQL)."""
    try:
        listing = _run([_tool("pg_restore"), "--list", str(path)])
    except BackupError as error:
        raise BackupError(
            f"不是 pg_dump -Fc 备份文件 / not a pg_dump custom-format archive: {path}"
        ) from error
    if not re.search(r"TABLE DATA \S+ alembic_version ", listing):
        raise BackupError(
            f"不是本平台的数据库备份（缺少 alembic_version）/ not a backup of this platform: {path}"
        )
    script = _run([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)])
    # The rows of "COPY <schema>.alembic_version (version_num) FROM stdin;" up to the "\." line.
    found = re.search(
        r"^COPY \S*alembic_version \(version_num\) FROM stdin;\n(.*?)^\\\.$", script, re.M | re.S
    )
    rows = found.group(1).split() if found else []
    if len(rows) != 1:
        raise BackupError(f"备份中的 alembic_version 无法识别 / unreadable alembic_version in {path}")
    return rows[0]


def _pg_restore(source: Path, database_url: str) -> None:
    uri, env = _libpq(database_url)
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            uri,
            str(source),
        ],
        env,
    )


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}
