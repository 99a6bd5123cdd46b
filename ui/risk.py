"""Revenue at risk of a journey, read once per change of complaints, VIPs
or bills, or of the journey (a sub-step deleted or moved), and shared by
the board, the heat maps and the map editor."""
from __future__ import annotations

from datetime import date

import streamlit as st

from cem.customers import complaints
from ui import common


@st.cache_data(max_entries=16, show_spinner=False)
def _journey_risk(url: str, journey_id: int, stamp: tuple, revision: int, today: date) -> complaints.JourneyRisk:
    with common.db() as session:
        return complaints.revenue_at_risk(session, journey_id, today=today)


def journey_risk(journey_id: int) -> complaints.JourneyRisk | None:
    """The journey's revenue at risk, or None while there are no complaints at all."""
    return journey_risk_and_key(journey_id)[0]


def journey_risk_and_key(journey_id: int) -> tuple[complaints.JourneyRisk | None, tuple]:
    """journey_risk, and what it was read for (to cache what is drawn from it)."""
    with common.db() as session:
        stamp = complaints.stamp(session)
    key = (common.database_url(), journey_id, stamp, common.journey_revision(journey_id), date.today())
    if not stamp[0]:
        return None, key
    return _journey_risk(*key), key
