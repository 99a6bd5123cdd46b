"""What every page needs: the database, the language, the acting user, the
current journey, and showing errors."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import streamlit as st
from sqlmodel import Session

from cem import config, i18n, services
from cem.db import get_engine, migrate, session_scope
from cem.errors import CemError
from cem.templates import seed_sample_journey
from cem.text import escape_markdown

LANG_KEY = "ui_lang"
USER_KEY = "ui_user"
JOURNEY_KEY = "ui_journey_id"


@st.cache_resource(show_spinner=False)
def _prepare_database(url: str) -> None:
    """Run migrations and seed the sample once per process and database,
    not on every rerun."""
    engine = get_engine(url)
    migrate(engine)
    if config.seed_sample():
        with session_scope(engine) as session:
            seed_sample_journey(session)


def prepare_database() -> None:
    _prepare_database(config.database_url())


@contextmanager
def db() -> Iterator[Session]:
    with session_scope(get_engine(config.database_url())) as session:
        yield session


# ---------------------------------------------------------------- language


def lang() -> str:
    if LANG_KEY not in st.session_state:
        wanted = st.query_params.get("lang") or st.context.locale
        st.session_state[LANG_KEY] = i18n.normalise_lang(wanted)
    return st.session_state[LANG_KEY]


def t(key: str, **params) -> str:
    return i18n.t(key, lang(), **params)


def _remember_lang() -> None:
    st.query_params["lang"] = st.session_state[LANG_KEY]


def language_picker() -> None:
    lang()
    st.sidebar.selectbox(
        "🌐 ภาษา / Language", i18n.LANGS, key=LANG_KEY,
        format_func=lambda code: i18n.LANG_NAMES[code], on_change=_remember_lang,
    )


# ---------------------------------------------------------------- who is acting


def user() -> str:
    if not st.session_state.get(USER_KEY, "").strip():
        st.session_state[USER_KEY] = config.default_user()
    return st.session_state[USER_KEY]


def user_field() -> None:
    user()
    st.sidebar.text_input(t("sidebar.your_name"), key=USER_KEY, max_chars=100, help=t("sidebar.your_name_help"))


# ---------------------------------------------------------------- current journey


def journey_picker() -> int | None:
    """Sidebar choice of the journey every page works on; kept in the URL so
    a reload opens the same journey."""
    with db() as session:
        journeys = services.list_journeys(session)
    if not journeys:
        st.session_state.pop(JOURNEY_KEY, None)
        return None
    ids = [j.id for j in journeys]
    names = {j.id: j.name for j in journeys}
    current = st.session_state.get(JOURNEY_KEY)
    if current not in ids:
        from_url = st.query_params.get("journey", "")
        current = int(from_url) if from_url.isdigit() and int(from_url) in ids else ids[0]
        st.session_state[JOURNEY_KEY] = current
    st.sidebar.selectbox(t("sidebar.journey"), ids, key=JOURNEY_KEY, format_func=lambda i: names.get(i, "?"))
    st.query_params["journey"] = str(st.session_state[JOURNEY_KEY])
    return st.session_state[JOURNEY_KEY]


def set_current_journey(journey_id: int) -> None:
    st.session_state[JOURNEY_KEY] = journey_id
    st.query_params["journey"] = str(journey_id)


def current_journey_id() -> int | None:
    return st.session_state.get(JOURNEY_KEY)


def require_journey() -> int:
    """The current journey, or a hint to create one and stop the page."""
    journey_id = current_journey_id()
    if journey_id is None:
        st.info(t("journey.none_yet"))
        st.page_link("pages/journeys.py", label=t("page.journeys"), icon="🗺️")
        st.stop()
    return journey_id


# ---------------------------------------------------------------- messages


def error_message(error: CemError) -> str:
    return i18n.error_text(error, lang())


def show_error(error: CemError) -> None:
    st.error(error_message(error), icon="⚠️")


def flash(message: str, icon: str = "✅") -> None:
    """A message shown as a toast after the next rerun."""
    st.session_state["ui_flash"] = (message, icon)


def show_flash() -> None:
    pending = st.session_state.pop("ui_flash", None)
    if pending:
        st.toast(pending[0], icon=pending[1])


def md(text: str) -> str:
    """User text made safe to place inside Markdown."""
    return escape_markdown(text)
