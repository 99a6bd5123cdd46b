"""Customer life cycle: the stages drawn as a cycle, the last leading back
to the first, with open pain points per stage."""
import streamlit as st

from cem.journey import charts
from ui import charts as ui_charts
from ui import common
from ui.live import watch

common.ensure_entry_point()

t = common.t
st.title(t("page.cycle"))
journey_id = common.require_journey()

tree = common.journey_tree(journey_id)
watch(journey_id, tree.journey.revision, redraw=True)

st.caption(t("cycle.intro"))

steps = tree.all_steps()
pains = [p for _, view in steps for p in view.pain_points]
cols = st.columns(4)
cols[0].metric(t("cycle.stages"), len(tree.stages))
cols[1].metric(t("cycle.steps"), len(steps))
cols[2].metric(t("cycle.open_pains"), sum(1 for p in pains if p.status == "open"))
cols[3].metric(t("cycle.ideas"), sum(len(view.ideas) for _, view in steps))

ui_charts.chart(lambda: charts.cycle_diagram(tree, t), key="cycle_chart", config={"displaylogo": False},
                cache_key=(common.database_url(), journey_id, tree.journey.revision, common.lang()))
