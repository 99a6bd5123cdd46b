"""Measures at four levels (seed 003): the organisation, the customer
strategy, operations and processes, and inputs, followed month by month.

A measure (`Indicator`) is either worked out from the app's own data, when
its `source` names one of COMPUTATIONS, or entered by hand each month
(`source` ""; its values are `IndicatorValue` rows). Measures belong to the
workspace, not to one journey: the list is the same for every journey.
Their values can be read for some journeys (`journey_ids`): the figures
from the map, the plan, the feedback and the complaints then count only
those journeys; the figures from the bills (VIP revenue share, VIP
retention) and the hand-entered values are the workspace's whatever the
journeys chosen.

How each computed measure is worked out (the catalogue's
`measure.how.<source>` says the same to the reader):

- nps: feedback received in the month with a 0-10 score: % promoters (9-10)
  less % detractors (0-6), from -100 to +100;
- csat: feedback received in the month with a 1-5 score: % of answers 4 or 5;
- vip_revenue_share: of the revenue of the 12 months ending with the month
  (customers whose total is positive), the share from the customers who
  were marked VIP at the month's last day (their latest VIP change by then;
  a customer marked VIP with no recorded change counts as VIP throughout);
  none for a month when nobody was a VIP yet;
- vip_retention: the VIPs the workspace's rule picks over the 12 months
  ending a year before the month, and the share of them the rule picks
  again over the 12 months ending with the month (as the VIP page compares
  two periods);
- complaints_within_sla: of the complaints resolved (or closed) in the
  month, the share resolved on or before their due day;
- days_to_resolve: of those, the mean number of days from received to
  resolved;
- severe_open_pain_points: pain points of severity 4 or 5 still open at the
  month's end, on live stages and sub-steps (this month: open today), as on
  the executive page;
- tasks_on_target: of the tasks committed for the month, the share on
  target (the month's gain reached the tier); a share of a count of tasks,
  never a sum of percentages.

A month without anything to count has no value (None), and so has every
month after this one.
"""
from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from cem.core import config, months
from cem.core import validation as v
from cem.core.auth import authorize
from cem.core.db import writes
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.i18n import t
from cem.core.models import (DIRECTIONS, INDICATOR_LEVELS, Bill, BillImport, ChangeLog, Complaint, Customer,
                             CustomerSettings, Feedback, Indicator, IndicatorValue, Journey, PainPoint, Person, Stage,
                             Step, Task, VipChange, utcnow)
from cem.core.reads import read_type
from cem.customers import pareto, vip
from cem.improvement import plan
from cem.improvement.progress import month_figures
from cem.journey.services import _check_version, write_service
from cem.voice import scores as voice_scores

PERMISSION = "plan.edit"  # leads keep the list of measures and their monthly values
SEVERE = 4  # severe_open_pain_points counts this severity and above
WINDOW = 12  # months of revenue behind the VIP measures

# ---------------------------------------------------------------- the computations


@dataclass(frozen=True)
class Computation:
    """A measure the app works out. Its name, unit and how it is computed
    are the catalogue's measure.name.<source>, measure.unit.<source> and
    measure.how.<source>."""

    source: str
    level: str
    direction: str
    target: float | None = None
    workspace_wide: bool = False  # the same whatever journeys are chosen


COMPUTATIONS: dict[str, Computation] = {c.source: c for c in (
    Computation("nps", "organisation", "up"),
    Computation("vip_revenue_share", "strategy", "up", workspace_wide=True),
    Computation("vip_retention", "strategy", "up", workspace_wide=True),
    Computation("csat", "strategy", "up", target=80),
    Computation("complaints_within_sla", "operations", "up", target=90),
    Computation("days_to_resolve", "operations", "down"),
    Computation("severe_open_pain_points", "operations", "down", target=0),
    Computation("tasks_on_target", "operations", "up"),
)}
# Hand-entered measures seeded with the library on a new workspace:
# (example key, level, direction).
EXAMPLES = (("training_hours", "inputs", "up"),)


def how_key(source: str) -> str:
    """The catalogue key that says how a computed measure is worked out
    ("measure.how.hand" for one entered by hand)."""
    return f"measure.how.{source}" if source in COMPUTATIONS else "measure.how.hand"


def level_key(level: str) -> str:
    return f"measure.level.{level}"


# ---------------------------------------------------------------- checks


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
LARGEST = 1e12


def number(value: Any) -> float | None:
    """A number typed or given: 12, "1,234.5", "85 %", Thai digits; blank is None."""
    if v.is_blank(value):
        return None
    if isinstance(value, bool):
        raise v.FieldProblem("measure.err.number", value=str(value))
    if isinstance(value, (int, float)):
        found = float(value)
    else:
        typed = str(value).translate(_THAI_DIGITS).replace(",", "").replace("%", "").strip()
        try:
            found = float(typed)
        except ValueError:
            raise v.FieldProblem("measure.err.number", value=str(value)[:40]) from None
    if not math.isfinite(found) or abs(found) > LARGEST:
        raise v.FieldProblem("measure.err.number", value=str(value)[:40])
    return found


FIELDS = [
    v.FieldSpec("level", "measure.col.level", v.choice(INDICATOR_LEVELS)),
    v.FieldSpec("name", "measure.col.name", v.text(200, required=True)),
    v.FieldSpec("unit", "measure.col.unit", v.text(30)),
    v.FieldSpec("direction", "measure.col.direction", v.choice(DIRECTIONS, default="up")),
    v.FieldSpec("target", "measure.col.target", number),
    v.FieldSpec("description", "measure.col.description", v.text(1000)),
]
VALUE = v.FieldSpec("value", "measure.col.value", number)
LOGGED = ("level", "position", "name", "unit", "direction", "target", "owner_id", "source", "description", "active")


def _logged(item: Indicator) -> dict:
    return {name: getattr(item, name) for name in LOGGED}


def _log(session: Session, item: Any, action: str, user: str, old: dict | None = None,
         new: dict | None = None) -> None:
    session.add(ChangeLog(user=user, item_type=item.__tablename__, item_id=item.id, action=action, old=old,
                          new=new))


def _get(session: Session, indicator_id: Any) -> Indicator:
    try:
        key = v.whole_number(1, 2**31 - 1, required=True)(indicator_id)
    except v.FieldProblem:
        key = None
    item = session.get(Indicator, key) if key else None
    if item is None:
        raise NotFoundError("err.not_found", item="item.indicator", id=indicator_id)
    return item


def _owner(session: Session, owner_id: Any) -> int | None:
    if owner_id in (None, "", 0):
        return None
    try:
        key = v.whole_number(1, 2**31 - 1, required=True)(owner_id)
    except v.FieldProblem as problem:
        raise v.located(problem, column="measure.col.owner", row=None) from None
    if session.get(Person, key) is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)
    return key


def _next_position(session: Session, level: str) -> int:
    return (session.execute(select(func.max(Indicator.position)).where(Indicator.level == level)).scalar() or 0) + 1


# ---------------------------------------------------------------- writes


@write_service(PERMISSION)
def create_indicator(session: Session, *, level: str, name: str, unit: str = "", direction: str = "up",
                     target: Any = None, owner_id: int | None = None, description: str = "", source: str = "",
                     user: str) -> Indicator:
    """A new measure at `level`, last of its level. `source` "" (entered by
    hand) or one of COMPUTATIONS that the list does not hold yet."""
    clean = v.clean_row({"level": level, "name": name, "unit": unit, "direction": direction, "target": target,
                         "description": description}, FIELDS)
    source = str(source or "").strip()
    if source:
        if source not in COMPUTATIONS:
            raise ValidationError("err.field", column="measure.col.source", problem="err.choice",
                                  options=", ".join(COMPUTATIONS), value=source[:40])
        if session.execute(select(Indicator.id).where(Indicator.source == source)).first() is not None:
            raise ValidationError("measure.err.source_listed", name=f"measure.name.{source}")
    item = Indicator(**clean, source=source, owner_id=_owner(session, owner_id),
                     position=_next_position(session, clean["level"]), created_by=user, updated_by=user)
    session.add(item)
    session.flush()
    _log(session, item, "create", user, new=_logged(item))
    session.commit()
    return item


@write_service(PERMISSION)
def update_indicator(session: Session, *, indicator_id: int, version: int | None = None, user: str,
                     **values: Any) -> Indicator:
    """Change some of a measure's level, name, unit, direction, target,
    owner (`owner_id`), description, position or `active`; refused if it
    changed since `version`. What a computed measure counts stays its own."""
    item = _get(session, indicator_id)
    _check_version(item, version)
    unknown = set(values) - {spec.name for spec in FIELDS} - {"owner_id", "position", "active"}
    if unknown:  # what a computed measure counts (`source`) never changes
        raise TypeError(f"update_indicator() cannot change {sorted(unknown)}")
    clean = v.clean_row(values, FIELDS, partial=True)
    if "owner_id" in values:
        clean["owner_id"] = _owner(session, values["owner_id"])
    if "position" in values:
        try:
            clean["position"] = v.whole_number(1, 10_000, required=True)(values["position"])
        except v.FieldProblem as problem:
            raise v.located(problem, column="measure.col.position", row=None) from None
    elif clean.get("level", item.level) != item.level:
        clean["position"] = _next_position(session, clean["level"])
    if "active" in values:
        clean["active"] = bool(values["active"])
    old = {k: getattr(item, k) for k in clean if getattr(item, k) != clean[k]}
    if old:
        for name in old:
            setattr(item, name, clean[name])
        item.version += 1
        item.updated_by, item.updated_at = user, utcnow()
        _log(session, item, "update", user, old=old, new={k: clean[k] for k in old})
    session.commit()
    return item


@write_service(PERMISSION)
def deactivate_indicator(session: Session, *, indicator_id: int, version: int | None = None,
                         user: str) -> Indicator:
    """Stop following a measure: it leaves the lists and the executive
    page, its values stay (update_indicator with active=True brings it back)."""
    item = _get(session, indicator_id)
    _check_version(item, version)
    if item.active:
        item.active = False
        item.version += 1
        item.updated_by, item.updated_at = user, utcnow()
        _log(session, item, "update", user, old={"active": True}, new={"active": False})
    session.commit()
    return item


@write_service(PERMISSION)
def set_value(session: Session, *, indicator_id: int, month: str, value: Any, version: int | None = None,
              user: str) -> IndicatorValue | None:
    """A hand-entered measure's value for `month`; blank clears it.
    `version`: of the value the form showed (0 when it showed none; None
    does not check). Refused on a computed measure."""
    item = _get(session, indicator_id)
    if item.source:
        raise ValidationError("measure.err.computed", name=item.name)
    month = months.check(month, column="measure.col.month")
    try:
        clean = VALUE.check(value)
    except v.FieldProblem as problem:
        raise v.located(problem, column=VALUE.label, row=None) from None
    row = session.execute(select(IndicatorValue).where(IndicatorValue.indicator_id == item.id,
                                                       IndicatorValue.month == month)).scalars().first()
    if version is not None and not v.is_blank(version) and int(version) != (row.version if row else 0):
        raise ConflictError("err.conflict", item="item.indicatorvalue", id=item.id,
                            by=(row.updated_by if row else "") or "?", mine=int(version),
                            current=row.version if row else 0)
    where = {"indicator_id": item.id, "month": month}
    if clean is None:
        if row is not None:
            session.add(ChangeLog(user=user, item_type="indicatorvalue", item_id=row.id, action="delete",
                                  old={**where, "value": row.value}))
            session.delete(row)
        session.commit()
        return None
    if row is None:
        row = IndicatorValue(**where, value=clean, created_by=user, updated_by=user)
        session.add(row)
        session.flush()
        session.add(ChangeLog(user=user, item_type="indicatorvalue", item_id=row.id, action="create",
                              new={**where, "value": clean}))
    elif row.value != clean:
        session.add(ChangeLog(user=user, item_type="indicatorvalue", item_id=row.id, action="update",
                              old={**where, "value": row.value}, new={**where, "value": clean}))
        row.value = clean
        row.version += 1
        row.updated_by, row.updated_at = user, utcnow()
    session.commit()
    return row


@writes
def seed_library(session: Session, *, user: str = "system", lang: str | None = None,
                 examples: bool = True) -> int:
    """Add the computed measures the list does not hold yet (each once:
    one deactivated stays so), named in `lang` (default: the install's
    language, CEM_LANG); on a workspace with no measure at all, also the
    hand-entered examples (unless `examples` is False). The app calls it at
    start-up as "system"; anyone else must be allowed to keep the list.
    Returns how many measures it added."""
    if user != "system":
        user = authorize(session, user, PERMISSION)
    lang = "en" if (lang or config.default_lang()) == "en" else "th"
    listed = set(session.execute(select(Indicator.source)).scalars())
    empty = not listed
    added = []
    for computation in COMPUTATIONS.values():
        if computation.source not in listed:
            added.append(Indicator(level=computation.level, name=t(f"measure.name.{computation.source}", lang),
                                   unit=t(f"measure.unit.{computation.source}", lang),
                                   direction=computation.direction, target=computation.target,
                                   source=computation.source, created_by=user, updated_by=user))
    if empty and examples:
        for key, level, direction in EXAMPLES:
            added.append(Indicator(level=level, name=t(f"measure.example.{key}", lang),
                                   unit=t(f"measure.example.{key}.unit", lang), direction=direction,
                                   description=t(f"measure.example.{key}.description", lang),
                                   created_by=user, updated_by=user))
    if not added:
        session.rollback()
        return 0
    positions: dict[str, int] = {}
    for item in added:
        if item.level not in positions:
            positions[item.level] = _next_position(session, item.level) - 1
        positions[item.level] += 1
        item.position = positions[item.level]
        session.add(item)
    session.flush()
    for item in added:
        _log(session, item, "create", user, new=_logged(item))
    session.commit()
    return len(added)


# ---------------------------------------------------------------- reads

IndicatorRead, _INDICATOR = read_type(Indicator)


@dataclass(frozen=True)
class Level:
    level: str  # one of INDICATOR_LEVELS
    indicators: list  # of IndicatorRead, in order


def library(session: Session, *, include_inactive: bool = False) -> list[Level]:
    """Every level in order, each with its measures in order (a level
    without any is there too, empty)."""
    query = select(*_INDICATOR).order_by(Indicator.position, Indicator.id)
    if not include_inactive:
        query = query.where(Indicator.active)
    found: dict[str, list] = {level: [] for level in INDICATOR_LEVELS}
    for row in session.execute(query):
        found.setdefault(row.level, []).append(IndicatorRead._make(row))
    session.rollback()
    return [Level(level, found[level]) for level in INDICATOR_LEVELS]


def values_stamp(session: Session) -> tuple:
    """Changes whenever monthly_values could (pages cache it by this, with
    the months, the journeys and today): the list and the hand-entered
    values, the feedback, the complaints, the bills, VIP marks and the VIP
    rule, and every journey's revision (raised by each change of a map or
    a plan: pain points, tasks, commitments, check-ins)."""
    def stats(model, moment) -> list:
        return [select(func.count(model.id)).scalar_subquery(), select(func.max(moment)).scalar_subquery()]

    columns = (stats(Indicator, Indicator.updated_at) + stats(IndicatorValue, IndicatorValue.updated_at)
               + stats(Feedback, Feedback.updated_at) + stats(Complaint, Complaint.updated_at)
               + stats(VipChange, VipChange.at) + stats(BillImport, BillImport.created_at)
               + stats(Customer, Customer.updated_at)
               + [select(func.coalesce(func.sum(Indicator.version), 0)).scalar_subquery(),
                  select(func.coalesce(func.sum(IndicatorValue.version), 0)).scalar_subquery(),
                  select(func.coalesce(func.sum(CustomerSettings.version), 0)).scalar_subquery(),
                  select(func.coalesce(func.sum(Journey.revision), 0)).scalar_subquery(),
                  select(func.count(Journey.id)).scalar_subquery()])
    found = tuple(str(value) for value in session.execute(select(*columns)).one())
    session.rollback()
    return found


def monthly_values(session: Session, months_wanted: Sequence[str], *, journey_ids: Iterable[int] | None = None,
                   today: date | None = None, include_inactive: bool = False,
                   ) -> dict[int, dict[str, float | None]]:
    """{measure id: {month: value or None}} for every measure of the list
    and every month asked: computed measures worked out for `journey_ids`
    (None: every journey; see the module's note for which ones ignore
    them), hand-entered ones as entered."""
    wanted = sorted({months.check(m) for m in months_wanted})
    measures = [m for level in library(session, include_inactive=include_inactive) for m in level.indicators]
    if not wanted or not measures:
        return {m.id: {month: None for month in wanted} for m in measures}
    today = today or date.today()
    figures = compute(session, {m.source for m in measures if m.source in COMPUTATIONS}, wanted,
                      journey_ids=journey_ids, today=today)
    hand = [m.id for m in measures if not m.source]
    entered: dict[int, dict[str, float]] = defaultdict(dict)
    if hand:
        for indicator_id, month, value in session.execute(
                select(IndicatorValue.indicator_id, IndicatorValue.month, IndicatorValue.value)
                .where(IndicatorValue.indicator_id.in_(hand), IndicatorValue.month >= wanted[0],
                       IndicatorValue.month <= wanted[-1])):
            entered[indicator_id][month] = float(value)
    session.rollback()
    found = {}
    for measure in measures:
        if measure.source in COMPUTATIONS:
            found[measure.id] = dict(figures[measure.source])
        elif measure.source:  # a computation this version does not know: nothing to show
            found[measure.id] = {month: None for month in wanted}
        else:
            found[measure.id] = {month: entered[measure.id].get(month) for month in wanted}
    return found


def compute(session: Session, sources: Iterable[str], months_wanted: Sequence[str], *,
            journey_ids: Iterable[int] | None = None, today: date | None = None
            ) -> dict[str, dict[str, float | None]]:
    """{source: {month: value or None}} for these computations."""
    wanted = sorted({months.check(m) for m in months_wanted})
    reader = _Reader(session, wanted, journey_ids, today or date.today())
    try:
        return {source: reader.values(source) for source in sources}
    finally:
        session.rollback()


class _Reader:
    """Reads each kind of data once for every computation that needs it."""

    def __init__(self, session: Session, wanted: list[str], journey_ids: Iterable[int] | None, today: date):
        self.session = session
        self.today = today
        self.this_month = months.of(today)
        self.wanted = wanted
        self.past = [m for m in wanted if m <= self.this_month]  # months with figures
        self.journey_ids = None if journey_ids is None else sorted(set(journey_ids))
        self._cache: dict[str, Any] = {}

    def values(self, source: str) -> dict[str, float | None]:
        found = {month: None for month in self.wanted}
        if self.past:
            found.update(getattr(self, f"_{source}")())
        return found

    def _once(self, key: str, load: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = load()
        return self._cache[key]

    def _in_journeys(self, column) -> list:
        return [] if self.journey_ids is None else [column.in_(self.journey_ids or [-1])]

    def _all_journeys(self) -> list[int]:
        if self.journey_ids is not None:
            return self.journey_ids
        return list(self.session.execute(select(Journey.id)).scalars())

    # ------------------------------------------------------------ feedback

    def _scores(self) -> dict[str, tuple[float | None, float | None]]:
        def load():
            first, last = months.first_day(self.past[0]), months.last_day(self.past[-1])
            answers: dict[str, list[tuple]] = defaultdict(list)
            for received, nps, csat, ces in self.session.execute(
                    select(Feedback.received, Feedback.nps, Feedback.csat, Feedback.ces)
                    .where(Feedback.received >= first, Feedback.received <= last,
                           *self._in_journeys(Feedback.journey_id))):
                answers[months.of(received)].append((nps, csat, ces))
            return {month: scores(answers.get(month, ())) for month in self.past}

        return self._once("scores", load)

    def _nps(self) -> dict[str, float | None]:
        return {month: pair[0] for month, pair in self._scores().items()}

    def _csat(self) -> dict[str, float | None]:
        return {month: pair[1] for month, pair in self._scores().items()}

    # ------------------------------------------------------------ complaints

    def _resolved(self) -> dict[str, list[tuple[date, date, date]]]:
        def load():
            first, last = months.first_day(self.past[0]), months.last_day(self.past[-1])
            found: dict[str, list] = defaultdict(list)
            for received, resolved_on, due in self.session.execute(
                    select(Complaint.received, Complaint.resolved_on, Complaint.due)
                    .where(Complaint.status.in_(("resolved", "closed")), Complaint.resolved_on.is_not(None),
                           Complaint.resolved_on >= first, Complaint.resolved_on <= last,
                           *self._in_journeys(Complaint.journey_id))):
                found[months.of(resolved_on)].append((received, resolved_on, due))
            return found

        return self._once("resolved", load)

    def _complaints_within_sla(self) -> dict[str, float | None]:
        found = {}
        for month in self.past:
            done = self._resolved().get(month, [])
            found[month] = 100 * sum(1 for _, resolved, due in done if resolved <= due) / len(done) if done else None
        return found

    def _days_to_resolve(self) -> dict[str, float | None]:
        found = {}
        for month in self.past:
            done = self._resolved().get(month, [])
            found[month] = sum((resolved - received).days for received, resolved, _ in done) / len(done) \
                if done else None
        return found

    # ------------------------------------------------------------ the map and the plan

    def _severe_open_pain_points(self) -> dict[str, float | None]:
        rows = self.session.execute(
            select(PainPoint.status, PainPoint.created_at, PainPoint.resolved_at)
            .join(Step, PainPoint.step_id == Step.id).join(Stage, Step.stage_id == Stage.id)
            .where(PainPoint.severity >= SEVERE, Stage.deleted_at.is_(None), Step.deleted_at.is_(None),
                   *self._in_journeys(Stage.journey_id))).all()
        found = {}
        for month in self.past:
            if month >= self.this_month:
                found[month] = float(sum(1 for status, _, _ in rows if status == "open"))
            else:
                found[month] = float(sum(1 for status, created, resolved in rows
                                         if open_at_end(month, status, created, resolved)))
        return found

    def _tasks_on_target(self) -> dict[str, float | None]:
        ids = self._all_journeys()
        if not ids:
            return {}
        live = set(self.session.execute(
            select(Task.id).join(Step, Task.step_id == Step.id).join(Stage, Step.stage_id == Stage.id)
            .where(Task.journey_id.in_(ids), Task.deleted_at.is_(None), Step.deleted_at.is_(None),
                   Stage.deleted_at.is_(None))).scalars())
        tasks = [figures for task_id, figures in plan.task_figures(self.session, ids).items() if task_id in live]
        found = {}
        for month in self.past:
            figures = month_figures(tasks, month)
            found[month] = 100 * figures.on_target / figures.committed_tasks if figures.committed_tasks else None
        return found

    # ------------------------------------------------------------ bills and VIPs

    def _bills(self) -> tuple[np.ndarray, np.ndarray, int]:
        """Customer ids, their satang by month (customers x months, from
        month number `first` on, up to this month's last asked) and `first`."""
        def load():
            first = _number_of(self.past[0]) - 2 * WINDOW + 1  # the year before the first window too
            last = _number_of(self.past[-1])
            year, month = func.extract("year", Bill.day), func.extract("month", Bill.day)
            rows = self.session.execute(
                select(Bill.customer_id, year, month, func.sum(Bill.amount_satang))
                .where(Bill.day >= months.first_day(_month_of(first)), Bill.day <= months.last_day(_month_of(last)))
                .group_by(Bill.customer_id, year, month)).all()
            ids = np.array(sorted({r[0] for r in rows}), dtype=np.int64)
            matrix = np.zeros((len(ids), last - first + 1), dtype=np.int64)
            if rows:
                index = {int(c): i for i, c in enumerate(ids)}
                for customer_id, y, m, satang in rows:
                    matrix[index[customer_id], int(y) * 12 + int(m) - 1 - first] += int(satang)
            return ids, matrix, first

        return self._once("bills", load)

    def _window(self, month_number: int) -> tuple[np.ndarray, np.ndarray]:
        """Customer ids and their totals in baht over the WINDOW months ending with `month_number`."""
        ids, matrix, first = self._bills()
        end = month_number - first
        start = max(0, end - WINDOW + 1)
        if end < 0:
            return ids[:0], np.zeros(0)
        return ids, matrix[:, start:end + 1].sum(axis=1) / 100

    def _vip_revenue_share(self) -> dict[str, float | None]:
        marked = _vip_marks(self.session, [months.last_day(m) for m in self.past])
        found = {}
        for month, vips in zip(self.past, marked):
            ids, totals = self._window(_number_of(month))
            positive = totals > 0
            total = float(totals[positive].sum())
            if not vips or total <= 0:
                found[month] = None
                continue
            chosen = positive & np.isin(ids, np.fromiter(vips, dtype=np.int64, count=len(vips)))
            found[month] = 100 * float(totals[chosen].sum()) / total
        return found

    def _vip_retention(self) -> dict[str, float | None]:
        rule = vip.settings(self.session)
        found = {}
        for month in self.past:
            number = _number_of(month)
            before = self._picked(number - WINDOW, rule)
            if not before:
                found[month] = None
                continue
            found[month] = 100 * len(before & self._picked(number, rule)) / len(before)
        return found

    def _picked(self, month_number: int, rule: vip.Rule) -> set[int]:
        def load():
            ids, totals = self._window(month_number)
            return {int(i) for i in vip.picked(pareto.analyse(ids, totals), rule.kind, rule.value)}

        return self._once(f"picked:{month_number}", load)


def _number_of(month: str) -> int:
    year, number = months.parts(month)
    return year * 12 + number - 1


def _month_of(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def open_at_end(month: str, status: str, created, resolved) -> bool:
    """Whether a pain point was open at the end of a past `month`: written
    down by then and not resolved by then (resolved at an unknown time:
    never counted), as the executive page counts it."""
    if months.of(created) > month:
        return False
    if status != "resolved":
        return True
    return resolved is not None and months.of(resolved) > month


def _vip_marks(session: Session, days: list[date]) -> list[set[int]]:
    """The customers marked VIP at the end of each day (days in order):
    each customer's latest VIP change by then; customers marked VIP with no
    recorded change at all count as VIP on every day."""
    changes = session.execute(select(VipChange.customer_id, VipChange.as_of, VipChange.vip)
                              .order_by(VipChange.as_of, VipChange.at, VipChange.id)).all()
    recorded = {c[0] for c in changes}
    always = {i for i in session.execute(select(Customer.id).where(Customer.vip)).scalars() if i not in recorded}
    state: dict[int, bool] = {}
    found, index = [], 0
    for day in days:
        while index < len(changes) and changes[index][1] <= day:
            state[changes[index][0]] = bool(changes[index][2])
            index += 1
        found.append(always | {c for c, marked in state.items() if marked})
    return found


def scores(answers: Iterable[tuple]) -> tuple[float | None, float | None]:
    """(NPS, CSAT) of (nps, csat, ces) answers, by cem.voice.scores: NPS = %
    promoters (9-10) less % detractors (0-6) of the 0-10 answers; CSAT = %
    of the 1-5 answers that are 4 or 5; None without an answer of that kind."""
    found = voice_scores.figures(answers)
    return found.nps, found.csat


# ---------------------------------------------------------------- the executive page


def meets(value: float | None, target: float | None, direction: str) -> bool | None:
    """Whether a value meets its target: at least the target when higher
    is better ("up"), at most it when lower is better ("down"); None
    without a value or a target."""
    if value is None or target is None:
        return None
    return value <= target if direction == "down" else value >= target


def better(change: float | None, direction: str) -> str | None:
    """"better", "worse" or "same" for a change of a measure; None without one."""
    if change is None:
        return None
    if abs(change) < 1e-9:
        return "same"
    return "better" if (change > 0) == (direction != "down") else "worse"


@dataclass(frozen=True)
class MeasureStatus:
    """One measure over the months asked: its latest value against its
    target and how it moved."""

    indicator: Any  # IndicatorRead
    series: list[tuple[str, float | None]]
    latest_month: str | None
    latest: float | None
    previous_month: str | None  # the month with a value before the latest
    previous: float | None
    first: float | None  # the first value in the months

    @property
    def meets(self) -> bool | None:
        return meets(self.latest, self.indicator.target, self.indicator.direction)

    @property
    def change(self) -> float | None:
        """The latest value less the one before it."""
        return None if self.latest is None or self.previous is None else self.latest - self.previous

    @property
    def since_last(self) -> str | None:
        """"better", "worse" or "same" against the value before the latest."""
        return better(self.change, self.indicator.direction)

    @property
    def trend(self) -> str | None:
        """"better", "worse" or "same" from the first value in the months to the latest."""
        if self.latest is None or self.first is None or self.previous is None:
            return None
        return better(self.latest - self.first, self.indicator.direction)


@dataclass(frozen=True)
class LevelSummary:
    level: str
    measures: list[MeasureStatus] = field(default_factory=list)

    @property
    def with_target(self) -> int:
        return sum(1 for m in self.measures if m.meets is not None)

    @property
    def meeting(self) -> int:
        return sum(1 for m in self.measures if m.meets)


def summarise_levels(levels: list[Level], values: dict[int, dict[str, float | None]],
                     months_wanted: Sequence[str]) -> list[LevelSummary]:
    """level_summary on a library and its monthly_values read before."""
    wanted = sorted(set(months_wanted))
    found = []
    for level in levels:
        statuses = []
        for measure in level.indicators:
            series = [(month, values.get(measure.id, {}).get(month)) for month in wanted]
            known = [(month, value) for month, value in series if value is not None]
            latest = known[-1] if known else (None, None)
            previous = known[-2] if len(known) > 1 else (None, None)
            statuses.append(MeasureStatus(measure, series, latest[0], latest[1], previous[0], previous[1],
                                          known[0][1] if known else None))
        found.append(LevelSummary(level.level, statuses))
    return found


def level_summary(session: Session, months_wanted: Sequence[str], *, journey_ids: Iterable[int] | None = None,
                  today: date | None = None) -> list[LevelSummary]:
    """For the executive page: per level in order, each active measure's
    latest value in the months against its target (respecting its
    direction) and its trend over them."""
    levels = library(session)
    return summarise_levels(levels, monthly_values(session, months_wanted, journey_ids=journey_ids, today=today),
                            months_wanted)
