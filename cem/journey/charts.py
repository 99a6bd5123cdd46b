"""Chart builders: plain plotly figures from a JourneyTree, testable
without Streamlit. Labels come through `tr`, a translation function for
the reader's language (key, **params) -> str."""
from __future__ import annotations

import math
from typing import Callable

import plotly.graph_objects as go

from cem.core.models import PHASES, QUALITIES, SEVERITY_MAX, SEVERITY_MIN
from cem.journey.services import JourneyTree
from cem.core.text import shorten

Translate = Callable[..., str]

# Thai needs a font that has its glyphs; the first one the browser has wins.
FONT_FAMILY = ("Sarabun, 'Noto Sans Thai', 'Noto Sans Thai UI', 'Leelawadee UI', Tahoma, "
               "Loma, Garuda, 'TH Sarabun New', 'Noto Sans', sans-serif")
PHASE_COLOURS = {"before": "#4C78A8", "during": "#F58518", "after": "#54A24B", "": "#8C8C8C"}
NOW_COLOUR, TARGET_COLOUR, LOW_COLOUR = "#E45756", "#54A24B", "#B30000"


def _layout(figure: go.Figure, title: str, height: int) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01}, height=height, font={"family": FONT_FAMILY, "size": 14},
        margin={"l": 20, "r": 20, "t": 60, "b": 20}, plot_bgcolor="white", paper_bgcolor="white",
    )
    return figure


def _plain(text: str) -> str:
    """User text for a plotly label: plotly reads a few HTML tags in text,
    so angle brackets are shown as look-alikes instead of being parsed."""
    return str(text).replace("<", "‹").replace(">", "›")


# ---------------------------------------------------------------- cycle diagram


def cycle_diagram(tree: JourneyTree, tr: Translate) -> go.Figure:
    """Stages around a circle, clockwise from the top, with arrows from each
    to the next and from the last back to the first; each shows its count of
    open pain points."""
    stages = tree.stages
    figure = go.Figure()
    n = len(stages)
    if n == 0:
        figure.add_annotation(text=tr("chart.no_stages"), showarrow=False, font={"size": 18})
        return _hide_axes(_layout(figure, tr("chart.cycle_title"), 520))
    radius = 1.0
    points = [(radius * math.sin(2 * math.pi * i / n), radius * math.cos(2 * math.pi * i / n)) for i in range(n)]
    for i in range(n if n > 1 else 0):
        (x0, y0), (x1, y1) = points[i], points[(i + 1) % n]
        figure.add_annotation(
            x=x0 + (x1 - x0) * 0.78, y=y0 + (y1 - y0) * 0.78, ax=x0 + (x1 - x0) * 0.22, ay=y0 + (y1 - y0) * 0.22,
            xref="x", yref="y", axref="x", ayref="y", showarrow=True, arrowhead=3, arrowsize=1.4,
            arrowwidth=2.5, arrowcolor="#9AA5B1", text="",
        )
    labels = [f"<b>{i + 1}. {_plain(shorten(s.stage.name, 28))}</b><br>"
              f"{tr('chart.open_pains', n=s.open_pain_points)}" for i, s in enumerate(stages)]
    colours = [PHASE_COLOURS.get(s.stage.phase, PHASE_COLOURS[""]) for s in stages]
    sizes = [46 + min(s.open_pain_points, 10) * 4 for s in stages]
    figure.add_trace(go.Scatter(
        x=[p[0] for p in points], y=[p[1] for p in points], mode="markers+text", text=labels,
        textposition=[_text_position(p) for p in points], hoverinfo="text",
        hovertext=[_plain(s.stage.description or s.stage.name) for s in stages],
        marker={"size": sizes, "color": colours, "line": {"width": 2, "color": "white"}},
        textfont={"size": 15}, showlegend=False,
    ))
    for phase in PHASES:  # legend of the service phases
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=tr(f"phase.{phase}"),
                                    marker={"size": 14, "color": PHASE_COLOURS[phase]}))
    figure.add_annotation(x=0, y=0, text=f"<b>{_plain(shorten(tree.journey.name, 30))}</b><br>"
                          f"{tr('chart.cycle_centre')}", showarrow=False, font={"size": 16})
    figure.update_layout(legend={"orientation": "h", "y": -0.05})
    _layout(figure, tr("chart.cycle_title"), 640)
    figure.update_xaxes(range=[-1.9, 1.9])
    figure.update_yaxes(range=[-1.45, 1.45], scaleanchor="x")
    return _hide_axes(figure)


def _text_position(point: tuple[float, float]) -> str:
    x, y = point
    vertical = "top" if y > 0.3 else ("bottom" if y < -0.3 else "middle")
    horizontal = "right" if x > 0.3 else ("left" if x < -0.3 else "center")
    if vertical == "middle" and horizontal == "center":
        return "top center"
    return f"{vertical} {horizontal}"


def _hide_axes(figure: go.Figure) -> go.Figure:
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False)
    return figure


# ---------------------------------------------------------------- emotion curve


def emotion_points(tree: JourneyTree) -> list[dict]:
    """One point per sub-step in journey order, with its label."""
    points = []
    for stage_no, stage in enumerate(tree.stages, start=1):
        for step_no, view in enumerate(stage.steps, start=1):
            step = view.step
            points.append({"label": f"{stage_no}.{step_no} {shorten(step.name, 24)}", "stage": stage.stage.name,
                           "now": step.emotion_now, "target": step.emotion_target})
    return points


def lowest_points(points: list[dict], count: int = 3) -> list[int]:
    """Indexes of the sub-steps where the customer feels worst today: at
    most `count` of those below neutral, or, if none is, those at the
    minimum."""
    rated = [(p["now"], i) for i, p in enumerate(points) if p["now"] is not None]
    if not rated:
        return []
    rated.sort()
    below = [i for value, i in rated if value < 0][:count]
    return below or [i for value, i in rated if value == rated[0][0]][:count]


def emotion_curve(tree: JourneyTree, tr: Translate) -> go.Figure:
    points = emotion_points(tree)
    labels = [_plain(p["label"]) for p in points]
    figure = go.Figure()
    figure.add_hrect(y0=-2.5, y1=0, fillcolor="#FDECEC", opacity=0.5, line_width=0, layer="below")
    figure.add_trace(go.Scatter(x=labels, y=[p["now"] for p in points], name=tr("chart.emotion_now"),
                                mode="lines+markers", line={"color": NOW_COLOUR, "width": 3},
                                marker={"size": 9}, connectgaps=True))
    figure.add_trace(go.Scatter(x=labels, y=[p["target"] for p in points], name=tr("chart.emotion_target"),
                                mode="lines+markers", line={"color": TARGET_COLOUR, "width": 3, "dash": "dash"},
                                marker={"size": 9}, connectgaps=True))
    low = lowest_points(points)
    if low:
        figure.add_trace(go.Scatter(x=[labels[i] for i in low], y=[points[i]["now"] for i in low],
                                    name=tr("chart.lowest"), mode="markers",
                                    marker={"size": 20, "color": LOW_COLOUR, "symbol": "circle-open",
                                            "line": {"width": 3}}))
    if not points:
        figure.add_annotation(text=tr("chart.no_steps"), showarrow=False, font={"size": 18})
    figure.update_yaxes(range=[-2.5, 2.5], tickvals=[-2, -1, 0, 1, 2],
                        ticktext=["😡 -2", "🙁 -1", "😐 0", "🙂 +1", "😄 +2"], gridcolor="#EEE",
                        title=tr("chart.emotion_axis"))
    figure.update_xaxes(tickangle=-35, automargin=True)
    figure.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.12})
    return _layout(figure, tr("chart.emotion_title"), 520)


# ---------------------------------------------------------------- heat maps


def pain_heatmap(tree: JourneyTree, tr: Translate, *, open_only: bool = False) -> go.Figure:
    """Count of pain points per stage (rows) and severity (columns)."""
    severities = list(range(SEVERITY_MIN, SEVERITY_MAX + 1))
    rows, counts = [], []
    for number, stage in enumerate(tree.stages, start=1):
        row = [0] * len(severities)
        for view in stage.steps:
            for pain in view.pain_points:
                if open_only and pain.status != "open":
                    continue
                row[pain.severity - SEVERITY_MIN] += 1
        rows.append(f"{number}. {_plain(shorten(stage.stage.name, 26))}")
        counts.append(row)
    figure = go.Figure(go.Heatmap(
        z=counts, x=[tr("chart.severity_n", n=s) for s in severities], y=rows, colorscale="Reds",
        text=counts, texttemplate="%{text}", hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>",
        colorbar={"title": {"text": tr("chart.count")}, "dtick": 1 if max(map(max, counts), default=0) <= 10 else None},
        zmin=0,
    ))
    figure.update_yaxes(autorange="reversed", automargin=True)
    return _layout(figure, tr("chart.pain_heatmap_title"), max(320, 60 + 42 * len(rows)))


def quality_heatmap(tree: JourneyTree, tr: Translate) -> go.Figure:
    """The team's 1-5 rating of each sub-step as easy, convenient, fast and
    correct; blank where not rated."""
    labels, values = [], []
    for point, (_, view) in zip(emotion_points(tree), tree.all_steps()):
        labels.append(_plain(point["label"]))
        values.append([getattr(view.step, q) for q in QUALITIES])
    figure = go.Figure(go.Heatmap(
        z=values, x=[tr(f"quality.{q}") for q in QUALITIES], y=labels, colorscale="RdYlGn", zmin=1, zmax=5,
        text=[["" if v is None else v for v in row] for row in values], texttemplate="%{text}",
        hovertemplate="%{y}<br>%{x}: %{z}<extra></extra>", colorbar={"title": {"text": tr("chart.rating")}},
    ))
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure.update_xaxes(side="top")
    _layout(figure, tr("chart.quality_heatmap_title"), max(340, 110 + 28 * len(labels)))
    figure.update_layout(margin={"t": 100})
    return figure
