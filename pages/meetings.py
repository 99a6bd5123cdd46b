"""Meetings: the team secretary records a meeting (date, attendees, agenda
proposed from the open and off-target tasks, notes, decisions, and the
tasks' progress as reported in the meeting), and everyone finds past
meetings, newest first, and takes them away as a CSV file."""
import csv
import io
from datetime import date

import streamlit as st

from cem import months, plan, services
from cem.csv_export import neutralise
from cem.errors import CemError
from cem.text import shorten
from ui import auth, common

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
lang = common.lang()
st.title(t("page.meetings"))
journey_id = common.require_journey()
user = common.user()
may_record_meeting = auth.allowed("meeting.record")
may_plan = auth.allowed("plan.edit")
this_month = months.this_month()
AGENDA_LENGTH = 20

with common.db() as session:
    journey = services.get_journey(session, journey_id)
    rows = plan.task_rows(session, [journey_id])
    people = plan.list_people(session)
    team = plan.journey_team(session, journey_id)
people_by_id = {p.id: p for p in people}
st.caption(t("plan.meetings.intro", journey=common.md(journey.name)))


def day_label(day: date) -> str:
    """3 พฤศจิกายน 2569 / 3 November 2026."""
    return f"{day.day} {months.label(months.of(day), lang)}"


def person_label(person_id: int) -> str:
    person = people_by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def agenda_text(month: str) -> str:
    """The proposed agenda: tasks off target first, then overdue, then the other open tasks."""
    overdue, off_target = plan.needs_attention(rows, month)
    flagged: dict[int, list[str]] = {}
    for r in off_target:
        flagged.setdefault(r.task.id, []).append(t("plan.meetings.flag_off_target"))
    for r in overdue:
        flagged.setdefault(r.task.id, []).append(t("plan.meetings.flag_overdue"))
    lines = []
    for number, row in enumerate(plan.proposed_agenda(rows, month)[:AGENDA_LENGTH], 1):
        tier = row.figures.commitments.get(month)
        figures = t("plan.meetings.agenda_figures", progress=row.progress(month),
                    tier=f"{tier}%" if tier else "—")
        owner = row.owner.name if row.owner else t("plan.no_owner")
        flag = f" [{', '.join(flagged[row.task.id])}]" if row.task.id in flagged else ""
        lines.append(f"{number}. {shorten(row.task.title, 120)} — {owner} ({figures}){flag}")
    return "\n".join(lines)


def meetings_csv(found: list[plan.MeetingView], updates: dict) -> bytes:
    """The meetings as CSV for spreadsheets (UTF-8 with BOM); text that a
    spreadsheet would run as a formula is neutralised."""
    columns = ("date", "title", "attendees", "agenda", "notes", "decisions", "updates")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(f"plan.meetings.csv_{c}") for c in columns])
    for view in found:
        m = view.meeting
        done = "; ".join(f"{title}: {c.progress}%" for c, title in updates.get(m.id, []))
        writer.writerow([neutralise(text) for text in (
            m.held_on.isoformat(), m.title, ", ".join(p.name for p in view.attendees), m.agenda, m.notes,
            m.decisions, done)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# Widgets take their values from session state only (never value=/default=),
# so that starting a form afresh also shows in the browser.
def start(key: str, value) -> str:
    """A widget's key; the widget starts at `value` (kept as `<key>_from`)."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state[f"{key}_from"] = value
    return key


with common.db() as session:
    last = plan.list_meetings(session, journey_id)[:1]

tab_names = ([t("plan.meetings.tab_record")] if may_record_meeting else []) + [t("plan.meetings.tab_past")]
tabs = st.tabs(tab_names, key="meetings_tabs")

# ---------------------------------------------------------------- record a meeting
if may_record_meeting:
    with tabs[0]:
        if last and last[0].meeting.decisions:
            with st.container(border=True, key="meetings_last_decisions"):
                st.markdown(f"**{t('plan.meetings.last_decisions', day=day_label(last[0].meeting.held_on))}**")
                st.markdown(common.md(last[0].meeting.decisions))
        if not people:
            st.caption(t("plan.tasks.no_people"))
            st.page_link("pages/people.py", label=t("page.people"), icon="👥")
        team_ids = [p.id for p in ([team.lead, team.secretary] + team.members) if p is not None]
        choosable = list(dict.fromkeys([p.id for p in people if p.active] + team_ids))
        agenda_rows = [r for r in plan.proposed_agenda(rows, this_month)[:AGENDA_LENGTH]
                       if may_plan or (r.owner is not None and r.owner.username == user)]
        form_keys = ["meetings_title", "meetings_attendees", "meetings_agenda", "meetings_notes",
                     "meetings_decisions", "meetings_date"] + [f"meetings_progress_{r.task.id}" for r in agenda_rows]
        with st.form("meetings_form", border=True):
            left, right = st.columns([1, 3])
            held_on = left.date_input(t("plan.col.meeting_date"), format="DD/MM/YYYY",
                                      key=start("meetings_date", date.today()))
            title = right.text_input(t("plan.col.meeting_title"), max_chars=200, key=start("meetings_title", ""),
                                     placeholder=t("plan.meetings.title_placeholder"))
            picked = st.session_state.get("meetings_attendees", [])
            if any(p not in choosable for p in picked):  # someone set aside meanwhile is no longer offered
                st.session_state["meetings_attendees"] = [p for p in picked if p in choosable]
            attendees = st.multiselect(t("plan.meetings.attendees"), choosable, format_func=person_label,
                                       placeholder=t("plan.meetings.attendees_placeholder"),
                                       key=start("meetings_attendees", team_ids))
            agenda = st.text_area(t("plan.col.agenda"), max_chars=5000, height=160, help=t("plan.meetings.agenda_help"),
                                  key=start("meetings_agenda", agenda_text(this_month)))
            notes = st.text_area(t("plan.col.notes"), max_chars=10000, height=120, key=start("meetings_notes", ""))
            decisions = st.text_area(t("plan.col.decisions"), max_chars=5000, height=100,
                                     help=t("plan.meetings.decisions_help"), key=start("meetings_decisions", ""))
            reported: dict[int, int] = {}
            if agenda_rows:
                st.markdown(f"**{t('plan.meetings.updates')}**")
                st.caption(t("plan.meetings.updates_help"))
                for row in agenda_rows:
                    name, value = st.columns([3, 1], vertical_alignment="center")
                    name.markdown(f"{common.md(row.task.title)}  \n"
                                  f":small[{common.md(row.owner.name if row.owner else t('plan.no_owner'))}]")
                    reported[row.task.id] = value.number_input(
                        t("plan.col.progress"), min_value=0, max_value=100, step=5,
                        key=start(f"meetings_progress_{row.task.id}", row.progress(this_month)))
            submitted = st.form_submit_button(t("plan.meetings.record"), type="primary", icon="📝",
                                              key="meetings_submit")
        if submitted:
            # Only what was changed in the form: a figure someone recorded meanwhile is not overwritten.
            changed = {task_id: value for task_id, value in reported.items()
                       if value != st.session_state.get(f"meetings_progress_{task_id}_from")}
            try:
                note = t("plan.meetings.update_note", day=day_label(held_on))
                with common.db() as session:  # the meeting and its task updates, all or nothing
                    plan.record_meeting(session, journey_id=journey_id, held_on=held_on, title=title, agenda=agenda,
                                        notes=notes, decisions=decisions, attendee_ids=attendees, user=user,
                                        check_ins={task_id: (value, note) for task_id, value in changed.items()})
            except CemError as error:
                common.show_error(error)
            else:
                common.forget(*form_keys)
                common.flash(t("plan.meetings.recorded", day=day_label(held_on), n=len(changed)))
                st.rerun()

# ---------------------------------------------------------------- past meetings
with tabs[-1]:
    search = st.text_input(t("plan.meetings.search"), key="meetings_search", max_chars=200,
                           placeholder=t("plan.meetings.search_placeholder"))
    with common.db() as session:
        found = plan.list_meetings(session, journey_id, search=search)
        updates = plan.meeting_check_ins(session, [view.meeting.id for view in found])
    if not found:
        st.info(t("plan.meetings.none_found") if search.strip() else t("plan.meetings.none"))
    else:
        st.download_button(t("plan.meetings.download", n=len(found)), meetings_csv(found, updates),
                           file_name=f"meetings-{journey_id}.csv", mime="text/csv", icon="⬇️",
                           key="meetings_download", on_click="ignore")
    for number, view in enumerate(found):
        meeting = view.meeting
        heading = day_label(meeting.held_on) + (f" — {common.md(meeting.title)}" if meeting.title else "")
        with st.expander(heading, icon="📝", expanded=number == 0, key=f"meetings_view_{meeting.id}"):
            names = ", ".join(common.md(p.name) for p in view.attendees) or "—"
            st.markdown(f"**{t('plan.meetings.attendees')}:** {names}")
            for label, text in ((t("plan.col.agenda"), meeting.agenda), (t("plan.col.notes"), meeting.notes),
                                (t("plan.col.decisions"), meeting.decisions)):
                if text:
                    st.markdown(f"**{label}**")
                    st.markdown(common.md(text))
            if updates.get(meeting.id):
                st.markdown(f"**{t('plan.meetings.updates')}**")
                st.markdown("  \n".join(f"• {common.md(title)}: {c.progress}% ({months.label(c.month, lang)})"
                                        for c, title in updates[meeting.id]))
            st.caption(t("plan.meetings.recorded_by", who=common.md(meeting.created_by)))
