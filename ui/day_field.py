"""A date typed as text, in the Buddhist era or the Gregorian calendar
(Streamlit's date picker knows only the Gregorian one). The reading is
cem.core.months.parse_day; the same day in the other calendar shows beside it."""
from __future__ import annotations

from datetime import date

import streamlit as st

from cem.core import months
from cem.core.errors import CemError
from ui import common


def day_field(label: str, *, key: str, start: date, column: str) -> date | None:
    """The typed day, or None after showing why it was refused (naming the field)."""
    lang = common.lang()
    if key not in st.session_state:
        st.session_state[key] = months.day_text(start, lang)
    typed = st.text_input(label, key=key, max_chars=30, help=common.t("fig.day_help"),
                          placeholder=months.day_text(start, lang))
    try:
        day = months.parse_day(typed, column=column)
    except CemError as error:
        common.show_error(error)
        return None
    st.caption(months.other_calendar(day, lang))
    return day
