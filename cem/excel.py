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
field rules as the app before anything is written.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from typing import Any, NamedTuple

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, SQLModel

from cem import validation as v
from cem.csv_export import looks_like_formula
from cem.errors import ImportFileError, ValidationError
from cem.i18n import LANGS, normalise_lang, t
from cem.models import MEASURE_KINDS, PAIN_STATUSES, PHASES, Idea, Journey, Measure, PainPoint, Stage, Step
from cem.services import (
    IDEA_FIELDS, JOURNEY_FIELDS, MEASURE_FIELDS, PAIN_FIELDS, STAGE_FIELDS, STEP_FIELDS, load_journey_tree,
    log_import, write_service,
)

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed size of one member bigger than 1 MB
MAX_ROWS = 20_000  # per sheet
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
        _put(ws.cell(row=1, column=col), t(column.key, lang)).font = bold
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for r, values in enumerate(rows, 2):
        for col, column in enumerate(sheet.columns, 1):
            value = values.get(column.field, values.get(_attribute(column)))
            if column.codes and value:
                value = t(f"excel.{column.field}.{value}", lang)
            _put(ws.cell(row=r, column=col), value)
    ws.freeze_panes = "A2"


def _put(cell, value: Any):
    """Numbers stay numbers; text is always a string cell, never a formula,
    whatever it starts with (=, +, -, @ ...). Text that looks like a formula
    also gets Excel's quote prefix (shown as a leading ' in the formula bar),
    so it stays text even after someone edits the cell; the value itself is
    unchanged."""
    if isinstance(value, str):
        cell.value = escape(value) if value else None
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


# ---------------------------------------------------------------- import


class Row(NamedTuple):
    number: int  # as Excel shows it
    refs: tuple[int, ...]
    values: dict[str, Any]


@dataclass
class Table:
    title: str
    headers: dict[str, str]  # column field -> heading as written in the file
    rows: list[Row]


def import_journey(session: Session, *, data: bytes, user: str, name: str | None = None) -> Journey:
    """A new journey from a workbook like export_journey's. Everything is
    checked first; then all rows are written and committed at once, or
    ImportFileError says what is wrong and where, and nothing is written."""
    tables = _read_tables(data, name)  # parse and check before taking the write lock
    _check_numbers(tables)
    return store_imported_journey(session, tables, user=user)


@write_service("map.edit")
def store_imported_journey(session: Session, tables: dict[str, Table], *, user: str) -> Journey:
    journey = _insert(session, tables, user)
    log_import(session, journey, user, imported=True)
    session.commit()
    return journey


def _read_tables(data: bytes, name: str | None) -> dict[str, Table]:
    book = _open_workbook(data)
    try:
        tables = {sheet.name: _read_sheet(book, sheet) for sheet in SHEETS}
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged part of the file shows only while reading it
        raise ImportFileError("excel.err.not_xlsx") from exc
    finally:
        book.close()
    _check_journey_row(tables["journey"], name)
    return tables


def _open_workbook(data: bytes):
    """Refuse files too big, not zip, or unpacking to far more than they
    are, before openpyxl parses anything."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportFileError("excel.err.too_big", size_mb=round(len(data) / 2**20, 1),
                              max_mb=MAX_UPLOAD_BYTES // 2**20)
    try:
        members = zipfile.ZipFile(BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ImportFileError("excel.err.not_xlsx") from exc
    unpacked = sum(m.file_size for m in members)
    if unpacked > MAX_UNPACKED_BYTES or any(
            m.file_size > 2**20 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members):
        raise ImportFileError("excel.err.zip_bomb")
    try:
        return openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # whatever the parser trips over, the file is unusable
        raise ImportFileError("excel.err.not_xlsx") from exc


def _find_sheet(book, sheet: Sheet):
    wanted = {_fold(t(sheet.key, lang)) for lang in LANGS}
    for ws in book.worksheets:
        if _fold(ws.title) in wanted:
            return ws
    raise ImportFileError("excel.err.missing_sheet", sheet=sheet.key)


def _fold(value: Any) -> str:
    return str(value).strip().casefold() if value is not None else ""


def _read_sheet(book, sheet: Sheet) -> Table:
    ws = _find_sheet(book, sheet)
    ws.reset_dimensions()  # do not trust the file's stated size
    lines = ws.iter_rows(min_row=1, values_only=True)
    places = _find_columns(ws.title, sheet, next(lines, ()))
    table = Table(ws.title, {field: heading for field, (_, heading) in places.items()}, [])
    for number, line in enumerate(lines, 2):
        cells = {field: line[i] if i < len(line) else None for field, (i, _) in places.items()}
        if all(v.is_blank(value) for value in cells.values()):
            continue
        if len(table.rows) >= MAX_ROWS:
            raise ImportFileError("excel.err.too_many_rows", sheet=ws.title, max=MAX_ROWS)
        table.rows.append(_read_row(sheet, table, number, cells))
    return table


def _find_columns(title: str, sheet: Sheet, header: tuple) -> dict[str, tuple[int, str]]:
    """Each column's index and heading in the first row."""
    folded = [_fold(cell) for cell in header]
    places = {}
    for column in sheet.columns:
        names = {_fold(t(column.key, lang)) for lang in LANGS}
        index = next((i for i, name in enumerate(folded) if name in names), None)
        if index is None:
            raise ImportFileError("excel.err.missing_column", sheet=title, column=column.key)
        places[column.field] = (index, str(header[index]).strip())
    return places


def _read_row(sheet: Sheet, table: Table, number: int, cells: dict[str, Any]) -> Row:
    cells = {field: unescape(value) if isinstance(value, str) else value for field, value in cells.items()}
    refs = []
    for field in sheet.refs:
        try:
            refs.append(NUMBER(cells[field]))
        except v.FieldProblem as problem:
            raise _cell_error(problem.code, problem.params, table, number, field) from None
    values = {_attribute(c): _code(c, cells[c.field]) for c in sheet.columns if c.field not in sheet.refs}
    try:
        clean = v.clean_row(values, sheet.specs, row=number)
    except ValidationError as error:
        field = next(c.field for c in sheet.columns if _attribute(c) == _spec_name(sheet, error))
        raise _cell_error(error.params["problem"], error.params, table, number, field) from None
    return Row(number, tuple(refs), clean)


def _spec_name(sheet: Sheet, error: ValidationError) -> str:
    return next(spec.name for spec in sheet.specs if spec.label == error.params["column"])


def _cell_error(problem: str, params: dict, table: Table, row: int, field: str) -> ImportFileError:
    params = {**params, "problem": problem, "sheet": table.title, "row": row, "column": table.headers[field]}
    return ImportFileError("excel.err.cell", **params)


def _code(column: Column, value: Any) -> Any:
    """A coded value from its label in either language, or the code itself."""
    if not column.codes or not isinstance(value, str):
        return value
    labels = {_fold(t(f"excel.{column.field}.{code}", lang)): code for code in column.codes for lang in LANGS}
    return labels.get(_fold(value), value)


def _check_journey_row(table: Table, name: str | None) -> None:
    """One journey, in the first row after the headings; `name` replaces its name."""
    if len(table.rows) > 1:
        raise ImportFileError("excel.err.one_journey", sheet=table.title, row=table.rows[1].number)
    row = table.rows[0] if table.rows else Row(2, (), {})
    if name is not None or not table.rows:
        values = {**row.values, "name": name}
        try:
            values = v.clean_row(values, JOURNEY_FIELDS, row=row.number)
        except ValidationError as error:
            raise _cell_error(error.params["problem"], error.params, table, row.number, "journey_name") from None
        table.rows[:] = [Row(row.number, (), values)]


def _check_numbers(tables: dict[str, Table]) -> None:
    """Every row's parent exists, and no number is used twice."""
    known: dict[str, dict[tuple[int, ...], int]] = {"journey": {(): 2}}
    for sheet in SHEETS[1:]:
        table, seen = tables[sheet.name], {}
        for row in table.rows:
            parent = sheet.parent_key(row.refs)
            if parent not in known[sheet.parent]:
                raise ImportFileError("excel.err.no_parent", sheet=table.title, row=row.number,
                                      column=table.headers[sheet.refs[len(parent) - 1]],
                                      parent=f"excel.sheet.{sheet.parent}", number=_dotted(parent))
            if sheet.numbered and row.refs in seen:
                raise ImportFileError("excel.err.duplicate", sheet=table.title, row=row.number,
                                      column=table.headers[sheet.refs[-1]], number=_dotted(row.refs),
                                      first_row=seen[row.refs])
            seen.setdefault(row.refs, row.number)
        known[sheet.name] = seen


def _dotted(numbers: tuple[int, ...]) -> str:
    return ".".join(str(n) for n in numbers)


def _insert(session: Session, tables: dict[str, Table], who: str) -> Journey:
    """Add every row; numbered rows are ordered by number, the others by row."""
    journey = Journey(**tables["journey"].rows[0].values, created_by=who, updated_by=who)
    session.add(journey)
    session.flush()
    ids = {"journey": {(): journey.id}}
    for sheet in SHEETS[1:]:
        rows = tables[sheet.name].rows
        made, positions = {}, {}
        for row in sorted(rows, key=lambda r: r.refs) if sheet.numbered else rows:
            parent = sheet.parent_key(row.refs)
            positions[parent] = positions.get(parent, 0) + 1
            item = sheet.model(**row.values, position=positions[parent], created_by=who, updated_by=who)
            setattr(item, sheet.parent_field, ids[sheet.parent][parent])
            session.add(item)
            made[row.refs] = item
        session.flush()
        ids[sheet.name] = {refs: item.id for refs, item in made.items()}
    return journey
