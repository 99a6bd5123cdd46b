"""Complaints: the overdue ones first, every complaint with where on the
journey it happened, a new complaint (a walk-in needs no customer), handling
one to its resolution, and the SLA per severity."""
from datetime import date

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.errors import CemError, ConflictError
from cem.core.models import COMPLAINT_STATUSES, SEVERITY_MAX, SEVERITY_MIN
from cem.customers import analysis, complaints
from cem.improvement import plan
from ui import auth, common
from ui.customer_widgets import complaint_form, counted, journey_choices, person_picker, step_choices, step_picker
from ui.common import translated

common.ensure_entry_point()

t = common.translator()  # bound to this run's language, also for format_func called later
user = common.user()
lang = common.lang()
today = date.today()
may_record = auth.allowed("complaints.record")

st.title(t("page.customers_complaints"))
st.caption(t("complaint.intro"))

journeys = journey_choices()
with common.db() as session:
    people = {p.id: p.name for p in plan.list_people(session, contacts=False)}
    everything = complaints.listed(session)
    names = analysis.customer_names(session, {c.customer_id for c in everything if c.customer_id})
    sla = complaints.sla_days(session)
places: dict[int, str] = {}
for journey_id in {c.journey_id for c in everything if c.journey_id}:
    if journey_id in journeys:
        places.update(step_choices(journey_id)[0])


saved = common.saved


def customer_of(complaint) -> str:
    return names[complaint.customer_id][1] if complaint.customer_id in names else t("complaint.walk_in")


def table(rows) -> pd.DataFrame:
    # What the one handling complaints reads first comes first: how bad,
    # where it stands, by when; then who, what, where on the journey.
    return pd.DataFrame({
        t("complaint.col.severity"): [c.severity for c in rows],
        t("complaint.col.status"): [t(f"complaint.status.{c.status}") for c in rows],
        t("complaint.col.due"): [months.day_text(c.due, lang) for c in rows],
        t("complaint.col.overdue"): ["⚠️" if complaints.is_overdue(c, today) else "" for c in rows],
        t("complaint.col.customer"): [customer_of(c) for c in rows],
        t("complaint.col.text"): [c.text[:120] for c in rows],
        t("complaint.col.where"): [places.get(c.step_id, "") for c in rows],
        t("complaint.col.owner"): [people.get(c.owner_id, "") for c in rows],
        t("complaint.col.received"): [months.day_text(c.received, lang) for c in rows],
    })


# ---------------------------------------------------------------- overdue
late = [c for c in everything if complaints.is_overdue(c, today)]
if late:
    st.warning(counted("complaint.overdue_count", len(late)), icon="⏰")
    st.dataframe(table(late), hide_index=True, key="complaints_overdue")

# ---------------------------------------------------------------- the list
st.subheader(t("complaint.list_title"), anchor=False)
left, middle, right = st.columns(3)
status = left.selectbox(t("complaint.filter_status"), ["", *COMPLAINT_STATUSES], key=translated("complaints_status"),
                        format_func=lambda s: t(f"complaint.status.{s}") if s else t("customers.all"))
journey_filter = middle.selectbox(t("complaint.filter_journey"), [0, *journeys], key=translated("complaints_journey"),
                                  format_func=lambda j: journeys.get(j, t("customers.all")))
step_filter = 0
if journey_filter:  # a sub-step's complaint history
    steps_here = step_choices(journey_filter)[0]
    step_filter = common.id_picker(t("complaint.filter_step"), {0: t("customers.all"), **steps_here},
                                   f"complaints_step_of_{journey_filter}", container=right)
shown = [c for c in everything if (not status or c.status == status)
         and (not journey_filter or c.journey_id == journey_filter) and (not step_filter or c.step_id == step_filter)]
if shown:
    st.dataframe(table(shown), hide_index=True, key="complaints_list")
    st.caption(counted("complaint.list_help", len(shown)))
else:
    st.info(t("complaint.none"))

# ---------------------------------------------------------------- a new one
if may_record:
    with st.expander(t("complaint.add"), icon="📣"):
        complaint_form("complaint_new", today=today)

# ---------------------------------------------------------------- handling one


def handled_message(complaint, status: str) -> str:
    """The toast after a save: whose complaint, and its status now (or that it stays)."""
    word = t(f"complaint.status.{status}")
    if complaint.customer_id in names:
        key = "complaint.updated_to" if status != complaint.status else "complaint.updated_still"
        return t(key, customer=common.md(customer_of(complaint)), status=word)
    key = "complaint.updated_walk_in_to" if status != complaint.status else "complaint.updated_walk_in_still"
    return t(key, status=word)


if may_record and shown:
    st.subheader(t("complaint.handle_title"), anchor=False)
    labels = {c.id: f"{months.day_text(c.received, lang)} · {c.text[:60]}" for c in shown}
    chosen_id = common.id_picker(t("complaint.which"), labels, "complaint_handle_id")
    chosen = next(c for c in shown if c.id == chosen_id)
    # The widgets start from the complaint as it was when the form opened
    # (their keys carry that version): another person's save never wipes
    # what is being typed, and saving over it is refused once, named.
    handling = f"complaint_handle_{chosen.id}"
    form = common.form_state(handling, chosen.version)
    prefix = f"complaint_{chosen.id}_{form['opened']}"
    left, right = st.columns(2)
    new_status = left.selectbox(t("complaint.field.status"), COMPLAINT_STATUSES, key=translated(common.start(
        f"{prefix}_status", chosen.status)), format_func=lambda s: t(f"complaint.status.{s}"))
    new_severity = right.slider(t("complaint.field.severity"), SEVERITY_MIN, SEVERITY_MAX,
                                key=common.start(f"{prefix}_severity", chosen.severity))
    resolution = st.text_area(t("complaint.field.resolution"), key=common.start(f"{prefix}_resolution",
                                                                               chosen.resolution),
                              max_chars=2000, height=90, help=t("complaint.field.resolution_help"))
    owner_id = person_picker(t("complaint.field.owner"), f"{prefix}_owner", current=chosen.owner_id)
    journey_id = chosen.journey_id
    if journeys:
        if journey_id not in journeys:
            journey_id = next(iter(journeys))
        if f"{prefix}_journey" not in st.session_state:
            st.session_state[f"{prefix}_journey"] = journey_id
        journey_id = common.id_picker(t("complaint.field.journey"), journeys, f"{prefix}_journey")
    step_id, pain_id = step_picker(prefix, journey_id, current=chosen.step_id, with_pain_point=True,
                                   current_pain=chosen.pain_point_id)
    buttons = st.columns(2)
    if buttons[0].button(t("complaint.update"), key="complaint_update", type="primary", icon="💾"):
        try:
            with common.db() as session:
                complaints.update_complaint(session, complaint_id=chosen.id, version=form["expected"],
                                            status=new_status, resolution=resolution, owner_id=owner_id,
                                            severity=new_severity, step_id=step_id, pain_point_id=pain_id,
                                            user=user)
        except ConflictError as error:
            common.form_conflict(handling, chosen.version, error, restart=lambda: common.form_restart(handling))
        except CemError as error:
            common.show_error(error)
        else:
            common.form_restart(handling)
            saved(handled_message(chosen, new_status))
    can_map = auth.allowed("map.edit") and chosen.step_id and not chosen.pain_point_id
    if can_map and buttons[1].button(t("complaint.to_pain_point"), key="complaint_to_pain", icon="📌",
                                     help=t("complaint.to_pain_point_help")):
        try:
            with common.db() as session:
                complaints.to_pain_point(session, complaint_id=chosen.id, user=user)
        except CemError as error:
            common.show_error(error)
        else:
            saved(t("complaint.pain_point_made"))

# ---------------------------------------------------------------- the SLA


def sla_label(severity: int) -> str:
    """"Severity 1, mildest (days)" … "Severity 5, most severe (days)"."""
    if severity == SEVERITY_MIN:
        return t("complaint.sla_for_mildest", where=severity)
    if severity == SEVERITY_MAX:
        return t("complaint.sla_for_most_severe", where=severity)
    return t("complaint.sla_for", where=severity)


st.subheader(t("complaint.sla_title"), anchor=False)
st.caption(t("complaint.sla_help") + " " + t("complaint.severity_scale"))
if auth.allowed("customers.edit"):
    columns = st.columns(SEVERITY_MAX - SEVERITY_MIN + 1)
    sla_form = common.form_state("complaint_sla", sla)
    sla_keys = [f"complaint_sla_{severity}" for severity in range(SEVERITY_MIN, SEVERITY_MAX + 1)]
    days = {}
    for column, severity, key in zip(columns, range(SEVERITY_MIN, SEVERITY_MAX + 1), sla_keys):
        days[severity] = column.number_input(sla_label(severity), 0, 365, step=1, key=common.start(
            key, sla_form["opened"][severity], saved=tuple(sla_form["opened"].items())))
    if st.button(t("complaint.sla_save"), key="complaint_sla_save", icon="💾"):
        try:
            with common.db() as session:
                complaints.save_sla(session, days=days, expected=sla_form["expected"], user=user)
        except ConflictError as error:
            common.form_conflict("complaint_sla", sla, error, *sla_keys)
        except CemError as error:
            common.show_error(error)
        else:
            common.form_restart("complaint_sla", *sla_keys)
            saved(t("complaint.sla_saved"))
else:
    st.caption(" · ".join(counted("complaint.sla_line", d, severity=s) for s, d in sorted(sla.items())))
