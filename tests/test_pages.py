"""Every page through streamlit.testing.v1.AppTest, in Thai and English,
with its main interactions."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.core import auth, i18n
from cem.journey import services
from cem.core.db import get_engine, session_scope

pytestmark = pytest.mark.pages
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = {
    "pages/journey/journeys.py": "page.journeys",
    "pages/journey/map_editor.py": "page.map_editor",
    "pages/journey/board.py": "page.board",
    "pages/journey/cycle.py": "page.cycle",
    "pages/journey/insights.py": "page.insights",
    "pages/data/excel.py": "page.excel",
    "pages/data/activity.py": "page.activity",
    "pages/data/admin.py": "page.admin",
    "pages/improvement/executive.py": "page.executive",
    "pages/customers/pareto.py": "page.customers_pareto",
    "pages/customers/bills.py": "page.customers_import",
    "pages/customers/vip.py": "page.customers_vip",
    "pages/customers/profile.py": "page.customers_profile",
    "pages/customers/complaints.py": "page.customers_complaints",
    "pages/customers/voice.py": "page.voice",
    "pages/customers/knowledge.py": "page.knowledge",
    "pages/improvement/priorities.py": "page.priorities",
    "pages/improvement/measures.py": "page.measures",
    "pages/customers/voice_import.py": "page.voice_import",
}


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    """The app's database for this test: fresh, with one account per role,
    seeded with the sample journey on first run."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def open_page(page: str | None = None, lang: str = "en", user: str | None = "admin") -> AppTest:
    """The app as `user` (signed in), on `page`."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    if user:
        at.session_state["auth_user"] = user
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def picker(at: AppTest, key: str):
    """The select box of ui.common.id_picker that keeps its choice in `key`."""
    return next(s for s in at.selectbox if (s.key or "").startswith(f"{key}_pick_"))


def open_tab(at: AppTest, key: str, label_key: str, lang: str = "en") -> AppTest:
    """Open the tab `label_key` of the tabs `key` (tabs that run only the open one)."""
    at.session_state[key] = i18n.t(label_key, lang)
    return at.run()


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
def test_pages_without_any_journey_point_to_the_journeys_page(engine, db_url, monkeypatch, page):
    """With no journey at all, pages say how to start instead of failing."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_SEED_SAMPLE", "0")
    at = open_page(page, "en")
    assert at.title[0].value == i18n.t(PAGES[page], "en")
    if page not in ("pages/journey/journeys.py", "pages/data/admin.py", "pages/data/excel.py",
                    "pages/customers/pareto.py", "pages/customers/bills.py",
                    "pages/customers/vip.py", "pages/customers/profile.py",
                    "pages/customers/complaints.py", "pages/customers/voice.py",
                    "pages/customers/voice_import.py", "pages/improvement/measures.py",
                    "pages/customers/knowledge.py"):  # the customers' pages need bills, not a journey
        assert any(i18n.t("journey.none_yet", "en") in info.value for info in at.info)


def test_language_can_be_switched_in_the_sidebar(app_db):
    """Choosing English in the sidebar turns the page into English, and it stays English on other pages."""
    at = open_page(None, "th")
    assert at.title[0].value == "แผนที่ทั้งหมด"
    at.selectbox(key="ui_lang_widget").set_value("en").run()
    assert at.title[0].value == "Journeys"
    at.switch_page("pages/journey/board.py").run()
    assert at.title[0].value == "Journey board"
    assert at.query_params["lang"] == ["en"] or at.query_params["lang"] == "en"


def test_create_a_journey_from_the_template(app_db):
    """Creating a journey from the template opens the map editor with the seven life-cycle stages."""
    at = open_page("pages/journey/journeys.py", "en")
    at.text_input(key="journeys_new_name").input("Corporate customers")
    at.button(key="journeys_create").click().run()
    assert not at.exception
    assert at.title[0].value == "Map editor"
    with db_session(app_db) as session:
        journey = next(j for j in services.list_journeys(session) if j.name == "Corporate customers")
        stages = services.list_stages(session, journey.id)
    assert [s.name for s in stages][:2] == ["Offer", "Purchase"] and len(stages) == 7
    assert journey.created_by == "admin"


def test_a_journey_without_a_name_is_refused(app_db):
    """Pressing Create with no name says the name is required."""
    at = open_page("pages/journey/journeys.py", "en")
    at.button(key="journeys_create").click().run()
    assert any("Journey name" in e.value and "required" in e.value for e in at.error)


def test_rename_and_delete_the_current_journey(app_db):
    """The current journey can be renamed, and deleted after typing its name."""
    at = open_page("pages/journey/journeys.py", "en")
    at.text_input(key="journeys_edit_name").input("Renamed journey")
    at.button(key="journeys_edit_save").click().run()
    assert any(sub.value.endswith("Renamed journey") for sub in at.subheader)
    at.text_input(key="journeys_delete_confirm").input("Renamed journey").run()
    at.button(key="journeys_delete").click().run()
    with db_session(app_db) as session:
        assert services.list_journeys(session) == []
    assert any(i18n.t("journey.none_yet", "en") in info.value for info in at.info)


def test_map_editor_saves_new_rows_from_the_grid(app_db):
    """Rows typed into the stage grid are saved with the next run, with a quiet "saved" line."""
    at = open_page("pages/journey/map_editor.py", "en")
    journey_id = sample(app_db).journey.id
    at.session_state[f"grid_stages_{journey_id}_0"] = {
        "edited_rows": {0: {"name": "First offer"}}, "deleted_rows": [],
        "added_rows": [{"name": "Win-back", "phase": "after"}, {"name": None}],
    }
    at.run()
    assert not at.exception and not at.error
    names = [s.stage.name for s in sample(app_db).stages]
    assert names[0] == "First offer" and names[-1] == "Win-back" and len(names) == 8
    assert any(c.value.startswith("✓ Saved at") and c.value.endswith("1 added, 1 changed") for c in at.caption)


def test_map_editor_names_the_bad_cell_and_saves_nothing(app_db):
    """A severity of 9 is refused with the row and column named and waits on screen; the good row is saved."""
    at = open_page("pages/journey/map_editor.py", "en")
    tree = sample(app_db)
    step = tree.stages[0].steps[0].step
    before = len(tree.stages[0].steps[0].pain_points)
    at.session_state[f"grid_pains_{step.id}_0"] = {
        "edited_rows": {}, "deleted_rows": [],
        "added_rows": [{"text": "Fine", "severity": 2}, {"text": "Too hot", "severity": 9}],
    }
    at.run()
    assert any("Row 3" in w.value and "Severity" in w.value and "1 to 5" in w.value for w in at.warning)
    assert [p.text for p in sample(app_db).stages[0].steps[0].pain_points][before:] == ["Fine"]


def test_deleting_a_stage_asks_first_and_says_what_goes(app_db):
    """Deleting a stage row opens a confirmation that counts its sub-steps and pain points."""
    at = open_page("pages/journey/map_editor.py", "en")
    journey_id = sample(app_db).journey.id
    at.session_state[f"grid_stages_{journey_id}_0"] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [0]}
    at.run()
    assert len(sample(app_db).stages) == 7  # not yet
    assert any("1 sub-step(s)" in m.value and "1 problem(s)" in m.value for m in at.markdown)
    at.button(key="stages_confirm_yes").click().run()
    assert len(sample(app_db).stages) == 6


def test_map_editor_pick_a_stage_and_step(app_db):
    """Picking another stage shows its sub-steps and the details of the first one."""
    at = open_page("pages/journey/map_editor.py", "th")
    tree = sample(app_db)
    picker(at, "editor_stage").set_value(tree.stages[2].stage.id).run()
    assert not at.exception
    assert picker(at, f"editor_step_of_{tree.stages[2].stage.id}").value == tree.stages[2].steps[0].step.id
    assert len(at.data_editor) >= 4


def test_board_shows_every_stage_and_card(app_db):
    """The board shows each stage and each sub-step's pain points, measures and ideas."""
    at = open_page("pages/journey/board.py", "th")
    text = "\n".join(m.value for m in at.markdown)
    for stage in sample(app_db).stages:
        assert stage.stage.name in text
    assert "ช่างมาไม่ตรงเวลานัด" in text and "ส่ง SMS ยืนยันเวลานัดหนึ่งวันก่อน" in text
    at.slider(key="board_per_row").set_value(2).run()
    at.toggle(key="board_show_resolved").set_value(False).run()
    assert not at.exception


def test_cycle_page_counts(app_db):
    """The life-cycle page counts stages, sub-steps, open pain points and ideas."""
    at = open_page("pages/journey/cycle.py", "en")
    tree = sample(app_db)
    values = {m.label: m.value for m in at.metric}
    assert values["Main stages"] == str(len(tree.stages))
    assert values["Sub-steps"] == str(len(tree.all_steps()))


def test_insights_lists_the_lowest_points(app_db):
    """The insights page names where the customer feels worst."""
    at = open_page("pages/journey/insights.py", "en")
    assert any("Where the customer feels worst" in m.value and "-2" in m.value for m in at.markdown)
    at.toggle(key="insights_open_only").set_value(True).run()
    assert not at.exception


def test_excel_round_trip_through_the_page(app_db):
    """The exported workbook can be uploaded again and becomes a new journey."""
    from cem.journey import excel

    at = open_page("pages/data/excel.py", "en")
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
    at = open_page("pages/data/excel.py", "th")
    at.file_uploader(key="excel_upload").upload("bad.xlsx", b"not a workbook at all", "application/octet-stream")
    at.run()
    at.button(key="excel_import").click().run()
    assert at.error
    with db_session(app_db) as session:
        assert len(services.list_journeys(session)) == 1


# ---------------------------------------------------------------- sign-in and roles


def test_a_fresh_installation_asks_for_the_first_administrator(db_url, monkeypatch):
    """On a new database the app asks to create the administrator, then signs them in."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = open_page(None, "en", user=None)
    assert at.title[0].value == "Welcome: create the administrator"
    at.text_input(key="auth_first_username").input("somchai")
    at.text_input(key="auth_first_password").input("correct horse")
    at.text_input(key="auth_first_again").input("correct horse")
    at.button(key="auth_first_submit").click().run()
    assert at.title[0].value == "Journeys"
    with db_session(db_url) as session:
        assert auth.find_user(session, "somchai").role == "admin"


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    return at.button(key="auth_submit").click().run()


def test_sign_in_with_a_password_and_rate_limit(app_db):
    """Signing in works with the right password; after five wrong ones the account is locked for a while."""
    with db_session(app_db) as session:
        auth.create_user(session, username="nok", password="secret-pass", role="editor", user="admin")
    at = open_page(None, "en", user=None)
    assert at.title[0].value == "Sign in"
    sign_in(at, "nok", "wrong")
    assert any("Wrong username or password" in e.value for e in at.error)
    sign_in(at, "nok", "secret-pass")
    assert at.title[0].value == "Journeys"
    at = open_page(None, "th", user=None)
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        sign_in(at, "nok", "wrong")
    sign_in(at, "nok", "secret-pass")
    assert any("ถูกล็อก" in e.value for e in at.error)


def test_no_typed_password_stays_in_session_state(app_db):
    """After a wrong password and after signing in, no password typed is left in the session's state."""
    with db_session(app_db) as session:
        auth.create_user(session, username="dao", password="secret-pass", role="editor", user="admin")
    at = open_page(None, "en", user=None)
    for password, title in (("wrong-pass", "Sign in"), ("secret-pass", "Journeys")):
        sign_in(at, "dao", password)
        assert at.title[0].value == title
        kept = at.session_state._state.filtered_state  # every value the session keeps
        assert not [key for key, value in kept.items() if password in repr(value)], password


def test_a_viewer_sees_but_cannot_change(app_db):
    """An executive (viewer) sees the journeys and board but no editor, create form or delete."""
    at = open_page("pages/journey/journeys.py", "en", user="viewer")
    keys = {getattr(w, "key", None) for w in at.button} | {getattr(w, "key", None) for w in at.text_input}
    assert "journeys_create" not in keys and "journeys_delete" not in keys and "journeys_edit_save" not in keys
    at = open_page("pages/journey/board.py", "en", user="viewer")
    assert at.title[0].value == "Journey board"
    at = open_page("pages/data/excel.py", "en", user="viewer")
    assert not [u for u in at.file_uploader]


def test_an_editor_cannot_open_administration(app_db):
    """Administration is not in an editor's menu, and the page cannot be switched to."""
    at = open_page(None, "en", user="alice")
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/data/admin.py")


def test_admin_adds_an_account(app_db):
    """An administrator adds an account with a role."""
    at = open_page("pages/data/admin.py", "en", user="admin")
    at.text_input(key="admin_new_username").input("malee")
    at.selectbox(key="admin_new_role").set_value("viewer")
    at.text_input(key="admin_new_password").input("long enough")
    at.button(key="admin_add").click().run()
    assert not at.error
    with db_session(app_db) as session:
        assert auth.find_user(session, "malee").role == "viewer"


def test_activity_shows_changes_and_restores_from_the_bin(app_db):
    """A deleted stage shows in the bin and comes back with its sub-steps after Restore."""
    open_page(None, "en")  # the first run seeds the sample journey
    tree = sample(app_db)
    stage = tree.stages[0].stage
    with db_session(app_db) as session:
        services.update_stage(session, stage_id=stage.id, name="First offer", user="alice")
        services.delete_stage(session, stage_id=stage.id, user="alice")
    at = open_page("pages/data/activity.py", "en", user="tester")
    feed = at.dataframe[0].value
    assert "alice" in set(feed["Who"]) and "deleted stage" in set(feed["What"])
    at.button(key=f"activity_restore_stage_{stage.id}").click().run()
    assert sample(app_db).stages[0].stage.name == "First offer"


def test_a_conflicting_edit_shows_theirs_and_mine_and_can_be_applied_again(app_db):
    """If someone changed a row after you opened the table, Save shows their value and yours, and can apply yours."""
    at = open_page("pages/journey/map_editor.py", "en", user="alice")
    journey_id = sample(app_db).journey.id
    stage = sample(app_db).stages[0].stage
    with db_session(app_db) as session:  # bob renames the stage meanwhile
        services.update_stage(session, stage_id=stage.id, name="Bob's name", user="bob")
    at.session_state[f"grid_stages_{journey_id}_0"] = {
        "edited_rows": {0: {"name": "Alice's name"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert sample(app_db).stages[0].stage.name == "Bob's name"
    assert any("Someone changed these rows" in w.value for w in at.warning)
    table = next(df.value for df in at.dataframe if "Yours" in df.value.columns)
    assert list(table.iloc[0][["Now (theirs)", "Yours"]]) == ["Bob's name", "Alice's name"]
    at.button(key="stages_apply_mine").click().run()
    assert sample(app_db).stages[0].stage.name == "Alice's name"
