"""What to fix first: every open pain point and idea of the journey by
customer impact and effort, drawn as a matrix; the team sets the effort
(and may override the impact), then picks items into next month's
30/20/10 plan."""
from datetime import date

import streamlit as st

from cem.core import months
from cem.core.errors import CemError
from cem.core.text import shorten
from cem.core.db import get_engine, session_scope
from cem.improvement import indicators, plan, priorities
from cem.improvement.priority_charts import matrix_chart, point_id
from ui import auth, common
from ui.charts import chart
from ui.table_form import TableForm

common.ensure_entry_point()

t = common.translator()
lang = common.lang()
user = common.user()
next_month = months.add(months.this_month(), 1)

st.title(t("prio.title"))
st.caption(t("prio.formula"))
st.caption(t("prio.order"))
journey_id = common.require_journey()



@st.cache_resource(max_entries=16, show_spinner=False)
def matrix(url: str, journey_id: int, stamp: tuple, today: date) -> list[priorities.PriorityItem]:
    """The items once per change of what their impact is worked out from
    (the map, feedback, complaints, bills: indicators.values_stamp)."""
    with session_scope(get_engine(url)) as session:
        return priorities.matrix(session, journey_id, today=today)


with common.db() as session:
    stamp = indicators.values_stamp(session)
    tiers = plan.journey_tiers(session, journey_id)
items = matrix(common.database_url(), journey_id, stamp, date.today())
if not items:
    st.info(t("prio.none"))
    st.stop()

may_estimate, may_plan = auth.allowed("map.edit"), auth.allowed("plan.edit")
editable = (["effort", "impact_by_hand"] if may_estimate else []) + (["pick", "tier", "fix"] if may_plan else [])
table = TableForm(f"prio_table_{journey_id}", editable=editable,
                  dtypes={"id": "string", "pick": "boolean", "tier": "Int64", "fix": "string", "effort": "Int64",
                          "impact_by_hand": "Int64"})
PICKED_ON_MATRIX = f"prio_matrix_picked_{journey_id}"
MATRIX_CACHE_KEY = ("prio_matrix", stamp, lang)  # a new key draws a new chart, with nothing selected on it


def picked_before() -> set[str]:
    """What the chart drawn now has selected, as this page last took it."""
    kept = st.session_state.get(PICKED_ON_MATRIX)
    return kept[1] if kept and kept[0] == MATRIX_CACHE_KEY else set()


def picked_on_matrix() -> None:
    """The points picked on the matrix tick their rows' pick box; points
    left out of a new pick are unticked again. Points already planned carry
    no id (priority_charts), so a box drawn over them leaves them out."""
    points = st.session_state[f"prio_matrix_{journey_id}"].selection.points
    now = {point["customdata"] for point in points if isinstance(point.get("customdata"), str) and point["customdata"]}
    before = picked_before()
    applied = table.put({row_id: {"pick": True} for row_id in now - before}
                        | {row_id: {"pick": False} for row_id in before - now})
    st.session_state[PICKED_ON_MATRIX] = (MATRIX_CACHE_KEY, (before & now) | (applied & now))


chart(lambda: matrix_chart(items, t), cache_key=MATRIX_CACHE_KEY, key=f"prio_matrix_{journey_id}",
      on_select=picked_on_matrix if may_plan else "ignore")
st.caption(t("prio.chart.help") + (" " + t("prio.chart.pick") if may_plan else ""))


def row(item: priorities.PriorityItem) -> dict:
    return {"id": point_id(item), "version": item.version, "pick": False, "tier": None, "fix": "",
            "text": shorten(item.text, 90), "kind": t(f"prio.kind.{item.kind}"),
            "where": f"{item.stage_name} › {item.step_name}", "impact": item.impact.value,
            "computed": item.impact.computed, "impact_by_hand": item.impact.by_hand, "effort": item.effort,
            "voices": item.impact.voices, "complaints": item.impact.complaints, "revenue": item.impact.revenue,
            "state": state(item)}


def state(item: priorities.PriorityItem) -> str:
    if item.planned:
        return t("prio.planned")
    return t("prio.needs_fix") if item.kind == "painpoint" and item.measures == 0 else ""


columns = {
    "text": st.column_config.TextColumn(t("prio.col.item"), width="large", pinned=True),
    "impact": st.column_config.NumberColumn(t("prio.col.impact"), help=t("prio.formula")),
    "effort": st.column_config.NumberColumn(t("prio.col.effort"), min_value=1, max_value=5, step=1,
                                            help=t("prio.effort_help")),
    "pick": st.column_config.CheckboxColumn(t("prio.col.pick"), help=t("prio.pick_help")),
    "tier": st.column_config.SelectboxColumn(t("prio.col.tier"), options=list(tiers),
                                             format_func=lambda tier: f"{tier}%"),
    "fix": st.column_config.TextColumn(t("prio.col.fix"), help=t("prio.fix_help"), max_chars=2000),
    "state": st.column_config.TextColumn(t("prio.col.state")),
    "kind": st.column_config.TextColumn(t("prio.col.kind")),
    "where": st.column_config.TextColumn(t("prio.col.where")),
    "computed": st.column_config.NumberColumn(t("prio.col.computed")),
    "impact_by_hand": st.column_config.NumberColumn(t("prio.col.impact_by_hand"), min_value=1, max_value=5, step=1),
    "voices": st.column_config.NumberColumn(t("prio.col.voices")),
    "complaints": st.column_config.NumberColumn(t("prio.col.complaints")),
    "revenue": st.column_config.NumberColumn(t("prio.col.revenue"), format="฿%,.0f"),
}
drafts = table.show([row(item) for item in items], columns=columns, container=st.container(key="prio_box"))
st.caption(t("prio.how_tasks"))
by_id = {point_id(item): item for item in items}


def save_estimates() -> None:
    """The efforts and impacts changed from what the table drew, each saved
    on the item's version as drawn: a row ticked or typed in for another
    column never writes back the estimate it was drawn with, and someone
    else's newer estimate is refused, not overwritten."""
    drawn = table.drawn()
    changed = [(by_id[row_id], drawn[row_id], values) for row_id, values in drafts.items()
               if row_id in by_id and row_id in drawn and any(
                   values.get(column) != drawn[row_id][column] for column in ("effort", "impact_by_hand"))]
    try:
        with common.db() as session:
            for item, as_drawn, values in changed:
                priorities.set_priority(session, journey_id=journey_id, kind=item.kind, item_id=item.id,
                                        version=as_drawn["version"], effort=values.get("effort"),
                                        impact_by_hand=values.get("impact_by_hand"), user=user)
    except CemError as error:
        common.show_error(error)
        return
    table.clear()
    st.session_state.pop(PICKED_ON_MATRIX, None)
    common.saved(t("prio.saved", n=len(changed)))


def plan_picked() -> None:
    picks = [(by_id[row_id].kind, by_id[row_id].id, values.get("tier") or tiers[0], values.get("fix") or "")
             for row_id, values in drafts.items() if row_id in by_id and values.get("pick")]
    try:
        with common.db() as session:
            made = priorities.plan_next_month(session, journey_id=journey_id, picks=picks, month=next_month,
                                              user=user)
    except CemError as error:
        common.show_error(error)
        return
    table.clear()
    st.session_state.pop(PICKED_ON_MATRIX, None)
    common.saved(t("prio.planned_message", n=len(made), month=months.label(next_month, lang)))


left, right = st.columns(2)
if may_estimate and left.button(t("prio.save"), key="prio_save", icon="💾"):
    save_estimates()
picked = sum(1 for row_id, values in drafts.items() if row_id in by_id and values.get("pick"))
plan_label = t("prio.plan_next_month") + f" ({months.label(next_month, lang)})" + (
    f" · {t('prio.picked_n', n=picked)}" if picked else "")
if may_plan and right.button(plan_label, key="prio_plan", type="primary", icon="📅"):
    plan_picked()
