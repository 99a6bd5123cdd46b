"""The improvement plan (step 3 of the method): people, the journey's CEM
team, tasks with owners, monthly 30/20/10 commitments, month-end check-ins,
evaluation, and meetings. Same conventions as cem.journey.services: session first,
keyword-only values, `user` checked against the role, one transaction per
write, every change logged.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Any, Callable, Iterable

from sqlmodel import Session, func, or_, select

from cem.core import months
from cem.core import validation as v
from cem.core.auth import PermissionDenied, find_user, may
from cem.core.db import writes
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import (
    TASK_STATUSES, ChangeLog, CheckIn, Commitment, Idea, Journey, JourneyMember, Measure, Meeting,
    MeetingAttendee, PainPoint, Person, Stage, Step, Task, utcnow,
)
from cem.core.reads import read_type
from cem.improvement.progress import CheckInValue, MonthFigures, TaskMonths, mean, month_figures, parse_tiers, points
from cem.journey.services import (
    LOGGED_FIELDS, WRITE_SERVICES, Where, _check_version, _commit, _create, _get, _log, _touch, _values,
    write_service,
)
from cem.core.text import shorten

PERSON_FIELDS = [
    v.FieldSpec("name", "plan.col.person", v.text(v.TEXT_SHORT, required=True)),
    v.FieldSpec("department", "plan.col.department", v.text(v.TEXT_SHORT)),
    v.FieldSpec("phone", "plan.col.phone", v.text(50)),
    v.FieldSpec("email", "plan.col.email", v.text(v.TEXT_SHORT)),
    v.FieldSpec("username", "plan.col.username", v.text(100)),
]
TASK_FIELDS = [
    v.FieldSpec("title", "plan.col.task", v.text(v.TEXT_LONG, required=True)),
    v.FieldSpec("description", "col.description", v.text(v.TEXT_LONG)),
    v.FieldSpec("status", "col.status", v.choice(TASK_STATUSES, default="open")),
]
PROGRESS = v.whole_number(0, 100, required=True)
NOTE = v.text(v.TEXT_LONG)
OPEN_STATUSES = ("open", "in_progress")

# Values for the change log of the plan's tables.
LOGGED_FIELDS.update({
    Person: ("name", "department", "phone", "email", "username"),
    Task: ("title", "description", "owner_id", "start_month", "due_month", "status", "step_id"),
    Commitment: ("task_id", "month", "tier"),
    CheckIn: ("task_id", "month", "progress", "note", "behind_reason", "reported_by_id"),
    Meeting: ("held_on", "title", "agenda", "notes", "decisions"),
})


# ---------------------------------------------------------------- people and the team


# ---------------------------------------------------------------- personal data (Thailand's PDPA)
#
# Phones and e-mails are personal data. Administrators, leads and the people
# who are a journey's CEM project lead or secretary need them to follow up
# tasks; everyone else sees names, departments and roles. The reads below
# blank them for the others, so no page can send them by mistake.

CONTACT_FIELDS = ("phone", "email")


def may_see_contacts(session: Session, *, user: str | None) -> bool:
    """Whether `user` may see people's phones and e-mails (None: the
    system itself, e.g. a backup taken by an administrator)."""
    if user is None:
        return True
    account = find_user(session, user)
    if account is None or not account.active:
        return False
    if account.role in ("admin", "lead"):
        return True
    runs_a_team = (select(JourneyMember.id).join(Person, JourneyMember.person_id == Person.id)
                   .where(Person.username == account.username, JourneyMember.role.in_(("lead", "secretary"))))
    return session.exec(runs_a_team).first() is not None


@writes
def log_personal_export(session: Session, *, user: str, journey_id: int, what: str) -> None:
    """An export that holds people's phones or e-mails: who, when, what."""
    session.add(ChangeLog(user=user, journey_id=journey_id, item_type="export", item_id=journey_id,
                          action="export", new={"what": what, "fields": list(CONTACT_FIELDS)}))
    _commit(session)


def _without_contacts(person: Person | None) -> Person | None:
    """A detached copy of `person` with no phone or e-mail (the stored row
    is left alone)."""
    if person is None:
        return None
    return Person(**{**person.model_dump(), **{name: "" for name in CONTACT_FIELDS}})


def list_people(session: Session, *, active_only: bool = False, user: str | None = None,
                contacts: bool | None = None) -> list[Person]:
    """The directory; phones and e-mails only for those who may see them
    (`contacts`, when given, says whether the reader may)."""
    query = select(Person).order_by(Person.name, Person.id)
    if active_only:
        query = query.where(Person.active)
    people = list(session.exec(query))
    if contacts if contacts is not None else may_see_contacts(session, user=user):
        return people
    return [_without_contacts(p) for p in people]


@write_service("plan.edit")
def add_person(session: Session, *, name: str, department: str = "", phone: str = "", email: str = "",
               username: str = "", user: str) -> Person:
    values = v.clean_row({"name": name, "department": department, "phone": phone, "email": email,
                          "username": username.lower()}, PERSON_FIELDS)
    _account_free(session, values["username"], None)
    person = _create(session, Person(**values), user, log=False)
    _commit(session)
    return person


def _account_free(session: Session, username: str, person_id: int | None) -> None:
    """One sign-in account belongs to one person: the same person cannot
    be added twice with the same linked account."""
    if not username:
        return
    other = session.exec(select(Person).where(Person.username == username, Person.id != person_id)).first()
    if other is not None:
        raise v.located(v.FieldProblem("err.account_has_person", name=other.name), column="plan.col.username",
                        row=None)


@write_service("plan.edit")
def update_person(session: Session, *, person_id: int, version: int | None = None, user: str,
                  **values: Any) -> Person:
    person = _get(session, Person, person_id)
    _check_version(person, version)
    active = values.pop("active", None)
    clean = v.clean_row(values, PERSON_FIELDS, partial=True)
    if "username" in clean:
        clean["username"] = clean["username"].lower()  # as add_person: my_tasks matches lower-case names
        _account_free(session, clean["username"], person.id)
    if active is not None:
        clean["active"] = bool(active)
    _apply_unlogged(person, clean, user)
    _commit(session)
    return person


def _apply_unlogged(item: Any, values: dict[str, Any], user: str) -> bool:
    changed = {k: val for k, val in values.items() if getattr(item, k) != val}
    for name, value in changed.items():
        setattr(item, name, value)
    if changed:
        item.updated_at, item.updated_by, item.version = utcnow(), user, item.version + 1
    return bool(changed)


@dataclass
class Team:
    lead: Person | None = None
    secretary: Person | None = None
    members: list[Person] = field(default_factory=list)


def journey_team(session: Session, journey_id: int, *, user: str | None = None) -> Team:
    team = Team()
    hide = not may_see_contacts(session, user=user)
    rows = session.exec(select(JourneyMember, Person).join(Person, JourneyMember.person_id == Person.id)
                        .where(JourneyMember.journey_id == journey_id).order_by(Person.name))
    for member, person in rows:
        person = _without_contacts(person) if hide else person
        if member.role == "lead":
            team.lead = person
        elif member.role == "secretary":
            team.secretary = person
        else:
            team.members.append(person)
    return team


def team_signature(team: Team) -> tuple:
    """What a team form was opened with, to refuse a save over someone
    else's newer one."""
    return (team.lead.id if team.lead else None, team.secretary.id if team.secretary else None,
            tuple(sorted(p.id for p in team.members)))


def _refuse_if_changed(expected: Any, current: Any, *, item: str, now: str) -> None:
    """A form saved over a state someone else changed since it was opened
    is refused (no lost updates); `now` says what it is now."""
    if expected is not None and expected != current:
        raise ConflictError("err.form_changed", item=item, now=now or "—")


@write_service("plan.edit")
def set_team(session: Session, *, journey_id: int, lead_id: int | None, secretary_id: int | None,
             member_ids: Iterable[int] = (), expected: tuple | None = None, user: str) -> Team:
    """One CEM project lead, one secretary, and the members of a journey.
    `expected`: team_signature() of the team the form showed."""
    _get(session, Journey, journey_id)
    current = journey_team(session, journey_id)
    _refuse_if_changed(expected, team_signature(current), item="plan.team.edit",
                       now=", ".join(p.name for p in (current.lead, current.secretary, *current.members) if p))
    wanted = [(lead_id, "lead"), (secretary_id, "secretary")] + [(m, "member") for m in member_ids]
    for person_id, _ in wanted:
        if person_id is not None:
            _get(session, Person, person_id)
    for old in session.exec(select(JourneyMember).where(JourneyMember.journey_id == journey_id)):
        session.delete(old)
    session.flush()
    seen = set()
    for person_id, role in wanted:
        if person_id is None or person_id in seen:
            continue
        seen.add(person_id)
        session.add(JourneyMember(journey_id=journey_id, person_id=person_id, role=role, created_by=user,
                                  updated_by=user))
    _commit(session)
    return journey_team(session, journey_id)


def _team_recorder(session: Session, username: str, journey_id: int) -> bool:
    """Whether the account is linked to the journey's secretary or CEM project lead."""
    team = journey_team(session, journey_id)
    return any(person is not None and person.username and person.username == username
               for person in (team.secretary, team.lead))


def records_for_team(session: Session, *, user: str, journey_id: int) -> bool:
    """Whether `user` may record the progress of every task of the journey:
    leads and administrators, and the journey's secretary and project lead
    whatever their account's role."""
    account = find_user(session, user)
    if account is None or not account.active:
        return False
    return may(account.role, "plan.edit") or _team_recorder(session, account.username, journey_id)


def may_record_meeting(session: Session, *, user: str, journey_id: int) -> bool:
    account = find_user(session, user)
    return account is not None and account.active and (
        may(account.role, "meeting.record") or _team_recorder(session, account.username, journey_id))


def _meeting_service(function: Callable) -> Callable:
    """Like write_service("meeting.record"), and the journey's secretary or
    project lead may use it whatever their account's role (a viewer who is
    the secretary records the meeting)."""

    @wraps(function)
    def run(session: Session, *args, user: str, journey_id: int, **kwargs):
        account = find_user(session, user)
        if account is None or not account.active:
            raise PermissionDenied("err.not_signed_in")
        if not may_record_meeting(session, user=account.username, journey_id=journey_id):
            raise PermissionDenied("err.forbidden", role=f"role.{account.role}", action="action.meeting.record")
        return function(session, *args, user=account.username, journey_id=journey_id, **kwargs)

    WRITE_SERVICES[function.__name__] = "meeting.record"
    return writes(run)


# ---------------------------------------------------------------- tiers


def journey_tiers(session: Session, journey_id: int) -> tuple[int, ...]:
    return parse_tiers(_get(session, Journey, journey_id).tiers)


@write_service("plan.edit")
def set_tiers(session: Session, *, journey_id: int, tiers: str, expected: str | None = None,
              user: str) -> tuple[int, ...]:
    """The journey's progress tiers, e.g. "30, 20, 10". Commitments already
    made keep the tier they had. `expected`: the tiers the form showed."""
    journey = _get(session, Journey, journey_id)
    try:
        shown = ",".join(str(t) for t in parse_tiers(expected)) if expected is not None else None
    except ValueError:
        shown = str(expected)
    _refuse_if_changed(shown, journey.tiers, item="plan.col.tiers", now=journey.tiers.replace(",", ", "))
    try:
        values = parse_tiers(tiers)
    except ValueError:
        raise ValidationError("err.field", column="plan.col.tiers", problem="err.tiers", value=str(tiers)[:40])
    old = journey.tiers
    journey.tiers = ",".join(str(t) for t in values)
    if journey.tiers != old:
        journey.updated_by, journey.updated_at, journey.version = user, utcnow(), journey.version + 1
        journey.revision += 1
        _log(session, Where(journey.id), journey, "update", user, old={"tiers": old}, new={"tiers": journey.tiers})
    _commit(session)
    return values


# ---------------------------------------------------------------- tasks


def _months(start_month: str, due_month: str) -> tuple[str, str]:
    start = months.check(start_month, column="plan.col.start_month")
    due = months.check(due_month, column="plan.col.due_month")
    if due < start:
        raise ValidationError("err.field", column="plan.col.due_month", problem="err.due_before_start",
                              value=due)
    return start, due


def _owner(session: Session, owner_id: int | None) -> int | None:
    if owner_id in (None, "", 0):
        return None
    person = session.get(Person, _an_id(owner_id, "plan.table.owner"))
    if person is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)
    return person.id


def _an_id(value: Any, column: str) -> int:
    """A row id given by a caller, checked: 'abc' is a clear error, not a ValueError."""
    try:
        return v.whole_number(1, 2**31 - 1, required=True)(value)
    except v.FieldProblem as problem:
        raise v.located(problem, column=column, row=None) from None


def _source(session: Session, model: type, item_id: Any, column: str, journey_id: int) -> int | None:
    """The measure or idea a task is made from: it must exist in the journey."""
    if item_id in (None, "", 0):
        return None
    item = session.get(model, _an_id(item_id, column))
    step_id = item.step_id if isinstance(item, Idea) else (
        session.get(PainPoint, item.pain_point_id).step_id if item is not None else None)
    step = session.get(Step, step_id) if step_id else None
    stage = session.get(Stage, step.stage_id) if step else None
    if stage is None or stage.journey_id != journey_id:
        raise NotFoundError("err.not_found", item=f"item.{model.__tablename__}", id=item_id)
    return item.id


@write_service("plan.edit")
def create_task(session: Session, *, step_id: int, title: str, start_month: str, due_month: str,
                owner_id: int | None = None, description: str = "", measure_id: int | None = None,
                idea_id: int | None = None, user: str) -> Task:
    """A task at a sub-step; made from a measure or an idea when one is named."""
    task = new_task(session, step_id=step_id, title=title, start_month=start_month, due_month=due_month,
                    owner_id=owner_id, description=description, measure_id=measure_id, idea_id=idea_id, user=user)
    _commit(session)
    return task


def new_task(session: Session, *, step_id: int, title: str, start_month: str, due_month: str,
             owner_id: int | None = None, description: str = "", measure_id: int | None = None,
             idea_id: int | None = None, user: str) -> Task:
    """create_task in the caller's transaction (the caller checks the role and commits)."""
    step = _get(session, Step, step_id)
    stage = _get(session, Stage, step.stage_id)
    clean = v.clean_row({"title": title, "description": description}, TASK_FIELDS, partial=True)
    start, due = _months(start_month, due_month)
    task = Task(journey_id=stage.journey_id, step_id=step.id, owner_id=_owner(session, owner_id),
                start_month=start, due_month=due, **clean,
                measure_id=_source(session, Measure, measure_id, "item.measure", stage.journey_id),
                idea_id=_source(session, Idea, idea_id, "item.idea", stage.journey_id))
    task = _create(session, task, user, log=False)
    _log(session, Where(stage.journey_id, stage.id, step.id), task, "create", user, new=_values(task))
    _touch(session, stage.journey_id)
    return task


def task_from_measure(session: Session, *, measure_id: int, start_month: str, due_month: str,
                      owner_id: int | None = None, description: str = "", user: str) -> Task:
    measure = _get(session, Measure, measure_id)
    pain = _get(session, PainPoint, measure.pain_point_id)
    return create_task(session, step_id=pain.step_id, title=measure.text, start_month=start_month,
                       due_month=due_month, owner_id=owner_id, description=description, measure_id=measure.id,
                       user=user)


def task_from_idea(session: Session, *, idea_id: int, start_month: str, due_month: str,
                   owner_id: int | None = None, description: str = "", user: str) -> Task:
    idea = _get(session, Idea, idea_id)
    return create_task(session, step_id=idea.step_id, title=idea.text, start_month=start_month,
                       due_month=due_month, owner_id=owner_id, description=description, idea_id=idea.id, user=user)


def _task_where(session: Session, task: Task) -> Where:
    step = session.get(Step, task.step_id)
    return Where(task.journey_id, step.stage_id, step.id)


@write_service("plan.edit")
def update_task(session: Session, *, task_id: int, version: int | None = None, user: str,
                **values: Any) -> Task:
    """Change a task's title, description, status, owner or months."""
    task = _get(session, Task, task_id)
    _check_version(task, version)
    clean = v.clean_row(values, TASK_FIELDS, partial=True)
    if "owner_id" in values:
        clean["owner_id"] = _owner(session, values["owner_id"])
    if "start_month" in values or "due_month" in values:
        clean["start_month"], clean["due_month"] = _months(values.get("start_month", task.start_month),
                                                           values.get("due_month", task.due_month))
    old = {k: getattr(task, k) for k in clean if getattr(task, k) != clean[k]}
    if _apply_unlogged(task, clean, user):
        _log(session, _task_where(session, task), task, "update", user, old=old,
             new={k: clean[k] for k in old})
        _touch(session, task.journey_id)
    _commit(session)
    return task


@write_service("plan.edit")
def delete_task(session: Session, *, task_id: int, user: str) -> None:
    """Move a task, with its commitments and check-ins, to the bin."""
    task = _get(session, Task, task_id)
    _log(session, _task_where(session, task), task, "delete", user, old=_values(task))
    task.deleted_at, task.deleted_by, task.version = utcnow(), user, task.version + 1
    _touch(session, task.journey_id)
    _commit(session)


# ---------------------------------------------------------------- commitments and check-ins


@write_service("plan.edit")
def set_commitments(session: Session, *, journey_id: int, month: str, tiers: dict[int, int | None],
                    expected: dict[int, int | None] | None = None, user: str) -> int:
    """The month's plan: for each task id, its tier for `month` (one of the
    journey's tiers), or None to take it out of the month's plan.
    `expected`: the tier each of those tasks had when the form was opened."""
    month = months.check(month)
    allowed = journey_tiers(session, journey_id)
    existing = {c.task_id: c for c in session.exec(
        select(Commitment).join(Task).where(Task.journey_id == journey_id, Commitment.month == month))}
    if expected is not None:
        moved = [task_id for task_id in tiers
                 if expected.get(task_id) != (existing[task_id].tier if task_id in existing else None)]
        if moved:
            titles = {task.id: task.title for task in session.exec(select(Task).where(Task.id.in_(moved)))}
            _refuse_if_changed(True, False, item="plan.monthly.tab_plan", now="; ".join(
                f"{titles.get(i, i)}: {existing[i].tier}%" if i in existing else f"{titles.get(i, i)}: —"
                for i in moved))
    changed = 0
    for task_id, tier in tiers.items():
        task = _get(session, Task, task_id)
        if task.journey_id != journey_id:
            raise NotFoundError("err.not_found", item="item.task", id=task_id)
        current = existing.get(task_id)
        if tier in (None, "", 0):
            if current is not None:
                _log(session, _task_where(session, task), current, "delete", user, old=_values(current))
                session.delete(current)
                changed += 1
            continue
        if int(tier) not in allowed:
            raise ValidationError("err.field", column="plan.col.tier", problem="err.choice",
                                  options=", ".join(f"{t}%" for t in allowed), value=str(tier))
        if current is None:
            made = _create(session, Commitment(task_id=task_id, month=month, tier=int(tier)), user, log=False)
            _log(session, _task_where(session, task), made, "create", user, new=_values(made))
            changed += 1
        elif current.tier != int(tier):
            _log(session, _task_where(session, task), current, "update", user, old={"tier": current.tier},
                 new={"tier": int(tier)})
            _apply_unlogged(current, {"tier": int(tier)}, user)
            changed += 1
    if changed:
        _touch(session, journey_id)
    _commit(session)
    return changed


def _may_record(session: Session, user: str, task: Task) -> None:
    """Leads and administrators, and the journey's secretary and project
    lead, record any task of the journey; anyone else only tasks whose owner
    is linked to their account."""
    account = find_user(session, user)
    if records_for_team(session, user=account.username, journey_id=task.journey_id):
        return
    owner = session.get(Person, task.owner_id) if task.owner_id else None
    if owner is None or owner.username != account.username:
        raise PermissionDenied("err.not_owner")


@write_service("checkin.record")
def record_check_in(session: Session, *, task_id: int, month: str, progress: int, note: str = "",
                    reason: str = "", meeting_id: int | None = None, user: str) -> CheckIn:
    """The task's real cumulative progress for `month`, with why it is
    behind if it is. Earlier check-ins stay; the newest of a month is that
    month's figure."""
    check_in = _add_check_in(session, task_id=task_id, month=month, progress=progress, note=note, reason=reason,
                             meeting_id=meeting_id, user=user)
    _commit(session)
    return check_in


@write_service("checkin.record")
def record_check_ins(session: Session, *, journey_id: int, month: str, reports: list[tuple[int, int, Report]],
                     user: str) -> int:
    """Several tasks' check-ins for `month` from one table: (row number as
    shown, task id, Report) each, all saved together or none; a refused
    one is named by its row. Returns how many were recorded."""
    for row, task_id, report in reports:
        task = _get(session, Task, task_id)
        if task.journey_id != journey_id:
            raise NotFoundError("err.not_found", item="item.task", id=task_id)
        try:
            _add_check_in(session, task_id=task_id, month=month, progress=report.progress, note=report.note,
                          reason=report.reason, meeting_id=None, user=user)
        except ValidationError as error:
            if error.code != "err.field":
                raise
            raise ValidationError("err.cell", row=row, **error.params) from None
    _commit(session)
    return len(reports)


def _checked(check, value: Any, column: str) -> Any:
    try:
        return check(value)
    except v.FieldProblem as problem:
        raise v.located(problem, column=column, row=None) from None


def _add_check_in(session: Session, *, task_id: int, month: str, progress: int, note: str, meeting_id: int | None,
                  user: str, reason: str = "", reported_by_id: int | None = None) -> CheckIn:
    task = _get(session, Task, task_id)
    _may_record(session, user, task)
    month = months.check(month)
    value = _checked(PROGRESS, progress, "plan.col.progress")
    text = _checked(NOTE, note, "plan.col.note")
    why = _checked(NOTE, reason, "plan.col.behind_reason")
    check_in = _create(session, CheckIn(task_id=task.id, month=month, progress=value, note=text, behind_reason=why,
                                        meeting_id=meeting_id, reported_by_id=reported_by_id), user, log=False)
    _log(session, _task_where(session, task), check_in, "create", user, new=_values(check_in))
    if value >= 100 and task.status in OPEN_STATUSES:
        _apply_unlogged(task, {"status": "done"}, user)
    elif value > 0 and task.status == "open":
        _apply_unlogged(task, {"status": "in_progress"}, user)
    _touch(session, task.journey_id)
    return check_in


# ---------------------------------------------------------------- reading the plan


TaskRead, _TASK = read_type(Task)
StepRead, _STEP = read_type(Step)
StageRead, _STAGE = read_type(Stage)
_T, _S = len(_TASK), len(_STEP)


@dataclass
class TaskRow:
    task: TaskRead
    stage: StageRead
    step: StepRead
    owner: Person | None
    figures: TaskMonths

    def progress(self, month: str) -> int:
        return self.figures.progress_at(month)

    def latest_progress(self) -> int:
        """The figure of the latest month with a check-in (0 without any)."""
        recorded = self.figures.recorded()
        return recorded[max(recorded)] if recorded else 0

    def last_tier(self, month: str) -> int | None:
        """The tier of the task's latest commitment up to `month`."""
        earlier = [m for m in self.figures.commitments if m <= month]
        return self.figures.commitments[max(earlier)] if earlier else None


def plan_stamp(session: Session, journey_ids: Iterable[int]) -> tuple:
    """Changes whenever task_rows of these journeys would: every write to a
    journey's map or plan raises its revision, and every change of a person
    their version (two small indexed reads)."""
    ids = sorted(journey_ids)
    revisions = tuple(session.exec(select(Journey.revision).where(Journey.id.in_(ids)).order_by(Journey.id)))
    people = tuple(session.exec(select(func.count(Person.id), func.sum(Person.version))).one())
    return ids, revisions, people


def task_rows(session: Session, journey_ids: Iterable[int], *, include_closed: bool = True,
              user: str | None = None, contacts: bool | None = None,
              figures: dict[int, TaskMonths] | None = None) -> list[TaskRow]:
    """Every live task of the journeys with its stage, sub-step, owner and
    month-by-month figures (`figures`: task_figures read before), in a
    fixed number of queries. Owners' phones and e-mails only for those who
    may see them (`contacts`, when given, says whether the reader may)."""
    ids = list(journey_ids)
    if not ids:
        return []
    query = (select(*_TASK, *_STEP, *_STAGE).join(Step, Task.step_id == Step.id)
             .join(Stage, Step.stage_id == Stage.id)
             .where(Task.journey_id.in_(ids), Task.deleted_at.is_(None), Step.deleted_at.is_(None),
                    Stage.deleted_at.is_(None))
             .order_by(Stage.position, Step.position, Task.id))
    if not include_closed:
        query = query.where(Task.status.in_(OPEN_STATUSES))
    # Plain rows, not ORM objects: a journey has hundreds of tasks.
    rows = [(TaskRead._make(r[:_T]), StepRead._make(r[_T:_T + _S]), StageRead._make(r[_T + _S:]))
            for r in session.execute(query)]
    task_ids = [task.id for task, _, _ in rows]
    people = {p.id: p for p in list_people(session, user=user, contacts=contacts)}
    if figures is None:
        figures = task_figures(session, ids) if task_ids else {}
    return [TaskRow(task, stage, step, people.get(task.owner_id), figures.get(task.id) or TaskMonths())
            for task, step, stage in rows]


def task_figures(session: Session, journey_ids: Iterable[int]) -> dict[int, TaskMonths]:
    """Each task's commitments and check-ins by month, for these journeys
    (two column reads, however many months)."""
    ids = list(journey_ids)
    figures: dict[int, TaskMonths] = defaultdict(TaskMonths)
    for task_id, month, tier in session.exec(
            select(Commitment.task_id, Commitment.month, Commitment.tier).join(Task).where(Task.journey_id.in_(ids))):
        figures[task_id].commitments[month] = tier
    for check_id, task_id, month, progress, reason in session.exec(
            select(CheckIn.id, CheckIn.task_id, CheckIn.month, CheckIn.progress, CheckIn.behind_reason)
            .join(Task).where(Task.journey_id.in_(ids))):
        figures[task_id].check_ins.append(CheckInValue(month, progress, check_id, reason))
    return dict(figures)


def figures_stamp(session: Session, journey_ids: Iterable[int]) -> tuple:
    """Changes whenever task_figures would: a commitment made, changed or
    dropped, a check-in recorded (check-ins are never changed)."""
    ids = list(journey_ids)
    commitments = session.exec(select(func.count(Commitment.id), func.sum(Commitment.version), func.max(Commitment.id))
                               .join(Task).where(Task.journey_id.in_(ids))).one()
    check_ins = session.exec(select(func.count(CheckIn.id), func.max(CheckIn.id))
                             .join(Task).where(Task.journey_id.in_(ids))).one()
    return tuple(commitments), tuple(check_ins)


def my_tasks(session: Session, *, username: str) -> list[TaskRow]:
    """Open tasks of the people linked to this account, in every journey
    (with the owner's contacts only if the account may see them)."""
    person_ids = set(session.exec(select(Person.id).where(Person.username == username.lower())))
    if not person_ids:
        return []
    journey_ids = set(session.exec(select(Task.journey_id).where(Task.owner_id.in_(person_ids))))
    return [row for row in task_rows(session, journey_ids, include_closed=False, user=username)
            if row.task.owner_id in person_ids]


def needs_attention(rows: list[TaskRow], month: str) -> tuple[list[TaskRow], list[TaskRow]]:
    """For the lead: open tasks past their due month, and tasks off target
    in `month` (committed, and the month's gain below the tier)."""
    overdue = [r for r in rows if r.task.status in OPEN_STATUSES and r.task.due_month < month]
    off_target = [r for r in rows if r.figures.on_target(month) is False]
    return overdue, off_target


def month_check_ins(session: Session, task_id: int) -> list[CheckIn]:
    """Every check-in of a task, newest first (nothing is overwritten)."""
    return list(session.exec(select(CheckIn).where(CheckIn.task_id == task_id).order_by(CheckIn.id.desc())))


def check_in_history(session: Session, task_ids: Iterable[int]) -> dict[int, list[CheckIn]]:
    """Every check-in of these tasks, newest first per task, in one query."""
    ids = list(task_ids)
    history: dict[int, list[CheckIn]] = defaultdict(list)
    if ids:
        for check_in in session.exec(select(CheckIn).where(CheckIn.task_id.in_(ids)).order_by(CheckIn.id.desc())):
            history[check_in.task_id].append(check_in)
    return history


def meeting_check_ins(session: Session, meeting_ids: Iterable[int]) -> dict[int, list[tuple[CheckIn, str]]]:
    """The progress recorded during each meeting, with the task's title."""
    ids = list(meeting_ids)
    found: dict[int, list[tuple[CheckIn, str]]] = defaultdict(list)
    if ids:
        for check_in, title in session.exec(select(CheckIn, Task.title).join(Task, CheckIn.task_id == Task.id)
                                            .where(CheckIn.meeting_id.in_(ids)).order_by(CheckIn.id)):
            found[check_in.meeting_id].append((check_in, title))
    return found


# ---------------------------------------------------------------- evaluation


@dataclass
class GroupFigures:
    """A group's committed tasks in a month: how many, how many on target,
    and the averages of their tiers and gains (points; every task weighs the same)."""

    name: str
    committed_tasks: int = 0
    on_target: int = 0
    tiers: list[int] = field(default_factory=list, repr=False)
    gains: list[int] = field(default_factory=list, repr=False)

    @property
    def average_tier(self) -> float | None:
        return mean(self.tiers)

    @property
    def average_gain(self) -> float | None:
        return mean(self.gains)


def evaluation(rows: list[TaskRow], month: str, *, by: str) -> list[GroupFigures]:
    """What was committed against what was achieved in `month`, grouped by
    "tier", "stage", "department" or "owner"."""
    groups: dict[str, GroupFigures] = {}
    for row in rows:
        tier = row.figures.commitments.get(month)
        if tier is None:
            continue
        name = {
            "tier": f"{tier}%",
            "stage": row.stage.name,
            "department": (row.owner.department if row.owner else "") or "—",
            "owner": row.owner.name if row.owner else "—",
        }[by]
        group = groups.setdefault(name, GroupFigures(name))
        group.committed_tasks += 1
        group.on_target += int(bool(row.figures.on_target(month)))
        group.tiers.append(tier)
        group.gains.append(row.figures.gain(month))
    return sorted(groups.values(), key=lambda g: (-int(g.name.rstrip("%")) if by == "tier" else 0, g.name))


def next_month_candidates(rows: list[TaskRow], month: str) -> list[TaskRow]:
    """Tasks to plan for the month after `month`: still open, not at 100 %,
    started by then."""
    following = months.add(month, 1)
    return [r for r in rows if r.task.status in OPEN_STATUSES and r.progress(month) < 100
            and r.task.start_month <= following]


def series(rows: list[TaskRow], first: str, last: str) -> list[MonthFigures]:
    return [month_figures([r.figures for r in rows], month) for month in months.between(first, last)]


# ---------------------------------------------------------------- meetings


@dataclass(frozen=True)
class Report:
    """What an owner reported for a task in a meeting."""

    progress: int
    note: str = ""
    reason: str = ""  # why the task is behind


def meeting_month(held_on: date) -> str:
    """The month a meeting proposes and records progress for: its own."""
    return months.of(held_on)


@_meeting_service
def record_meeting(session: Session, *, journey_id: int, held_on: date, title: str = "", agenda: str = "",
                   notes: str = "", decisions: str = "", attendee_ids: Iterable[int] = (),
                   check_ins: dict[int, Report | tuple] | None = None, user: str) -> Meeting:
    """A meeting with its attendees and the task updates made in it (task
    id -> Report, or (progress, note)), recorded for the meeting's month
    under the recorder's name and noted as reported by the task's owner,
    all saved together or not at all. The journey's secretary and project
    lead record every task of the journey; others only their own."""
    _get(session, Journey, journey_id)
    if not isinstance(held_on, date):
        raise ValidationError("err.field", column="plan.col.meeting_date", problem="err.required")
    given = {"title": title, "agenda": agenda, "notes": notes, "decisions": decisions}
    texts = {}
    for name, limit, label in (("title", 200, "plan.col.meeting_title"), ("agenda", 5000, "plan.col.agenda"),
                               ("notes", 10000, "plan.col.notes"), ("decisions", 5000, "plan.col.decisions")):
        try:
            texts[name] = v.text(limit)(given[name])
        except v.FieldProblem as problem:
            raise v.located(problem, column=label, row=None) from None
    meeting = _create(session, Meeting(journey_id=journey_id, held_on=held_on, **texts), user, log=False)
    for person_id in dict.fromkeys(attendee_ids):
        _get(session, Person, person_id)
        session.add(MeetingAttendee(meeting_id=meeting.id, person_id=person_id))
    _log(session, Where(journey_id), meeting, "create", user, new={**_values(meeting),
                                                                    "held_on": held_on.isoformat()})
    for task_id, given in (check_ins or {}).items():
        given = given if isinstance(given, Report) else Report(*given)
        task = _get(session, Task, task_id)
        if task.journey_id != journey_id:
            raise NotFoundError("err.not_found", item="item.task", id=task_id)
        _add_check_in(session, task_id=task_id, month=meeting_month(held_on), progress=given.progress,
                      note=given.note, reason=given.reason, meeting_id=meeting.id, user=user,
                      reported_by_id=task.owner_id)
    _commit(session)
    return meeting


@dataclass
class MeetingView:
    meeting: Meeting
    attendees: list[Person]


def list_meetings(session: Session, journey_id: int, *, search: str = "") -> list[MeetingView]:
    """Past meetings, newest first; `search` finds words in the title,
    agenda, notes or decisions."""
    query = select(Meeting).where(Meeting.journey_id == journey_id)
    words = [w for w in search.split() if w]
    for word in words:
        pattern = f"%{word}%"
        query = query.where(or_(Meeting.title.ilike(pattern), Meeting.agenda.ilike(pattern),
                                Meeting.notes.ilike(pattern), Meeting.decisions.ilike(pattern)))
    meetings = list(session.exec(query.order_by(Meeting.held_on.desc(), Meeting.id.desc())))
    attendees: dict[int, list[Person]] = defaultdict(list)
    if meetings:
        for meeting_id, person in session.exec(
                select(MeetingAttendee.meeting_id, Person).join(Person, MeetingAttendee.person_id == Person.id)
                .where(MeetingAttendee.meeting_id.in_([m.id for m in meetings])).order_by(Person.name)):
            attendees[meeting_id].append(person)
    return [MeetingView(m, attendees[m.id]) for m in meetings]


def proposed_agenda(rows: list[TaskRow], month: str) -> list[TaskRow]:
    """For a new meeting: tasks off target last month first, then overdue,
    then the other open tasks."""
    overdue, off_target = needs_attention(rows, month)
    seen, agenda = set(), []
    for row in off_target + overdue + [r for r in rows if r.task.status in OPEN_STATUSES]:
        if row.task.id not in seen:
            seen.add(row.task.id)
            agenda.append(row)
    return agenda


def agenda_line(row: TaskRow, month: str, tr: Callable[..., str]) -> str:
    """One task on the agenda: this month's gain against this month's
    commitment, the cumulative progress as context, flags, and why it is behind."""
    tier = row.figures.commitments.get(month)
    gain = points(row.figures.gain(month), signed=True)
    figures = tr("fig.agenda_line" if tier else "fig.agenda_no_tier", gain=gain, tier=tier,
                 progress=row.progress(month))
    flags = []
    if row.figures.on_target(month) is False:
        flags.append(tr("plan.meetings.flag_off_target"))
    if row.task.status in OPEN_STATUSES and row.task.due_month < month:
        flags.append(tr("plan.meetings.flag_overdue"))
    owner = row.owner.name if row.owner else tr("plan.no_owner")
    line = f"{shorten(row.task.title, 120)} — {owner}: {figures}"
    if flags:
        line += f" [{', '.join(flags)}]"
    reason = row.figures.reason(month)
    if reason:
        line += " — " + tr("fig.why_behind", reason=shorten(reason, 200))
    return line


def agenda_text(rows: list[TaskRow], month: str, tr: Callable[..., str], *, limit: int = 20) -> str:
    """The proposed agenda for a meeting in `month`, numbered."""
    return "\n".join(f"{number}. {agenda_line(row, month, tr)}"
                     for number, row in enumerate(proposed_agenda(rows, month)[:limit], 1))


# ---------------------------------------------------------------- pain points resolved


def pain_points_resolved(session: Session, journey_ids: Iterable[int]) -> dict[str, int]:
    """How many pain points were marked resolved, per month."""
    ids = list(journey_ids)
    counts: dict[str, int] = defaultdict(int)
    if not ids:
        return counts
    query = (select(PainPoint.resolved_at).join(Step).join(Stage)
             .where(Stage.journey_id.in_(ids), PainPoint.status == "resolved", PainPoint.resolved_at.is_not(None),
                    Stage.deleted_at.is_(None), Step.deleted_at.is_(None)))
    for (moment,) in session.exec(query):
        counts[months.of(moment)] += 1
    return counts


def open_pain_points_by_severity(session: Session, journey_ids: Iterable[int]) -> dict[int, int]:
    ids = list(journey_ids)
    if not ids:
        return {}
    query = (select(PainPoint.severity, func.count()).join(Step).join(Stage)
             .where(Stage.journey_id.in_(ids), PainPoint.status == "open", Stage.deleted_at.is_(None),
                    Step.deleted_at.is_(None)).group_by(PainPoint.severity))
    return dict(session.exec(query))
