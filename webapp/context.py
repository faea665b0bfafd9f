"""Access to the platform objects the app factory wired: settings, engine, request locale, and the request's
one database session."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from carbon_credit.platform.database import committing, open_session, read_before_writing, start_writing
from carbon_credit.platform.settings import Settings

_SESSION = "carbon_session"  # (session, write) in flask.g


def settings() -> Settings:
    return current_app.extensions["carbon"]["settings"]


def engine() -> Engine:
    return current_app.extensions["carbon"]["engine"]


def request_session(*, write: bool = False) -> Session:
    """The request's one session, opened on first use and closed by :func:`close_request_session` when the
    request ends, which rolls back whatever was not committed. Read-only (on SQLite a deferred BEGIN that
    takes no write lock), or read-write: then it reads lock-free until :func:`request_transaction` begins
    the writes (``platform.database.read_before_writing``), so that on SQLite the write lock is not held
    while the request is checked and parsed. The first caller decides the kind: asking for a write session
    after a read-only one was opened is a programming error."""
    found = g.get(_SESSION)
    if found is None:
        session = open_session(engine(), write=write)
        if write:
            read_before_writing(session)
        found = (session, write)
        setattr(g, _SESSION, found)
    elif write and not found[1]:
        raise RuntimeError("this request opened a read-only session: it cannot write")
    return found[0]


@contextmanager
def request_transaction() -> Iterator[Session]:
    """The request's write transaction, on its one session: begun here (on SQLite BEGIN IMMEDIATE, after the
    request's lock-free reads), committed when the block ends, rolled back on any exception, so a refusal
    leaves nothing half-written."""
    session = request_session(write=True)
    start_writing(session)
    with committing(session):
        yield session


def close_request_session() -> None:
    """End the request's session, if one was opened: roll back what it did not commit and give back its
    connection (a teardown function: whoever uses :func:`request_session` registers it). A read-only
    session ends with COMMIT, the same as a rollback for a transaction that wrote nothing (see
    ``platform.database.read_session``)."""
    found = g.pop(_SESSION, None)
    if found is None:
        return
    session, write = found
    try:
        if not write and session.in_transaction():
            session.commit()
    except SQLAlchemyError:  # the connection broke: closing discards it, the answer is already made
        pass
    finally:
        session.close()
