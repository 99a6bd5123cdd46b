"""The improvement plan of a journey as an Excel workbook."""
from __future__ import annotations

import json
from datetime import date
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest

from cem.core import months
from cem.improvement import plan, plan_export
from cem.journey import excel, services
from cem.journey.csv_export import looks_like_formula
from cem.core.errors import NotFoundError
from cem.core.i18n import LANGS, LOCALES_DIR, t
from cem.core.models import CheckIn

USER = "tester"
LOCALES = LOCALES_DIR
# Month 1 is last month and month 2 this one: progress is recorded for months that have happened.
MONTH_1 = months.add(months.this_month(), -1)
MONTH_2 = months.this_month()
MEETING_DAY = date.today().replace(day=1)
FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"


@pytest.fixture
def the_plan(session, small_journey):
    """Three tasks: one on target in month 1 and behind in month 2, one
    behind, one never checked in; a team, and a meeting with an update."""
    step = services.load_journey_tree(session, small_journey.id).stages[0].steps[0].step
    somchai = plan.add_person(session, name="สมชาย ใจดี", department="ฝ่ายบริการลูกค้า", phone="081-234-5678",
                              user=USER)
    malee = plan.add_person(session, name="Malee", department="IT", phone="+66 2 123 4567", user=USER)
    plan.set_team(session, journey_id=small_journey.id, lead_id=somchai.id, secretary_id=malee.id, user=USER)
    table = plan.create_task(session, step_id=step.id, title="One comparison table", start_month=MONTH_1,
                             due_month=months.add(MONTH_2, 1), owner_id=somchai.id, user=USER)
    formula = plan.create_task(session, step_id=step.id, title=FORMULA, description="-1 day", start_month=MONTH_1,
                               due_month=MONTH_2, owner_id=malee.id, user=USER)
    chat = plan.create_task(session, step_id=step.id, title="Chat help", start_month=MONTH_1, due_month=MONTH_2,
                            user=USER)
    plan.set_commitments(session, journey_id=small_journey.id, month=MONTH_1,
                         tiers={table.id: 30, formula.id: 20, chat.id: 10}, user=USER)
    plan.set_commitments(session, journey_id=small_journey.id, month=MONTH_2, tiers={table.id: 20}, user=USER)
    plan.record_check_in(session, task_id=table.id, month=MONTH_1, progress=35, note="ahead", user=USER)
    plan.record_check_in(session, task_id=formula.id, month=MONTH_1, progress=10, note="@waiting", user=USER)
    plan.record_meeting(session, journey_id=small_journey.id, held_on=MEETING_DAY, title="Monthly follow-up",
                        agenda="Tasks behind", notes="All came", decisions="=SUM(A1:A9) stays text",
                        attendee_ids=[malee.id, somchai.id], check_ins={table.id: (50, "said in the meeting")},
                        user=USER)
    return small_journey


def workbook(session, journey_id, lang):
    return openpyxl.load_workbook(BytesIO(plan_export.export_plan(session, journey_id=journey_id, lang=lang)))


def records(ws) -> list[dict]:
    """The sheet's rows as dictionaries by heading."""
    lines = list(ws.iter_rows(values_only=True))
    return [dict(zip(lines[0], line)) for line in lines[1:]]


def sheet(book, name: str, lang: str):
    return book[t(f"plan_export.sheet.{name}", lang)]


def col(name: str, lang: str = "en") -> str:
    return t(f"plan_export.col.{name}", lang)


# ---------------------------------------------------------------- what is in it


def test_sheets_in_the_chosen_language(session, the_plan):
    """The workbook has the plan, tasks, commitments, check-ins, evaluation and meetings, named in Thai."""
    for lang in LANGS:
        book = workbook(session, the_plan.id, lang)
        assert book.sheetnames == [t(f"plan_export.sheet.{name}", lang) for name in plan_export.SHEET_NAMES]
        tasks = sheet(book, "tasks", lang)
        assert tasks["A1"].font.b and tasks.freeze_panes == "A2"
    assert workbook(session, the_plan.id, "th").sheetnames[1] == "งานและผู้รับผิดชอบ"


def test_tasks_with_owner_department_and_phone(session, the_plan):
    """Each task shows its stage, sub-step, owner with department and phone, months, status and progress."""
    rows = records(sheet(workbook(session, the_plan.id, "en"), "tasks", "en"))
    assert [r[col("task")] for r in rows] == ["One comparison table", FORMULA, "Chat help"]
    first = rows[0]
    assert first[col("task_no")] == 1
    assert (first[col("stage")], first[col("step")]) == ("Offer", "Browse packages")
    assert (first[col("owner")], first[col("department")], first[col("phone")]) == (
        "สมชาย ใจดี", "ฝ่ายบริการลูกค้า", "081-234-5678")
    assert first[col("start_month")] == months.label(MONTH_1, "en")
    assert first[col("due_month")] == months.label(months.add(MONTH_2, 1), "en")
    assert first[col("status")] == "In progress" and first[col("progress")] == 50
    assert rows[1][col("phone")] == "+66 2 123 4567" and rows[1][col("description")] == "-1 day"
    assert rows[2][col("owner")] is None and rows[2][col("status")] == "Not started"
    assert rows[2][col("progress")] == 0


def test_plan_sheet_has_the_team_and_tiers(session, the_plan):
    """The first sheet names the journey, its tiers, the CEM project lead and the secretary with their phones."""
    ws = sheet(workbook(session, the_plan.id, "th"), "plan", "th")
    values = {row[0]: row[1] for row in ws.iter_rows(values_only=True)}
    assert values[t("plan_export.col.journey", "th")] == "Home internet"
    assert values[t("plan_export.col.tiers", "th")] == "30%, 20%, 10%"
    assert values[t("plan_export.col.lead", "th")] == "สมชาย ใจดี · ฝ่ายบริการลูกค้า · 081-234-5678"
    assert values[t("plan_export.col.secretary", "th")] == "Malee · IT · +66 2 123 4567"
    assert values[t("plan_export.col.months", "th")] == f"{months.label(MONTH_1, 'th')} – {months.label(MONTH_2, 'th')}"


def test_commitments_month_by_month_with_the_result(session, the_plan):
    """Each month's commitment shows the tier, the progress at its start and end, the gain and the result."""
    rows = records(sheet(workbook(session, the_plan.id, "en"), "commitments", "en"))
    found = [(r[col("month")], r[col("task_no")], r[col("tier")], r[col("progress_before")], r[col("progress_after")],
              r[col("gain")], r[col("result")]) for r in rows]
    one, two = months.label(MONTH_1, "en"), months.label(MONTH_2, "en")
    assert found == [(one, 1, 30, 0, 35, 35, "On target"), (one, 2, 20, 0, 10, 10, "Below target"),
                     (one, 3, 10, 0, 0, 0, "Below target"), (two, 1, 20, 35, 50, 15, "Below target")]


def test_every_check_in_is_listed(session, the_plan):
    """Every progress record is there with its note, when and by whom, and the meeting it was given in."""
    rows = records(sheet(workbook(session, the_plan.id, "th"), "check_ins", "th"))
    th = lambda name: col(name, "th")  # noqa: E731
    assert [(r[th("month")], r[th("task_no")], r[th("progress")], r[th("note")]) for r in rows] == [
        (months.label(MONTH_1, "th"), 1, 35, "ahead"), (months.label(MONTH_2, "th"), 1, 50, "said in the meeting"),
        (months.label(MONTH_1, "th"), 2, 10, "@waiting")]
    assert rows[1][th("meeting")] == excel.day_label(MEETING_DAY, "th")
    assert rows[0][th("meeting")] is None
    assert rows[0][th("recorded_by")] == USER
    assert rows[0][th("recorded_on")] == excel.day_label(date.today(), "th")  # the test wrote it today (UTC)


def test_optional_columns_follow_the_tables(session, the_plan):
    """A column the check-ins table has (why behind, reported by) is exported; one it lacks is left out."""
    book = workbook(session, the_plan.id, "en")
    headings = [c.value for c in sheet(book, "check_ins", "en")[1]]
    for field, name in (("behind_reason", "behind_reason"), ("reported_by_id", "reported_by")):
        assert (col(name) in headings) == (field in CheckIn.model_fields)
    assert (col("behind_reason") in [c.value for c in sheet(book, "commitments", "en")[1]]) == (
        "behind_reason" in CheckIn.model_fields)
    if "behind_reason" not in CheckIn.model_fields:
        pytest.skip("check-ins have no reason column yet")
    formula_task = plan.task_rows(session, [the_plan.id])[1].task
    check_in = plan.month_check_ins(session, formula_task.id)[0]
    check_in.behind_reason = "-waiting for IT"
    session.commit()
    book = workbook(session, the_plan.id, "en")
    assert records(sheet(book, "check_ins", "en"))[2][col("behind_reason")] == "-waiting for IT"
    commitments = records(sheet(book, "commitments", "en"))
    assert [r[col("behind_reason")] for r in commitments] == [None, "-waiting for IT", None, None]


def test_evaluation_counts_and_averages_never_sums(session, the_plan):
    """Per month: tasks committed, how many on target, and the average gain against the average commitment."""
    rows = records(sheet(workbook(session, the_plan.id, "en"), "evaluation", "en"))
    everyone = [r for r in rows if r[col("group_by")] == t("plan_export.group.all", "en")]
    assert [(r[col("month")], r[col("committed_tasks")], r[col("on_target")], r[col("on_target_share")],
             r[col("average_tier")], r[col("average_gain")]) for r in everyone] == [
        (months.label(MONTH_1, "en"), 3, 1, pytest.approx(1 / 3), 20, 15),
        (months.label(MONTH_2, "en"), 1, 0, 0, 20, 15)]
    by_tier = [(r[col("group")], r[col("committed_tasks")], r[col("on_target")], r[col("average_gain")])
               for r in rows if r[col("group_by")] == t("plan_export.group.tier", "en")
               and r[col("month")] == months.label(MONTH_1, "en")]
    assert by_tier == [("30%", 1, 1, 35), ("20%", 1, 0, 10), ("10%", 1, 0, 0)]
    departments = {r[col("group")]: r[col("average_tier")] for r in rows
                   if r[col("group_by")] == t("plan_export.group.department", "en")
                   and r[col("month")] == months.label(MONTH_1, "en")}
    assert departments == {"ฝ่ายบริการลูกค้า": 30, "IT": 20, "—": 10}
    assert all(r[col("average_tier")] <= 100 and r[col("average_gain")] <= 100 for r in rows)


def test_meetings_with_attendees_decisions_and_updates(session, the_plan):
    """A meeting shows its date in Thai, the attendees, the decisions and the progress reported in it."""
    rows = records(sheet(workbook(session, the_plan.id, "th"), "meetings", "th"))
    th = lambda name: col(name, "th")  # noqa: E731
    assert len(rows) == 1
    meeting = rows[0]
    assert meeting[th("date")] == excel.day_label(MEETING_DAY, "th")
    assert str(MEETING_DAY.year + 543) in meeting[th("date")]
    assert meeting[th("attendees")] == "Malee, สมชาย ใจดี"
    assert meeting[th("decisions")] == "=SUM(A1:A9) stays text"
    assert meeting[th("updates")] == "1. One comparison table: 50% (said in the meeting)"


def test_formula_like_text_stays_text(session, the_plan):
    """A task, phone or decision that starts with = + - @ is written as text with Excel's quote prefix."""
    book = workbook(session, the_plan.id, "en")
    marked = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type in ("s", "n")
                if isinstance(cell.value, str):
                    assert cell.quotePrefix == looks_like_formula(excel.unescape(cell.value)), cell.value
                    marked += cell.quotePrefix
    assert marked >= 5  # the title (tasks, commitments, check-ins), phone, description, note, decisions
    tasks = sheet(book, "tasks", "en")
    assert tasks.cell(3, 4).value == FORMULA and tasks.cell(3, 4).quotePrefix


def test_a_journey_without_a_plan_still_exports(session, small_journey):
    """A journey with no tasks gives a workbook with headings only, not an error."""
    book = workbook(session, small_journey.id, "th")
    assert records(sheet(book, "tasks", "th")) == []
    assert records(sheet(book, "evaluation", "th")) == []


def test_unknown_journey(session):
    """Exporting a journey that does not exist says so."""
    with pytest.raises(NotFoundError):
        plan_export.export_plan(session, journey_id=999, lang="en")


def test_every_key_in_both_languages_and_sheet_names_valid():
    """Every heading exists in Thai and English; sheet names are ones Excel accepts."""
    catalogues = {lang: json.loads((LOCALES / lang / "plan_export.json").read_text(encoding="utf-8")) for lang in LANGS}
    assert catalogues["th"].keys() == catalogues["en"].keys()
    for lang in LANGS:
        names = [catalogues[lang][f"plan_export.sheet.{name}"] for name in plan_export.SHEET_NAMES]
        assert len(set(names)) == len(names)
        assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
        assert all(value.strip() for value in catalogues[lang].values())
