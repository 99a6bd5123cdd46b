"""Turning a grid editor's pending edits into RowChanges for the services.

The grid shows rows that each carry their database `id` and `version`
(hidden columns). The editor reports edits by row position; this maps them
back to ids, keeps the version each edit was based on, and numbers rows as
the person sees them so errors can point at them.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from cem.services import RowChanges
from cem.validation import is_blank

Convert = Callable[[dict[str, Any]], dict[str, Any]]


def changes_from_editor(original: Sequence[Mapping[str, Any]], state: Mapping[str, Any], *,
                        convert: Convert | None = None, key_columns: Sequence[str] = ()) -> RowChanges:
    """`key_columns`: an added row with all of these blank was left empty
    by the person (other columns may hold defaults) and is skipped."""
    convert = convert or (lambda values: values)
    changes = RowChanges()
    deleted_positions = {int(p) for p in state.get("deleted_rows", []) or []}
    for position in sorted(deleted_positions):
        changes.deleted.append(int(original[position]["id"]))
    for position, values in (state.get("edited_rows", {}) or {}).items():
        position = int(position)
        if position in deleted_positions or not values:
            continue
        row = original[position]
        row_id = int(row["id"])
        changes.updated[row_id] = {**convert(dict(values)), "version": row.get("version")}
        changes.row_numbers[row_id] = position + 1
    for index, values in enumerate(state.get("added_rows", []) or []):
        values = {k: v for k, v in dict(values).items() if k not in ("id", "version", "_index")}
        if all(is_blank(values.get(c)) for c in (key_columns or values)):
            continue  # an empty row the person added but never filled
        changes.row_numbers[("new", len(changes.added))] = len(original) + index + 1
        changes.added.append(convert(values))
    return changes
