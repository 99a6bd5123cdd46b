"""Monthly plan 30/20/10: for a month, which tasks the team commits to and
with which progress tier; at the month's end, each task's real progress
against its commitment; the evaluation of the month; and the plan of the
next month from what is still open."""
import pandas as pd
import streamlit as st

from cem.core import months
from cem.improvement import plan
from cem.journey import services
from cem.core.errors import CemError, ConflictError
from cem.improvement.progress import headline, points
from ui import auth, common
from ui.table_form import TableForm

common.ensure_entry_point()

TIER_DTYPES = {"tier": "Int64"}

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
    rows = common.task_rows([journey_id])
    names = {p.id: p.name for p in plan.list_people(session)}
st.caption(t("plan.monthly.intro", journey=common.md(journey.name)))


def month_label(month: str) -> str:
    return months.label(month, lang)


def percent(value: int | None) -> str:
    return f"{value}%" if value is not None else "—"


def points_text(value: float | None, signed: bool = False) -> str:
    """An average in points ("18.3 points" / "18.3 จุดร้อยละ")."""
    return "—" if value is None else t("exec.unit.pp", value=points(value, signed=signed))


def place(row: plan.TaskRow) -> str:
    return f"{row.stage.name} › {row.step.name}"


def owner_text(row: plan.TaskRow) -> str:
    owner = row.owner
    if owner is None:
        return t("plan.no_owner")
    return " · ".join(part for part in (owner.name, owner.department, owner.phone) if part)


def tier_options(*keep: int | None) -> list[int]:
    """The journey's tiers, and a tier a commitment already has (tiers may have changed since)."""
    return sorted(set(tiers) | {k for k in keep if k}, reverse=True)


def may_record(row: plan.TaskRow) -> bool:
    """Leads record any task; an editor only tasks they own (the service checks again)."""
    return may_plan or (may_check_in and row.owner is not None and row.owner.username == user)


def plan_table(month: str, rows_in: list[plan.TaskRow], start_from: dict[int, int | None], box: str,
               extra: dict | None = None) -> tuple[TableForm, dict[int, int | None]]:
    """The tasks and their tier for `month` in one table (the tier column
    editable); the tier each task has now in the table."""
    table = TableForm(f"monthly_plan_table_{journey_id}_{month}", editable=["tier"], dtypes=TIER_DTYPES)
    before = months.previous(month)
    shown = [{"id": r.task.id, "task": r.task.title, "where": place(r), "owner": owner_text(r),
              "before": r.progress(before), **({k: f(r) for k, f in extra.items()} if extra else {}),
              "tier": start_from.get(r.task.id)} for r in rows_in]
    # The column to fill in comes right after the task, so it is on screen.
    columns = {
        "task": st.column_config.TextColumn(t("plan.col.task"), width="medium", pinned=True),
        "tier": st.column_config.SelectboxColumn(
            t("plan.col.tier"), options=tier_options(*start_from.values()), format_func=percent,
            help=t("plan.table.tier_help")),
        "before": st.column_config.NumberColumn(t("plan.table.progress_before"), format="%d%%"),
        **({k: st.column_config.NumberColumn(t(f"plan.next.{k}"), format="%d%%") for k in extra} if extra else {}),
        "owner": st.column_config.TextColumn(t("plan.table.owner")),
        "where": st.column_config.TextColumn(t("plan.table.place")),
    }
    drafts = table.show(shown, columns=columns, container=st.container(key=box))
    return table, {row["id"]: drafts.get(row["id"], {}).get("tier", row["tier"]) for row in shown}


def save_plan(month: str, table: TableForm, chosen: dict[int, int | None], form: dict,
              now: dict[int, int | None]) -> None:
    """Save the tiers the person changed since the plan was opened; refused
    if someone else changed the same tasks' tiers meanwhile."""
    opened = form["opened"]
    changes = {task_id: tier for task_id, tier in chosen.items() if tier != opened.get(task_id)}
    name = f"monthly_plan_{journey_id}_{month}"
    try:
        with common.db() as session:
            changed = plan.set_commitments(session, journey_id=journey_id, month=month, tiers=changes,
                                           expected={i: form["expected"].get(i) for i in changes}, user=user)
    except ConflictError as error:
        common.form_conflict(name, now, error, restart=lambda: (common.form_restart(name), table.clear()))
    except CemError as error:
        common.show_error(error)
    else:
        common.form_restart(name)
        table.clear()
        common.flash(t("plan.monthly.plan_saved", n=changed, month=month_label(month)))
        st.rerun()


def unsaved(chosen: dict[int, int | None], opened: dict[int, int | None]) -> int:
    return sum(1 for task_id, tier in chosen.items() if tier != opened.get(task_id))


FIGURE_COLUMNS = ("task", "tier", "before", "now", "gain", "result", "owner", "where")
CHECK_IN_DTYPES = {"new": "Int64", "note": "string", "reason": "string"}


def result_text(row: plan.TaskRow) -> str:
    target = row.figures.on_target(month)
    if not row.figures.checked_in(month):
        return "· " + t("plan.monthly.no_check_in") if target is None else "⚠️ " + t("plan.monthly.no_check_in")
    return {True: "✅ " + t("plan.monthly.on_target"), False: "⚠️ " + t("plan.monthly.off_target")}.get(target, "")


def figures_row(row: plan.TaskRow) -> dict:
    """A task's figures for the month: commitment, progress at the start
    and now, this month's gain, and whether it is on target."""
    return {"id": row.task.id, "task": row.task.title, "where": place(row), "owner": owner_text(row),
            "tier": percent(row.figures.commitments.get(month)), "before": row.progress(months.previous(month)),
            "now": row.progress(month), "gain": row.figures.gain(month), "result": result_text(row)}


def figure_columns() -> dict:
    """A task's figures for the month, after its title (pinned) and before
    who owns it and where it sits."""
    return {
        "task": st.column_config.TextColumn(t("plan.col.task"), width="medium", pinned=True),
        "tier": st.column_config.TextColumn(t("plan.col.tier")),
        "before": st.column_config.NumberColumn(t("plan.table.progress_before"), format="%d%%"),
        "now": st.column_config.NumberColumn(t("plan.table.progress_now"), format="%d%%"),
        "gain": st.column_config.NumberColumn(t("plan.table.gain"), format="%+d%%"),
        "result": st.column_config.TextColumn(t("plan.eval.result")),
        "owner": st.column_config.TextColumn(t("plan.table.owner")),
        "where": st.column_config.TextColumn(t("plan.table.place")),
    }


def record_check_ins(rows_in: list[plan.TaskRow]) -> None:
    """The month-end table: each task's figures, and columns to type its
    new total progress, a note and why it is behind; one button records
    every row typed in, together."""
    table = TableForm(f"monthly_check_in_table_{journey_id}_{month}", editable=["new", "note", "reason"],
                      dtypes=CHECK_IN_DTYPES)
    shown = [{**figures_row(r), "new": None, "note": "", "reason": ""} for r in rows_in]
    figures = figure_columns()
    columns = {"task": figures.pop("task"),  # then what is typed, then the figures
               "new": st.column_config.NumberColumn(t("plan.checkin.new"), min_value=0, max_value=100, step=5,
                                                    format="%d%%", help=t("plan.monthly.progress_help")),
               "note": st.column_config.TextColumn(t("plan.col.note"), max_chars=2000),
               "reason": st.column_config.TextColumn(t("plan.col.behind_reason"), max_chars=2000,
                                                     help=t("fig.behind_reason_help")),
               **figures}
    drafts = table.show(shown, columns=columns, container=st.container(key="monthly_check_in_grid"))
    typed = [(n, row["id"], drafts[row["id"]]) for n, row in enumerate(shown, start=1)
             if any(value not in (None, "") and not pd.isna(value) for value in drafts.get(row["id"], {}).values())]
    label = t("plan.checkin.record_all", n=len(typed)) if typed else t("plan.checkin.record")
    if st.button(label, type="primary", icon="📌", key="monthly_record", disabled=not typed):
        reports = [(n, task_id, plan.Report(None if pd.isna(v.get("new")) else int(v["new"]),
                                            clean(v.get("note")), clean(v.get("reason"))))
                   for n, task_id, v in typed]
        try:
            with common.db() as session:
                recorded = plan.record_check_ins(session, journey_id=journey_id, month=month, reports=reports,
                                                 user=user)
        except CemError as error:
            common.show_error(error)
        else:
            table.clear()
            common.flash(t("plan.checkin.recorded_all", n=recorded, month=month_label(month)))
            st.rerun()


def clean(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


# Widgets take their values from session state only (never value=/default=),
# so that setting a value here also shows in the browser.
# ---------------------------------------------------------------- the month
planned_months = sorted({m for r in rows for m in r.figures.commitments})
choices = sorted(set(months.between(months.add(this_month, -12), months.add(this_month, 12))) | set(planned_months))
month = st.selectbox(t("plan.col.month"), choices, format_func=month_label, key=common.choice("monthly_month", this_month))
if planned_months and planned_months[0] <= month:
    number = len(months.between(planned_months[0], month))
    st.caption(t("plan.monthly.month_number", n=number, first=month_label(planned_months[0])))

committed = [r for r in rows if month in r.figures.commitments]
open_rows = [r for r in rows if r.task.status in plan.OPEN_STATUSES and r.task.start_month <= month]
committed_ids = {r.task.id for r in committed}  # rows compare by value: look them up by id
candidates = committed + [r for r in open_rows if r.task.id not in committed_ids]

# ---------------------------------------------------------------- the journey's tiers
# Above the tabs, so always drawn: the browser drops what is typed in a box
# the moment its tab closes, before the box has sent it (a tab clicked
# straight after typing).
st.markdown(t("plan.monthly.tiers_now", tiers=" · ".join(f"{tier}%" for tier in tiers)))
if may_plan:
    with st.expander(t("plan.monthly.tiers_change"), icon="⚙️"):
        tiers_now = ", ".join(str(tier) for tier in tiers)
        tiers_form = common.form_state(f"monthly_tiers_{journey_id}", tiers_now)
        with st.container(border=False, key="monthly_tiers_form"):
            new_tiers = st.text_input(t("plan.col.tiers"), max_chars=40, help=t("plan.monthly.tiers_help"),
                                      key=common.start("monthly_tiers", tiers_form["opened"],
                                                       saved=tiers_form["opened"]))
            save_tiers = st.button(t("common.save"), icon="💾", key="monthly_tiers_save")
        if save_tiers:
            try:
                with common.db() as session:
                    plan.set_tiers(session, journey_id=journey_id, tiers=new_tiers,
                                   expected=tiers_form["expected"], user=user)
            except ConflictError as error:
                common.form_conflict(f"monthly_tiers_{journey_id}", tiers_now, error, "monthly_tiers")
            except CemError as error:
                common.show_error(error)
            else:
                common.form_restart(f"monthly_tiers_{journey_id}")
                common.flash(t("common.saved"))
                st.rerun()

# Only the open tab runs (on_change="rerun"): the three together cost a large
# journey's plan twice the time of one. What is typed in a grid is kept by
# its TableForm, as across a page change.
# Who may only check in starts on the check-in tab.
tab_names = [t("plan.monthly.tab_plan"), t("plan.monthly.tab_check_in"), t("plan.monthly.tab_evaluation")]
tab_plan, tab_check_in, tab_evaluation = common.lazy_tabs(tab_names, "monthly_tabs",
                                                          default=1 if may_check_in and not may_plan else 0,
                                                          kept=[(), (), ("monthly_eval_by",)])

# ---------------------------------------------------------------- 1. planning: a tier per task
if tab_plan.open:
    with tab_plan:
        if not candidates:
            st.info(t("plan.monthly.no_tasks", month=month_label(month)))
            st.page_link("pages/improvement/tasks.py", label=t("page.tasks"), icon="✅")
        elif may_plan:
            st.markdown(f"**{t('plan.monthly.pick', month=month_label(month))}**")
            st.caption(t("plan.monthly.pick_help", column=t("plan.col.tier")))
            now = {r.task.id: r.figures.commitments.get(month) for r in candidates}
            # The table starts from the plan as it was when opened: another
            # lead's save does not move what this person picked.
            form = common.form_state(f"monthly_plan_{journey_id}_{month}", now)
            table, chosen = plan_table(month, candidates, {i: form["opened"].get(i, now[i]) for i in now},
                                       "monthly_plan_grid")
            changes = unsaved(chosen, form["opened"])
            if st.button(t("plan.monthly.save_plan", month=month_label(month)) + (
                    f" ({t('plan.table.changes', n=changes)})" if changes else ""), type="primary", icon="💾",
                    key="monthly_plan_save"):
                save_plan(month, table, chosen, form, now)

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
if tab_check_in.open:
    with tab_check_in:
        st.caption(t("plan.monthly.check_in_help", month=month_label(month)))
        if not candidates:
            st.info(t("plan.monthly.no_tasks", month=month_label(month)))
        ours = [r for r in candidates if may_record(r)]  # the month's plan first, as in candidates
        theirs = [r for r in candidates if not may_record(r)]
        if ours:
            st.markdown(f"**{t('plan.checkin.table_title', month=month_label(month))}**")
            st.caption(t("plan.checkin.table_help"))
            record_check_ins(ours)
        if theirs:
            st.markdown(f"**{t('plan.checkin.others')}**")
            st.container(key="monthly_check_in_others").dataframe(
                [figures_row(r) for r in theirs], hide_index=True, width="stretch", column_order=list(FIGURE_COLUMNS),
                column_config=figure_columns())
        with_history = {r.task.id: r.task.title for r in candidates if r.figures.check_ins}
        if with_history:
            with st.expander(t("plan.checkin.history_title"), icon="🕘"):
                task_id = common.id_picker(t("plan.col.task"), with_history, "monthly_history_task")
                with common.db() as session:
                    past = plan.check_in_history(session, [task_id])[task_id]
                st.caption(t("plan.monthly.history", n=len(past)))
                st.container(key="monthly_history").dataframe(
                    [{"month": month_label(c.month), "progress": c.progress, "note": c.note,
                      "reason": c.behind_reason, "reported_by": names.get(c.reported_by_id, ""),
                      "who": c.created_by, "when": c.created_at.strftime("%Y-%m-%d %H:%M"),
                      "meeting": "📝" if c.meeting_id else ""} for c in past],
                    hide_index=True, width="stretch",
                    column_config={
                        "month": st.column_config.TextColumn(t("plan.col.month")),
                        "progress": st.column_config.NumberColumn(t("plan.col.progress"), format="%d%%"),
                        "note": st.column_config.TextColumn(t("plan.col.note"), width="large"),
                        "reason": st.column_config.TextColumn(t("plan.col.behind_reason")),
                        "reported_by": st.column_config.TextColumn(t("fig.col.reported_by")),
                        "who": st.column_config.TextColumn(t("plan.table.recorded_by")),
                        "when": st.column_config.TextColumn(t("plan.table.recorded_at")),
                        "meeting": st.column_config.TextColumn(t("plan.table.in_meeting"), width="small"),
                    })

# ---------------------------------------------------------------- 3. evaluation, and the next month
if tab_evaluation.open:
    with tab_evaluation:
        figures = plan.series(rows, month, month)[0]
        st.container(key="monthly_eval_headline").markdown(f"**{headline(figures, t)}**")
        st.caption(t("fig.rule"))
        a, b, c, d = st.columns(4)
        a.metric(t("plan.eval.committed_tasks"), figures.committed_tasks)
        b.metric(t("plan.eval.on_target"), t("fig.eval_by_group", n=figures.on_target, m=figures.committed_tasks))
        c.metric(t("plan.eval.committed_percent"), points_text(figures.average_tier))
        d.metric(t("plan.eval.achieved_percent"), points_text(figures.average_gain, signed=True),
                 delta=points_text(figures.average_gain - figures.average_tier, signed=True)
                 if figures.committed_tasks else None)
        if not figures.committed_tasks:
            st.info(t("plan.eval.nothing", month=month_label(month)))
        else:
            groupings = ("tier", "stage", "department", "owner")
            by = st.segmented_control(t("plan.eval.group_by"), groupings, required=True,
                                      format_func=lambda g: t(f"plan.eval.by_{g}"), key=common.start("monthly_eval_by", "tier"))
            st.container(key="monthly_eval_table").dataframe(
                [{"name": g.name, "tasks": g.committed_tasks, "on_target": g.on_target,
                  "committed": g.average_tier, "achieved": g.average_gain,
                  "share": round(100 * g.on_target / g.committed_tasks)} for g in plan.evaluation(rows, month, by=by)],
                hide_index=True, width="stretch",
                column_config={
                    "name": st.column_config.TextColumn(t(f"plan.eval.by_{by}")),
                    "tasks": st.column_config.NumberColumn(t("plan.eval.committed_tasks")),
                    "on_target": st.column_config.NumberColumn(t("plan.eval.on_target")),
                    "committed": st.column_config.NumberColumn(t("plan.eval.committed_percent"), format="%.1f"),
                    "achieved": st.column_config.NumberColumn(t("plan.eval.achieved_percent"), format="%+.1f"),
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
            now_next = {r.task.id: r.figures.commitments.get(following) for r in proposed}
            form_next = common.form_state(f"monthly_plan_{journey_id}_{following}", now_next)
            start_next = {}
            for row in proposed:
                existing = form_next["opened"].get(row.task.id, now_next[row.task.id])
                last = row.last_tier(month)
                start_next[row.task.id] = existing if existing is not None else (last if last in tiers else None)
            table_next, chosen_next = plan_table(
                following, proposed, start_next, "monthly_next_grid",
                extra={"progress": lambda r: r.progress(month), "last_tier": lambda r: r.last_tier(month)})
            if st.button(t("plan.next.save", month=month_label(following)), type="primary", icon="📅",
                         key="monthly_next_save"):
                save_plan(following, table_next, chosen_next, form_next, now_next)
