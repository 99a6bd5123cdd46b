"""Issue 7 on the pages, through AppTest in Thai and English: the monthly
evaluation and the executive cards as counts and averages, the meeting's
month and its agenda, Buddhist-era meeting dates, and the team secretary
(a viewer) who records three owners' progress in one meeting."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from cem.core import i18n, months
from cem.improvement import plan
from cem.core.models import CheckIn, Meeting
from tests.test_pages import open_tab
from tests.test_pages_plan import app_db, assert_fine, db_session, open_page, sample_tree, texts  # noqa: F401

pytestmark = pytest.mark.pages
MONTH = months.this_month()
LAST = months.previous(MONTH)
OWNERS = ("Ann", "Bo", "Cy")


def tr(lang: str):
    return lambda key, **params: i18n.t(key, lang, **params)


@pytest.fixture
def team(app_db):
    """Ann, Bo and Cy own a task each, committed at 20 % this month and at 30 % last month (Ann 40 % then);
    Vee, who signs in as the viewer, is the journey's secretary."""
    with db_session(app_db) as session:
        tree = sample_tree(session)
        journey = tree.journey.id
        step = tree.stages[0].steps[0].step.id
        vee = plan.add_person(session, name="Vee", username="viewer", user="lead")
        owners = [plan.add_person(session, name=name, department="Sales", user="lead") for name in OWNERS]
        tasks = [plan.create_task(session, step_id=step, title=f"Task of {p.name}", start_month=LAST,
                                  due_month=months.add(MONTH, 2), owner_id=p.id, user="lead").id for p in owners]
        plan.set_team(session, journey_id=journey, lead_id=None, secretary_id=vee.id, user="lead")
        plan.set_commitments(session, journey_id=journey, month=LAST, tiers=dict.fromkeys(tasks, 30), user="lead")
        plan.set_commitments(session, journey_id=journey, month=MONTH, tiers=dict.fromkeys(tasks, 20), user="lead")
        plan.record_check_in(session, task_id=tasks[0], month=LAST, progress=40, user="lead")
        return {"journey": journey, "tasks": tasks, "owners": [p.id for p in owners], "vee": vee.id}


def record(app_db, team, values: dict[int, int], month: str = MONTH) -> None:
    with db_session(app_db) as session:
        for task_id, value in values.items():
            plan.record_check_in(session, task_id=task_id, month=month, progress=value, user="lead")


# ---------------------------------------------------------------- the evaluation


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_evaluation_reads_counts_and_averages(team, app_db, lang):
    """Ann +30 (from 40 to 70), Bo +20, Cy +5 against 20 each: "2 of 3 on target", average gain 18.3, the rule explained."""
    record(app_db, team, dict(zip(team["tasks"], (70, 20, 5))))
    at = open_tab(open_page("pages/improvement/monthly.py", lang), "monthly_tabs", "plan.monthly.tab_evaluation",
                  lang)
    on_page = texts(at)
    assert i18n.t("fig.headline", lang, n=2, m=3, gain="18.3", tier="20") in on_page
    assert i18n.t("fig.rule", lang) in on_page
    values = {m.label: m.value for m in at.metric}
    assert values[i18n.t("plan.eval.on_target", lang)] == i18n.t("fig.eval_by_group", lang, n=2, m=3)
    assert values[i18n.t("plan.eval.committed_percent", lang)] == i18n.t("exec.unit.pp", lang, value="20")
    assert values[i18n.t("plan.eval.achieved_percent", lang)] == i18n.t("exec.unit.pp", lang, value="+18.3")
    assert "60%" not in values.values() and "55%" not in values.values()  # no sums across tasks
    table = at.get_by_key("monthly_eval_table").dataframe[0].value
    assert table.iloc[0][["name", "tasks", "on_target", "committed", "achieved"]].tolist() == \
        ["20%", 3, 2, 20, pytest.approx(55 / 3)]


# ---------------------------------------------------------------- the executive view


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_executive_cards_and_the_behind_list(team, app_db, lang):
    """This month: "2 of 3" on target, an average gain against 20 committed, and Cy's task behind with its reason."""
    record(app_db, team, dict(zip(team["tasks"][:2], (70, 20))))
    with db_session(app_db) as session:
        plan.record_check_in(session, task_id=team["tasks"][2], month=MONTH, progress=5, reason="Parts <b>late</b>",
                             user="lead")
    at = open_page("pages/improvement/executive.py", lang, "viewer")
    assert_fine(at)
    values = {m.label: m.value for m in at.metric}
    assert values[i18n.t("exec.kpi.on_target", lang)] == i18n.t("exec.kpi.on_target_value", lang, n=2, m=3)
    assert values[i18n.t("exec.kpi.gained", lang)] == i18n.t("exec.unit.pp", lang, value="+18.3")
    assert i18n.t("exec.kpi.gained_avg", lang, committed="20") in texts(at)
    behind = at.get_by_key("exec_behind_table").dataframe[0].value
    assert behind["task"].tolist() == ["Task of Cy"]
    assert behind["reason"].tolist() == ["Parts <b>late</b>"]  # a table cell: shown as typed, never as HTML


def test_executive_default_range_reaches_the_next_planned_month(team, app_db):
    """With next month planned, the range runs from last month to next month and the cards show this month."""
    with db_session(app_db) as session:
        plan.set_commitments(session, journey_id=team["journey"], month=months.add(MONTH, 1),
                             tiers={team["tasks"][0]: 10}, user="lead")
    at = open_page("pages/improvement/executive.py", "en", "viewer")
    assert at.select_slider(key="exec_months").value == (LAST, months.add(MONTH, 1))
    heading = i18n.t("exec.month_vs", "en", month=months.label(MONTH, "en"), previous=months.label(LAST, "en"))
    assert any(heading in m.value for m in at.markdown)
    assert "as of today" in texts(at)


# ---------------------------------------------------------------- the meeting


def meeting_at(lang: str, user: str = "viewer"):
    at = open_page("pages/improvement/meetings.py", lang, user)
    assert at.text_input(key="meetings_date") is not None
    return at


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_secretary_records_three_owners_in_one_meeting(team, app_db, lang):
    """Vee (a viewer, the secretary) records Ann, Bo and Cy's progress and why Cy is behind; each check-in is hers, reported by the owner."""
    at = meeting_at(lang)
    assert_fine(at)
    assert i18n.t("fig.secretary_records", lang) in texts(at)
    for task_id, value in zip(team["tasks"], (70, 20, 45)):
        at.number_input(key=f"meetings_progress_{MONTH}_{task_id}").set_value(value)
    at.text_input(key=f"meetings_reason_{MONTH}_{team['tasks'][2]}").input("รออะไหล่")
    at.button(key="meetings_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [meeting] = session.exec(select(Meeting)).all()
        found = session.exec(select(CheckIn).where(CheckIn.meeting_id == meeting.id).order_by(CheckIn.id)).all()
    assert meeting.created_by == "viewer"
    assert [(c.task_id, c.progress, c.month, c.created_by) for c in found] == \
        [(task_id, value, MONTH, "viewer") for task_id, value in zip(team["tasks"], (70, 20, 45))]
    assert [c.reported_by_id for c in found] == team["owners"]
    assert [c.behind_reason for c in found] == ["", "", "รออะไหล่"]
    assert i18n.t("fig.reported_by", lang, who="Ann") in texts(at)


def test_a_viewer_who_is_not_the_secretary_cannot_record(team, app_db):
    """Once Vee is no longer the secretary, the viewer account sees past meetings only."""
    with db_session(app_db) as session:
        plan.set_team(session, journey_id=team["journey"], lead_id=None, secretary_id=None, user="lead")
    at = open_page("pages/improvement/meetings.py", "en", "viewer")
    assert not [b for b in at.button if b.key == "meetings_submit"]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_agenda_shows_this_months_gain_against_the_commitment(team, app_db, lang):
    """Ann was at 40 % last month and is at 50 % now against 20: the agenda reads +10 against 20, with 50 % as context."""
    record(app_db, team, {team["tasks"][0]: 50})
    at = meeting_at(lang)
    agenda = at.text_area(key=f"meetings_agenda_{MONTH}").value
    line = next(x for x in agenda.splitlines() if "Task of Ann" in x)
    assert i18n.t("fig.agenda_line", lang, gain="+10", tier=20, progress=50) in line
    assert i18n.t("plan.meetings.flag_off_target", lang) in line


def test_a_meeting_dated_last_month_proposes_and_records_last_month(team, app_db):
    """Typing a day of last month (Buddhist era) turns the agenda and the progress boxes to last month, and records it there."""
    day = date(*months.parts(LAST), 28)
    at = meeting_at("th")
    at.text_input(key="meetings_date").input(months.day_text(day, "th")).run()
    assert_fine(at)
    assert months.other_calendar(day, "th") in texts(at)
    ann = team["tasks"][0]
    assert at.number_input(key=f"meetings_progress_{LAST}_{ann}").value == 40
    assert "+40" in next(x for x in at.text_area(key=f"meetings_agenda_{LAST}").value.splitlines()
                         if "Task of Ann" in x)
    at.number_input(key=f"meetings_progress_{LAST}_{ann}").set_value(45)
    at.button(key="meetings_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [meeting] = session.exec(select(Meeting)).all()
        [check_in] = session.exec(select(CheckIn).where(CheckIn.meeting_id == meeting.id)).all()
    assert meeting.held_on == day and (check_in.month, check_in.progress) == (LAST, 45)


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("typed", ["15/12/2569", "15/12/2026", "2026-12-15"])
def test_meeting_date_in_either_calendar(team, app_db, lang, typed):
    """15/12/2569, 15/12/2026 and 2026-12-15 all record a meeting on 15 December 2026."""
    at = meeting_at(lang)
    at.text_input(key="meetings_date").input(typed).run()
    at.text_input(key="meetings_title").input("Typed date")
    at.button(key="meetings_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [meeting] = session.exec(select(Meeting)).all()
    assert meeting.held_on == date(2026, 12, 15)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_wrong_meeting_date_is_refused_and_nothing_saved(team, app_db, lang):
    """31/02/2569 is refused with the field named, and no meeting is saved with another date."""
    at = meeting_at(lang)
    at.text_input(key="meetings_date").input("31/02/2569").run()
    assert any(i18n.t("plan.col.meeting_date", lang) in e.value for e in at.error)
    at.text_input(key="meetings_title").input("Bad date")
    at.button(key="meetings_submit").click().run()
    assert not at.exception
    assert any(i18n.t("plan.col.meeting_date", lang) in e.value for e in at.error)
    with db_session(app_db) as session:
        assert session.exec(select(Meeting)).all() == []
