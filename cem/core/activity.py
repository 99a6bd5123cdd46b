"""Change-log entries as sentences for the activity feed and item history."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from sqlmodel import Session, select

from cem.core.models import ChangeLog, CheckIn, Commitment, Idea, Journey, Measure, Meeting, PainPoint, Person, Stage, \
    Step, Task
from cem.core.text import shorten

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


# The column that names an item of each type in the change log.
NAMED_BY = {Journey: Journey.name, Stage: Stage.name, Step: Step.name, PainPoint: PainPoint.text,
            Measure: Measure.text, Idea: Idea.text, Task: Task.title, Person: Person.name, Meeting: Meeting.title}
# Items named after the task they belong to.
TASK_PARTS = {CheckIn: CheckIn.task_id, Commitment: Commitment.task_id}


def item_names(session: Session, changes: Iterable[ChangeLog]) -> dict[tuple[str, int], str]:
    """The current name of every item the changes are about (one query per
    type), so the feed can say "problem: queue too long", never "#13"."""
    wanted: dict[str, set[int]] = {}
    for change in changes:
        wanted.setdefault(change.item_type, set()).add(change.item_id)
    names: dict[tuple[str, int], str] = {}
    for model, column in NAMED_BY.items():
        ids = wanted.get(model.__tablename__)
        if ids:
            for item_id, name in session.exec(select(model.id, column).where(model.id.in_(ids))):
                names[(model.__tablename__, item_id)] = name
    for model, task_column in TASK_PARTS.items():
        ids = wanted.get(model.__tablename__)
        if ids:
            query = select(model.id, Task.title).join(Task, task_column == Task.id).where(model.id.in_(ids))
            for item_id, title in session.exec(query):
                names[(model.__tablename__, item_id)] = title
    return names


def item_title(change: ChangeLog, names: dict[tuple[str, int], str] | None = None) -> str:
    """The item's name or text as it was (deleted) or became, else its
    current name; an item gone without a trace of its name says so."""
    values = {**(change.old or {}), **(change.new or {})}
    named = values.get("name") or values.get("text") or values.get("title") or values.get("what")
    if not named and names:
        named = names.get((change.item_type, change.item_id))
    return shorten(str(named), 50) if named else "—"


def details(change: ChangeLog, tr: Callable[..., str]) -> str:
    if change.action == "update":
        return "; ".join(
            f"{field_label(change.item_type, name, tr)}: {value_text(name, (change.old or {}).get(name), tr)} → "
            f"{value_text(name, value, tr)}" for name, value in (change.new or {}).items())
    if change.action == "create" and (change.new or {}).get("imported"):
        return tr("activity.imported")
    return ""


def feed_rows(changes: list[ChangeLog], tr: Callable[..., str], fmt_time: Callable,
              names: dict[tuple[str, int], str] | None = None) -> list[dict[str, str]]:
    """One plain-text row per change, newest first, for a table; `names`
    from item_names()."""
    return [{
        tr("activity.when"): fmt_time(change.at),
        tr("activity.who"): change.user,
        tr("activity.what"): f"{tr(f'activity.action.{change.action}')} {tr(f'item.{change.item_type}')}",
        tr("activity.item"): item_title(change, names),
        tr("activity.details"): details(change, tr),
    } for change in changes]
