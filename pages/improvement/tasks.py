"""Tasks and owners: every improvement task of the journey with its owner
(who, which department, which phone), months, status and progress; a new
task from a measure or idea on the map or on its own; the signed-in
person's own tasks with a quick check-in; and, for the project lead, what
is overdue or behind this month."""
import streamlit as st

from cem.core import months
from cem.improvement import plan
from cem.journey import services
from cem.core.errors import CemError
from cem.core.models import TASK_STATUSES
from cem.core.text import shorten
from ui import auth, common

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
lang = common.lang()
st.title(t("page.tasks"))
journey_id = common.require_journey()
user = common.user()
may_plan = auth.allowed("plan.edit")
may_check_in = auth.allowed("checkin.record")
this_month = months.this_month()

with common.db() as session:
    rows = common.task_rows([journey_id])
    people = plan.list_people(session, user=common.user())
    journeys = {j.id: j.name for j in services.list_journeys(session)}
tree = common.journey_tree(journey_id)
people_by_id = {p.id: p for p in people}
st.caption(t("plan.tasks.intro", journey=common.md(tree.journey.name)))


def month_label(month: str) -> str:
    return months.label(month, lang)


def month_choices(*keep: str) -> list[str]:
    """A year back to two years ahead, and any month a task already has."""
    near = months.between(months.add(this_month, -12), months.add(this_month, 24))
    return sorted(set(near) | {m for m in keep if m})


NOBODY = 0  # "no owner" in option lists (a selectbox shows None as nothing chosen)


def person_label(person_id: int) -> str:
    if person_id == NOBODY:
        return t("plan.no_owner")
    person = people_by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def owner_choices(current: int | None = None) -> list[int]:
    return [NOBODY] + [p.id for p in people if p.active or p.id == current]


def place(row: plan.TaskRow) -> str:
    return f"{row.stage.name} › {row.step.name}"


# The columns people look for first come first; the long stage › sub-step last.
ALL_COLUMNS = ("task", "progress", "status", "owner", "department", "phone", "months", "place")
OVERDUE_COLUMNS = ("task", "progress", "due", "owner", "department", "phone", "place")
OFF_TARGET_COLUMNS = ("task", "tier", "gain", "progress", "reason", "owner", "department", "phone", "place")


def task_table(items: list[plan.TaskRow], key: str, columns: tuple[str, ...], *, month: str | None = None) -> None:
    """Tasks as a read-only table (user text is shown as plain text)."""
    records = []
    for row in items:
        owner = row.owner
        tier = row.figures.commitments.get(month) if month else None
        records.append({
            "task": row.task.title, "place": place(row), "owner": owner.name if owner else "",
            "department": owner.department if owner else "", "phone": owner.phone if owner else "",
            "months": f"{months.label(row.task.start_month, lang, short=True)} – "
                      f"{months.label(row.task.due_month, lang, short=True)}",
            "due": month_label(row.task.due_month), "status": t(f"plan.status.{row.task.status}"),
            "progress": row.latest_progress(), "tier": tier, "gain": row.figures.gain(month) if month else None,
            "reason": row.figures.reason(month) if month else "",
        })
    cc = st.column_config
    st.container(key=key).dataframe(records, hide_index=True, width="stretch", column_order=columns, column_config={
        "task": cc.TextColumn(t("plan.col.task"), width="medium"),
        "place": cc.TextColumn(t("plan.table.place"), width="medium"),
        "owner": cc.TextColumn(t("plan.table.owner")),
        "department": cc.TextColumn(t("plan.col.department")),
        "phone": cc.TextColumn(t("plan.col.phone")),
        "months": cc.TextColumn(t("plan.table.months")),
        "due": cc.TextColumn(t("plan.col.due_month")),
        "status": cc.TextColumn(t("col.status")),
        "progress": cc.ProgressColumn(t("plan.table.current_progress"), min_value=0, max_value=100, format="%d%%",
                                      width=130),
        "tier": cc.NumberColumn(t("plan.col.tier"), format="%d%%"),
        "gain": cc.NumberColumn(t("plan.table.gain"), format="%+d%%"),
        "reason": cc.TextColumn(t("plan.col.behind_reason"), width="medium"),
    })


# Widgets take their values from session state only (never value=/index=), so
# that setting a value here also shows in the browser.
def choosable(key: str, options) -> str:
    """A picker's key, its choice forgotten if that option is gone (deleted meanwhile)."""
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    return key


# Every tab runs: the browser keeps what is typed and not saved only in a tab it draws.
tab_names = [t("plan.tasks.tab_all"), t("plan.tasks.tab_mine"), t("plan.tasks.tab_attention")]
if may_plan:
    tab_names.insert(1, t("plan.tasks.tab_new"))
names = ["all", "new", "mine", "attention"] if may_plan else ["all", "mine", "attention"]
tabs = dict(zip(names, common.lazy_tabs(tab_names, "tasks_tabs", lazy=False)))

# ---------------------------------------------------------------- (a) all tasks of the journey
if tabs["all"].open is not False:  # None: every tab runs
    with tabs["all"]:
        statuses = st.pills(t("plan.tasks.show_status"), TASK_STATUSES, selection_mode="multi",
                            format_func=lambda s: t(f"plan.status.{s}"),
                            key=common.start("tasks_status_filter", list(TASK_STATUSES)))
        shown = [r for r in rows if r.task.status in statuses]
        if shown:
            task_table(shown, "tasks_table", ALL_COLUMNS)
        elif rows:
            st.info(t("plan.tasks.none_with_status"))
        else:
            st.info(t("plan.tasks.none"))

        if may_plan and rows:
            st.markdown(f"**{t('plan.tasks.edit')}**")
            by_id = {r.task.id: r for r in rows}
            task_id = st.selectbox(t("plan.tasks.pick"), list(by_id), key=choosable("tasks_edit_pick", by_id),
                                   format_func=lambda i: f"{shorten(by_id[i].task.title, 70)} — {place(by_id[i])}")
            row = by_id[task_id]
            task = row.task
            saved = (task.id, task.version)  # another task picked, or saved: show the saved values
            with st.container(border=True, key="tasks_edit_form"):
                title = st.text_input(t("plan.col.task"), max_chars=2000,
                                      key=common.start("tasks_edit_title", task.title, saved=saved))
                left, middle, right, far = st.columns(4)
                owner_id = left.selectbox(t("plan.table.owner"), owner_choices(task.owner_id), format_func=person_label,
                                          key=common.choice("tasks_edit_owner", task.owner_id or NOBODY, saved=saved))
                choices = month_choices(task.start_month, task.due_month)
                start_month = middle.selectbox(t("plan.col.start_month"), choices, format_func=month_label,
                                               key=common.choice("tasks_edit_start", task.start_month, saved=saved))
                due_month = right.selectbox(t("plan.col.due_month"), choices, format_func=month_label,
                                            key=common.choice("tasks_edit_due", task.due_month, saved=saved))
                status = far.selectbox(t("col.status"), TASK_STATUSES, format_func=lambda s: t(f"plan.status.{s}"),
                                       key=common.choice("tasks_edit_status", task.status, saved=saved))
                description = st.text_area(t("col.description"), max_chars=2000, height=68,
                                           key=common.start("tasks_edit_description", task.description, saved=saved))
                save = st.button(t("common.save"), type="primary", icon="💾", key="tasks_edit_save")
            if save:
                try:
                    with common.db() as session:
                        plan.update_task(session, task_id=task.id, version=task.version, title=title,
                                         owner_id=owner_id, start_month=start_month, due_month=due_month, status=status,
                                         description=description, user=user)
                except CemError as error:
                    common.show_error(error)
                else:
                    common.flash(t("common.saved"))
                    st.rerun()
            if st.button(t("plan.tasks.delete"), key="tasks_delete", icon="🗑️", help=t("plan.tasks.delete_help")):
                try:
                    with common.db() as session:
                        plan.delete_task(session, task_id=task.id, user=user)
                except CemError as error:
                    common.show_error(error)
                else:
                    common.flash(t("plan.tasks.deleted", title=common.md(shorten(task.title, 60))), icon="🗑️")
                    st.rerun()

# ---------------------------------------------------------------- (b) a new task
if may_plan:
    if tabs["new"].open is not False:  # None: every tab runs
        with tabs["new"]:
            steps = tree.all_steps()
            if not steps:
                st.info(t("editor.add_step_first"))
            else:
                numbered = {}
                for a, stage_view in enumerate(tree.stages, 1):
                    for b, step_view in enumerate(stage_view.steps, 1):
                        numbered[step_view.step.id] = (f"{a}.{b}", stage_view, step_view)

                def step_label(step_id: int) -> str:
                    number, stage_view, step_view = numbered[step_id]
                    measures = sum(len(m) for m in step_view.measures.values())
                    return t("plan.tasks.step_option", number=number, stage=stage_view.stage.name,
                             step=step_view.step.name, measures=measures, ideas=len(step_view.ideas))

                step_id = st.selectbox(t("plan.tasks.pick_step"), list(numbered), format_func=step_label,
                                       key=choosable("tasks_new_step", numbered), help=t("plan.tasks.pick_step_help"))
                step_view = numbered[step_id][2]
                measures = {m.id: m for ms in step_view.measures.values() for m in ms}
                ideas = {i.id: i for i in step_view.ideas}
                with_task = {("measure", r.task.measure_id) for r in rows} | {("idea", r.task.idea_id) for r in rows}
                kind_icon = {"prevention": "🛡️", "fix": "🔧"}

                def source_label(source: str) -> str:
                    kind, _, number = source.partition(":")
                    if kind == "own":
                        return "✏️ " + t("plan.tasks.source_own")
                    item_id = int(number)
                    if kind == "measure":
                        measure = measures[item_id]
                        text = f"{kind_icon.get(measure.kind, '')} {t('kind.' + measure.kind)}: {shorten(measure.text, 90)}"
                    else:
                        text = f"💡 {t('plan.tasks.idea')}: {shorten(ideas[item_id].text, 90)}"
                    return text + (f" ({t('plan.tasks.already_task')})" if (kind, item_id) in with_task else "")

                sources = [f"measure:{i}" for i in measures] + [f"idea:{i}" for i in ideas] + ["own"]
                untaken = [i for i, src in enumerate(sources) if src == "own" or
                           (src.partition(":")[0], int(src.partition(":")[2])) not in with_task]
                # Starts at the first measure or idea that is not a task yet, and moves on once it is.
                source = st.selectbox(t("plan.tasks.source"), sources, format_func=source_label,
                                      key=common.choice("tasks_new_source", sources[untaken[0]], saved=(step_id, untaken[0])))
                kind, _, number = source.partition(":")
                new_keys = ("tasks_new_title", "tasks_new_description", "tasks_new_owner", "tasks_new_start",
                            "tasks_new_due")
                with st.container(border=True, key="tasks_new_form"):
                    if kind == "own":
                        title = st.text_input(t("plan.col.task"), max_chars=2000, key=common.start("tasks_new_title", ""))
                    else:
                        title = ""
                        st.caption(t("plan.tasks.title_from_source"))
                    description = st.text_area(t("col.description"), max_chars=2000, height=68,
                                               key=common.start("tasks_new_description", ""))
                    left, middle, right = st.columns([2, 1, 1])
                    owner_id = left.selectbox(t("plan.table.owner"), owner_choices(), format_func=person_label,
                                              key=common.choice("tasks_new_owner", NOBODY), help=t("plan.tasks.owner_help"))
                    choices = month_choices()
                    start_month = middle.selectbox(t("plan.col.start_month"), choices, format_func=month_label,
                                                   key=common.choice("tasks_new_start", this_month))
                    due_month = right.selectbox(t("plan.col.due_month"), choices, format_func=month_label,
                                                key=common.choice("tasks_new_due", months.add(this_month, 2)),
                                                help=t("plan.tasks.due_help"))
                    created = st.button(t("plan.tasks.create"), type="primary", icon="➕",
                                                    key="tasks_new_submit")
                if not people:
                    st.caption(t("plan.tasks.no_people"))
                    st.page_link("pages/improvement/people.py", label=t("page.people"), icon="👥")
                if created:
                    try:
                        with common.db() as session:
                            common_values = dict(start_month=start_month, due_month=due_month, owner_id=owner_id,
                                                 description=description, user=user)
                            if kind == "measure":
                                new = plan.task_from_measure(session, measure_id=int(number), **common_values)
                            elif kind == "idea":
                                new = plan.task_from_idea(session, idea_id=int(number), **common_values)
                            else:
                                new = plan.create_task(session, step_id=step_id, title=title, **common_values)
                            new_title = shorten(new.title, 60)
                    except CemError as error:
                        common.show_error(error)
                    else:
                        common.forget(*new_keys)
                        common.flash(t("plan.tasks.created", title=common.md(new_title)))
                        st.rerun()

# ---------------------------------------------------------------- (c) my tasks
if tabs["mine"].open is not False:  # None: every tab runs
    with tabs["mine"]:
        with common.db() as session:
            mine = plan.my_tasks(session, username=user)
            linked = any(p.username == user for p in people)
        if not linked:
            st.info(t("plan.tasks.not_linked", user=common.md(user)))
        elif not mine:
            st.info(t("plan.tasks.mine_none"))
        else:
            st.caption(t("plan.tasks.mine_intro", month=month_label(this_month)))
        for row in mine:
            task = row.task
            figures = row.figures
            with st.container(border=True, key=f"tasks_mine_{task.id}"):
                info, entry = st.columns([3, 2])
                info.markdown(f"**{common.md(task.title)}**")
                where = place(row) if task.journey_id == journey_id else \
                    f"{journeys.get(task.journey_id, '?')} · {place(row)}"
                tier = figures.commitments.get(this_month)
                info.caption(t("plan.tasks.mine_line", place=common.md(where), due=month_label(task.due_month),
                               progress=row.progress(this_month),
                               tier=f"{tier}%" if tier else t("plan.tasks.not_planned"),
                               gain=f"{figures.gain(this_month):+d}%"))
                if not may_check_in:
                    continue
                with entry.container(key=f"tasks_mine_form_{task.id}"):
                    progress = st.number_input(t("plan.col.progress"), min_value=0, max_value=100, step=5,
                                               key=common.start(f"tasks_mine_progress_{task.id}", row.progress(this_month),
                                                         saved=row.progress(this_month)))
                    note = st.text_input(t("plan.col.note"), max_chars=2000, key=common.start(f"tasks_mine_note_{task.id}", ""))
                    record = st.button(t("plan.checkin.record"), icon="📌", key=f"tasks_mine_record_{task.id}")
                if record:
                    try:
                        with common.db() as session:
                            plan.record_check_in(session, task_id=task.id, month=this_month, progress=progress,
                                                 note=note, user=user)
                    except CemError as error:
                        common.show_error(error)
                    else:
                        common.forget(f"tasks_mine_note_{task.id}")
                        common.flash(t("plan.checkin.recorded", title=common.md(shorten(task.title, 60)),
                                       progress=int(progress), month=month_label(this_month)))
                        st.rerun()

# ---------------------------------------------------------------- (d) overdue and behind target
if tabs["attention"].open is not False:  # None: every tab runs
    with tabs["attention"]:
        choices = month_choices()
        month = st.selectbox(t("plan.col.month"), choices, format_func=month_label,
                             key=common.choice("tasks_attention_month", this_month))
        overdue, off_target = plan.needs_attention(rows, month)
        st.markdown(f"**{t('plan.tasks.overdue', n=len(overdue))}**")
        if overdue:
            task_table(overdue, "tasks_overdue_table", OVERDUE_COLUMNS)
        else:
            st.caption(t("plan.tasks.overdue_none"))
        st.markdown(f"**{t('plan.tasks.off_target', n=len(off_target), month=month_label(month))}**")
        if month == this_month:
            st.caption(t("plan.tasks.off_target_so_far"))
        if off_target:
            task_table(off_target, "tasks_off_target_table", OFF_TARGET_COLUMNS, month=month)
        else:
            st.caption(t("plan.tasks.off_target_none"))
