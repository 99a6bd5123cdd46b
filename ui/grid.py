"""An editable grid that saves all its edits at once.

The grid never reruns the app while someone types (on_change="ignore"), so
many rows can be added in a row and no keystroke is lost; the Save button
sends everything to a service in one transaction. The rows shown are a
snapshot taken when the grid was opened, so edits always map back to the
row the person saw, even if someone else saves in between.

Others' changes: when the journey's revision has moved on and this grid
holds no unsaved edits, the snapshot is reloaded on the next run. A run
started by the person (any click) carries the grid's unsaved edits, so the
check is sound; a grid with unsaved edits keeps its rows, and if someone
changed one of the same rows, Save is refused as a conflict that shows the
current values and lets the person apply theirs again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import pandas as pd
import streamlit as st

from cem.errors import CemError, ConflictError
from cem.grid import changes_from_editor
from cem.services import RowChanges, SaveResult
from ui import common

t = common.t


@dataclass
class Grid:
    name: str  # unique per page; prefix of every key
    scope: Any  # the parent the rows belong to (journey, stage, step id)
    columns: dict[str, Any]  # column name -> st.column_config entry
    dtypes: dict[str, str]  # column name -> pandas dtype, so empty grids edit right
    load: Callable[[], list[dict[str, Any]]]  # rows with id, version and the columns
    save: Callable[[RowChanges], SaveResult]
    key_columns: Sequence[str] = ()  # an added row with all of these blank is ignored
    convert: Callable[[dict], dict] | None = None
    confirm_delete: Callable[[list[int]], str] | None = None  # text for the confirmation dialog
    height: int | str = "auto"
    revision: int = 0  # the journey's revision when the page was drawn
    editable: bool = True

    @property
    def _epoch_key(self) -> str:
        return f"grid_{self.name}_epoch"

    @property
    def editor_key(self) -> str:
        return f"grid_{self.name}_{self.scope}_{st.session_state.get(self._epoch_key, 0)}"

    def reset(self) -> None:
        """Discard pending edits and show fresh rows on the next run."""
        st.session_state.pop(f"{self.editor_key}_rows", None)
        st.session_state[self._epoch_key] = st.session_state.get(self._epoch_key, 0) + 1

    def has_unsaved_edits(self) -> bool:
        state = st.session_state.get(self.editor_key) or {}
        return any(state.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))

    def rows(self) -> list[dict[str, Any]]:
        snapshot_key = f"{self.editor_key}_rows"
        snapshot = st.session_state.get(snapshot_key)
        if snapshot is not None and snapshot[0] != self.revision and not self.has_unsaved_edits():
            fresh = self.load()
            if fresh != snapshot[1]:
                self.reset()  # new rows from others: a fresh editor
                snapshot_key = f"{self.editor_key}_rows"
            snapshot = (self.revision, fresh)
            st.session_state[snapshot_key] = snapshot
        if snapshot is None:
            snapshot = (self.revision, self.load())
            st.session_state[snapshot_key] = snapshot
        return snapshot[1]

    def show(self) -> None:
        rows = self.rows()
        # Only the visible columns go to the browser; ids and versions stay in
        # the snapshot, matched by row position.
        frame = pd.DataFrame(rows, columns=list(self.columns)).astype(self.dtypes)
        st.data_editor(
            frame, key=self.editor_key, num_rows="dynamic" if self.editable else "fixed", on_change="ignore",
            hide_index=True, column_config=self.columns, height=self.height, width="stretch", placeholder="",
            disabled=not self.editable,
        )
        if not self.editable:
            return
        conflict = st.session_state.get(self.conflict_key)
        if conflict is not None:
            self._show_conflict(conflict)
        save_col, undo_col, _ = st.columns([1, 1, 4])
        if save_col.button(t("grid.save"), key=f"{self.name}_save", type="primary", icon="💾"):
            self._on_save(rows)
        if undo_col.button(t("grid.discard"), key=f"{self.name}_discard", icon="↩️",
                           help=t("grid.discard_help")):
            self.reset()
            st.rerun()
        pending = st.session_state.get(self.pending_key)
        if pending is not None:
            _confirm_dialog(self, pending)

    @property
    def conflict_key(self) -> str:
        return f"{self.editor_key}_conflict"

    def _show_conflict(self, changes: RowChanges) -> None:
        """Someone else changed rows this person edited: show theirs and
        mine side by side, and offer to apply mine again."""
        current = {row["id"]: row for row in self.load()}
        lines = []
        for item_id, mine in changes.updated.items():
            now = current.get(item_id)
            if now is None or now["version"] == mine.get("version"):
                continue
            for column, value in mine.items():
                if column in self.columns and now.get(column) != value:
                    lines.append({t("grid.conflict_row"): changes.row_numbers.get(item_id, "?"),
                                  t("grid.conflict_column"): self.columns[column]["label"]
                                  if isinstance(self.columns[column], dict) else column,
                                  t("grid.conflict_current"): str(now.get(column) if now.get(column) is not None else ""),
                                  t("grid.conflict_mine"): str(value if value is not None else "")})
        with st.container(border=True, key=f"{self.name}_conflict_box"):
            st.warning(t("grid.conflict_title"), icon="⚠️")
            if lines:
                st.dataframe(pd.DataFrame(lines), hide_index=True, width="stretch")
            again, theirs, _ = st.columns([1, 1, 3])
            if again.button(t("grid.apply_mine"), key=f"{self.name}_apply_mine", type="primary"):
                for item_id, mine in changes.updated.items():
                    if item_id in current:
                        mine["version"] = current[item_id]["version"]
                st.session_state.pop(self.conflict_key, None)
                self.commit(changes)
            if theirs.button(t("grid.keep_theirs"), key=f"{self.name}_keep_theirs"):
                st.session_state.pop(self.conflict_key, None)
                self.reset()
                st.rerun()

    @property
    def pending_key(self) -> str:
        """Changes with deletions that wait for the person's confirmation."""
        return f"{self.editor_key}_pending"

    def _on_save(self, rows: list[dict[str, Any]]) -> None:
        state = st.session_state.get(self.editor_key) or {}
        changes = changes_from_editor(rows, state, convert=self.convert, key_columns=self.key_columns)
        if changes.is_empty():
            st.toast(t("grid.nothing_to_save"), icon="ℹ️")
            return
        if changes.deleted and self.confirm_delete:
            st.session_state[self.pending_key] = changes
            return
        self.commit(changes)

    def commit(self, changes: RowChanges) -> None:
        try:
            result = self.save(changes)
        except ConflictError:
            st.session_state[self.conflict_key] = changes
            st.rerun()
        except CemError as error:
            common.show_error(error)
            return
        common.flash(t("grid.saved", added=result.added, updated=result.updated, deleted=result.deleted))
        self.reset()
        st.rerun()


@st.dialog("⚠️", dismissible=False)
def _confirm_dialog(grid: Grid, changes: RowChanges) -> None:
    st.markdown(f"**{t('grid.confirm_delete_title')}**")
    st.markdown(grid.confirm_delete(changes.deleted))
    yes, no = st.columns(2)
    if yes.button(t("grid.confirm_delete"), key=f"{grid.name}_confirm_yes", type="primary"):
        st.session_state.pop(grid.pending_key, None)
        grid.commit(changes)
    if no.button(t("common.cancel"), key=f"{grid.name}_confirm_no"):
        st.session_state.pop(grid.pending_key, None)
        st.rerun()
