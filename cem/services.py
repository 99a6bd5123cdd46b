"""Every write to the journey map, and the reads the pages need.

Functions take the session first and keyword-only values after it,
including `user`, the acting person's name. Each write checks its input,
applies it in one transaction and commits, or raises a CemError and
changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlalchemy import func, update
from sqlmodel import Session, SQLModel, select

from cem import validation as v
from cem.errors import ConflictError, NotFoundError, ValidationError
from cem.models import (
    EMOTION_MAX, EMOTION_MIN, MEASURE_KINDS, PAIN_STATUSES, PHASES, QUALITIES, RATING_MAX,
    RATING_MIN, SEVERITY_MAX, SEVERITY_MIN, Idea, Journey, Measure, PainPoint, Stage, Step, utcnow,
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

# ---------------------------------------------------------------- helpers


def _get(session: Session, model: type[SQLModel], item_id: int) -> Any:
    item = session.get(model, item_id)
    if item is None:
        raise NotFoundError("err.not_found", item=f"item.{model.__tablename__}", id=item_id)
    return item


def _check_version(item: Any, version: int | None) -> None:
    """Refuse an edit that was based on an older version of the row."""
    if version is not None and int(version) != item.version:
        raise ConflictError(
            "err.conflict", item=f"item.{item.__tablename__}", id=item.id,
            by=item.updated_by or "?", mine=int(version), current=item.version,
        )


def _stamp_new(item: Any, user: str) -> Any:
    item.created_by = item.updated_by = acting_user(user)
    return item


def _apply(item: Any, values: dict[str, Any], user: str) -> bool:
    """Set changed fields; stamp and version the row only if something changed."""
    changed = False
    for name, value in values.items():
        if getattr(item, name) != value:
            setattr(item, name, value)
            changed = True
    if changed:
        item.updated_at = utcnow()
        item.updated_by = acting_user(user)
        item.version += 1
    return changed


def acting_user(user: str) -> str:
    """The acting user's name, checked."""
    name = (user or "").strip()
    if not name:
        raise ValidationError("err.no_user")
    return name[:100]


def _next_position(session: Session, model: type[SQLModel], parent_field: str, parent_id: int) -> int:
    column = getattr(model, parent_field)
    highest = session.exec(select(func.max(model.position)).where(column == parent_id)).one()
    return (highest or 0) + 1


def _touch(session: Session, journey_id: int) -> None:
    """Raise the journey's revision: something in its map changed."""
    session.exec(update(Journey).where(Journey.id == journey_id).values(revision=Journey.revision + 1))


def _journey_of_stage(session: Session, stage_id: int) -> int:
    return _get(session, Stage, stage_id).journey_id


def _journey_of_step(session: Session, step_id: int) -> int:
    return _journey_of_stage(session, _get(session, Step, step_id).stage_id)


def _journey_of_pain_point(session: Session, pain_point_id: int) -> int:
    return _journey_of_step(session, _get(session, PainPoint, pain_point_id).step_id)


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


def create_journey(session: Session, *, name: str, description: str = "", user: str) -> Journey:
    values = v.clean_row({"name": name, "description": description}, JOURNEY_FIELDS)
    journey = _stamp_new(Journey(**values), user)
    session.add(journey)
    _commit(session)
    return journey


def update_journey(session: Session, *, journey_id: int, name: str, description: str,
                   version: int | None = None, user: str) -> Journey:
    journey = _get(session, Journey, journey_id)
    _check_version(journey, version)
    values = v.clean_row({"name": name, "description": description}, JOURNEY_FIELDS)
    if _apply(journey, values, user):
        journey.revision += 1
    _commit(session)
    return journey


def delete_journey(session: Session, *, journey_id: int, user: str) -> None:
    acting_user(user)
    journey = _get(session, Journey, journey_id)
    session.delete(journey)
    _commit(session)


# ---------------------------------------------------------------- stages


def add_stage(session: Session, *, journey_id: int, name: str, description: str = "",
              phase: str = "", user: str) -> Stage:
    _get(session, Journey, journey_id)
    values = v.clean_row({"name": name, "description": description, "phase": phase}, STAGE_FIELDS)
    stage = Stage(journey_id=journey_id, position=_next_position(session, Stage, "journey_id", journey_id), **values)
    session.add(_stamp_new(stage, user))
    _touch(session, journey_id)
    _commit(session)
    return stage


def update_stage(session: Session, *, stage_id: int, version: int | None = None, user: str, **values) -> Stage:
    stage = _get(session, Stage, stage_id)
    _check_version(stage, version)
    if _apply(stage, v.clean_row(values, STAGE_FIELDS, partial=True), user):
        _touch(session, stage.journey_id)
    _commit(session)
    return stage


def move_stage(session: Session, *, stage_id: int, offset: int, user: str) -> Stage:
    """Move a stage up (offset < 0) or down (offset > 0) in its journey."""
    stage = _get(session, Stage, stage_id)
    siblings = list_stages(session, stage.journey_id)
    _move(siblings, stage, offset, user)
    _touch(session, stage.journey_id)
    _commit(session)
    return stage


def delete_stage(session: Session, *, stage_id: int, user: str) -> None:
    acting_user(user)
    stage = _get(session, Stage, stage_id)
    journey_id = stage.journey_id
    session.delete(stage)
    session.flush()
    _renumber(list_stages(session, journey_id), user)
    _touch(session, journey_id)
    _commit(session)


def list_stages(session: Session, journey_id: int) -> list[Stage]:
    return list(session.exec(select(Stage).where(Stage.journey_id == journey_id).order_by(Stage.position, Stage.id)))


# ---------------------------------------------------------------- steps


def add_step(session: Session, *, stage_id: int, name: str, user: str, **values) -> Step:
    _get(session, Stage, stage_id)
    clean = v.clean_row({"name": name, **values}, STEP_FIELDS)
    step = Step(stage_id=stage_id, position=_next_position(session, Step, "stage_id", stage_id), **clean)
    session.add(_stamp_new(step, user))
    _touch(session, _journey_of_stage(session, stage_id))
    _commit(session)
    return step


def update_step(session: Session, *, step_id: int, version: int | None = None, user: str, **values) -> Step:
    step = _get(session, Step, step_id)
    _check_version(step, version)
    if _apply(step, v.clean_row(values, STEP_FIELDS, partial=True), user):
        _touch(session, _journey_of_stage(session, step.stage_id))
    _commit(session)
    return step


def move_step(session: Session, *, step_id: int, offset: int, user: str) -> Step:
    step = _get(session, Step, step_id)
    _move(list_steps(session, step.stage_id), step, offset, user)
    _touch(session, _journey_of_stage(session, step.stage_id))
    _commit(session)
    return step


def delete_step(session: Session, *, step_id: int, user: str) -> None:
    acting_user(user)
    step = _get(session, Step, step_id)
    stage_id = step.stage_id
    session.delete(step)
    session.flush()
    _renumber(list_steps(session, stage_id), user)
    _touch(session, _journey_of_stage(session, stage_id))
    _commit(session)


def list_steps(session: Session, stage_id: int) -> list[Step]:
    return list(session.exec(select(Step).where(Step.stage_id == stage_id).order_by(Step.position, Step.id)))


# ---------------------------------------------------------------- pain points, measures, ideas


def add_pain_point(session: Session, *, step_id: int, text: str, severity: int = 3,
                   status: str = "open", user: str) -> PainPoint:
    _get(session, Step, step_id)
    clean = v.clean_row({"text": text, "severity": severity, "status": status}, PAIN_FIELDS)
    pain = PainPoint(step_id=step_id, position=_next_position(session, PainPoint, "step_id", step_id), **clean)
    session.add(_stamp_new(pain, user))
    _touch(session, _journey_of_step(session, step_id))
    _commit(session)
    return pain


def update_pain_point(session: Session, *, pain_point_id: int, version: int | None = None,
                      user: str, **values) -> PainPoint:
    pain = _get(session, PainPoint, pain_point_id)
    _check_version(pain, version)
    if _apply(pain, v.clean_row(values, PAIN_FIELDS, partial=True), user):
        _touch(session, _journey_of_step(session, pain.step_id))
    _commit(session)
    return pain


def delete_pain_point(session: Session, *, pain_point_id: int, user: str) -> None:
    acting_user(user)
    journey_id = _journey_of_pain_point(session, pain_point_id)
    session.delete(_get(session, PainPoint, pain_point_id))
    _touch(session, journey_id)
    _commit(session)


def add_measure(session: Session, *, pain_point_id: int, text: str, kind: str = "fix", user: str) -> Measure:
    _get(session, PainPoint, pain_point_id)
    clean = v.clean_row({"text": text, "kind": kind}, MEASURE_FIELDS)
    position = _next_position(session, Measure, "pain_point_id", pain_point_id)
    measure = Measure(pain_point_id=pain_point_id, position=position, **clean)
    session.add(_stamp_new(measure, user))
    _touch(session, _journey_of_pain_point(session, pain_point_id))
    _commit(session)
    return measure


def add_idea(session: Session, *, step_id: int, text: str, user: str) -> Idea:
    _get(session, Step, step_id)
    clean = v.clean_row({"text": text}, IDEA_FIELDS)
    idea = Idea(step_id=step_id, position=_next_position(session, Idea, "step_id", step_id), **clean)
    session.add(_stamp_new(idea, user))
    _touch(session, _journey_of_step(session, step_id))
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


def _renumber(items: Sequence[Any], user: str) -> None:
    for number, item in enumerate(items, start=1):
        if item.position != number:
            _apply(item, {"position": number}, user)


def _move(siblings: list[Any], item: Any, offset: int, user: str) -> None:
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    target = max(0, min(len(siblings) - 1, index + offset))
    siblings.insert(target, siblings.pop(index))
    _renumber(siblings, user)


# ---------------------------------------------------------------- what a delete takes with it


@dataclass
class DeletionImpact:
    steps: int = 0
    pain_points: int = 0
    measures: int = 0
    ideas: int = 0


def stage_deletion_impact(session: Session, stage_ids: Iterable[int]) -> DeletionImpact:
    ids = list(stage_ids)
    step_ids = list(session.exec(select(Step.id).where(Step.stage_id.in_(ids)))) if ids else []
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
    new_ids: list[int] = field(default_factory=list)


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


def save_stages(session: Session, *, journey_id: int, changes: RowChanges, user: str) -> SaveResult:
    _get(session, Journey, journey_id)
    return _save_level(session, STAGE_LEVEL, journey_id, changes, user, journey_id)


def save_steps(session: Session, *, stage_id: int, changes: RowChanges, user: str) -> SaveResult:
    return _save_level(session, STEP_LEVEL, stage_id, changes, user, _journey_of_stage(session, stage_id))


def save_pain_points(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    return _save_level(session, PAIN_LEVEL, step_id, changes, user, _journey_of_step(session, step_id))


def save_ideas(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    return _save_level(session, IDEA_LEVEL, step_id, changes, user, _journey_of_step(session, step_id))


def save_measures(session: Session, *, step_id: int, changes: RowChanges, user: str) -> SaveResult:
    """Measures of all pain points of one sub-step; each row names its
    pain point by `pain_point_id`, which must belong to this sub-step."""
    journey_id = _journey_of_step(session, step_id)
    allowed = set(session.exec(select(PainPoint.id).where(PainPoint.step_id == step_id)))

    def check_parent(values: dict[str, Any], row: int | None) -> None:
        if "pain_point_id" in values and values["pain_point_id"] not in allowed:
            raise v.located(v.FieldProblem("err.pick_pain_point"), column="col.pain_point", row=row)

    mine = set(session.exec(select(Measure.id).join(PainPoint).where(PainPoint.step_id == step_id)))
    return _save_rows(session, Measure, MEASURE_FIELDS, changes, user, owned_ids=mine, journey_id=journey_id,
                      extra_check=check_parent, parent_field="pain_point_id", parent_id=None)


def _save_level(session: Session, level: _Level, parent_id: int, changes: RowChanges, user: str,
                journey_id: int) -> SaveResult:
    column = getattr(level.model, level.parent_field)
    owned = set(session.exec(select(level.model.id).where(column == parent_id)))
    return _save_rows(session, level.model, level.specs, changes, user, owned_ids=owned, journey_id=journey_id,
                      parent_field=level.parent_field, parent_id=parent_id, user_positions=level.ordered_by_user)


def _save_rows(session: Session, model: type[SQLModel], specs: list[v.FieldSpec], changes: RowChanges,
               user: str, *, owned_ids: set[int], journey_id: int, parent_field: str, parent_id: int | None,
               user_positions: bool = False, extra_check=None) -> SaveResult:
    """Check every row first, then apply all, then commit once: a grid save
    is all or nothing."""
    acting_user(user)
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
    for item_id in changes.deleted:
        session.delete(session.get(model, item_id))
        result.deleted += 1
    session.flush()
    for item_id, values in edits.items():
        item = session.get(model, item_id)
        _check_version(item, changes.updated[item_id].get("version"))
        result.updated += int(_apply(item, values, user))
    new_items = []
    for i, values in enumerate(new_rows):
        if parent_id is not None:
            values[parent_field] = parent_id
        item = _stamp_new(model(**values), user)
        session.add(item)
        new_items.append(((("new", i)), item))
    session.flush()
    result.added = len(new_items)
    result.new_ids = [item.id for _, item in new_items]
    _reorder(session, model, parent_field, parent_id, owned_ids - set(changes.deleted),
             new_items, positions, user)
    _touch(session, journey_id)
    _commit(session)
    return result


def _reorder(session: Session, model, parent_field: str, parent_id: int | None, kept_ids: set[int],
             new_items: list, positions: dict[Any, int], user: str) -> None:
    """Number rows 1..n. A row given a new number goes before the row that
    had that number when it moved up, after it when it moved down; new rows
    without a number go last."""
    if parent_id is None:  # measures: keep them in entry order per pain point
        for _, item in new_items:
            item.position = _next_position(session, model, parent_field, getattr(item, parent_field))
        return
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
    for number, (_, item) in enumerate(keyed, start=1):
        if item.position != number:
            if item.id in kept_ids:
                _apply(item, {"position": number}, user)
            else:
                item.position = number


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


def load_journey_tree(session: Session, journey_id: int) -> JourneyTree:
    """The whole map in five queries, whatever its size."""
    journey = _get(session, Journey, journey_id)
    stages = list_stages(session, journey_id)
    stage_ids = [s.id for s in stages]
    steps = list(session.exec(
        select(Step).join(Stage).where(Stage.journey_id == journey_id).order_by(Step.position, Step.id)))
    pains = list(session.exec(
        select(PainPoint).join(Step).join(Stage).where(Stage.journey_id == journey_id)
        .order_by(PainPoint.position, PainPoint.id)))
    measures = list(session.exec(
        select(Measure).join(PainPoint).join(Step).join(Stage).where(Stage.journey_id == journey_id)
        .order_by(Measure.position, Measure.id)))
    ideas = list(session.exec(
        select(Idea).join(Step).join(Stage).where(Stage.journey_id == journey_id).order_by(Idea.position, Idea.id)))

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
    for journey_id, n in session.exec(select(Stage.journey_id, func.count()).group_by(Stage.journey_id)):
        counts.setdefault(journey_id, {})["stages"] = n
    for journey_id, n in session.exec(select(Stage.journey_id, func.count()).join(Step).group_by(Stage.journey_id)):
        counts.setdefault(journey_id, {})["steps"] = n
    open_pains = (select(Stage.journey_id, func.count()).select_from(PainPoint).join(Step).join(Stage)
                  .where(PainPoint.status == "open").group_by(Stage.journey_id))
    for journey_id, n in session.exec(open_pains):
        counts.setdefault(journey_id, {})["open_pain_points"] = n
    return counts

