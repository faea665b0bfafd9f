"""gunicorn settings for the fault tests: the project's own gunicorn.conf.py, plus a ``post_fork`` hook that
SIGKILLs the worker in the middle of a credit when the request asks for it. Test-only: production code has
no hook.

A request whose Idempotency-Key starts with ``die-mid-`` kills its worker right after the ledger INSERT (the
transaction is open, nothing is committed); ``die-commit-`` kills it right after the COMMIT of a
transaction that wrote a ledger entry (committed, but the client never gets the answer). Each key kills
once: a marker file in $FAULT_MARKERS is created first, so the client's retry with the same key goes through.
"""

from __future__ import annotations

import hashlib
import os
import runpy
import signal
from pathlib import Path

_PROJECT_CONFIG = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"
globals().update(
    {name: value for name, value in runpy.run_path(str(_PROJECT_CONFIG)).items() if not name.startswith("_")}
)


def _key() -> str | None:
    from flask import has_request_context, request

    if not has_request_context():
        return None
    key = request.headers.get("Idempotency-Key", "")
    return key if key.startswith(("die-mid-", "die-commit-")) else None


def _die_once(key: str) -> None:
    marker = Path(os.environ["FAULT_MARKERS"]) / hashlib.sha256(key.encode()).hexdigest()
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return  # this key already killed a worker: let the retry through
    os.kill(os.getpid(), signal.SIGKILL)


def _after_cursor_execute(_conn, _cursor, statement, *_args) -> None:
    key = _key()
    if key is None or "INSERT INTO LEDGER_ENTRIES" not in statement.upper():
        return
    from flask import g

    g.fault_wrote_ledger = True
    if key.startswith("die-mid-"):
        _die_once(key)


def _after_commit(session) -> None:
    key = _key()
    if key is None or not key.startswith("die-commit-") or session.in_nested_transaction():
        return  # also fired when a SAVEPOINT is released: wait for the real COMMIT
    from flask import g

    if g.get("fault_wrote_ledger"):
        _die_once(key)


def post_fork(_server, _worker) -> None:
    """Install the kill points in each new worker (SQLAlchemy class-level events: every engine, every
    session)."""
    from sqlalchemy import Engine, event
    from sqlalchemy.orm import Session

    event.listen(Engine, "after_cursor_execute", _after_cursor_execute)
    event.listen(Session, "after_commit", _after_commit)
