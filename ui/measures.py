"""The measures at four levels, worked out once per change of what they are
worked out from (cem.improvement.indicators.values_stamp) and shared by
every session: the VIP measures alone read a year of bills per month."""
from __future__ import annotations

from datetime import date

import streamlit as st

from cem.core.db import get_engine, session_scope
from cem.improvement import indicators
from ui import common


@st.cache_resource(max_entries=16, show_spinner=False)
def _summary(url: str, journey_ids: tuple[int, ...] | None, wanted: tuple[str, ...], stamp: tuple, today: date):
    with session_scope(get_engine(url)) as session:
        return indicators.level_summary(session, list(wanted), journey_ids=journey_ids, today=today)


def level_summary(wanted: list[str], journey_ids: tuple[int, ...] | None = None) -> list[indicators.LevelSummary]:
    with common.db() as session:
        stamp = indicators.values_stamp(session)
    return _summary(common.database_url(), journey_ids, tuple(wanted), stamp, date.today())
