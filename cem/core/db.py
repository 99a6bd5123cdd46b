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

from cem.core import config

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
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
    reads start a plain (deferred) transaction and never block anyone. A
    write with a staging file attaches it first (SQLite attaches only
    outside a transaction); it is detached when the connection goes back to
    the pool."""
    options = connection.get_execution_options()
    if options.get(STAGING_OPTION):
        connection.exec_driver_sql("ATTACH DATABASE ? AS staging", (options[STAGING_OPTION],))
        connection.info[STAGING_OPTION] = True
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def _sqlite_detach(dbapi_connection, record) -> None:
    """Pool check-in: a connection that attached a staging file lets it go
    before anyone else may use it."""
    if not record.info.pop(STAGING_OPTION, False) or dbapi_connection is None:
        return
    try:
        dbapi_connection.execute("DETACH DATABASE staging")
    except Exception:  # noqa: BLE001 - closed, the connection holds nothing; the pool opens a new one
        dbapi_connection.close()


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "checkin", _sqlite_detach)
        return engine
    # Repeatable read, and one writer per journey: see _pg_wait_turn.
    engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5,
                           isolation_level="REPEATABLE READ")
    event.listen(engine, "checkin", _release_locks)
    return engine


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
# Session info key and execution option: the path of a SQLite file that a
# write reads as the schema "staging" (see cem.core.staging).
STAGING_OPTION = "cem_staging"
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


# ---------------------------------------------------------------- PostgreSQL: one writer per journey
#
# Writes run under REPEATABLE READ, so two that touch the same row cannot
# both commit: one fails with a serialization error and `writes` retries it
# on a fresh snapshot, where its version check refuses a stale edit. Every
# write to a journey raises that journey's revision, so writers on one
# journey always collide; with twenty of them the retries ran out. So each
# write first waits its turn for its journey only: a session-level advisory
# lock (JOURNEY_LOCKS, journey id), taken in autocommit before the write's
# transaction begins, so that its snapshot is taken after the writer before
# it has committed. The lock is released when the connection goes back to
# the pool (see _release_locks), right after the write's commit or rollback.
# Writes to different journeys run side by side. A write whose journey is
# not known from its arguments runs without waiting (REPEATABLE READ still
# refuses it if it collides), and its retry waits for the journey it
# touched. A restore, which replaces everything, locks the journey table.

JOURNEY_LOCKS = 0x0CE2  # first key of pg_advisory_lock(int, int): ours
NO_JOURNEY = 0  # the second key for writes that touched no journey
LOCKED = "cem_advisory_locks"  # connection info key: this connection holds locks
# How to find the journey a write is about from one of its arguments.
_JOURNEY_OF = {
    "stage_id": "SELECT journey_id FROM stage WHERE id = %s",
    "step_id": "SELECT g.journey_id FROM step s JOIN stage g ON g.id = s.stage_id WHERE s.id = %s",
    "pain_point_id": "SELECT g.journey_id FROM painpoint p JOIN step s ON s.id = p.step_id "
                     "JOIN stage g ON g.id = s.stage_id WHERE p.id = %s",
    "task_id": "SELECT journey_id FROM task WHERE id = %s",
}
TOUCHED = "cem_touched_journey"  # session info key: the journey a write changed


def note_journey(session: Session, journey_id: int) -> None:
    """Remember which journey this write changed, for its retry's lock."""
    session.info[TOUCHED] = journey_id


def _idle(raw) -> bool:
    info = getattr(raw, "info", None)  # psycopg 3
    return info is not None and info.transaction_status.name == "IDLE"


def _autocommit(raw, sql: str, params: tuple):
    raw.autocommit = True
    try:
        with raw.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
    finally:
        raw.autocommit = False


def _journey_of(raw, arguments: dict) -> int | None:
    if isinstance(arguments.get("journey_id"), int):
        return arguments["journey_id"]
    for name, sql in _JOURNEY_OF.items():
        if isinstance(arguments.get(name), int):
            row = _autocommit(raw, sql, (arguments[name],))
            return row[0] if row else None
    return None


def _pg_wait_turn(connection, arguments: dict, retry_key: int | None, whole: bool) -> None:
    """Before the write's transaction begins: wait for the journey's lock
    (or, for `whole`, the journey table's)."""
    raw = connection.connection.dbapi_connection
    if whole or not _idle(raw):
        # LOCK TABLE takes no snapshot, so as the first statement it too
        # waits before the snapshot is taken.
        connection.exec_driver_sql("LOCK TABLE journey IN SHARE ROW EXCLUSIVE MODE")
        return
    key = _journey_of(raw, arguments)
    key = retry_key if key is None else key
    if key is None:
        return
    connection.connection.info[LOCKED] = True
    _autocommit(raw, "SELECT pg_advisory_lock(%s, %s)", (JOURNEY_LOCKS, key))


def _release_locks(dbapi_connection, connection_record) -> None:
    """Pool check-in: a connection that took advisory locks gives them up
    before anyone else may use it."""
    if dbapi_connection is None or not connection_record.info.pop(LOCKED, False):
        return
    try:
        _autocommit(dbapi_connection, "SELECT pg_advisory_unlock_all()", ())
    except Exception:  # noqa: BLE001 - a broken connection: closing it ends its locks too
        dbapi_connection.close()


def _retryable(error: DBAPIError) -> bool:
    """PostgreSQL serialization failures and deadlocks, and SQLite's busy
    error (not expected under write_lock, but never shown to a person)."""
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in ("40001", "40P01") or "database is locked" in str(error.orig)


def writes(service=None, *, whole: bool = False):
    """Run a write service as one short transaction: end any read the
    session had open, wait for the write lock (SQLite: one per database;
    PostgreSQL: one per journey, or the whole database for `whole`), begin
    (IMMEDIATE on SQLite), run, and retry from the start on a serialization
    failure, deadlock or busy database. The service commits itself."""
    if service is None:
        return lambda function: writes(function, whole=whole)

    @wraps(service)
    def run(session: Session, *args, **kwargs):
        engine = session.get_bind()
        retry_key = None
        for attempt in range(1, MAX_WRITE_ATTEMPTS + 1):
            session.rollback()
            session.info.pop(TOUCHED, None)
            try:
                with write_lock(engine):
                    connection = session.connection(execution_options={
                        WRITE_OPTION: True, STAGING_OPTION: session.info.get(STAGING_OPTION)})
                    if not is_sqlite(engine):
                        _pg_wait_turn(connection, kwargs, retry_key, whole)
                    try:
                        return service(session, *args, **kwargs)
                    finally:
                        if session.in_transaction():
                            session.rollback()
            except DBAPIError as error:
                if not _retryable(error) or attempt == MAX_WRITE_ATTEMPTS:
                    raise
                retry_key = session.info.get(TOUCHED, NO_JOURNEY)
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
