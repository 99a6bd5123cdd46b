"""Months as "YYYY-MM" strings (sortable, the same in every database), and
how a person reads them: Thai month names with Buddhist-era years in Thai."""
from __future__ import annotations

import re
from datetime import date, timedelta

from cem.core.errors import ValidationError

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


# ---------------------------------------------------------------- days, in either calendar

DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
FIRST_BUDDHIST_YEAR = 2400  # 4-digit years from here on are Buddhist era (2400 BE = 1857 CE)
YEARS = (1900, 2399)  # the Gregorian years accepted


def parse_day(text: str, *, column: str = "plan.col.date") -> date:
    """A day typed as day/month/year with a Buddhist-era year (15/12/2569)
    or a Gregorian one (15/12/2026), or as ISO 2026-12-15; "/", "." or "-"
    between the parts. Anything else is a ValidationError naming the column."""
    typed = str(text or "").strip()
    found = DAY.match(typed)
    if found:
        day, month, year = (int(part) for part in found.groups())
    else:
        found = ISO_DAY.match(typed)
        year, month, day = (int(part) for part in found.groups()) if found else (0, 0, 0)
    if year >= FIRST_BUDDHIST_YEAR:
        year -= BUDDHIST_ERA_OFFSET
    try:
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValueError(year)
        return date(year, month, day)
    except ValueError:
        raise ValidationError("err.field", column=column, problem="err.day", value=typed[:30]) from None


def day_text(day: date, lang: str) -> str:
    """15/12/2569 in Thai (Buddhist era), 15/12/2026 in English."""
    year = day.year + BUDDHIST_ERA_OFFSET if lang == "th" else day.year
    return f"{day.day:02d}/{day.month:02d}/{year}"


def day_label(day: date, lang: str) -> str:
    """"15 ธันวาคม 2569" / "15 December 2026"."""
    return f"{day.day} {label(of(day), lang)}"


def other_calendar(day: date, lang: str) -> str:
    """The same day in the other calendar, and in words: shown beside a typed date."""
    if lang == "th":
        return f"ค.ศ. {day_text(day, 'en')} · {day_label(day, 'th')}"
    return f"Buddhist era {day_text(day, 'th')} · {day_label(day, 'en')}"


def first_day(month: str) -> date:
    return date(*parts(month), 1)


def last_day(month: str) -> date:
    return first_day(add(month, 1)) - timedelta(days=1)
