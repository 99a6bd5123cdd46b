"""Meetings: the team secretary records a meeting (date, attendees, agenda
proposed from the open and off-target tasks, notes, decisions, and the
tasks' progress as the owners reported it in the meeting, with why a task
is behind), and everyone finds past meetings, newest first, and takes them
away as a CSV file. The agenda and the progress boxes are those of the
meeting's month."""
from datetime import date

import streamlit as st

from cem.core import months
from cem.improvement import plan
from cem.journey import csv_export, services
from cem.core.errors import CemError
from cem.core.text import safe_file_name
from ui import auth, common
from ui.day_field import day_field

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
lang = common.lang()
st.title(t("page.meetings"))
journey_id = common.require_journey()
user = common.user()
may_plan = auth.allowed("plan.edit")
this_month = months.this_month()
AGENDA_LENGTH = 20

with common.db() as session:
    journey = services.get_journey(session, journey_id)
    rows = common.task_rows([journey_id])
    people = plan.list_people(session, user=common.user())
    team = plan.journey_team(session, journey_id, user=common.user())
    # The journey's secretary and project lead record every task, whatever their account's role.
    may_record_meeting = plan.may_record_meeting(session, user=user, journey_id=journey_id)
    for_team = plan.records_for_team(session, user=user, journey_id=journey_id)
people_by_id = {p.id: p for p in people}
st.caption(t("plan.meetings.intro", journey=common.md(journey.name)))


def day_label(day: date) -> str:
    """3 พฤศจิกายน 2569 / 3 November 2026."""
    return f"{day.day} {months.label(months.of(day), lang)}"


def person_label(person_id: int) -> str:
    person = people_by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def lines(text: str) -> str:
    """Typed text, escaped, keeping its line breaks."""
    return "  \n".join(common.md(line) for line in text.splitlines())


def update_line(check_in, title: str) -> str:
    """• Task: 40% (November 2569) — reported by Ann · why behind: ... (user text escaped)."""
    line = f"• {common.md(title)}: {check_in.progress}% ({months.label(check_in.month, lang)})"
    reporter = people_by_id.get(check_in.reported_by_id)
    if reporter is not None:
        line += " — " + t("fig.reported_by", who=common.md(reporter.name))
    if check_in.behind_reason:
        line += " · " + t("fig.why_behind", reason=common.md(check_in.behind_reason))
    return line


def meetings_csv(found: list[plan.MeetingView], updates: dict) -> bytes:
    """The meetings as CSV for spreadsheets (see cem.journey.csv_export.csv_bytes:
    UTF-8 with BOM, every text quoted, formulas neutralised)."""
    columns = ("date", "title", "attendees", "agenda", "notes", "decisions", "updates")
    rows = [[t(f"plan.meetings.csv_{c}") for c in columns]]
    for view in found:
        m = view.meeting
        done = "; ".join(f"{title}: {c.progress}%" + (f" ({c.behind_reason})" if c.behind_reason else "")
                         for c, title in updates.get(m.id, []))
        rows.append([m.held_on.isoformat(), m.title, ", ".join(p.name for p in view.attendees), m.agenda, m.notes,
                     m.decisions, done])
    return csv_export.csv_bytes(rows)


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
# Every tab runs: the browser keeps the minutes being typed only in a tab it draws.
tabs = common.lazy_tabs(tab_names, "meetings_tabs", lazy=False)

# ---------------------------------------------------------------- record a meeting
if may_record_meeting:
    if tabs[0].open is not False:  # None: every tab runs
        with tabs[0]:
            if last and last[0].meeting.decisions:
                with st.container(border=True, key="meetings_last_decisions"):
                    st.markdown(f"**{t('plan.meetings.last_decisions', day=day_label(last[0].meeting.held_on))}**")
                    st.markdown(lines(last[0].meeting.decisions))
            if not people:
                st.caption(t("plan.tasks.no_people"))
                st.page_link("pages/improvement/people.py", label=t("page.people"), icon="👥")
            team_ids = [p.id for p in ([team.lead, team.secretary] + team.members) if p is not None]
            choosable = list(dict.fromkeys([p.id for p in people if p.active] + team_ids))
            # Outside the form, so the agenda and the progress boxes follow the date as it is typed.
            held_on = day_field(t("plan.col.meeting_date"), key="meetings_date", start=date.today(),
                                column="plan.col.meeting_date")
            month = plan.meeting_month(held_on) if held_on else this_month
            st.caption(t("fig.meeting_month", month=months.label(month, lang)))
            if for_team and not may_plan:
                st.caption(t("fig.secretary_records"))
            agenda_rows = [r for r in plan.proposed_agenda(rows, month)[:AGENDA_LENGTH]
                           if for_team or (r.owner is not None and r.owner.username == user)]
            form_keys = ["meetings_title", "meetings_attendees", f"meetings_agenda_{month}", "meetings_notes",
                         "meetings_decisions", "meetings_date"] + \
                [f"meetings_{kind}_{month}_{r.task.id}" for r in agenda_rows for kind in ("progress", "reason")]
            with st.container(border=True, key="meetings_form"):
                title = st.text_input(t("plan.col.meeting_title"), max_chars=200, key=start("meetings_title", ""),
                                         placeholder=t("plan.meetings.title_placeholder"))
                picked = st.session_state.get("meetings_attendees", [])
                if any(p not in choosable for p in picked):  # someone set aside meanwhile is no longer offered
                    st.session_state["meetings_attendees"] = [p for p in picked if p in choosable]
                attendees = st.multiselect(t("plan.meetings.attendees"), choosable, format_func=person_label,
                                           placeholder=t("plan.meetings.attendees_placeholder"),
                                           key=start("meetings_attendees", team_ids))
                agenda = st.text_area(t("plan.col.agenda"), max_chars=5000, height=160, help=t("plan.meetings.agenda_help"),
                                      key=start(f"meetings_agenda_{month}",
                                                plan.agenda_text(rows, month, t, limit=AGENDA_LENGTH)))
                notes = st.text_area(t("plan.col.notes"), max_chars=10000, height=120, key=start("meetings_notes", ""))
                decisions = st.text_area(t("plan.col.decisions"), max_chars=5000, height=100,
                                         help=t("plan.meetings.decisions_help"), key=start("meetings_decisions", ""))
                reported: dict[int, tuple[int, str]] = {}
                if agenda_rows:
                    st.markdown(f"**{t('plan.meetings.updates')}**")
                    st.caption(t("plan.meetings.updates_help"))
                    for row in agenda_rows:
                        name, value, why = st.columns([3, 1, 2], vertical_alignment="center")
                        tier = row.figures.commitments.get(month)
                        name.markdown(f"{common.md(row.task.title)}  \n"
                                      f":small[{common.md(row.owner.name if row.owner else t('plan.no_owner'))} · "
                                      f"{t('plan.col.tier')} {f'{tier}%' if tier else '—'}]")
                        progress = value.number_input(
                            t("plan.col.progress"), min_value=0, max_value=100, step=5,
                            key=start(f"meetings_progress_{month}_{row.task.id}", row.progress(month)))
                        reason = why.text_input(t("plan.col.behind_reason"), max_chars=2000,
                                                help=t("fig.behind_reason_help"),
                                                key=start(f"meetings_reason_{month}_{row.task.id}", ""))
                        reported[row.task.id] = (progress, reason)
                submitted = st.button(t("plan.meetings.record"), type="primary", icon="📝",
                                                  key="meetings_submit")
            if submitted and held_on is None:  # the date was refused: say so again by the button, save nothing
                try:
                    months.parse_day(st.session_state.get("meetings_date", ""), column="plan.col.meeting_date")
                except CemError as error:
                    common.show_error(error)
            elif submitted:
                # Only what was changed in the form: a figure someone recorded meanwhile is not overwritten.
                changed = {task_id: (value, reason.strip()) for task_id, (value, reason) in reported.items()
                           if value != st.session_state.get(f"meetings_progress_{month}_{task_id}_from") or reason.strip()}
                try:
                    note = t("plan.meetings.update_note", day=day_label(held_on))
                    with common.db() as session:  # the meeting and its task updates, all or nothing
                        plan.record_meeting(session, journey_id=journey_id, held_on=held_on, title=title, agenda=agenda,
                                            notes=notes, decisions=decisions, attendee_ids=attendees, user=user,
                                            check_ins={task_id: plan.Report(value, note, reason)
                                                       for task_id, (value, reason) in changed.items()})
                except CemError as error:
                    common.show_error(error)
                else:
                    common.forget(*form_keys)
                    common.flash(t("plan.meetings.recorded", day=day_label(held_on), n=len(changed)))
                    st.rerun()

# ---------------------------------------------------------------- past meetings
if tabs[-1].open is not False:  # None: every tab runs
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
                               file_name=safe_file_name(t("plan.meetings.csv_file", name=journey.name), "csv"),
                               mime="text/csv", icon="⬇️",
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
                        st.markdown(lines(text))
                if updates.get(meeting.id):
                    st.markdown(f"**{t('plan.meetings.updates')}**")
                    st.markdown("  \n".join(update_line(c, title) for c, title in updates[meeting.id]))
                st.caption(t("plan.meetings.recorded_by", who=common.md(meeting.created_by)))
