"""Dates and amounts as Thai offices write them in billing exports.

Dates: real date cells, Excel serial numbers, ISO (2024-01-15), day and
month with slashes, dashes or dots in either era (15/01/2567, 15/01/2024,
15-1-67), and Thai or English month names (15 ม.ค. 2567, 15 มกราคม 67,
15 Jan 2024). Whether 03/04 is the 3rd of April or the 4th of March is a
property of the whole column: `date_order` finds it from the values, or
says that only the person who knows the file can tell.

Amounts: thousands separators, ฿, บาท or THB, Thai digits, and a minus sign
(before or after) or parentheses for credit notes.

Every refusal is a ValueProblem with a catalogue key, so that the import
can say which sheet, row, column and value.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from cem.core.months import BUDDHIST_ERA_OFFSET, ENGLISH_MONTHS, THAI_MONTHS, THAI_MONTHS_SHORT

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 in Excel's (Lotus') count
MAX_SERIAL = 2_958_465  # 9999-12-31
DAY_FIRST, MONTH_FIRST = "dmy", "mdy"
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2012": "-"})


class ValueProblem(ValueError):
    """A value that cannot be read: `code` is a catalogue key."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code)
        self.code, self.params = code, params


def _month_names() -> dict[str, int]:
    names = {}
    for number, (full, short, english) in enumerate(zip(THAI_MONTHS, THAI_MONTHS_SHORT, ENGLISH_MONTHS), start=1):
        for name in (full, short, short.replace(".", ""), english, english[:3]):
            names[name.casefold()] = number
    names["sept"] = 9
    return names


MONTH_NAMES = _month_names()
_NAMED = re.compile(r"(\d{1,2})\s*[-/ ]?\s*([^\d\s/-]+?)\.?\s*[-/ ]?\s*(\d{2}|\d{4})")
_NUMERIC = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def plain_text(value: str) -> str:
    """Thai digits as ASCII, one kind of minus, no spaces at the ends."""
    return value.translate(_THAI_DIGITS).translate(_MINUS_SIGNS).strip()


def _year(text: str, today: date) -> int:
    """A written year as a Christian-era year: 2567 and 2024 are the same;
    two digits are read in the era that lands nearer today (67 is 2567 BE,
    2024; 24 is 2024)."""
    year = int(text)
    if len(text) == 2:
        candidates = (2000 + year, 1900 + year, 2500 + year - BUDDHIST_ERA_OFFSET, 2400 + year - BUDDHIST_ERA_OFFSET)
        return min(candidates, key=lambda y: abs(y - today.year))
    return year - BUDDHIST_ERA_OFFSET if year > 2400 else year


def _date(year: int, month: int, day: int, raw: Any) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem("billing.problem.no_such_date", value=str(raw)[:40]) from None


def _from_serial(serial: float, raw: Any) -> date:
    if not (1 <= serial <= MAX_SERIAL) or math.isnan(serial):
        raise ValueProblem("billing.problem.not_a_date", value=str(raw)[:40])
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_date(value: Any, *, order: str | None = DAY_FIRST, today: date | None = None) -> date | None:
    """`value` as a date, None when blank. `order` is the column's order of
    day and month in numeric dates (see date_order); None when the column
    did not tell, and then a numeric date that could be either is refused."""
    today = today or date.today()
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueProblem("billing.problem.not_a_date", value=str(value))
    if isinstance(value, (int, float)):
        return _from_serial(float(value), value)
    text = _TIME.sub("", plain_text(str(value)))
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return _from_serial(float(text), value)
    if found := _ISO.fullmatch(text):
        return _date(_year(found[1], today), int(found[2]), int(found[3]), value)
    if found := _NUMERIC.fullmatch(text):
        first, second = int(found[1]), int(found[2])
        if order is None:
            if first <= 12 and second <= 12 and first != second:
                raise ValueProblem("billing.problem.day_or_month", value=str(value)[:40])
            order = DAY_FIRST if first > 12 or first == second else MONTH_FIRST
        day, month = (first, second) if order == DAY_FIRST else (second, first)
        return _date(_year(found[3], today), month, day, value)
    if found := _NAMED.fullmatch(text):
        month = MONTH_NAMES.get(found[2].strip().casefold()) or MONTH_NAMES.get(found[2].strip().casefold() + ".")
        if month is None:
            raise ValueProblem("billing.problem.not_a_date", value=str(value)[:40])
        return _date(_year(found[3], today), month, int(found[1]), value)
    raise ValueProblem("billing.problem.not_a_date", value=str(value)[:40])


def date_order(values: Iterable[Any]) -> str | None:
    """The column's order of day and month: DAY_FIRST when some numeric date
    starts with a number over 12, MONTH_FIRST when some has one in second
    place, and DAY_FIRST when no numeric date could be read either way.
    None when every numeric date could be either (03/04): the person
    importing must say."""
    day_first = month_first = either = False
    for value in values:
        if not isinstance(value, str):
            continue
        found = _NUMERIC.fullmatch(_TIME.sub("", plain_text(value)))
        if not found:
            continue
        first, second = int(found[1]), int(found[2])
        day_first |= first > 12
        month_first |= second > 12
        either |= first <= 12 and second <= 12 and first != second
    if day_first and month_first:
        return DAY_FIRST  # the column mixes both: each value that cannot be read so is refused by name
    if day_first or month_first:
        return DAY_FIRST if day_first else MONTH_FIRST
    return None if either else DAY_FIRST


_CURRENCY = re.compile(r"฿|บาท|thb|baht", re.IGNORECASE)
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+")


def parse_amount(value: Any) -> Decimal | None:
    """`value` as an amount of baht, None when blank; a credit note is
    negative: -1,234.50, 1,234.50-, (1,234.50) or ฿-1,234.50."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueProblem("billing.problem.not_an_amount", value=str(value))
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueProblem("billing.problem.not_an_amount", value=str(value))
        return Decimal(str(value))
    text = _CURRENCY.sub("", plain_text(str(value))).replace(" ", "").replace("\u00a0", "")
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    text = text.removeprefix("+")
    if not _AMOUNT.fullmatch(text):
        raise ValueProblem("billing.problem.not_an_amount", value=str(value)[:40])
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueProblem("billing.problem.not_an_amount", value=str(value)[:40]) from None
    return -amount if negative else amount
