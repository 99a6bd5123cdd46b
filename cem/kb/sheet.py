"""The Top-20 sheet for the front desk: one printable A4 page, the
questions customers asked most in a period with their answers, in the
reader's language (Thai at the desk). Every text is escaped."""
from __future__ import annotations

import html
from datetime import date
from typing import Callable

from cem.core import months
from cem.journey.charts import FONT_FAMILY

Translate = Callable[..., str]
CSS = """
@page { size: A4 portrait; margin: 10mm; }
body { font-family: %(font)s; font-size: 11.5px; color: #1f2933; margin: 0; }
h1 { font-size: 18px; margin: 0 0 2px; }
.meta { color: #52606d; font-size: 10.5px; margin-bottom: 6px; }
ol { margin: 0; padding-left: 22px; columns: 2; column-gap: 18px; }
li { break-inside: avoid; margin-bottom: 6px; }
.q { font-weight: 700; }
.a { white-space: pre-wrap; }
.n { color: #52606d; font-size: 10px; }
.print { float: right; }
@media print { .print { display: none; } }
"""


def top_20_sheet(rows: list[tuple[str, str, int]], *, first: date, last: date, lang: str, tr: Translate) -> str:
    """rows: (question, answer, times asked), most asked first."""
    title = tr("kb_page.sheet_title")
    period = tr("kb_page.sheet_period", first=months.day_text(first, lang), last=months.day_text(last, lang))
    items = "".join(
        f"<li><div class=\"q\">{html.escape(question)}</div>"
        f"<div class=\"a\">{html.escape(answer) if answer.strip() else html.escape(tr('kb_page.no_answer'))}</div>"
        f"<div class=\"n\">{html.escape(tr('kb_page.sheet_times', n=times))}</div></li>"
        for question, answer, times in rows)
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS % {"font": FONT_FAMILY}}</style></head>
<body><button class="print" onclick="window.print()">{html.escape(tr("exec.report.print"))}</button>
<h1>{html.escape(title)}</h1><div class="meta">{html.escape(period)}</div>
<ol>{items}</ol></body></html>
"""
