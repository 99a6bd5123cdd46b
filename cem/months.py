"""Months as "YYYY-MM" strings (sortable, the same in every database), and
how a person reads them: Thai month names with Buddhist-era years in Thai."""
from __future__ import annotations

import re
from datetime import date

from cem.errors import ValidationError

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
BUDDHIST_ERA_OFFSET = 543
THAI_MONTHS = ("มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม",
               "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม")
THAI_MONTHS_SHORT = ("ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December")


def check(month: str, *, column: str = "plan.col.month") -> str:
    """A valid "YYYY-MM" month, or a ValidationError naming the column."""
    text = str(month or "").strip()
    if not MONTH.match(text):
        raise ValidationError("err.field", column=column, problem="err.month", value=text[:20])
    return text


def of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def this_month() -> str:
    return of(date.today())


def parts(month: str) -> tuple[int, int]:
    year, number = month.split("-")
    return int(year), int(number)


def add(month: str, count: int) -> str:
    year, number = parts(month)
    index = year * 12 + (number - 1) + count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def previous(month: str) -> str:
    return add(month, -1)


def between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included (empty if last < first)."""
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add(month, 1)
    return months


def label(month: str, lang: str, *, short: bool = False) -> str:
    """"2026-11" as "พฤศจิกายน 2569" / "พ.ย. 69" in Thai, "November 2026" / "Nov 2026" in English."""
    year, number = parts(month)
    if lang == "th":
        buddhist = year + BUDDHIST_ERA_OFFSET
        if short:
            return f"{THAI_MONTHS_SHORT[number - 1]} {buddhist % 100:02d}"
        return f"{THAI_MONTHS[number - 1]} {buddhist}"
    name = ENGLISH_MONTHS[number - 1]
    return f"{name[:3]} {year}" if short else f"{name} {year}"
