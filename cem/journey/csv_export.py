"""A journey's pain points as a CSV file for spreadsheets.

One row per measure: a pain point with three measures fills three rows that
repeat its stage, sub-step, severity and status; a pain point without
measures fills one row with the measure columns empty. So the file can be
filtered and sorted in Excel without splitting cells. Numbers (the stage,
sub-step, pain point and measure numbers, and severity) are written as
plain numbers.

The file is UTF-8 with a byte order mark, so Excel shows Thai correctly,
with Windows line ends, and headings in the chosen language.

Spreadsheets run a cell as a formula when its text starts with =, +, -, @,
a tab or a carriage return, which lets a crafted pain point run commands or
leak data on the reader's computer. Such text is written with a leading
apostrophe ('), which spreadsheets show as plain text. Text that already
starts with apostrophes followed by one of those characters gets one more,
so read_neutralised() recovers every exported text exactly.

The file is written with "," between fields and every text field quoted,
but a spreadsheet set up for another list separator (";" in much of Europe,
or a tab) splits a field at that character and may open "x;=1+1" as a live
=1+1 cell; a line break inside a text may end the row for it. So the same
rule applies after every ",", ";", tab and line break inside a text, not
only at its start: "x;=1+1" is written "x;'=1+1". csv_bytes()
writes any table this way (the pain points here, the meetings too).
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any

from sqlmodel import Session

from cem.core.i18n import normalise_lang, t
from cem.journey.services import load_journey_tree

# Text a spreadsheet would run as a formula, possibly behind apostrophes we
# added, at the start of the text or after a list separator.
_PART_START = r"(^|[,;\t\r\n])"
_NEEDS_APOSTROPHE = _PART_START + r"(?='*[=+\-@\t\r])"
_ADDED_APOSTROPHE = _PART_START + r"'(?='*[=+\-@\t\r])"
_FORMULA_START = re.compile(r"[=+\-@\t\r]")

COLUMNS = ("stage_no", "stage", "phase", "step_no", "step", "pain_no", "pain_point", "severity", "status",
           "measure_no", "measure_kind", "measure")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula."""
    return bool(_FORMULA_START.match(text))


def neutralise(text: str) -> str:
    """Text that no spreadsheet runs as a formula, whatever its list
    separator; read back by read_neutralised."""
    return re.sub(_NEEDS_APOSTROPHE, r"\1'", text)


def read_neutralised(text: str) -> str:
    """The original text of a cell written by neutralise()."""
    return re.sub(_ADDED_APOSTROPHE, r"\1", text)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    return value  # numbers stay numbers


def pain_points_csv(session: Session, *, journey_id: int, lang: str) -> bytes:
    """Every pain point of the journey, one row per measure, as CSV bytes
    (UTF-8 with BOM) with headings in `lang`."""
    lang = normalise_lang(lang)
    tree = load_journey_tree(session, journey_id)
    rows: list[list[Any]] = [[t(f"data.csv.{column}", lang) for column in COLUMNS]]
    for a, stage_view in enumerate(tree.stages, 1):
        stage = stage_view.stage
        phase = t(f"phase.{stage.phase}", lang) if stage.phase else ""
        for b, step_view in enumerate(stage_view.steps, 1):
            for c, pain in enumerate(step_view.pain_points, 1):
                pain_columns = [a, stage.name, phase, b, step_view.step.name, c, pain.text, pain.severity,
                                t(f"status.{pain.status}", lang)]
                measures = step_view.measures.get(pain.id, [])
                if not measures:
                    rows.append(pain_columns + [None, None, None])
                for d, measure in enumerate(measures, 1):
                    rows.append(pain_columns + [d, t(f"kind.{measure.kind}", lang), measure.text])
    return csv_bytes(rows)


def csv_bytes(rows) -> bytes:
    """Rows as CSV for spreadsheets: UTF-8 with a byte order mark (Excel
    then shows Thai), Windows line ends, "," between fields, every text
    quoted and neutralised, numbers as plain numbers, None as empty."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
