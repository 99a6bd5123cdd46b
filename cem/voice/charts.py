"""Charts of the voice of the customer: plain plotly figures, labels
through `tr`. Each point says how many answers it rests on; a month with
fewer than scores.LOW_COUNT answers is drawn hollow."""
from __future__ import annotations

from typing import Callable

import plotly.graph_objects as go

from cem.core import months
from cem.journey.charts import FONT_FAMILY
from cem.voice import scores
from cem.voice.analysis import WordOfMouth

Translate = Callable[..., str]
COLOURS = {"nps": "#4C78A8", "csat": "#54A24B", "ces": "#F58518", "positive": "#54A24B", "negative": "#E45756"}
RANGES = {"nps": [-100, 100], "csat": [0, 100], "ces": [1, 7]}


def _layout(figure: go.Figure, title: str, height: int = 340) -> go.Figure:
    figure.update_layout(title={"text": title, "x": 0.01}, height=height, plot_bgcolor="white", paper_bgcolor="white",
                         font={"family": FONT_FAMILY, "size": 14}, margin={"l": 20, "r": 20, "t": 70, "b": 20},
                         legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"})
    figure.update_yaxes(gridcolor="#EEE")
    return figure


def score_trend(by_month: dict[str, scores.Figures], figure_name: str, tr: Translate, lang: str) -> go.Figure:
    """One score ("nps", "csat" or "ces") by month, with its answers in the hover."""
    labels = [months.label(month, lang, short=True) for month in by_month]
    values = [getattr(f, figure_name) for f in by_month.values()]
    answers = [f.answers(figure_name) for f in by_month.values()]
    few = [f.few(figure_name) for f in by_month.values()]
    figure = go.Figure(go.Scatter(
        x=labels, y=values, mode="lines+markers", connectgaps=False, line={"color": COLOURS[figure_name]},
        marker={"size": 10, "color": ["white" if low else COLOURS[figure_name] for low in few],
                "line": {"color": COLOURS[figure_name], "width": 2}},
        customdata=answers, name=tr(f"voice.figure.{figure_name}"),
        hovertemplate="%{x}: %{y:.1f}<br>" + tr("voice.chart.answers") + ": %{customdata}<extra></extra>"))
    figure.update_yaxes(range=RANGES[figure_name], title=tr(f"voice.axis.{figure_name}"))
    return _layout(figure, tr(f"voice.chart.{figure_name}_title"))


def word_of_mouth_chart(rows: list[WordOfMouth], tr: Translate, lang: str) -> go.Figure:
    """Positive against negative word of mouth, by month (counts of voices)."""
    labels = [months.label(row.month, lang, short=True) for row in rows]
    figure = go.Figure([
        go.Bar(x=labels, y=[row.positive for row in rows], name=tr("voice.sentiment.positive"),
               marker_color=COLOURS["positive"], hovertemplate="%{x}: %{y}<extra></extra>"),
        go.Bar(x=labels, y=[-row.negative for row in rows], name=tr("voice.sentiment.negative"),
               marker_color=COLOURS["negative"], customdata=[row.negative for row in rows],
               hovertemplate="%{x}: %{customdata}<extra></extra>"),
    ])
    figure.update_layout(barmode="relative")
    figure.update_yaxes(title=tr("voice.axis.wom"), zeroline=True, zerolinecolor="#999")
    return _layout(figure, tr("voice.chart.wom_title"))
