"""Saving a grid editor's edits as the team types.

The grid shows a snapshot of rows, each with its database `id` and
`version`. The editor reports everything typed since the snapshot was
drawn: edited cells by row position, added rows in order, deleted row
positions. That report only grows while the editor lives, so after every
committed cell we work out what is not in the database yet (`pending`),
save it, and remember what was saved (`GridSync.saved`).

Each row is its own save: a row that is refused (a required cell still
empty, a number out of range) waits on screen with what was typed and its
reason, while the other rows go in. A row is never half-saved: all its
pending cells go in together or none do.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from cem.journey.services import RowChanges
from cem.core.validation import is_blank

Convert = Callable[[dict[str, Any]], dict[str, Any]]
RowKey = tuple[str, int]  # ("row", snapshot position) or ("added", index among added rows)
HIDDEN = ("id", "version", "_index")


@dataclass
class RowState:
    """One row of the editor as the database knows it."""

    id: int | None = None  # None until an added (or draft) row is saved
    version: int | None = None
    saved: dict[str, Any] = field(default_factory=dict)  # column -> value in the database


@dataclass
class GridSync:
    """What of an editor's edits is in the database."""

    rows: list[RowState]  # by snapshot position
    added: list[RowState] = field(default_factory=list)  # by position among the editor's added rows
    added_seen: list[dict[str, Any]] = field(default_factory=list)  # each added row's values last time
    deleted: set[int] = field(default_factory=set)  # snapshot positions whose deletion is saved
    dropped: list[RowState] = field(default_factory=list)  # saved added rows deleted again, not yet saved so
    saved_any: bool = False  # something of this editor is in the database

    @classmethod
    def start(cls, snapshot: Sequence[Mapping[str, Any]]) -> "GridSync":
        rows = [RowState(row.get("id"), row.get("version"),
                         {k: v for k, v in row.items() if k not in HIDDEN} if row.get("id") is not None else {})
                for row in snapshot]
        return cls(rows=rows)

    def state(self, key: RowKey) -> RowState:
        kind, index = key
        return self.rows[index] if kind == "row" else self.added[index]


@dataclass
class Pending:
    """The edits not in the database yet, as one RowChanges for a service,
    and where each of its entries sits in the editor."""

    changes: RowChanges
    keys: dict[Any, RowKey] = field(default_factory=dict)  # id or ("new", i) -> row key


def row_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in dict(values).items() if k not in HIDDEN}


def is_empty_row(values: Mapping[str, Any], defaults: Mapping[str, Any]) -> bool:
    """A row the person added but never typed into: every cell blank or
    still at its column's default."""
    return all(is_blank(v) or (k in defaults and v == defaults[k]) for k, v in values.items())


def reconcile_added(sync: GridSync, added_rows: Sequence[Mapping[str, Any]]) -> None:
    """Line up the editor's added rows with the ones already tracked.

    Added rows only ever grow at the end, except when the person deletes
    some of them: the editor then drops them from its list and the rest
    move up. A deletion comes alone (no cell is edited in the same step),
    so the rows that stay are exactly equal to what they were, in order.
    Rows deleted that were already saved wait in `sync.dropped`."""
    current = [row_values(r) for r in added_rows]
    if len(current) < len(sync.added):
        kept, kept_seen, removed, j = [], [], [], 0
        for state, seen in zip(sync.added, sync.added_seen):
            if j < len(current) and current[j] == seen:
                kept.append(state)
                kept_seen.append(seen)
                j += 1
            else:
                removed.append(state)
        sync.added, sync.added_seen = kept, kept_seen
        sync.dropped.extend(state for state in removed if state.id is not None)
    while len(sync.added) < len(current):
        sync.added.append(RowState())
        sync.added_seen.append({})
    sync.added_seen = current


def pending(snapshot: Sequence[Mapping[str, Any]], editor: Mapping[str, Any], sync: GridSync, *,
            defaults: Mapping[str, Any] | None = None, convert: Convert | None = None,
            skip: frozenset[RowKey] | set[RowKey] = frozenset()) -> Pending:
    """What the editor holds that the database does not, less the rows in
    `skip` (held back). Call reconcile_added first, once per report of the
    editor."""
    defaults = defaults or {}
    convert = convert or (lambda values: values)
    result = Pending(RowChanges())
    changes = result.changes

    def update(key: RowKey, state: RowState, values: dict[str, Any], row_number: int) -> None:
        if key in skip:
            return
        fresh = {k: v for k, v in values.items() if k not in state.saved or not _same(state.saved[k], v)}
        if fresh:
            changes.updated[state.id] = {**convert(fresh), "version": state.version}
            changes.row_numbers[state.id] = row_number
            result.keys[state.id] = key

    def add(key: RowKey, values: dict[str, Any], row_number: int) -> None:
        if key in skip or is_empty_row(values, defaults):
            return
        change_key = ("new", len(changes.added))
        changes.added.append(convert(values))
        changes.row_numbers[change_key] = row_number
        result.keys[change_key] = key

    deleted_now = {int(p) for p in editor.get("deleted_rows", []) or []}
    for position in sorted(deleted_now - sync.deleted):
        state = sync.rows[position]
        if state.id is not None:
            changes.deleted.append(state.id)
            result.keys[state.id] = ("row", position)
    edited = {int(p): row_values(v) for p, v in (editor.get("edited_rows", {}) or {}).items()}
    for position, state in enumerate(sync.rows):
        if position in deleted_now:
            continue
        values = edited.get(position, {})
        if state.id is None:  # a draft row kept from before: every cell counts
            base = row_values(snapshot[position])
            add(("row", position), {**base, **values}, position + 1)
        elif values:
            update(("row", position), state, values, position + 1)

    added_rows = editor.get("added_rows", []) or []
    for state in sync.dropped:
        changes.deleted.append(state.id)
    for index, (raw, state) in enumerate(zip(added_rows, sync.added)):
        values = row_values(raw)
        row_number = len(snapshot) + index + 1
        if state.id is None:
            add(("added", index), values, row_number)
        else:
            update(("added", index), state, values, row_number)
    return result


def record_saved(sync: GridSync, done: Pending, new_ids: Sequence[int], versions: Mapping[int, int],
                 editor: Mapping[str, Any]) -> None:
    """Remember what a successful save put in the database."""
    changes = done.changes
    for i, values in enumerate(changes.added):
        state = sync.state(done.keys[("new", i)])
        state.id = new_ids[i]
        state.saved = dict(_raw_values(done.keys[("new", i)], editor, sync))
    for item_id, values in changes.updated.items():
        state = sync.state(done.keys[item_id])
        state.saved.update(_raw_cells(done.keys[item_id], editor, values))
    for item_id in changes.deleted:
        key = done.keys.get(item_id)
        if key and key[0] == "row":
            sync.deleted.add(key[1])
    sync.dropped = [state for state in sync.dropped if state.id not in changes.deleted]
    sync.saved_any = True
    for state in [*sync.rows, *sync.added]:
        if state.id in versions:
            state.version = versions[state.id]


def _raw_values(key: RowKey, editor: Mapping[str, Any], sync: GridSync) -> dict[str, Any]:
    kind, index = key
    if kind == "added":
        return row_values((editor.get("added_rows") or [])[index])
    return {**sync.rows[index].saved, **row_values((editor.get("edited_rows") or {}).get(index, {}) or
                                                   (editor.get("edited_rows") or {}).get(str(index), {}))}


def _raw_cells(key: RowKey, editor: Mapping[str, Any], sent: Mapping[str, Any]) -> dict[str, Any]:
    """The cells as the editor holds them (before any convert), for the
    columns that were sent."""
    kind, index = key
    if kind == "added":
        raw = row_values((editor.get("added_rows") or [])[index])
    else:
        edited = editor.get("edited_rows") or {}
        raw = row_values(edited.get(index) or edited.get(str(index)) or {})
    return {k: v for k, v in raw.items() if k in sent or k in raw}


def _same(a: Any, b: Any) -> bool:
    if is_blank(a) and is_blank(b):
        return True
    return a == b


def changes_from_editor(original: Sequence[Mapping[str, Any]], state: Mapping[str, Any], *,
                        convert: Convert | None = None, defaults: Mapping[str, Any] | None = None) -> RowChanges:
    """Everything an editor holds, as one RowChanges (what a fresh grid
    would save at once)."""
    sync = GridSync.start(original)
    reconcile_added(sync, state.get("added_rows", []) or [])
    return pending(original, state, sync, defaults=defaults, convert=convert).changes
