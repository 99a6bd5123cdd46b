"""The impact/effort matrix as a plotly figure: effort across (1 easy to 5
hard), customer impact up (1 to 5). Items at the same place are spread a
little so that each can be seen; the top-left corner (high impact, little
effort) is what to fix first. Labels come through `tr`."""
from __future__ import annotations

from collections import defaultdict
from typing import Callable

import plotly.graph_objects as go

from cem.core.models import EFFORT_MAX, EFFORT_MIN
from cem.core.text import shorten
from cem.improvement.priorities import IMPACT_MAX, PriorityItem, explain
from cem.journey.charts import FONT_FAMILY, _plain

Translate = Callable[..., str]
COLOURS = {"painpoint": "#E45756", "idea": "#4C78A8"}
NOT_ESTIMATED = 0  # where items without an effort yet are drawn, left of the scale


def _spread(items: list[PriorityItem]) -> dict[tuple[str, int], tuple[float, float]]:
    """Each item's point, spread in a small circle around its cell."""
    cells: dict[tuple[int, int], list[PriorityItem]] = defaultdict(list)
    for item in items:
        cells[(item.effort or NOT_ESTIMATED, item.impact.value)].append(item)
    points = {}
    for (effort, impact), here in cells.items():
        for n, item in enumerate(here):
            offset = 0.0 if len(here) == 1 else 0.28 * ((n % 5) - 2) / 2
            lift = 0.0 if len(here) <= 5 else 0.18 * (n // 5 - (len(here) // 5) / 2)
            points[(item.kind, item.id)] = (effort + offset, impact + lift)
    return points


def point_id(item: PriorityItem) -> str:
    """What a picked point carries back: the item's row id on the page."""
    return f"{item.kind}:{item.id}"


def matrix_chart(items: list[PriorityItem], tr: Translate) -> go.Figure:
    points = _spread(items)
    figure = go.Figure()
    figure.add_shape(type="rect", x0=EFFORT_MIN - 0.5, x1=3, y0=3, y1=IMPACT_MAX + 0.5, line={"width": 0},
                     fillcolor="rgba(84,162,75,0.10)", layer="below")
    figure.add_annotation(x=EFFORT_MIN - 0.4, y=IMPACT_MAX + 0.4, text=tr("prio.chart.first"), showarrow=False,
                          xanchor="left", font={"color": "#2E7D32"})
    for kind in ("painpoint", "idea"):
        these = [item for item in items if item.kind == kind]
        if not these:
            continue
        figure.add_trace(go.Scatter(
            x=[points[(i.kind, i.id)][0] for i in these], y=[points[(i.kind, i.id)][1] for i in these],
            mode="markers", name=tr(f"prio.kind.{kind}"),
            customdata=["" if i.planned else point_id(i) for i in these],  # a planned item is not picked again
            marker={"size": 14, "color": ["white" if i.planned else COLOURS[kind] for i in these],
                    "line": {"color": COLOURS[kind], "width": 2}},
            text=[f"{_plain(shorten(i.text, 70))}<br>{_plain(i.stage_name)} › {_plain(i.step_name)}<br>"
                  f"{_plain(explain(i.impact, tr))}" + (f"<br>{tr('prio.planned')}" if i.planned else "")
                  for i in these],
            hovertemplate="%{text}<extra></extra>"))
    figure.update_xaxes(range=[NOT_ESTIMATED - 0.6, EFFORT_MAX + 0.5], tickvals=[NOT_ESTIMATED, *range(1, 6)],
                        ticktext=[tr("prio.chart.no_effort"), *map(str, range(1, 6))], title=tr("prio.col.effort"),
                        gridcolor="#EEE", zeroline=False)
    figure.update_yaxes(range=[0.5, IMPACT_MAX + 0.5], dtick=1, title=tr("prio.col.impact"), gridcolor="#EEE")
    figure.update_layout(title={"text": tr("prio.chart.title"), "x": 0.01}, height=480, plot_bgcolor="white",
                         paper_bgcolor="white", font={"family": FONT_FAMILY, "size": 14},
                         margin={"l": 20, "r": 20, "t": 70, "b": 20},
                         legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    return figure
