"""Database set-up: one engine per URL, SQLite pragmas, migrations."""
from __future__ import annotations

import atexit
import fcntl
import os
import random
import threading
import time
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from cem import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15000
# Any number will do, as long as it is ours: PostgreSQL advisory lock that
# keeps several app replicas from running migrations at the same moment.
MIGRATION_LOCK_ID = 0x0CE1_2026

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the configured database), made once."""
    url = url or config.database_url()
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _make_engine(url)
            _engines[url] = engine
        return engine


def _sqlite_begin(connection) -> None:
    """Writes start with BEGIN IMMEDIATE, so they take SQLite's write lock
    at the start instead of failing half-way with "database is locked";
    reads start a plain (deferred) transaction and never block anyone."""
    write = connection.get_execution_options().get(WRITE_OPTION)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # Repeatable read: two writers that touch the same row make one of them
    # fail with a serialization error, which `writes` retries; the retry
    # then sees the other's change (and its version check can refuse).
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         isolation_level="REPEATABLE READ")


def dispose_engine(url: str) -> None:
    with _lock:
        engine = _engines.pop(url, None)
    if engine is not None:
        with write_lock(engine):  # closing the last connection checkpoints the WAL
            engine.dispose()


@atexit.register
def _dispose_all() -> None:
    for url in list(_engines):
        try:
            dispose_engine(url)
        except OSError:  # its folder is gone already (a temporary database)
            pass


# ---------------------------------------------------------------- one writer at a time
#
# SQLite before 3.51.3 (Debian's Python 3.11 has 3.40) can corrupt a WAL
# database when two connections write or checkpoint at the same instant. We
# never let that happen: every write transaction, and with it every
# checkpoint (SQLite checkpoints automatically only when a write commits,
# and when the last connection closes, which dispose_engine also guards),
# runs while holding one lock per database file: a threading lock for the
# threads of this process and an flock on "<db>.writelock" for other
# processes (other app servers, the command line, tests). Readers take no
# lock; WAL lets them read while one writer writes.

WRITE_OPTION = "cem_write"
MAX_WRITE_ATTEMPTS = 8
_thread_locks: dict[str, threading.RLock] = {}


def _lock_path(engine: Engine) -> str | None:
    database = engine.url.database
    if not is_sqlite(engine) or not database or database == ":memory:":
        return None
    return database + ".writelock"


@contextmanager
def write_lock(engine: Engine) -> Iterator[None]:
    path = _lock_path(engine)
    if path is None:
        yield
        return
    with _lock:
        thread_lock = _thread_locks.setdefault(path, threading.RLock())
    with thread_lock:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)


def _pg_one_writer(connection) -> None:
    """PostgreSQL compatibility: one writer at a time here too. Every write
    raises its journey's revision, so under REPEATABLE READ any two
    concurrent writes collide on that row and one fails with a serialization
    error; with twenty editors the retries ran out and people saw the error.
    LOCK TABLE takes no snapshot, so as the transaction's first statement it
    waits for the writer before us to commit and only then does our first
    read take the snapshot: we see its change (the version check refuses a
    stale edit) and nothing conflicts. Readers are not blocked (SHARE ROW
    EXCLUSIVE conflicts only with itself and with writes to journey)."""
    connection.exec_driver_sql("LOCK TABLE journey IN SHARE ROW EXCLUSIVE MODE")


def _retryable(error: DBAPIError) -> bool:
    """PostgreSQL serialization failures and deadlocks, and SQLite's busy
    error (not expected under write_lock, but never shown to a person)."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in ("40001", "40P01") or "database is locked" in str(error.orig)


def writes(service):
    """Run a write service as one short transaction: end any read the
    session had open, take the write lock (SQLite), begin (IMMEDIATE on
    SQLite), run, and retry from the start on a serialization failure,
    deadlock or busy database. The service commits itself."""

    @wraps(service)
    def run(session: Session, *args, **kwargs):
        engine = session.get_bind()
        for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
            session.rollback()
            try:
                with write_lock(engine):
                    connection = session.connection(execution_options={WRITE_OPTION: True})
                    if not is_sqlite(engine):
                        _pg_one_writer(connection)
                    try:
                        return service(session, *args, **kwargs)
                    finally:
                        if session.in_transaction():
                            session.rollback()
            except DBAPIError as error:
                if not _retryable(error) or attempt == MAX_WRITE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0.005, 0.02) * attempt)
        raise AssertionError("unreachable")

    return run


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision. Safe to call from several
    processes: on PostgreSQL an advisory lock serialises them, on SQLite the
    write lock does."""
    cfg = alembic_config(engine)
    with write_lock(engine), engine.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql:
            # PostgreSQL compatibility: under the engine's REPEATABLE READ the
            # snapshot is taken when the lock is requested, so a process that
            # waited for another's migration would not see its tables and fail
            # with "relation alembic_version already exists". Read committed:
            # every statement after the lock sees what the other committed.
            connection.execution_options(isolation_level="READ COMMITTED")
        with connection.begin():
            if postgresql:
                connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that is closed afterwards; services commit themselves."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        yield session
