"""Every write to the journey map, and the reads the pages need.

Functions take the session first and keyword-only values after it,
including `user`, the acting person's username. Each write checks the
user's role and the input, applies it in one short transaction, records
the change in the change log and commits, or raises a CemError and changes
nothing. Deleted stages and sub-steps go to the bin.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable, Iterable, Sequence

from sqlalchemy import func, update
from sqlmodel import Session, SQLModel, select

from cem.core import validation as v
from cem.core.auth import authorize
from cem.core.db import note_journey, writes
from cem.core.reads import read_type
from cem.core.errors import ConflictError, NotFoundError
from cem.core.models import (
    EMOTION_MAX, EMOTION_MIN, MEASURE_KINDS, PAIN_STATUSES, PHASES, QUALITIES, RATING_MAX,
    RATING_MIN, SEVERITY_MAX, SEVERITY_MIN, ChangeLog, Idea, Journey, Measure, PainPoint, Stage, Step, Task,
    utcnow,
)

# ---------------------------------------------------------------- field specs

JOURNEY_FIELDS = [
    v.FieldSpec("name", "col.journey_name", v.text(v.TEXT_SHORT, required=True)),
    v.FieldSpec("description", "col.description", v.text(v.TEXT_LONG)),
]
STAGE_FIELDS = [
    v.FieldSpec("name", "col.stage_name", v.text(v.TEXT_SHORT, required=True)),
    v.FieldSpec("description", "col.description", v.text(v.TEXT_LONG)),
    v.FieldSpec("phase", "col.phase", v.choice(PHASES + ("",), default="")),
]
STEP_FIELDS = [
    v.FieldSpec("name", "col.step_name", v.text(v.TEXT_SHORT, required=True)),
    v.FieldSpec("touchpoint", "col.touchpoint", v.text(v.TEXT_SHORT)),
    v.FieldSpec("emotion_now", "col.emotion_now", v.whole_number(EMOTION_MIN, EMOTION_MAX)),
    v.FieldSpec("emotion_target", "col.emotion_target", v.whole_number(EMOTION_MIN, EMOTION_MAX)),
] + [v.FieldSpec(q, f"quality.{q}", v.whole_number(RATING_MIN, RATING_MAX)) for q in QUALITIES]
PAIN_FIELDS = [
    v.FieldSpec("text", "col.pain_point", v.text(v.TEXT_LONG, required=True)),
    v.FieldSpec("severity", "col.severity", v.whole_number(SEVERITY_MIN, SEVERITY_MAX, required=True)),
    v.FieldSpec("status", "col.status", v.choice(PAIN_STATUSES, default="open")),
]
MEASURE_FIELDS = [
    v.FieldSpec("kind", "col.kind", v.choice(MEASURE_KINDS, default="fix")),
    v.FieldSpec("text", "col.measure", v.text(v.TEXT_LONG, required=True)),
]
IDEA_FIELDS = [v.FieldSpec("text", "col.idea", v.text(v.TEXT_LONG, required=True))]
POSITION_CHECK = v.whole_number(1, 10_000)

# ---------------------------------------------------------------- write services

# Every write service, with the permission it needs: the role test calls
# each of them as every role.
WRITE_SERVICES: dict[str, str] = {}


def write_service(action: str) -> Callable:
    """Make a function a write service: one short transaction (see
    cem.core.db.writes) whose first step is checking that `user` may do
    `action`; the function then gets the user's canonical username."""

    def decorate(function):
        @wraps(function)
        def run(session: Session, *args, user: str, **kwargs):
            return function(session, *args, user=authorize(session, user, action), **kwargs)

        WRITE_SERVICES[function.__name__] = action
        return writes(run, whole=action == "backup")  # a restore replaces every journey at once

    return decorate


# ---------------------------------------------------------------- helpers

LOGGED_FIELDS: dict[type, tuple[str, ...]] = {
    Journey: ("name", "description"),
    Stage: ("position", "name", "description", "phase"),
    Step: ("position", "name", "touchpoint", "emotion_now", "emotion_target", *QUALITIES),
    PainPoint: ("position", "text", "severity", "status"),
    Measure: ("position", "pain_point_id", "kind", "text"),
    Idea: ("position", "text"),
}


@dataclass(frozen=True)
class Where:
    """Where an item sits in its journey, for the change log."""

    journey_id: int
    stage_id: int | None = None
    step_id: int | None = None


def _get(session: Session, model: type[SQLModel], item_id: int) -> Any:
    item = session.get(model, item_id)
    if item is None or getattr(item, "deleted_at", None) is not None:
        raise NotFoundError("err.not_found", item=f"item.{model.__tablename__}", id=item_id)
    return item


def where(session: Session, item: Any) -> Where:
    if isinstance(item, Journey):
        return Where(item.id)
    if isinstance(item, Stage):
        return Where(item.journey_id, item.id)
    if isinstance(item, Step):
        stage = session.get(Stage, item.stage_id)
        return Where(stage.journey_id, stage.id, item.id)
    if isinstance(item, Measure):
        return where(session, session.get(PainPoint, item.pain_point_id))
    return where(session, session.get(Step, item.step_id))  # pain point, idea


def _values(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in LOGGED_FIELDS[type(item)]}


def _log(session: Session, place: Where, item: Any, action: str, user: str,
         old: dict | None = None, new: dict | None = None) -> None:
    session.add(ChangeLog(user=user, journey_id=place.journey_id, stage_id=place.stage_id, step_id=place.step_id,
                          item_type=item.__tablename__, item_id=item.id, action=action, old=old, new=new))


def _check_version(item: Any, version: int | None) -> None:
    """Refuse an edit that was based on an older version of the row."""
    if version is not None and not v.is_blank(version) and int(version) != item.version:
        raise ConflictError(
            "err.conflict", item=f"item.{item.__tablename__}", id=item.id,
            by=item.updated_by or "?", mine=int(version), current=item.version,
        )


def _create(session: Session, item: Any, user: str, *, log: bool = True) -> Any:
    """Add a new row, stamped and (unless the caller logs it later, once
    its place is final) logged."""
    item.created_by = item.updated_by = user
    if isinstance(item, PainPoint) and item.status == "resolved":
        item.resolved_at = utcnow()
    session.add(item)
    session.flush()
    if log:
        _log_created(session, item, user)
    return item


def log_import(session: Session, journey: Journey, user: str, **details: Any) -> None:
    """One log entry for a journey made in bulk (template, import, sample)."""
    _log(session, Where(journey.id), journey, "create", user, new={**_values(journey), **details})


def _log_created(session: Session, item: Any, user: str) -> None:
    _log(session, where(session, item), item, "create", user, new=_values(item))


def _apply(session: Session, item: Any, values: dict[str, Any], user: str) -> bool:
    """Set changed fields; stamp, version and log the row only if something
    changed."""
    old, new = {}, {}
    for name, value in values.items():
        if getattr(item, name) != value:
            old[name], new[name] = getattr(item, name), value
            setattr(item, name, value)
    if not new:
        return False
    if isinstance(item, PainPoint) and "status" in new:
        item.resolved_at = utcnow() if item.status == "resolved" else None
    item.updated_at = utcnow()
    item.updated_by = user
    item.version += 1
    _log(session, where(session, item), item, "update", user, old=old, new=new)
    return True


def _remove(session: Session, item: Any, user: str) -> None:
    """Stages and sub-steps go to the bin (everything under them stays
    attached); other rows are deleted, their last values kept in the log."""
    place = where(session, item)
    _log(session, place, item, "delete", user, old=_values(item))
    if hasattr(item, "deleted_at"):
        item.deleted_at, item.deleted_by = utcnow(), user
        item.version += 1
    else:
        session.delete(item)


def _next_position(session: Session, model: type[SQLModel], parent_field: str, parent_id: int) -> int:
    query = select(func.max(model.position)).where(getattr(model, parent_field) == parent_id)
    if hasattr(model, "deleted_at"):
        query = query.where(model.deleted_at.is_(None))
    return (session.exec(query).one() or 0) + 1


def _touch(session: Session, journey_id: int) -> None:
    """Raise the journey's revision: something in its map changed."""
    note_journey(session, journey_id)
    session.exec(update(Journey).where(Journey.id == journey_id).values(revision=Journey.revision + 1))


def journey_revision(session: Session, journey_id: int) -> int:
    """The journey's current revision, read fresh from the database."""
    revision = session.exec(select(Journey.revision).where(Journey.id == journey_id)).first()
    if revision is None:
        raise NotFoundError("err.not_found", item="item.journey", id=journey_id)
    return revision


def _commit(session: Session) -> None:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise


# ---------------------------------------------------------------- journeys


def list_journeys(session: Session) -> list[Journey]:
    return list(session.exec(select(Journey).order_by(Journey.name, Journey.id)))


def get_journey(session: Session, journey_id: int) -> Journey:
    return _get(session, Journey, journey_id)


@write_service("map.edit")
def create_journey(session: Session, *, name: str, description: str = "", user: str) -> Journey:
    values = v.clean_row({"name": name, "description": description}, JOURNEY_FIELDS)
    journey = _create(session, Journey(**values), user)
    _commit(session)
    return journey


@write_service("map.edit")
def update_journey(session: Session, *, journey_id: int, name: str, description: str,
                   version: int | None = None, user: str) -> Journey:
    journey = _get(session, Journey, journey_id)
    _check_version(journey, version)
    values = v.clean_row({"name": name, "description": description}, JOURNEY_FIELDS)
    if _apply(session, journey, values, user):
        journey.revision += 1
    _commit(session)
    return journey


@write_service("journey.delete")
def delete_journey(session: Session, *, journey_id: int, user: str) -> None:
    journey = _get(session, Journey, journey_id)
    _log(session, Where(journey.id), journey, "delete", user, old=_values(journey))
    session.delete(journey)
    _commit(session)


# ---------------------------------------------------------------- stages


@write_service("map.edit")
def add_stage(session: Session, *, journey_id: int, name: str, description: str = "",
              phase: str = "", user: str) -> Stage:
    _get(session, Journey, journey_id)
    values = v.clean_row({"name": name, "description": description, "phase": phase}, STAGE_FIELDS)
    position = _next_position(session, Stage, "journey_id", journey_id)
    stage = _create(session, Stage(journey_id=journey_id, position=position, **values), user)
    _touch(session, journey_id)
    _commit(session)
    return stage


@write_service("map.edit")
def update_stage(session: Session, *, stage_id: int, version: int | None = None, user: str, **values) -> Stage:
    stage = _get(session, Stage, stage_id)
    _check_version(stage, version)
    if _apply(session, stage, v.clean_row(values, STAGE_FIELDS, partial=True), user):
        _touch(session, stage.journey_id)
    _commit(session)
    return stage


@write_service("map.edit")
def move_stage(session: Session, *, stage_id: int, offset: int, user: str) -> Stage:
    """Move a stage up (offset < 0) or down (offset > 0) in its journey."""
    stage = _get(session, Stage, stage_id)
    _move(session, list_stages(session, stage.journey_id), stage, offset, user)
    _touch(session, stage.journey_id)
    _commit(session)
    return stage


@write_service("map.edit")
def delete_stage(session: Session, *, stage_id: int, user: str) -> None:
    """Move a stage, with everything under it, to the bin."""
    stage = _get(session, Stage, stage_id)
    _remove(session, stage, user)
    session.flush()
    _renumber(session, list_stages(session, stage.journey_id), user)
    _touch(session, stage.journey_id)
    _commit(session)


def list_stages(session: Session, journey_id: int) -> list[Stage]:
    query = (select(Stage).where(Stage.journey_id == journey_id, Stage.deleted_at.is_(None))
             .order_by(Stage.position, Stage.id))
    return list(session.exec(query))


# ---------------------------------------------------------------- steps


@write_service("map.edit")
def add_step(session: Session, *, stage_id: int, name: str, user: str, **values) -> Step:
    stage = _get(session, Stage, stage_id)
    clean = v.clean_row({"name": name, **values}, STEP_FIELDS)
    position = _next_position(session, Step, "stage_id", stage_id)
    step = _create(session, Step(stage_id=stage_id, position=position, **clean), user)
    _touch(session, stage.journey_id)
    _commit(session)
    return step


@write_service("map.edit")
def update_step(session: Session, *, step_id: int, version: int | None = None, user: str, **values) -> Step:
    step = _get(session, Step, step_id)
    _check_version(step, version)
    if _apply(session, step, v.clean_row(values, STEP_FIELDS, partial=True), user):
        _touch(session, where(session, step).journey_id)
    _commit(session)
    return step


@write_service("map.edit")
def move_step(session: Session, *, step_id: int, offset: int, user: str) -> Step:
    step = _get(session, Step, step_id)
    _move(session, list_steps(session, step.stage_id), step, offset, user)
    _touch(session, where(session, step).journey_id)
    _commit(session)
    return step


@write_service("map.edit")
def delete_step(session: Session, *, step_id: int, user: str) -> None:
    """Move a sub-step, with everything under it, to the bin."""
    step = _get(session, Step, step_id)
    _remove(session, step, user)
    session.flush()
    _renumber(session, list_steps(session, step.stage_id), user)
    _touch(session, where(session, step).journey_id)
    _commit(session)


def list_steps(session: Session, stage_id: int) -> list[Step]:
    query = (select(Step).where(Step.stage_id == stage_id, Step.deleted_at.is_(None))
             .order_by(Step.position, Step.id))
    return list(session.exec(query))


# ---------------------------------------------------------------- pain points, measures, ideas


@write_service("map.edit")
def add_pain_point(session: Session, *, step_id: int, text: str, severity: int = 3,
                   status: str = "open", user: str) -> PainPoint:
    pain = new_pain_point(session, step_id=step_id, text=text, severity=severity, status=status, user=user)
    _commit(session)
    return pain


def new_pain_point(session: Session, *, step_id: int, text: str, severity: int = 3, status: str = "open",
                   user: str) -> PainPoint:
    """A pain point added at the end of its sub-step, in the caller's
    transaction (the caller checks the role and commits)."""
    _get(session, Step, step_id)
    clean = v.clean_row({"text": text, "severity": severity, "status": status}, PAIN_FIELDS)
    position = _next_position(session, PainPoint, "step_id", step_id)
    pain = _create(session, PainPoint(step_id=step_id, position=position, **clean), user)
    _touch(session, where(session, pain).journey_id)
    return pain


@write_service("map.edit")
def update_pain_point(session: Session, *, pain_point_id: int, version: int | None = None,
                      user: str, **values) -> PainPoint:
    pain = _get(session, PainPoint, pain_point_id)
    _check_version(pain, version)
    if _apply(session, pain, v.clean_row(values, PAIN_FIELDS, partial=True), user):
        _touch(session, where(session, pain).journey_id)
    _commit(session)
    return pain


@write_service("map.edit")
def delete_pain_point(session: Session, *, pain_point_id: int, user: str) -> None:
    pain = _get(session, PainPoint, pain_point_id)
    journey_id = where(session, pain).journey_id
    _remove(session, pain, user)
    _touch(session, journey_id)
    _commit(session)


@write_service("map.edit")
def add_measure(session: Session, *, pain_point_id: int, text: str, kind: str = "fix", user: str) -> Measure:
    _get(session, PainPoint, pain_point_id)
    clean = v.clean_row({"text": text, "kind": kind}, MEASURE_FIELDS)
    position = _next_position(session, Measure, "pain_point_id", pain_point_id)
    measure = _create(session, Measure(pain_point_id=pain_point_id, position=position, **clean), user)
    _touch(session, where(session, measure).journey_id)
    _commit(session)
    return measure


@write_service("map.edit")
def add_idea(session: Session, *, step_id: int, text: str, user: str) -> Idea:
    _get(session, Step, step_id)
    clean = v.clean_row({"text": text}, IDEA_FIELDS)
    idea = _create(session, Idea(step_id=step_id, position=_next_position(session, Idea, "step_id", step_id),
                                 **clean), user)
    _touch(session, where(session, idea).journey_id)
    _commit(session)
    return idea


def list_pain_points(session: Session, step_id: int) -> list[PainPoint]:
    query = select(PainPoint).where(PainPoint.step_id == step_id).order_by(PainPoint.position, PainPoint.id)
    return list(session.exec(query))


def list_measures(session: Session, step_id: int) -> list[Measure]:
    query = (select(Measure).join(PainPoint, Measure.pain_point_id == PainPoint.id)
             .where(PainPoint.step_id == step_id)
             .order_by(PainPoint.position, PainPoint.id, Measure.position, Measure.id))
    return list(session.exec(query))


def list_ideas(session: Session, step_id: int) -> list[Idea]:
    return list(session.exec(select(Idea).where(Idea.step_id == step_id).order_by(Idea.position, Idea.id)))


# ---------------------------------------------------------------- ordering


def _renumber(session: Session, items: Sequence[Any], user: str) -> None:
    for number, item in enumerate(items, start=1):
        if item.position != number:
            _apply(session, item, {"position": number}, user)


def _move(session: Session, siblings: list[Any], item: Any, offset: int, user: str) -> None:
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    target = max(0, min(len(siblings) - 1, index + offset))
    siblings.insert(target, siblings.pop(index))
    _renumber(session, siblings, user)


# ---------------------------------------------------------------- what a delete takes with it


@dataclass
class DeletionImpact:
    steps: int = 0
    pain_points: int = 0
    measures: int = 0
    ideas: int = 0


def stage_deletion_impact(session: Session, stage_ids: Iterable[int]) -> DeletionImpact:
    ids = list(stage_ids)
    query = select(Step.id).where(Step.stage_id.in_(ids), Step.deleted_at.is_(None))
    step_ids = list(session.exec(query)) if ids else []
    impact = step_deletion_impact(session, step_ids)
    impact.steps = len(step_ids)
    return impact


def step_deletion_impact(session: Session, step_ids: Iterable[int]) -> DeletionImpact:
    ids = list(step_ids)
    if not ids:
        return DeletionImpact()
    pains = session.exec(select(func.count()).select_from(PainPoint).where(PainPoint.step_id.in_(ids))).one()
    measures = session.exec(
        select(func.count()).select_from(Measure).join(PainPoint, Measure.pain_point_id == PainPoint.id)
        .where(PainPoint.step_id.in_(ids))
    ).one()
    ideas = session.exec(select(func.count()).select_from(Idea).where(Idea.step_id.in_(ids))).one()
    return DeletionImpact(steps=len(ids), pain_points=pains, measures=measures, ideas=ideas)


# ---------------------------------------------------------------- the bin


@dataclass
class BinItem:
    item_type: str  # "stage", "step" or "task"
    item: Any
    stage_name: str  # for a sub-step: its stage
    impact: DeletionImpact


def list_bin(session: Session, journey_id: int) -> list[BinItem]:
    """Deleted stages and sub-steps of a journey, newest first."""
    items: list[BinItem] = []
    stages = session.exec(select(Stage).where(Stage.journey_id == journey_id, Stage.deleted_at.is_not(None)))
    for stage in stages:
        items.append(BinItem("stage", stage, stage.name, stage_deletion_impact(session, [stage.id])))
    steps = session.exec(select(Step, Stage.name).join(Stage)
                         .where(Stage.journey_id == journey_id, Step.deleted_at.is_not(None)))
    for step, stage_name in steps:
        items.append(BinItem("step", step, stage_name, step_deletion_impact(session, [step.id])))
    tasks = session.exec(select(Task, Stage.name).join(Step, Task.step_id == Step.id).join(Stage)
                         .where(Task.journey_id == journey_id, Task.deleted_at.is_not(None)))
    for task, stage_name in tasks:
        items.append(BinItem("task", task, stage_name, DeletionImpact()))
    items.sort(key=lambda entry: entry.item.deleted_at, reverse=True)
    return items


@write_service("bin.restore")
def restore_from_bin(session: Session, *, item_type: str, item_id: int, user: str) -> Any:
    """Bring a stage or sub-step back, with everything under it, at the
    place it had. A sub-step whose stage is itself in the bin comes back
    when that stage does."""
    model = {"stage": Stage, "step": Step, "task": Task}.get(item_type)
    if model is Task:  # tasks belong to the plan: who may delete them may bring them back
        authorize(session, user, "plan.edit")
    item = session.get(model, item_id) if model else None
    if item is None or item.deleted_at is None:
        raise NotFoundError("err.not_found", item=f"item.{item_type}", id=item_id)
    item.deleted_at, item.deleted_by = None, ""
    item.version += 1
    item.updated_by, item.updated_at = user, utcnow()
    session.flush()
    if model is Task:
        step = session.get(Step, item.step_id)
        place = Where(item.journey_id, step.stage_id, step.id)
        _log(session, place, item, "restore", user)
        _touch(session, item.journey_id)
        _commit(session)
        return item
    siblings = list_stages(session, item.journey_id) if model is Stage else list_steps(session, item.stage_id)
    others = [s for s in siblings if s.id != item.id]
    others.insert(min(max(item.position - 1, 0), len(others)), item)
    _renumber(session, others, user)
    place = where(session, item)
    _log(session, place, item, "restore", user, new=_values(item))
    _touch(session, place.journey_id)
    _commit(session)
    return item


# ---------------------------------------------------------------- history


def history(session: Session, *, journey_id: int, stage_id: int | None = None, step_id: int | None = None,
            after_id: int | None = None, limit: int = 200) -> list[ChangeLog]:
    """Changes, newest first: of a whole journey (its activity feed), of a
    stage and everything in it, or of a sub-step and everything in it;
    with `after_id`, only those logged after that entry."""
    query = select(ChangeLog).where(ChangeLog.journey_id == journey_id)
    if after_id is not None:
        query = query.where(ChangeLog.id > after_id)
    if stage_id is not None:
        query = query.where(ChangeLog.stage_id == stage_id)
    if step_id is not None:
        query = query.where(ChangeLog.step_id == step_id)
    return list(session.exec(query.order_by(ChangeLog.id.desc()).limit(limit)))


def latest_change_id(session: Session, journey_id: int) -> int:
    """The newest change-log entry of a journey (0 if none): a mark to
    ask later what changed since."""
    return session.exec(select(func.max(ChangeLog.id)).where(ChangeLog.journey_id == journey_id)).one() or 0


# ---------------------------------------------------------------- grid saves


@dataclass
class RowChanges:
    """What a grid editor changed: new rows, edited rows by id (each may
    carry the `version` it was loaded at), and ids of deleted rows. `row`
    numbers for error messages are 1-based, as the person sees them."""

    added: list[dict[str, Any]] = field(default_factory=list)
    updated: dict[int, dict[str, Any]] = field(default_factory=dict)
    deleted: list[int] = field(default_factory=list)
    row_numbers: dict[Any, int] = field(default_factory=dict)  # id or ("new", i) -> row

    def is_empty(self) -> bool:
        return not (self.added or self.updated or self.deleted)


@dataclass
class SaveResult:
    added: int = 0
    updated: int = 0
    deleted: int = 0
    moved: int = 0  # rows the person gave a new position that now stand elsewhere
    new_ids: list[int] = field(default_factory=list)
    versions: dict[int, int] = field(default_factory=dict)  # id -> version after the save, of every row it changed


@dataclass(frozen=True)
class _Level:
    model: type[SQLModel]
    parent_field: str
    specs: list[v.FieldSpec]
    ordered_by_user: bool  # the grid shows and edits a position number


STAGE_LEVEL = _Level(Stage, "journey_id", STAGE_FIELDS, True)
STEP_LEVEL = _Level(Step, "stage_id", STEP_FIELDS, True)
PAIN_LEVEL = _Level(PainPoint, "step_id", PAIN_FIELDS, False)
IDEA_LEVEL = _Level(Idea, "step_id", IDEA_FIELDS, False)


@write_service("map.edit")
def save_stages(session: Session, *, journey_id: int, changes: RowChanges, user: str) -> SaveResult:
    _get(session, Journey, journey_id)
    return _save_level(session, STAGE_LEVEL, journey_id, changes, user, journey_id)


@write_service("map.edit")
def save_steps(session: Session, *, stage_id: int, changes: RowChanges, user: str) -> SaveResult:
    stage = _get(session, Stage, stage_id)
    return _save_level(session, STEP_LEVEL, stage_id, changes, user, stage.journey_id)


@write_service("map.edit")
def save_pain_points(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    step = _get(session, Step, step_id)
    return _save_level(session, PAIN_LEVEL, step_id, changes, user, where(session, step).journey_id)


@write_service("map.edit")
def save_ideas(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    step = _get(session, Step, step_id)
    return _save_level(session, IDEA_LEVEL, step_id, changes, user, where(session, step).journey_id)


@write_service("map.edit")
def save_measures(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    """Measures of all pain points of one sub-step; each row names its
    pain point by `pain_point_id`, which must belong to this sub-step."""
    step = _get(session, Step, step_id)
    allowed = set(session.exec(select(PainPoint.id).where(PainPoint.step_id == step_id)))

    def check_parent(values: dict[str, Any], row: int | None) -> None:
        if "pain_point_id" in values and values["pain_point_id"] not in allowed:
            raise v.located(v.FieldProblem("err.pick_pain_point"), column="col.pain_point", row=row)

    mine = set(session.exec(select(Measure.id).join(PainPoint).where(PainPoint.step_id == step_id)))
    return _save_rows(session, Measure, MEASURE_FIELDS, changes, user, owned_ids=mine,
                      journey_id=where(session, step).journey_id, extra_check=check_parent,
                      parent_field="pain_point_id", parent_id=None)


def _save_level(session: Session, level: _Level, parent_id: int, changes: RowChanges, user: str,
                journey_id: int) -> SaveResult:
    query = select(level.model.id).where(getattr(level.model, level.parent_field) == parent_id)
    if hasattr(level.model, "deleted_at"):
        query = query.where(level.model.deleted_at.is_(None))
    return _save_rows(session, level.model, level.specs, changes, user, owned_ids=set(session.exec(query)),
                      journey_id=journey_id, parent_field=level.parent_field, parent_id=parent_id,
                      user_positions=level.ordered_by_user)


def _save_rows(session: Session, model: type[SQLModel], specs: list[v.FieldSpec], changes: RowChanges,
               user: str, *, owned_ids: set[int], journey_id: int, parent_field: str, parent_id: int | None,
               user_positions: bool = False, extra_check=None) -> SaveResult:
    """Check every row first, then apply all, then commit once: a grid save
    is all or nothing."""
    rows = changes.row_numbers
    positions: dict[Any, int] = {}

    def check(values: dict[str, Any], key: Any, partial: bool) -> dict[str, Any]:
        row = rows.get(key)
        clean = v.clean_row(values, specs, row=row, partial=partial)
        if extra_check:
            extra_check(values, row)
            if "pain_point_id" in values:
                clean["pain_point_id"] = values["pain_point_id"]
        if user_positions and not v.is_blank(values.get("position")):
            try:
                positions[key] = POSITION_CHECK(values.get("position"))
            except v.FieldProblem as problem:
                raise v.located(problem, column="col.position", row=row) from None
        return clean

    for item_id in list(changes.updated) + list(changes.deleted):
        if item_id not in owned_ids:
            raise NotFoundError("err.not_found", item=f"item.{model.__tablename__}", id=item_id)
    new_rows = [check(values, ("new", i), partial=False) for i, values in enumerate(changes.added)]
    edits = {item_id: check(values, item_id, partial=True) for item_id, values in changes.updated.items()
             if item_id not in changes.deleted}

    result = SaveResult()
    touched = []
    for item_id in changes.deleted:
        item = session.get(model, item_id)
        _check_version(item, changes.updated.get(item_id, {}).get("version"))
        _remove(session, item, user)
        result.deleted += 1
    session.flush()
    for item_id, values in edits.items():
        item = session.get(model, item_id)
        _check_version(item, changes.updated[item_id].get("version"))
        result.updated += int(_apply(session, item, values, user))
        touched.append(item)
    new_items = []
    for i, values in enumerate(new_rows):
        if parent_id is not None:
            values[parent_field] = parent_id
        item = model(**values)
        if parent_id is None:  # measures: after the pain point's last one
            item.position = _next_position(session, model, parent_field, getattr(item, parent_field))
        new_items.append((("new", i), _create(session, item, user, log=False)))
    result.added = len(new_items)
    result.new_ids = [item.id for _, item in new_items]
    if parent_id is not None:
        asked = {key: session.get(model, key).position for key in positions if not isinstance(key, tuple)}
        touched += _reorder(session, model, owned_ids - set(changes.deleted), new_items, positions, user)
        result.moved = sum(1 for key, old in asked.items() if session.get(model, key).position != old)
    for _, item in new_items:
        _log_created(session, item, user)
        touched.append(item)
    _touch(session, journey_id)
    session.flush()
    result.versions = {item.id: item.version for item in touched}
    _commit(session)
    return result


def _reorder(session: Session, model, kept_ids: set[int], new_items: list, positions: dict[Any, int],
             user: str) -> None:
    """Number rows 1..n. A row given a new number goes before the row that
    had that number when it moved up, after it when it moved down; new rows
    without a number go last."""
    existing = [session.get(model, i) for i in kept_ids]
    existing.sort(key=lambda item: (item.position, item.id))
    keyed = []
    for index, item in enumerate(existing):
        old = item.position
        wanted = positions.get(item.id, old)
        tie = 1 if wanted == old else (0 if wanted < old else 2)
        keyed.append(((wanted, tie, index), item))
    tail = len(existing) + 1
    for n, (key, item) in enumerate(new_items):
        keyed.append(((positions.get(key, tail + n), 3, n), item))
    keyed.sort(key=lambda pair: pair[0])
    changed = []
    for number, (_, item) in enumerate(keyed, start=1):
        if item.position != number:
            if item.id in kept_ids:
                _apply(session, item, {"position": number}, user)
                changed.append(item)
            else:
                item.position = number
    return changed


# ---------------------------------------------------------------- the whole map at once


@dataclass
class StepView:
    step: Step
    pain_points: list[PainPoint] = field(default_factory=list)
    measures: dict[int, list[Measure]] = field(default_factory=dict)  # by pain point id
    ideas: list[Idea] = field(default_factory=list)


@dataclass
class StageView:
    stage: Stage
    steps: list[StepView] = field(default_factory=list)

    @property
    def open_pain_points(self) -> int:
        return sum(1 for s in self.steps for p in s.pain_points if p.status == "open")


@dataclass
class JourneyTree:
    journey: Journey
    stages: list[StageView] = field(default_factory=list)

    def all_steps(self) -> list[tuple[StageView, StepView]]:
        return [(stage, step) for stage in self.stages for step in stage.steps]


StepRead, _STEP = read_type(Step)
PainRead, _PAIN = read_type(PainPoint)
MeasureRead, _MEASURE = read_type(Measure)
IdeaRead, _IDEA = read_type(Idea)


def _read(session: Session, kind: type, query) -> list:
    return [kind._make(row) for row in session.execute(query)]


def load_journey_tree(session: Session, journey_id: int) -> JourneyTree:
    """The whole map in five queries, whatever its size."""
    journey = _get(session, Journey, journey_id)
    stages = list_stages(session, journey_id)
    stage_ids = [s.id for s in stages]
    live = (Stage.journey_id == journey_id, Stage.deleted_at.is_(None), Step.deleted_at.is_(None))
    # Plain rows below the stages: a large map has thousands (see cem.core.reads).
    steps = _read(session, StepRead, select(*_STEP).join(Stage).where(*live).order_by(Step.position, Step.id))
    pains = _read(session, PainRead, select(*_PAIN).join(Step).join(Stage).where(*live)
                  .order_by(PainPoint.position, PainPoint.id))
    measures = _read(session, MeasureRead, select(*_MEASURE).join(PainPoint).join(Step).join(Stage).where(*live)
                     .order_by(Measure.position, Measure.id))
    ideas = _read(session, IdeaRead, select(*_IDEA).join(Step).join(Stage).where(*live)
                  .order_by(Idea.position, Idea.id))

    stage_views = {s.id: StageView(s) for s in stages}
    step_views: dict[int, StepView] = {}
    for step in steps:
        step_views[step.id] = StepView(step)
        stage_views[step.stage_id].steps.append(step_views[step.id])
    for pain in pains:
        step_views[pain.step_id].pain_points.append(pain)
        step_views[pain.step_id].measures[pain.id] = []
    pain_step = {p.id: p.step_id for p in pains}
    for measure in measures:
        step_views[pain_step[measure.pain_point_id]].measures[measure.pain_point_id].append(measure)
    for idea in ideas:
        step_views[idea.step_id].ideas.append(idea)
    return JourneyTree(journey, [stage_views[i] for i in stage_ids])


def journey_counts(session: Session) -> dict[int, dict[str, int]]:
    """For the journey list: stages, steps and open pain points per journey."""
    counts: dict[int, dict[str, int]] = {}
    stages = select(Stage.journey_id, func.count()).where(Stage.deleted_at.is_(None)).group_by(Stage.journey_id)
    for journey_id, n in session.exec(stages):
        counts.setdefault(journey_id, {})["stages"] = n
    live = (Stage.deleted_at.is_(None), Step.deleted_at.is_(None))
    steps = select(Stage.journey_id, func.count()).join(Step).where(*live).group_by(Stage.journey_id)
    for journey_id, n in session.exec(steps):
        counts.setdefault(journey_id, {})["steps"] = n
    open_pains = (select(Stage.journey_id, func.count()).select_from(PainPoint).join(Step).join(Stage)
                  .where(PainPoint.status == "open", *live).group_by(Stage.journey_id))
    for journey_id, n in session.exec(open_pains):
        counts.setdefault(journey_id, {})["open_pain_points"] = n
    return counts

