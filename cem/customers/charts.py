"""Charts of the 20:80 analysis: plain plotly figures from a Pareto result,
testable without Streamlit. Labels come through `tr`."""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import plotly.graph_objects as go

from cem.core import months
from cem.customers.pareto import Pareto
from cem.journey.charts import FONT_FAMILY, _plain  # the same escaping of user text in labels

Translate = Callable[..., str]
MAX_BARS = 60  # more customers than this are drawn as groups of customers of the same size
CLASS_COLOURS = {"A": "#1F77B4", "B": "#7FB3D5", "C": "#C9D6E3"}
LINE_COLOUR, TARGET_COLOUR = "#E45756", "#888888"


def _layout(figure: go.Figure, title: str, height: int = 460) -> go.Figure:
    figure.update_layout(title={"text": title, "x": 0.01}, height=height, plot_bgcolor="white",
                         paper_bgcolor="white", font={"family": FONT_FAMILY, "size": 14},
                         margin={"l": 20, "r": 20, "t": 90, "b": 20},
                         legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    return figure


def _count(tr: Translate, key: str, n: int) -> str:
    """`key.one` for 1, `key.many` otherwise."""
    return tr(f"{key}.{'one' if n == 1 else 'many'}", n=n)


def _empty(title: str, tr: Translate) -> go.Figure:
    figure = go.Figure()
    figure.add_annotation(text=tr("customers.none_in_period"), showarrow=False, font={"size": 16})
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return _layout(figure, title)


def groups(result: Pareto, most: int = MAX_BARS) -> list[tuple[int, int]]:
    """(first, last) ranks of each bar, from 1: one customer each, or equal
    groups of customers when there are more than `most`."""
    size = max(1, math.ceil(result.customers / most))
    return [(start + 1, min(start + size, result.customers)) for start in range(0, result.customers, size)]


def pareto_chart(result: Pareto, tr: Translate) -> go.Figure:
    """Revenue per customer (or group of customers) from the highest, the
    cumulative share of revenue, and the 80 % line; the title and the axis
    say which the bars are."""
    if not result.customers:
        return _empty(tr("customers.chart.pareto"), tr)
    bars = groups(result)
    size = bars[0][1] - bars[0][0] + 1
    if size == 1:
        title, axis = tr("customers.chart.pareto"), tr("customers.chart.rank")
    else:
        title = tr("customers.chart.pareto_groups", size=size)
        axis = tr("customers.chart.ranks", size=size)
    labels = [str(a) if a == b else f"{a}–{b}" for a, b in bars]
    revenue = [float(result.revenue[a - 1:b].sum()) for a, b in bars]
    cumulative = [float(result.cumulative_share[b - 1]) * 100 for _, b in bars]
    colours = [CLASS_COLOURS[str(result.classes[a - 1])] for a, _ in bars]
    figure = go.Figure()
    figure.add_bar(x=labels, y=revenue, marker_color=colours, name=tr("customers.chart.revenue"),
                   hovertemplate="%{x}: %{y:,.0f} ฿<extra></extra>")
    figure.add_scatter(x=labels, y=cumulative, yaxis="y2", mode="lines+markers", line_color=LINE_COLOUR,
                       name=tr("customers.chart.cumulative"), hovertemplate="%{x}: %{y:.1f} %<extra></extra>")
    figure.add_scatter(x=[labels[0], labels[-1]], y=[80, 80], yaxis="y2", mode="lines", name="80 %",
                       line={"color": TARGET_COLOUR, "dash": "dash"}, hoverinfo="skip")
    figure.update_layout(
        xaxis={"title": axis, "type": "category"},
        yaxis={"title": tr("customers.chart.revenue_axis"), "tickformat": ",.0f", "gridcolor": "#EEEEEE"},
        yaxis2={"title": tr("customers.chart.cumulative_axis"), "overlaying": "y", "side": "right",
                "range": [0, 105], "tickvals": [0, 20, 40, 60, 80, 100],
                "ticktext": [f"{v} %" for v in (0, 20, 40, 60, 80, 100)], "showgrid": False})
    return _layout(figure, title)


def lorenz_chart(result: Pareto, tr: Translate) -> go.Figure:
    """The Lorenz curve against the line of equal revenue."""
    title = tr("customers.chart.lorenz")
    if not result.customers:
        return _empty(title, tr)
    x, y = result.lorenz()
    if len(x) > 2 * MAX_BARS * 10:  # enough points to draw the curve
        keep = np.unique(np.linspace(0, len(x) - 1, 2 * MAX_BARS * 10).astype(int))
        x, y = x[keep], y[keep]
    figure = go.Figure()
    figure.add_scatter(x=x * 100, y=y * 100, mode="lines", line_color=LINE_COLOUR, fill="tonexty",
                       name=tr("customers.chart.lorenz_curve"), hovertemplate="%{x:.0f} % → %{y:.1f} %<extra></extra>")
    figure.add_scatter(x=[0, 100], y=[0, 100], mode="lines", line={"color": TARGET_COLOUR, "dash": "dot"},
                       name=tr("customers.chart.equal"), hoverinfo="skip")
    figure.update_layout(xaxis={"title": tr("customers.chart.lorenz_x"), "ticksuffix": " %", "range": [0, 100]},
                         yaxis={"title": tr("customers.chart.lorenz_y"), "ticksuffix": " %", "range": [0, 100],
                                "gridcolor": "#EEEEEE"})
    return _layout(figure, title)


def revenue_trend_chart(trend: list[tuple[str, float]], tr: Translate, lang: str) -> go.Figure:
    """One customer's revenue by month: bars, credit notes below zero."""
    figure = go.Figure(go.Bar(x=[months.label(m, lang, short=True) for m, _ in trend], y=[v for _, v in trend],
                              marker_color=CLASS_COLOURS["A"], hovertemplate="%{x}: ฿%{y:,.0f}<extra></extra>"))
    figure.update_yaxes(title=tr("profile.trend_axis"), tickprefix="฿", separatethousands=True, gridcolor="#EEE")
    return _layout(figure, tr("profile.trend_title"), height=320)


def risk_heatmap(tree, risk, tr: Translate) -> go.Figure:
    """Revenue at risk of each sub-step with complaints (rows), from every
    customer who complained and from the VIPs among them (columns); the
    cells say the amount and the number of complaints."""
    rows, values, texts = [], [], []
    for number, stage in enumerate(tree.stages, start=1):
        for step_no, view in enumerate(stage.steps, start=1):
            found = risk.steps.get(view.step.id)
            if found is None:
                continue
            rows.append(f"{number}.{step_no} {_plain(view.step.name)[:40]}")
            values.append([found.revenue, found.vip_revenue])
            texts.append([f"฿{found.revenue:,.0f}<br>{_count(tr, 'risk.hover', found.complaints)}",
                          f"฿{found.vip_revenue:,.0f}<br>{_count(tr, 'risk.hover_vips', len(found.vips))}"])
    if not rows:
        figure = go.Figure()
        figure.add_annotation(text=tr("risk.none"), showarrow=False, font={"size": 16})
        figure.update_xaxes(visible=False)
        figure.update_yaxes(visible=False)
        return _layout(figure, tr("risk.heatmap_title"), height=260)
    figure = go.Figure(go.Heatmap(
        z=values, x=[tr("risk.all_customers"), tr("risk.vip_customers")], y=rows, colorscale="OrRd", zmin=0,
        text=texts, texttemplate="%{text}", hovertemplate="%{y}<br>%{x}: ฿%{z:,.0f}<extra></extra>",
        colorbar={"title": {"text": tr("risk.baht")}}))
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _layout(figure, tr("risk.heatmap_title"), max(320, 110 + 40 * len(rows)))
