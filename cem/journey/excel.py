"""A journey map as an Excel workbook, and back.

One sheet per level: the journey itself, stages, sub-steps, pain points,
measures and ideas. A row names its parent by number (stage no., sub-step
no. within the stage, pain point no. within the sub-step), so a workbook
can be edited by hand and imported as a new journey. Sheet names, headings
and coded values (phase, status, kind) are written in one language and read
in either.

Uploaded files are untrusted: size and unpacked size are checked before the
workbook is parsed, and openpyxl parses its XML with defusedxml (installed
with the app; openpyxl uses it by itself when present), which refuses XML
entity expansion ("billion laughs"). Every value is checked with the same
field rules as the app before anything is written, and every problem found
(the first MAX_ERRORS of them, and how many more) is reported with its
sheet, row and column; a file too big to read stops at the first.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from io import BytesIO
from typing import Any, NamedTuple

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
from openpyxl.xml.functions import iterparse
from sqlmodel import Session, SQLModel, select

from cem.core import months, staging
from cem.core.memory import collector_paused
from cem.core.workbooks import MAX_UPLOAD_BYTES, check_workbook_file  # noqa: F401 (the Excel page shows the limit)
from cem.core import validation as v
from cem.core.auth import authorize
from cem.journey.csv_export import looks_like_formula
from cem.core.db import STAGING_OPTION
from cem.core.errors import ImportFileError, ImportFileErrors, ValidationError
from cem.core.i18n import LANGS, normalise_lang, t
from cem.core.models import MEASURE_KINDS, PAIN_STATUSES, PHASES, Idea, Journey, Measure, PainPoint, Stage, Step
from cem.journey.services import (
    IDEA_FIELDS, JOURNEY_FIELDS, MEASURE_FIELDS, PAIN_FIELDS, STAGE_FIELDS, STEP_FIELDS, load_journey_tree,
    log_import, write_service,
)

MAX_ROWS = 20_000  # per sheet, blank rows not counted
MAX_LINES = MAX_ROWS + 5_000  # rows in a sheet's XML, blank or not
MAX_CELLS = 2_000_000  # cells in the sheets the import reads
NUMBER = v.whole_number(1, 10_000, required=True)


@dataclass(frozen=True)
class Column:
    field: str  # model attribute, or stage_no / step_no / pain_no
    width: int = 14
    codes: tuple[str, ...] = ()  # coded values, written as labels excel.<field>.<code>

    @property
    def key(self) -> str:
        return f"excel.col.{self.field}"


@dataclass(frozen=True)
class Sheet:
    name: str
    model: type[SQLModel]
    specs: list[v.FieldSpec]
    columns: tuple[Column, ...]
    parent: str = ""  # the parent sheet's name
    parent_field: str = ""
    refs: tuple[str, ...] = ()  # number columns naming the row
    numbered: bool = False  # refs[-1] is this row's own number

    @property
    def key(self) -> str:
        return f"excel.sheet.{self.name}"

    def parent_key(self, refs: tuple[int, ...]) -> tuple[int, ...]:
        return refs[:-1] if self.numbered else refs


def _numbers(*fields: str) -> tuple[Column, ...]:
    return tuple(Column(f, 12) for f in fields)


SHORT, LONG = 30, 50
SHEETS = (
    Sheet("journey", Journey, JOURNEY_FIELDS, (Column("journey_name", SHORT), Column("description", LONG))),
    Sheet("stages", Stage, STAGE_FIELDS,
          _numbers("stage_no") + (Column("stage_name", SHORT), Column("description", LONG),
                                  Column("phase", 18, PHASES)),
          "journey", "journey_id", ("stage_no",), True),
    Sheet("steps", Step, STEP_FIELDS,
          _numbers("stage_no", "step_no") + (Column("step_name", SHORT), Column("touchpoint", SHORT))
          + tuple(Column(f) for f in ("emotion_now", "emotion_target", "easy", "convenient", "fast", "correct")),
          "stages", "stage_id", ("stage_no", "step_no"), True),
    Sheet("pains", PainPoint, PAIN_FIELDS,
          _numbers("stage_no", "step_no", "pain_no")
          + (Column("pain_point", LONG), Column("severity"), Column("status", 14, PAIN_STATUSES)),
          "steps", "step_id", ("stage_no", "step_no", "pain_no"), True),
    Sheet("measures", Measure, MEASURE_FIELDS,
          _numbers("stage_no", "step_no", "pain_no") + (Column("kind", 14, MEASURE_KINDS), Column("measure", LONG)),
          "pains", "pain_point_id", ("stage_no", "step_no", "pain_no")),
    Sheet("ideas", Idea, IDEA_FIELDS, _numbers("stage_no", "step_no") + (Column("idea", LONG),),
          "steps", "step_id", ("stage_no", "step_no")),
)
# Headings whose names differ from the model attribute.
ATTRIBUTE = {"journey_name": "name", "stage_name": "name", "step_name": "name", "pain_point": "text",
             "measure": "text", "idea": "text"}


def _attribute(column: Column) -> str:
    return ATTRIBUTE.get(column.field, column.field)


# ---------------------------------------------------------------- text that XML cannot carry

# XML cannot hold most control characters, and turns a lone CR into LF.
# OOXML writes such a character as _xHHHH_ (and a literal "_" that starts
# such a pattern as _x005F_); Excel reads them back the same way.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def escape(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


# ---------------------------------------------------------------- export


def export_journey(session: Session, *, journey_id: int, lang: str) -> bytes:
    """The journey map as .xlsx bytes, with headings in `lang`."""
    lang = normalise_lang(lang)
    rows = _tree_rows(load_journey_tree(session, journey_id))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        _write_sheet(book.create_sheet(t(sheet.key, lang)), sheet, rows[sheet.name], lang)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _tree_rows(tree) -> dict[str, list[dict[str, Any]]]:
    """Each sheet's rows: the item's fields plus its numbers."""
    rows: dict[str, list[dict[str, Any]]] = {sheet.name: [] for sheet in SHEETS}
    rows["journey"].append(tree.journey.model_dump())
    for a, stage in enumerate(tree.stages, 1):
        rows["stages"].append({**stage.stage.model_dump(), "stage_no": a})
        for b, step in enumerate(stage.steps, 1):
            rows["steps"].append({**step.step.model_dump(), "stage_no": a, "step_no": b})
            for c, pain in enumerate(step.pain_points, 1):
                numbers = {"stage_no": a, "step_no": b, "pain_no": c}
                rows["pains"].append({**pain.model_dump(), **numbers})
                rows["measures"] += [{**m.model_dump(), **numbers} for m in step.measures[pain.id]]
            rows["ideas"] += [{**idea.model_dump(), "stage_no": a, "step_no": b} for idea in step.ideas]
    return rows


def _write_sheet(ws, sheet: Sheet, rows: list[dict[str, Any]], lang: str) -> None:
    bold = Font(bold=True)
    for col, column in enumerate(sheet.columns, 1):
        write_cell(ws.cell(row=1, column=col), t(column.key, lang)).font = bold
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for r, values in enumerate(rows, 2):
        for col, column in enumerate(sheet.columns, 1):
            value = values.get(column.field, values.get(_attribute(column)))
            if column.codes and value:
                value = t(f"excel.{column.field}.{value}", lang)
            write_cell(ws.cell(row=r, column=col), value)
    ws.freeze_panes = "A2"


def write_cell(cell, value: Any):
    """Numbers stay numbers; text is always a string cell, never a formula,
    whatever it starts with (=, +, -, @ ...). Text that looks like a formula
    also gets Excel's quote prefix (shown as a leading ' in the formula bar),
    so it stays text even after someone edits the cell; the value itself is
    unchanged."""
    if isinstance(value, str) and value:
        cell.value = escape(value)
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value if value != "" else None
    return cell


# ---------------------------------------------------------------- import

MAX_ERRORS = 50  # listed at most; the rest are counted


class Problems:
    """What is wrong with an uploaded file, collected while reading it."""

    def __init__(self) -> None:
        self.errors: list[ImportFileError] = []
        self.count = 0

    def add(self, error: ImportFileError) -> None:
        self.count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)

    def raise_any(self) -> None:
        if self.count == 1:
            raise self.errors[0]
        if self.count:
            raise ImportFileErrors(self.errors, self.count)


class Row(NamedTuple):
    number: int  # as Excel shows it
    refs: tuple[int, ...]
    values: dict[str, Any]


@dataclass
class Table:
    title: str
    headers: dict[str, str]  # column field -> heading as written in the file
    rows: list[Row]
    complete: bool = True  # False when some rows could not be numbered


def import_journey(session: Session, *, data: bytes, user: str, name: str | None = None, lang: str = "th",
                   today: date | None = None) -> Journey:
    """A new journey from a workbook like export_journey's. The role is
    checked before the file is read; then everything is read and checked,
    and the rows made ready (on SQLite, staged: see cem.core.staging), outside
    the write lock; then all rows are written in one short transaction, or
    ImportFileError (ImportFileErrors for several) says what is wrong and
    where, and nothing is written. Without `name` the journey keeps the
    workbook's name with the day of the import, in `lang`, so that it is
    not mistaken for the journey it came from."""
    authorize(session, user, "map.edit")  # before spending time on the file
    session.rollback()  # the check's read ends here: no snapshot is kept open while parsing
    name = name if name is not None and name.strip() else None
    with collector_paused():  # see cem.core.memory
        problems = Problems()
        tables = _read_tables(data, name, problems)
        _check_numbers(tables, problems)
        problems.raise_any()
        dialect = session.get_bind().dialect
        ready = _ready_rows(tables, dialect)
        store = partial(store_imported_journey, session, ready, user=user, rename=name is None,
                        lang=normalise_lang(lang), today=today or date.today())
        if dialect.name != "sqlite":
            return store()
        with staging.staged(session, _levels(ready)):  # see cem.core.staging
            return store()


class Ready(NamedTuple):
    """One row ready to insert: its numbers, its parent's, its position and
    its columns (a sheet's READY_COLUMNS) as the database driver takes them."""

    refs: tuple[int, ...]
    parent: tuple[int, ...]
    position: int
    values: tuple


# What the write lock adds to each row: its parent's id and who made it.
FILLED_IN = ("created_by", "updated_by")


def _ready_columns(sheet: Sheet) -> list[str]:
    filled = {sheet.parent_field, *FILLED_IN, "id"}
    return [c.name for c in sheet.model.__table__.columns if c.name not in filled]


def _ready_rows(tables: dict[str, Table], dialect) -> dict[str, list[Ready]]:
    """Every row's columns with the model's defaults and its position,
    converted by `dialect`'s bind processors (a datetime is text in SQLite);
    numbered rows ordered by number, the others by row. Done before the
    write lock: only the ids of parents and the user are added while
    holding it."""
    ready: dict[str, list[Ready]] = {"journey": [Ready((), (), 0, (dict(tables["journey"].rows[0].values),))]}
    for sheet in SHEETS[1:]:
        defaults = {name: field.get_default(call_default_factory=True)
                    for name, field in sheet.model.model_fields.items() if not field.is_required()}
        table = sheet.model.__table__
        names = _ready_columns(sheet)
        convert = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)
                   for name in names]
        positions: dict[tuple[int, ...], int] = {}
        made = []
        rows = tables[sheet.name].rows
        for row in sorted(rows, key=lambda r: r.refs) if sheet.numbered else rows:
            parent = sheet.parent_key(row.refs)
            positions[parent] = positions.get(parent, 0) + 1
            values = {**defaults, **row.values, "position": positions[parent]}
            made.append(Ready(row.refs, parent, positions[parent],
                              tuple(f(values[name]) for f, name in zip(convert, names))))
        ready[sheet.name] = made
    return ready


def _insert_many(session: Session, sheet: Sheet, rows: list[tuple]) -> None:
    """Rows of _ready_columns + parent id + FILLED_IN in one COPY
    (PostgreSQL, psycopg: some twenty times faster than an INSERT per row)."""
    connection = session.connection()
    names = [*_ready_columns(sheet), sheet.parent_field, *FILLED_IN]
    quote = connection.dialect.identifier_preparer.quote
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(sheet.model.__tablename__)} ({', '.join(map(quote, names))}) "
                         "FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _level(sheet: Sheet, rows: list[tuple] = ()) -> staging.Level:
    return staging.Level(sheet.model.__table__, sheet.parent_field, _ready_columns(sheet), list(rows))


def _levels(rows: dict[str, list[Ready]]) -> list[staging.Level]:
    """The rows below the journey for cem.core.staging: ids from 1 in each
    level, the journey's being 1."""
    ids: dict[str, dict[tuple[int, ...], int]] = {"journey": {(): 1}}
    levels = []
    for sheet in SHEETS[1:]:
        parent_ids, own, staged = ids[sheet.parent], {}, []
        for number, row in enumerate(rows[sheet.name], start=1):
            own[row.refs] = number
            staged.append((number, parent_ids[row.parent], *row.values))
        ids[sheet.name] = own
        levels.append(_level(sheet, staged))
    return levels


@write_service("map.edit")
def store_imported_journey(session: Session, rows: dict[str, list[Ready]], *, user: str, rename: bool = False,
                           lang: str = "th", today: date | None = None) -> Journey:
    """Insert rows made ready by _ready_rows, level by level, in one
    transaction: on SQLite copied from the staging file, on PostgreSQL with
    COPY, reading back each level's ids for the next."""
    if session.get_bind().dialect.name == "sqlite" and not session.info.get(STAGING_OPTION):
        raise RuntimeError("on SQLite the rows are staged before the write lock: call import_journey")
    values = rows["journey"][0].values[0]
    if rename:
        values = {**values, "name": imported_name(session, values["name"], lang=lang, today=today or date.today())}
    journey = Journey(**values, created_by=user, updated_by=user)
    session.add(journey)
    session.flush()
    if session.info.get(STAGING_OPTION):
        offsets = {"journey": journey.id - 1}
        for sheet in SHEETS[1:]:
            offsets[sheet.name] = staging.copy_level(session, _level(sheet), parent_offset=offsets[sheet.parent],
                                                     filled_in=dict.fromkeys(FILLED_IN, user))
    else:
        _insert_levels(session, journey, rows, user)
    log_import(session, journey, user, imported=True)
    session.commit()
    return journey


def _insert_levels(session: Session, journey: Journey, rows: dict[str, list[Ready]], user: str) -> None:
    ids = {"journey": {(): journey.id}}
    scope = {"journey": select(Journey.id).where(Journey.id == journey.id)}  # the new journey's rows, level by level
    for sheet in SHEETS[1:]:
        table = sheet.model.__table__
        parent_column = table.c[sheet.parent_field]
        level, parent_ids = rows[sheet.name], ids[sheet.parent]
        if level:
            _insert_many(session, sheet, [(*row.values, parent_ids[row.parent], user, user) for row in level])
        if any(other.parent == sheet.name for other in SHEETS):  # the level below needs these ids
            scope[sheet.name] = select(table.c.id).where(parent_column.in_(scope[sheet.parent]))
            parents = {parent_id: refs for refs, parent_id in parent_ids.items()}
            refs = {(row.parent, row.position): row.refs for row in level}
            made = session.execute(select(table.c.id, parent_column, table.c.position)
                                   .where(parent_column.in_(scope[sheet.parent])))
            ids[sheet.name] = {refs[parents[parent_id], position]: new_id for new_id, parent_id, position in made}


def day_label(day: date, lang: str, *, short: bool = True) -> str:
    """1 Dec 2026 as "1 ธ.ค. 2569" (short) or "1 ธันวาคม 2569" in Thai, "1 Dec 2026" or "1 December 2026"."""
    if lang == "th":
        names = months.THAI_MONTHS_SHORT if short else months.THAI_MONTHS
        return f"{day.day} {names[day.month - 1]} {day.year + months.BUDDHIST_ERA_OFFSET}"
    name = months.ENGLISH_MONTHS[day.month - 1]
    return f"{day.day} {name[:3] if short else name} {day.year}"


def imported_name(session: Session, name: str, *, lang: str, today: date) -> str:
    """`name` with the day of the import, and a count if that is taken too;
    shortened to fit the length of a name."""
    taken = {_fold_name(other) for other in session.exec(select(Journey.name))}
    for count in itertools.count(1):
        key = "excel.imported_name" if count == 1 else "excel.imported_name_again"
        label = t(key, lang, name=name, date=day_label(today, lang), count=count)
        if len(label) > v.TEXT_SHORT:
            shorter = name[:len(name) - (len(label) - v.TEXT_SHORT)].rstrip()
            label = t(key, lang, name=shorter, date=day_label(today, lang), count=count)
        if _fold_name(label) not in taken:
            return label
    raise AssertionError("unreachable")


def _fold_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _read_tables(data: bytes, name: str | None, problems: Problems) -> dict[str, Table]:
    """Every sheet that could be read; what could not is in `problems`."""
    book = _open_workbook(data)
    tables, budget = {}, Budget()
    try:
        for sheet in SHEETS:
            table = _read_sheet(book, sheet, problems, budget)
            if table is not None:
                tables[sheet.name] = table
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged part of the file shows only while reading it
        raise ImportFileError("excel.err.not_xlsx") from exc
    finally:
        book.close()
    if "journey" in tables:
        _check_journey_row(tables["journey"], name, problems)
    return tables


def _open_workbook(data: bytes):
    """Refuse files too big, not zip, or unpacking to far more than they
    are, before openpyxl parses anything."""
    check_workbook_file(data)
    try:
        return openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # whatever the parser trips over, the file is unusable
        raise ImportFileError("excel.err.not_xlsx") from exc


def _find_sheet(book, sheet: Sheet):
    wanted = {_fold(t(sheet.key, lang)) for lang in LANGS}
    for ws in book.worksheets:
        if _fold(ws.title) in wanted:
            return ws
    return None


def _fold(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def _read_sheet(book, sheet: Sheet, problems: Problems, budget: Budget) -> Table | None:
    """The sheet's rows, or None if the sheet or one of its columns is missing."""
    ws = _find_sheet(book, sheet)
    if ws is None:
        problems.add(ImportFileError("excel.err.missing_sheet", sheet=sheet.key))
        return None
    lines = _sheet_rows(ws, budget)
    number, first = next(lines, (1, {}))
    header = tuple(first.get(column) for column in range(1, max(first, default=0) + 1)) if number == 1 else ()
    places = _find_columns(ws.title, sheet, header, problems)
    if places is None:
        return None
    table = Table(ws.title, {field: heading for field, (_, heading) in places.items()}, [])
    if number != 1:
        lines = itertools.chain([(number, first)], lines)
    for number, line in lines:
        cells = {field: line.get(i + 1) for field, (i, _) in places.items()}
        if all(v.is_blank(value) for value in cells.values()):
            continue
        if len(table.rows) >= MAX_ROWS:  # a limit on the work, so it stops the import at once
            raise ImportFileError("excel.err.too_many_rows", sheet=ws.title, max=MAX_ROWS)
        row = _read_row(sheet, table, number, cells, problems)
        if row is None:
            table.complete = False
        else:
            table.rows.append(row)
    return table


class Unreadable:
    """A cell openpyxl cannot read: an unknown type, a number that is not
    one, a shared string or date that does not exist..."""

    def __repr__(self) -> str:
        return "Unreadable"


UNREADABLE = Unreadable()


class _SheetParser(WorkSheetParser):
    """openpyxl's parser of a sheet's XML, keeping on past a cell it cannot read."""

    def parse_cell(self, element):
        try:
            return super().parse_cell(element)
        except Exception:  # the cell alone is unusable; where it is comes from its reference or its place
            try:
                row, column = coordinate_to_tuple(element.get("r") or "")
            except (TypeError, ValueError):
                row, column = self.row_counter, self.col_counter + 1
            self.col_counter = column
            return {"row": row, "column": column, "value": UNREADABLE}


@dataclass
class Budget:
    """Cells read so far in the whole workbook."""

    cells: int = 0


def _sheet_rows(ws, budget: Budget):
    """(row number, {column number: value}) for each row the sheet's XML
    holds, blank or not; counting rows and cells while the XML is read, so
    that a sheet too big stops at once (the stated dimensions are not
    trusted, and missing rows are not made up). Uses openpyxl's read-only
    worksheet internals (openpyxl 3.1, pinned in requirements.txt)."""
    with ws._get_source() as source:
        parser = _SheetParser(source, ws._shared_strings, data_only=True, epoch=ws.parent.epoch,
                              date_formats=ws.parent._date_formats,
                              timedelta_formats=ws.parent._timedelta_formats)
        lines, elements = 0, iterparse(source)
        while True:
            try:
                _, element = next(elements)
            except StopIteration:
                return
            except Exception:  # XML that is not well formed (a control character, a tag cut short ...)
                raise ImportFileError("excel.err.bad_xml", sheet=ws.title, after=parser.row_counter) from None
            if element.tag == CELL_TAG:
                budget.cells += 1
                if budget.cells > MAX_CELLS:
                    raise ImportFileError("excel.err.too_many_cells", sheet=ws.title, row=parser.row_counter + 1,
                                          max=MAX_CELLS)
            elif element.tag == ROW_TAG:
                lines += 1
                if lines > MAX_LINES:
                    raise ImportFileError("excel.err.too_many_lines", sheet=ws.title, max=MAX_LINES)
                try:
                    number, cells = parser.parse_row(element)
                except ValueError:  # a row number that is not one
                    raise ImportFileError("excel.err.bad_row", sheet=ws.title, after=parser.row_counter) from None
                element.clear()
                yield number, {cell["column"]: cell["value"] for cell in cells}


def _find_columns(title: str, sheet: Sheet, header: tuple, problems: Problems) -> dict[str, tuple[int, str]] | None:
    """Each column's index and heading in the first row, or None if any is missing."""
    folded = [_fold(cell) for cell in header]
    places = {}
    for column in sheet.columns:
        names = {_fold(t(column.key, lang)) for lang in LANGS}
        index = next((i for i, name in enumerate(folded) if name in names), None)
        if index is None:
            problems.add(ImportFileError("excel.err.missing_column", sheet=title, column=column.key))
        else:
            places[column.field] = (index, str(header[index]).strip())
    return places if len(places) == len(sheet.columns) else None


def _read_row(sheet: Sheet, table: Table, number: int, cells: dict[str, Any], problems: Problems) -> Row | None:
    """The row's numbers and clean values; every bad cell goes to `problems`.
    None when the row's numbers cannot be read."""
    cells = {field: unescape(value) if isinstance(value, str) else value for field, value in cells.items()}
    refs = []
    for field in sheet.refs:
        try:
            refs.append(_checked(NUMBER, cells[field]))
        except v.FieldProblem as problem:
            problems.add(_cell_error(problem.code, problem.params, table, number, field))
    columns = {_attribute(c): c for c in sheet.columns if c.field not in sheet.refs}
    clean = {}
    for spec in sheet.specs:
        column = columns[spec.name]
        try:
            clean[spec.name] = _checked(spec.check, _code(column, cells[column.field]))
        except v.FieldProblem as problem:
            problems.add(_cell_error(problem.code, problem.params, table, number, column.field))
    return Row(number, tuple(refs), clean) if len(refs) == len(sheet.refs) else None


def _checked(check, value: Any) -> Any:
    if value is UNREADABLE:
        raise v.FieldProblem("excel.problem.unreadable")
    return check(value)


def _cell_error(problem: str, params: dict, table: Table, row: int, field: str) -> ImportFileError:
    params = {**params, "problem": problem, "sheet": table.title, "row": row, "column": table.headers[field]}
    return ImportFileError("excel.err.cell", **params)


def _code(column: Column, value: Any) -> Any:
    """A coded value from its label in either language, or the code itself."""
    if not column.codes or not isinstance(value, str):
        return value
    labels = {_fold(t(f"excel.{column.field}.{code}", lang)): code for code in column.codes for lang in LANGS}
    return labels.get(_fold(value), value)


def _check_journey_row(table: Table, name: str | None, problems: Problems) -> None:
    """One journey, in the first row after the headings; `name` replaces its name."""
    if len(table.rows) > 1:
        problems.add(ImportFileError("excel.err.one_journey", sheet=table.title, row=table.rows[1].number))
    row = table.rows[0] if table.rows else Row(2, (), {})
    if name is not None or not table.rows:
        values = {**row.values, "name": name}
        try:
            values = v.clean_row(values, JOURNEY_FIELDS, row=row.number)
        except ValidationError as error:
            problems.add(_cell_error(error.params["problem"], error.params, table, row.number, "journey_name"))
        table.rows[:] = [Row(row.number, (), values)]


def _check_numbers(tables: dict[str, Table], problems: Problems) -> None:
    """Every row's parent exists, and no number is used twice. A sheet whose
    parent sheet is missing or has rows without numbers is not checked
    against it: its parents are not all known."""
    known: dict[str, dict[tuple[int, ...], int]] = {"journey": {(): 2}}
    for sheet in SHEETS[1:]:
        table, seen = tables.get(sheet.name), {}
        if table is None:
            continue
        parent_table = tables.get(sheet.parent)
        parents_known = sheet.parent in known and (parent_table is None or parent_table.complete)
        for row in table.rows:
            parent = sheet.parent_key(row.refs)
            if parents_known and parent not in known[sheet.parent]:
                problems.add(ImportFileError("excel.err.no_parent", sheet=table.title, row=row.number,
                                             column=table.headers[sheet.refs[len(parent) - 1]],
                                             parent=f"excel.sheet.{sheet.parent}", number=_dotted(parent)))
            if sheet.numbered and row.refs in seen:
                problems.add(ImportFileError("excel.err.duplicate", sheet=table.title, row=row.number,
                                             column=table.headers[sheet.refs[-1]], number=_dotted(row.refs),
                                             first_row=seen[row.refs]))
            seen.setdefault(row.refs, row.number)
        known[sheet.name] = seen


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)
