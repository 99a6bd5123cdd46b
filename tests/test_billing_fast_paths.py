"""The column-wise checking of a billing file gives, for every cell, what
the rules (billing._value) give for it: its fast paths only take the
usual cells sooner. And the compact hand-over of a sheet from the reading
child process gives back every value as it was, of the same type."""
from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

import pytest

from cem.core import _sheet_child, sheets
from cem.customers import billing
from cem.customers.values import DAY_FIRST, ValueProblem

TODAY = date(2026, 6, 1)


def cells(seed: int, count: int = 4000) -> list:
    rng = random.Random(seed)
    makers = [
        lambda: round(rng.uniform(-1e5, 1e5), rng.choice([0, 1, 2, 3])),
        lambda: rng.uniform(-1e6, 1e6),
        lambda: rng.choice([0.1 + 0.2, 1e13, -1e13, 9_999_999_999_999.99, 1e15, 0.005, -0.0, 1234.565, 2.675]),
        lambda: rng.choice([math.nan, math.inf, -math.inf, True, False, None, "", "   ", "\u00a0"]),
        lambda: rng.randint(-10**14, 10**14),
        lambda: rng.randint(-5, 5),
        lambda: rng.choice(["1,500.00", "(250.00)", "฿2,000", "15/01/2567", "2024-03-01", " x ", "0007", "๑๒๓"]),
        lambda: "".join(rng.choice("ab ก0") for _ in range(rng.randint(0, 240))),
        lambda: date(2024, 1, 1) + timedelta(days=rng.randint(0, 900)),
        lambda: datetime(2024, 1, 1, rng.randint(0, 23), rng.randint(0, 59)),
        lambda: rng.choice([time(9, 30), timedelta(hours=5)]),
        lambda: float(rng.randint(1, 60_000)),
    ]
    return [rng.choice(makers)() for _ in range(count)]


def by_the_rules(name: str, value, order):
    try:
        return billing._value(name, value, order, TODAY)
    except ValueProblem as problem:
        return ("refused", problem.code)


@pytest.mark.parametrize("name", billing.FIELDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_cell_reads_as_the_rules_say(name, seed):
    raw = cells(seed)
    for order in (DAY_FIRST, None):
        values, failed = billing._convert(name, raw, order, TODAY)
        problems = dict(failed)
        got = [("refused", problems[i].code) if i in problems else value for i, value in enumerate(values)]
        expected = [by_the_rules(name, value, order) for value in raw]
        for value, mine, rule in zip(raw, got, expected):
            assert (type(mine), mine) == (type(rule), rule), f"{name} of {value!r}"


@pytest.mark.parametrize("name", ["customer_code", "customer_name", "number", "service", "segment"])
@pytest.mark.parametrize("odd", [None, "", "   ", "x" * 201, " padded ", "\u00a0ก\u00a0"])
def test_a_column_of_texts_only_reads_as_the_rules_say(name, odd):
    """All texts: taken whole when every one passes, else cell by cell."""
    rng = random.Random(hash((name, odd)) & 0xFFFF)
    raw = [f"{rng.choice(['C', 'ลูกค้า ', ' '])}{n:05d}" for n in range(3000)]
    if odd is not None:
        raw[rng.randrange(len(raw))] = odd
    values, failed = billing._convert(name, raw, DAY_FIRST, TODAY)
    problems = dict(failed)
    for i, value in enumerate(raw):
        mine = ("refused", problems[i].code) if i in problems else values[i]
        assert mine == by_the_rules(name, value, DAY_FIRST), repr(value)


def test_a_whole_number_of_satang_from_a_float_is_exact():
    """Amounts as Excel keeps them, up to and past the largest allowed."""
    rng = random.Random(7)
    raw = [rng.randint(-10**15, 10**15) / 100 for _ in range(20_000)]
    raw += [rng.randint(-10**9, 10**9) / 100 + rng.choice([0, 1e-9, -1e-7, 0.001]) for _ in range(20_000)]
    values, failed = billing._convert("amount", raw, DAY_FIRST, TODAY)
    problems = dict(failed)
    for i, value in enumerate(raw):
        mine = ("refused", problems[i].code) if i in problems else values[i]
        assert mine == by_the_rules("amount", value, DAY_FIRST), repr(value)


@pytest.mark.parametrize("column", [
    ["a", "ข", "", "c\x00d", "e"],  # a text holding the separator goes as it is
    ["a", 1.5, "b", date(2024, 1, 1), None, True],
    [1.5, -0.0, math.inf, "", 2.0, 3.0],
    [date(2024, 1, 1), date(2024, 1, 1), "", datetime(2024, 1, 1, 9), date.min, date.max],
    [1, 2, 3, "", 2**70, -2**63],
    [1, 2, 3, True, False, 4],
    [time(9), timedelta(days=1), "x"],
    [],
    ["Sales", None, "Amount"] + [float(n) for n in range(100)],  # a title and the headings above the values
    ["Date"] + [date(2024, 1, 1)] * 60 + ["x"] + [date(2024, 1, 2)] * 60,
    ["Code"] + [f"{n:05d}" for n in range(100)] + [7.0],
])
def test_a_column_comes_back_from_the_child_as_it_was(column):
    back = sheets.decode_column(_sheet_child.encode_column(tuple(column)), len(column))
    assert [(type(x), x) for x in back] == [(type(x), x) for x in column] or (
        any(isinstance(x, float) and math.isnan(x) for x in column))


def test_blank_rows_are_told_column_by_column_as_cell_by_cell():
    rng = random.Random(3)
    blanks = ["", "  ", "\t", None, math.nan]
    for _ in range(200):
        height, width = rng.randint(0, 30), rng.randint(1, 4)
        columns = [[rng.choice(blanks + ["x", 0.0, date(2024, 1, 1)] if rng.random() < 0.3 else blanks)
                    for _ in range(height)] for _ in range(width)]
        expected = [i for i in range(height) if any(not billing.v.is_blank(column[i]) for column in columns)]
        assert billing._filled_rows(columns, height) == expected


def messy_workbook() -> bytes:
    import openpyxl
    from io import BytesIO

    rng = random.Random(11)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ยอดขาย"])
    sheet.append(["รหัสลูกค้า", "ชื่อลูกค้า", "วันที่", "ยอดชำระ", "เลขที่ใบแจ้งหนี้", "บริการ", "จำนวน"])
    for n in range(400):
        sheet.append([rng.choice([f"{n % 37:05d}", n % 37, "", None]),
                      rng.choice([f"ลูกค้า {n % 37}", " ", "x" * 250]),
                      rng.choice([date(2024, 1, 1) + timedelta(days=n), "03/04/2567", "31/02/2024", None,
                                  datetime(2024, 5, 1, 9, 30)]),
                      rng.choice([round(rng.uniform(-500, 5000), 2), "1,500.00", "(25.00)", "ten", 0.001, 7]),
                      rng.choice([f"INV{n}", "", None, f"INV{n % 5}"]),
                      rng.choice(["เน็ต", "", 5]),
                      rng.choice([1, 2.5, "", "x", None])])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("order", [None, "dmy", "mdy"])
def test_columns_read_while_the_file_is_read_check_as_read_afterwards(order):
    """The guessed mapping's columns are read as the child hands them over;
    checking then takes them, and gives what it gives without them."""
    sheet = billing.read_file(messy_workbook(), "messy.xlsx")
    mapping = billing._guess(sheet.headings)
    assert len(mapping) == 7 and sheet._converted  # read ahead
    ahead = billing.check_rows(sheet, mapping, order=order)
    sheet._converted = {}
    afresh = billing.check_rows(sheet, mapping, order=order)
    assert ahead.refused and ahead.bills_count
    assert (ahead.refused, ahead.columns, ahead.date_order) == (afresh.refused, afresh.columns, afresh.date_order)
    other = {**mapping, "customer_code": mapping["number"], "number": mapping["customer_code"]}
    assert billing.check_rows(billing.read_file(messy_workbook(), "messy.xlsx"), other, order=order) == \
        billing.check_rows(sheet, other, order=order)


def sheet_as_lines(data: bytes) -> billing.Sheet:
    """The sheet as reading made it from the child's rows before it took columns."""
    name, lines = sheets.read_first_sheet(data, max_rows=billing.MAX_ROWS)
    filled = [i for i, line in enumerate(lines) if any(not billing.v.is_blank(c) for c in line)]
    scores = {i: len(billing._guess([str(c or "") for c in lines[i]])) for i in filled[:billing.HEADING_ROWS]}
    start = max(scores, key=lambda i: (scores[i], -i)) if max(scores.values()) >= 2 else filled[0]
    headings = [str(c).strip() if c is not None else "" for c in lines[start]]
    rows = [(number, list(line)) for number, line in enumerate(lines[start + 1:], start=start + 2)
            if any(not billing.v.is_blank(c) for c in line)]
    return billing.Sheet(name, headings, rows)


@pytest.mark.parametrize("layout", ["plain", "blank rows", "a long preamble", "no headings", "blank first column"])
def test_a_workbook_reads_as_it_did_row_by_row(layout):
    import openpyxl
    from io import BytesIO

    book = openpyxl.Workbook()
    sheet = book.active
    if layout == "a long preamble":
        for n in range(45):
            sheet.append([f"note {n}"] if n % 2 else [])
    if layout != "no headings":
        sheet.append(["รายงาน"])
        sheet.append([None, "code", "name", "date", "amount"] if layout == "blank first column"
                     else ["code", "name", "date", "amount"])
    for n in range(120):
        if layout == "blank rows" and n % 7 == 3:
            sheet.append([None, "  ", None, ""])
        line = [f"{n:04d}", f"ลูกค้า {n}", date(2024, 1, 1) + timedelta(days=n), n * 1.25]
        sheet.append([None, *line] if layout == "blank first column" else line)
    out = BytesIO()
    book.save(out)
    read = billing.read_file(out.getvalue(), "b.xlsx")
    assert read == sheet_as_lines(out.getvalue())
    assert list(read.rows) == list(sheet_as_lines(out.getvalue()).rows) and read.numbers
    mapping = billing._guess(read.headings)
    if len(mapping) >= 4:
        assert billing.check_rows(read, mapping) == billing.check_rows(sheet_as_lines(out.getvalue()), mapping)
