"""Shared fixtures: a fresh, migrated database per test, on every backend.

Every test that uses `db_url` (and so `engine` and `session`) runs once per
database backend, shown in its id: test_x[sqlite] on a temporary SQLite
file, and test_x[postgresql] on a new PostgreSQL database (a copy of one
migrated once per run, dropped after the test) when TEST_DATABASE_URL names
a server (postgresql://user:password@host:port/db; the role needs CREATEDB). .ci/run starts such a server; with CI set and no
TEST_DATABASE_URL the run stops at once, since CI must test PostgreSQL.

Tests about SQLite itself are named test_sqlite_* and skipped on PostgreSQL.
"""
from __future__ import annotations

import os
import secrets
import warnings
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from cem.core import config as cem_config
from cem.journey import services
from cem.core.db import dispose_engine, get_engine, migrate, session_scope
from cem.core.models import AppUser

USER = "tester"
# One account per role (tester is a lead, who may edit the map and delete journeys).
ACCOUNTS = {"tester": "lead", "alice": "editor", "bob": "editor", "admin": "admin", "lead": "lead",
            "editor": "editor", "viewer": "viewer"}

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
# Fixtures parametrized by backend; their parameter names a test's backend.
BACKEND_FIXTURES = ("db_url", "app_url")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config) -> None:
    cem_config.share_the_interpreter()  # as app.py does in the app server
    if in_ci() and not TEST_DATABASE_URL:
        raise pytest.UsageError(
            "CI is set but TEST_DATABASE_URL is not: CI must run every database test on PostgreSQL too. "
            "Run `bash .ci/run`, or set TEST_DATABASE_URL=postgresql://user:password@127.0.0.1:5432/db "
            "(a role with CREATEDB).")


_backend_of_test: dict[str, str] = {}


def pytest_collection_modifyitems(config, items) -> None:
    sqlite_only = pytest.mark.skip(reason="about SQLite itself (test_sqlite_*)")
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        backend = next((params[name] for name in BACKEND_FIXTURES if name in params), None)
        if backend is None:
            continue
        _backend_of_test[item.nodeid] = backend
        if backend == "postgresql" and item.originalname.startswith("test_sqlite_"):
            item.add_marker(sqlite_only)


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per backend, so that a CI log shows PostgreSQL really ran."""
    counts: dict[str, Counter] = {backend: Counter() for backend in BACKENDS}
    for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
        for report in terminalreporter.stats.get(outcome, []):
            backend = _backend_of_test.get(getattr(report, "nodeid", ""))
            if backend:
                counts[backend][outcome] += 1
    for backend, found in counts.items():
        if found:
            terminalreporter.write_line(
                f"database {backend}: " + ", ".join(f"{n} {outcome}" for outcome, n in found.items()))


# ---------------------------------------------------------------- PostgreSQL databases


def postgres_url(database: str | None = None) -> str:
    """TEST_DATABASE_URL with the app's driver (as cem.core.config spells it),
    for `database` if given."""
    url = make_url(TEST_DATABASE_URL)
    if url.drivername in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


_admin = None


def _admin_engine():
    """Autocommit connections to TEST_DATABASE_URL's database, for CREATE and DROP DATABASE."""
    global _admin
    if _admin is None:
        _admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT", pool_size=1)
    return _admin


def _admin_execute(sql: str):
    with _admin_engine().connect() as connection:
        result = connection.execute(text(sql))
        return result.scalar() if result.returns_rows else None


_copy_strategy = None


def _create_database_sql(name: str, template: str | None) -> str:
    # From PostgreSQL 15 on, CREATE DATABASE copies block by block through the
    # WAL by default (0.6 s and more per test here); a plain file copy of the
    # small template takes about 0.1 s.
    global _copy_strategy
    if _copy_strategy is None:
        version = int(_admin_execute("SELECT current_setting('server_version_num')"))
        _copy_strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""
    return f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' + _copy_strategy if template else "")


def _new_database(template: str | None = None, prefix: str = "cem_t") -> str:
    name = f"{prefix}_{secrets.token_hex(6)}"
    _admin_execute(_create_database_sql(name, template))
    return name


def _drop_database(name: str) -> None:
    dispose_engine(postgres_url(name))
    # FORCE: a connection something forgot to close must not keep it alive.
    # FORCE may not end an autovacuum worker (that needs pg_signal_backend);
    # a plain DROP asks it to stop and waits.
    try:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except DBAPIError:
        _admin_execute(f'DROP DATABASE IF EXISTS "{name}"')


@contextmanager
def postgres_database(template: str | None = None, prefix: str = "cem_t") -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of `template`) for the
    block; dropped afterwards even if something still holds a connection."""
    name = _new_database(template, prefix)
    try:
        yield postgres_url(name)
    finally:
        _drop_database(name)


class DatabaseCopies:
    """Copies of a migrated template database, one per test, made ahead and
    dropped behind by one background thread while the tests run: on a disk
    (not tmpfs) CREATE DATABASE costs 0.3-0.5 s, mostly creating files."""

    def __init__(self, template: str, ahead: int = 2):
        self.template = template
        self.ahead = ahead
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="test-databases")
        self.made: deque[Future] = deque()
        self.dropped: list[Future] = []

    def take(self) -> str:
        """The name of a new database that is a copy of the template."""
        while len(self.made) <= self.ahead:
            self.made.append(self.worker.submit(_new_database, self.template))
        return self.made.popleft().result()

    def drop(self, name: str) -> None:
        self.dropped.append(self.worker.submit(_drop_database, name))

    def close(self) -> None:
        while self.made:
            future = self.made.popleft()
            if future.exception() is None:
                self.drop(future.result())
        self.worker.shutdown(wait=True)
        failed = [str(f.exception()) for f in self.dropped if f.exception() is not None]
        if failed:
            warnings.warn(f"{len(failed)} test databases were not dropped: {failed[0]}")


@pytest.fixture(scope="session")
def postgres_copies() -> Iterator[DatabaseCopies]:
    """A database migrated once per run, and its copies: each test gets one
    (much faster than migrating), so migrate() in `engine` finds nothing to do."""
    with postgres_database(prefix="cem_template") as url:
        migrate(get_engine(url))
        dispose_engine(url)  # CREATE DATABASE ... TEMPLATE needs it unused
        copies = DatabaseCopies(make_url(url).database)
        try:
            yield copies
        finally:
            copies.close()  # before the template goes


@contextmanager
def fresh_database(backend: str, directory, copies: DatabaseCopies | None = None) -> Iterator[str]:
    """The URL of a new database on `backend`, for the block: an empty file
    in `directory` for SQLite; for PostgreSQL one of `copies` if given (a
    migrated database without rows), else a new empty database."""
    if backend == "sqlite":
        url = f"sqlite:///{directory}/test.db"
        try:
            yield url
        finally:
            dispose_engine(url)
    elif copies is None:
        with postgres_database() as url:
            yield url
    else:
        name = copies.take()
        try:
            yield postgres_url(name)
        finally:
            copies.drop(name)


# ---------------------------------------------------------------- fixtures


def add_accounts(engine) -> None:
    with session_scope(engine) as session:
        for name, role in ACCOUNTS.items():
            session.add(AppUser(username=name, display_name=name.title(), role=role, created_by="test"))
        session.commit()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A new database for this test, on each backend in turn."""
    copies = request.getfixturevalue("postgres_copies") if request.param == "postgresql" else None
    with fresh_database(request.param, tmp_path, copies) as url:
        yield url


@pytest.fixture
def engine(db_url):
    engine = get_engine(db_url)
    migrate(engine)
    add_accounts(engine)
    return engine


@pytest.fixture
def session(engine) -> Session:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def small_journey(session):
    """A journey with two stages; the first has two sub-steps, one of them
    with two pain points, three measures and an idea."""
    journey = services.create_journey(session, name="Home internet", user=USER)
    offer = services.add_stage(session, journey_id=journey.id, name="Offer", phase="before", user=USER)
    services.add_stage(session, journey_id=journey.id, name="Use", phase="during", user=USER)
    browse = services.add_step(session, stage_id=offer.id, name="Browse packages", touchpoint="Web",
                               emotion_now=-1, emotion_target=1, easy=2, user=USER)
    services.add_step(session, stage_id=offer.id, name="Call sales", user=USER)
    slow = services.add_pain_point(session, step_id=browse.id, text="Prices are hard to compare", severity=4,
                                   user=USER)
    services.add_pain_point(session, step_id=browse.id, text="Site is slow", severity=2, user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="prevention", text="One comparison table",
                         user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="fix", text="Shorter terms", user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="fix", text="Chat help", user=USER)
    services.add_idea(session, step_id=browse.id, text="Live chat on the package page", user=USER)
    return journey
