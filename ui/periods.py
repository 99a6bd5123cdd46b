"""Choosing a period of whole months on the customers' pages, and dates,
times and years as the reader's calendar writes them (Buddhist era in Thai)."""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from cem.core import months
from cem.customers import analysis
from ui import common
from ui.common import translated


def month_range(key: str, all_months: list[str], *, span: int = 12, end_back: int = 0, where=None,
                labels: tuple[str, str] = ("customers.from_month", "customers.to_month")) -> tuple[str, str]:
    """Two month pickers, from and to, starting on the `span` months that
    end `end_back` months before the data's last month; chosen the wrong
    way round, they are swapped and the page says so."""
    t, lang = common.translator(), common.lang()
    left, right = (where or st).columns(2)
    last_index = max(0, len(all_months) - 1 - end_back)
    first = left.selectbox(t(labels[0]), all_months, index=max(0, last_index - span + 1),
                           format_func=lambda m: months.label(m, lang), key=translated(f"{key}_from"))
    last = right.selectbox(t(labels[1]), all_months, index=last_index,
                           format_func=lambda m: months.label(m, lang), key=translated(f"{key}_to"))
    if first > last:
        first, last = last, first
        (where or st).caption(t("customers.months_swapped"))
    return first, last


def period(first: str, last: str, service: str = "", segment: str = "") -> analysis.Period:
    return analysis.Period(months.first_day(first), months.last_day(last), service, segment)


def year_text(year: int, lang: str) -> str:
    """2024 as 2567 in Thai (Buddhist era), as 2024 in English."""
    return str(year + months.BUDDHIST_ERA_OFFSET if lang == "th" else year)


def moment_text(moment: datetime, lang: str) -> str:
    """A stored (UTC) time in the reader's time zone and calendar:
    15/12/2569 14:05 in Thai, 15/12/2026 14:05 in English."""
    local = datetime.strptime(common.local_time(moment), "%Y-%m-%d %H:%M")
    return f"{months.day_text(local.date(), lang)} {local:%H:%M}"
