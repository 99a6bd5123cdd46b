"""The improvement plan of a journey as an Excel workbook, to take away.

Six sheets with headings in the chosen language: the plan (journey, tiers,
CEM team), the tasks with their owners (department and phone), the monthly
commitments with their results, every check-in, the evaluation month by
month, and the meetings with attendees, decisions and the progress reported
in them. Months read as Thai month names with Buddhist-era years in Thai,
days likewise.

Figures over several tasks are counts and plain averages, as on the
monthly page: every committed task weighs the same, and percentages of
different tasks are never added up.

Cells are written as in the map export (cem.journey.excel.write_cell): text is
never a formula, and formula-like text carries Excel's quote prefix.

A column that a table of the plan may not have in every version (why a
task is behind, who reported a check-in) names the field it reads in
`needs` and is written only when the model has that field; a new column is
one more Col in the lists below and a heading in plan_export.json.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from typing import Any, Callable

import openpyxl
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from cem.core import months
from cem.improvement import plan
from cem.journey import services
from cem.journey.excel import day_label, write_cell
from cem.core.i18n import normalise_lang, t
from cem.core.models import CheckIn, Journey, Person, Task
from cem.improvement.progress import parse_tiers

SHEET_NAMES = ("plan", "tasks", "commitments", "check_ins", "evaluation", "meetings")
GROUPS = ("all", "tier", "stage", "department", "owner")
NOBODY = "—"


@dataclass(frozen=True)
class Col:
    name: str  # heading: plan_export.col.<name>
    value: Callable[[Plan, Any], Any]
    width: int = 14
    needs: tuple[type, str] | None = None  # (model, field) read; the column is left out without it
    number_format: str = ""

    def present(self) -> bool:
        return self.needs is None or self.needs[1] in self.needs[0].model_fields


@dataclass
class Plan:
    """Everything the sheets show, read once."""

    journey: Journey
    lang: str
    rows: list[plan.TaskRow]
    team: plan.Team
    check_ins: list[CheckIn]
    meetings: list[plan.MeetingView]
    updates: dict[int, list[tuple[CheckIn, str]]]
    people: dict[int, Person]

    def __post_init__(self) -> None:
        self.number = {row.task.id: n for n, row in enumerate(self.rows, 1)}
        self.task = {row.task.id: row for row in self.rows}
        self.meeting_day = {view.meeting.id: view.meeting.held_on for view in self.meetings}

    def t(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def month(self, month: str) -> str:
        return months.label(month, self.lang)

    def day(self, day: date | None) -> str:
        return day_label(day, self.lang) if day else ""

    def person(self, person_id: int | None) -> str:
        person = self.people.get(person_id)
        return person.name if person else ""

    def reason(self, task_id: int, month: str) -> str:
        """The latest reason given that month for the task being behind."""
        given = [c.behind_reason for c in self.check_ins if c.task_id == task_id and c.month == month
                 and c.behind_reason]
        return given[-1] if given else ""

    def months(self) -> list[str]:
        """The months with a commitment or a check-in, in order."""
        found = {m for row in self.rows for m in row.figures.commitments} | {c.month for c in self.check_ins}
        return sorted(found)


def export_plan(session: Session, *, journey_id: int, lang: str, user: str | None = None) -> bytes:
    """The journey's improvement plan as .xlsx bytes, with headings in
    `lang`. People's phones and e-mails are in it only if `user` may see
    them, and such an export is logged."""
    the_plan = read_plan(session, journey_id=journey_id, lang=lang, user=user)
    if user is not None and plan.may_see_contacts(session, user=user):
        plan.log_personal_export(session, user=user, journey_id=journey_id, what="plan workbook")
    book = openpyxl.Workbook()
    book.remove(book.active)
    _write_plan_sheet(book.create_sheet(the_plan.t("plan_export.sheet.plan")), the_plan)
    for name, columns, items in (("tasks", TASK_COLUMNS, the_plan.rows),
                                 ("commitments", COMMITMENT_COLUMNS, _commitments(the_plan)),
                                 ("check_ins", CHECK_IN_COLUMNS, the_plan.check_ins),
                                 ("evaluation", EVALUATION_COLUMNS, _evaluation(the_plan)),
                                 ("meetings", MEETING_COLUMNS, the_plan.meetings)):
        _write_sheet(book.create_sheet(the_plan.t(f"plan_export.sheet.{name}")), the_plan, columns, items)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def read_plan(session: Session, *, journey_id: int, lang: str, user: str | None = None) -> Plan:
    journey = services.get_journey(session, journey_id)
    rows = plan.task_rows(session, [journey_id], user=user)
    numbers = {row.task.id: n for n, row in enumerate(rows, 1)}
    check_ins = sorted(session.exec(select(CheckIn).where(CheckIn.task_id.in_(list(numbers)))) if numbers else [],
                       key=lambda c: (numbers[c.task_id], c.id))
    meetings = plan.list_meetings(session, journey_id)
    return Plan(journey, normalise_lang(lang), rows, plan.journey_team(session, journey_id, user=user), check_ins,
                meetings, plan.meeting_check_ins(session, [view.meeting.id for view in meetings]),
                {p.id: p for p in plan.list_people(session, user=user)})


# ---------------------------------------------------------------- the sheets' columns


def _owner(row: plan.TaskRow, field: str) -> str:
    return getattr(row.owner, field) if row.owner else ""


TASK_COLUMNS = (
    Col("task_no", lambda p, r: p.number[r.task.id], 8),
    Col("stage", lambda p, r: r.stage.name, 20),
    Col("step", lambda p, r: r.step.name, 20),
    Col("task", lambda p, r: r.task.title, 40),
    Col("description", lambda p, r: r.task.description, 30),
    Col("owner", lambda p, r: _owner(r, "name"), 20),
    Col("department", lambda p, r: _owner(r, "department"), 20),
    Col("phone", lambda p, r: _owner(r, "phone"), 16),
    Col("start_month", lambda p, r: p.month(r.task.start_month), 16),
    Col("due_month", lambda p, r: p.month(r.task.due_month), 16),
    Col("status", lambda p, r: p.t(f"plan_export.status.{r.task.status}"), 14),
    Col("progress", lambda p, r: r.latest_progress(), 12),
    Col("behind_reason", lambda p, r: r.task.behind_reason, 30, needs=(Task, "behind_reason")),
)


def _commitments(p: Plan) -> list[tuple[plan.TaskRow, str, int]]:
    """(task, month, tier) by month, then task."""
    found = [(row, month, tier) for row in p.rows for month, tier in row.figures.commitments.items()]
    return sorted(found, key=lambda item: (item[1], p.number[item[0].task.id]))


def _result(p: Plan, row: plan.TaskRow, month: str) -> str:
    return p.t("plan_export.on_target" if row.figures.on_target(month) else "plan_export.below_target")


COMMITMENT_COLUMNS = (
    Col("month", lambda p, c: p.month(c[1]), 16),
    Col("task_no", lambda p, c: p.number[c[0].task.id], 8),
    Col("task", lambda p, c: c[0].task.title, 40),
    Col("owner", lambda p, c: _owner(c[0], "name"), 20),
    Col("tier", lambda p, c: c[2], 12),
    Col("progress_before", lambda p, c: c[0].progress(months.previous(c[1])), 14),
    Col("progress_after", lambda p, c: c[0].progress(c[1]), 14),
    Col("gain", lambda p, c: c[0].figures.gain(c[1]), 12),
    Col("result", lambda p, c: _result(p, c[0], c[1]), 14),
    Col("behind_reason", lambda p, c: p.reason(c[0].task.id, c[1]), 30, needs=(CheckIn, "behind_reason")),
)

CHECK_IN_COLUMNS = (
    Col("month", lambda p, c: p.month(c.month), 16),
    Col("task_no", lambda p, c: p.number[c.task_id], 8),
    Col("task", lambda p, c: p.task[c.task_id].task.title, 40),
    Col("progress", lambda p, c: c.progress, 12),
    Col("note", lambda p, c: c.note, 30),
    Col("behind_reason", lambda p, c: c.behind_reason, 30, needs=(CheckIn, "behind_reason")),
    Col("reported_by", lambda p, c: p.person(c.reported_by_id), 20, needs=(CheckIn, "reported_by_id")),
    Col("recorded_on", lambda p, c: p.day(c.created_at.date()), 16),
    Col("recorded_by", lambda p, c: c.created_by, 16),
    Col("meeting", lambda p, c: p.day(p.meeting_day.get(c.meeting_id)), 16),
)


@dataclass
class Group:
    month: str
    by: str
    name: str
    rows: list[plan.TaskRow]

    def committed(self) -> list[int]:
        return [row.figures.commitments[self.month] for row in self.rows]

    def gains(self) -> list[int]:
        return [row.figures.gain(self.month) for row in self.rows]

    def on_target(self) -> int:
        return sum(1 for row in self.rows if row.figures.on_target(self.month))


def _evaluation(p: Plan) -> list[Group]:
    """Per month: all committed tasks, then by tier, stage, department and owner."""
    groups = []
    for month in p.months():
        committed = [row for row in p.rows if month in row.figures.commitments]
        if not committed:
            continue
        for by in GROUPS:
            named: dict[str, list[plan.TaskRow]] = defaultdict(list)
            for row in committed:
                named[_group_name(row, month, by)].append(row)
            names = sorted(named, key=lambda n: -int(n.rstrip("%"))) if by == "tier" else list(named)
            groups += [Group(month, by, name, named[name]) for name in names]
    return groups


def _group_name(row: plan.TaskRow, month: str, by: str) -> str:
    if by == "tier":
        return f"{row.figures.commitments[month]}%"
    if by == "stage":
        return row.stage.name
    if by in ("department", "owner"):
        return _owner(row, "department" if by == "department" else "name") or NOBODY
    return ""


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


EVALUATION_COLUMNS = (
    Col("month", lambda p, g: p.month(g.month), 16),
    Col("group_by", lambda p, g: p.t(f"plan_export.group.{g.by}"), 22),
    Col("group", lambda p, g: g.name, 24),
    Col("committed_tasks", lambda p, g: len(g.rows), 14),
    Col("on_target", lambda p, g: g.on_target(), 12),
    Col("on_target_share", lambda p, g: g.on_target() / len(g.rows), 14, number_format="0%"),
    Col("average_tier", lambda p, g: _mean(g.committed()), 16, number_format="0.0"),
    Col("average_gain", lambda p, g: _mean(g.gains()), 16, number_format="0.0"),
)


def _updates(p: Plan, meeting_id: int) -> str:
    lines = []
    for check_in, title in p.updates.get(meeting_id, []):
        number = p.number.get(check_in.task_id)
        line = f"{number}. {title}: {check_in.progress}%" if number else f"{title}: {check_in.progress}%"
        lines.append(line + (f" ({check_in.note})" if check_in.note else ""))
    return "\n".join(lines)


MEETING_COLUMNS = (
    Col("date", lambda p, m: p.day(m.meeting.held_on), 16),
    Col("title", lambda p, m: m.meeting.title, 24),
    Col("attendees", lambda p, m: ", ".join(person.name for person in m.attendees), 30),
    Col("agenda", lambda p, m: m.meeting.agenda, 40),
    Col("notes", lambda p, m: m.meeting.notes, 40),
    Col("decisions", lambda p, m: m.meeting.decisions, 40),
    Col("updates", lambda p, m: _updates(p, m.meeting.id), 40),
)


# ---------------------------------------------------------------- writing


def _write_sheet(ws, p: Plan, columns: tuple[Col, ...], items) -> None:
    columns = [column for column in columns if column.present()]
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for col, column in enumerate(columns, 1):
        write_cell(ws.cell(row=1, column=col), p.t(f"plan_export.col.{column.name}")).font = bold
        ws.column_dimensions[get_column_letter(col)].width = column.width
    for r, item in enumerate(items, 2):
        for col, column in enumerate(columns, 1):
            cell = write_cell(ws.cell(row=r, column=col), column.value(p, item))
            if column.number_format:
                cell.number_format = column.number_format
            if column.width >= 30:
                cell.alignment = wrap
    ws.freeze_panes = "A2"


def _person_line(person: Person | None) -> str:
    return " · ".join(part for part in (person.name, person.department, person.phone) if part) if person else ""


def _write_plan_sheet(ws, p: Plan) -> None:
    """Two columns: what, and its value."""
    found = p.months()
    lines = (
        ("journey", p.journey.name),
        ("description", p.journey.description),
        ("tiers", ", ".join(f"{tier}%" for tier in parse_tiers(p.journey.tiers))),
        ("lead", _person_line(p.team.lead)),
        ("secretary", _person_line(p.team.secretary)),
        ("members", "\n".join(_person_line(person) for person in p.team.members)),
        ("months", f"{p.month(found[0])} – {p.month(found[-1])}" if found else ""),
        ("tasks", len(p.rows)),
        ("exported_on", p.day(date.today())),
    )
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for r, (name, value) in enumerate(lines, 1):
        write_cell(ws.cell(row=r, column=1), p.t(f"plan_export.col.{name}")).font = bold
        write_cell(ws.cell(row=r, column=2), value).alignment = wrap
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 60
