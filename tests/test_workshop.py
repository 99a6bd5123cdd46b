"""A live workshop in the map editor, through AppTest: nothing typed is
lost, and pickers and grids always point at the item they show."""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cem.journey import grid as sync_rows
from cem.journey import services
from cem.core.errors import ValidationError
from tests.test_pages import APP, app_db, db_session, open_page, picker, sample  # noqa: F401 (app_db: fixture)

pytestmark = pytest.mark.pages


def editor(at, name: str):
    """The data editor of the grid `name` as drawn in the last run."""
    return next(d for d in at.data_editor if (d.key or "").startswith(f"grid_{name}_"))


def type_into(at, name: str, **state) -> None:
    """What the browser's grid reports after the person typed (edited_rows,
    added_rows, deleted_rows), then the rerun it triggers."""
    key = editor(at, name).key
    at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **state}
    at.session_state[f"{key}_typed"] = True  # what the grid's on_change callback records
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def two_step_stage(url):
    """The sample's first stage with two sub-steps, and its index."""
    return next((i, s) for i, s in enumerate(sample(url).stages) if len(s.steps) == 2)


def test_after_a_reorder_the_step_picker_and_grids_follow_the_same_sub_step(app_db):
    """Moving the picked sub-step to the top keeps it picked under its new number; rows typed next go to it."""
    at = open_page("pages/journey/map_editor.py", "en")
    index, stage = two_step_stage(app_db)
    first, second = stage.steps[0].step, stage.steps[1].step
    picker(at, "editor_stage").set_value(stage.stage.id).run()
    picker(at, f"editor_step_of_{stage.stage.id}").set_value(second.id).run()
    type_into(at, "steps", edited_rows={1: {"position": 1}})
    assert [s.step.id for s in sample(app_db).stages[index].steps] == [second.id, first.id]
    shown = picker(at, f"editor_step_of_{stage.stage.id}")
    assert shown.value == second.id and shown.format_func(shown.value).startswith("1. ")
    type_into(at, "pains", added_rows=[{"text": "Typed after the move", "severity": 3, "status": "open"}])
    after = {s.step.id: [p.text for p in s.pain_points] for s in sample(app_db).stages[index].steps}
    assert "Typed after the move" in after[second.id] and "Typed after the move" not in after[first.id]
    assert any("moved 1 sub-step(s)" in c.value for c in at.caption)


def test_the_step_picker_follows_its_item_through_a_rename_a_delete_and_a_restore(app_db):
    """The picked sub-step renamed here, the other one deleted and restored by someone else: the picker stays
    on the picked one under its new name and number, and rows typed next go to it."""
    at = open_page("pages/journey/map_editor.py", "en")
    index, stage = two_step_stage(app_db)
    first, second = stage.steps[0].step, stage.steps[1].step
    key = f"editor_step_of_{stage.stage.id}"
    picker(at, "editor_stage").set_value(stage.stage.id).run()
    picker(at, key).set_value(second.id).run()
    type_into(at, "steps", edited_rows={1: {"name": "Renamed here"}})
    shown = picker(at, key)
    assert shown.value == second.id and shown.format_func(shown.value) == "2. Renamed here"
    with db_session(app_db) as session:
        services.delete_step(session, step_id=first.id, user="alice")
    at.run()
    shown = picker(at, key)
    assert shown.value == second.id and shown.format_func(shown.value).startswith("1. Renamed here")
    with db_session(app_db) as session:
        services.restore_from_bin(session, item_type="step", item_id=first.id, user="alice")
    at.run()
    shown = picker(at, key)
    assert shown.value == second.id and "Renamed here" in shown.format_func(shown.value)
    type_into(at, "pains", added_rows=[{"text": "Typed after all that", "severity": 3, "status": "open"}])
    after = {s.step.id: [p.text for p in s.pain_points] for s in sample(app_db).stages[index].steps}
    assert "Typed after all that" in after[second.id] and "Typed after all that" not in after[first.id]


def test_a_row_without_its_name_is_refused_by_name_and_stays(app_db):
    """A sub-step with a touchpoint and scores but no name waits with "row 3 … required"; the good row is saved."""
    at = open_page("pages/journey/map_editor.py", "en")
    index, stage = two_step_stage(app_db)
    picker(at, "editor_stage").set_value(stage.stage.id).run()
    type_into(at, "steps", added_rows=[{"name": "Pay online"},
                                      {"touchpoint": "Counter", "emotion_now": 1, "easy": 4}])
    names = [s.step.name for s in sample(app_db).stages[index].steps]
    assert names[-1] == "Pay online" and len(names) == 3
    held = " ".join(w.value for w in at.warning)
    assert "Row 4" in held and "Sub-step" in held and "required" in held
    # The person fills the name in: the waiting row is saved with everything typed.
    type_into(at, "steps", added_rows=[{"name": "Pay online"},
                                      {"name": "Pay at the counter", "touchpoint": "Counter", "emotion_now": 1,
                                       "easy": 4}])
    step = sample(app_db).stages[index].steps[-1].step
    assert (step.name, step.touchpoint, step.emotion_now, step.easy) == ("Pay at the counter", "Counter", 1, 4)
    assert not any("Row 4" in w.value for w in at.warning)


@pytest.mark.parametrize("column, value, allowed", [("emotion_now", 5, "-2 to 2"), ("easy", 9, "1 to 5")])
def test_a_number_out_of_range_is_refused_with_the_range(app_db, column, value, allowed):
    """Emotion 5 or rating 9 is not clamped: it is refused, naming the allowed range, and nothing changes."""
    at = open_page("pages/journey/map_editor.py", "en")
    before = sample(app_db).stages[0].steps[0].step
    type_into(at, "steps", edited_rows={0: {column: value}})
    assert any("Row 1" in w.value and allowed in w.value for w in at.warning)
    assert getattr(sample(app_db).stages[0].steps[0].step, column) == getattr(before, column)


def test_rows_waiting_to_be_saved_survive_a_page_change(app_db):
    """A refused row comes back when the person returns to the editor, and is saved once completed."""
    at = open_page("pages/journey/map_editor.py", "en")
    type_into(at, "ideas", added_rows=[{"text": ""}])  # an empty row is nothing to keep
    type_into(at, "pains", added_rows=[{"text": "", "severity": 7, "status": "open"}])
    at.switch_page("pages/journey/board.py").run()
    at.switch_page("pages/journey/map_editor.py").run()
    rows = editor(at, "pains").value
    assert list(rows["severity"])[-1] == 7  # still there, as typed
    last = len(rows) - 1
    type_into(at, "pains", edited_rows={last: {"text": "Queue too long", "severity": 4}})
    pains = sample(app_db).stages[0].steps[0].pain_points
    assert (pains[-1].text, pains[-1].severity) == ("Queue too long", 4)
    at.switch_page("pages/journey/board.py").run()
    at.switch_page("pages/journey/map_editor.py").run()
    assert list(editor(at, "pains").value["text"]).count("Queue too long") == 1


def test_every_committed_cell_is_saved_without_a_save_button(app_db):
    """Typing a pain point, then its severity, saves each step; the grid keeps its rows (no redraw)."""
    at = open_page("pages/journey/map_editor.py", "en")
    key = editor(at, "pains").key
    type_into(at, "pains", added_rows=[{"text": "Hard to find parking", "severity": 3, "status": "open"}])
    type_into(at, "pains", added_rows=[{"text": "Hard to find parking", "severity": 5, "status": "open"}])
    pains = sample(app_db).stages[0].steps[0].pain_points
    assert [(p.text, p.severity) for p in pains].count(("Hard to find parking", 5)) == 1
    assert editor(at, "pains").key == key  # the same editor: the person's place in it is kept
    assert not [b for b in at.button if (b.key or "").endswith("_save")]


def test_deleting_an_added_row_again_removes_it(app_db):
    """A row added and saved, then deleted in the same editor, is deleted from the database."""
    at = open_page("pages/journey/map_editor.py", "en")
    type_into(at, "ideas", added_rows=[{"text": "Free coffee"}, {"text": "Kids corner"}])
    type_into(at, "ideas", added_rows=[{"text": "Kids corner"}])
    ideas = [i.text for i in sample(app_db).stages[0].steps[0].ideas]
    assert "Kids corner" in ideas and "Free coffee" not in ideas


def test_two_journeys_with_one_name_are_two_choices(app_db):
    """The journey picker goes by id: the copy of a journey with the same name stays picked."""
    at = open_page("pages/journey/board.py", "en")
    with db_session(app_db) as session:
        original = services.list_journeys(session)[0]
        copy = services.create_journey(session, name=original.name, user="admin")
        original, copy = original.id, copy.id
    at.run()
    box = picker(at, "ui_journey_id")
    assert len(set(box.options)) == 2
    box.set_value(copy).run()
    for _ in range(3):
        at.run()
        assert at.session_state["ui_journey_id"] == copy


def test_a_deep_link_opens_the_journey_it_names(app_db):
    """/board?journey=N opens journey N, and it survives a language switch."""
    open_page(None, "en")  # seeds the sample
    with db_session(app_db) as session:
        second = services.create_journey(session, name="Second", user="admin").id
    at = AppTest.from_file(APP, default_timeout=60)  # a new tab opened on the link
    at.query_params.update({"lang": "en", "journey": str(second)})
    at.session_state["auth_user"] = "admin"
    at.run()
    assert at.session_state["ui_journey_id"] == second
    at.switch_page("pages/improvement/monthly.py").run()
    assert at.session_state["ui_journey_id"] == second
    at.selectbox(key="ui_lang_widget").set_value("th").run()
    assert at.session_state["ui_journey_id"] == second


def test_sync_lines_up_added_rows_after_a_deletion():
    """The editor drops a deleted added row and moves the rest up; the saved ids follow their rows."""
    sync = sync_rows.GridSync.start([])
    editor = {"added_rows": [{"text": "a"}, {"text": "b"}, {"text": "c"}]}
    sync_rows.reconcile_added(sync, editor["added_rows"])
    todo = sync_rows.pending([], editor, sync)
    sync_rows.record_saved(sync, todo, [1, 2, 3], {1: 1, 2: 1, 3: 1}, editor)
    editor = {"added_rows": [{"text": "a"}, {"text": "c"}]}
    sync_rows.reconcile_added(sync, editor["added_rows"])
    todo = sync_rows.pending([], editor, sync)
    assert todo.changes.deleted == [2] and not todo.changes.added and not todo.changes.updated
    editor = {"added_rows": [{"text": "a"}, {"text": "c!"}]}
    sync_rows.record_saved(sync, todo, [], {}, editor)
    sync_rows.reconcile_added(sync, editor["added_rows"])
    todo = sync_rows.pending([], editor, sync)
    assert todo.changes.updated == {3: {"text": "c!", "version": 1}}


def test_a_grid_save_with_a_nameless_row_is_refused_whole(session):
    """The service refuses a save whose row 3 has no name, naming it, and keeps nothing of that save."""
    stage = services.add_stage(session, journey_id=services.create_journey(session, name="J", user="tester").id,
                               name="S", user="tester")
    changes = sync_rows.changes_from_editor([], {"added_rows": [{"name": "Good"}, {"name": None},
                                                                {"touchpoint": "Desk", "easy": 4}]})
    with pytest.raises(ValidationError) as refused:
        services.save_steps(session, stage_id=stage.id, changes=changes, user="tester")
    assert refused.value.params["row"] == 3 and refused.value.params["column"] == "col.step_name"
    assert services.list_steps(session, stage.id) == []


@pytest.mark.parametrize("lang", ["th", "en"])
def test_quick_entry_on_a_board_card_saves_a_pain_point_measure_and_idea(app_db, lang):
    """On the board, a card takes a pain point, a fix for it and an idea: type, Enter, saved, the line stays open."""
    at = open_page("pages/journey/board.py", lang, user="alice")
    step = sample(app_db).stages[0].steps[0].step
    assert not [b for b in at.button if (b.key or "").startswith("board_add_")]  # the projector view
    at.toggle(key="board_quick_mode").set_value(True).run()
    at.button(key=f"board_add_{step.id}").click().run()
    at.text_input(key="board_quick_text").input("ป้ายบอกทางไม่ชัด").run()
    pains = sample(app_db).stages[0].steps[0].pain_points
    assert pains[-1].text == "ป้ายบอกทางไม่ชัด" and pains[-1].created_by == "alice"
    assert at.text_input(key="board_quick_text").value == ""  # ready for the next one
    at.selectbox(key="board_quick_kind").set_value("fix").run()
    at.text_input(key="board_quick_text").input("ติดป้ายใหม่ที่ทางเข้า").run()
    view = sample(app_db).stages[0].steps[0]
    assert [m.text for m in view.measures[pains[-1].id]] == ["ติดป้ายใหม่ที่ทางเข้า"], (view.measures, [e.value for e in at.error], at.session_state["board_quick_pain"], [p.id for p in pains])
    at.selectbox(key="board_quick_kind").set_value("idea").run()
    at.text_input(key="board_quick_text").input("แผนที่ในไลน์").run()
    assert sample(app_db).stages[0].steps[0].ideas[-1].text == "แผนที่ในไลน์"
    assert "ป้ายบอกทางไม่ชัด" in "\n".join(m.value for m in at.markdown)
    assert not at.exception


def test_a_viewer_has_no_quick_entry(app_db):
    """A viewer sees the board without any Add buttons."""
    at = open_page("pages/journey/board.py", "en", user="viewer")
    assert not [b for b in at.button if (b.key or "").startswith("board_add_")]


def test_the_activity_feed_names_every_item(app_db):
    """A severity change (no text in the log entry) shows the problem's text, never "#13"."""
    open_page(None, "en")
    pain = sample(app_db).stages[0].steps[0].pain_points[0]
    with db_session(app_db) as session:
        services.update_pain_point(session, pain_point_id=pain.id, severity=5, user="alice")
    at = open_page("pages/data/activity.py", "en")
    feed = at.dataframe[0].value
    assert not any(str(item).startswith("#") for item in feed["Item"])
    row = feed[feed["Who"] == "alice"].iloc[0]
    assert row["Item"] == pain.text[:50] or pain.text.startswith(row["Item"].rstrip("…"))


def test_one_account_links_to_one_person(session):
    """The same person cannot be added twice with the same linked account, nor edited onto one that is taken."""
    from cem.improvement import plan
    somchai = plan.add_person(session, name="Somchai", username="alice", user="tester")
    with pytest.raises(ValidationError) as refused:
        plan.add_person(session, name="Somchai again", username="Alice", user="tester")
    assert refused.value.params["problem"] == "err.account_has_person" and refused.value.params["name"] == "Somchai"
    other = plan.add_person(session, name="Malee", user="tester")
    with pytest.raises(ValidationError):
        plan.update_person(session, person_id=other.id, version=other.version, username="alice", user="tester")
    assert [p.name for p in plan.list_people(session) if p.username == "alice"] == ["Somchai"]
    plan.update_person(session, person_id=somchai.id, version=somchai.version, name="Somchai K.", username="alice",
                       user="tester")  # keeping one's own account is fine


@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_add_person_box_stays_open_for_the_next_person(app_db, lang):
    """After adding a person the form is empty and its box still open; a refused one keeps what was typed."""
    at = open_page("pages/improvement/people.py", lang, user="tester")
    at.text_input(key="people_add_name").input("Ann")
    at.text_input(key="people_add_phone").input("081-000-0000")
    at.button(key="people_add_submit").click().run()
    assert at.session_state["people_add_box"] is True
    assert at.text_input(key="people_add_name").value == ""
    at.text_input(key="people_add_phone").input("082")
    at.button(key="people_add_submit").click().run()  # no name: refused
    assert at.error and at.text_input(key="people_add_phone").value == "082"



def test_the_live_note_lists_only_changes_since_the_page_was_drawn(session):
    """history(after_id=latest_change_id(...)) holds what others did after that mark, nothing older."""
    journey = services.create_journey(session, name="Live", user="tester")
    services.add_stage(session, journey_id=journey.id, name="Before the page", user="bob")
    mark = services.latest_change_id(session, journey.id)
    services.add_stage(session, journey_id=journey.id, name="After the page", user="bob")
    since = services.history(session, journey_id=journey.id, after_id=mark)
    assert [(c.user, c.new["name"]) for c in since] == [("bob", "After the page")]
    assert services.latest_change_id(session, 999999) == 0
