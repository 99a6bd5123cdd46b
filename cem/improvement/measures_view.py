"""Measures at four levels as a reader sees them: each measure's name (a
computed one's in the reader's language), its latest value with its unit
and month, its target, whether it meets it and which way it moved; as
table rows for the pages and as an HTML section for the monthly report.

Each value is the measure's own: values are never added up across
measures or levels."""
from __future__ import annotations

import html
from typing import Callable

from cem.core import months
from cem.improvement.indicators import COMPUTATIONS, LevelSummary, MeasureStatus, how_key, level_key

Translate = Callable[..., str]
TREND_MARKS = {"better": "▲", "worse": "▼", "same": "＝", None: ""}


def name(indicator, tr: Translate) -> str:
    return tr(f"measure.name.{indicator.source}") if indicator.source in COMPUTATIONS else indicator.name


def unit(indicator, tr: Translate) -> str:
    return tr(f"measure.unit.{indicator.source}") if indicator.source in COMPUTATIONS else indicator.unit


def number_text(value: float | None, unit_text: str) -> str:
    if value is None:
        return "–"
    shown = f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"
    return f"{shown} {unit_text}".strip() if unit_text != "%" else f"{shown}%"


def how(indicator, tr: Translate) -> str:
    return tr(how_key(indicator.source)) if indicator.source in COMPUTATIONS else (
        indicator.description or tr("measure.how.hand"))


def row(status: MeasureStatus, tr: Translate, lang: str) -> dict:
    """One measure's line: its value against its target and its trend."""
    indicator = status.indicator
    unit_text = unit(indicator, tr)
    meets = status.meets
    return {
        "measure": name(indicator, tr),
        "value": number_text(status.latest, unit_text),
        "month": months.label(status.latest_month, lang, short=True) if status.latest_month else "",
        "target": number_text(indicator.target, unit_text) if indicator.target is not None else "",
        "meets": (tr("measure.meets") if meets else tr("measure.misses")) if meets is not None else (
            tr("measure.no_target") if status.latest is not None else tr("measure.no_value")),
        "trend": (TREND_MARKS[status.trend] + " " + tr(f"measure.trend.{status.trend}")).strip()
        if status.trend else "",
        # The small chart draws the months that have a value (it cannot draw a gap).
        "series": [value for _, value in status.series if value is not None],
        "how": how(indicator, tr),
    }


def level_title(summary: LevelSummary, tr: Translate) -> str:
    return tr(level_key(summary.level))


def report_section(summaries: list[LevelSummary], tr: Translate, lang: str) -> str:
    """The measures as an HTML section of the one-page report: a small
    table per level. Every text is escaped."""
    parts = [f"<section class=\"measures\"><h2>{html.escape(tr('measure.title'))}</h2>"]
    for summary in summaries:
        if not summary.measures:
            continue
        lines = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in (
                r["measure"], r["value"], r["month"], r["target"], r["meets"], r["trend"])) + "</tr>"
            for r in (row(status, tr, lang) for status in summary.measures))
        heads = "".join(f"<th>{html.escape(tr(key))}</th>" for key in (
            "measure.col.name", "measure.col.value", "measure.col.month", "measure.col.target", "measure.col.meets",
            "measure.col.trend"))
        parts.append(f"<h3>{html.escape(level_title(summary, tr))}</h3><table><tr>{heads}</tr>{lines}</table>")
    parts.append(f"<p class=\"note\">{html.escape(tr('measure.not_added'))}</p></section>")
    return "".join(parts)
