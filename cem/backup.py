"""The whole database as one JSON document, and back.

An administrator downloads a backup of every table and can restore it
later: journeys and their maps, accounts, the change log and the
improvement plan. Password hashes are left out (written as "") unless the
administrator asks for them; restoring a backup without them keeps each
account's current password (matched by username), and an account the
database does not have cannot sign in with a password until the
administrator sets one. The tables are read from the SQLModel
metadata of cem.core.models, so a new table is backed up without changing this
module. Restoring replaces every row of every table with the backup's in one
transaction: all of it or nothing.

The document:

    {"format": "cem-backup", "version": 1, "schema_revision": "0004",
     "created_at": "2026-01-31T09:00:00+00:00", "created_by": "admin",
     "tables": {"journey": {"columns": ["created_at", ..., "id", ...],
                            "rows": [[...], ...]}, ...}}

Each table lists its column names once and then each row as an array in
that order, rows ordered by primary key. Datetimes are ISO 8601 strings in
UTC, dates are YYYY-MM-DD, JSON columns (the change log's old and new
values) are JSON objects. Row numbers in error messages count from 1 in a
table's "rows".

An uploaded backup is untrusted: its size, encoding (strict UTF-8), nesting
depth and number of values are checked before it is parsed, its JSON
strictly (no NaN, no key twice), and then every table, column, type, text
length, coded value, integer range (counters leave room to count on),
unique value, primary key and foreign key, and the fields people type with
the services' own rules (names, months, tiers), before anything is
written. ImportFileError (keys data.err.*) says what is wrong and where. A
backup is restored only into a database at the same schema
revision, and only if the restoring administrator stays an active
administrator in it.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON, Boolean, Date, DateTime, Float, Integer, String, Table, delete, func, insert, literal, select, text,
    update,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from cem.core import months
from cem.core import validation as v
from cem.core.auth import authorize
from cem.core.errors import ImportFileError
from cem.core.models import (
    EMOTION_MAX, EMOTION_MIN, MEASURE_KINDS, PAIN_STATUSES, PHASES, QUALITIES, RATING_MAX, RATING_MIN, ROLES,
    SEVERITY_MAX, SEVERITY_MIN, TASK_STATUSES, TEAM_ROLES, AppUser, Journey, utcnow,
)
from cem.improvement.plan import NOTE, PERSON_FIELDS, TASK_FIELDS
from cem.improvement.progress import parse_tiers
from cem.journey.services import (
    IDEA_FIELDS, JOURNEY_FIELDS, MEASURE_FIELDS, PAIN_FIELDS, STAGE_FIELDS, STEP_FIELDS, write_service,
)

FORMAT = "cem-backup"
VERSION = 1
MAX_BACKUP_BYTES = 50 * 2**20
MAX_DEPTH = 20  # nesting of arrays and objects; a backup itself needs 6 (+ the change log's values)
MAX_VALUES = 5_000_000  # every number, string, array ... in the document
MAX_DATETIME_CHARS = 64
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer
# Counters the app adds to: a restore raises every journey's revision above
# those used before, and each edit adds 1 to a version. Half the integer
# range leaves room for both.
COUNTER_MAX = 2**30 - 1
INSERT_BATCH = 1000

# Every table, parents before children (journey, stage, step, painpoint,
# measure, idea, appuser, changelog and the plan's tables): rows are inserted
# in this order and deleted in the reverse order.
# Sign-in sessions and attempts are the server's, not the team's data: a
# backup leaves them out (they hold session hashes and client addresses),
# and a restore leaves the current ones alone.
NOT_BACKED_UP = ("signinsession", "signinattempt")
TABLES: tuple[Table, ...] = tuple(t for t in SQLModel.metadata.sorted_tables if t.name not in NOT_BACKED_UP)
HEADER_KEYS = ("format", "version", "schema_revision", "created_at", "created_by", "tables")

# Coded values and number ranges the app relies on.
CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("appuser", "role"): ROLES,
    ("stage", "phase"): PHASES + ("",),
    ("painpoint", "status"): PAIN_STATUSES,
    ("measure", "kind"): MEASURE_KINDS,
    ("task", "status"): TASK_STATUSES,
    ("journeymember", "role"): TEAM_ROLES,
}
RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("painpoint", "severity"): (SEVERITY_MIN, SEVERITY_MAX),
    ("step", "emotion_now"): (EMOTION_MIN, EMOTION_MAX),
    ("step", "emotion_target"): (EMOTION_MIN, EMOTION_MAX),
    **{("step", quality): (RATING_MIN, RATING_MAX) for quality in QUALITIES},
    ("checkin", "progress"): (0, 100),
    ("commitment", "tier"): (1, 100),
    ("journey", "revision"): (1, COUNTER_MAX),
    **{(table.name, "version"): (1, COUNTER_MAX) for table in TABLES if "version" in table.columns},
    ("appuser", "failed_logins"): (0, COUNTER_MAX),
}


def _month(value: str) -> str:
    if not months.MONTH.match(value):
        raise v.FieldProblem("err.month", value=value[:20])
    return value


def _tiers(value: str) -> str:
    try:
        parse_tiers(value)
    except ValueError:
        raise v.FieldProblem("err.tiers", value=value[:40]) from None
    return value


# The services' own checks of the fields people type (names required, months
# as YYYY-MM, tiers as the plan reads them ...): a restored value the app
# could not have saved would break the pages that show it.
FIELD_CHECKS: dict[tuple[str, str], Any] = {
    **{(table, spec.name): spec.check for table, specs in (
        ("journey", JOURNEY_FIELDS), ("stage", STAGE_FIELDS), ("step", STEP_FIELDS), ("painpoint", PAIN_FIELDS),
        ("measure", MEASURE_FIELDS), ("idea", IDEA_FIELDS), ("person", PERSON_FIELDS), ("task", TASK_FIELDS))
       for spec in specs},
    ("journey", "tiers"): _tiers,
    **{key: _month for key in (("task", "start_month"), ("task", "due_month"), ("commitment", "month"),
                               ("checkin", "month"))},
    ("checkin", "note"): NOTE,
    ("checkin", "behind_reason"): NOTE,
}


@dataclass(frozen=True)
class Rule:
    """What one column accepts."""

    name: str
    kind: str  # integer, number, text, boolean, datetime, date, object
    nullable: bool
    max_length: int | None = None
    target: tuple[str, str] | None = None  # the table and column a foreign key points at
    unique: bool = False
    choices: tuple[str, ...] = ()
    low: int = INT_MIN
    high: int = INT_MAX


def _kind(column) -> str:
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    for cls, name in ((Boolean, "boolean"), (Integer, "integer"), (Float, "number"), (String, "text"),
                      (DateTime, "datetime"), (Date, "date"), (JSON, "object")):
        if isinstance(kind, cls):
            return name
    raise TypeError(f"cem.backup does not know how to check {column.table.name}.{column.name} ({column.type!r})")


def _rule(table: Table, column) -> Rule:
    key = (table.name, column.name)
    unique = list(table.primary_key.columns) == [column] or bool(column.unique) or any(
        index.unique and list(index.columns) == [column] for index in table.indexes)
    targets = [(fk.column.table.name, fk.column.name) for fk in column.foreign_keys]
    low, high = RANGES.get(key, (1 if column.primary_key else INT_MIN, INT_MAX))
    return Rule(column.name, _kind(column), bool(column.nullable) and not column.primary_key,
                getattr(column.type, "length", None), targets[0] if targets else None, unique,
                CHOICES.get(key, ()), low, high)


RULES: dict[str, dict[str, Rule]] = {
    table.name: {column.name: _rule(table, column) for column in table.columns} for table in TABLES
}
# Tables whose primary key has several columns (a meeting's attendees).
COMPOSITE_KEYS: dict[str, tuple[str, ...]] = {
    table.name: tuple(c.name for c in table.primary_key.columns) for table in TABLES
    if len(table.primary_key.columns) > 1
}


# ---------------------------------------------------------------- export


def schema_revision(session: Session) -> str | None:
    """The Alembic revision the database is at."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def export_backup(session: Session, *, user: str, with_password_hashes: bool = False) -> bytes:
    """Every row of every table as one UTF-8 JSON document (administrators
    only). Accounts' password hashes are written as "" unless
    `with_password_hashes`; a backup with them must be kept as safe as the
    database."""
    by = authorize(session, user, "backup")
    tables = {}
    for table in TABLES:
        names = [column.name for column in table.columns]
        columns = [column if (table.name, column.name) != ("appuser", "password_hash") or with_password_hashes
                   else literal("").label(column.name) for column in table.columns]
        rows = session.execute(select(*columns).order_by(*table.primary_key.columns))
        tables[table.name] = {"columns": names, "rows": [[_json_value(value) for value in row] for row in rows]}
    document = {"format": FORMAT, "version": VERSION, "schema_revision": schema_revision(session),
                "created_at": utcnow().isoformat(), "created_by": by, "tables": tables}
    written = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # A lone surrogate can only sit inside a JSON string (in the change log's
    # values); "backslashreplace" writes it as the JSON escape \udXXX.
    return written.encode("utf-8", "backslashreplace")


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# ---------------------------------------------------------------- restore


def restore_backup(session: Session, *, data: bytes, user: str) -> dict[str, int]:
    """Replace everything in the database with a backup from export_backup
    (administrators only). The whole file is checked first; then every table
    is emptied and refilled in one transaction. Returns rows per table."""
    by = authorize(session, user, "backup")  # before spending time on the file
    document = parse_backup(data)
    rows = check_backup(document, database_revision=schema_revision(session), admin=by)
    return store_backup(session, rows, revision=document["schema_revision"], user=user)


@write_service("backup")
def store_backup(session: Session, rows: dict[str, list[dict[str, Any]]], *, revision: str,
                 user: str) -> dict[str, int]:
    """Empty every table (children first) and insert the checked rows
    (parents first), all in one transaction."""
    current = schema_revision(session)
    if current != revision:
        raise ImportFileError("data.err.schema", backup=revision, database=current or "-")
    _check_admin(rows["appuser"], user)
    # Pages cache a journey's map by (journey id, revision), in every app
    # replica; restored journeys get revisions above any used before here.
    offset = (session.execute(select(func.max(Journey.revision))).scalar() or 0) + 1
    rows = {**rows, "appuser": _keep_password_hashes(session, rows["appuser"])}
    for table in reversed(TABLES):
        session.execute(delete(table))
    for table in TABLES:
        table_rows = rows[table.name]
        for start in range(0, len(table_rows), INSERT_BATCH):
            session.execute(insert(table), table_rows[start:start + INSERT_BATCH])
    session.execute(update(Journey).values(revision=Journey.revision + offset))
    if session.get_bind().dialect.name == "postgresql":
        _reset_id_sequences(session)
    session.commit()
    session.expire_all()  # objects loaded before now reload the restored rows when next used
    return {table.name: len(rows[table.name]) for table in TABLES}


def _keep_password_hashes(session: Session, accounts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Accounts restored without a password hash (a backup made without
    them) keep the hash of the account with the same username now; one the
    database does not have stays without a password, and so cannot sign in
    with one until the administrator sets it."""
    current = dict(session.execute(select(AppUser.username, AppUser.password_hash)).all())
    return [{**account, "password_hash": current.get(account["username"], "")} if not account["password_hash"]
            else account for account in accounts]


def _reset_id_sequences(session: Session) -> None:
    """New rows after a restore get ids above every restored id."""
    quote = session.get_bind().dialect.identifier_preparer.quote
    for table in TABLES:
        column = table.autoincrement_column  # None for a table without a generated id
        if column is None:
            continue
        session.execute(text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                             f"COALESCE(MAX({quote(column.name)}), 0) + 1, false) FROM {quote(table.name)}"),
                        {"table": table.name, "column": column.name})


# ---------------------------------------------------------------- reading the file

# From a quote to its closing quote, or to the end when it has none: every
# quote matches at once, so no input makes this slower than linear.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.S)
_BRACKETS = re.compile(r"[^\[\]{}]+")


def parse_backup(data: bytes) -> Any:
    """The JSON value in `data`, after checking size, encoding and shape
    limits; ImportFileError otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImportFileError("data.err.not_json")
    data = bytes(data)
    if len(data) > MAX_BACKUP_BYTES:
        raise ImportFileError("data.err.too_big", size_mb=round(len(data) / 2**20, 1),
                              max_mb=MAX_BACKUP_BYTES // 2**20)
    try:
        document = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError("data.err.encoding", position=error.start) from None
    if "\x00" in document:  # never in JSON text; typical of UTF-16
        raise ImportFileError("data.err.encoding", position=data.index(b"\x00"))
    document = document.removeprefix("\ufeff")  # a byte order mark some editors add
    _check_structure(document)
    try:
        return json.loads(document, object_pairs_hook=_object, parse_constant=_constant, parse_float=_float)
    except json.JSONDecodeError as error:
        raise ImportFileError("data.err.json_syntax", line=error.lineno, column=error.colno) from None
    except (ValueError, RecursionError):  # e.g. a number with thousands of digits
        raise ImportFileError("data.err.not_json") from None


def _check_structure(document: str) -> None:
    """Count values and measure nesting without building any object."""
    skeleton = _STRING.sub('""', document)
    values = skeleton.count(",") + skeleton.count("[") + skeleton.count("{") + 1
    if values > MAX_VALUES:
        raise ImportFileError("data.err.too_many_values", max=MAX_VALUES)
    depth = 0
    for bracket in _BRACKETS.sub("", skeleton):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise ImportFileError("data.err.too_deep", max=MAX_DEPTH)
        if depth < 0:
            return  # not JSON; the parser says where


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        key = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ImportFileError("data.err.duplicate_key", key=_short(key))
    return result


def _constant(name: str) -> float:
    raise ImportFileError("data.err.not_json")  # NaN and Infinity are not JSON


def _float(literal: str) -> float:
    number = float(literal)
    if not math.isfinite(number):  # 1e999
        raise ImportFileError("data.err.not_json")
    return number


def _short(value: Any) -> str:
    """A value as shown in a message: short, and never a whole structure."""
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return shown if len(shown) <= 40 else shown[:39] + "…"


# ---------------------------------------------------------------- checking the content


def check_backup(document: Any, *, database_revision: str | None, admin: str) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows as column -> value, ready to insert, if the whole
    backup is valid for this database and keeps `admin` an active
    administrator; ImportFileError naming table, row and column otherwise."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportFileError("data.err.not_backup")
    version = document.get("version")
    if type(version) is not int or version != VERSION:
        raise ImportFileError("data.err.version", version=_short(version), supported=VERSION)
    for key in HEADER_KEYS:
        if key not in document:
            raise ImportFileError("data.err.header", field=key)
    unknown = sorted(set(document) - set(HEADER_KEYS))
    if unknown:
        raise ImportFileError("data.err.header", field=_short(unknown[0]))
    for key in ("schema_revision", "created_by"):
        if not isinstance(document[key], str):
            raise ImportFileError("data.err.header", field=key)
    if _datetime(document["created_at"]) is None:
        raise ImportFileError("data.err.header", field="created_at")
    if document["schema_revision"] != database_revision:
        raise ImportFileError("data.err.schema", backup=_short(document["schema_revision"]),
                              database=database_revision or "-")
    tables = document["tables"]
    if not isinstance(tables, dict):
        raise ImportFileError("data.err.header", field="tables")
    for name in tables:
        if name not in RULES:
            raise ImportFileError("data.err.unknown_table", table=_short(name))
    for table in TABLES:
        if table.name not in tables:
            raise ImportFileError("data.err.missing_table", table=table.name)
    rows = {table.name: _check_table(table.name, tables[table.name]) for table in TABLES}
    _check_links(rows)
    _check_admin(rows["appuser"], admin)
    return rows


def _check_table(name: str, table: Any) -> list[dict[str, Any]]:
    rules = RULES[name]
    if not (isinstance(table, dict) and set(table) == {"columns", "rows"} and isinstance(table["columns"], list)
            and isinstance(table["rows"], list)):
        raise ImportFileError("data.err.table_shape", table=name)
    columns = table["columns"]
    for column in columns:
        if not isinstance(column, str) or column not in rules:
            raise ImportFileError("data.err.unknown_column", table=name, column=_short(column))
    if len(set(columns)) != len(columns):
        twice = next(c for i, c in enumerate(columns) if c in columns[:i])
        raise ImportFileError("data.err.column_twice", table=name, column=twice)
    for column in rules:
        if column not in columns:
            raise ImportFileError("data.err.missing_column", table=name, column=column)
    checked = []
    for number, row in enumerate(table["rows"], 1):
        if not isinstance(row, list) or len(row) != len(columns):
            raise ImportFileError("data.err.row_shape", table=name, row=number, expected=len(columns))
        checked.append({column: _check_cell(rules[column], value, name, number)
                        for column, value in zip(columns, row)})
        if name == "task" and checked[-1]["due_month"] < checked[-1]["start_month"]:
            raise _cell_problem(name, number, "due_month", checked[-1]["due_month"], "err.due_before_start")
    for rule in rules.values():
        if rule.unique:
            first: dict[Any, int] = {}
            for number, row in enumerate(checked, 1):
                value = row[rule.name]
                if value is not None and value in first:
                    raise ImportFileError("data.err.duplicate", table=name, row=number, column=rule.name,
                                          value=_short(value), first_row=first[value])
                first.setdefault(value, number)
    key = COMPOSITE_KEYS.get(name)
    if key:
        first_key: dict[tuple, int] = {}
        for number, row in enumerate(checked, 1):
            value = tuple(row[column] for column in key)
            if value in first_key:
                raise ImportFileError("data.err.duplicate", table=name, row=number, column=", ".join(key),
                                      value=", ".join(map(str, value)), first_row=first_key[value])
            first_key[value] = number
    return checked


_BAD_CHARACTERS = re.compile(r"[\x00\ud800-\udfff]")  # no database stores these in text


def _check_cell(rule: Rule, value: Any, table: str, row: int) -> Any:
    value = _check_type(rule, value, table, row)
    check = FIELD_CHECKS.get((table, rule.name))
    if check is not None and value is not None:
        try:
            check(value)
        except v.FieldProblem as problem:
            raise _cell_problem(table, row, rule.name, value, problem.code, problem.params) from None
    return value


def _cell_problem(table: str, row: int, column: str, value: Any, code: str, params=None) -> ImportFileError:
    """data.err.cell; `params` fill `code`, the problem, and may hold the value as the check shows it."""
    return ImportFileError("data.err.cell", **{"value": _short(value), **(params or {}), "table": table,
                                               "row": row, "column": column, "problem": code})


def _check_type(rule: Rule, value: Any, table: str, row: int) -> Any:
    def problem(code: str, **params) -> ImportFileError:
        return _cell_problem(table, row, rule.name, value, code, params)

    if value is None:
        if not rule.nullable:
            raise problem("data.problem.required")
        return None
    if rule.kind == "integer":
        if type(value) is not int:
            raise problem("data.problem.integer")
        if not rule.low <= value <= rule.high:
            raise problem("data.problem.int_range", min=rule.low, max=rule.high)
        return value
    if rule.kind == "text":
        if not isinstance(value, str):
            raise problem("data.problem.text")
        if _BAD_CHARACTERS.search(value):
            raise problem("data.problem.bad_characters")
        if rule.max_length is not None and len(value) > rule.max_length:
            raise problem("data.problem.too_long", max=rule.max_length, length=len(value))
        if rule.choices and value not in rule.choices:
            raise problem("data.problem.choice", options=", ".join(repr(c) for c in rule.choices))
        return value
    if rule.kind == "boolean":
        if type(value) is not bool:
            raise problem("data.problem.boolean")
        return value
    if rule.kind == "number":
        if type(value) not in (int, float):  # the parser refuses NaN and infinity
            raise problem("data.problem.number")
        return float(value)
    if rule.kind == "datetime":
        moment = _datetime(value)
        if moment is None:
            raise problem("data.problem.datetime")
        return moment
    if rule.kind == "date":
        day = _date(value)
        if day is None:
            raise problem("data.problem.date")
        return day
    if not isinstance(value, dict):  # object
        raise problem("data.problem.object")
    return value


def _datetime(value: Any) -> datetime | None:
    """An ISO 8601 string as an aware UTC datetime (no offset means UTC)."""
    if not isinstance(value, str) or len(value) > MAX_DATETIME_CHARS:
        return None
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        return None


def _date(value: Any) -> date | None:
    """A YYYY-MM-DD string as a date."""
    if not isinstance(value, str) or len(value) > MAX_DATETIME_CHARS:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_links(rows: dict[str, list[dict[str, Any]]]) -> None:
    """Every foreign key names a row of the backup."""
    targets = {rule.target for rules in RULES.values() for rule in rules.values() if rule.target}
    known = {(name, column): {row[column] for row in rows[name]} for name, column in targets}
    for table in TABLES:
        for rule in RULES[table.name].values():
            if rule.target is None:
                continue
            for number, row in enumerate(rows[table.name], 1):
                value = row[rule.name]
                if value is not None and value not in known[rule.target]:
                    raise ImportFileError("data.err.dangling", table=table.name, row=number, column=rule.name,
                                          value=value, target=rule.target[0])


def _check_admin(accounts: list[dict[str, Any]], admin: str) -> None:
    """Whoever restores stays an active administrator afterwards."""
    if not any(a["username"] == admin and a["role"] == "admin" and a["active"] for a in accounts):
        raise ImportFileError("data.err.no_admin", user=admin)
