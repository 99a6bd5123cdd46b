"""Journeys: the workspace's customer life cycles; start a new one from the
template or blank, rename or delete one."""
import streamlit as st

from cem.journey import services
from cem.core.errors import CemError
from cem.journey.templates import TEMPLATES, create_from_template
from ui import auth, common, widgets

common.ensure_entry_point()

t = common.t
user = common.user()
may_edit = auth.allowed("map.edit")

st.title(t("page.journeys"))
st.caption(t("journeys.intro"))

with common.db() as session:
    journeys = services.list_journeys(session)
    counts = services.journey_counts(session)

# ---------------------------------------------------------------- start a new journey
if may_edit:
    # Tracked (key, on_change), so it stays open when a refused submit reruns the page.
    with st.expander(t("journeys.new"), expanded=not journeys, icon="➕", key="journeys_new_open",
                     on_change="rerun"):
        # A refused journey keeps what was typed; only a success empties the form.
        widgets.form_defaults("journeys_new_form", {"journeys_new_name": "", "journeys_new_description": "",
                                                    "journeys_new_template": TEMPLATES[0]})
        with st.form("journeys_new_form", clear_on_submit=False, border=False):
            name = st.text_input(t("col.journey_name"), max_chars=200, key="journeys_new_name",
                                 placeholder=t("journeys.name_placeholder"))
            description = st.text_area(t("col.description"), max_chars=2000, key="journeys_new_description", height=80)
            template_labels = {k: t(f"template.{k}") for k in TEMPLATES}
            template = st.radio(t("journeys.start_from"), TEMPLATES, key="journeys_new_template",
                                format_func=template_labels.get, horizontal=True)
            submitted = st.form_submit_button(t("journeys.create"), type="primary", key="journeys_create")
        if submitted:
            try:
                with common.db() as session:
                    journey = create_from_template(session, template=template, lang=common.lang(), name=name,
                                                   description=description, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                widgets.form_succeeded("journeys_new_form")
                common.set_current_journey(journey.id)
                common.flash(t("journeys.created", name=common.md(journey.name)))
                st.switch_page("pages/journey/map_editor.py")

# ---------------------------------------------------------------- the list
if not journeys:
    st.info(t("journey.none_yet"))
    st.stop()

current = common.current_journey_id()
for journey in journeys:
    numbers = counts.get(journey.id, {})
    with st.container(border=True, key=f"journeys_card_{journey.id}"):
        left, right = st.columns([5, 2], vertical_alignment="center")
        left.subheader(("📍 " if journey.id == current else "") + common.md(journey.name), anchor=False)
        if journey.description:
            left.text(journey.description)
        left.caption(t("journeys.counts", stages=numbers.get("stages", 0), steps=numbers.get("steps", 0),
                       pains=numbers.get("open_pain_points", 0)))
        if may_edit and right.button(t("journeys.open"), key=f"journeys_open_{journey.id}", icon="✏️",
                                     width="stretch"):
            common.set_current_journey(journey.id)
            st.switch_page("pages/journey/map_editor.py")
        if right.button(t("journeys.board"), key=f"journeys_board_{journey.id}", icon="🗂️", width="stretch"):
            common.set_current_journey(journey.id)
            st.switch_page("pages/journey/board.py")

# ---------------------------------------------------------------- rename or delete the current journey
if current is None or not may_edit:
    st.stop()
journey = next(j for j in journeys if j.id == current)
st.divider()
st.subheader(t("journeys.settings"), anchor=False)
with st.form(f"journeys_edit_{journey.id}_{journey.version}", border=False):
    new_name = st.text_input(t("col.journey_name"), value=journey.name, max_chars=200, key="journeys_edit_name")
    new_description = st.text_area(t("col.description"), value=journey.description, max_chars=2000,
                                   key="journeys_edit_description", height=80)
    if st.form_submit_button(t("common.save"), key="journeys_edit_save", icon="💾"):
        try:
            with common.db() as session:
                services.update_journey(session, journey_id=journey.id, name=new_name,
                                        description=new_description, version=journey.version, user=user)
        except CemError as error:
            common.show_error(error)
        else:
            common.flash(t("common.saved"))
            st.rerun()

if not auth.allowed("journey.delete"):
    st.stop()
with st.expander(t("journeys.delete"), icon="🗑️"):
    st.warning(t("journeys.delete_warning", name=common.md(journey.name),
                 stages=counts.get(journey.id, {}).get("stages", 0),
                 steps=counts.get(journey.id, {}).get("steps", 0)))
    confirm = st.text_input(t("journeys.delete_type_name"), key="journeys_delete_confirm")
    if st.button(t("journeys.delete_button"), key="journeys_delete", type="primary",
                 disabled=confirm.strip() != journey.name.strip()):
        with common.db() as session:
            services.delete_journey(session, journey_id=journey.id, user=user)
        st.session_state.pop(common.JOURNEY_KEY, None)
        common.flash(t("journeys.deleted", name=common.md(journey.name)), icon="🗑️")
        st.rerun()
