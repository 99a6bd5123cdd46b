"""Tasks and owners: every improvement task of the journey with its owner
(who, which department, which phone), months, status and progress; a new
task from a measure or idea on the map or on its own; the signed-in
person's own tasks with a quick check-in; and, for the project lead, what
is overdue or behind this month."""
import streamlit as st

from cem import months, plan, services
from cem.errors import CemError
from cem.models import TASK_STATUSES
from cem.text import shorten
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
    rows = plan.task_rows(session, [journey_id])
    people = plan.list_people(session)
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


def person_label(person_id: int | None) -> str:
    if person_id is None:
        return t("plan.no_owner")
    person = people_by_id[person_id]
    return " · ".join(part for part in (person.name, person.department, person.phone) if part)


def owner_choices(current: int | None = None) -> list[int | None]:
    return [None] + [p.id for p in people if p.active or p.id == current]


def place(row: plan.TaskRow) -> str:
    return f"{row.stage.name} › {row.step.name}"


def task_table(items: list[plan.TaskRow], key: str, *, month: str | None = None) -> None:
    """Tasks as a read-only table (user text is shown as plain text)."""
    records = []
    for row in items:
        owner = row.owner
        record = {
            "task": row.task.title, "place": place(row), "owner": owner.name if owner else "",
            "department": owner.department if owner else "", "phone": owner.phone if owner else "",
            "start": month_label(row.task.start_month), "due": month_label(row.task.due_month),
            "status": t(f"plan.status.{row.task.status}"), "progress": row.latest_progress(),
        }
        if month:
            tier = row.figures.commitments.get(month)
            record.update(tier=f"{tier}%" if tier else "", gain=row.figures.gain(month))
        records.append(record)
    cc = st.column_config
    st.container(key=key).dataframe(records, hide_index=True, width="stretch", column_config={
        "task": cc.TextColumn(t("plan.col.task"), width="large"),
        "place": cc.TextColumn(t("plan.table.place"), width="medium"),
        "owner": cc.TextColumn(t("plan.table.owner")),
        "department": cc.TextColumn(t("plan.col.department")),
        "phone": cc.TextColumn(t("plan.col.phone")),
        "start": cc.TextColumn(t("plan.col.start_month")),
        "due": cc.TextColumn(t("plan.col.due_month")),
        "status": cc.TextColumn(t("col.status")),
        "progress": cc.ProgressColumn(t("plan.table.current_progress"), min_value=0, max_value=100, format="%d%%"),
        "tier": cc.TextColumn(t("plan.col.tier")),
        "gain": cc.NumberColumn(t("plan.table.gain"), format="%+d%%"),
    })


def forget(*keys: str) -> None:
    for key in keys:
        st.session_state.pop(key, None)


def fresh(key: str, shown) -> str:
    """A widget's key; what the widget holds is forgotten when the saved value
    it starts from has changed since (saved here or by someone else)."""
    if st.session_state.get(f"{key}_seen", shown) != shown:
        st.session_state.pop(key, None)
    st.session_state[f"{key}_seen"] = shown
    return key


tab_names = [t("plan.tasks.tab_all"), t("plan.tasks.tab_mine"), t("plan.tasks.tab_attention")]
if may_plan:
    tab_names.insert(1, t("plan.tasks.tab_new"))
tabs = dict(zip(["all", "new", "mine", "attention"] if may_plan else ["all", "mine", "attention"],
                st.tabs(tab_names, key="tasks_tabs")))

# ---------------------------------------------------------------- (a) all tasks of the journey
with tabs["all"]:
    statuses = st.pills(t("plan.tasks.show_status"), TASK_STATUSES, selection_mode="multi",
                        default=list(TASK_STATUSES), format_func=lambda s: t(f"plan.status.{s}"),
                        key="tasks_status_filter")
    shown = [r for r in rows if r.task.status in statuses]
    if shown:
        task_table(shown, "tasks_table")
    elif rows:
        st.info(t("plan.tasks.none_with_status"))
    else:
        st.info(t("plan.tasks.none"))

    if may_plan and rows:
        st.markdown(f"**{t('plan.tasks.edit')}**")
        by_id = {r.task.id: r for r in rows}
        task_id = st.selectbox(t("plan.tasks.pick"), list(by_id), key="tasks_edit_pick",
                               format_func=lambda i: f"{shorten(by_id[i].task.title, 70)} — {place(by_id[i])}")
        row = by_id[task_id]
        task = row.task
        edit_keys = ("tasks_edit_title", "tasks_edit_owner", "tasks_edit_start", "tasks_edit_due",
                     "tasks_edit_status", "tasks_edit_description")
        if st.session_state.get("tasks_edit_seen") != (task.id, task.version):
            forget(*edit_keys)  # another task picked, or this one saved: show its saved values
            st.session_state["tasks_edit_seen"] = (task.id, task.version)
        with st.form("tasks_edit_form", border=True):
            title = st.text_input(t("plan.col.task"), value=task.title, max_chars=2000, key="tasks_edit_title")
            left, middle, right, far = st.columns(4)
            owners = owner_choices(task.owner_id)
            owner_id = left.selectbox(t("plan.table.owner"), owners, index=owners.index(task.owner_id),
                                      format_func=person_label, key="tasks_edit_owner")
            choices = month_choices(task.start_month, task.due_month)
            start = middle.selectbox(t("plan.col.start_month"), choices, index=choices.index(task.start_month),
                                     format_func=month_label, key="tasks_edit_start")
            due = right.selectbox(t("plan.col.due_month"), choices, index=choices.index(task.due_month),
                                  format_func=month_label, key="tasks_edit_due")
            status = far.selectbox(t("col.status"), TASK_STATUSES, index=TASK_STATUSES.index(task.status),
                                   format_func=lambda s: t(f"plan.status.{s}"), key="tasks_edit_status")
            description = st.text_area(t("col.description"), value=task.description, max_chars=2000, height=68,
                                       key="tasks_edit_description")
            saved = st.form_submit_button(t("common.save"), type="primary", icon="💾", key="tasks_edit_save")
        if saved:
            try:
                with common.db() as session:
                    plan.update_task(session, task_id=task.id, version=task.version, title=title,
                                     owner_id=owner_id, start_month=start, due_month=due, status=status,
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
                                   key="tasks_new_step", help=t("plan.tasks.pick_step_help"),
                                   on_change=forget, args=("tasks_new_source",))
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
            source = st.selectbox(t("plan.tasks.source"), sources, format_func=source_label,
                                  key="tasks_new_source")
            kind, _, number = source.partition(":")
            new_keys = ("tasks_new_title", "tasks_new_description", "tasks_new_owner", "tasks_new_start",
                        "tasks_new_due")
            with st.form("tasks_new_form", border=True):
                if kind == "own":
                    title = st.text_input(t("plan.col.task"), max_chars=2000, key="tasks_new_title")
                else:
                    title = ""
                    st.caption(t("plan.tasks.title_from_source"))
                description = st.text_area(t("col.description"), max_chars=2000, height=68,
                                           key="tasks_new_description")
                left, middle, right = st.columns([2, 1, 1])
                owner_id = left.selectbox(t("plan.table.owner"), owner_choices(), format_func=person_label,
                                          key="tasks_new_owner", help=t("plan.tasks.owner_help"))
                choices = month_choices()
                start = middle.selectbox(t("plan.col.start_month"), choices, index=choices.index(this_month),
                                         format_func=month_label, key="tasks_new_start")
                due = right.selectbox(t("plan.col.due_month"), choices,
                                      index=choices.index(months.add(this_month, 2)), format_func=month_label,
                                      key="tasks_new_due", help=t("plan.tasks.due_help"))
                created = st.form_submit_button(t("plan.tasks.create"), type="primary", icon="➕",
                                                key="tasks_new_submit")
            if not people:
                st.caption(t("plan.tasks.no_people"))
                st.page_link("pages/people.py", label=t("page.people"), icon="👥")
            if created:
                try:
                    with common.db() as session:
                        common_values = dict(start_month=start, due_month=due, owner_id=owner_id,
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
                    forget(*new_keys)
                    common.flash(t("plan.tasks.created", title=common.md(new_title)))
                    st.rerun()

# ---------------------------------------------------------------- (c) my tasks
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
            with entry.form(f"tasks_mine_form_{task.id}", border=False):
                progress = st.number_input(t("plan.col.progress"), min_value=0, max_value=100, step=5,
                                           value=row.progress(this_month),
                                           key=fresh(f"tasks_mine_progress_{task.id}", row.progress(this_month)))
                note = st.text_input(t("plan.col.note"), max_chars=2000, key=f"tasks_mine_note_{task.id}")
                record = st.form_submit_button(t("plan.checkin.record"), icon="📌", key=f"tasks_mine_record_{task.id}")
            if record:
                try:
                    with common.db() as session:
                        plan.record_check_in(session, task_id=task.id, month=this_month, progress=progress,
                                             note=note, user=user)
                except CemError as error:
                    common.show_error(error)
                else:
                    forget(f"tasks_mine_note_{task.id}")
                    common.flash(t("plan.checkin.recorded", title=common.md(shorten(task.title, 60)),
                                   progress=int(progress), month=month_label(this_month)))
                    st.rerun()

# ---------------------------------------------------------------- (d) overdue and behind target
with tabs["attention"]:
    choices = month_choices()
    month = st.selectbox(t("plan.col.month"), choices, index=choices.index(this_month), format_func=month_label,
                         key="tasks_attention_month")
    overdue, off_target = plan.needs_attention(rows, month)
    st.markdown(f"**{t('plan.tasks.overdue', n=len(overdue))}**")
    if overdue:
        task_table(overdue, "tasks_overdue_table")
    else:
        st.caption(t("plan.tasks.overdue_none"))
    st.markdown(f"**{t('plan.tasks.off_target', n=len(off_target), month=month_label(month))}**")
    if month == this_month:
        st.caption(t("plan.tasks.off_target_so_far"))
    if off_target:
        task_table(off_target, "tasks_off_target_table", month=month)
    else:
        st.caption(t("plan.tasks.off_target_none"))
