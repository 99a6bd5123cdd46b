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
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, text
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
from cem.customers.values import ValueProblem, date_order, parse_amount, parse_date, plain_text
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


@dataclass
class Sheet:
    """A billing file as read: its headings and its rows (values by column
    index), each row with its number in the file (the headings are row 1)."""

    name: str
    headings: list[str]
    rows: list[tuple[int, list[Any]]]


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
    elif sheets.is_spreadsheet(data):
        name, lines = sheets.read_first_sheet(data, max_rows=MAX_ROWS)
    else:
        raise ImportFileError("billing.err.kind", name=file_name[:100])
    if len(lines) > MAX_ROWS + 1:
        raise ImportFileError("billing.err.too_many_rows", max=MAX_ROWS)
    filled = [i for i, line in enumerate(lines) if any(not v.is_blank(c) for c in line)]
    if not filled:
        raise ImportFileError("billing.err.empty")
    # The headings: of the first rows, the one that names the most fields (a
    # title or a report date may come first), else the first row with text.
    scores = {i: len(_guess([str(c or "") for c in lines[i]])) for i in filled[:HEADING_ROWS]}
    start = max(scores, key=lambda i: (scores[i], -i)) if max(scores.values()) >= 2 else filled[0]
    headings = [str(c).strip() if c is not None else "" for c in lines[start]]
    rows = [(number, list(line)) for number, line in enumerate(lines[start + 1:], start=start + 2)
            if any(not v.is_blank(c) for c in line)]
    return Sheet(name, headings, rows)


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


def _guess(headings: list[str]) -> dict[str, int]:
    """A column for each field whose heading names it: exact headings first,
    then headings that contain a name."""
    folded = [fold(h) for h in headings]
    mapping: dict[str, int] = {}
    for exact in (True, False):
        for name in FIELDS:
            if name in mapping:
                continue
            for wanted in map(fold, HEADINGS[name]):
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
    for _, line in sheet.rows:
        if column < len(line) and not v.is_blank(line[column]):
            found.append(shown(line[column])[:60])
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


@dataclass(frozen=True)
class Refusal:
    row: int
    column: str  # the heading, or the field's name when the column is missing
    value: str
    code: str
    params: dict = field(default_factory=dict)  # for the code's message, such as a limit


@dataclass
class Checked:
    sheet_name: str
    headings: list[str]
    mapping: dict[str, int]
    date_order: str
    rows_read: int
    bills: list[ReadyBill] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def needs_date_order(sheet: Sheet, mapping: dict[str, int]) -> bool:
    """Whether the date column's numbers could be day or month first in every
    row, so that the person must say which."""
    column = mapping.get("day")
    if column is None:
        return False
    return date_order(line[column] for _, line in sheet.rows if column < len(line)) is None


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
    column = mapping["day"]
    order = order or date_order(line[column] for _, line in sheet.rows if column < len(line)) or None
    checked = Checked(sheet.name, sheet.headings, dict(mapping), order or "", len(sheet.rows))
    today = today or date.today()
    # Only the mapped columns are read in the loop; the others take their
    # empty value once (this loop is most of a large import's checking).
    mapped = [(name, mapping[name], sheet.headings[mapping[name]]) for name in FIELDS if name in mapping]
    empty = {name: _value(name, None, order, today) for name in FIELDS if name not in mapping}
    seen: Counter = Counter()
    for number, line in sheet.rows:
        values, problems, width = dict(empty), [], len(line)
        for name, column, heading in mapped:
            raw = line[column] if column < width else None
            try:
                values[name] = _value(name, raw, order, today)
            except ValueProblem as problem:
                problems.append(Refusal(number, heading, shown(raw)[:60] if raw is not None else "", problem.code,
                                        problem.params))
        if problems:
            checked.refused.extend(problems)
            continue
        line_key = _key(values, seen)
        checked.bills.append(ReadyBill(number, values["customer_code"], values["customer_name"], values["segment"],
                                       values["day"], values["amount"], values["number"], values["service"],
                                       values["quantity"], line_key))
    return checked


LIMITS = {"customer_code": 50, "customer_name": 200, "number": 100, "service": 200, "segment": 100}


def _value(name: str, raw: Any, order: str | None, today: date | None) -> Any:
    # Fast paths for what spreadsheets mostly hold (a date cell, a number, a
    # text): this runs for every cell a large import reads.
    kind = type(raw)
    if kind is datetime and name == "day":
        return raw.date()
    if kind is str and name in LIMITS:
        text = raw.strip()
        if text and len(text) <= LIMITS[name]:
            return text
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


def _key(values: dict[str, Any], seen: Counter) -> str:
    """The bill number, or a fingerprint of the line and how many times the
    same line came before it in this file (two equal lines are two bills)."""
    if values["number"]:
        return "n:" + values["number"]
    line = "\x1f".join(str(values[name]) for name in ("customer_code", "day", "amount", "service", "quantity"))
    seen[line] += 1
    return "f:" + hashlib.sha256(f"{line}\x1f{seen[line]}".encode()).hexdigest()[:40]


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
    existing = _existing_keys(session, [b.key for b in checked.bills])
    new = [b for b in checked.bills if b.key not in existing]
    codes = {b.customer_code for b in checked.bills}
    known = _existing_codes(session, codes)
    days = [b.day for b in new]
    session.rollback()  # the read ends here
    return Summary(checked.rows_read, len({r.row for r in checked.refused}), len(codes - set(known)), len(known),
                   len(new), len(checked.bills) - len(new), sum(b.amount_satang for b in new),
                   min(days, default=None), max(days, default=None))


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
    if session.get_bind().dialect.name != "sqlite":
        return store_bills(session, checked=checked, file_name=file_name, user=user)
    with staging.staged(session, _staged_bills(checked)):
        return store_bills(session, checked=checked, file_name=file_name, user=user)


def _staged_bills(checked: Checked) -> list[staging.Level]:
    """The file's bills, one per key (a later line with the same key wins),
    as the staging file takes them; days as SQLAlchemy stores them in SQLite."""
    bills = {b.key: b for b in checked.bills}.values()
    rows = [(n, 0, b.customer_code, b.day.isoformat(), b.amount_satang, b.number, b.service, b.quantity, b.key)
            for n, b in enumerate(bills, start=1)]
    return [staging.Level(Bill.__table__, "customer_id",
                          ["customer_code", "day", "amount_satang", "number", "service", "quantity", "key"], rows)]


@write_service("customers.edit")
def store_bills(session: Session, *, checked: Checked, file_name: str, user: str) -> BillImport:
    """The storing half of import_bills (call that): one transaction."""
    return _store(session, checked, file_name, user)


def _store(session: Session, checked: Checked, file_name: str, user: str) -> BillImport:
    batch = BillImport(file_name=file_name[:200], rows_read=checked.rows_read, created_by=user, updated_by=user)
    session.add(batch)
    session.flush()
    staged = bool(session.info.get(STAGING_OPTION))
    if staged:
        new_codes = set(session.execute(text(
            "SELECT DISTINCT customer_code FROM staging.bill WHERE key NOT IN (SELECT key FROM main.bill)")).scalars())
        new = []
    else:
        existing = _existing_keys(session, [b.key for b in checked.bills])
        new = list({b.key: b for b in checked.bills if b.key not in existing}.values())
        new_codes = {b.customer_code for b in new}
    customers = _existing_codes(session, new_codes)
    first_line = {}
    for bill in checked.bills:
        first_line.setdefault(bill.customer_code, bill)
    added = [{"code": code, "name": first_line[code].customer_name, "segment": first_line[code].segment,
              "created_by": user, "updated_by": user, "created_by_import_id": batch.id}
             for code in sorted(new_codes - set(customers))]
    if added:
        session.execute(insert(Customer), [{**_audit_defaults(), **row} for row in added])
        customers.update(_existing_codes(session, {row["code"] for row in added}))
    if staged:
        _copy_staged_bills(session, batch.id)
    elif new:
        _insert_bills(session, batch.id, customers, new)
    stored, total = session.execute(
        select(func.count(), func.coalesce(func.sum(Bill.amount_satang), 0)).where(Bill.import_id == batch.id)).one()
    batch.bills_added, batch.total_satang = int(stored), int(total)  # PostgreSQL's SUM is a Decimal
    batch.bills_skipped = len(checked.bills) - batch.bills_added
    batch.customers_added = len(added)
    _remember_mapping(session, checked, user)
    session.add(ChangeLog(user=user, item_type="billimport", item_id=batch.id, action="create",
                          new={"file_name": batch.file_name, "bills": batch.bills_added,
                               "skipped": batch.bills_skipped, "customers": batch.customers_added,
                               "total_satang": batch.total_satang}))
    session.commit()
    return batch


def _copy_staged_bills(session: Session, import_id: int) -> None:
    """The staged bills not imported before, copied in SQLite's own code
    under the write lock (see cem.core.staging), each with its customer."""
    session.execute(text(
        "INSERT INTO main.bill (import_id, customer_id, day, amount_satang, number, service, quantity, key) "
        "SELECT :import_id, c.id, b.day, b.amount_satang, b.number, b.service, b.quantity, b.key "
        "FROM staging.bill b JOIN main.customer c ON c.code = b.customer_code "
        "WHERE b.key NOT IN (SELECT key FROM main.bill) ORDER BY b.id"), {"import_id": import_id})


BILL_COLUMNS = ("import_id", "customer_id", "day", "amount_satang", "number", "service", "quantity", "key")


def _insert_bills(session: Session, import_id: int, customers: dict[str, int], bills: list[ReadyBill]) -> None:
    """The bills through the driver's executemany, in this transaction: the
    ORM's bulk insert spends three quarters of a large import building and
    checking parameters the checks above have already made plain."""
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO bill ({', '.join(BILL_COLUMNS)}) VALUES ({', '.join([mark] * len(BILL_COLUMNS))})"
    rows = [(import_id, customers[b.customer_code], b.day.isoformat() if sqlite else b.day,  # as SQLAlchemy stores it
             b.amount_satang, b.number, b.service, b.quantity, b.key) for b in bills]
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


def _unused_customers(import_id: int):
    """The customers the import created that nothing uses (no bill, no row
    of any table pointing at them) and nobody changed (version 1): an undo
    must never take away what people did on a customer."""
    conditions = [Customer.created_by_import_id == import_id, Customer.version == 1]
    for table in tables_using_customers():
        for key in table.foreign_keys:
            if key.column.table is Customer.__table__:
                conditions.append(~select(1).select_from(table).where(key.parent == Customer.id).exists())
    return select(Customer.id).where(*conditions)


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
    customers = session.execute(delete(Customer).where(Customer.id.in_(_unused_customers(import_id)))).rowcount
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
