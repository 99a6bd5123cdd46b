"""Issue 7 in the domain package: figures read per task (counts and
averages, never percentages added across tasks), the meeting's month, the
executive view's default months, Buddhist-era dates, Thai spacing, and the
team secretary who records what owners report in the meeting."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from cem.core import i18n, months
from cem.improvement import executive, plan, progress, report
from cem.journey import services
from cem.core.auth import PermissionDenied
from cem.core.errors import ValidationError
from cem.improvement.executive import Filters
from cem.improvement.progress import CheckInValue, TaskMonths
from tests.conftest import USER

NOV, DEC = "2026-11", "2026-12"
LOCALES = Path(__file__).resolve().parent.parent / "cem" / "locales"
MY_CATALOGUES = ("plan.json", "executive.json", "nav_plan.json", "plan_figures.json")


def task(tier: int | None, gain: int, month: str = NOV) -> TaskMonths:
    figures = TaskMonths()
    if tier is not None:
        figures.commitments[month] = tier
    figures.check_ins.append(CheckInValue(month, gain, 1))
    return figures


# ---------------------------------------------------------------- counts and averages, per task


def six_tasks() -> list[TaskMonths]:
    """Six committed tasks (30, 20, 20, 20, 20, 10): three on target, one of them jumping to 100."""
    return [task(30, 100), task(20, 20), task(20, 0), task(20, 5), task(20, 0), task(10, 25)]


def test_month_figures_are_counts_and_averages():
    """Six tasks read "3 of 6 on target", average commitment 20 and average gain 25 points; nothing is added up."""
    figures = progress.month_figures(six_tasks(), NOV)
    assert (figures.committed_tasks, figures.on_target) == (6, 3)
    assert figures.average_tier == pytest.approx(20)
    assert figures.average_gain == pytest.approx(25)
    assert not hasattr(figures, "committed_percent") and not hasattr(figures, "achieved_percent")


def test_one_task_at_100_does_not_hide_the_others():
    """One task jumping to 100 % while five gain nothing: 1 of 6 on target, whatever the average says."""
    tasks = [task(30, 100)] + [task(20, 0) for _ in range(5)]
    figures = progress.month_figures(tasks, NOV)
    assert (figures.on_target, figures.committed_tasks) == (1, 6)
    assert figures.average_gain == pytest.approx(100 / 6)


def test_headline_in_both_languages():
    """The headline says how many of how many are on target, then the averages."""
    figures = progress.month_figures(six_tasks(), NOV)
    assert progress.headline(figures, lambda k, **p: i18n.t(k, "en", **p)) == \
        "3 of 6 tasks on target; average gain 25 points against 20 committed"
    assert progress.headline(figures, lambda k, **p: i18n.t(k, "th", **p)) == \
        "ได้ตามเป้า 3 จาก 6 งาน ความคืบหน้าเพิ่มขึ้นเฉลี่ย 25 จุดร้อยละ เทียบกับที่ตกลงไว้เฉลี่ย 20 จุดร้อยละ"
    nothing = progress.month_figures([], NOV)
    assert progress.headline(nothing, lambda k, **p: i18n.t(k, "en", **p)) == "No task was committed this month"


def test_evaluation_groups_are_averages(session, small_journey):
    """The evaluation by tier reads 2 tasks, 1 on target, average commitment 20 and average gain 30 for the 20% tier."""
    tree = services.load_journey_tree(session, small_journey.id)
    step = tree.stages[0].steps[0].step.id
    a, b, c = (plan.create_task(session, step_id=step, title=n, start_month=NOV, due_month=DEC, user=USER).id
               for n in "ABC")
    plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers={a: 20, b: 20, c: 10}, user=USER)
    for task_id, value in ((a, 60), (b, 0), (c, 10)):
        plan.record_check_in(session, task_id=task_id, month=NOV, progress=value, user=USER)
    groups = plan.evaluation(plan.task_rows(session, [small_journey.id]), NOV, by="tier")
    assert [(g.name, g.committed_tasks, g.on_target, g.average_tier, g.average_gain) for g in groups] == \
        [("20%", 2, 1, 20, 30), ("10%", 1, 1, 10, 10)]
    assert not hasattr(groups[0], "committed_percent")


# ---------------------------------------------------------------- the executive cards


@pytest.fixture
def committed_six(session, small_journey):
    """Six tasks of the small journey committed in November as in six_tasks()."""
    tree = services.load_journey_tree(session, small_journey.id)
    step = tree.stages[0].steps[0].step.id
    ids = []
    for number, (tier, value) in enumerate(((30, 100), (20, 20), (20, 0), (20, 5), (20, 0), (10, 25))):
        ids.append(plan.create_task(session, step_id=step, title=f"T{number}", start_month=NOV, due_month=DEC,
                                    user=USER).id)
        plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers={ids[-1]: tier}, user=USER)
        plan.record_check_in(session, task_id=ids[-1], month=NOV, progress=value, user=USER)
    return ids


def test_executive_cards_count_and_average(session, small_journey, committed_six):
    """The cards read "3 of 6" on target and an average gain of +25 points against 20 committed, in both languages."""
    summary = executive.executive_summary(session, Filters(journey_ids=(small_journey.id,), first=NOV, last=NOV,
                                                           today=NOV))
    assert not hasattr(summary.now, "committed_percent") and not hasattr(summary.now, "gained_percent")
    assert summary.now.average_gain == pytest.approx(25) and summary.now.average_tier == pytest.approx(20)
    cards = {c.key: c for c in report.kpi_cards(summary, lambda k, **p: i18n.t(k, "en", **p))}
    assert cards["on_target"].value == "3 of 6"
    assert cards["gained"].value == "+25 points"
    assert cards["gained"].detail == "against 20 committed on average (per task)"
    assert "Every task weighs the same" in cards["on_target"].help
    th = {c.key: c for c in report.kpi_cards(summary, lambda k, **p: i18n.t(k, "th", **p))}
    assert th["on_target"].value == "3 จาก 6 งาน"
    assert th["gained"].value == "+25 จุดร้อยละ"
    assert all("จุด%" not in c.value + c.detail + c.help + (c.delta or "") for c in th.values())
    for row in summary.series:
        assert not hasattr(row, "committed_percent") and not hasattr(row, "achieved_percent")


# ---------------------------------------------------------------- the executive view's months


def test_default_range_covers_plans_and_check_ins_and_the_next_planned_month(session, small_journey,
                                                                             committed_six):
    """Plans for December next to check-ins in November: the default range runs up to December, the cards show November."""
    plan.set_commitments(session, journey_id=small_journey.id, month=DEC, tiers={committed_six[0]: 20}, user=USER)
    data = executive.load_plan(session, [small_journey.id])
    first, last = executive.default_range(data, today=NOV)
    assert (first, last) == (NOV, DEC)
    filters = Filters(journey_ids=(small_journey.id,), first=first, last=last, today=NOV)
    assert filters.month == NOV  # December has not happened yet
    summary = executive.summarise(data, filters)
    assert summary.month == NOV and summary.now.committed_tasks == 6
    assert [r.month for r in summary.series] == [NOV, DEC]
    # without any plan: the six months up to this month
    assert executive.default_range(None, today=NOV) == ("2026-06", NOV)


def test_open_pain_points_are_counted_today_unless_a_past_month_is_chosen(session, small_journey):
    """Two open pain points written down today: today's cards count them; a month before they existed counts none."""
    data = executive.load_plan(session, [small_journey.id])
    today = months.this_month()
    now = executive.summarise(data, Filters(journey_ids=(small_journey.id,), first=months.add(today, -2),
                                            last=months.add(today, 1)))
    assert now.month == today and now.now.open_pain_points == 2
    past = executive.summarise(data, Filters(journey_ids=(small_journey.id,), first=months.add(today, -3),
                                             last=months.add(today, -1)))
    assert past.month == months.add(today, -1) and past.now.open_pain_points == 0


# ---------------------------------------------------------------- Buddhist-era dates


@pytest.mark.parametrize("text", ["15/12/2569", "15/12/2026", "2026-12-15", " 15/12/2569 ", "15.12.2569",
                                  "15-12-2026"])
def test_a_day_is_read_in_either_calendar(text):
    """15/12/2569 (Buddhist era), 15/12/2026 and 2026-12-15 are the same day."""
    assert months.parse_day(text) == date(2026, 12, 15)


@pytest.mark.parametrize("text", ["", "31/02/2569", "15/13/2569", "15/12/69", "yesterday", "15/12/3000",
                                  "2026-12-15T10:00"])
def test_a_wrong_day_is_refused_naming_the_field(text):
    """A day that does not exist or is not written day/month/year is refused with the field named."""
    with pytest.raises(ValidationError) as raised:
        months.parse_day(text, column="plan.col.meeting_date")
    message = i18n.error_text(raised.value, "en")
    assert message.startswith("“Meeting date”:") and "15/12/2569" in message
    assert i18n.error_text(raised.value, "th").startswith("“วันที่ประชุม”:")


def test_a_day_is_shown_in_both_calendars():
    """Thai readers see 15/12/2569 with 15/12/2026 (ค.ศ.) beside it; English readers the other way round."""
    day = date(2026, 12, 15)
    assert months.day_text(day, "th") == "15/12/2569"
    assert months.day_text(day, "en") == "15/12/2026"
    assert months.other_calendar(day, "th") == "ค.ศ. 15/12/2026 · 15 ธันวาคม 2569"
    assert months.other_calendar(day, "en") == "Buddhist era 15/12/2569 · 15 December 2026"


# ---------------------------------------------------------------- Thai text


def thai_strings() -> dict[str, str]:
    found = {}
    for name in MY_CATALOGUES:
        found.update(json.loads((LOCALES / "th" / name).read_text(encoding="utf-8")))
    return found


def test_thai_has_no_odd_percent_points():
    """No Thai string says "จุด%"."""
    assert [k for k, v in thai_strings().items() if "จุด%" in v] == []


@pytest.mark.parametrize("value", ["พฤศจิกายน 2569", "12", "40%"])
def test_thai_numbers_and_years_are_not_glued_to_the_next_word(value):
    """With a month ("พฤศจิกายน 2569"), a number or a percentage filled in, no digit or % touches a Thai word after it."""
    glued = {}
    for key, text in thai_strings().items():
        filled = re.sub(r"\{[a-z_]+\}", value, text)
        if re.search(r"[0-9%][\u0e01-\u0e4e]", filled):
            glued[key] = filled
    assert glued == {}


def test_new_catalogue_has_both_languages():
    """Every key of the new figures catalogue is in Thai and in English."""
    th = json.loads((LOCALES / "th" / "plan_figures.json").read_text(encoding="utf-8"))
    en = json.loads((LOCALES / "en" / "plan_figures.json").read_text(encoding="utf-8"))
    assert set(th) == set(en) and th


# ---------------------------------------------------------------- the secretary and the meeting


@pytest.fixture
def team(session, small_journey):
    """Three owners (Ann, Bo, Cy) with a task each; Vee (the viewer account) is the team's secretary,
    Ed (the editor account) a member."""
    tree = services.load_journey_tree(session, small_journey.id)
    step = tree.stages[0].steps[0].step.id
    vee = plan.add_person(session, name="Vee", username="viewer", user=USER)
    ed = plan.add_person(session, name="Ed", username="editor", user=USER)
    owners = [plan.add_person(session, name=n, department="Sales", user=USER) for n in ("Ann", "Bo", "Cy")]
    tasks = [plan.create_task(session, step_id=step, title=f"Task of {p.name}", start_month=NOV, due_month=DEC,
                              owner_id=p.id, user=USER).id for p in owners]
    plan.set_team(session, journey_id=small_journey.id, lead_id=None, secretary_id=vee.id, member_ids=[ed.id],
                  user=USER)
    plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers=dict.fromkeys(tasks, 20),
                         user=USER)
    return {"journey": small_journey.id, "tasks": tasks, "owners": owners, "vee": vee, "ed": ed}


def test_the_secretary_records_every_owners_progress(session, team):
    """Vee, a viewer who is the secretary, records three owners' progress in one meeting, under her name."""
    reports = {task_id: plan.Report(progress=value, reason="Waiting for IT" if value < 20 else "")
               for task_id, value in zip(team["tasks"], (25, 10, 20))}
    meeting = plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28),
                                  title="November", check_ins=reports, user="viewer")
    assert meeting.created_by == "viewer"
    found = plan.meeting_check_ins(session, [meeting.id])[meeting.id]
    assert [(c.progress, c.month, c.created_by, title) for c, title in found] == \
        [(25, NOV, "viewer", "Task of Ann"), (10, NOV, "viewer", "Task of Bo"), (20, NOV, "viewer", "Task of Cy")]
    assert [c.reported_by_id for c, _ in found] == [p.id for p in team["owners"]]
    assert [c.behind_reason for c, _ in found] == ["", "Waiting for IT", ""]
    rows = {r.task.title: r for r in plan.task_rows(session, [team["journey"]])}
    assert rows["Task of Bo"].figures.reason(NOV) == "Waiting for IT"
    assert plan.records_for_team(session, user="viewer", journey_id=team["journey"])


def test_only_the_secretary_lead_and_admins_record_for_everyone(session, team):
    """Ed (an editor, a mere member) may not record Ann's progress in a meeting; a viewer who is not the secretary may not record a meeting."""
    with pytest.raises(PermissionDenied):
        plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28),
                            check_ins={team["tasks"][0]: plan.Report(progress=30)}, user="editor")
    assert plan.list_meetings(session, team["journey"]) == []
    assert not plan.records_for_team(session, user="editor", journey_id=team["journey"])
    plan.set_team(session, journey_id=team["journey"], lead_id=None, secretary_id=team["ed"].id, user=USER)
    with pytest.raises(PermissionDenied):
        plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28), user="viewer")
    plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28),
                        check_ins={team["tasks"][0]: plan.Report(progress=30)}, user="editor")
    plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 29),
                        check_ins={team["tasks"][1]: plan.Report(progress=30)}, user="admin")
    assert len(plan.list_meetings(session, team["journey"])) == 2


def test_a_meeting_dated_last_month_records_last_month(session, team):
    """A meeting dated 30 November, recorded in December, records November's progress and its agenda reads November."""
    rows = plan.task_rows(session, [team["journey"]])
    assert plan.meeting_month(date(2026, 11, 30)) == NOV
    plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 30),
                        check_ins={team["tasks"][0]: plan.Report(progress=30)}, user="viewer")
    rows = {r.task.title: r for r in plan.task_rows(session, [team["journey"]])}
    assert rows["Task of Ann"].figures.recorded() == {NOV: 30}


def test_agenda_line_shows_this_months_gain_against_the_commitment(session, team):
    """With 50 % last month and 60 % now against 30 committed, the agenda reads "+10 this month against 30 committed", with 60 % as context, and the reason."""
    ann = team["tasks"][0]
    plan.record_check_in(session, task_id=ann, month="2026-10", progress=50, user=USER)
    plan.set_commitments(session, journey_id=team["journey"], month=NOV, tiers={ann: 30}, user=USER)
    plan.record_check_in(session, task_id=ann, month=NOV, progress=60, reason="Supplier late", user=USER)
    row = next(r for r in plan.task_rows(session, [team["journey"]]) if r.task.id == ann)
    en = plan.agenda_line(row, NOV, lambda k, **p: i18n.t(k, "en", **p))
    assert "+10 this month against 30 committed (60% so far)" in en
    assert "Why behind: Supplier late" in en and "below target" in en
    th = plan.agenda_line(row, NOV, lambda k, **p: i18n.t(k, "th", **p))
    assert "เดือนนี้ +10 จุดร้อยละ เทียบกับที่ตกลงไว้ 30 จุดร้อยละ (สะสม 60%)" in th


def test_behind_reasons_on_the_executive_list(session, team):
    """Bo's task is behind in November with a reason: the executive list shows it with the owner and the reason."""
    plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28), user="viewer",
                        check_ins={team["tasks"][1]: plan.Report(progress=5, reason="On leave")})
    data = executive.load_plan(session, [team["journey"]])
    summary = executive.summarise(data, Filters(journey_ids=(team["journey"],), first=NOV, last=NOV, today=NOV))
    behind = {b.title: b for b in summary.behind}
    assert set(behind) == {"Task of Ann", "Task of Bo", "Task of Cy"}
    assert (behind["Task of Bo"].owner, behind["Task of Bo"].tier, behind["Task of Bo"].gain,
            behind["Task of Bo"].reason) == ("Bo", 20, 5, "On leave")
    assert behind["Task of Ann"].reason == ""


def test_why_behind_and_the_reporter_survive_a_backup(session, team):
    """A check-in's reason and who reported it come back exactly after a backup is restored."""
    from cem import backup
    from cem.core.models import CheckIn
    from sqlmodel import select

    plan.record_meeting(session, journey_id=team["journey"], held_on=date(2026, 11, 28), user="viewer",
                        check_ins={team["tasks"][1]: plan.Report(progress=5, reason="On leave")})
    data = backup.export_backup(session, user="admin")
    plan.record_check_in(session, task_id=team["tasks"][1], month=NOV, progress=50, user=USER)
    backup.restore_backup(session, data=data, user="admin")
    session.expire_all()
    [check_in] = session.exec(select(CheckIn)).all()
    assert (check_in.behind_reason, check_in.reported_by_id) == ("On leave", team["owners"][1].id)
