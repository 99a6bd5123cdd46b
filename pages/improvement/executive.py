"""The executive view, readable in a minute: KPI cards against last month,
month-by-month improvement, progress by stage and department, the
emotion curve, and a one-page monthly report to print.

The plan is read once per plan revision (cem.improvement.executive.plan_revision, one
query per rerun) and kept as arrays shared by every session; each rerun
only slices them for the filters and draws the charts."""
from datetime import date
from functools import cache, partial

import pandas as pd
import streamlit as st

from cem.core import i18n, months
from cem.customers import complaints
from cem.improvement import exec_charts, executive, measures_view, report
from cem.journey import charts, services
from cem.core.db import get_engine, session_scope
from ui import charts as ui_charts
from ui import measures as ui_measures
from ui import common, widgets

common.ensure_entry_point()

t = common.t
lang = common.lang()
st.title(t("page.executive"))
current = common.require_journey()


@st.cache_resource(max_entries=8, show_spinner=False)
def plan_data(url: str, journey_ids: tuple[int, ...], revision: tuple[int, ...]) -> executive.PlanData:
    """The journeys' plan as arrays, once per plan revision and shared by
    every session. Read-only: never change what it returns."""
    with session_scope(get_engine(url)) as session:
        return executive.load_plan(session, journey_ids, figures=common.task_figures(session, list(journey_ids)))


@st.cache_data(max_entries=16, show_spinner=False)
def top_risks(url: str, journey_ids: tuple[int, ...], stamp: tuple, revisions: tuple[int, ...], today: date,
              count: int = 10):
    """The sub-steps with the most revenue at risk, across the journeys, once
    per change of complaints, VIPs or bills, or of a journey's map."""
    rows = []
    with session_scope(get_engine(url)) as session:
        for journey_id in journey_ids:
            risk = complaints.revenue_at_risk(session, journey_id, today=today)
            tree = common.journey_tree(journey_id)  # shared, read once per revision
            for stage, view in tree.all_steps():
                found = risk.steps.get(view.step.id)
                if found:
                    rows.append({"step": f"{stage.stage.name} › {view.step.name}", "complaints": found.complaints,
                                 "open": found.open, "customers": len(found.customers), "revenue": found.revenue,
                                 "vips": len(found.vips), "vip_revenue": found.vip_revenue})
    return sorted(rows, key=lambda r: (-r["revenue"], -r["complaints"]))[:count]


def keep_valid(key: str, options: list, default: list) -> None:
    """Drop choices that are no longer offered (a journey or stage was
    deleted, another journey chosen) before the widget is drawn."""
    chosen = st.session_state.get(key)
    if chosen is None:
        st.session_state[key] = default
    elif any(value not in options for value in chosen):
        st.session_state[key] = [value for value in chosen if value in options]


# ---------------------------------------------------------------- filters

with common.db() as session:
    journeys = services.list_journeys(session)
names = {j.id: j.name for j in journeys}
# The journey choice starts at (and follows) the journey chosen in the sidebar.
if st.session_state.get("exec_journeys_for") != current or "exec_journeys" not in st.session_state:
    st.session_state["exec_journeys"] = [current]
    st.session_state["exec_journeys_for"] = current
keep_valid("exec_journeys", list(names), [current])

st.caption(t("exec.intro"))
filter_cols = st.columns([3, 3, 2, 3])
chosen = widgets.multiselect(t("exec.filter.journeys"), list(names), format_func=names.get, key="exec_journeys",
                             where=filter_cols[0])
if not chosen:
    st.info(t("exec.pick_journey"))
    st.stop()
journey_ids = tuple(sorted(chosen))

with common.db() as session:
    revision = executive.plan_revision(session, journey_ids)
data = plan_data(common.database_url(), journey_ids, revision)

many = len(journey_ids) > 1
stage_labels = {s.id: f"{s.journey_name} · {s.position}. {s.name}" if many else f"{s.position}. {s.name}"
                for s in data.stages}
keep_valid("exec_stages", list(stage_labels), [])
stage_ids = filter_cols[1].multiselect(t("exec.filter.stages"), list(stage_labels), format_func=stage_labels.get,
                                       key="exec_stages", placeholder=t("exec.filter.all_stages"))

departments = data.departments
keep_valid("exec_departments", departments, [])
chosen_departments = filter_cols[2].multiselect(
    t("exec.filter.departments"), departments, format_func=lambda d: d or t("exec.no_department"),
    key="exec_departments", placeholder=t("exec.filter.all_departments"))

month_list = executive.month_options(data)
default_range = tuple(executive.default_range(data))
range_now = st.session_state.get("exec_months")
offered = isinstance(range_now, (tuple, list)) and len(range_now) == 2 and all(m in month_list for m in range_now)
# Back to the default when the months are no longer offered, and follow the
# data (a newer month checked in) while the reader has not moved the range.
following = offered and tuple(range_now) == st.session_state.get("exec_months_default") != default_range
if range_now is not None and (not offered or following):
    del st.session_state["exec_months"]
st.session_state["exec_months_default"] = default_range
first, last = filter_cols[3].select_slider(t("exec.filter.months"), month_list, value=default_range,
                                           key="exec_months", format_func=lambda m: months.label(m, lang, short=True))

filters = executive.Filters(journey_ids=journey_ids, first=first, last=last, stage_ids=tuple(stage_ids),
                            departments=tuple(chosen_departments))
summary = executive.summarise(data, filters)

# The emotion curve shows one journey: the sidebar's, unless another is chosen below.
if st.session_state.get("exec_emotion_journey") not in journey_ids:
    st.session_state["exec_emotion_journey"] = current if current in journey_ids else journey_ids[0]
emotion_journey = st.session_state["exec_emotion_journey"]
tree = common.journey_tree(emotion_journey)
own_stages = {s.stage.id for s in tree.stages}
emotion_tree = executive.emotion_tree(tree, [s for s in stage_ids if s in own_stages])

# ---------------------------------------------------------------- KPI cards

head, download = st.columns([3, 1], vertical_alignment="center")
notes = [t("exec.month_vs", month=months.label(summary.month, lang),
           previous=months.label(summary.previous_month, lang))]
if summary.month == months.this_month():
    notes.append(t("exec.running_month", month=months.label(summary.month, lang)))
notes.append(t("fig.cards_month", month=months.label(summary.month, lang)))
if chosen_departments:
    notes.append(t("exec.pains_no_department"))
head.markdown("**" + notes[0] + "**" + ("  \n" + "  \n".join(notes[1:]) if notes[1:] else ""))

report_lang, report_tr = lang, partial(i18n.t, lang=lang)
measures = ui_measures.level_summary(months.between(first, last), journey_ids)


def build_report() -> bytes:
    """Made only when the button is pressed (in another thread: no st.* here)."""
    return report.monthly_report(summary, lang=report_lang, tr=report_tr, tree=emotion_tree,
                                 measures=measures).encode("utf-8")


download.download_button(t("exec.report.download"), data=build_report, file_name=report.report_file_name(summary),
                         mime="text/html", key="exec_report", on_click="ignore", help=t("exec.report.help"),
                         icon=":material/download:", width="stretch")

for column, card in zip(st.columns(4), report.kpi_cards(summary, t)):
    with column:
        trend = [v for v in card.trend if v is not None]
        st.metric(card.label, card.value, delta=card.delta, border=True, help=card.help,
                  delta_color="off" if card.sign == 0 else ("normal" if card.up_is_good else "inverse"),
                  delta_arrow="off" if card.sign == 0 else "auto",
                  delta_description=t("exec.kpi.vs_last") if card.delta is not None else None,
                  chart_data=trend if len(trend) > 1 else None, chart_type="line")
        st.caption(card.detail)

st.caption(t("fig.rule"))
if not summary.now.tasks:
    st.info(t("exec.no_tasks"))

# ---------------------------------------------------------------- tasks behind target, and why

st.subheader(t("fig.behind_title", month=months.label(summary.month, lang)), anchor=False,
             help=t("fig.behind_help"))
if not summary.behind:
    st.caption(t("fig.behind_none", month=months.label(summary.month, lang)))
else:  # table cells are shown as typed, never read as Markdown or HTML
    st.container(key="exec_behind_table").dataframe(
        [{"task": b.title, "owner": b.owner, "department": b.department or t("exec.no_department"),
          "tier": b.tier, "gain": b.gain, "progress": b.progress, "reason": b.reason} for b in summary.behind],
        hide_index=True, width="stretch",
        column_config={
            "task": st.column_config.TextColumn(t("plan.col.task"), width="large"),
            "owner": st.column_config.TextColumn(t("plan.table.owner")),
            "department": st.column_config.TextColumn(t("plan.col.department")),
            "tier": st.column_config.NumberColumn(t("plan.col.tier"), format="%d%%"),
            "gain": st.column_config.NumberColumn(t("fig.col.gain"), format="%+d"),
            "progress": st.column_config.ProgressColumn(t("fig.col.progress"), min_value=0, max_value=100,
                                                        format="%d%%"),
            "reason": st.column_config.TextColumn(t("plan.col.behind_reason"), width="large"),
        })

# ---------------------------------------------------------------- charts


def chart_config(name: str) -> dict:
    """The modebar's camera button downloads the chart as a PNG."""
    return {"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"],
            "toImageButtonOptions": {"format": "png", "filename": f"cem-{name}-{summary.month}", "scale": 2}}


# The charts are built once per plan revision, filters, month and language (see ui.charts).
shown = (common.database_url(), revision, filters, months.this_month(), lang)
st.subheader(t("exec.section.monthly"))
monthly = cache(lambda: exec_charts.monthly_charts(summary, lang, t))  # the four are built together
for pair in (("committed", "cumulative"), ("on_target", "resolved")):
    for column, name in zip(st.columns(2), pair):
        ui_charts.chart(lambda name=name: monthly()[name], cache_key=shown,
                        key=f"exec_chart_{name}", config=chart_config(name), where=column)

st.subheader(t("measure.title"))
st.caption(t("measure.exec_help"))
for pair in (measures[:2], measures[2:]):
    for column, level in zip(st.columns(2), pair):
        rows = [measures_view.row(status, t, lang) for status in level.measures]
        column.markdown(f"**{common.md(measures_view.level_title(level, t))}**")
        if not rows:
            column.caption(t("measure.level_empty"))
            continue
        column.dataframe(pd.DataFrame(rows), hide_index=True, key=f"exec_measures_{level.level}",
                         column_order=["measure", "value", "target", "meets", "series"], column_config={
                             "measure": st.column_config.TextColumn(t("measure.col.name")),
                             "value": st.column_config.TextColumn(t("measure.col.value")),
                             "target": st.column_config.TextColumn(t("measure.col.target")),
                             "meets": st.column_config.TextColumn(t("measure.col.meets")),
                             "series": st.column_config.LineChartColumn(t("measure.col.trend"))})
st.page_link("pages/improvement/measures.py", label=t("measure.open_page"), icon="📏")

st.subheader(t("exec.section.where"))
left, right = st.columns(2)
ui_charts.chart(lambda: exec_charts.by_stage(summary, t), cache_key=shown, key="exec_chart_by_stage",
                config=chart_config("by_stage"), where=left)
ui_charts.chart(lambda: exec_charts.by_department(summary, t), cache_key=shown, key="exec_chart_by_department",
                config=chart_config("by_department"), where=right)

st.subheader(t("exec.section.emotion"))
if many:
    st.selectbox(t("exec.emotion_journey"), list(journey_ids), format_func=names.get, key="exec_emotion_journey")
ui_charts.chart(lambda: charts.emotion_curve(emotion_tree, t), key="exec_chart_emotion",
                cache_key=(common.database_url(), tree.journey.revision, emotion_journey, tuple(stage_ids), lang),
                config=chart_config("emotion"))

# ---------------------------------------------------------------- revenue at risk
with common.db() as session:
    risk_stamp = complaints.stamp(session)
if risk_stamp[0]:  # once there are complaints
    st.subheader(t("risk.exec_title"))
    st.caption(t("risk.exec_help"))
    risk_rows = top_risks(common.database_url(), journey_ids, risk_stamp, revision, date.today())
    if risk_rows:
        st.dataframe(pd.DataFrame(risk_rows).rename(columns=lambda c: t(f"risk.col.{c}")), hide_index=True,
                     key="exec_risk", column_config={
                         t("risk.col.revenue"): st.column_config.NumberColumn(format="฿%,.0f"),
                         t("risk.col.vip_revenue"): st.column_config.NumberColumn(format="฿%,.0f")})
    else:
        st.info(t("risk.none"))
