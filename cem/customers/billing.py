"""Importing finance's billing file: read, map the columns, check, sum up,
store in one short transaction, and undo as a whole.

The steps, as the import page takes them:

1. `read_file` reads the first sheet of an .xlsx, .xls or .ods file (see
   cem.core.sheets), or a .csv in UTF-8 (with or without a byte order mark)
   or Windows-874 / TIS-620, into headings and rows of text or cell values.
   Nothing is stored.
2. `guess_mapping` picks a column for each field from its heading, in Thai
   or English, or takes the mapping remembered for the same headings;
   `samples` shows values from non-empty rows so that the person can check
   or change every choice.
3. `check_rows` reads every row with the mapping: bills ready to store, and
   each refused row with its row, column, value and reason. A date column
   whose numbers could be day or month first (03/04) needs `date_order`.
4. `summarise` says what storing would do: customers new and existing,
   bills new and already imported, total, date range, rows refused.
5. `import_bills` stores it (or refuses while rows are refused, unless the
   person chose to import the good rows only). A bill already imported, by
   its number or, without one, by a fingerprint of its line, is skipped, so
   the same file twice does not double the revenue.
6. `undo_import` takes an import's bills away again, and the customers it
   created that nothing else uses and nobody changed: a customer with a
   contact, a complaint, a care action, VIP history, a bill of another
   import or an edited profile stays.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from itertools import compress, repeat
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import delete, func, insert, literal, select, sql, text
from sqlmodel import Session, SQLModel

from cem.core import staging
from cem.core import validation as v
from cem.core.auth import authorize
from cem.core.config import DATA_DIR
from cem.core.db import STAGING_OPTION, writes
from cem.core.errors import ImportFileError, ImportFileErrors, NotFoundError
from cem.core.memory import collector_paused
from cem.core.models import Bill, BillImport, ChangeLog, Customer, ImportMapping, utcnow
from cem.core import sheets
from cem.core.workbooks import check_size
from cem.customers.values import DAY_FIRST, ValueProblem, date_order, parse_amount, parse_date, plain_text
from cem.journey.services import write_service

MAX_ROWS = 200_000
MAX_LISTED = 50  # refused rows named in one error
HEADING_ROWS = 20  # the headings are looked for in this many first rows

# The fields of a bill line, and the headings that name each, folded
# (lower case, no spaces). The first four are required.
FIELDS = ("customer_code", "customer_name", "day", "amount", "number", "service", "quantity", "segment")
REQUIRED = FIELDS[:4]
HEADINGS: dict[str, tuple[str, ...]] = {
    "customer_code": ("รหัสลูกค้า", "รหัส", "เลขที่ลูกค้า", "customercode", "customerid", "customerno", "custcode",
                      "code", "accountno"),
    "customer_name": ("ชื่อลูกค้า", "ลูกค้า", "ชื่อ", "customername", "customer", "name", "company"),
    "day": ("วันที่", "วันที่ออกบิล", "วันที่ใบแจ้งหนี้", "วันที่ชำระ", "date", "billdate", "invoicedate", "docdate"),
    "amount": ("ยอดชำระ", "จำนวนเงิน", "ยอดเงิน", "ยอดรวม", "มูลค่า", "amount", "total", "netamount", "value"),
    "number": ("เลขที่ใบแจ้งหนี้", "เลขที่บิล", "เลขที่เอกสาร", "เลขที่ใบกำกับ", "invoiceno", "invoicenumber", "billno",
               "docno", "number"),
    "service": ("บริการ", "สินค้า", "บริการ/สินค้า", "รายการ", "service", "product", "item", "description"),
    "quantity": ("จำนวน", "ปริมาณ", "quantity", "qty"),
    "segment": ("กลุ่มลูกค้า", "กลุ่ม", "ประเภทลูกค้า", "segment", "group", "customergroup"),
}


def fold(heading: Any) -> str:
    return re.sub(r"[\s_.:()-]+", "", str(heading or "")).casefold()


class Sheet:
    """A billing file as read: its headings and its rows (values by column
    index), each row with its number in the file (the headings are row 1).

    A spreadsheet's rows are kept as columns (as the reader hands them
    over, and as checking reads them); `rows` shows them as lines."""

    def __init__(self, name: str, headings: list[str], rows: list[tuple[int, list[Any]]] | None = None, *,
                 numbers: list[int] | None = None, columns: list[list[Any]] | None = None):
        self.name, self.headings = name, headings
        if rows is not None:
            self._lines: list[tuple[int, list[Any]]] | None = list(rows)
            self.numbers = [number for number, _ in self._lines]
            self._columns: dict[int, list[Any]] = {}
        else:
            self._lines, self.numbers = None, list(numbers or [])
            self._columns = dict(enumerate(columns or []))
        # Columns read as a field while the file was read, by (column,
        # field, date order, today): see _Reading and _check_rows.
        self._converted: dict[tuple, tuple[list, list]] = {}

    @property
    def rows(self) -> Sequence[tuple[int, list[Any]]]:
        return self._lines if self._lines is not None else _Lines(self.numbers, list(self._columns.values()))

    def column(self, index: int) -> list[Any]:
        """The values of column `index` in every row, None where a row is
        shorter. Shared: not to be changed."""
        found = self._columns.get(index)
        if found is None:
            if self._lines is None:
                found = [None] * len(self.numbers)
            else:
                found = [line[index] if index < len(line) else None for _, line in self._lines]
                self._columns[index] = found
        return found

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sheet):
            return NotImplemented
        return (self.name, self.headings, list(self.rows)) == (other.name, other.headings, list(other.rows))

    def __repr__(self) -> str:
        return f"Sheet(name={self.name!r}, headings={self.headings!r}, rows={len(self.numbers)})"


class _Lines(Sequence):
    """A column-kept sheet's rows as (number, list of values), made as they are read."""

    def __init__(self, numbers: list[int], columns: list[list[Any]]):
        self._numbers, self._columns = numbers, columns

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self._numbers[index], [column[index] for column in self._columns]

    def __iter__(self) -> Iterator[tuple[int, list[Any]]]:
        for number, line in zip(self._numbers, zip(*self._columns) if self._columns else repeat(())):
            yield number, list(line)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and len(other) == len(self) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


# ---------------------------------------------------------------- 1. reading


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp874", errors="replace")  # Windows-874, a superset of TIS-620


def _csv_rows(data: bytes) -> list[list[str]]:
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:10_000], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def read_file(data: bytes, file_name: str) -> Sheet:
    """The file's first sheet: the first row with text in it gives the
    headings, the rows after it the values."""
    with collector_paused():  # see cem.core.memory
        return _read_file(data, file_name)


def _read_file(data: bytes, file_name: str) -> Sheet:
    check_size(data)
    if file_name.lower().endswith(".csv"):
        name, lines = file_name, _csv_rows(data)
        if len(lines) > MAX_ROWS + 1:
            raise ImportFileError("billing.err.too_many_rows", max=MAX_ROWS)
        filled = [i for i, line in enumerate(lines) if any(not v.is_blank(c) for c in line)]
        start = _heading_row(filled, lambda i: lines[i])
        rows = [(i + 1, lines[i]) for i in filled if i > start]
        return Sheet(name, _headings(lines[start]), rows)
    if not sheets.is_spreadsheet(data):
        raise ImportFileError("billing.err.kind", name=file_name[:100])
    reading = _Reading()
    name, skipped, columns = sheets.read_first_sheet_columns(data, max_rows=MAX_ROWS, watch=reading.start)
    height = reading.height if columns else 0
    if skipped + height > MAX_ROWS + 1:
        raise ImportFileError("billing.err.too_many_rows", max=MAX_ROWS)
    filled = _filled(reading.blank if columns else [], height)
    start, cut = reading.heading_row, 0
    if start is None:
        start = _heading_row(filled, lambda i: [column[i] for column in columns])
        headings = _headings([column[start] for column in columns])
    else:  # the columns come without the rows down to the headings (see _Reading)
        headings, cut = reading.headings, start + 1
    kept = filled[bisect_right(filled, start):]
    if len(kept) == height - start - 1:  # no blank row after the headings: no copy by row
        columns_kept = [column[start + 1 - cut:] if start + 1 - cut else column for column in columns]
        numbers = list(range(skipped + start + 2, skipped + height + 1))
    else:
        mask = [False] * (height - cut)
        for i in kept:
            mask[i - cut] = True
        columns_kept = [list(compress(column, mask)) for column in columns]
        numbers = [skipped + i + 1 for i in kept]
    sheet = Sheet(name, headings, numbers=numbers, columns=columns_kept)
    if reading.heading_row is not None and len(kept) == height - start - 1:
        sheet._converted = reading.converted
    return sheet


class _Reading:
    """What reading a spreadsheet does with each column while the child
    process makes the next (see sheets.read_first_sheet_columns): it tells
    the blank rows, and, when the first rows show the headings, cuts the
    rows down to them off the column and reads it as the field its heading
    names, for check_rows to take when the mapping is that guess (it nearly
    always is)."""

    def __init__(self) -> None:
        self.height = 0
        self.blank: list[int] | None = None  # the rows blank in every column so far; None: every row
        self.heading_row: int | None = None
        self.headings: list[str] = []
        self.guessed: dict[int, str] = {}  # column: field
        self.converted: dict[tuple, tuple[list, list]] = {}
        self.today = date.today()

    def start(self, head: list[list[Any]], height: int) -> Callable[[int, list[Any]], None]:
        self.height = height
        filled = [i for i, line in enumerate(head) if any(not v.is_blank(c) for c in line)]
        if filled and (len(filled) >= HEADING_ROWS or len(head) == height):  # the same choice as from every row
            self.heading_row = _heading_row(filled, lambda i: head[i])
            self.headings = _headings(head[self.heading_row])
            self.guessed = {column: name for name, column in _guess(self.headings).items()}
        return self.column

    def column(self, index: int, values: list[Any]) -> None:
        self.blank = _still_blank(values, self.blank)
        if self.heading_row is None:
            return
        del values[:self.heading_row + 1]  # in place: no copy of the rest
        name = self.guessed.get(index)
        if name is not None:
            order = (_date_order(values) or None) if name == "day" else None
            self.converted[(index, name, order, self.today)] = _convert(name, values, order, self.today)


def _still_blank(column: list[Any], blank: list[int] | None) -> list[int]:
    """Of the rows `blank` (None: every row), those blank (v.is_blank) in
    `column` too: most rows are told by their first cell."""
    if blank is None:
        try:  # a column of texts without an empty one fills every row
            if "" not in column and not any(map(str.isspace, column)):
                return []
        except TypeError:  # not only texts
            pass
    return [i for i in (range(len(column)) if blank is None else blank)
            if (c := column[i]).__class__ is str and (not c or c.isspace())
            or c.__class__ is not str and v.is_blank(c)]


def _filled(blank: list[int] | None, height: int) -> list[int]:
    if not blank:
        return list(range(height)) if blank is not None else []
    blank_set = set(blank)
    return [i for i in range(height) if i not in blank_set]


def _filled_rows(columns: list[list[Any]], height: int) -> list[int]:
    """The indices of the rows with a value that is not blank, column by column."""
    blank = None
    for column in columns:
        blank = _still_blank(column, blank)
        if not blank:
            break
    return _filled(blank, height)


def _heading_row(filled: list[int], line: Callable[[int], list[Any]]) -> int:
    """The headings: of the first rows, the one that names the most fields (a
    title or a report date may come first), else the first row with text."""
    if not filled:
        raise ImportFileError("billing.err.empty")
    scores = {i: len(_guess([str(c or "") for c in line(i)])) for i in filled[:HEADING_ROWS]}
    return max(scores, key=lambda i: (scores[i], -i)) if max(scores.values()) >= 2 else filled[0]


def _headings(line: list[Any]) -> list[str]:
    return [str(c).strip() if c is not None else "" for c in line]


# ---------------------------------------------------------------- 2. mapping


def headings_key(headings: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(fold(h) for h in headings).encode()).hexdigest()


def guess_mapping(session: Session, headings: list[str]) -> tuple[dict[str, int], str]:
    """For each field the index of its column (fields without one are left
    out), and the date order remembered with it ("" when none was): the
    mapping last used with the same headings, or a guess from them."""
    remembered = session.execute(select(ImportMapping).where(ImportMapping.headings_key == headings_key(headings))
                                 ).scalars().first()
    if remembered is not None:
        index = {heading: i for i, heading in enumerate(headings)}
        mapping = {f: index[h] for f, h in remembered.mapping.items() if f in FIELDS and h in index}
        return mapping, remembered.date_order
    return _guess(headings), ""


FOLDED = {name: [fold(heading) for heading in headings] for name, headings in HEADINGS.items()}


def _guess(headings: list[str]) -> dict[str, int]:
    """A column for each field whose heading names it: exact headings first,
    then headings that contain a name."""
    folded = [fold(h) for h in headings]
    mapping: dict[str, int] = {}
    for exact in (True, False):
        for name in FIELDS:
            if name in mapping:
                continue
            for wanted in FOLDED[name]:
                hit = next((i for i, h in enumerate(folded) if h and (h == wanted if exact else wanted in h)
                            and i not in mapping.values()), None)
                if hit is not None:
                    mapping[name] = hit
                    break
    return mapping


def shown(value: Any) -> str:
    """A cell's value as the person would recognise it: 1500 not 1500.0,
    2024-01-15 not 2024-01-15 00:00:00."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    return str(value)


def samples(sheet: Sheet, column: int, count: int = 3) -> list[str]:
    """Up to `count` values of a column, from rows where it is not empty."""
    found = []
    for value in sheet.column(column):
        if not v.is_blank(value):
            found.append(shown(value)[:60])
            if len(found) == count:
                break
    return found


# ---------------------------------------------------------------- 3. checking


@dataclass(frozen=True)
class ReadyBill:
    row: int
    customer_code: str
    customer_name: str
    segment: str
    day: date
    amount_satang: int
    number: str
    service: str
    quantity: float | None
    key: str


READY = tuple(ReadyBill.__dataclass_fields__)  # the columns of Checked.columns, in this order


@dataclass(frozen=True)
class Refusal:
    row: int
    column: str  # the heading, or the field's name when the column is missing
    value: str
    code: str
    params: dict = field(default_factory=dict)  # for the code's message, such as a limit


@dataclass
class Checked:
    """The rows read with a mapping: the bills ready to store, kept by
    column in `columns` (one list per field of ReadyBill, as checking makes
    and storing reads them; `bills` gives them as ReadyBill), and each
    refusal."""

    sheet_name: str
    headings: list[str]
    mapping: dict[str, int]
    date_order: str
    rows_read: int
    refused: list[Refusal] = field(default_factory=list)
    columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in READY}, repr=False)
    _made: dict = field(default_factory=dict, repr=False, compare=False)  # what storing derives, made once

    @property
    def bills(self) -> list[ReadyBill]:
        return [ReadyBill(*values) for values in zip(*(self.columns[name] for name in READY))]

    @property
    def bills_count(self) -> int:
        return len(self.columns["key"])


def needs_date_order(sheet: Sheet, mapping: dict[str, int]) -> bool:
    """Whether the date column's numbers could be day or month first in every
    row, so that the person must say which."""
    column = mapping.get("day")
    if column is None:
        return False
    return _date_order(sheet.column(column)) is None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a code typed as a number in Excel: 1001.0 is 1001
    return plain_text(str(value)) if isinstance(value, (int, float)) else str(value).strip()


def _satang(amount: Decimal) -> int:
    satang = amount * 100
    if satang != satang.to_integral_value():
        raise ValueProblem("billing.problem.fraction_of_satang", value=str(amount))
    if abs(satang) >= 10**15:
        raise ValueProblem("billing.problem.too_large", value=str(amount))
    return int(satang)


def check_rows(sheet: Sheet, mapping: dict[str, int], *, order: str | None = None,
               today: date | None = None) -> Checked:
    """Every row read with `mapping`; `order` is the date column's order of
    day and month (found from the values when they tell, see needs_date_order)."""
    with collector_paused():  # see cem.core.memory
        return _check_rows(sheet, mapping, order, today)


def _check_rows(sheet: Sheet, mapping: dict[str, int], order: str | None, today: date | None) -> Checked:
    missing = [name for name in REQUIRED if name not in mapping]
    if missing:
        raise ImportFileErrors([ImportFileError("billing.err.no_column", field=f"billing.field.{name}")
                                for name in missing], len(missing))
    order = order or _date_order(sheet.column(mapping["day"])) or None
    numbers = sheet.numbers
    checked = Checked(sheet.name, sheet.headings, dict(mapping), order or "", len(numbers))
    today = today or date.today()
    # Column by column (a large import reads 100,000 rows of each): the
    # usual cells by the fast paths of _convert, the others by _value.
    values: dict[str, list] = {}
    problems: dict[int, list[Refusal]] = {}
    for name in FIELDS:
        if name not in mapping:
            continue
        raw = sheet.column(mapping[name])
        heading = sheet.headings[mapping[name]]
        ready = sheet._converted.get((mapping[name], name, order if name == "day" else None, today))
        values[name], failed = (list(ready[0]), ready[1]) if ready else _convert(name, raw, order, today)
        for i, problem in failed:
            problems.setdefault(i, []).append(Refusal(numbers[i], heading, shown(raw[i])[:60] if raw[i] is not None
                                                      else "", problem.code, problem.params))
    checked.refused = [refusal for i in sorted(problems) for refusal in problems[i]]
    good = len(numbers) - len(problems)
    if problems:
        mask = [i not in problems for i in range(len(numbers))]
        numbers = list(compress(numbers, mask))
        values = {name: list(compress(column, mask)) for name, column in values.items()}
    for name in FIELDS:
        if name not in values:  # no column: its empty value in every row
            values[name] = [_value(name, None, order, today)] * good
    columns = {"row": list(numbers), "customer_code": values["customer_code"], "customer_name": values["customer_name"],
               "segment": values["segment"], "day": values["day"], "amount_satang": values["amount"],
               "number": values["number"], "service": values["service"], "quantity": values["quantity"]}
    columns["key"] = _keys(columns)
    checked.columns = columns
    return checked


LIMITS = {"customer_code": 50, "customer_name": 200, "number": 100, "service": 200, "segment": 100}
_SLOW = object()  # a cell the fast paths leave to _value


def _convert(name: str, raw: list[Any], order: str | None, today: date) -> tuple[list[Any], list[tuple[int, ValueProblem]]]:
    """The values of one column read as field `name`, and the problems by
    row index (those rows' values are None). The comprehensions take what
    spreadsheets mostly hold and give exactly what _value gives for it;
    every other cell goes to _value, once for each distinct value."""
    if name == "day":
        out = [x if x.__class__ is date else x.date() if x.__class__ is datetime else _SLOW for x in raw]
    elif name == "amount":
        # A float is a whole number of satang when its value times 100,
        # rounded, divided by 100 gives it back: then that number is what
        # Decimal(str(x)) * 100 is (below 10**13 baht a float is closer than
        # a satang to only one such number).
        out = [n if (kind := x.__class__) is float and -1e13 < x < 1e13 and (n := round(x * 100)) / 100 == x
               else x * 100 if kind is int and -10**13 < x < 10**13 else _SLOW for x in raw]
    elif name == "quantity":
        out = [x if (kind := x.__class__) is float and -math.inf < x < math.inf else float(x) if kind is int
               else None if x is None or x == "" else _SLOW for x in raw]
    else:
        limit, required = LIMITS[name], name in ("customer_code", "customer_name")
        out = [t if x.__class__ is str and ((t := x.strip()) or not required) and len(t) <= limit else _SLOW
               for x in raw]
    failed: list[tuple[int, ValueProblem]] = []
    if _SLOW in out:
        slow = [i for i, x in enumerate(out) if x is _SLOW]
        known: dict[tuple[type, Any], Any] = {}
        for i in slow:
            x = raw[i]
            try:
                memo = (x.__class__, x)
                result = known.get(memo, _SLOW)
            except TypeError:  # not hashable
                memo, result = None, _SLOW
            if result is _SLOW:
                try:
                    result = _value(name, x, order, today)
                except ValueProblem as problem:
                    result = problem
                if memo is not None:
                    known[memo] = result
            if isinstance(result, ValueProblem):
                failed.append((i, result))
                out[i] = None
            else:
                out[i] = result
    return out, failed


def _date_order(column: list[Any]) -> str | None:
    """date_order of a column; a column without a text needs no reading."""
    if not any(issubclass(kind, str) for kind in set(map(type, column))):
        return DAY_FIRST
    return date_order(column)


def _value(name: str, raw: Any, order: str | None, today: date | None) -> Any:
    """One cell read as field `name`: the rules (see _convert for the usual cells)."""
    if name == "day":
        day = parse_date(raw, order=order, today=today)
        if day is None:
            raise ValueProblem("billing.problem.required", value="")
        return day
    if name == "amount":
        amount = parse_amount(raw)
        if amount is None:
            raise ValueProblem("billing.problem.required", value="")
        return _satang(amount)
    if name == "quantity":
        amount = parse_amount(raw)
        return None if amount is None else float(amount)
    text = _text(raw)
    if name in ("customer_code", "customer_name") and not text:
        raise ValueProblem("billing.problem.required", value="")
    limit = LIMITS[name]
    if len(text) > limit:
        raise ValueProblem("billing.problem.too_long", value=text[:40], max=limit)
    return text


def _keys(columns: dict[str, list]) -> list[str]:
    """Each bill's key: its number, or a fingerprint of the line and how
    many times the same line came before it in this file (two equal lines
    are two bills)."""
    keys = ["n:" + number if number else "" for number in columns["number"]]
    if "" in keys:
        seen: Counter = Counter()
        lines = zip(columns["customer_code"], columns["day"], columns["amount_satang"], columns["service"],
                    columns["quantity"])
        for i, (code, day, amount, service, quantity) in enumerate(lines):
            if not keys[i]:
                line = f"{code}\x1f{day}\x1f{amount}\x1f{service}\x1f{quantity}"
                seen[line] += 1
                keys[i] = "f:" + hashlib.sha256(f"{line}\x1f{seen[line]}".encode()).hexdigest()[:40]
    return keys


# ---------------------------------------------------------------- 4. the summary


@dataclass(frozen=True)
class Summary:
    rows_read: int
    rows_refused: int
    customers_new: int
    customers_existing: int
    bills_new: int
    bills_already_imported: int
    total_satang: int  # of the new bills
    first_day: date | None
    last_day: date | None


def _existing_keys(session: Session, keys: list[str]) -> set[str]:
    if session.get_bind().dialect.name == "postgresql":  # one array for all: no statement of 5,000 parameters
        return set(session.connection().exec_driver_sql("SELECT key FROM bill WHERE key = ANY(%s)",
                                                        (list(keys),)).scalars())
    found: set[str] = set()
    for start in range(0, len(keys), 5_000):  # stays under every database's limit on parameters
        chunk = keys[start:start + 5_000]
        found.update(session.execute(select(Bill.key).where(Bill.key.in_(chunk))).scalars())
    return found


def _existing_codes(session: Session, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(codes)
    for start in range(0, len(ordered), 5_000):
        chunk = ordered[start:start + 5_000]
        found.update(session.execute(select(Customer.code, Customer.id).where(Customer.code.in_(chunk))).all())
    return found


def summarise(session: Session, checked: Checked) -> Summary:
    """What import_bills would do with these rows now."""
    columns = checked.columns
    keys = columns["key"]
    existing = _existing_keys(session, keys)
    new = [i for i, key in enumerate(keys) if key not in existing] if existing else range(len(keys))
    codes = set(columns["customer_code"])
    known = _existing_codes(session, codes)
    session.rollback()  # the read ends here
    days, amounts = columns["day"], columns["amount_satang"]
    if existing:
        days, amounts = [days[i] for i in new], [amounts[i] for i in new]
    return Summary(checked.rows_read, len({r.row for r in checked.refused}), len(codes - set(known)), len(known),
                   len(new), len(keys) - len(new), sum(amounts), min(days, default=None), max(days, default=None))


# ---------------------------------------------------------------- 5. storing, 6. undoing


def import_bills(session: Session, *, checked: Checked, file_name: str, user: str,
                 good_rows_only: bool = False) -> BillImport:
    """Store the checked rows in one short transaction. While rows are
    refused, ImportFileErrors names them, unless `good_rows_only`. The role
    is checked first; on SQLite the bills are staged before the write lock
    (see cem.core.staging), so that a large import holds it briefly."""
    authorize(session, user, "customers.edit")
    session.rollback()  # the check's read ends here
    if checked.refused and not good_rows_only:
        raise ImportFileErrors([ImportFileError("billing.err.row", **{**r.params, "row": r.row, "column": r.column,
                                                "value": r.value, "problem": r.code})
                                for r in checked.refused[:MAX_LISTED]],
                               len(checked.refused))
    with collector_paused():
        _unique(checked), _first_lines(checked)  # made before the write lock: storing reads them
        if session.get_bind().dialect.name != "sqlite":
            return store_bills(session, checked=checked, file_name=file_name, user=user)
        with staging.staged(session, _staged_bills(checked)):
            return store_bills(session, checked=checked, file_name=file_name, user=user)


def _unique(checked: Checked) -> dict[str, list]:
    """The checked bills by column, one per key: a later line with the same
    key wins, in the place of the first."""
    if "unique" not in checked._made:
        columns = checked.columns
        keys = columns["key"]
        if len(set(keys)) < len(keys):
            kept = list({key: i for i, key in enumerate(keys)}.values())
            columns = {name: [column[i] for i in kept] for name, column in columns.items()}
        checked._made["unique"] = columns
    return checked._made["unique"]


def _first_lines(checked: Checked) -> dict[str, tuple[str, str]]:
    """Each customer code's name and segment on its first line in the file."""
    if "first" not in checked._made:
        columns = checked.columns
        codes = columns["customer_code"]
        first = dict(zip(reversed(codes), reversed(range(len(codes)))))
        names, segments = columns["customer_name"], columns["segment"]
        checked._made["first"] = {code: (names[i], segments[i]) for code, i in first.items()}
    return checked._made["first"]


def _staged_bills(checked: Checked) -> list[staging.Level]:
    """The file's bills, one per key, as the staging file takes them; days
    as SQLAlchemy stores them in SQLite."""
    bills = _unique(checked)
    days = bills["day"]
    iso = {day: day.isoformat() for day in set(days)}
    rows = zip(range(1, len(days) + 1), repeat(0), bills["customer_code"], [iso[day] for day in days],
               bills["amount_satang"], bills["number"], bills["service"], bills["quantity"], bills["key"])
    customers = ((n, 0, code, name, segment) for n, (code, (name, segment)) in enumerate(_first_lines(checked).items(),
                                                                                      start=1))
    return [staging.Level(Bill.__table__, "customer_id",
                          ["customer_code", "day", "amount_satang", "number", "service", "quantity", "key"], rows),
            staging.Level(Customer.__table__, "", ["code", "name", "segment"], customers)]


@write_service("customers.edit")
def store_bills(session: Session, *, checked: Checked, file_name: str, user: str) -> BillImport:
    """The storing half of import_bills (call that): one transaction."""
    return _store(session, checked, file_name, user)


def _store(session: Session, checked: Checked, file_name: str, user: str) -> BillImport:
    batch = BillImport(file_name=file_name[:200], rows_read=checked.rows_read, created_by=user, updated_by=user)
    session.add(batch)
    session.flush()
    # The customers with a new bill that are not known yet are made, named
    # as on their first line, in the order of their codes; then the bills.
    # What was stored: every bill meant to be, or else as the database says.
    if session.info.get(STAGING_OPTION):
        _add_staged_customers(session, batch.id, user)
        stored = _copy_staged_bills(session, batch.id)
        batch.customers_added = _drop_unbilled(session, batch.id)
        unique = _unique(checked)
        total = sum(unique["amount_satang"]) if stored == len(unique["key"]) else None
    else:
        new = _unique(checked)
        existing = _existing_keys(session, new["key"])
        if existing:
            kept = [i for i, key in enumerate(new["key"]) if key not in existing]
            new = {name: [column[i] for i in kept] for name, column in new.items()}
        customers = _existing_codes(session, set(new["customer_code"]))
        first = _first_lines(checked)
        added = [{"code": code, "name": first[code][0], "segment": first[code][1],
                  "created_by": user, "updated_by": user, "created_by_import_id": batch.id}
                 for code in sorted(set(new["customer_code"]) - set(customers))]
        if added:
            session.execute(insert(Customer), [{**_audit_defaults(), **row} for row in added])
            customers.update(_existing_codes(session, {row["code"] for row in added}))
        batch.customers_added = len(added)
        if new["key"]:
            _insert_bills(session, batch.id, customers, new)
        stored, total = len(new["key"]), sum(new["amount_satang"])
    if total is None:
        stored, total = session.execute(select(func.count(), func.coalesce(func.sum(Bill.amount_satang), 0))
                                        .where(Bill.import_id == batch.id)).one()
    batch.bills_added, batch.total_satang = int(stored), int(total)  # PostgreSQL's SUM is a Decimal
    batch.bills_skipped = checked.bills_count - batch.bills_added
    _remember_mapping(session, checked, user)
    session.add(ChangeLog(user=user, item_type="billimport", item_id=batch.id, action="create",
                          new={"file_name": batch.file_name, "bills": batch.bills_added,
                               "skipped": batch.bills_skipped, "customers": batch.customers_added,
                               "total_satang": batch.total_satang}))
    session.commit()
    return batch


STAGED_CUSTOMERS = sql.table("customer", *map(sql.column, ("code", "name", "segment")), schema="staging")


def _add_staged_customers(session: Session, import_id: int, user: str) -> None:
    """Every staged customer whose code is not known yet, added in
    SQLite's own code in the order of the codes (see _drop_unbilled)."""
    values = {**_audit_defaults(), "created_by": user, "updated_by": user, "created_by_import_id": import_id,
              "vip": False, "vip_hand": "", "service_style": "", "service_tags": ""}
    columns = Customer.__table__.c
    made = select(*(literal(value, columns[name].type) for name, value in values.items()),
                  STAGED_CUSTOMERS.c.code, STAGED_CUSTOMERS.c.name, STAGED_CUSTOMERS.c.segment).where(
        STAGED_CUSTOMERS.c.code.not_in(select(Customer.code))).order_by(STAGED_CUSTOMERS.c.code)
    session.execute(insert(Customer).from_select([*values, "code", "name", "segment"], made))


def _drop_unbilled(session: Session, import_id: int) -> int:
    """The customers just added whose every bill was imported before go
    again (one probe each, where finding those with a new bill first would
    go through every staged bill twice); how many stay."""
    made = Customer.created_by_import_id == import_id
    session.execute(delete(Customer).where(made, ~select(Bill.id).where(Bill.customer_id == Customer.id).exists()))
    return session.execute(select(func.count()).select_from(Customer).where(made)).scalar_one()


COPY_CACHE_KIB = 64 * 1024  # SQLite's page cache while copying (its default is 2 MiB)


def _copy_staged_bills(session: Session, import_id: int) -> int:
    """The staged bills not imported before, copied in SQLite's own code
    under the write lock (see cem.core.staging), each with its customer.
    A larger page cache for the copy keeps the pages of the bill table's
    six B-trees in memory while it writes into all of them: a quarter less
    time holding the lock for 100,000 bills. How many were copied."""
    connection = session.connection()
    cache = connection.exec_driver_sql("PRAGMA main.cache_size").scalar_one()
    connection.exec_driver_sql(f"PRAGMA main.cache_size = {-COPY_CACHE_KIB}")
    try:
        return connection.execute(text(
            "INSERT INTO main.bill (import_id, customer_id, day, amount_satang, number, service, quantity, key) "
            "SELECT :import_id, c.id, b.day, b.amount_satang, b.number, b.service, b.quantity, b.key "
            "FROM staging.bill b JOIN main.customer c ON c.code = b.customer_code "
            "WHERE b.key NOT IN (SELECT key FROM main.bill) ORDER BY b.id"), {"import_id": import_id}).rowcount
    finally:
        connection.exec_driver_sql(f"PRAGMA main.cache_size = {int(cache)}")


BILL_COLUMNS = ("import_id", "customer_id", "day", "amount_satang", "number", "service", "quantity", "key")


def _insert_bills(session: Session, import_id: int, customers: dict[str, int], bills: dict[str, list]) -> None:
    """The bills (by column) through the driver, in this transaction: on
    PostgreSQL with COPY (a sixth of the time of executemany), else with
    executemany; the ORM's bulk insert spends three quarters of a large
    import building and checking parameters the checks above have already
    made plain."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        rows = zip(repeat(import_id), [customers[code] for code in bills["customer_code"]], bills["day"],
                   bills["amount_satang"], bills["number"], bills["service"], bills["quantity"], bills["key"])
        with connection.connection.dbapi_connection.cursor() as cursor:
            with cursor.copy(f"COPY bill ({', '.join(BILL_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO bill ({', '.join(BILL_COLUMNS)}) VALUES ({', '.join([mark] * len(BILL_COLUMNS))})"
    days = bills["day"]
    rows = list(zip(repeat(import_id), [customers[code] for code in bills["customer_code"]],
                    [day.isoformat() for day in days] if sqlite else days,  # as SQLAlchemy stores it
                    bills["amount_satang"], bills["number"], bills["service"], bills["quantity"], bills["key"]))
    for start in range(0, len(rows), 20_000):
        connection.exec_driver_sql(sql, rows[start:start + 20_000])


def _audit_defaults() -> dict[str, Any]:
    now = utcnow()
    return {"created_at": now, "updated_at": now, "version": 1, "kind": "organisation", "notes": ""}


def _remember_mapping(session: Session, checked: Checked, user: str) -> None:
    key = headings_key(checked.headings)
    mapping = {name: checked.headings[i] for name, i in checked.mapping.items()}
    row = session.execute(select(ImportMapping).where(ImportMapping.headings_key == key)).scalars().first()
    if row is None:
        session.add(ImportMapping(headings_key=key, mapping=mapping, date_order=checked.date_order,
                                  created_by=user, updated_by=user))
    else:
        row.mapping, row.date_order, row.updated_by = mapping, checked.date_order, user


def tables_using_customers() -> list:
    """Every table with a foreign key to customer, read from the models, so
    that a table added later keeps its customers from an undo as well."""
    customer = Customer.__table__
    return [table for table in SQLModel.metadata.sorted_tables
            if table is not customer and any(key.column.table is customer for key in table.foreign_keys)]


def _unused_customers(session: Session, import_id: int) -> list[int]:
    """The customers the import created that nothing uses (no bill, no row
    of any table pointing at them) and nobody changed (version 1): an undo
    must never take away what people did on a customer. Asked table by
    table for lists of ids, a plan that stale statistics cannot turn into
    one probe of every table per pair of customers."""
    unused = set(session.execute(select(Customer.id).where(Customer.created_by_import_id == import_id,
                                                           Customer.version == 1)).scalars())
    for table in tables_using_customers():
        for key in table.foreign_keys:
            if key.column.table is Customer.__table__ and unused:
                for chunk in _chunks(sorted(unused)):
                    unused.difference_update(session.execute(select(key.parent).where(key.parent.in_(chunk))
                                                             .distinct()).scalars())
    return sorted(unused)


def _chunks(values: list, size: int = 5_000) -> Iterator[list]:
    """`values` in lists that stay under every database's limit on parameters."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


@write_service("customers.edit")
def undo_import(session: Session, *, import_id: int, user: str) -> dict[str, int]:
    """Take an import's bills away, and the customers it created that
    nothing else uses and nobody changed; logged. How many bills and
    customers went, and how many customers it created stay."""
    batch = session.get(BillImport, import_id)
    if batch is None:
        raise NotFoundError("err.not_found", item="item.billimport", id=import_id)
    bills = session.execute(select(func.count()).select_from(Bill).where(Bill.import_id == import_id)).scalar_one()
    created = session.execute(select(func.count()).select_from(Customer)
                              .where(Customer.created_by_import_id == import_id)).scalar_one()
    session.execute(delete(Bill).where(Bill.import_id == import_id))
    customers = 0
    for chunk in _chunks(_unused_customers(session, import_id)):
        customers += session.execute(delete(Customer).where(Customer.id.in_(chunk))).rowcount
    counts = {"bills": bills, "customers": customers, "customers_kept": created - customers}
    session.add(ChangeLog(user=user, item_type="billimport", item_id=import_id, action="delete",
                          old={"file_name": batch.file_name, **counts}))
    session.delete(batch)
    session.commit()
    return counts


def list_imports(session: Session) -> list[BillImport]:
    """Every billing import still in place, the latest first."""
    return list(session.execute(select(BillImport).order_by(BillImport.id.desc())).scalars())


SAMPLE = DATA_DIR / "samples" / "billing_sample.xlsx"


@writes
def _store_as_the_app(session: Session, *, checked: Checked, file_name: str) -> BillImport:
    return _store(session, checked, file_name, "system")


def seed_sample_billing(session: Session) -> BillImport | None:
    """The sample workspace's bills (data/samples/billing_sample.xlsx, its
    good rows), imported by the app itself on first start when there are no
    bills yet, so that a newcomer sees the 20:80 analysis at once."""
    if session.execute(select(Bill.id).limit(1)).first() is not None or not SAMPLE.exists():
        session.rollback()
        return None
    checked = _sample_rows(SAMPLE.stat().st_mtime)
    if session.get_bind().dialect.name != "sqlite":
        return _store_as_the_app(session, checked=checked, file_name=SAMPLE.name)
    with staging.staged(session, _staged_bills(checked)):
        return _store_as_the_app(session, checked=checked, file_name=SAMPLE.name)


@lru_cache(maxsize=1)
def _sample_rows(_modified: float) -> Checked:
    """The sample read and checked once per process (0.7 s; storing takes
    0.15 s): every new workspace of a test run or a server seeds the same."""
    sheet = read_file(SAMPLE.read_bytes(), SAMPLE.name)
    return check_rows(sheet, _guess(sheet.headings))
