"""What to fix first: every open pain point and every idea of a journey
with its customer impact and the team's estimate of the effort, both from
1 to 5, and putting the chosen ones into next month's 30/20/10 plan.

The customer impact (see `impact`, and the catalogue's prio.formula):

    impact = start + report points + money point, at most 5

- start: a pain point's severity (1-5); an idea has none and starts at 3,
  the middle;
- report points: what customers said about it, voices (feedback given as
  evidence for the pain point) and complaints about it together: 0 for
  none, 1 for 1 to 4, 2 for 5 or more. An idea has no voices or complaints
  of its own: it takes those of its sub-step (feedback there with a
  negative sentiment, and every complaint there);
- money point: 1 when the revenue at risk (the last 12 months' revenue of
  the distinct customers behind those complaints, as on the complaints
  page) is at least 1 % of the last 12 months' revenue of all customers.

A value the team sets by hand (`impact_by_hand`) replaces the computed one.
Items are listed highest impact first; equal impact, least effort first
(not estimated yet: last).

A pain point becomes a task through its first fix measure (by position;
without one, its first prevention measure): the task is made from the
measure, at the pain point's sub-step, titled by the measure. A pain point
without any measure cannot be planned yet (the method asks for a way to
prevent or fix it first). A pain point is planned when a task (not in the
bin, not cancelled) was made from any of its measures; an idea, when a
task was made from it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Iterable

from sqlalchemy import func, select
from sqlmodel import Session

from cem.core import months
from cem.core import validation as v
from cem.core.errors import NotFoundError, ValidationError
from cem.core.models import EFFORT_MAX, EFFORT_MIN, Commitment, Feedback, Idea, Measure, PainPoint, Stage, Step, Task
from cem.core.text import shorten
from cem.customers import analysis
from cem.customers.complaints import revenue_at_risk
from cem.customers.profile import last_12_months
from cem.improvement import plan
from cem.journey import services
from cem.journey.services import _apply, _check_version, _commit, _create, _log, _touch, _values, write_service

KINDS = ("painpoint", "idea")
IDEA_START = 3  # an idea has no severity: it starts in the middle
MANY_REPORTS = 5  # voices and complaints together from which an item gets 2 report points
MONEY_SHARE = 0.01  # revenue at risk from which an item gets the money point, as a share of all revenue
IMPACT_MAX = 5
FIELDS = [
    v.FieldSpec("effort", "prio.col.effort", v.whole_number(EFFORT_MIN, EFFORT_MAX)),
    v.FieldSpec("impact_by_hand", "prio.col.impact_by_hand", v.whole_number(1, IMPACT_MAX)),
]


# ---------------------------------------------------------------- the impact


@dataclass(frozen=True)
class Impact:
    """An item's customer impact with the parts it is made of."""

    value: int  # what counts: the value set by hand if there is one, else the computed one
    computed: int
    by_hand: int | None
    start: int  # the severity, or IDEA_START for an idea
    severity: int | None  # None for an idea
    voices: int
    complaints: int
    report_points: int
    revenue: float  # baht at risk, last 12 months
    total_revenue: float  # baht, last 12 months, all customers
    money_point: int

    @property
    def reports(self) -> int:
        return self.voices + self.complaints

    @property
    def revenue_share(self) -> float | None:
        """The revenue at risk as a share of all revenue (0-1); None without revenue."""
        return self.revenue / self.total_revenue if self.total_revenue > 0 else None


def impact(*, severity: int | None, voices: int, complaints: int, revenue: float, total_revenue: float,
           by_hand: int | None = None) -> Impact:
    """The customer impact, 1 to 5, and its parts (see the module's note);
    `severity` None for an idea."""
    start = IDEA_START if severity is None else int(severity)
    reports = voices + complaints
    report_points = 0 if reports == 0 else 1 if reports < MANY_REPORTS else 2
    money_point = int(total_revenue > 0 and revenue > 0 and revenue >= MONEY_SHARE * total_revenue)
    computed = max(1, min(IMPACT_MAX, start + report_points + money_point))
    return Impact(by_hand if by_hand is not None else computed, computed, by_hand, start, severity, voices,
                  complaints, report_points, float(revenue), float(total_revenue), money_point)


def explain(found: Impact, tr: Callable[..., str]) -> str:
    """The impact worked out in words, with its numbers: for the matrix's tooltip."""
    share = found.revenue_share
    text = tr("prio.explain.idea" if found.severity is None else "prio.explain.painpoint",
              start=found.start, reports=found.reports, voices=found.voices, complaints=found.complaints,
              report_points=found.report_points, share="–" if share is None else f"{100 * share:.1f}%",
              money_point=found.money_point, computed=found.computed)
    if found.by_hand is not None:
        text += " " + tr("prio.explain.by_hand", by_hand=found.by_hand, computed=found.computed)
    return text


# ---------------------------------------------------------------- setting effort and impact


def _item(session: Session, kind: str, item_id: Any, journey_id: int) -> PainPoint | Idea:
    """A pain point or idea of the journey, on a live sub-step."""
    if kind not in KINDS:
        raise ValidationError("err.field", column="prio.col.kind", problem="err.choice", options=", ".join(KINDS),
                              value=str(kind)[:40])
    model = PainPoint if kind == "painpoint" else Idea
    try:
        key = v.whole_number(1, 2**31 - 1, required=True)(item_id)
    except v.FieldProblem:
        key = None
    item = session.get(model, key) if key else None
    step = session.get(Step, item.step_id) if item is not None else None
    stage = session.get(Stage, step.stage_id) if step is not None else None
    if (stage is None or stage.journey_id != journey_id or step.deleted_at is not None
            or stage.deleted_at is not None):
        raise NotFoundError("err.not_found", item=f"item.{model.__tablename__}", id=item_id)
    return item


@write_service("map.edit")
def set_priority(session: Session, *, journey_id: int, kind: str, item_id: int, version: int | None = None,
                 user: str, **values: Any) -> PainPoint | Idea:
    """Set a pain point's or an idea's `effort` (1-5, the team's estimate)
    and/or `impact_by_hand` (1-5, replacing the computed impact); blank
    clears either. Refused if the item changed since `version`."""
    item = _item(session, kind, item_id, journey_id)
    _check_version(item, version)
    unknown = set(values) - {spec.name for spec in FIELDS}
    if unknown:
        raise TypeError(f"set_priority() cannot change {sorted(unknown)}")
    if _apply(session, item, v.clean_row(values, FIELDS, partial=True), user):
        _touch(session, journey_id)
    _commit(session)
    return item


# ---------------------------------------------------------------- the matrix


@dataclass(frozen=True)
class PriorityItem:
    kind: str  # "painpoint" or "idea"
    id: int
    version: int
    text: str
    stage_id: int
    stage_name: str
    step_id: int
    step_name: str
    severity: int | None  # None for an idea
    status: str  # a pain point's status; "" for an idea
    effort: int | None  # None: not estimated yet
    impact: Impact
    task_ids: tuple[int, ...]  # tasks made from it (not in the bin, not cancelled)
    measures: int  # a pain point's measures (0: it cannot be planned yet); 0 for an idea
    order: tuple = ()  # where it sits on the map, for sorting

    @property
    def planned(self) -> bool:
        return bool(self.task_ids)

    @property
    def plannable(self) -> bool:
        """Whether plan_next_month can take it."""
        return not self.planned and (self.kind == "idea" or (self.measures > 0 and self.status != "resolved"))


def _total_revenue(session: Session, today: date) -> float:
    first, last = last_12_months(today)
    _, revenue = analysis.revenue_per_customer(session, analysis.Period(months.first_day(first),
                                                                        months.last_day(last)))
    return float(revenue[revenue > 0].sum())


def _tasks(session: Session, journey_id: int) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Live, not cancelled tasks of the journey by measure and by idea."""
    by_measure: dict[int, list[int]] = defaultdict(list)
    by_idea: dict[int, list[int]] = defaultdict(list)
    for task_id, measure_id, idea_id in session.execute(
            select(Task.id, Task.measure_id, Task.idea_id).where(Task.journey_id == journey_id,
                                                                Task.deleted_at.is_(None), Task.status != "cancelled")
            .order_by(Task.id)):
        if measure_id is not None:
            by_measure[measure_id].append(task_id)
        if idea_id is not None:
            by_idea[idea_id].append(task_id)
    return by_measure, by_idea


def matrix(session: Session, journey_id: int, *, today: date | None = None,
           include_resolved: bool = False) -> list[PriorityItem]:
    """Every open pain point (with `include_resolved`, the resolved ones
    too) and every idea of the journey's live stages and sub-steps, with
    impact, effort, the impact's parts, where they are and whether they
    have a task: highest impact first, then least effort (not estimated:
    last), then in map order."""
    today = today or date.today()
    tree = services.load_journey_tree(session, journey_id)
    pains = [(stage, step, pain) for stage, step in tree.all_steps() for pain in step.pain_points
             if include_resolved or pain.status != "resolved"]
    steps = [step.step.id for _, step in tree.all_steps()]
    pain_ids = [pain.id for _, _, pain in pains]
    voices = dict(session.execute(select(Feedback.pain_point_id, func.count()).where(
        Feedback.pain_point_id.in_(pain_ids or [-1])).group_by(Feedback.pain_point_id)).all())
    unhappy = dict(session.execute(select(Feedback.step_id, func.count()).where(
        Feedback.step_id.in_(steps or [-1]), Feedback.sentiment == "negative").group_by(Feedback.step_id)).all())
    by_measure, by_idea = _tasks(session, journey_id)
    session.rollback()
    risk = revenue_at_risk(session, journey_id, today=today)
    total = _total_revenue(session, today)
    found = []
    for stage, step, pain in pains:
        at_risk = risk.pain_points.get(pain.id)
        measures = step.measures.get(pain.id, [])
        tasks = tuple(sorted(t for m in measures for t in by_measure.get(m.id, ())))
        found.append(PriorityItem(
            "painpoint", pain.id, pain.version, pain.text, stage.stage.id, stage.stage.name, step.step.id,
            step.step.name, pain.severity, pain.status, pain.effort,
            impact(severity=pain.severity, voices=voices.get(pain.id, 0),
                   complaints=at_risk.complaints if at_risk else 0, revenue=at_risk.revenue if at_risk else 0.0,
                   total_revenue=total, by_hand=pain.impact_by_hand),
            tasks, len(measures), (stage.stage.position, step.step.position, 0, pain.position, pain.id)))
    for stage, step in tree.all_steps():
        at_risk = risk.steps.get(step.step.id)
        for idea in step.ideas:
            found.append(PriorityItem(
                "idea", idea.id, idea.version, idea.text, stage.stage.id, stage.stage.name, step.step.id,
                step.step.name, None, "", idea.effort,
                impact(severity=None, voices=unhappy.get(step.step.id, 0),
                       complaints=at_risk.complaints if at_risk else 0,
                       revenue=at_risk.revenue if at_risk else 0.0, total_revenue=total, by_hand=idea.impact_by_hand),
                tuple(by_idea.get(idea.id, ())), 0, (stage.stage.position, step.step.position, 1, idea.position,
                                                     idea.id)))
    found.sort(key=lambda item: (-item.impact.value, item.effort is None, item.effort or 0, item.order))
    return found


# ---------------------------------------------------------------- into next month's plan


def _first_measure(session: Session, pain: PainPoint) -> Measure | None:
    """The pain point's first fix measure, else its first prevention measure."""
    found = list(session.execute(select(Measure).where(Measure.pain_point_id == pain.id)
                                 .order_by(Measure.position, Measure.id)).scalars())
    return next((m for m in found if m.kind == "fix"), found[0] if found else None)


def _new_fix(session: Session, pain: PainPoint, text: str, user: str) -> Measure:
    """A fix measure added to a pain point in the caller's transaction."""
    clean = v.clean_row({"text": text, "kind": "fix"}, services.MEASURE_FIELDS)
    return _create(session, Measure(pain_point_id=pain.id, position=0, **clean), user)


def _planned(session: Session, kind: str, item: PainPoint | Idea) -> bool:
    query = select(Task.id).where(Task.deleted_at.is_(None), Task.status != "cancelled")
    if kind == "idea":
        query = query.where(Task.idea_id == item.id)
    else:
        query = query.join(Measure, Task.measure_id == Measure.id).where(Measure.pain_point_id == item.id)
    return session.execute(query.limit(1)).first() is not None


@write_service("plan.edit")
def plan_next_month(session: Session, *, journey_id: int, picks: Iterable[tuple[str, int, int]], month: str,
                    due_month: str | None = None, user: str) -> list[Task]:
    """Put the picked items, (kind, id, tier) each, into the 30/20/10 plan of
    `month` (the month being planned, usually next month): a task for each,
    starting that month and due in `due_month` (default: the same month),
    committed to its tier, one of the journey's tiers. A pick may carry a
    fourth value, the text of a fix for a pain point that has no measure
    yet: it is added as the pain point's fix measure, and the task made
    from it. All in one transaction: one refused item (planned already,
    picked twice, a pain point without a measure or resolved, a tier the
    journey does not have) and nothing is saved. Returns the new tasks in
    the order picked."""
    month = months.check(month, column="plan.col.start_month")
    allowed = plan.journey_tiers(session, journey_id)
    picks = list(picks)
    if not picks:
        raise ValidationError("prio.err.nothing_picked")
    seen: set[tuple[str, int]] = set()
    made: list[Task] = []
    for kind, item_id, tier, *fix in picks:
        item = _item(session, kind, item_id, journey_id)
        name = shorten(item.text, 80)
        if (kind, item.id) in seen:
            raise ValidationError("prio.err.picked_twice", item=name)
        seen.add((kind, item.id))
        try:
            tier = v.whole_number(1, 100, required=True)(tier)
        except v.FieldProblem:
            tier = None
        if tier not in allowed:
            raise ValidationError("err.field", column="plan.col.tier", problem="err.choice",
                                  options=", ".join(f"{t}%" for t in allowed), value=str(tier)[:20])
        if _planned(session, kind, item):
            raise ValidationError("prio.err.already_planned", item=name)
        if kind == "idea":
            task = plan.new_task(session, step_id=item.step_id, title=item.text, start_month=month,
                                 due_month=due_month or month, idea_id=item.id, user=user)
        else:
            if item.status == "resolved":
                raise ValidationError("prio.err.resolved", item=name)
            measure = _first_measure(session, item)
            if measure is None and fix and str(fix[0] or "").strip():
                measure = _new_fix(session, item, fix[0], user)
            if measure is None:
                raise ValidationError("prio.err.no_measure", item=name)
            task = plan.new_task(session, step_id=item.step_id, title=measure.text, start_month=month,
                                 due_month=due_month or month, measure_id=measure.id, user=user)
        commitment = _create(session, Commitment(task_id=task.id, month=month, tier=tier), user, log=False)
        _log(session, plan._task_where(session, task), commitment, "create", user, new=_values(commitment))
        made.append(task)
    _touch(session, journey_id)
    _commit(session)
    return made
