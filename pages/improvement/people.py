"""Team and people: the directory of people who own tasks and attend
meetings, and the current journey's CEM team (project lead, secretary,
members)."""
import streamlit as st

from cem.core import auth as accounts
from cem.improvement import plan
from cem.journey import services
from cem.core.errors import CemError, ConflictError
from ui import auth, common, widgets

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
user = common.user()
may_edit = auth.allowed("plan.edit")

st.title(t("page.people"))
st.caption(t("plan.people.intro"))

with common.db() as session:
    people = plan.list_people(session, user=user)
    usernames = [a.username for a in accounts.list_users(session)]
by_id = {p.id: p for p in people}


NOBODY = 0  # "nobody" in option lists (a selectbox shows None as nothing chosen)


def person_label(person_id: int) -> str:
    """Name · department · phone, as plain text for option lists."""
    if person_id == NOBODY:
        return t("plan.none")
    person = by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def username_label(name: str) -> str:
    return name or t("plan.people.no_account")


# Widgets take their values from session state only (never value=/index=), so
# that setting a value here also shows in the browser.
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
    if st.session_state.pop("people_add_again", False):
        st.session_state["people_add_box"] = True  # stays open for the next person
    with st.expander(t("plan.people.add"), icon="➕", expanded=not people, key="people_add_box"):
        add_keys = ("people_add_name", "people_add_department", "people_add_phone", "people_add_email",
                    "people_add_username")
        with st.form("people_add_form", border=False):
            left, right = st.columns(2)
            name = left.text_input(t("plan.col.person"), max_chars=200, key=common.start("people_add_name", ""))
            department = right.text_input(t("plan.col.department"), max_chars=200,
                                          key=common.start("people_add_department", ""))
            phone = left.text_input(t("plan.col.phone"), max_chars=50, key=common.start("people_add_phone", ""))
            email = right.text_input(t("plan.col.email"), max_chars=200, key=common.start("people_add_email", ""))
            username = left.selectbox(t("plan.col.username"), [""] + usernames, format_func=username_label,
                                      key=common.choice("people_add_username", ""), help=t("plan.people.username_help"))
            added = st.form_submit_button(t("plan.people.add_button"), type="primary", key="people_add_submit")
        if added:
            try:
                with common.db() as session:
                    plan.add_person(session, name=name, department=department, phone=phone, email=email,
                                    username=username or "", user=user)
            except CemError as error:
                common.show_error(error)  # what was typed stays in the form
            else:
                common.forget(*add_keys)
                st.session_state["people_add_again"] = True
                common.flash(t("plan.people.added", name=common.md(name.strip())))
                st.rerun()

    if people:
        with st.expander(t("plan.people.edit"), icon="✏️"):
            person_id = st.selectbox(t("plan.people.pick"), list(by_id), format_func=person_label,
                                     key="people_edit_pick")
            person = by_id[person_id]
            saved = (person.id, person.version)  # another person picked, or saved: show the saved values
            options = [""] + sorted(set(usernames) | ({person.username} - {""}))
            with st.form("people_edit_form", border=False):
                left, right = st.columns(2)
                new_name = left.text_input(t("plan.col.person"), max_chars=200,
                                           key=common.start("people_edit_name", person.name, saved=saved))
                new_department = right.text_input(t("plan.col.department"), max_chars=200,
                                                  key=common.start("people_edit_department", person.department, saved=saved))
                new_phone = left.text_input(t("plan.col.phone"), max_chars=50,
                                            key=common.start("people_edit_phone", person.phone, saved=saved))
                new_email = right.text_input(t("plan.col.email"), max_chars=200,
                                             key=common.start("people_edit_email", person.email, saved=saved))
                new_username = left.selectbox(t("plan.col.username"), options, format_func=username_label,
                                              key=common.choice("people_edit_username", person.username, saved=saved),
                                              help=t("plan.people.username_help"))
                active = right.checkbox(t("plan.table.active"), help=t("plan.people.active_help"),
                                        key=common.start("people_edit_active", person.active, saved=saved))
                save = st.form_submit_button(t("common.save"), type="primary", icon="💾", key="people_edit_save")
            if save:
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
    team = plan.journey_team(session, journey_id, user=user)
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
    team_keys = ("people_team_lead", "people_team_secretary", "people_team_members")
    form = common.form_state(f"people_team_{journey_id}", plan.team_signature(team))
    opened_lead, opened_secretary, member_ids = form["opened"]
    lead_id, secretary_id = opened_lead or NOBODY, opened_secretary or NOBODY
    saved = (journey_id, lead_id, secretary_id, tuple(member_ids))
    # People set aside (not active) stay choosable while they are on the team.
    choices = list(dict.fromkeys([p.id for p in people if p.active] + [p.id for _, p in team_rows]
                                 + [i for i in (opened_lead, opened_secretary, *member_ids) if i and i in by_id]))
    with st.form("people_team_form", border=True):
        st.markdown(f"**{t('plan.team.edit')}**")
        left, right = st.columns(2)
        new_lead = left.selectbox(t("plan.role.lead"), [NOBODY] + choices, format_func=person_label,
                                  key=common.choice("people_team_lead", lead_id, saved=saved))
        new_secretary = right.selectbox(t("plan.role.secretary"), [NOBODY] + choices, format_func=person_label,
                                        key=common.choice("people_team_secretary", secretary_id, saved=saved))
        new_members = widgets.multiselect(t("plan.team.members"), choices, format_func=person_label,
                                          key=common.start("people_team_members", list(member_ids), saved=saved))
        save_team = st.form_submit_button(t("plan.team.save"), type="primary", icon="💾", key="people_team_save")
    if save_team:
        try:
            with common.db() as session:
                plan.set_team(session, journey_id=journey_id, lead_id=new_lead or None,
                              secretary_id=new_secretary or None, user=user, expected=form["expected"],
                              member_ids=[m for m in new_members if m not in (new_lead, new_secretary)])
        except ConflictError as error:
            common.form_conflict(f"people_team_{journey_id}", plan.team_signature(team), error, *team_keys)
        except CemError as error:
            common.show_error(error)
        else:
            common.form_restart(f"people_team_{journey_id}")
            common.flash(t("plan.team.saved"))
            st.rerun()
