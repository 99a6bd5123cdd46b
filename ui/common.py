"""What every page needs: the database, the language, the acting user, the
current journey, and showing errors."""
from __future__ import annotations

import runpy
import zlib
from datetime import date, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Iterator

import streamlit as st
from streamlit.errors import StreamlitAPIException
from sqlmodel import Session

from cem.core import auth, config, i18n
from cem.improvement import plan
from cem.journey import services
from cem.core.db import get_engine, migrate, session_scope
from cem.core.errors import CemError
from cem.customers.billing import seed_sample_billing
from cem.improvement import indicators
from cem.kb.sample import seed_sample_kb
from cem.voice.sample import seed_sample_feedback
from cem.journey.templates import seed_sample_journey
from cem.core.text import escape_markdown

ENTRY_POINT = Path(__file__).resolve().parent.parent / "app.py"
LANG_KEY = "ui_lang"
JOURNEY_KEY = "ui_journey_id"


def ensure_entry_point() -> None:
    """Make sure app.py (page set-up, database, sidebar, navigation) runs
    around this page.

    Until a session has called st.navigation once, Streamlit takes a folder
    named pages/ for an old-style multipage app, and the first visitor of a
    freshly started server who opens a deep link (/board) gets the page file
    run on its own. In that case run app.py instead, which builds the
    navigation and runs this page inside it, then stop this outer run.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        runpy.run_path(str(ENTRY_POINT), run_name="__main__")
        st.stop()


@st.cache_resource(show_spinner=False)
def _prepare_database(url: str) -> None:
    """Run migrations and seed the sample once per process and database,
    not on every rerun."""
    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        first_admin = config.bootstrap_admin()
        if first_admin and auth.count_users(session) == 0:
            auth.create_first_admin(session, username=first_admin[0], password=first_admin[1])
        if config.seed_sample() and seed_sample_journey(session) is not None:  # a new workspace
            seed_sample_billing(session)
            seed_sample_feedback(session)
            seed_sample_kb(session)
        indicators.seed_library(session, examples=config.seed_sample())


def database_url() -> str:
    return config.database_url()


def prepare_database() -> None:
    _prepare_database(config.database_url())


@st.cache_resource(max_entries=16, show_spinner=False)
def _journey_tree(url: str, journey_id: int, revision: int) -> services.JourneyTree:
    with session_scope(get_engine(url)) as session:
        return services.load_journey_tree(session, journey_id)


def journey_tree(journey_id: int) -> services.JourneyTree:
    """The whole map, loaded once per revision of the journey and shared by
    every session and page. Read-only: never change what it returns."""
    with db() as session:
        revision = services.journey_revision(session, journey_id)
    return _journey_tree(config.database_url(), journey_id, revision)


@st.cache_resource(max_entries=16, show_spinner=False)
def _task_figures(url: str, journey_ids: list[int], stamp: tuple) -> dict:
    with session_scope(get_engine(url)) as session:
        return plan.task_figures(session, journey_ids)


@st.cache_resource(max_entries=16, show_spinner=False)
def _task_rows(url: str, stamp: tuple, contacts: bool) -> list[plan.TaskRow]:
    # A change of the map (a renamed sub-step) reads the tasks again, but
    # not their months of figures, unless those changed too.
    with session_scope(get_engine(url)) as session:
        return plan.task_rows(session, stamp[0], contacts=contacts, figures=task_figures(session, stamp[0]))


def task_figures(session: Session, journey_ids: list[int]) -> dict:
    """plan.task_figures, read once per change of a commitment or check-in
    and shared. Read-only."""
    ids = sorted(journey_ids)
    return _task_figures(config.database_url(), ids, plan.figures_stamp(session, ids))


def task_rows(journey_ids: list[int]) -> list[plan.TaskRow]:
    """The journeys' tasks with their figures (plan.task_rows), read once
    per change of the plan and shared by every session that may see the
    same contacts. Read-only: never change what it returns."""
    with db() as session:
        stamp = plan.plan_stamp(session, journey_ids)
        contacts = plan.may_see_contacts(session, user=user())
    return _task_rows(config.database_url(), stamp, contacts)


def journey_revision(journey_id: int) -> int:
    with db() as session:
        return services.journey_revision(session, journey_id)


def translator():
    """t() bound to the current language, for code that calls it many times."""
    return partial(i18n.t, lang=lang())


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


def _lang_chosen() -> None:
    st.session_state[LANG_KEY] = st.session_state[f"{LANG_KEY}_widget"]
    st.query_params["lang"] = st.session_state[LANG_KEY]


# Widgets keep their own key (…_widget) and copy the choice into a plain
# session key in on_change: Streamlit drops a widget's state when the page
# changes, plain keys stay for the whole session.
def language_picker() -> None:
    current = lang()
    st.sidebar.selectbox(
        "🌐 ภาษา / Language", i18n.LANGS, index=i18n.LANGS.index(current), key=f"{LANG_KEY}_widget",
        format_func=i18n.LANG_NAMES.get, on_change=_lang_chosen,
    )


# ---------------------------------------------------------------- who is acting


def user() -> str:
    """The signed-in username (ui.auth.require_account runs first in app.py)."""
    return st.session_state.get("auth_user", "")


# ---------------------------------------------------------------- current journey


def journey_picker() -> int | None:
    """Sidebar choice of the journey every page works on, by id. Kept in
    the session and in the URL (?journey=3), so a reload, a deep link, a
    language switch or a change of menu opens the same journey."""
    with db() as session:
        journeys = services.list_journeys(session)
    if not journeys:
        st.session_state.pop(JOURNEY_KEY, None)
        return None
    ids = [j.id for j in journeys]
    from_url = st.query_params.get("journey", "")
    if from_url.isdigit() and int(from_url) in ids:  # a deep link, a reload, a new tab
        st.session_state[JOURNEY_KEY] = int(from_url)
    current = id_picker(t("sidebar.journey"), {j.id: j.name for j in journeys}, JOURNEY_KEY, container=st.sidebar,
                        url_param="journey")
    set_current_journey(current)
    return current


def unique_labels(options: dict) -> dict:
    """Labels made distinct, so that two items with the same name are
    still two choices: the second and later get their number added."""
    seen: dict[str, int] = {}
    labels = {}
    for item_id, label in options.items():
        seen[label] = seen.get(label, 0) + 1
        labels[item_id] = label if seen[label] == 1 else f"{label} ({seen[label]})"
    return labels


def id_picker(label: str, options: dict, key: str, *, container=None, help: str | None = None,
              url_param: str | None = None):
    """A select box over ids that always points at the item it shows.

    The chosen id lives in a plain session key. Streamlit keeps a select
    box's value as its label, so after a rename or a reorder an old label
    could mean another item; the widget's key therefore carries the labels,
    and a change of labels draws a fresh box at the same id. `url_param`
    keeps the choice in the address too."""
    labels = unique_labels(options)
    ids = list(labels)
    current = st.session_state.get(key)
    if current not in ids:
        current = ids[0]
    st.session_state[key] = current
    signature = zlib.crc32(repr(sorted(labels.items())).encode("utf-8"))
    widget_key = f"{key}_pick_{current}_{signature}"
    (container or st).selectbox(label, ids, index=ids.index(current), format_func=labels.get, key=widget_key,
                                on_change=_picked, args=(key, widget_key, url_param), help=help)
    return current


def _picked(key: str, widget_key: str, url_param: str | None) -> None:
    st.session_state[key] = st.session_state[widget_key]
    if url_param:
        st.query_params[url_param] = str(st.session_state[key])


def set_current_journey(journey_id: int) -> None:
    st.session_state[JOURNEY_KEY] = journey_id
    if st.query_params.get("journey") != str(journey_id):
        st.query_params["journey"] = str(journey_id)


def current_journey_id() -> int | None:
    return st.session_state.get(JOURNEY_KEY)


def require_journey() -> int:
    """The current journey, or a hint to create one and stop the page."""
    journey_id = current_journey_id()
    if journey_id is None:
        st.info(t("journey.none_yet"))
        st.page_link("pages/journey/journeys.py", label=t("page.journeys"), icon="🗺️")
        st.stop()
    return journey_id


# ---------------------------------------------------------------- messages


def error_message(error: CemError) -> str:
    return i18n.error_text(error, lang(), escape=escape_markdown)


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


def local_time(moment) -> str:
    """A stored (UTC) time in the reader's time zone, from the browser."""
    try:
        zone = ZoneInfo(st.context.timezone or "Asia/Bangkok")
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- widgets that start from saved values
#
# Popping a widget's key does not reset it in the browser; giving the key a
# value in session state before the widget is drawn does.


CHOICE_LANGS = "ui_choice_langs"  # widget key -> the language it was last drawn in


def translated(key: str) -> str:
    """The key of a select box or radio whose labels are translated
    (format_func): key=translated("care_kind").

    Streamlit keeps such a widget's choice as the label the browser shows,
    and a keyed widget stays the same widget when its labels change. After
    a language switch the browser would go on showing the old language's
    label, and send it back on the next rerun, where it matches no label
    and the choice falls back to the first option. So when the language
    changed since the widget was last drawn, its choice (read as it was
    stored) is set again, and the browser is sent the new language's label."""
    current = lang()
    drawn = st.session_state.setdefault(CHOICE_LANGS, {})
    if drawn.get(key, current) != current and key in st.session_state:
        st.session_state[key] = st.session_state[key]
    drawn[key] = current
    return key


def start(key: str, value, *, saved=None) -> str:
    """A widget's key; the widget starts at `value`, and goes back to it
    when `saved` (what the value was read from) changes."""
    if key not in st.session_state or st.session_state.get(f"{key}_seen") != saved:
        st.session_state[key] = value
    st.session_state[f"{key}_seen"] = saved
    return key


def choice(key: str, value, *, saved=None) -> str:
    """start() for a select box whose labels are translated, so that its
    choice survives a language switch (translated()). Not for text boxes:
    setting their value again would send the browser what was last sent
    over what is typed in a form and not yet submitted."""
    return translated(start(key, value, saved=saved))


KEPT_TYPES = (str, int, float, date, list, tuple, type(None))


def _keep(prefixes: tuple[str, ...]) -> None:
    """Set again, as the script's own, the values of the widgets whose keys
    start with `prefixes` (see lazy_tabs): Streamlit forgets an undrawn
    widget's value at the end of a run, but keeps a value the script set.
    Buttons and check boxes (True or False) are not kept."""
    for key in [k for k in st.session_state.keys() if isinstance(k, str) and k.startswith(prefixes)]:
        value = st.session_state[key]
        if isinstance(value, KEPT_TYPES) and type(value) is not bool:
            try:
                st.session_state[key] = value
            except StreamlitAPIException:  # drawn already in this run: Streamlit keeps it
                pass


def lazy_tabs(labels: list[str], key: str, default: int = 0, kept: list[tuple[str, ...]] | None = None,
              lazy: bool = True):
    """st.tabs that run only the open tab (their .open is True or False).

    - What is typed in a closed tab stays: `kept[i]` names the key prefixes
      of tab i's widgets, whose values are set again while the tab is closed
      (never those of the open tab, so nothing is sent back over what is
      being typed there).
    - The page opens on tab `default` after another page, and a language
      switch keeps the same tab open (Streamlit keeps it as its label).
    With `lazy` False every tab runs, as plain st.tabs (their .open is None):
    for tabs where people type free text, which the browser keeps only in
    a tab that is drawn."""
    if not lazy:
        return st.tabs(labels, key=key)
    place_key = f"{key}_place"
    shown = st.session_state.get(key)
    if shown is None:
        st.session_state[key] = labels[default]
    elif shown not in labels:
        place = st.session_state.get(place_key, default)
        st.session_state[key] = labels[place if 0 <= place < len(labels) else default]
    opened = labels.index(st.session_state[key])
    for index, prefixes in enumerate(kept or []):
        if index != opened and prefixes:
            _keep(tuple(prefixes))
    tabs = st.tabs(labels, key=key, on_change="rerun")
    st.session_state[place_key] = labels.index(st.session_state[key]) if st.session_state.get(key) in labels else 0
    return tabs

def forget(*keys: str) -> None:
    """Widgets to start afresh on the next run."""
    for key in keys:
        st.session_state.pop(key, None)


# ---------------------------------------------------------------- forms over data others may change


def form_state(name: str, current) -> dict:
    """A form's memory of the saved state: `opened` is what its widgets
    started from and changes only when the form starts afresh (after its own
    save, or when the person takes the latest), so another person's save
    never overwrites what is being typed; `expected` is what the next save
    is based on, and the service refuses the save if the data moved on."""
    key = f"{name}_form_state"
    if key not in st.session_state:
        st.session_state[key] = {"opened": current, "expected": current}
    return st.session_state[key]


def form_restart(name: str, *widget_keys: str) -> None:
    """Start the form afresh from the saved state on the next run."""
    st.session_state.pop(f"{name}_form_state", None)
    forget(*widget_keys)


def form_conflict(name: str, current, error: CemError, *widget_keys: str, restart=None) -> None:
    """Someone else saved first: say what it is now, keep what was typed;
    Save again applies it over theirs, or take theirs (`restart`, if given,
    starts the form afresh instead of form_restart)."""
    form_state(name, current)["expected"] = current
    st.warning(error_message(error), icon="⚠️")
    if restart is None:
        st.button(t("form.take_theirs"), key=f"{name}_take_theirs", on_click=form_restart, args=(name, *widget_keys))
    else:
        st.button(t("form.take_theirs"), key=f"{name}_take_theirs", on_click=restart)


def form_generation(name: str) -> int:
    """A number for a form's widget keys: after new_form_generation(name)
    the form's widgets are new ones, empty (popping a widget's key would
    not empty it in the browser)."""
    return st.session_state.get(f"{name}_generation", 0)


def new_form_generation(name: str) -> None:
    st.session_state[f"{name}_generation"] = form_generation(name) + 1


def saved(message: str, *keys: str, form: str | None = None) -> None:
    """After a save: forget `keys`, start `form` afresh (see
    form_generation), say `message` after the rerun, and rerun."""
    forget(*keys)
    if form:
        new_form_generation(form)
    flash(message)
    st.rerun()
