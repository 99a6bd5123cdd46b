"""The improvement-plan pages (team and people, tasks, monthly plan,
meetings) through AppTest, in Thai and English, with their main
interactions."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest, app_test

from cem.core import i18n, months
from cem.improvement import plan
from cem.journey import services
from cem.core.db import get_engine, session_scope
from cem.core.models import Commitment, Meeting, Task
from cem.journey.templates import seed_sample_journey
from tests.test_pages import open_tab

pytestmark = pytest.mark.pages
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = {
    "pages/improvement/people.py": "page.people",
    "pages/improvement/tasks.py": "page.tasks",
    "pages/improvement/monthly.py": "page.monthly",
    "pages/improvement/meetings.py": "page.meetings",
}
MONTH = months.this_month()


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    """The app's database: fresh, one account per role, with the sample journey."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    with session_scope(get_engine(db_url)) as session:
        seed_sample_journey(session)
    return db_url


@pytest.fixture
def planned(app_db):
    """Alice (Sales, signs in as alice) and Bob in the directory; Alice owns a task made from the first measure."""
    with db_session(app_db) as session:
        tree = sample_tree(session)
        measure = first_measure(tree)
        alice = plan.add_person(session, name="Alice", department="Sales", phone="081-111-1111", username="alice",
                                user="lead")
        bob = plan.add_person(session, name="Bob", department="Support", phone="082-222-2222", user="lead")
        task = plan.task_from_measure(session, measure_id=measure.id, start_month=MONTH,
                                      due_month=months.add(MONTH, 2), owner_id=alice.id, user="lead")
        return {"journey": tree.journey.id, "alice": alice.id, "bob": bob.id, "task": task.id,
                "title": measure.text}


def db_session(url):
    return session_scope(get_engine(url))


def sample_tree(session) -> services.JourneyTree:
    return services.load_journey_tree(session, services.list_journeys(session)[0].id)


def first_measure(tree: services.JourneyTree):
    return next(m for _, step in tree.all_steps() for ms in step.measures.values() for m in ms)


def open_page(page: str, lang: str = "en", user: str = "lead") -> AppTest:
    """The app signed in as `user`, on `page`, with no error."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page(page).run()
    assert_fine(at)
    return at


def assert_fine(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def keys(at: AppTest) -> set[str]:
    """The keys of every widget on the screen."""
    found = set()
    for kind in ("button", "text_input", "text_area", "number_input", "selectbox", "multiselect",
                 "segmented_control", "date_input", "checkbox"):
        found |= {w.key for w in getattr(at, kind) if w.key}
    return found


def table(at: AppTest, key: str):
    """The rows of the read-only table in the container `key`, as a DataFrame."""
    return at.get_by_key(key).dataframe[0].value


def texts(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)


# ---------------------------------------------------------------- every page, both languages


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_plan_pages_render_in_both_languages(planned, page, lang):
    """Each plan page opens without an error and shows its title in the chosen language."""
    at = open_page(page, lang)
    assert at.title[0].value == i18n.t(PAGES[page], lang)


@pytest.mark.parametrize("page", list(PAGES))
def test_plan_pages_start_empty(app_db, page):
    """With nobody in the directory and no task, each page still opens and says what to do."""
    at = open_page(page, "th")
    assert at.title[0].value == i18n.t(PAGES[page], "th")


def test_months_read_in_thai_with_the_buddhist_era(planned):
    """The month picker shows this month as a Thai month name and a Buddhist-era year."""
    at = open_page("pages/improvement/monthly.py", "th")
    picker = at.selectbox(key="monthly_month")
    assert picker.value == MONTH
    year, number = months.parts(MONTH)
    assert str(year + 543) in months.label(MONTH, "th")
    assert months.label(MONTH, "th") in picker.options


# ---------------------------------------------------------------- team and people


def test_add_a_person(app_db):
    """A lead adds Dao from Finance with her phone and account; she shows in the directory."""
    at = open_page("pages/improvement/people.py")
    at.text_input(key="people_add_name").input("ดาว ใจดี")
    at.text_input(key="people_add_department").input("การเงิน")
    at.text_input(key="people_add_phone").input("089-999-9999")
    at.selectbox(key="people_add_username").set_value("alice")
    at.button(key="people_add_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [dao] = plan.list_people(session)
    assert (dao.name, dao.department, dao.phone, dao.username) == ("ดาว ใจดี", "การเงิน", "089-999-9999", "alice")
    assert list(table(at, "people_table")["name"]) == ["ดาว ใจดี"]


def test_a_person_without_a_name_is_refused(app_db):
    """Pressing Add with no name says the name is required."""
    at = open_page("pages/improvement/people.py")
    at.button(key="people_add_submit").click().run()
    assert any("Name" in e.value and "required" in e.value for e in at.error)


def test_edit_a_person(planned, app_db):
    """Changing Bob's phone is saved."""
    at = open_page("pages/improvement/people.py")
    at.selectbox(key="people_edit_pick").set_value(planned["bob"]).run()
    at.text_input(key="people_edit_phone").input("02-123-4567")
    at.button(key="people_edit_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        assert session.get(plan.Person, planned["bob"]).phone == "02-123-4567"
    assert at.text_input(key="people_edit_phone").value == "02-123-4567"


def test_set_the_cem_team(planned, app_db):
    """Alice becomes the CEM project lead and Bob the team secretary; the team table shows their departments."""
    at = open_page("pages/improvement/people.py", "th")
    at.selectbox(key="people_team_lead").set_value(planned["alice"])
    at.selectbox(key="people_team_secretary").set_value(planned["bob"])
    at.button(key="people_team_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        team = plan.journey_team(session, planned["journey"])
    assert (team.lead.name, team.secretary.name) == ("Alice", "Bob")
    team_table = table(at, "people_team_table")
    assert list(team_table["role"]) == ["หัวหน้าโครงการ CEM", "เลขานุการของทีม"]
    assert list(team_table["department"]) == ["Sales", "Support"]


# ---------------------------------------------------------------- tasks


def test_create_a_task_from_a_measure(planned, app_db):
    """A lead picks a sub-step and one of its measures, an owner and months, and the task appears with its owner."""
    with db_session(app_db) as session:
        tree = sample_tree(session)
    step, measure = next((s, m) for _, s in tree.all_steps() for ms in s.measures.values() for m in ms
                         if m.text != planned["title"])
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_new")
    at.selectbox(key="tasks_new_step").set_value(step.step.id).run()
    at.selectbox(key="tasks_new_source").set_value(f"measure:{measure.id}")
    at.selectbox(key="tasks_new_owner").set_value(planned["bob"])
    at.selectbox(key="tasks_new_due").set_value(months.add(MONTH, 1))
    at.button(key="tasks_new_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        task = session.exec(select(Task).where(Task.measure_id == measure.id)).one()
    assert (task.title, task.owner_id, task.start_month, task.due_month) == \
        (measure.text, planned["bob"], MONTH, months.add(MONTH, 1))
    open_tab(at, "tasks_tabs", "plan.tasks.tab_all")
    tasks = table(at, "tasks_table")
    new = tasks[tasks["task"] == measure.text].iloc[0]
    assert (new["owner"], new["department"], new["phone"]) == ("Bob", "Support", "082-222-2222")


def test_create_a_task_of_its_own(planned, app_db):
    """A task with its own title is attached to the chosen sub-step."""
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_new")
    at.selectbox(key="tasks_new_source").set_value("own").run()
    at.text_input(key="tasks_new_title").input("Train the call centre")
    at.button(key="tasks_new_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        task = session.exec(select(Task).where(Task.title == "Train the call centre")).one()
    assert task.measure_id is None and task.owner_id is None


def test_a_due_month_before_the_start_is_refused(planned):
    """Choosing a due month before the start month shows the reason and creates nothing."""
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_new")
    at.selectbox(key="tasks_new_source").set_value("own").run()
    at.text_input(key="tasks_new_title").input("Too late")
    at.selectbox(key="tasks_new_due").set_value(months.add(MONTH, -1))
    at.button(key="tasks_new_submit").click().run()
    assert any("Due month" in e.value and "before the start month" in e.value for e in at.error)


def test_edit_and_delete_a_task(planned, app_db):
    """The lead marks the task in progress and then moves it to the bin; the other task stays."""
    with db_session(app_db) as session:
        other = plan.create_task(session, step_id=sample_tree(session).stages[0].steps[0].step.id, title="Other",
                                 start_month=MONTH, due_month=MONTH, user="lead").id
    at = open_page("pages/improvement/tasks.py")
    at.selectbox(key="tasks_edit_pick").set_value(planned["task"]).run()
    at.selectbox(key="tasks_edit_status").set_value("in_progress")
    at.button(key="tasks_edit_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        assert session.get(Task, planned["task"]).status == "in_progress"
    at.button(key="tasks_delete").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        assert session.get(Task, planned["task"]).deleted_at is not None
        assert [b.item_type for b in services.list_bin(session, planned["journey"])] == ["task"]
    assert at.selectbox(key="tasks_edit_pick").value == other
    assert list(table(at, "tasks_table")["task"]) == ["Other"]


def test_my_tasks_quick_check_in(planned, app_db):
    """Alice (an editor) sees her task under My tasks and records 40%."""
    at = open_page("pages/improvement/tasks.py", "en", "alice")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_mine")
    assert "tasks_new_submit" not in keys(at) and "tasks_edit_save" not in keys(at)
    at.number_input(key=f"tasks_mine_progress_{planned['task']}").set_value(40)
    at.text_input(key=f"tasks_mine_note_{planned['task']}").input("Half the table done")
    at.button(key=f"tasks_mine_record_{planned['task']}").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [check_in] = plan.month_check_ins(session, planned["task"])
    assert (check_in.progress, check_in.note, check_in.month, check_in.created_by) == \
        (40, "Half the table done", MONTH, "alice")


def test_editor_records_progress_of_their_own_tasks_only(planned, app_db):
    """On the monthly page Alice (an editor) may record her task but not Bob's, and cannot plan the month."""
    with db_session(app_db) as session:
        plan.create_task(session, step_id=sample_tree(session).stages[0].steps[0].step.id, title="Bob's",
                         start_month=MONTH, due_month=MONTH, owner_id=planned["bob"], user="lead")
    at = open_page("pages/improvement/monthly.py", "en", "alice")
    assert table(at, "monthly_check_in_grid")["task"].tolist() == [planned["title"]]
    assert table(at, "monthly_check_in_others")["task"].tolist() == ["Bob's"]
    present = keys(at)
    assert "monthly_record" in present
    assert "monthly_plan_save" not in present and "monthly_tiers_save" not in present
    with pytest.raises(KeyError):
        at.get_by_key("monthly_plan_grid")


def test_overdue_and_off_target_for_the_lead(planned, app_db):
    """A task committed at 30% with nothing recorded shows as behind target this month."""
    with db_session(app_db) as session:
        plan.set_commitments(session, journey_id=planned["journey"], month=MONTH, tiers={planned["task"]: 30},
                             user="lead")
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_attention")
    assert list(table(at, "tasks_off_target_table")["task"]) == [planned["title"]]


def test_the_behind_list_says_why(planned, app_db):
    """The lead's behind-target table carries the reason given at the check-in."""
    with db_session(app_db) as session:
        plan.set_commitments(session, journey_id=planned["journey"], month=MONTH, tiers={planned["task"]: 30},
                             user="lead")
        plan.record_check_in(session, task_id=planned["task"], month=MONTH, progress=10,
                             reason="Waiting for the new signs", user="lead")
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_attention")
    assert list(table(at, "tasks_off_target_table")["reason"]) == ["Waiting for the new signs"]


# ---------------------------------------------------------------- monthly plan 30/20/10


def typed(at: AppTest, table_name: str, edits: dict) -> None:
    """What the browser's grid reports after the person typed in it."""
    at.session_state[f"{table_name}_0"] = {"edited_rows": edits, "added_rows": [], "deleted_rows": []}
    at.run()


def test_commit_record_evaluate_and_plan_the_next_month(planned, app_db):
    """Commit 30% this month, record 35%, see it on target and in the evaluation, then carry it into next month."""
    task_id, journey_id = planned["task"], planned["journey"]
    at = open_page("pages/improvement/monthly.py")
    assert table(at, "monthly_plan_grid")["task"].tolist() == [planned["title"]]
    typed(at, f"monthly_plan_table_{journey_id}_{MONTH}", {0: {"tier": 30}})
    assert at.button(key="monthly_plan_save").label.endswith("(1 not saved yet)")
    at.button(key="monthly_plan_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [commitment] = session.exec(select(Commitment)).all()
    assert (commitment.task_id, commitment.month, commitment.tier) == (task_id, MONTH, 30)
    assert table(at, "monthly_plan_grid")["tier"].tolist() == [30]

    open_tab(at, "monthly_tabs", "plan.monthly.tab_check_in")
    typed(at, f"monthly_check_in_table_{journey_id}_{MONTH}", {0: {"new": 35, "note": "Table published"}})
    at.button(key="monthly_record").click().run()
    assert_fine(at)
    grid = table(at, "monthly_check_in_grid")
    assert grid[["tier", "now", "gain", "result"]].values.tolist() == [["30%", 35, 35, "✅ On target"]]
    with db_session(app_db) as session:
        [check_in] = plan.month_check_ins(session, task_id)
    assert (check_in.progress, check_in.note) == (35, "Table published")

    open_tab(at, "monthly_tabs", "plan.monthly.tab_evaluation")
    evaluation = table(at, "monthly_eval_table")
    assert evaluation.iloc[0][["name", "tasks", "on_target", "committed", "achieved"]].tolist() == ["30%", 1, 1, 30, 35]
    at.segmented_control(key="monthly_eval_by").set_value("department").run()
    assert table(at, "monthly_eval_table")["name"].tolist() == ["Sales"]

    following = months.add(MONTH, 1)
    assert table(at, "monthly_next_grid")["tier"].tolist() == [30]  # proposed from this month
    at.button(key="monthly_next_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        tiers = {(c.month, c.tier) for c in session.exec(select(Commitment))}
    assert tiers == {(MONTH, 30), (following, 30)}


def test_a_typed_plan_survives_another_page_and_a_refused_check_in_names_its_row(planned, app_db):
    """A tier chosen but not saved is still there after a visit to another page; a check-in with a note and
    no progress is refused by row, and nothing is recorded."""
    journey_id = planned["journey"]
    at = open_page("pages/improvement/monthly.py")
    typed(at, f"monthly_plan_table_{journey_id}_{MONTH}", {0: {"tier": 20}})
    at.switch_page("pages/improvement/tasks.py").run()
    at.switch_page("pages/improvement/monthly.py").run()
    assert_fine(at)
    assert table(at, "monthly_plan_grid")["tier"].tolist() == [20]
    assert at.button(key="monthly_plan_save").label.endswith("(1 not saved yet)")

    open_tab(at, "monthly_tabs", "plan.monthly.tab_check_in")
    typed(at, f"monthly_check_in_table_{journey_id}_{MONTH}", {0: {"note": "Waiting for the printer"}})
    at.button(key="monthly_record").click().run()
    assert any("Row 1" in e.value and "Progress" in e.value for e in at.error), [e.value for e in at.error]
    with db_session(app_db) as session:
        assert plan.month_check_ins(session, planned["task"]) == []
    kept = at.session_state[f"monthly_check_in_table_{journey_id}_{MONTH}_drafts"]
    assert [row["note"] for row in kept.values()] == ["Waiting for the printer"]
    assert at.button(key="monthly_record").label == "Record 1 task(s)"


def test_check_ins_are_kept_and_below_target_is_shown(planned, app_db):
    """Two records in the month: the history keeps both; 10% against 30% shows below target."""
    task_id = planned["task"]
    with db_session(app_db) as session:
        plan.set_commitments(session, journey_id=planned["journey"], month=MONTH, tiers={task_id: 30}, user="lead")
        plan.record_check_in(session, task_id=task_id, month=MONTH, progress=20, note="first", user="lead")
    at = open_tab(open_page("pages/improvement/monthly.py"), "monthly_tabs", "plan.monthly.tab_check_in")
    typed(at, f"monthly_check_in_table_{planned['journey']}_{MONTH}", {0: {"new": 10}})
    at.button(key="monthly_record").click().run()
    assert_fine(at)
    assert table(at, "monthly_check_in_grid")["result"].tolist() == ["⚠️ Below target"]
    assert table(at, "monthly_history")["progress"].tolist() == [10, 20]


def test_change_the_tiers(planned, app_db):
    """The lead changes the journey's tiers to 40, 20, 10; a bad list is refused."""
    at = open_page("pages/improvement/monthly.py")
    at.text_input(key="monthly_tiers").input("40, 20, 10")
    at.button(key="monthly_tiers_save").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        assert plan.journey_tiers(session, planned["journey"]) == (40, 20, 10)
    with db_session(app_db) as session:
        assert plan.journey_tiers(session, planned["journey"]) == (40, 20, 10)
    at.text_input(key="monthly_tiers").input("40, 200")
    at.button(key="monthly_tiers_save").click().run()
    assert any("Progress tiers" in e.value for e in at.error)


# ---------------------------------------------------------------- meetings


@pytest.fixture
def downloads(monkeypatch) -> dict[str, bytes]:
    """The bytes behind each download button, by file id (AppTest drops its media store after a run)."""
    kept: dict[str, bytes] = {}

    class KeepingStorage(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
            kept[file_id] = path_or_data
            return file_id

    monkeypatch.setattr(app_test, "MemoryMediaFileStorage", KeepingStorage)
    return kept


def downloaded(at: AppTest, key: str, kept: dict[str, bytes]) -> bytes:
    url = at.download_button(key=key).proto.url
    return kept[url.rsplit("/", 1)[-1].split(".")[0]]


def test_record_a_meeting_and_find_it(planned, app_db, downloads):
    """The secretary records a meeting with attendees, decisions and a progress update, then finds it by search."""
    task_id = planned["task"]
    at = open_page("pages/improvement/meetings.py")
    assert planned["title"][:30] in at.text_area(key=f"meetings_agenda_{MONTH}").value
    at.text_input(key="meetings_title").input("Kick-off")
    at.multiselect(key="meetings_attendees").set_value([planned["alice"], planned["bob"]])
    at.text_area(key="meetings_notes").input('=HYPERLINK("http://example.com")')
    at.text_area(key="meetings_decisions").input("Alice publishes the table")
    at.number_input(key=f"meetings_progress_{MONTH}_{task_id}").set_value(15)
    at.button(key="meetings_submit").click().run()
    assert_fine(at)
    with db_session(app_db) as session:
        [meeting] = session.exec(select(Meeting)).all()
        [check_in] = plan.month_check_ins(session, task_id)
        [view] = plan.list_meetings(session, planned["journey"])
    assert (meeting.title, meeting.decisions) == ("Kick-off", "Alice publishes the table")
    assert [p.name for p in view.attendees] == ["Alice", "Bob"]
    assert (check_in.progress, check_in.meeting_id) == (15, meeting.id)

    open_tab(at, "meetings_tabs", "plan.meetings.tab_past")
    at.text_input(key="meetings_search").input("kick").run()
    assert [e.label for e in at.expander if "Kick" in e.label]
    data = downloaded(at, "meetings_download", downloads)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Date", "Title", "Attendees", "Agenda", "Notes", "Decisions", "Progress reported"]
    assert rows[1][1:3] == ["Kick-off", "Alice, Bob"]
    assert rows[1][4] == "'" + '=HYPERLINK("http://example.com")'
    assert rows[1][6] == f"{planned['title']}: 15%"

    at.text_input(key="meetings_search").input("nothing-like-this").run()
    assert not [e for e in at.expander if "Kick" in e.label]
    assert any("No meeting matches" in i.value for i in at.info)


# ---------------------------------------------------------------- read-only for viewers


WRITE_KEYS = {
    "pages/improvement/people.py": ["people_add_submit", "people_edit_save", "people_team_save"],
    "pages/improvement/tasks.py": ["tasks_new_submit", "tasks_edit_save", "tasks_delete"],
    "pages/improvement/monthly.py": ["monthly_plan_save", "monthly_tiers_save", "monthly_next_save"],
    "pages/improvement/meetings.py": ["meetings_submit"],
}


@pytest.mark.parametrize("page", list(PAGES))
def test_viewer_sees_no_write_controls(planned, page):
    """An executive (viewer) reads every plan page but has no control that writes."""
    at = open_page(page, "en", "viewer")
    present = keys(at)
    assert not [k for k in WRITE_KEYS[page] if k in present]
    assert not [k for k in present if "_record_" in k or "_progress_" in k or "_tier_" in k]


def test_what_is_typed_in_a_closed_tab_stays(planned, app_db):
    """Only the open tab runs; a task's title typed on "New task" and the
    minutes typed for a meeting are still there after another tab."""
    at = open_page("pages/improvement/tasks.py")
    open_tab(at, "tasks_tabs", "plan.tasks.tab_new")
    at.selectbox(key="tasks_new_source").set_value("own").run()
    at.text_input(key="tasks_new_title").input("Print the price table").run()
    open_tab(at, "tasks_tabs", "plan.tasks.tab_all")
    assert "tasks_edit_pick" in keys(at)  # the all-tasks tab is drawn
    open_tab(at, "tasks_tabs", "plan.tasks.tab_new")
    assert at.text_input(key="tasks_new_title").value == "Print the price table"
    at = open_page("pages/improvement/meetings.py")
    at.text_area(key="meetings_notes").input("Agreed to print it").run()
    open_tab(at, "meetings_tabs", "plan.meetings.tab_past")
    open_tab(at, "meetings_tabs", "plan.meetings.tab_record")
    assert at.text_area(key="meetings_notes").value == "Agreed to print it"
