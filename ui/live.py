"""Seeing other people's changes without reloading the page.

A small fragment asks the database every few seconds for the journey's
revision (one indexed read). Read-only pages redraw at once when it has
moved on. The map editor instead says who changed what and offers a button:
a redraw started by the person carries their unsaved grid edits, so grids
without edits can take the new rows and grids with edits keep them (see
ui/grid.py); a redraw started by the server could not know about them.
"""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from cem import services
from ui import common

POLL_SECONDS = 3
t = common.t


def watch(journey_id: int, seen_revision: int, *, redraw: bool) -> None:
    @st.fragment(run_every=timedelta(seconds=POLL_SECONDS))
    def poll() -> None:
        try:
            latest = common.journey_revision(journey_id)
        except Exception:  # the journey was deleted: the next full run says so
            return
        if latest == seen_revision:
            return
        if redraw:
            st.rerun()
        with common.db() as session:
            changes = services.history(session, journey_id=journey_id, limit=50)
        others = sorted({c.user for c in changes if c.user != common.user()})
        st.info(t("live.changed", who=", ".join(common.md(name) for name in others) or "?"), icon="🔄")
        st.button(t("live.show"), key="live_show", icon="🔄")

    poll()
