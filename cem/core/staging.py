"""Bulk rows for SQLite, written before the write lock and copied while
holding it.

SQLite has one writer per database, so while a large import stores its
rows every other save and sign-in waits. Binding 80,000 rows from Python
holds that lock for 0.4 s on a quiet machine and over a second on a busy
one. Instead the rows go first, with ids counted from 1, into a private
SQLite file that nobody waits for. Under the lock, one INSERT … SELECT per
table copies them in SQLite's own code, with every id and parent id shifted
past the table's largest id: some four times faster, and still one
transaction, so readers see all of the new rows or none.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from contextlib import closing, contextmanager
from itertools import chain, islice
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from sqlalchemy import Table, func, select, text
from sqlmodel import Session

from cem.core.db import STAGING_OPTION


class Level(NamedTuple):
    """One table's new rows: each is (id, parent id, *values of `columns`),
    ids counted from 1 in this level and the parent's."""

    table: Table
    parent_column: str
    columns: list[str]
    rows: Iterable[tuple]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


PREFIX, SUFFIX = "cem-import-", ".sqlite"
STALE_AFTER_S = 24 * 3600  # left behind by a process that was killed while importing


def _remove_stale_files() -> None:
    folder, now = Path(tempfile.gettempdir()), time.time()
    for stale in folder.glob(f"{PREFIX}*{SUFFIX}"):
        try:
            if now - stale.stat().st_mtime > STALE_AFTER_S:
                stale.unlink()
        except OSError:  # another process's, or gone already
            pass


@contextmanager
def staged(session: Session, levels: list[Level]) -> Iterator[None]:
    """Write `levels` to a private file, which the session's next write
    attaches as "staging" (see cem.core.db); the file goes afterwards."""
    _remove_stale_files()
    handle, path = tempfile.mkstemp(prefix=PREFIX, suffix=SUFFIX)
    os.close(handle)
    try:
        with closing(sqlite3.connect(path)) as staging:
            staging.execute("PRAGMA journal_mode = OFF")  # a scratch file: nothing to recover
            staging.execute("PRAGMA synchronous = OFF")
            for level in levels:
                # id the rowid: the copy reads the rows in its order without sorting them.
                names = ", ".join(['"id" INTEGER PRIMARY KEY', *map(_quote, ["parent", *level.columns])])
                staging.execute(f"CREATE TABLE {_quote(level.table.name)} ({names})")
                _insert(staging, level.table.name, len(level.columns) + 2, level.rows)
            staging.commit()
        session.info[STAGING_OPTION] = path
        yield
    finally:
        session.info.pop(STAGING_OPTION, None)
        os.unlink(path)


ROWS_PER_INSERT = 100  # 100 rows of up to 9 values stay under SQLite's oldest limit of 999 parameters


def _insert(staging: sqlite3.Connection, table: str, width: int, rows: Iterable[tuple]) -> None:
    """`rows` into `table`, many to a statement: a quarter faster than one
    row to a statement for 100,000 rows, most of whose time is spent
    going from row to row."""
    per = max(1, min(ROWS_PER_INSERT, 999 // width))
    one = "(" + ", ".join("?" * width) + ")"
    rows, rest = iter(rows), []

    def chunks() -> Iterator[tuple]:
        while True:
            chunk = list(islice(rows, per))
            if len(chunk) < per:
                rest.extend(chunk)
                return
            yield tuple(chain.from_iterable(chunk))

    staging.executemany(f"INSERT INTO {_quote(table)} VALUES {', '.join([one] * per)}", chunks())
    staging.executemany(f"INSERT INTO {_quote(table)} VALUES {one}", rest)


def copy_level(session: Session, level: Level, *, parent_offset: int, filled_in: dict[str, object]) -> int:
    """Copy one staged level into its table, inside the caller's write:
    ids shifted past the table's largest, parent ids by `parent_offset`, and
    `filled_in` (column: value) the same in every row. The shift of this
    level's ids, for its children."""
    table = level.table
    offset = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
    extra = list(filled_in)
    into = ", ".join(map(_quote, ["id", level.parent_column, *level.columns, *extra]))
    values = ", ".join(["id + :offset", "parent + :parent_offset", *map(_quote, level.columns),
                        *(f":fill_{i}" for i in range(len(extra)))])
    params = {"offset": offset, "parent_offset": parent_offset,
              **{f"fill_{i}": value for i, value in enumerate(filled_in.values())}}
    session.execute(text(f"INSERT INTO main.{_quote(table.name)} ({into}) "
                         f"SELECT {values} FROM staging.{_quote(table.name)} ORDER BY id"), params)
    return offset
