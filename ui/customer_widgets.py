"""Pickers the customers' pages share: a customer found by code or name, a
sub-step (or a pain point) of a journey's map, a person of the directory;
counts in words."""
from __future__ import annotations

import streamlit as st

from cem.core.errors import CemError
from cem.core.models import COMPLAINT_CHANNELS, SEVERITY_MAX, SEVERITY_MIN
from cem.customers import analysis, complaints
from cem.improvement import plan
from cem.journey import services
from ui import common
from ui.day_field import day_field

NONE = 0  # "none chosen" in pickers over ids
def counted(key: str, n: int, **params) -> str:
    """The message for a count: `key.one` when n is 1, else `key.many`
    (the Thai texts of both are the same)."""
    return common.t(f"{key}.{'one' if n == 1 else 'many'}", n=n, **params)


def profile_link(customer_id: int) -> str:
    """The address of a customer's profile, for a link column: it opens in
    a new tab, a new session, so it carries the language being read."""
    return f"profile?customer={customer_id}&lang={common.lang()}"


def customer_picker(key: str, *, label: str | None = None, allow_none: bool = False, url_param: str | None = None,
                    none_label: str = "customer_pick.none", where=None) -> int | None:
    """A search box and the customers it finds; the chosen customer's id.
    With the box empty, the one chosen before heads the list; a search
    lists only what it finds. `allow_none` starts on "none" (none_label)."""
    t = common.translator()
    where = where or st
    search = where.text_input(t("customer_pick.search"), key=f"{key}_search", max_chars=100,
                              placeholder=t("customer_pick.placeholder"))
    chosen = st.session_state.get(key)
    if chosen is None and url_param and st.query_params.get(url_param, "").isdigit():
        chosen = int(st.query_params[url_param])
    with common.db() as session:
        found = analysis.find_customers(session, search)
        if chosen and not search.strip() and chosen not in [f[0] for f in found]:
            kept = analysis.customer_names(session, [chosen])
            if chosen in kept:
                found.insert(0, (chosen, kept[chosen][0], kept[chosen][1]))
    options = {NONE: t(none_label)} if allow_none else {}
    options.update({i: f"{code} · {name}" for i, code, name in found})
    if not options:
        where.caption(t("customer_pick.nothing_found"))
        return None
    if chosen in options:
        st.session_state[key] = chosen
    picked = common.id_picker(label or t("customer_pick.label"), options, key, container=where, url_param=url_param)
    return None if picked == NONE else picked


def step_choices(journey_id: int) -> tuple[dict[int, str], dict[int, dict[int, str]]]:
    """The journey's sub-steps ("stage › sub-step") and each one's pain points."""
    tree = common.journey_tree(journey_id)
    steps, pains = {}, {}
    for stage, step in tree.all_steps():
        steps[step.step.id] = f"{stage.stage.name} › {step.step.name}"
        pains[step.step.id] = {p.id: p.text[:80] for p in step.pain_points}
    return steps, pains


def step_picker(key: str, journey_id: int | None, *, where=None, current: int | None = None,
                with_pain_point: bool = False, current_pain: int | None = None) -> tuple[int | None, int | None]:
    """Where on the journey: a sub-step of the journey (or none) and, if
    asked, one of its pain points (or none)."""
    t = common.translator()
    where = where or st
    if journey_id is None:
        return None, None
    steps, pains = step_choices(journey_id)
    if current is not None and f"{key}_step" not in st.session_state:
        st.session_state[f"{key}_step"] = current
    step_id = common.id_picker(t("complaint.field.step"), {NONE: t("complaint.no_step"), **steps}, f"{key}_step",
                               container=where, help=t("complaint.field.step_help"))
    if step_id == NONE:
        return None, None
    if not with_pain_point:
        return step_id, None
    if current_pain is not None and f"{key}_pain_{step_id}" not in st.session_state:
        st.session_state[f"{key}_pain_{step_id}"] = current_pain
    pain_id = common.id_picker(t("complaint.field.pain_point"), {NONE: t("complaint.no_pain_point"),
                                                                 **pains.get(step_id, {})},
                               f"{key}_pain_{step_id}", container=where)
    return step_id, None if pain_id == NONE else pain_id


def person_picker(label: str, key: str, *, where=None, current: int | None = None) -> int | None:
    """A person of the directory, or none."""
    t = common.translator()
    with common.db() as session:
        people = plan.list_people(session, active_only=True, contacts=False)
    if current is not None and key not in st.session_state:
        st.session_state[key] = current
    options = {NONE: t("customer_pick.nobody"), **{p.id: p.name for p in people}}
    picked = common.id_picker(label, options, key, container=where or st)
    if not people:
        (where or st).caption(t("customer_pick.no_people", page=t("page.people")))
    return None if picked == NONE else picked


def journey_choices() -> dict[int, str]:
    with common.db() as session:
        return {j.id: j.name for j in services.list_journeys(session)}


def complaint_form(name: str, *, customer_id: int | None = None, today) -> None:
    """The form that takes a new complaint: for `customer_id`, or (None) a
    customer picked in the form or a walk-in. Its widgets start empty after
    each save (keys carry the form's generation)."""
    t = common.translator()
    form = f"{name}_{common.form_generation(name)}"
    if customer_id is None:
        customer_id = customer_picker(f"{form}_customer", allow_none=True, label=t("complaint.field.customer"))
    text = st.text_area(t("complaint.field.text") + " *", key=f"{form}_text", max_chars=2000, height=100,
                        help=t("complaint.field.text_help"))
    left, middle, right = st.columns(3)
    severity = left.slider(t("complaint.field.severity"), SEVERITY_MIN, SEVERITY_MAX, 3, key=f"{form}_severity",
                           help=t("complaint.field.severity_help"))
    channel = middle.selectbox(t("complaint.field.channel"), COMPLAINT_CHANNELS,
                               key=common.translated(f"{form}_channel"),
                               format_func=lambda c: t(f"complaint.channel.{c}"))
    with right:
        received = day_field(t("complaint.field.received"), key=f"{form}_received", start=today,
                             column="complaint.field.received")
    with common.db() as session:
        sla = complaints.sla_days(session)
    st.caption(counted("complaint.due_rule", sla[severity]))
    journeys = journey_choices()
    journey_id = common.id_picker(t("complaint.field.journey"), journeys, f"{form}_journey") if journeys else None
    step_id, pain_id = step_picker(form, journey_id, with_pain_point=True)
    owner_id = person_picker(t("complaint.field.owner"), f"{form}_owner")
    if st.button(t("complaint.save"), key=f"{name}_save", type="primary", icon="💾", disabled=received is None):
        try:
            with common.db() as session:
                complaints.record_complaint(session, text=text, received=received, severity=severity, channel=channel,
                                            customer_id=customer_id, step_id=step_id, pain_point_id=pain_id,
                                            owner_id=owner_id, user=common.user())
        except CemError as error:
            common.show_error(error)
        else:
            common.saved(t("complaint.saved"), form=name)
