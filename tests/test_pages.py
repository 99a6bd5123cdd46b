"""Every page through streamlit.testing.v1.AppTest, in Thai and English,
with its main interactions."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem import i18n, services
from cem.db import get_engine, session_scope

pytestmark = pytest.mark.pages
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = {
    "pages/journeys.py": "page.journeys",
    "pages/map_editor.py": "page.map_editor",
    "pages/board.py": "page.board",
    "pages/cycle.py": "page.cycle",
    "pages/insights.py": "page.insights",
    "pages/excel.py": "page.excel",
}


@pytest.fixture
def app_db(db_url, monkeypatch):
    """The app's database for this test: a fresh file, seeded on first run."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_USER", "tester")
    return db_url


def open_page(page: str | None = None, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def db_session(url):
    return session_scope(get_engine(url))


def sample(url):
    with db_session(url) as session:
        journey = services.list_journeys(session)[0]
        return services.load_journey_tree(session, journey.id)


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_both_languages(app_db, page, lang):
    """Each page opens without an error and shows its title in the chosen language."""
    at = open_page(page, lang)
    assert at.title[0].value == i18n.t(PAGES[page], lang)
    assert not at.error


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_without_any_journey_point_to_the_journeys_page(db_url, monkeypatch, page):
    """With no journey at all, pages say how to start instead of failing."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_SEED_SAMPLE", "0")
    at = open_page(page, "en")
    assert at.title[0].value == i18n.t(PAGES[page], "en")
    if page != "pages/journeys.py":
        assert any(i18n.t("journey.none_yet", "en") in info.value for info in at.info)


def test_language_can_be_switched_in_the_sidebar(app_db):
    """Choosing English in the sidebar turns the page into English, and it stays English on other pages."""
    at = open_page(None, "th")
    assert at.title[0].value == "แผนที่ทั้งหมด"
    at.selectbox(key="ui_lang_widget").set_value("en").run()
    assert at.title[0].value == "Journeys"
    at.switch_page("pages/board.py").run()
    assert at.title[0].value == "Journey board"
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_create_a_journey_from_the_template(app_db):
    """Creating a journey from the template opens the map editor with the seven life-cycle stages."""
    at = open_page("pages/journeys.py", "en")
    at.text_input(key="journeys_new_name").input("Corporate customers")
    at.button(key="journeys_create").click().run()
    assert not at.exception
    assert at.title[0].value == "Map editor"
    with db_session(app_db) as session:
        journey = next(j for j in services.list_journeys(session) if j.name == "Corporate customers")
        stages = services.list_stages(session, journey.id)
    assert [s.name for s in stages][:2] == ["Offer", "Purchase"] and len(stages) == 7
    assert journey.created_by == "tester"


def test_a_journey_without_a_name_is_refused(app_db):
    """Pressing Create with no name says the name is required."""
    at = open_page("pages/journeys.py", "en")
    at.button(key="journeys_create").click().run()
    assert any("Journey name" in e.value and "required" in e.value for e in at.error)


def test_rename_and_delete_the_current_journey(app_db):
    """The current journey can be renamed, and deleted after typing its name."""
    at = open_page("pages/journeys.py", "en")
    at.text_input(key="journeys_edit_name").input("Renamed journey")
    at.button(key="journeys_edit_save").click().run()
    assert any(sub.value.endswith("Renamed journey") for sub in at.subheader)
    at.text_input(key="journeys_delete_confirm").input("Renamed journey").run()
    at.button(key="journeys_delete").click().run()
    with db_session(app_db) as session:
        assert services.list_journeys(session) == []
    assert any(i18n.t("journey.none_yet", "en") in info.value for info in at.info)


def test_map_editor_saves_new_rows_from_the_grid(app_db):
    """Rows typed into the stage grid are saved by the Save button."""
    at = open_page("pages/map_editor.py", "en")
    journey_id = sample(app_db).journey.id
    at.session_state[f"grid_stages_{journey_id}_0"] = {
        "edited_rows": {0: {"name": "First offer"}}, "deleted_rows": [],
        "added_rows": [{"name": "Win-back", "phase": "after"}, {"name": None}],
    }
    at.button(key="stages_save").click().run()
    assert not at.exception and not at.error
    names = [s.stage.name for s in sample(app_db).stages]
    assert names[0] == "First offer" and names[-1] == "Win-back" and len(names) == 8
    assert [toast.value for toast in at.toast] == ["Saved: 1 added, 1 changed, 0 deleted."]


def test_map_editor_names_the_bad_cell_and_saves_nothing(app_db):
    """A severity of 9 is refused with the row and column named, and no row of that Save is kept."""
    at = open_page("pages/map_editor.py", "en")
    tree = sample(app_db)
    step = tree.stages[0].steps[0].step
    before = len(tree.stages[0].steps[0].pain_points)
    at.session_state[f"grid_pains_{step.id}_0"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"text": "Fine", "severity": 2}, {"text": "Too hot", "severity": 9}],
    }
    at.button(key="pains_save").click().run()
    assert any("Row 3" in e.value and "Severity" in e.value and "1 to 5" in e.value for e in at.error)
    assert len(sample(app_db).stages[0].steps[0].pain_points) == before


def test_deleting_a_stage_asks_first_and_says_what_goes(app_db):
    """Deleting a stage row opens a confirmation that counts its sub-steps and pain points."""
    at = open_page("pages/map_editor.py", "en")
    journey_id = sample(app_db).journey.id
    at.session_state[f"grid_stages_{journey_id}_0"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at.button(key="stages_save").click().run()
    assert len(sample(app_db).stages) == 7  # not yet
    assert any("1 sub-step(s)" in m.value and "1 problem(s)" in m.value for m in at.markdown)
    at.button(key="stages_confirm_yes").click().run()
    assert len(sample(app_db).stages) == 6


def test_map_editor_pick_a_stage_and_step(app_db):
    """Picking another stage shows its sub-steps and the details of the first one."""
    at = open_page("pages/map_editor.py", "th")
    tree = sample(app_db)
    at.selectbox(key="editor_stage").set_value(tree.stages[2].stage.id).run()
    assert not at.exception
    assert at.selectbox(key="editor_step").value == tree.stages[2].steps[0].step.id
    assert len(at.data_editor) >= 4


def test_board_shows_every_stage_and_card(app_db):
    """The board shows each stage and each sub-step's pain points, measures and ideas."""
    at = open_page("pages/board.py", "th")
    text = "\n".join(m.value for m in at.markdown)
    for stage in sample(app_db).stages:
        assert stage.stage.name in text
    assert "ช่างมาไม่ตรงเวลานัด" in text and "ส่ง SMS ยืนยันเวลานัดหนึ่งวันก่อน" in text
    at.slider(key="board_per_row").set_value(2).run()
    at.toggle(key="board_show_resolved").set_value(False).run()
    assert not at.exception


def test_cycle_page_counts(app_db):
    """The life-cycle page counts stages, sub-steps, open pain points and ideas."""
    at = open_page("pages/cycle.py", "en")
    tree = sample(app_db)
    values = {m.label: m.value for m in at.metric}
    assert values["Main stages"] == str(len(tree.stages))
    assert values["Sub-steps"] == str(len(tree.all_steps()))


def test_insights_lists_the_lowest_points(app_db):
    """The insights page names where the customer feels worst."""
    at = open_page("pages/insights.py", "en")
    assert any("Where the customer feels worst" in m.value and "-2" in m.value for m in at.markdown)
    at.toggle(key="insights_open_only").set_value(True).run()
    assert not at.exception


def test_excel_round_trip_through_the_page(app_db):
    """The exported workbook can be uploaded again and becomes a new journey."""
    from cem import excel

    at = open_page("pages/excel.py", "en")
    tree = sample(app_db)
    with db_session(app_db) as session:
        workbook = excel.export_journey(session, journey_id=tree.journey.id, lang="en")
    at.file_uploader(key="excel_upload").upload("map.xlsx", workbook,
                                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    at.run()
    at.text_input(key="excel_new_name").input("Imported copy")
    at.button(key="excel_import").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        names = [j.name for j in services.list_journeys(session)]
    assert "Imported copy" in names


def test_excel_bad_file_is_refused_with_a_message(app_db):
    """Uploading something that is not a workbook says so and imports nothing."""
    at = open_page("pages/excel.py", "th")
    at.file_uploader(key="excel_upload").upload("bad.xlsx", b"not a workbook at all", "application/octet-stream")
    at.run()
    at.button(key="excel_import").click().run()
    assert at.error
    with db_session(app_db) as session:
        assert len(services.list_journeys(session)) == 1
