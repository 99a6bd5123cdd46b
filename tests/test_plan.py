"""The improvement plan's services against the database: people, the CEM
team, tasks, commitments, check-ins, evaluation and meetings."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from cem.core import i18n
from cem.improvement import plan
from cem.journey import services
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import ChangeLog
from tests.conftest import USER

NOV, DEC, JAN = "2026-11", "2026-12", "2027-01"


def english(error) -> str:
    return i18n.error_text(error.value, "en")


@pytest.fixture
def map_items(session, small_journey):
    """The small journey's first sub-step, its measures and its idea."""
    tree = services.load_journey_tree(session, small_journey.id)
    step = tree.stages[0].steps[0]
    measures = [m for ms in step.measures.values() for m in ms]
    return {"journey": small_journey, "tree": tree, "step": step.step, "measures": measures, "idea": step.ideas[0],
            "other_step": tree.stages[0].steps[1].step}


@pytest.fixture
def people(session):
    """Alice (Sales, linked to alice), Bob (Support, linked to bob), Chai (no account)."""
    return {
        "alice": plan.add_person(session, name="Alice", department="Sales", phone="081-111-1111",
                                 username="alice", user=USER),
        "bob": plan.add_person(session, name="Bob", department="Support", phone="082-222-2222",
                               username="bob", user=USER),
        "chai": plan.add_person(session, name="ชัย ใจดี", department="การเงิน", phone="083", user=USER),
    }


@pytest.fixture
def tasks(session, map_items, people):
    """Alice owns a task from a measure, Bob one from the idea."""
    alice_task = plan.task_from_measure(session, measure_id=map_items["measures"][0].id, start_month=NOV,
                                        due_month=JAN, owner_id=people["alice"].id, user=USER)
    bob_task = plan.task_from_idea(session, idea_id=map_items["idea"].id, start_month=NOV, due_month=DEC,
                                   owner_id=people["bob"].id, user=USER)
    return {"alice": alice_task.id, "bob": bob_task.id}


def rows_of(session, journey_id) -> dict[str, plan.TaskRow]:
    return {row.task.title: row for row in plan.task_rows(session, [journey_id])}


# ---------------------------------------------------------------- people and the team


def test_add_and_list_people(session, people):
    """People are listed by name with department, phone and a lower-case account link."""
    shouty = plan.add_person(session, name="Dao", username="Alice.Admin", user=USER)
    assert shouty.username == "alice.admin"
    listed = plan.list_people(session)
    assert [p.name for p in listed] == ["Alice", "Bob", "Dao", "ชัย ใจดี"]
    assert listed[0].department == "Sales" and listed[0].phone == "081-111-1111"


def test_a_person_needs_a_name(session):
    """An empty name is refused, naming the column."""
    with pytest.raises(ValidationError) as raised:
        plan.add_person(session, name="  ", user=USER)
    assert english(raised) == "“Name”: this is required."


def test_update_a_person_and_set_them_aside(session, people):
    """Changing department and account link, and marking someone inactive, keeps them listed."""
    alice = people["alice"]
    plan.update_person(session, person_id=alice.id, version=alice.version, department="Marketing",
                       username="ALICE", active=False, user=USER)
    again = plan.list_people(session)[0]
    assert (again.department, again.username, again.active) == ("Marketing", "alice", False)
    assert [p.name for p in plan.list_people(session, active_only=True)] == ["Bob", "ชัย ใจดี"]
    with pytest.raises(ConflictError):
        plan.update_person(session, person_id=alice.id, version=1, phone="0", user=USER)


@pytest.mark.parametrize("account", ["viewer", "editor", "alice"])
def test_only_leads_and_admins_edit_the_directory(session, account):
    """Viewers and editors may not add people."""
    with pytest.raises(PermissionDenied):
        plan.add_person(session, name="Eve", user=account)
    plan.add_person(session, name="Eve", user="admin")


def test_team_has_one_lead_one_secretary_and_members(session, small_journey, people):
    """Setting the team twice replaces it; a lead listed as a member too is the lead only."""
    plan.set_team(session, journey_id=small_journey.id, lead_id=people["alice"].id, secretary_id=people["bob"].id,
                  member_ids=[people["chai"].id, people["alice"].id], user=USER)
    team = plan.journey_team(session, small_journey.id)
    assert team.lead.name == "Alice" and team.secretary.name == "Bob"
    assert [p.name for p in team.members] == ["ชัย ใจดี"]

    plan.set_team(session, journey_id=small_journey.id, lead_id=people["chai"].id, secretary_id=None,
                  member_ids=[], user=USER)
    team = plan.journey_team(session, small_journey.id)
    assert team.lead.name == "ชัย ใจดี" and team.secretary is None and team.members == []


def test_team_refuses_unknown_people_and_viewers(session, small_journey, people):
    """A person who does not exist is not found; a viewer may not set the team."""
    with pytest.raises(NotFoundError):
        plan.set_team(session, journey_id=small_journey.id, lead_id=9999, secretary_id=None, user=USER)
    with pytest.raises(PermissionDenied):
        plan.set_team(session, journey_id=small_journey.id, lead_id=people["alice"].id, secretary_id=None,
                      user="viewer")


# ---------------------------------------------------------------- tasks


def test_task_from_a_measure(session, map_items, people):
    """A task made from a measure takes its text and sits at the measure's sub-step."""
    measure = map_items["measures"][1]
    task = plan.task_from_measure(session, measure_id=measure.id, start_month=NOV, due_month=JAN,
                                  owner_id=people["alice"].id, description="Ask sales", user=USER)
    assert (task.title, task.step_id, task.measure_id, task.idea_id) == \
        (measure.text, map_items["step"].id, measure.id, None)
    assert (task.journey_id, task.owner_id, task.status, task.description) == \
        (map_items["journey"].id, people["alice"].id, "open", "Ask sales")
    log = session.exec(select(ChangeLog).where(ChangeLog.item_type == "task")).all()
    assert [(c.action, c.step_id) for c in log] == [("create", map_items["step"].id)]


def test_task_from_an_idea(session, map_items):
    """A task made from an idea takes the idea's text; an owner is optional."""
    task = plan.task_from_idea(session, idea_id=map_items["idea"].id, start_month=DEC, due_month=DEC, user=USER)
    assert (task.title, task.idea_id, task.owner_id) == ("Live chat on the package page", map_items["idea"].id, None)


def test_standalone_task_at_a_sub_step(session, map_items, people):
    """A task of its own is attached to the sub-step chosen."""
    task = plan.create_task(session, step_id=map_items["other_step"].id, title="  Script for sales calls ",
                            start_month=NOV, due_month=NOV, owner_id=people["chai"].id, user=USER)
    row = rows_of(session, map_items["journey"].id)["Script for sales calls"]
    assert row.step.name == "Call sales" and row.stage.name == "Offer" and row.owner.name == "ชัย ใจดี"
    assert task.measure_id is None and task.idea_id is None


@pytest.mark.parametrize("start, due, message", [
    ("2026-13", JAN, "“Start month”: must be a month written as YYYY-MM (got “2026-13”)."),
    (NOV, "", "“Due month”: must be a month written as YYYY-MM (got “”)."),
    (DEC, NOV, "“Due month”: the due month comes before the start month."),
])
def test_task_months_are_checked(session, map_items, start, due, message):
    """A bad month or a due month before the start is refused with a readable message."""
    with pytest.raises(ValidationError) as raised:
        plan.create_task(session, step_id=map_items["step"].id, title="X", start_month=start, due_month=due,
                         user=USER)
    assert english(raised) == message


def test_task_needs_a_title_and_a_real_owner(session, map_items):
    """An empty title is refused, and so is an owner who does not exist."""
    with pytest.raises(ValidationError) as raised:
        plan.create_task(session, step_id=map_items["step"].id, title="", start_month=NOV, due_month=NOV, user=USER)
    assert english(raised) == "“Task”: this is required."
    with pytest.raises(NotFoundError):
        plan.create_task(session, step_id=map_items["step"].id, title="X", start_month=NOV, due_month=NOV,
                         owner_id=4242, user=USER)


@pytest.mark.parametrize("account", ["viewer", "editor", "alice"])
def test_only_leads_create_tasks(session, map_items, account):
    """Viewers and editors may not create tasks."""
    with pytest.raises(PermissionDenied):
        plan.task_from_measure(session, measure_id=map_items["measures"][0].id, start_month=NOV, due_month=NOV,
                               user=account)


def test_update_a_task(session, map_items, people, tasks):
    """Owner, months, status and title change; a stale version is a conflict; a bad due month is refused."""
    task = session.get(plan.Task, tasks["alice"])
    plan.update_task(session, task_id=task.id, version=task.version, title="Comparison table v2",
                     owner_id=people["bob"].id, start_month=DEC, due_month=JAN, status="in_progress", user=USER)
    row = rows_of(session, map_items["journey"].id)["Comparison table v2"]
    assert (row.owner.name, row.task.start_month, row.task.due_month, row.task.status) == \
        ("Bob", DEC, JAN, "in_progress")
    with pytest.raises(ConflictError):
        plan.update_task(session, task_id=task.id, version=1, title="Old", user=USER)
    with pytest.raises(ValidationError) as raised:
        plan.update_task(session, task_id=task.id, due_month=NOV, user=USER)
    assert "due month comes before the start month" in english(raised)
    with pytest.raises(ValidationError):
        plan.update_task(session, task_id=task.id, status="finished", user=USER)


def test_delete_a_task_to_the_bin_and_restore_it(session, map_items, tasks):
    """A deleted task leaves the plan, waits in the bin, and comes back with its check-ins."""
    journey_id = map_items["journey"].id
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=20, user=USER)
    plan.delete_task(session, task_id=tasks["alice"], user=USER)
    assert [r.task.id for r in plan.task_rows(session, [journey_id])] == [tasks["bob"]]
    binned = services.list_bin(session, journey_id)
    assert [(b.item_type, b.item.id) for b in binned] == [("task", tasks["alice"])]
    with pytest.raises(PermissionDenied):
        plan.delete_task(session, task_id=tasks["bob"], user="editor")
    services.restore_from_bin(session, item_type="task", item_id=tasks["alice"], user=USER)
    restored = {r.task.id: r for r in plan.task_rows(session, [journey_id])}[tasks["alice"]]
    assert restored.progress(NOV) == 20


# ---------------------------------------------------------------- commitments


def test_commitments_use_the_journeys_tiers_only(session, map_items, tasks):
    """30% is accepted, 25% is refused naming the allowed tiers."""
    journey_id = map_items["journey"].id
    assert plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 30},
                                user=USER) == 1
    with pytest.raises(ValidationError) as raised:
        plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["bob"]: 25}, user=USER)
    assert english(raised) == "“Commitment”: must be one of: 30%, 20%, 10% (got “25”)."
    assert rows_of(session, journey_id)["One comparison table"].figures.commitments == {NOV: 30}


def test_commitments_change_and_are_taken_out(session, map_items, tasks):
    """Changing a tier counts one change; None takes the task out of the month's plan."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=NOV,
                         tiers={tasks["alice"]: 30, tasks["bob"]: 10}, user=USER)
    assert plan.set_commitments(session, journey_id=journey_id, month=NOV,
                                tiers={tasks["alice"]: 20, tasks["bob"]: 10}, user=USER) == 1
    plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["bob"]: None}, user=USER)
    rows = rows_of(session, journey_id)
    assert rows["One comparison table"].figures.commitments == {NOV: 20}
    assert rows["Live chat on the package page"].figures.commitments == {}


def test_commitments_refuse_bad_months_other_journeys_and_editors(session, map_items, tasks):
    """A bad month, a task of another journey, and an editor are all refused."""
    journey_id = map_items["journey"].id
    with pytest.raises(ValidationError):
        plan.set_commitments(session, journey_id=journey_id, month="11/2026", tiers={tasks["alice"]: 30}, user=USER)
    other = services.create_journey(session, name="Other", user=USER)
    with pytest.raises(NotFoundError):
        plan.set_commitments(session, journey_id=other.id, month=NOV, tiers={tasks["alice"]: 30}, user=USER)
    with pytest.raises(PermissionDenied):
        plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 30}, user="alice")


def test_new_tiers_leave_existing_commitments_alone(session, map_items, tasks):
    """After the tiers become 25/15/5, a 30% commitment stays 30% and new ones use the new tiers."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 30}, user=USER)
    assert plan.set_tiers(session, journey_id=journey_id, tiers="25, 15, 5%", user=USER) == (25, 15, 5)
    assert plan.journey_tiers(session, journey_id) == (25, 15, 5)
    assert rows_of(session, journey_id)["One comparison table"].figures.commitments == {NOV: 30}
    plan.set_commitments(session, journey_id=journey_id, month=DEC, tiers={tasks["alice"]: 25}, user=USER)
    with pytest.raises(ValidationError):
        plan.set_commitments(session, journey_id=journey_id, month=DEC, tiers={tasks["bob"]: 30}, user=USER)


def test_bad_tiers_are_refused(session, small_journey):
    """Tiers that are not whole percentages 1-100 are refused with an example."""
    with pytest.raises(ValidationError) as raised:
        plan.set_tiers(session, journey_id=small_journey.id, tiers="30, 200", user=USER)
    assert "e.g. 30, 20, 10" in english(raised)
    with pytest.raises(PermissionDenied):
        plan.set_tiers(session, journey_id=small_journey.id, tiers="30", user="editor")


# ---------------------------------------------------------------- check-ins


def test_check_ins_are_kept_and_the_latest_counts(session, map_items, tasks):
    """Two records in November: both kept, newest first; the month's figure is the latest."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 30}, user=USER)
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=20, note="Draft", user=USER)
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=35, note="Published", user=USER)
    history = plan.month_check_ins(session, tasks["alice"])
    assert [(c.progress, c.note) for c in history] == [(35, "Published"), (20, "Draft")]
    assert [c.progress for c in plan.check_in_history(session, [tasks["alice"]])[tasks["alice"]]] == [35, 20]
    row = rows_of(session, journey_id)["One comparison table"]
    assert row.progress(NOV) == 35 and row.figures.on_target(NOV) is True
    assert row.task.status == "in_progress"


def test_reaching_100_marks_the_task_done(session, map_items, tasks):
    """A check-in of 100% closes the task."""
    plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=100, user=USER)
    assert session.get(plan.Task, tasks["bob"]).status == "done"


@pytest.mark.parametrize("progress", [-1, 101, "", "lots"])
def test_progress_must_be_0_to_100(session, tasks, progress):
    """Progress outside 0-100 or not a number is refused, naming the column."""
    with pytest.raises(ValidationError) as raised:
        plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=progress, user=USER)
    assert "Progress (%)" in english(raised)


def test_editor_records_only_their_own_tasks(session, tasks):
    """Alice (editor) records her task; Bob's task is refused; a viewer records nothing."""
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=10, user="alice")
    with pytest.raises(PermissionDenied) as raised:
        plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=10, user="alice")
    assert raised.value.code == "err.not_owner"
    with pytest.raises(PermissionDenied):
        plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=10, user="editor")
    with pytest.raises(PermissionDenied):
        plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=10, user="viewer")
    plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=10, user="lead")


# ---------------------------------------------------------------- reading the plan


def test_my_tasks_follow_the_account_link(session, map_items, people, tasks):
    """Alice sees her open task in every journey; a closed task and others' tasks are not hers."""
    other = services.create_journey(session, name="Shop", user=USER)
    stage = services.add_stage(session, journey_id=other.id, name="Visit", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="Queue", user=USER)
    plan.create_task(session, step_id=step.id, title="Shorter queue", start_month=NOV, due_month=NOV,
                     owner_id=people["alice"].id, user=USER)
    done = plan.create_task(session, step_id=step.id, title="Old task", start_month=NOV, due_month=NOV,
                            owner_id=people["alice"].id, user=USER)
    plan.update_task(session, task_id=done.id, status="done", user=USER)
    assert sorted(r.task.title for r in plan.my_tasks(session, username="Alice")) == \
        ["One comparison table", "Shorter queue"]
    assert plan.my_tasks(session, username="viewer") == []


def test_needs_attention_lists_overdue_and_off_target(session, map_items, tasks):
    """In January Bob's task (due December) is overdue; Alice's 30% commitment with 10% gained is off target."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=JAN, tiers={tasks["alice"]: 30}, user=USER)
    plan.record_check_in(session, task_id=tasks["alice"], month=JAN, progress=10, user=USER)
    overdue, off_target = plan.needs_attention(plan.task_rows(session, [journey_id]), JAN)
    assert [r.task.id for r in overdue] == [tasks["bob"]]
    assert [r.task.id for r in off_target] == [tasks["alice"]]
    agenda = plan.proposed_agenda(plan.task_rows(session, [journey_id]), JAN)
    assert [r.task.id for r in agenda] == [tasks["alice"], tasks["bob"]]


def test_evaluation_groups_by_tier_stage_department_and_owner(session, map_items, people, tasks):
    """Alice (Sales, 30%, reached 35) is on target; Bob (Support, 10%, reached 5) is not."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 30, tasks["bob"]: 10},
                         user=USER)
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=35, user=USER)
    plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=5, user=USER)
    rows = plan.task_rows(session, [journey_id])

    def table(by):
        return [(g.name, g.committed_tasks, g.on_target, g.average_tier, g.average_gain)
                for g in plan.evaluation(rows, NOV, by=by)]

    assert table("tier") == [("30%", 1, 1, 30, 35), ("10%", 1, 0, 10, 5)]
    assert table("stage") == [("Offer", 2, 1, 20, 20)]  # averages, not sums
    assert table("department") == [("Sales", 1, 1, 30, 35), ("Support", 1, 0, 10, 5)]
    assert table("owner") == [("Alice", 1, 1, 30, 35), ("Bob", 1, 0, 10, 5)]
    assert plan.evaluation(rows, DEC, by="tier") == []
    [november] = plan.series(rows, NOV, NOV)
    assert (november.committed_tasks, november.on_target, november.average_tier) == (2, 1, 20)


def test_next_month_candidates_are_the_open_tasks(session, map_items, tasks):
    """After November: the open task is proposed with its last tier; a finished one and a later one are not."""
    journey_id = map_items["journey"].id
    plan.set_commitments(session, journey_id=journey_id, month=NOV, tiers={tasks["alice"]: 20}, user=USER)
    plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=100, user=USER)
    plan.create_task(session, step_id=map_items["step"].id, title="Next spring", start_month="2027-03",
                     due_month="2027-04", user=USER)
    candidates = plan.next_month_candidates(plan.task_rows(session, [journey_id]), NOV)
    assert [r.task.id for r in candidates] == [tasks["alice"]]
    assert candidates[0].last_tier(NOV) == 20 and candidates[0].last_tier(DEC) == 20
    assert candidates[0].last_tier("2026-10") is None


# ---------------------------------------------------------------- meetings


def test_meetings_with_attendees_newest_first(session, small_journey, people, tasks):
    """Two meetings come back newest first with their attendees and the progress recorded in them."""
    first = plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 3), title="Kick-off",
                                agenda="Plan November", decisions="Alice builds the table",
                                attendee_ids=[people["alice"].id, people["bob"].id, people["alice"].id], user=USER)
    second = plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 28),
                                 title="ติดตามงาน", notes="ตารางเปรียบเทียบเสร็จแล้ว",
                                 attendee_ids=[people["chai"].id], user="alice")
    plan.record_check_in(session, task_id=tasks["alice"], month=NOV, progress=40, meeting_id=second.id, user=USER)
    found = plan.list_meetings(session, small_journey.id)
    assert [m.meeting.id for m in found] == [second.id, first.id]
    assert [p.name for p in found[1].attendees] == ["Alice", "Bob"]
    updates = plan.meeting_check_ins(session, [second.id, first.id])
    assert [(c.progress, title) for c, title in updates[second.id]] == [(40, "One comparison table")]
    assert first.id not in updates


def test_meetings_are_found_by_words(session, small_journey, people):
    """Search finds words in the title, notes or decisions, in any case and in Thai."""
    plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 3), title="Kick-off",
                        decisions="Alice builds the comparison table", user=USER)
    plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 12, 1), title="ติดตามงาน",
                        notes="ตารางเปรียบเทียบเสร็จแล้ว", user=USER)

    def titles(search):
        return [m.meeting.title for m in plan.list_meetings(session, small_journey.id, search=search)]

    assert titles("COMPARISON") == ["Kick-off"]
    assert titles("kick alice") == ["Kick-off"]
    assert titles("kick december") == []
    assert titles("เปรียบเทียบ") == ["ติดตามงาน"]
    assert titles("  ") == ["ติดตามงาน", "Kick-off"]


def test_meetings_are_checked(session, small_journey, people):
    """A missing date, text too long and a viewer are refused."""
    with pytest.raises(ValidationError) as raised:
        plan.record_meeting(session, journey_id=small_journey.id, held_on=None, user=USER)
    assert english(raised) == "“Meeting date”: this is required."
    with pytest.raises(ValidationError) as raised:
        plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 3), title="x" * 201,
                            user=USER)
    assert "Title" in english(raised)
    with pytest.raises(PermissionDenied):
        plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 3), user="viewer")
    with pytest.raises(NotFoundError):
        plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 3), attendee_ids=[999],
                            user=USER)
    assert plan.list_meetings(session, small_journey.id) == []


def test_a_meeting_and_its_task_updates_are_saved_together(session, small_journey, tasks):
    """A meeting whose task update is wrong is not saved at all; a right one saves both at once."""
    task_id = tasks["alice"]
    with pytest.raises(ValidationError):
        plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 20), title="Month 1",
                            check_ins={task_id: (150, "too much")}, user=USER)
    assert plan.list_meetings(session, small_journey.id) == []
    assert plan.month_check_ins(session, task_id) == []
    meeting = plan.record_meeting(session, journey_id=small_journey.id, held_on=date(2026, 11, 20),
                                  title="Month 1", check_ins={task_id: (35, "in the meeting")}, user=USER)
    [check_in] = plan.month_check_ins(session, task_id)
    assert (check_in.month, check_in.progress, check_in.meeting_id) == ("2026-11", 35, meeting.id)


# ---------------------------------------------------------------- check-ins from the monthly table


def test_check_ins_from_a_table_are_saved_together_or_not_at_all(session, small_journey, tasks):
    """Two rows of the monthly table are recorded together; a bad second row saves neither and is named."""
    reports = [(1, tasks["alice"], plan.Report(30, "Table done")), (2, tasks["bob"], plan.Report(101))]
    with pytest.raises(ValidationError) as refused:
        plan.record_check_ins(session, journey_id=small_journey.id, month=NOV, reports=reports, user=USER)
    assert refused.value.code == "err.cell" and refused.value.params["row"] == 2
    assert refused.value.params["column"] == "plan.col.progress"
    assert plan.month_check_ins(session, tasks["alice"]) == []
    reports[1] = (2, tasks["bob"], plan.Report(10, "", "Waiting for the printer"))
    assert plan.record_check_ins(session, journey_id=small_journey.id, month=NOV, reports=reports, user=USER) == 2
    rows = rows_of(session, small_journey.id)
    assert sorted(row.progress(NOV) for row in rows.values()) == [10, 30]


def test_an_editor_records_only_their_own_rows(session, small_journey, tasks):
    """Alice may record her own task from the table, but not Bob's, even in the same save."""
    reports = [(1, tasks["alice"], plan.Report(30)), (2, tasks["bob"], plan.Report(10))]
    with pytest.raises(PermissionDenied):
        plan.record_check_ins(session, journey_id=small_journey.id, month=NOV, reports=reports, user="alice")
    assert plan.month_check_ins(session, tasks["alice"]) == []
    assert plan.record_check_ins(session, journey_id=small_journey.id, month=NOV, reports=reports[:1],
                                 user="alice") == 1


def test_the_figures_stamp_moves_with_every_commitment_and_check_in(session, small_journey, tasks):
    """The cached figures are read again after a commitment is made, changed or dropped, or a check-in recorded."""
    stamps = [plan.figures_stamp(session, [small_journey.id])]

    def moved() -> bool:
        stamps.append(plan.figures_stamp(session, [small_journey.id]))
        return stamps[-1] != stamps[-2]

    plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers={tasks["alice"]: 30}, user=USER)
    assert moved()
    plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers={tasks["alice"]: 20}, user=USER)
    assert moved()
    plan.set_commitments(session, journey_id=small_journey.id, month=NOV, tiers={tasks["alice"]: None}, user=USER)
    assert moved()
    plan.record_check_in(session, task_id=tasks["bob"], month=NOV, progress=10, user=USER)
    assert moved()
    services.update_journey(session, journey_id=small_journey.id, name="Renamed", description="", user=USER)
    assert not moved()
    figures = plan.task_figures(session, [small_journey.id])
    assert figures[tasks["bob"]].progress_at(NOV) == 10 and tasks["alice"] not in figures
