"""Seeing other people's changes without reloading the page.

A small fragment asks every few seconds for the journey's revision: one
indexed read per journey every REVISION_TTL seconds, shared by all open
pages of the server. Read-only pages redraw at once when it has
moved on. The map editor instead says who changed what and offers a button:
a redraw started by the person carries their unsaved grid edits, so grids
without edits can take the new rows and grids with edits keep them (see
ui/grid.py); a redraw started by the server could not know about them.

The note sits in the sidebar, so it never pushes a grid down while someone
types, and it names only the changes made since this page was drawn.
"""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from cem.journey import services
from cem.core.activity import item_names, item_title
from ui import common

POLL_SECONDS = 3
MAX_LISTED = 5
# Every open page polls; they share one read per journey per REVISION_TTL.
REVISION_TTL = 1.5
t = common.t


@st.cache_data(ttl=REVISION_TTL, max_entries=1000, show_spinner=False)
def _latest_revision(url: str, journey_id: int) -> int:
    return common.journey_revision(journey_id)


def watch(journey_id: int, seen_revision: int, *, redraw: bool) -> None:
    with common.db() as session:
        seen_change = services.latest_change_id(session, journey_id)

    @st.fragment(run_every=timedelta(seconds=POLL_SECONDS))
    def poll() -> None:
        try:
            latest = _latest_revision(common.database_url(), journey_id)
        except Exception:  # the journey was deleted: the next full run says so
            return
        if latest <= seen_revision:  # a shared read may be older than this page
            return
        if redraw:
            st.rerun()
        with common.db() as session:
            changes = [c for c in services.history(session, journey_id=journey_id, after_id=seen_change, limit=50)
                       if c.user != common.user()]
            names = item_names(session, changes)
        if not changes:
            return
        who = ", ".join(sorted({common.md(c.user) for c in changes}))
        what = "\n".join(f"- {t(f'activity.action.{c.action}')} {t(f'item.{c.item_type}')}: "
                         f"{common.md(item_title(c, names))}" for c in changes[:MAX_LISTED])
        more = t("live.more", n=len(changes) - MAX_LISTED) if len(changes) > MAX_LISTED else ""
        st.info(f"{t('live.changed', who=who)}\n\n{what}\n\n{more}".strip(), icon="🔄")
        st.button(t("live.show"), key="live_show", icon="🔄")

    with st.sidebar:
        poll()
