"""Monthly plan 30/20/10: for a month, which tasks the team commits to and
with which progress tier; at the month's end, each task's real progress
against its commitment; the evaluation of the month; and the plan of the
next month from what is still open."""
import streamlit as st

from cem import months, plan, services
from cem.errors import CemError
from cem.text import shorten
from ui import auth, common

common.ensure_entry_point()

t = common.translator()  # bound to the language now: format_func may be called later
lang = common.lang()
st.title(t("page.monthly"))
journey_id = common.require_journey()
user = common.user()
may_plan = auth.allowed("plan.edit")
may_check_in = auth.allowed("checkin.record")
this_month = months.this_month()

with common.db() as session:
    journey = services.get_journey(session, journey_id)
    tiers = plan.journey_tiers(session, journey_id)
    rows = plan.task_rows(session, [journey_id])
st.caption(t("plan.monthly.intro", journey=common.md(journey.name)))


def month_label(month: str) -> str:
    return months.label(month, lang)


def percent(value: int | None) -> str:
    return f"{value}%" if value is not None else "—"


def place(row: plan.TaskRow) -> str:
    return f"{row.stage.name} › {row.step.name}"


def owner_text(row: plan.TaskRow) -> str:
    owner = row.owner
    if owner is None:
        return t("plan.no_owner")
    return " · ".join(part for part in (owner.name, owner.department, owner.phone) if part)


def task_heading(container, row: plan.TaskRow, extra: str = "") -> None:
    """The task's title, and where it sits and who owns it (user text escaped)."""
    container.markdown(f"**{common.md(row.task.title)}**")
    container.caption(" · ".join(part for part in (common.md(place(row)), common.md(owner_text(row)), extra)
                                 if part))


def tier_options(*keep: int | None) -> list[int]:
    """The journey's tiers, and a tier a commitment already has (tiers may have changed since)."""
    return sorted(set(tiers) | {k for k in keep if k}, reverse=True)


def may_record(row: plan.TaskRow) -> bool:
    """Leads record any task; an editor only tasks they own (the service checks again)."""
    return may_plan or (may_check_in and row.owner is not None and row.owner.username == user)


def tier_picker(row: plan.TaskRow, box_key: str, line: str, key: str, existing: int | None,
                start_at: int | None) -> int | None:
    """A task's card with 30/20/10 buttons; the tier chosen (None: not planned)."""
    with st.container(border=True, key=box_key):
        info, pick = st.columns([3, 2], vertical_alignment="center")
        task_heading(info, row, line)
        return pick.segmented_control(t("plan.col.tier"), tier_options(existing), format_func=percent,
                                      label_visibility="collapsed", key=common.start(key, start_at, saved=start_at))


def save_plan(month: str, chosen: dict[int, int | None], shown: list[plan.TaskRow]) -> None:
    """Save the tiers that differ from what the month's plan already has."""
    before = {r.task.id: r.figures.commitments.get(month) for r in shown}
    changes = {task_id: tier for task_id, tier in chosen.items() if tier != before[task_id]}
    try:
        with common.db() as session:
            changed = plan.set_commitments(session, journey_id=journey_id, month=month, tiers=changes, user=user)
    except CemError as error:
        common.show_error(error)
    else:
        common.flash(t("plan.monthly.plan_saved", n=changed, month=month_label(month)))
        st.rerun()


# Widgets take their values from session state only (never value=/default=),
# so that setting a value here also shows in the browser.
# ---------------------------------------------------------------- the month
planned_months = sorted({m for r in rows for m in r.figures.commitments})
choices = sorted(set(months.between(months.add(this_month, -12), months.add(this_month, 12))) | set(planned_months))
month = st.selectbox(t("plan.col.month"), choices, format_func=month_label, key=common.start("monthly_month", this_month))
if planned_months and planned_months[0] <= month:
    number = len(months.between(planned_months[0], month))
    st.caption(t("plan.monthly.month_number", n=number, first=month_label(planned_months[0])))

committed = [r for r in rows if month in r.figures.commitments]
open_rows = [r for r in rows if r.task.status in plan.OPEN_STATUSES and r.task.start_month <= month]
candidates = committed + [r for r in open_rows if r not in committed]

tab_plan, tab_check_in, tab_evaluation = st.tabs(
    [t("plan.monthly.tab_plan"), t("plan.monthly.tab_check_in"), t("plan.monthly.tab_evaluation")],
    key="monthly_tabs")

# ---------------------------------------------------------------- 1. planning: a tier per task
with tab_plan:
    st.markdown(t("plan.monthly.tiers_now", tiers=" · ".join(f"{tier}%" for tier in tiers)))
    if may_plan:
        with st.expander(t("plan.monthly.tiers_change"), icon="⚙️"):
            with st.form("monthly_tiers_form", border=False):
                shown_tiers = ", ".join(str(tier) for tier in tiers)
                new_tiers = st.text_input(t("plan.col.tiers"), max_chars=40, help=t("plan.monthly.tiers_help"),
                                          key=common.start("monthly_tiers", shown_tiers, saved=shown_tiers))
                save_tiers = st.form_submit_button(t("common.save"), icon="💾", key="monthly_tiers_save")
            if save_tiers:
                try:
                    with common.db() as session:
                        plan.set_tiers(session, journey_id=journey_id, tiers=new_tiers, user=user)
                except CemError as error:
                    common.show_error(error)
                else:
                    common.flash(t("common.saved"))
                    st.rerun()

    if not candidates:
        st.info(t("plan.monthly.no_tasks", month=month_label(month)))
        st.page_link("pages/tasks.py", label=t("page.tasks"), icon="✅")
    elif may_plan:
        st.markdown(f"**{t('plan.monthly.pick', month=month_label(month))}**")
        st.caption(t("plan.monthly.pick_help"))
        chosen: dict[int, int | None] = {}
        for row in candidates:
            current = row.figures.commitments.get(month)
            line = t("plan.monthly.progress_before", progress=row.progress(months.previous(month)))
            chosen[row.task.id] = tier_picker(row, f"monthly_plan_row_{row.task.id}", line,
                                              f"monthly_tier_{month}_{row.task.id}", current, current)
        if st.button(t("plan.monthly.save_plan", month=month_label(month)), type="primary", icon="💾",
                     key="monthly_plan_save"):
            save_plan(month, chosen, candidates)

    # The month's plan, grouped by tier.
    st.divider()
    st.subheader(t("plan.monthly.plan_of", month=month_label(month)), anchor=False)
    if not committed:
        st.caption(t("plan.monthly.nothing_planned"))
    for tier in tier_options(*(r.figures.commitments[month] for r in committed)):
        in_tier = [r for r in committed if r.figures.commitments[month] == tier]
        if not in_tier:
            continue
        st.markdown(f"**{t('plan.monthly.tier_group', tier=tier, n=len(in_tier))}**")
        st.container(key=f"monthly_plan_tier_{tier}").dataframe(
            [{"task": r.task.title, "owner": r.owner.name if r.owner else "",
              "department": r.owner.department if r.owner else "",
              "before": r.progress(months.previous(month)), "now": r.progress(month)} for r in in_tier],
            hide_index=True, width="stretch",
            column_config={
                "task": st.column_config.TextColumn(t("plan.col.task"), width="large"),
                "owner": st.column_config.TextColumn(t("plan.table.owner")),
                "department": st.column_config.TextColumn(t("plan.col.department")),
                "before": st.column_config.NumberColumn(t("plan.table.progress_before"), format="%d%%"),
                "now": st.column_config.ProgressColumn(t("plan.table.progress_now"), min_value=0, max_value=100,
                                                       format="%d%%"),
            })

# ---------------------------------------------------------------- 2. month-end check-in
with tab_check_in:
    st.caption(t("plan.monthly.check_in_help", month=month_label(month)))
    with common.db() as session:
        history = plan.check_in_history(session, [r.task.id for r in candidates])
    if not candidates:
        st.info(t("plan.monthly.no_tasks", month=month_label(month)))
    for heading, group in ((t("plan.monthly.planned_tasks"), committed),
                           (t("plan.monthly.other_open_tasks"), [r for r in candidates if r not in committed])):
        if not group:
            continue
        st.markdown(f"**{heading}**")
        for row in group:
            task, figures = row.task, row.figures
            tier = figures.commitments.get(month)
            target = figures.on_target(month)
            with st.container(border=True, key=f"monthly_check_in_row_{task.id}"):
                info, entry = st.columns([3, 2])
                task_heading(info, row)
                figures_text = t("plan.monthly.figures", tier=percent(tier),
                                 before=row.progress(months.previous(month)), now=row.progress(month),
                                 gain=f"{figures.gain(month):+d}")
                if target is True:
                    figures_text += " " + f":green-badge[✅ {t('plan.monthly.on_target')}]"
                elif target is False:
                    figures_text += " " + f":red-badge[⚠️ {t('plan.monthly.off_target')}]"
                if not figures.checked_in(month):
                    figures_text += " " + f":gray-badge[{t('plan.monthly.no_check_in')}]"
                info.markdown(figures_text)
                past = history.get(task.id, [])
                if past:
                    with info.expander(t("plan.monthly.history", n=len(past)), icon="🕘"):
                        st.container(key=f"monthly_history_{task.id}").dataframe(
                            [{"month": month_label(c.month), "progress": c.progress, "note": c.note,
                              "who": c.created_by, "when": c.created_at.strftime("%Y-%m-%d %H:%M"),
                              "meeting": "📝" if c.meeting_id else ""} for c in past],
                            hide_index=True, width="stretch",
                            column_config={
                                "month": st.column_config.TextColumn(t("plan.col.month")),
                                "progress": st.column_config.NumberColumn(t("plan.col.progress"), format="%d%%"),
                                "note": st.column_config.TextColumn(t("plan.col.note"), width="large"),
                                "who": st.column_config.TextColumn(t("plan.table.recorded_by")),
                                "when": st.column_config.TextColumn(t("plan.table.recorded_at")),
                                "meeting": st.column_config.TextColumn(t("plan.table.in_meeting"), width="small"),
                            })
                if not may_record(row):
                    continue
                with entry.form(f"monthly_check_in_form_{month}_{task.id}", border=False):
                    progress = st.number_input(t("plan.col.progress"), min_value=0, max_value=100, step=5,
                                               help=t("plan.monthly.progress_help"),
                                               key=common.start(f"monthly_progress_{month}_{task.id}", row.progress(month),
                                                         saved=row.progress(month)))
                    note = st.text_input(t("plan.col.note"), max_chars=2000,
                                         key=common.start(f"monthly_note_{month}_{task.id}", ""))
                    record = st.form_submit_button(t("plan.checkin.record"), icon="📌",
                                                   key=f"monthly_record_{month}_{task.id}")
                if record:
                    try:
                        with common.db() as session:
                            plan.record_check_in(session, task_id=task.id, month=month, progress=progress,
                                                 note=note, user=user)
                    except CemError as error:
                        common.show_error(error)
                    else:
                        common.forget(f"monthly_note_{month}_{task.id}")
                        common.flash(t("plan.checkin.recorded", title=common.md(shorten(task.title, 60)),
                                       progress=int(progress), month=month_label(month)))
                        st.rerun()

# ---------------------------------------------------------------- 3. evaluation, and the next month
with tab_evaluation:
    figures = plan.series(rows, month, month)[0]
    a, b, c, d = st.columns(4)
    a.metric(t("plan.eval.committed_tasks"), figures.committed_tasks)
    b.metric(t("plan.eval.on_target"), f"{figures.on_target} / {figures.committed_tasks}")
    c.metric(t("plan.eval.committed_percent"), f"{figures.committed_percent}%")
    d.metric(t("plan.eval.achieved_percent"), f"{figures.achieved_percent}%",
             delta=f"{figures.achieved_percent - figures.committed_percent:+d}%" if figures.committed_tasks else None)
    if not figures.committed_tasks:
        st.info(t("plan.eval.nothing", month=month_label(month)))
    else:
        groupings = ("tier", "stage", "department", "owner")
        by = st.segmented_control(t("plan.eval.group_by"), groupings, required=True,
                                  format_func=lambda g: t(f"plan.eval.by_{g}"), key=common.start("monthly_eval_by", "tier"))
        st.container(key="monthly_eval_table").dataframe(
            [{"name": g.name, "tasks": g.committed_tasks, "on_target": g.on_target,
              "committed": g.committed_percent, "achieved": g.achieved_percent,
              "share": round(100 * g.on_target / g.committed_tasks)} for g in plan.evaluation(rows, month, by=by)],
            hide_index=True, width="stretch",
            column_config={
                "name": st.column_config.TextColumn(t(f"plan.eval.by_{by}")),
                "tasks": st.column_config.NumberColumn(t("plan.eval.committed_tasks")),
                "on_target": st.column_config.NumberColumn(t("plan.eval.on_target")),
                "committed": st.column_config.NumberColumn(t("plan.eval.committed_percent"), format="%d%%"),
                "achieved": st.column_config.NumberColumn(t("plan.eval.achieved_percent"), format="%d%%"),
                "share": st.column_config.ProgressColumn(t("plan.eval.share"), min_value=0, max_value=100,
                                                         format="%d%%"),
            })
        with st.expander(t("plan.eval.per_task"), icon="📋"):
            st.container(key="monthly_eval_tasks").dataframe(
                [{"task": r.task.title, "owner": r.owner.name if r.owner else "", "tier": r.figures.commitments[month],
                  "gain": r.figures.gain(month),
                  "result": t("plan.monthly.on_target") if r.figures.on_target(month) else t("plan.monthly.off_target")}
                 for r in committed],
                hide_index=True, width="stretch",
                column_config={
                    "task": st.column_config.TextColumn(t("plan.col.task"), width="large"),
                    "owner": st.column_config.TextColumn(t("plan.table.owner")),
                    "tier": st.column_config.NumberColumn(t("plan.col.tier"), format="%d%%"),
                    "gain": st.column_config.NumberColumn(t("plan.table.gain"), format="%+d%%"),
                    "result": st.column_config.TextColumn(t("plan.eval.result")),
                })

    # Plan the next month from what is still open.
    following = months.add(month, 1)
    st.divider()
    number = len(months.between(planned_months[0], following)) if planned_months and planned_months[0] <= month \
        else None
    st.subheader(t("plan.next.title_numbered", n=number, month=month_label(following)) if number
                 else t("plan.next.title", month=month_label(following)), anchor=False)
    st.caption(t("plan.next.help"))
    proposed = plan.next_month_candidates(rows, month)
    if not proposed:
        st.info(t("plan.next.none"))
    elif not may_plan:
        st.container(key="monthly_next_table").dataframe(
            [{"task": r.task.title, "owner": r.owner.name if r.owner else "", "progress": r.progress(month),
              "last_tier": r.last_tier(month), "next": r.figures.commitments.get(following)} for r in proposed],
            hide_index=True, width="stretch",
            column_config={
                "task": st.column_config.TextColumn(t("plan.col.task"), width="large"),
                "owner": st.column_config.TextColumn(t("plan.table.owner")),
                "progress": st.column_config.ProgressColumn(t("plan.table.progress_now"), min_value=0, max_value=100,
                                                            format="%d%%"),
                "last_tier": st.column_config.NumberColumn(t("plan.next.last_tier"), format="%d%%"),
                "next": st.column_config.NumberColumn(t("plan.next.planned"), format="%d%%"),
            })
    else:
        chosen_next: dict[int, int | None] = {}
        for row in proposed:
            existing = row.figures.commitments.get(following)
            last = row.last_tier(month)
            proposal = existing if existing is not None else (last if last in tiers else None)
            line = t("plan.next.line", progress=row.progress(month), tier=percent(last))
            chosen_next[row.task.id] = tier_picker(row, f"monthly_next_row_{row.task.id}", line,
                                                   f"monthly_next_tier_{following}_{row.task.id}", existing, proposal)
        if st.button(t("plan.next.save", month=month_label(following)), type="primary", icon="📅",
                     key="monthly_next_save"):
            save_plan(following, chosen_next, proposed)
