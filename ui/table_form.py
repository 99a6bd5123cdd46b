"""A table to fill in, then save with one button: the monthly plan's tiers
and the month-end check-ins, one row per task, however many tasks.

What is typed is kept by row id in the session, not only in the grid: it
survives reruns, a change of tab or page and others' saves, and comes back
when the person returns, until it is saved or dropped. Once something is
typed the grid keeps the rows it was drawn with, so rows never shift under
the cursor (a grid's edits are kept by position); others' changes show
after the save.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


class TableForm:
    def __init__(self, name: str, editable: list[str], dtypes: dict[str, str]):
        self.name = name  # unique per page and scope; prefix of every key
        self.editable = editable  # the columns a person may change
        self.dtypes = dtypes  # so that an empty or all-blank column edits right

    @property
    def _epoch(self) -> int:
        return st.session_state.get(f"{self.name}_epoch", 0)

    @property
    def key(self) -> str:
        return f"{self.name}_{self._epoch}"

    def drafts(self) -> dict[int, dict[str, Any]]:
        """Row id -> the editable values typed in it, for every row touched."""
        return st.session_state.setdefault(f"{self.name}_drafts", {})

    def clear(self) -> None:
        """Drop what was typed; the next run draws a fresh table."""
        st.session_state.pop(f"{self.name}_drafts", None)
        st.session_state.pop(f"{self.name}_snapshot", None)
        st.session_state.pop(self.key, None)
        st.session_state[f"{self.name}_epoch"] = self._epoch + 1

    def drawn(self) -> dict[Any, dict[str, Any]]:
        """Row id -> the row as the grid last drew it (what the drafts were typed over)."""
        return {row["id"]: row for row in st.session_state.get(f"{self.name}_snapshot") or []}

    def put(self, changes: dict[Any, dict[str, Any]]) -> set:
        """Set values in drawn rows from outside the grid (points picked on
        a chart), kept like typed ones; the grid is drawn again with them.
        Call it from a callback, before the page draws the table. The ids
        of the rows set (a row not drawn is left out)."""
        self._keep_typed()  # what was typed in the grid so far stays
        drawn, drafts = self.drawn(), self.drafts()
        applied = {row_id for row_id in changes if row_id in drawn}
        for row_id in applied:
            drafts[row_id] = {**{c: drawn[row_id][c] for c in self.editable}, **drafts.get(row_id, {}),
                              **changes[row_id]}
        if applied:
            st.session_state.pop(f"{self.name}_snapshot", None)
            st.session_state.pop(self.key, None)
            st.session_state[f"{self.name}_epoch"] = self._epoch + 1
        return applied

    def _keep_typed(self) -> None:
        """on_change: copy the grid's edits into the drafts, by row id."""
        snapshot = st.session_state.get(f"{self.name}_snapshot") or []
        drafts = self.drafts()
        for position, values in (st.session_state.get(self.key) or {}).get("edited_rows", {}).items():
            row = snapshot[int(position)]
            drafts[row["id"]] = {**{c: row[c] for c in self.editable}, **values}

    def show(self, rows: list[dict[str, Any]], *, columns: dict[str, Any], container=st,
             height: int | str = "auto") -> dict[int, dict[str, Any]]:
        """Draw `rows` (dicts with an "id") with what was typed in them;
        returns the drafts."""
        drafts = self.drafts()
        snapshot_key = f"{self.name}_snapshot"
        # Until something is typed the table follows the data; then it keeps
        # the rows it was typed in, where they were.
        if not drafts or self.key not in st.session_state or snapshot_key not in st.session_state:
            st.session_state[snapshot_key] = [{**row, **drafts.get(row["id"], {})} for row in rows]
        snapshot = st.session_state[snapshot_key]
        frame = pd.DataFrame(snapshot, columns=["id", *columns]).astype(self.dtypes)
        container.data_editor(
            frame, key=self.key, hide_index=True, width="stretch", height=height, num_rows="fixed",
            column_order=list(columns), column_config=columns,
            disabled=[c for c in columns if c not in self.editable], on_change=self._keep_typed,
            placeholder="")  # an empty cell shows nothing, not "None"
        self._keep_typed()  # also when the edits came with this run's click (a callback runs first, too)
        return drafts
