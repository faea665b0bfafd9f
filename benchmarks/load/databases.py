"""A fresh database per load run: a SQLite file in the run's temporary folder, or a new PostgreSQL database
created beside the test one and dropped afterwards. The release step (``flask init-db``) makes the schema.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

# Where CREATE DATABASE / DROP DATABASE are sent (any database of a role that may create databases).
PG_ADMIN_URL = os.environ.get("LOAD_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(kind: str, workdir: Path) -> Iterator[str]:
    """Yield the DATABASE_URL of an empty database of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{workdir / 'load.db'}"
        return
    name = f"cc_load_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def init_db(root: Path, env: dict[str, str]) -> None:
    """Migrate with the release command of the checkout ``root``, as a deployment does (Procfile
    ``release``), with the flask of the virtual environment running the harness."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "flask"), "--app", "webapp", "init-db"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"flask init-db failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def analyze(url: str) -> None:
    """Refresh the planner's statistics of a PostgreSQL load database, as autovacuum's autoanalyze keeps them
    on a production server (this machine's PostgreSQL runs with ``autovacuum = off``). Without them the
    plans that the connections cache when the tables are nearly empty stay in use as the tables grow: a
    scan's trips-today count and a credit's cap sum read every credited activity through the status index
    (measured: 260-300 buffers and 0.6 ms each after 3,000 activities). ANALYZE invalidates those plans."""
    if url.startswith("postgresql"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
