"""An editable grid that saves as the team types.

Every committed cell (Enter, Tab, or a click elsewhere) reruns the page,
and the grid saves at once what the database does not have yet (see
cem/journey/grid.py): a new row, an edited cell, a deleted row. A quiet line under
the grid says when it last saved. The grid itself is not redrawn by its own
saves, so the person keeps typing where they are.

Why save as one types, not on a Save button: in a workshop people change
page, reload, or pick another stage in the middle of typing, and a Save
button they forgot lost everything. Now only a row the database refuses
(a required cell still empty, a number out of range) waits unsaved: it
stays on screen with its reason, and it is kept for the session, so it
comes back when the person returns to this grid.

Others' changes: the grid takes a fresh snapshot when it is opened, and
again when the journey has moved on and the person runs the page by any
means other than typing in this grid, as long as nothing of theirs waits.
An edit of a row someone else changed since is refused as a conflict that
shows both values and lets the person apply theirs again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import pandas as pd
import streamlit as st

from cem.journey import grid as sync_rows
from cem.core.errors import CemError, ConflictError, ValidationError
from cem.journey.services import RowChanges, SaveResult
from ui import common

t = common.t
MAX_HELD_ROWS = 100  # rows refused in one run; more means something else is wrong


@dataclass
class Grid:
    name: str  # unique per page; prefix of every key
    scope: Any  # the parent the rows belong to (journey, stage, step id)
    columns: dict[str, Any]  # column name -> st.column_config entry
    dtypes: dict[str, str]  # column name -> pandas dtype, so empty grids edit right
    load: Callable[[], list[dict[str, Any]]]  # rows with id, version and the columns
    save: Callable[[RowChanges], SaveResult]
    convert: Callable[[dict], dict] | None = None
    confirm_delete: Callable[[list[int]], str] | None = None  # text for the confirmation dialog
    height: int | str = "auto"
    revision: int = 0  # the journey's revision when the page was drawn
    editable: bool = True
    ordered: bool = False  # the grid shows a position column: redraw after a reorder
    unit: str = "grid.unit.row"  # catalogue key with {n}: "{n} sub-step(s)"

    # ------------------------------------------------------------ keys

    @property
    def _base(self) -> str:
        return f"grid_{self.name}_{self.scope}"

    @property
    def editor_key(self) -> str:
        return f"{self._base}_{st.session_state.get(f'{self._base}_epoch', 0)}"

    def _key(self, part: str) -> str:
        return f"{self.editor_key}_{part}"

    def reset(self) -> None:
        """A fresh snapshot and editor on the next run (rows still refused
        are kept as drafts)."""
        for part in ("rows", "sync", "held", "conflict", "pending", "confirmed"):
            st.session_state.pop(self._key(part), None)
        st.session_state[f"{self._base}_epoch"] = st.session_state.get(f"{self._base}_epoch", 0) + 1

    # ------------------------------------------------------------ rows shown

    def _drafts(self) -> list[dict[str, Any]]:
        return st.session_state.get(f"{self._base}_drafts", [])

    def _fresh_snapshot(self) -> list[dict[str, Any]]:
        drafts = [{"id": None, "version": None, **values} for values in self._drafts()]
        return self.load() + drafts

    def rows(self) -> list[dict[str, Any]]:
        """The snapshot the editor was drawn from (a fresh one when the
        editor was not on screen in the last run: another page, another
        stage; what it held is saved)."""
        snapshot = st.session_state.get(self._key("rows"))
        if snapshot is not None and self.editor_key not in st.session_state:
            self.reset()
            snapshot = None
        if snapshot is None:
            snapshot = (self.revision, self._fresh_snapshot())
            st.session_state[self._key("rows")] = snapshot
        return snapshot[1]

    def _take_others_changes(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """After saving, show others' changes if the journey moved on, unless
        the person is typing in this grid (a redraw would take the cell
        they are in) or something of theirs waits."""
        typed_here = st.session_state.pop(self._key("typed"), False)
        snapshot = st.session_state[self._key("rows")]
        if snapshot[0] == self.revision or typed_here or not self._settled():
            return rows
        if self.load() != [r for r in rows if r.get("id") is not None] or self._has_edits():
            self.reset()
            return self.rows()
        st.session_state[self._key("rows")] = (self.revision, rows)
        return rows

    def _has_edits(self) -> bool:
        editor = st.session_state.get(self.editor_key) or {}
        return any(editor.get(part) for part in ("edited_rows", "added_rows", "deleted_rows"))

    def _settled(self) -> bool:
        """Nothing of this person's waits in the grid."""
        return not (st.session_state.get(self._key("held")) or st.session_state.get(self._key("conflict"))
                    or st.session_state.get(self._key("pending")) or self._drafts())

    # ------------------------------------------------------------ drawing

    def _column(self, rows: list[dict], column: str):
        """A column's values in its dtype, built as one array (five times
        quicker than a frame's astype, which ran on every rerun)."""
        values = [row.get(column) for row in rows]
        dtype = self.dtypes.get(column)
        return pd.array(values, dtype=dtype) if dtype else values

    def show(self) -> None:
        rows = self.rows()
        if self.editable:
            rows = self.sync(rows)
            rows = self._take_others_changes(rows)
        # Only the visible columns go to the browser; ids and versions stay in
        # the snapshot, matched by row position.
        frame = pd.DataFrame({column: self._column(rows, column) for column in self.columns})
        st.data_editor(
            frame, key=self.editor_key, num_rows="dynamic" if self.editable else "fixed",
            on_change=_typed, args=(self._key("typed"),), hide_index=True, column_config=self.columns,
            height=self.height, width="stretch", placeholder="", disabled=not self.editable,
        )
        if not self.editable:
            return
        self._show_held()
        conflict = st.session_state.get(self._key("conflict"))
        if conflict is not None:
            self._show_conflict(conflict)
        status = st.session_state.get(f"{self._base}_status")
        if status:
            st.caption(status, help=t("grid.autosave_help"))
        pending = st.session_state.get(self._key("pending"))
        if pending is not None:
            _confirm_dialog(self, pending)

    def _show_held(self) -> None:
        held = st.session_state.get(self._key("held")) or {}
        if held:
            lines = "\n".join(f"- {message}" for message in held.values())
            st.warning(f"{t('grid.held')}\n\n{lines}", icon="✍️")

    # ------------------------------------------------------------ saving

    def _defaults(self) -> dict[str, Any]:
        return {name: config["default"] for name, config in self.columns.items()
                if isinstance(config, dict) and config.get("default") is not None}

    def sync(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Save what the editor holds and the database does not; returns
        the rows to draw (fresh ones when the order changed)."""
        editor = st.session_state.get(self.editor_key) or {}
        sync = st.session_state.get(self._key("sync"))
        if sync is not None and sync.saved_any and not self._has_edits():
            # Streamlit drew a new editor (its state is empty) under the same
            # key: what it held is saved, so show the rows as they are now.
            self.reset()
            return self.rows()
        if sync is None:
            sync = sync_rows.GridSync.start(rows)
            st.session_state[self._key("sync")] = sync
        sync_rows.reconcile_added(sync, editor.get("added_rows") or [])
        held: dict[Any, str] = {}
        skip: set = set()
        for _ in range(MAX_HELD_ROWS):
            todo = sync_rows.pending(rows, editor, sync, defaults=self._defaults(), convert=self.convert, skip=skip)
            todo = self._hold_deletions(todo)
            if todo.changes.is_empty():
                break
            try:
                result = self.save(todo.changes)
            except ValidationError as error:
                key = _row_key(todo, error)
                if key is None:
                    common.show_error(error)
                    break
                held[key] = common.error_message(error)
                skip.add(key)
                continue
            except ConflictError as error:
                key = todo.keys.get(error.params.get("id"))
                st.session_state[self._key("conflict")] = todo.changes
                if key is None:
                    break
                skip.add(key)
                continue
            except CemError as error:
                common.show_error(error)
                break
            sync_rows.record_saved(sync, todo, result.new_ids, result.versions, editor)
            self._saved(result)
            if (self.ordered and (result.moved or result.deleted)) or result.deleted and self.confirm_delete:
                self._keep_drafts(rows, editor, sync)
                self.reset()  # numbers changed: draw the rows in their new order
                return self.rows()
            break
        st.session_state[self._key("held")] = held
        self._keep_drafts(rows, editor, sync)
        return rows

    def _hold_deletions(self, todo: sync_rows.Pending) -> sync_rows.Pending:
        """Deletions that take other rows with them wait for a yes."""
        if not (todo.changes.deleted and self.confirm_delete):
            return todo
        confirmed = set(st.session_state.get(self._key("confirmed"), ()))
        waiting = [i for i in todo.changes.deleted if i not in confirmed]
        if waiting:
            st.session_state[self._key("pending")] = waiting
            todo.changes.deleted = [i for i in todo.changes.deleted if i in confirmed]
        return todo

    def _saved(self, result: SaveResult) -> None:
        parts = []
        if result.added:
            parts.append(t("grid.did_add", n=result.added))
        if result.updated - result.moved > 0:
            parts.append(t("grid.did_change", n=result.updated - result.moved))
        if result.moved:
            parts.append(t("grid.did_move", what=t(self.unit, n=result.moved)))
        if result.deleted:
            parts.append(t("grid.did_delete", what=t(self.unit, n=result.deleted)))
        what = ", ".join(parts) or t("grid.did_nothing")
        st.session_state[f"{self._base}_status"] = t("grid.saved_at", time=datetime.now().strftime("%H:%M:%S"),
                                                     what=what)
        if result.moved:
            common.flash(t("grid.moved_toast", what=t(self.unit, n=result.moved)))

    def _keep_drafts(self, rows, editor, sync) -> None:
        """Rows typed but not saved, kept for the session: they come back
        when the person returns to this grid."""
        drafts = []
        for position, state in enumerate(sync.rows):
            if state.id is None and position not in sync.deleted:
                edits = (editor.get("edited_rows") or {})
                values = {**sync_rows.row_values(rows[position]),
                          **sync_rows.row_values(edits.get(position) or edits.get(str(position)) or {})}
                if not sync_rows.is_empty_row(values, self._defaults()):
                    drafts.append(values)
        for raw, state in zip(editor.get("added_rows") or [], sync.added):
            values = sync_rows.row_values(raw)
            if state.id is None and not sync_rows.is_empty_row(values, self._defaults()):
                drafts.append(values)
        st.session_state[f"{self._base}_drafts"] = drafts

    # ------------------------------------------------------------ conflicts

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
                                  t("grid.conflict_current"): _cell(now.get(column)),
                                  t("grid.conflict_mine"): _cell(value)})
        with st.container(border=True, key=f"{self.name}_conflict_box"):
            st.warning(t("grid.conflict_title"), icon="⚠️")
            if lines:
                st.dataframe(pd.DataFrame(lines), hide_index=True, width="stretch")
            again, theirs, _ = st.columns([1, 1, 3])
            if again.button(t("grid.apply_mine"), key=f"{self.name}_apply_mine", type="primary"):
                self._apply_mine(changes, current)
            if theirs.button(t("grid.keep_theirs"), key=f"{self.name}_keep_theirs"):
                self.reset()
                st.rerun()

    def _apply_mine(self, changes: RowChanges, current: dict[int, dict]) -> None:
        mine = RowChanges(updated={i: {**values, "version": current[i]["version"]}
                                   for i, values in changes.updated.items() if i in current},
                          row_numbers=changes.row_numbers)
        try:
            self.save(mine)
        except CemError as error:
            common.show_error(error)
            return
        common.flash(t("grid.applied_mine"))
        self.reset()
        st.rerun()


def _typed(flag_key: str) -> None:
    """The person committed a cell in this grid: do not redraw it now."""
    st.session_state[flag_key] = True


def _row_key(todo: sync_rows.Pending, error: ValidationError):
    """The row a validation error names, as a key of the editor's rows."""
    row = error.params.get("row")
    for change_key, number in todo.changes.row_numbers.items():
        if number == row:
            return todo.keys.get(change_key)
    return None


def _cell(value) -> str:
    return "" if value is None else str(value)


@st.dialog("⚠️", dismissible=False)
def _confirm_dialog(grid: Grid, ids: list[int]) -> None:
    st.markdown(f"**{t('grid.confirm_delete_title')}**")
    st.markdown(grid.confirm_delete(ids))
    yes, no = st.columns(2)
    if yes.button(t("grid.confirm_delete"), key=f"{grid.name}_confirm_yes", type="primary"):
        st.session_state.pop(grid._key("pending"), None)
        st.session_state[grid._key("confirmed")] = list(ids)
        st.rerun()
    if no.button(t("common.cancel"), key=f"{grid.name}_confirm_no"):
        grid.reset()  # the rows come back
        st.rerun()
