"""The executive view's figures, without Streamlit: is the service
improving, month by month, and where does it hurt most.

Two steps, so a page can cache the first:

- `load_plan(session, journey_ids)` reads the plan once (through
  `cem.improvement.plan.task_rows`) and the journeys' pain points, and turns them into
  arrays: one row per task, one column per month, holding the task's
  cumulative progress at the end of that month and its committed tier (0
  without a commitment). It does not change while `plan_revision` (the
  plan's tables) and the journeys' revisions (the map) stay the same.
- `summarise(data, filters)` answers for a choice of journeys, stages,
  departments and months with whole-array arithmetic: no loop over tasks
  and months in Python.

The arithmetic is that of `cem.improvement.progress` (a month's figure is its last
check-in, else the month before's; the gain is the month's figure less the
month before's; a committed task is on target when its gain reaches the
tier), and tests check that both agree.

Choices made here:
- figures over several tasks are counts and plain averages, never sums of
  percentages (see cem.improvement.progress): every committed task weighs the same, the
  headline is how many were on target, and the average gain of the
  committed tasks is read against their average commitment, in points;
- average progress counts tasks that have started by the month and are not
  cancelled;
- the cards are about one month (`Filters.month`): this month when the
  range reaches it, else the range's last month;
- pain points belong to stages, not departments: the department filter
  does not change them. A pain point is open at the end of a past month
  when it was written down by then and was not yet resolved; for this
  month (or a later one) the open pain points are those open today.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Iterable

import numpy as np
from sqlmodel import Session, func, select

from cem.core import months
from cem.improvement import plan
from cem.core.models import SEVERITY_MAX, SEVERITY_MIN, CheckIn, Commitment, Journey, PainPoint, Person, Stage, Step, Task
from cem.journey.services import JourneyTree

NO_DEPARTMENT = ""  # tasks without an owner, or whose owner has no department
SEVERITIES = tuple(range(SEVERITY_MIN, SEVERITY_MAX + 1))
NOT_RESOLVED = 10 ** 6  # a month index later than any real one
RESOLVED_UNKNOWN = -(10 ** 6)  # resolved, month not known: never open, never counted in a month


# ---------------------------------------------------------------- months as numbers


@lru_cache(maxsize=4096)
def month_number(month: str) -> int:
    year, number = months.parts(month)
    return year * 12 + number - 1


def month_of_number(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def _month_of_moment(moment: datetime | None) -> int | None:
    return None if moment is None else moment.year * 12 + moment.month - 1


# ---------------------------------------------------------------- the cache key


def plan_revision(session: Session, journey_ids: Iterable[int]) -> tuple[int, ...]:
    """A cheap fingerprint of everything `load_plan` reads, in one query:
    for the journeys' tasks and commitments the highest id, the row count
    and the sum of the row versions (every write adds a row, removes one,
    or raises a version), for their check-ins the highest id and the count,
    the same as tasks for the people directory (departments), and the sum
    of the journeys' revisions (the map: stage names, pain points). Equal
    fingerprints mean equal plan data."""
    ids = sorted(set(journey_ids))
    if not ids:
        return ()
    tasks = select(Task.id).where(Task.journey_id.in_(ids))

    def stats(model, *where, versions: bool = True) -> list:
        found = [select(func.coalesce(func.max(model.id), 0)).where(*where).scalar_subquery(),
                 select(func.count(model.id)).where(*where).scalar_subquery()]
        if versions:
            found.append(select(func.coalesce(func.sum(model.version), 0)).where(*where).scalar_subquery())
        return found

    # Check-ins are only ever added (a correction is a newer check-in), so
    # their id and count say enough, read from the task_id index alone.
    columns = (stats(Task, Task.journey_id.in_(ids)) + stats(Commitment, Commitment.task_id.in_(tasks))
               + stats(CheckIn, CheckIn.task_id.in_(tasks), versions=False) + stats(Person)
               + [select(func.coalesce(func.sum(Journey.revision), 0)).where(Journey.id.in_(ids)).scalar_subquery(),
                  select(func.count(Journey.id)).where(Journey.id.in_(ids)).scalar_subquery()])
    return tuple(int(value or 0) for value in session.exec(select(*columns)).one())


# ---------------------------------------------------------------- the plan as arrays


@dataclass(frozen=True)
class StageInfo:
    id: int
    journey_id: int
    journey_name: str
    name: str
    position: int


@dataclass
class PlanData:
    """The plan of some journeys as arrays (read-only once made).

    Column j of `progress` and `tiers` is month `first + j`; the first
    column is a month before anything happened and the last one a month
    after, so months outside the table read as the nearest column."""

    journeys: dict[int, str]  # id -> name, in list order
    stages: list[StageInfo]  # live stages, journey by journey, in order
    first: int  # month number of column 0
    progress: np.ndarray  # tasks x months, cumulative %
    tiers: np.ndarray  # tasks x months, committed tier % or 0
    task_ids: np.ndarray
    task_journey: np.ndarray
    task_stage: np.ndarray
    task_department: np.ndarray  # of str
    task_start: np.ndarray  # month number of the start month
    task_active: np.ndarray  # bool: not cancelled
    task_titles: np.ndarray  # of str
    task_owners: np.ndarray  # of str ("" without an owner)
    task_reasons: list[dict[str, str]]  # per task: month -> why it is behind
    pain_stage: np.ndarray
    pain_severity: np.ndarray
    pain_created: np.ndarray  # month number
    pain_resolved: np.ndarray  # month number, NOT_RESOLVED or RESOLVED_UNKNOWN
    data_months: tuple[str, str] | None = None  # first and last month with a commitment or check-in
    last_check_in: str | None = None

    @property
    def departments(self) -> list[str]:
        """Departments of the tasks' owners, by name, "no department" last."""
        found = set(self.task_department.tolist())
        return sorted(found - {NO_DEPARTMENT}) + ([NO_DEPARTMENT] if NO_DEPARTMENT in found else [])

    def columns(self, first: int, last: int) -> np.ndarray:
        """Column indexes of months first..last (month numbers), clipped."""
        return np.clip(np.arange(first, last + 1) - self.first, 0, self.progress.shape[1] - 1)


def load_plan(session: Session, journey_ids: Iterable[int], figures: dict | None = None) -> PlanData:
    """The journeys' tasks (from plan.task_rows, read once; `figures`: their
    plan.task_figures if read before), stages and pain points as arrays."""
    ids = list(dict.fromkeys(journey_ids))
    journeys = {j.id: j.name for j in session.exec(select(Journey).where(Journey.id.in_(ids or [-1]))
                                                     .order_by(Journey.name, Journey.id))}
    stage_rows = list(session.exec(select(Stage).where(Stage.journey_id.in_(ids or [-1]), Stage.deleted_at.is_(None))
                                   .order_by(Stage.position, Stage.id)))
    order = {journey_id: n for n, journey_id in enumerate(journeys)}
    stage_rows.sort(key=lambda s: (order.get(s.journey_id, 0), s.position, s.id))
    stages = [StageInfo(s.id, s.journey_id, journeys.get(s.journey_id, ""), s.name, s.position) for s in stage_rows]
    rows = plan.task_rows(session, ids, contacts=False, figures=figures)  # names and departments only

    recorded = [row.figures.recorded() for row in rows]
    numbers = [month_number(row.task.start_month) for row in rows]
    data = sorted({m for r in recorded for m in r} | {m for row in rows for m in row.figures.commitments})
    numbers += [month_number(m) for m in data]
    low = min(numbers) - 1 if numbers else month_number(months.this_month())
    high = max(numbers) + 1 if numbers else low + 1
    width = high - low + 1

    count = len(rows)
    raw = np.full((count, width), -1, dtype=np.int32)
    raw[:, 0] = 0
    tiers = np.zeros((count, width), dtype=np.int32)
    cells, values = [], []
    for i, (row, marks) in enumerate(zip(rows, recorded)):
        for month, value in marks.items():
            cells.append((i, month_number(month) - low))
            values.append(value)
        for month, tier in row.figures.commitments.items():
            tiers[i, month_number(month) - low] = tier
    if cells:
        where = np.array(cells)
        raw[where[:, 0], where[:, 1]] = values
    # carry each figure forward to the months without a check-in
    latest = np.maximum.accumulate(np.where(raw >= 0, np.arange(width), 0), axis=1)
    progress = np.take_along_axis(raw, latest, axis=1)

    pains = list(session.exec(
        select(Step.stage_id, PainPoint.severity, PainPoint.status, PainPoint.created_at, PainPoint.resolved_at)
        .join(Step, PainPoint.step_id == Step.id).join(Stage, Step.stage_id == Stage.id)
        .where(Stage.journey_id.in_(ids or [-1]), Stage.deleted_at.is_(None), Step.deleted_at.is_(None))))
    resolved = []
    for _, _, status, _, resolved_at in pains:
        if status != "resolved":
            resolved.append(NOT_RESOLVED)
        else:
            number = _month_of_moment(resolved_at)
            resolved.append(RESOLVED_UNKNOWN if number is None else number)

    check_in_months = sorted({m for r in recorded for m in r})
    return PlanData(
        journeys=journeys, stages=stages, first=low, progress=progress, tiers=tiers,
        task_ids=np.array([row.task.id for row in rows], dtype=np.int64),
        task_journey=np.array([row.task.journey_id for row in rows], dtype=np.int64),
        task_stage=np.array([row.stage.id for row in rows], dtype=np.int64),
        task_department=np.array([((row.owner.department if row.owner else "") or NO_DEPARTMENT).strip()
                                  for row in rows], dtype=object),
        task_start=np.array([month_number(row.task.start_month) for row in rows], dtype=np.int64),
        task_active=np.array([row.task.status != "cancelled" for row in rows], dtype=bool),
        task_titles=np.array([row.task.title for row in rows], dtype=object),
        task_owners=np.array([row.owner.name if row.owner else "" for row in rows], dtype=object),
        task_reasons=[{m: row.figures.reason(m) for m in marks if row.figures.reason(m)}
                      for row, marks in zip(rows, recorded)],
        pain_stage=np.array([p[0] for p in pains], dtype=np.int64),
        pain_severity=np.array([p[1] for p in pains], dtype=np.int64),
        pain_created=np.array([_month_of_moment(p[3]) or low for p in pains], dtype=np.int64),
        pain_resolved=np.array(resolved, dtype=np.int64),
        data_months=(data[0], data[-1]) if data else None,
        last_check_in=check_in_months[-1] if check_in_months else None,
    )


# ---------------------------------------------------------------- what the executive asks


def cards_month(first: str, last: str, today: str) -> str:
    """The month the cards are about: this month when the range holds it,
    else the end of the range nearest to it."""
    return max(first, min(last, today))


@dataclass(frozen=True)
class Filters:
    """Empty stage and department choices mean all of them; `month` is the
    month the KPI cards are about, compared with the month before it (by
    default this month, or the range's end nearest to it); `today` is this
    month unless a test says otherwise."""

    journey_ids: tuple[int, ...]
    first: str
    last: str
    stage_ids: tuple[int, ...] = ()
    departments: tuple[str, ...] = ()
    month: str | None = None
    today: str | None = None

    def __post_init__(self) -> None:
        first, last = months.check(self.first), months.check(self.last)
        if last < first:
            first, last = last, first
        today = months.check(self.today or months.this_month())
        month = cards_month(first, last, months.check(self.month) if self.month else today)
        object.__setattr__(self, "first", first)
        object.__setattr__(self, "last", last)
        object.__setattr__(self, "today", today)
        object.__setattr__(self, "month", month)
        object.__setattr__(self, "journey_ids", tuple(self.journey_ids))
        object.__setattr__(self, "stage_ids", tuple(self.stage_ids or ()))
        object.__setattr__(self, "departments", tuple(self.departments or ()))


@dataclass(frozen=True)
class Kpis:
    """The KPI cards for one month."""

    month: str
    tasks: int  # tasks chosen by the filters
    committed_tasks: int
    on_target: int
    average_tier: float | None  # of the committed tasks
    average_gain: float | None  # of the committed tasks, in points
    pain_points_resolved: int
    open_by_severity: dict[int, int]  # severity -> open pain points (today, or at a past month's end)
    average_progress: float | None
    open_today: bool = False  # open pain points counted as of today

    @property
    def on_target_share(self) -> float | None:
        return self.on_target / self.committed_tasks if self.committed_tasks else None

    @property
    def open_pain_points(self) -> int:
        return sum(self.open_by_severity.values())

    @property
    def severe_open(self) -> int:
        """Open pain points of severity 4 and 5."""
        return sum(n for severity, n in self.open_by_severity.items() if severity >= SEVERITY_MAX - 1)


@dataclass(frozen=True)
class MonthRow:
    month: str
    committed_tasks: int
    on_target: int
    average_tier: float | None  # of the committed tasks
    average_gain: float | None  # of the committed tasks, in points
    average_progress: float | None  # cumulative, of the tasks started by then
    pain_points_resolved: int
    open_pain_points: int

    @property
    def on_target_share(self) -> float | None:
        return self.on_target / self.committed_tasks if self.committed_tasks else None


@dataclass(frozen=True)
class BehindRow:
    """A committed task whose gain in the cards' month is below its tier."""

    task_id: int
    title: str
    owner: str
    department: str
    tier: int
    gain: int
    progress: int
    reason: str


@dataclass(frozen=True)
class GroupRow:
    """A stage or a department: its tasks' average progress at the end of
    the last month, and how many of its commitments in the period were on
    target."""

    key: object  # stage id or department name
    name: str
    tasks: int
    average_progress: float | None
    committed: int
    on_target: int

    @property
    def on_target_share(self) -> float | None:
        return self.on_target / self.committed if self.committed else None


@dataclass
class Summary:
    filters: Filters
    journeys: dict[int, str]
    stage_names: dict[int, str]  # of the chosen stages (all the journeys' stages when none is chosen)
    now: Kpis
    before: Kpis
    series: list[MonthRow] = field(default_factory=list)
    by_stage: list[GroupRow] = field(default_factory=list)
    by_department: list[GroupRow] = field(default_factory=list)
    behind: list[BehindRow] = field(default_factory=list)

    @property
    def month(self) -> str:
        return self.filters.month

    @property
    def previous_month(self) -> str:
        return months.previous(self.filters.month)


def delta(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def summarise(data: PlanData, filters: Filters) -> Summary:
    """Everything the executive page and the report show, for `filters`."""
    journey_ids = set(filters.journey_ids) & set(data.journeys) if filters.journey_ids else set(data.journeys)
    stages = [s for s in data.stages if s.journey_id in journey_ids]
    if filters.stage_ids:
        wanted = set(filters.stage_ids)
        stages = [s for s in stages if s.id in wanted]
    stage_ids = np.array([s.id for s in stages], dtype=np.int64)
    many = len(journey_ids) > 1
    stage_names = {s.id: (f"{s.journey_name} · {s.name}" if many else s.name) for s in stages}

    chosen = np.isin(data.task_stage, stage_ids)
    if filters.departments:
        chosen &= np.isin(data.task_department, np.array(filters.departments, dtype=object))
    pains = np.isin(data.pain_stage, stage_ids)

    first, last = month_number(filters.first), month_number(filters.last)
    start = first - 1  # the KPIs need the month before theirs even at the start of the range
    numbers = np.arange(start, last + 1)
    progress = data.progress[chosen][:, data.columns(start - 1, last)]
    gains = np.diff(progress, axis=1)
    progress = progress[:, 1:]
    tiers = data.tiers[chosen][:, data.columns(start, last)]
    committed = tiers > 0
    on_target = committed & (gains >= tiers)
    counted = data.task_active[chosen][:, None] & (data.task_start[chosen][:, None] <= numbers[None, :])
    counted_n = counted.sum(axis=0)
    progress_sum = np.where(counted, progress, 0).sum(axis=0)

    severity = data.pain_severity[pains]
    created, resolved = data.pain_created[pains], data.pain_resolved[pains]
    resolved_in = (resolved[:, None] == numbers[None, :])
    open_at = (created[:, None] <= numbers[None, :]) & (resolved[:, None] > numbers[None, :])
    today = month_number(filters.today)
    open_at[:, numbers >= today] = (resolved == NOT_RESOLVED)[:, None]  # this month and later: as of today

    def average(j: int) -> float | None:
        return float(progress_sum[j] / counted_n[j]) if counted_n[j] else None

    def mean_of(values: np.ndarray, mask: np.ndarray) -> float | None:
        return float(values[mask].mean()) if mask.any() else None

    def month_row(j: int) -> MonthRow:
        return MonthRow(
            month=month_of_number(int(numbers[j])), committed_tasks=int(committed[:, j].sum()),
            on_target=int(on_target[:, j].sum()), average_tier=mean_of(tiers[:, j], committed[:, j]),
            average_gain=mean_of(gains[:, j], committed[:, j]), average_progress=average(j),
            pain_points_resolved=int(resolved_in[:, j].sum()), open_pain_points=int(open_at[:, j].sum()))

    def kpis(j: int) -> Kpis:
        row = month_row(j)
        by_severity = {s: int((open_at[:, j] & (severity == s)).sum()) for s in SEVERITIES}
        return Kpis(month=row.month, tasks=int(chosen.sum()), committed_tasks=row.committed_tasks,
                    on_target=row.on_target, average_tier=row.average_tier, average_gain=row.average_gain,
                    pain_points_resolved=row.pain_points_resolved, open_by_severity=by_severity,
                    average_progress=row.average_progress, open_today=bool(numbers[j] >= today))

    in_range = numbers >= first
    series = [month_row(j) for j in range(len(numbers)) if in_range[j]]

    # groups: progress at the end of the last month, commitments over the range
    final_progress = progress[:, -1]
    final_counted = counted[:, -1]
    range_committed = committed[:, in_range].sum(axis=1)
    range_on_target = on_target[:, in_range].sum(axis=1)

    def group(key: object, name: str, members: np.ndarray) -> GroupRow:
        counted_members = members & final_counted
        n = int(counted_members.sum())
        return GroupRow(key=key, name=name, tasks=int(members.sum()),
                        average_progress=float(final_progress[counted_members].sum() / n) if n else None,
                        committed=int(range_committed[members].sum()),
                        on_target=int(range_on_target[members].sum()))

    task_stage = data.task_stage[chosen]
    by_stage = [group(s.id, stage_names[s.id], task_stage == s.id) for s in stages]
    by_stage = [g for g in by_stage if g.tasks]
    task_department = data.task_department[chosen]
    by_department = [group(d, d, task_department == d) for d in data.departments
                     if not filters.departments or d in filters.departments]
    by_department = [g for g in by_department if g.tasks]

    now = month_number(filters.month) - start
    indexes = np.flatnonzero(chosen)
    behind = [BehindRow(task_id=int(data.task_ids[i]), title=str(data.task_titles[i]), owner=str(data.task_owners[i]),
                        department=str(data.task_department[i]), tier=int(tiers[k, now]), gain=int(gains[k, now]),
                        progress=int(progress[k, now]), reason=data.task_reasons[i].get(filters.month, ""))
              for k, i in enumerate(indexes) if committed[k, now] and not on_target[k, now]]

    return Summary(filters=filters, journeys={j: n for j, n in data.journeys.items() if j in journey_ids},
                   stage_names=stage_names, now=kpis(now), before=kpis(now - 1),
                   series=series, by_stage=by_stage, by_department=by_department, behind=behind)


def executive_summary(session: Session, filters: Filters) -> Summary:
    """`summarise(load_plan(...))` in one call, without a cache."""
    return summarise(load_plan(session, filters.journey_ids), filters)


# ---------------------------------------------------------------- page helpers


def default_range(data: PlanData | None, today: str | None = None, count: int = 6,
                  longest: int = 12) -> tuple[str, str]:
    """Every month with a plan or a check-in, including planned months
    ahead, and this month (at most the `longest` months up to the end);
    without any, the last `count` months up to this month."""
    today = today or months.this_month()
    if data is None or not data.data_months:
        return months.add(today, -(count - 1)), today
    first, last = min(data.data_months[0], today), max(data.data_months[1], today)
    return max(first, months.add(last, -(longest - 1))), last


def month_options(data: PlanData | None, today: str | None = None, back: int = 24) -> list[str]:
    """Months to choose a range from: at least the `back` months up to this
    month, stretched to every month with plan data."""
    today = today or months.this_month()
    first, last = months.add(today, -(back - 1)), today
    if data is not None and data.data_months:
        first, last = min(first, data.data_months[0]), max(last, data.data_months[1])
    return months.between(first, last)


def emotion_tree(tree: JourneyTree, stage_ids: Iterable[int] = ()) -> JourneyTree:
    """The map with only the chosen stages (all when none is chosen), as a
    new object: the cached tree is shared and must not change."""
    wanted = set(stage_ids)
    if not wanted:
        return tree
    return JourneyTree(tree.journey, [s for s in tree.stages if s.stage.id in wanted])
