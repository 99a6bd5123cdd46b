"""The screens speak the reader's language, Streamlit's own words included,
and forms keep what was typed when they are refused. AppTests in Thai and
English."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from cem.core import auth, config, i18n
from cem.journey import services
from cem.core.db import get_engine, session_scope
from cem.journey.templates import GENERAL_LIFE_CYCLE, seed_sample_journey
from tests.test_pages import open_page

pytestmark = pytest.mark.pages
ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def run_app(lang: str, user: str | None = "admin", page: str | None = None) -> AppTest:
    return open_page(page, lang, user)


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


@pytest.fixture
def empty_db(db_url, monkeypatch):
    """A database with no account yet: the first-run screen."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def text_value(at: AppTest, key: str) -> str:
    return at.text_input(key=key).value


# ---------------------------------------------------------------- Streamlit's own English


def test_the_toolbar_shows_no_deploy_button_or_developer_menu():
    """client.toolbarMode "minimal" hides Deploy and the English developer menu for everyone
    ("viewer" would still show an English menu of print, settings and so on)."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["client"]["toolbarMode"] == "minimal"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_first_run_screen_lists_no_page_names(empty_db, monkeypatch, lang):
    """Before anyone signs in, the sidebar shows no raw page names: the app sets a hidden
    navigation over every page file (so Streamlit's pages/ folder list never shows, and a deep
    link still finds its page instead of "page not found")."""
    calls = []
    real = st.navigation

    def recording(pages, **kwargs):
        calls.append((pages, kwargs))
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    at = run_app(lang, user=None)
    assert at.title[0].value == i18n.t("auth.first_run_title", lang)
    assert len(calls) == 1
    pages, kwargs = calls[0]
    assert kwargs["position"] == "hidden"
    files = {Path(str(p._page)).name for p in pages}
    assert files == {p.name for p in (ROOT / "pages").rglob("*.py")}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_sign_in_screen_lists_no_page_names(app_db, monkeypatch, lang):
    calls = []
    real = st.navigation
    monkeypatch.setattr(st, "navigation", lambda pages, **kw: calls.append(kw) or real(pages, **kw))
    at = run_app(lang, user=None)
    assert at.title[0].value == i18n.t("auth.sign_in_title", lang)
    assert [kw["position"] for kw in calls] == ["hidden"]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_multiselect_placeholder_is_in_the_readers_language(lang):
    """An empty multiselect reads "choose one or more" in the reader's language, not Streamlit's
    "Choose options"."""
    def script():
        from ui import widgets

        widgets.multiselect("label", ["a", "b"], key="pick")

    at = AppTest.from_function(script)
    at.session_state["ui_lang"] = lang
    at.run()
    assert at.multiselect(key="pick").placeholder == i18n.t("widgets.choose_options", lang)
    assert at.multiselect(key="pick").placeholder != "Choose options"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_backup_uploader_says_its_limits_in_the_readers_language(app_db, lang):
    """The restore uploader on Administration has a caption with the allowed type and size in
    the reader's language (Streamlit's "200MB per file • JSON" is hidden by CSS)."""
    from cem.backup import MAX_BACKUP_BYTES

    at = run_app(lang, page="pages/data/admin.py")
    expected = i18n.t("widgets.upload_limits", lang, types=".json", size=MAX_BACKUP_BYTES // 2**20)
    assert expected in [c.value for c in at.caption]
    assert at.file_uploader(key="admin_restore_upload").proto.max_upload_size_mb == MAX_BACKUP_BYTES // 2**20


# ---------------------------------------------------------------- forms keep what was typed


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_refused_new_account_keeps_what_was_typed(app_db, lang):
    """A new account refused (password too short) keeps every field as typed; after a success
    the form is empty again."""
    at = run_app(lang, page="pages/data/admin.py")
    at.text_input(key="admin_new_username").input("malee")
    at.text_input(key="admin_new_name").input("มาลี ใจดี")
    at.text_input(key="admin_new_email").input("malee@example.com")
    at.selectbox(key="admin_new_role").set_value("viewer")
    at.text_input(key="admin_new_password").input("short")
    at.button(key="admin_add").click().run()
    assert any(i18n.t("err.password_short", lang, min=auth.MIN_PASSWORD_LENGTH) in e.value for e in at.error)
    assert text_value(at, "admin_new_username") == "malee"
    assert text_value(at, "admin_new_name") == "มาลี ใจดี"
    assert text_value(at, "admin_new_email") == "malee@example.com"
    assert at.selectbox(key="admin_new_role").value == "viewer"
    assert text_value(at, "admin_new_password") == "short"

    at.text_input(key="admin_new_password").input("long enough password")
    at.button(key="admin_add").click().run()
    assert not at.error
    with session_scope(get_engine(app_db)) as session:
        assert auth.find_user(session, "malee").role == "viewer"
    assert text_value(at, "admin_new_username") == ""
    assert text_value(at, "admin_new_password") == ""
    assert at.selectbox(key="admin_new_role").value == "editor"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_refused_new_journey_keeps_what_was_typed(app_db, lang):
    """A journey without a name is refused and keeps its description and template; with a name it
    is created, and the form is empty when the journeys page opens again."""
    at = run_app(lang, page="pages/journey/journeys.py")
    at.text_area(key="journeys_new_description").input("ลูกค้าองค์กรทุกราย")
    at.radio(key="journeys_new_template").set_value("blank")
    at.button(key="journeys_create").click().run()
    assert at.error
    assert at.text_area(key="journeys_new_description").value == "ลูกค้าองค์กรทุกราย"
    assert at.radio(key="journeys_new_template").value == "blank"

    at.text_input(key="journeys_new_name").input("ลูกค้าองค์กร")
    at.button(key="journeys_create").click().run()
    assert not at.error
    with session_scope(get_engine(app_db)) as session:
        assert "ลูกค้าองค์กร" in [j.name for j in services.list_journeys(session)]
    at.switch_page("pages/journey/journeys.py").run()
    assert text_value(at, "journeys_new_name") == ""
    assert at.text_area(key="journeys_new_description").value == ""
    assert at.radio(key="journeys_new_template").value == "general"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_refused_first_administrator_keeps_what_was_typed(empty_db, lang):
    """On the first-run screen, two different passwords are refused and the fields keep what
    was typed."""
    at = run_app(lang, user=None)
    at.text_input(key="auth_first_username").input("somchai")
    at.text_input(key="auth_first_name").input("สมชาย")
    at.text_input(key="auth_first_password").input("correct horse")
    at.text_input(key="auth_first_again").input("correct hose")
    at.button(key="auth_first_submit").click().run()
    assert any(i18n.t("auth.passwords_differ", lang) in e.value for e in at.error)
    assert text_value(at, "auth_first_username") == "somchai"
    assert text_value(at, "auth_first_name") == "สมชาย"
    assert text_value(at, "auth_first_password") == "correct horse"


# ---------------------------------------------------------------- the sample journey on an English install


@pytest.mark.parametrize("value, expected", [("", "th"), ("en", "en"), ("EN", "en"), ("en-GB", "en"),
                                             ("th", "th"), ("fr", "th")])
def test_the_install_language_comes_from_cem_lang(monkeypatch, value, expected):
    monkeypatch.setenv("CEM_LANG", value)
    assert config.default_lang() == expected


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_sample_journey_is_in_the_install_language(session, monkeypatch, lang):
    """With CEM_LANG=en the sample journey seeded on first start is in English; by default in Thai
    (and the Thai sample has no English description)."""
    monkeypatch.setenv("CEM_LANG", lang)
    journey = seed_sample_journey(session)
    tree = services.load_journey_tree(session, journey.id)
    names = [node.stage.name for node in tree.stages]
    column = 3 if lang == "en" else 1
    assert names == [row[column] for row in GENERAL_LIFE_CYCLE]
    steps = [s.step.name for node in tree.stages for s in node.steps]
    assert steps
    thai = any("\u0e00" <= ch <= "\u0e7f" for text in steps + [journey.name, journey.description] for ch in text)
    assert thai == (lang == "th")
    if lang == "th":
        assert "Sample" not in journey.description


def test_an_english_install_shows_the_sample_in_english(engine, db_url, monkeypatch):
    """The app's first start on an English install seeds the English sample."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_LANG", "en")
    run_app("en", page="pages/journey/journeys.py")
    with session_scope(get_engine(db_url)) as session:
        assert [j.name for j in services.list_journeys(session)] == ["Sample: home internet service"]
