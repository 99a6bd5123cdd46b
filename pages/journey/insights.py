"""Emotion curve and heat maps: where the customer feels worst, where the
pain is, and how each touchpoint rates as easy, convenient, fast and
correct."""
import streamlit as st

from cem.customers import charts as customer_charts
from cem.journey import charts
from ui import charts as ui_charts
from ui import common
from ui.live import watch
from ui.risk import journey_risk_and_key

common.ensure_entry_point()

t = common.t
st.title(t("page.insights"))
journey_id = common.require_journey()



tree = common.journey_tree(journey_id)
watch(journey_id, tree.journey.revision, redraw=True)

st.caption(t("insights.intro"))
config = {"displaylogo": False}

# Each chart is built once per revision of the map and language (see ui.charts).
shown = (common.database_url(), journey_id, tree.journey.revision, common.lang())
ui_charts.chart(lambda: charts.emotion_curve(tree, t), cache_key=shown, key="insights_emotion", config=config)
points = charts.emotion_points(tree)
low = charts.lowest_points(points)
if low:
    st.markdown(t("insights.lowest_are") + "\n" + "\n".join(
        f"- {common.md(points[i]['label'])} ({points[i]['now']:+d})" for i in low))

open_only = st.toggle(t("insights.open_only"), value=False, key="insights_open_only")
left, right = st.columns(2)
ui_charts.chart(lambda: charts.pain_heatmap(tree, t, open_only=open_only), cache_key=(*shown, open_only),
                key="insights_pain_heatmap", config=config, where=left)
ui_charts.chart(lambda: charts.quality_heatmap(tree, t), cache_key=shown, key="insights_quality_heatmap",
                config=config, where=right)

risk, risk_key = journey_risk_and_key(journey_id)
if risk is not None:  # once there are complaints: where the revenue behind them is
    ui_charts.chart(lambda: customer_charts.risk_heatmap(tree, risk, t), cache_key=(*risk_key, common.lang()),
                    key="insights_risk_heatmap", config=config)
    st.caption(t("risk.help"))
