"""Change-log entries as sentences for the activity feed and item history."""
from __future__ import annotations

from typing import Any, Callable

from cem.models import ChangeLog
from cem.text import shorten

# The column heading that names a field, per item type.
FIELD_LABELS = {
    "name": {"journey": "col.journey_name", "stage": "col.stage_name", "step": "col.step_name"},
    "text": {"painpoint": "col.pain_point", "measure": "col.measure", "idea": "col.idea"},
}
SIMPLE_LABELS = {
    "position": "col.position", "description": "col.description", "phase": "col.phase",
    "touchpoint": "col.touchpoint", "emotion_now": "col.emotion_now", "emotion_target": "col.emotion_target",
    "easy": "quality.easy", "convenient": "quality.convenient", "fast": "quality.fast",
    "correct": "quality.correct", "severity": "col.severity", "status": "col.status", "kind": "col.kind",
    "pain_point_id": "col.pain_point",
}
CODED = {"phase": "phase", "status": "status", "kind": "kind"}


def field_label(item_type: str, name: str, tr: Callable[..., str]) -> str:
    key = FIELD_LABELS.get(name, {}).get(item_type) or SIMPLE_LABELS.get(name)
    return tr(key) if key else name


def value_text(name: str, value: Any, tr: Callable[..., str]) -> str:
    if value is None or value == "":
        return "—"
    if name in CODED:
        return tr(f"{CODED[name]}.{value}")
    return shorten(str(value), 60)


def item_title(change: ChangeLog) -> str:
    """The item's name or text as it was (deleted) or became."""
    values = {**(change.old or {}), **(change.new or {})}
    return shorten(str(values.get("name") or values.get("text") or f"#{change.item_id}"), 50)


def details(change: ChangeLog, tr: Callable[..., str]) -> str:
    if change.action == "update":
        return "; ".join(
            f"{field_label(change.item_type, name, tr)}: {value_text(name, (change.old or {}).get(name), tr)} → "
            f"{value_text(name, value, tr)}" for name, value in (change.new or {}).items())
    if change.action == "create" and (change.new or {}).get("imported"):
        return tr("activity.imported")
    return ""


def feed_rows(changes: list[ChangeLog], tr: Callable[..., str], fmt_time: Callable) -> list[dict[str, str]]:
    """One plain-text row per change, newest first, for a table."""
    return [{
        tr("activity.when"): fmt_time(change.at),
        tr("activity.who"): change.user,
        tr("activity.what"): f"{tr(f'activity.action.{change.action}')} {tr(f'item.{change.item_type}')}",
        tr("activity.item"): item_title(change),
        tr("activity.details"): details(change, tr),
    } for change in changes]
