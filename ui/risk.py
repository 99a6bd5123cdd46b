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
    with common.db() as session:
        stamp = complaints.stamp(session)
    if not stamp[0]:
        return None
    return _journey_risk(common.database_url(), journey_id, stamp, common.journey_revision(journey_id), date.today())
