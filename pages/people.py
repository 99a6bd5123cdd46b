"""Team and people: the directory of people who own tasks and attend
meetings, and the current journey's CEM team (project lead, secretary,
members)."""
import streamlit as st

from cem import auth as accounts
from cem import plan, services
from cem.errors import CemError
from ui import auth, common

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
user = common.user()
may_edit = auth.allowed("plan.edit")

st.title(t("page.people"))
st.caption(t("plan.people.intro"))

with common.db() as session:
    people = plan.list_people(session)
    usernames = [a.username for a in accounts.list_users(session)]
by_id = {p.id: p for p in people}


def person_label(person_id: int | None) -> str:
    """Name · department · phone, as plain text for option lists."""
    if person_id is None:
        return t("plan.none")
    person = by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def username_label(name: str) -> str:
    return name or t("plan.people.no_account")


def show_saved_values(widget_keys: list[str], seen: tuple) -> None:
    """Forget what these widgets hold when what they edit has changed (another
    person picked, or saved by anyone), so they open with the saved values."""
    if st.session_state.get(f"{widget_keys[0]}_seen") != seen:
        for key in widget_keys:
            st.session_state.pop(key, None)
        st.session_state[f"{widget_keys[0]}_seen"] = seen


# ---------------------------------------------------------------- the directory
st.subheader(t("plan.people.directory"), anchor=False)
if people:
    st.container(key="people_table").dataframe(
        [{"name": p.name, "department": p.department, "phone": p.phone, "email": p.email, "username": p.username,
          "active": p.active} for p in people],
        hide_index=True, width="stretch", 
        column_config={
            "name": st.column_config.TextColumn(t("plan.col.person")),
            "department": st.column_config.TextColumn(t("plan.col.department")),
            "phone": st.column_config.TextColumn(t("plan.col.phone")),
            "email": st.column_config.TextColumn(t("plan.col.email")),
            "username": st.column_config.TextColumn(t("plan.col.username")),
            "active": st.column_config.CheckboxColumn(t("plan.table.active")),
        },
    )
else:
    st.info(t("plan.people.none"))

if may_edit:
    with st.expander(t("plan.people.add"), icon="➕", expanded=not people):
        with st.form("people_add_form", clear_on_submit=True, border=False):
            left, right = st.columns(2)
            name = left.text_input(t("plan.col.person"), max_chars=200, key="people_add_name")
            department = right.text_input(t("plan.col.department"), max_chars=200, key="people_add_department")
            phone = left.text_input(t("plan.col.phone"), max_chars=50, key="people_add_phone")
            email = right.text_input(t("plan.col.email"), max_chars=200, key="people_add_email")
            username = left.selectbox(t("plan.col.username"), [""] + usernames, format_func=username_label,
                                      key="people_add_username", help=t("plan.people.username_help"))
            added = st.form_submit_button(t("plan.people.add_button"), type="primary", key="people_add_submit")
        if added:
            try:
                with common.db() as session:
                    plan.add_person(session, name=name, department=department, phone=phone, email=email,
                                    username=username or "", user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.flash(t("plan.people.added", name=common.md(name.strip())))
                st.rerun()

    if people:
        with st.expander(t("plan.people.edit"), icon="✏️"):
            person_id = st.selectbox(t("plan.people.pick"), list(by_id), format_func=person_label,
                                     key="people_edit_pick")
            person = by_id[person_id]
            show_saved_values(["people_edit_name", "people_edit_department", "people_edit_phone",
                               "people_edit_email", "people_edit_username", "people_edit_active"],
                              (person.id, person.version))
            with st.form("people_edit_form", border=False):
                left, right = st.columns(2)
                new_name = left.text_input(t("plan.col.person"), value=person.name, max_chars=200,
                                           key="people_edit_name")
                new_department = right.text_input(t("plan.col.department"), value=person.department,
                                                  max_chars=200, key="people_edit_department")
                new_phone = left.text_input(t("plan.col.phone"), value=person.phone, max_chars=50,
                                            key="people_edit_phone")
                new_email = right.text_input(t("plan.col.email"), value=person.email, max_chars=200,
                                             key="people_edit_email")
                options = [""] + sorted(set(usernames) | ({person.username} - {""}))
                new_username = left.selectbox(t("plan.col.username"), options,
                                              index=options.index(person.username),
                                              format_func=username_label, key="people_edit_username",
                                              help=t("plan.people.username_help"))
                active = right.checkbox(t("plan.table.active"), value=person.active, key="people_edit_active",
                                        help=t("plan.people.active_help"))
                saved = st.form_submit_button(t("common.save"), type="primary", icon="💾", key="people_edit_save")
            if saved:
                try:
                    with common.db() as session:
                        plan.update_person(session, person_id=person.id, version=person.version, name=new_name,
                                           department=new_department, phone=new_phone, email=new_email,
                                           username=new_username or "", active=active, user=user)
                except CemError as error:
                    common.show_error(error)
                else:
                    common.flash(t("common.saved"))
                    st.rerun()

# ---------------------------------------------------------------- the journey's CEM team
st.divider()
journey_id = common.require_journey()
with common.db() as session:
    team = plan.journey_team(session, journey_id)
    journey_name = services.get_journey(session, journey_id).name
st.subheader(t("plan.team.title"), anchor=False)
st.caption(t("plan.team.intro", journey=common.md(journey_name)))

team_rows = ([("lead", team.lead)] if team.lead else []) + \
    ([("secretary", team.secretary)] if team.secretary else []) + [("member", p) for p in team.members]
if team_rows:
    st.container(key="people_team_table").dataframe(
        [{"role": t(f"plan.role.{role}"), "name": p.name, "department": p.department, "phone": p.phone,
          "email": p.email} for role, p in team_rows],
        hide_index=True, width="stretch", 
        column_config={
            "role": st.column_config.TextColumn(t("plan.table.team_role")),
            "name": st.column_config.TextColumn(t("plan.col.person")),
            "department": st.column_config.TextColumn(t("plan.col.department")),
            "phone": st.column_config.TextColumn(t("plan.col.phone")),
            "email": st.column_config.TextColumn(t("plan.col.email")),
        },
    )
else:
    st.info(t("plan.team.none"))

if may_edit and people:
    active_ids = [p.id for p in people if p.active]
    current = [p.id for _, p in team_rows]
    # People set aside (not active) stay choosable while they are on the team.
    choices = list(dict.fromkeys(active_ids + current))
    show_saved_values(["people_team_lead", "people_team_secretary", "people_team_members"],
                      (journey_id, team.lead and team.lead.id, team.secretary and team.secretary.id,
                       tuple(p.id for p in team.members)))
    with st.form("people_team_form", border=True):
        st.markdown(f"**{t('plan.team.edit')}**")
        left, right = st.columns(2)
        single = [None] + choices
        lead_id = left.selectbox(t("plan.role.lead"), single, format_func=person_label, key="people_team_lead",
                                 index=single.index(team.lead.id) if team.lead else 0)
        secretary_id = right.selectbox(t("plan.role.secretary"), single, format_func=person_label,
                                       key="people_team_secretary",
                                       index=single.index(team.secretary.id) if team.secretary else 0)
        member_ids = st.multiselect(t("plan.team.members"), choices, default=[p.id for p in team.members],
                                    format_func=person_label, key="people_team_members")
        saved = st.form_submit_button(t("plan.team.save"), type="primary", icon="💾", key="people_team_save")
    if saved:
        try:
            with common.db() as session:
                plan.set_team(session, journey_id=journey_id, lead_id=lead_id, secretary_id=secretary_id,
                              member_ids=[m for m in member_ids if m not in (lead_id, secretary_id)], user=user)
        except CemError as error:
            common.show_error(error)
        else:
            common.flash(t("plan.team.saved"))
            st.rerun()
