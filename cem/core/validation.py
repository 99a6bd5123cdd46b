"""Checks for single values, shared by the services and the importers.

Each check takes a raw value (from a form, a grid cell or a spreadsheet
cell) and returns the clean value, or raises FieldProblem with a catalogue
key saying what is wrong.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable

from cem.core.errors import CemError, ValidationError

TEXT_SHORT = 200
TEXT_LONG = 2000
# NUL, and a lone surrogate (half of a UTF-16 pair), which UTF-8 cannot encode:
# no database stores them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class FieldProblem(CemError):
    """What is wrong with one value; the caller adds where it is."""


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:  # pandas.NA / NaT
        return bool(value != value)
    except (TypeError, ValueError):
        return False


def text(max_len: int, *, required: bool = False) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if is_blank(value):
            if required:
                raise FieldProblem("err.required")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a spreadsheet number typed into a text cell
        cleaned = str(value).replace("\r\n", "\n").strip()
        if _UNSTORABLE.search(cleaned):
            raise FieldProblem("err.bad_characters")
        if len(cleaned) > max_len:
            raise FieldProblem("err.too_long", max=max_len, length=len(cleaned))
        return cleaned

    return check


def whole_number(low: int, high: int, *, required: bool = False) -> Callable[[Any], int | None]:
    def check(value: Any) -> int | None:
        if is_blank(value):
            if required:
                raise FieldProblem("err.required")
            return None
        number = _as_int(value)
        if number is None or not low <= number <= high:
            raise FieldProblem("err.int_range", min=low, max=high, value=str(value)[:40])
        return number

    return check


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        stripped = value.strip().replace("+", "", 1) if value.strip().startswith("+") else value.strip()
        try:
            return int(stripped)
        except ValueError:
            try:
                as_float = float(stripped)
            except ValueError:
                return None
            return int(as_float) if as_float.is_integer() else None
    try:  # numpy integers
        return int(value) if float(value).is_integer() else None
    except (TypeError, ValueError):
        return None


def choice(options: tuple[str, ...], *, default: str | None = None) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if is_blank(value):
            if default is not None:
                return default
            raise FieldProblem("err.required")
        cleaned = str(value).strip().lower()
        if cleaned not in options:
            raise FieldProblem("err.choice", options=", ".join(o for o in options if o), value=str(value)[:40])
        return cleaned

    return check


@dataclass(frozen=True)
class FieldSpec:
    name: str  # model attribute
    label: str  # catalogue key of the column heading
    check: Callable[[Any], Any]


def clean_row(values: dict[str, Any], specs: list[FieldSpec], *, row: int | None = None,
              partial: bool = False, where: str = "") -> dict[str, Any]:
    """Check every field of one row; the first problem raises a
    ValidationError that names the row and column. With partial=True only
    fields present in `values` are checked (an edit of some cells)."""
    cleaned: dict[str, Any] = {}
    for spec in specs:
        if partial and spec.name not in values:
            continue
        try:
            cleaned[spec.name] = spec.check(values.get(spec.name))
        except FieldProblem as problem:
            raise located(problem, column=spec.label, row=row, where=where) from None
    return cleaned


def located(problem: FieldProblem, *, column: str, row: int | None, where: str = "") -> ValidationError:
    params = dict(problem.params, column=column, problem=problem.code)
    if where:
        params["where"] = where
    if row is None:
        return ValidationError("err.field", **params)
    return ValidationError("err.cell", row=row, **params)
