"""Charts of the executive view: plain plotly figures from an
`executive.Summary`, testable without Streamlit. Months on the axes are
read in the reader's language (Thai month names and Buddhist-era years in
Thai); titles and legends come through `tr`."""
from __future__ import annotations

import plotly.graph_objects as go

from cem.core import months
from cem.journey.charts import FONT_FAMILY, Translate, _plain
from cem.improvement.executive import GroupRow, Summary
from cem.improvement.progress import points
from cem.core.text import shorten

COMMITTED_COLOUR, ACHIEVED_COLOUR = "#9AA5B1", "#4C78A8"
PROGRESS_COLOUR, SHARE_COLOUR, RESOLVED_COLOUR = "#4C78A8", "#54A24B", "#F58518"
HEIGHT = 340


def month_labels(month_list: list[str], lang: str) -> list[str]:
    return [months.label(m, lang, short=True) for m in month_list]


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _figure(traces: list, title: str, tr: Translate, *, height: int = HEIGHT, legend: bool = False,
            horizontal: bool = False, value_axis: dict | None = None, empty: bool = False,
            count: int | None = None) -> go.Figure:
    """A figure with the whole layout given at once (plotly's update_* calls
    are slow): the categories (months, stages, departments) on one axis,
    never read as dates or numbers, and the values on the other."""
    categories = {"type": "category", "automargin": True}
    if count:  # half a category of room at each end, so labels on a line's end points stay inside
        categories["range"] = [-0.5, count - 0.5]
    values = {"gridcolor": "#EEE", "zerolinecolor": "#CCC", "automargin": True, **(value_axis or {})}
    layout = {
        "title": {"text": title, "x": 0.01, "font": {"size": 16}}, "height": height,
        "font": {"family": FONT_FAMILY, "size": 13}, "margin": {"l": 10, "r": 10, "t": 56, "b": 10},
        "plot_bgcolor": "white", "paper_bgcolor": "white", "showlegend": legend, "bargap": 0.25,
        "barmode": "group", "hoverlabel": {"font": {"family": FONT_FAMILY}},
        "uniformtext": {"minsize": 11, "mode": "show"},
        "xaxis": values if horizontal else categories,
        "yaxis": {**categories, "autorange": "reversed"} if horizontal else values,
    }
    if legend:  # its own line between the title and the plot: beside a long (Thai) title it would overlap
        layout["title"].update(y=1, yref="container", yanchor="top", pad={"t": 12})
        layout["legend"] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}
        layout["margin"]["t"] = 84
    if empty:
        layout["annotations"] = [{"text": tr("exec.chart.no_data"), "showarrow": False, "xref": "paper",
                                  "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 15, "color": "#666"}}]
    return go.Figure(data=traces, layout=layout)


def share_label(on_target: int, committed: int) -> str:
    """"67% (2/3)": the share, and of how many."""
    return f"{on_target / committed * 100:.0f}% ({on_target}/{committed})"


def _labels(values: list[float | None], suffix: str = "") -> list[str | None]:
    return [None if v is None else f"{v:.0f}{suffix}" for v in values]


def committed_vs_achieved(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Per month, what a committed task promised on average (its tier)
    against the progress it really made."""
    rows = summary.series
    x = month_labels([r.month for r in rows], lang)
    hover = [tr("exec.chart.hover_committed", n=r.committed_tasks, committed=points(r.average_tier),
                achieved=points(r.average_gain, signed=True)) for r in rows]
    template = "%{x}: %{y}<br>%{customdata}<extra></extra>"
    achieved = [_round(r.average_gain) for r in rows]
    traces = [
        go.Bar(x=x, y=[_round(r.average_tier) for r in rows], name=tr("exec.chart.committed"),
               marker_color=COMMITTED_COLOUR, customdata=hover, hovertemplate=template),
        go.Bar(x=x, y=achieved, name=tr("exec.chart.achieved"), marker_color=ACHIEVED_COLOUR, customdata=hover,
               text=_labels(achieved), textposition="outside", cliponaxis=False, hovertemplate=template),
    ]
    return _figure(traces, tr("exec.chart.committed_title"), tr, legend=True,
                   value_axis={"title": {"text": tr("exec.chart.points_axis")}, "rangemode": "tozero"},
                   empty=not any(r.committed_tasks for r in rows))


def cumulative_progress(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Average cumulative progress of the tasks, month by month."""
    rows = summary.series
    y = [_round(r.average_progress) for r in rows]
    trace = go.Scatter(
        x=month_labels([r.month for r in rows], lang), y=y, mode="lines+markers+text",
        line={"color": PROGRESS_COLOUR, "width": 3}, marker={"size": 8}, text=_labels(y, "%"),
        textposition="top center", cliponaxis=False, fill="tozeroy", fillcolor="rgba(76,120,168,0.12)",
        name=tr("exec.chart.avg_progress"), hovertemplate="%{x}: %{y}%<extra></extra>")
    return _figure([trace], tr("exec.chart.cumulative_title"), tr, count=len(rows),
                   value_axis={"title": {"text": tr("exec.chart.progress_axis")}, "range": [0, 105],
                               "ticksuffix": "%"},
                   empty=all(v is None for v in y))


def on_target_share(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Per month, the share of committed tasks that reached their tier."""
    rows = summary.series
    y = [_percent(r.on_target_share) for r in rows]
    trace = go.Bar(
        x=month_labels([r.month for r in rows], lang), y=y, marker_color=SHARE_COLOUR,
        name=tr("exec.chart.share_axis"),
        text=[None if r.on_target_share is None else share_label(r.on_target, r.committed_tasks) for r in rows],
        textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>")
    return _figure([trace], tr("exec.chart.share_title"), tr,
                   value_axis={"title": {"text": tr("exec.chart.share_axis")}, "range": [0, 118], "ticksuffix": "%"},
                   empty=all(v is None for v in y))


def pain_points_resolved(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    rows = summary.series
    y = [r.pain_points_resolved for r in rows]
    trace = go.Bar(x=month_labels([r.month for r in rows], lang), y=y, marker_color=RESOLVED_COLOUR,
                   name=tr("exec.chart.resolved_axis"), text=[v or None for v in y], textposition="outside",
                   cliponaxis=False, hovertemplate="%{x}: %{y}<extra></extra>")
    axis = {"title": {"text": tr("exec.chart.resolved_axis")}, "rangemode": "tozero"}
    if max(y, default=0) <= 5:
        axis.update(dtick=1, range=[0, 5.5])
    return _figure([trace], tr("exec.chart.resolved_title"), tr, value_axis=axis)


def _groups(groups: list[GroupRow], title: str, tr: Translate) -> go.Figure:
    """Horizontal bars: average progress and share on target of each group."""
    names = [_plain(shorten(g.name, 34)) for g in groups]
    progress = [_round(g.average_progress) for g in groups]
    share = [_percent(g.on_target_share) for g in groups]
    traces = [
        go.Bar(y=names, x=progress, orientation="h", name=tr("exec.chart.avg_progress"), marker_color=PROGRESS_COLOUR,
               text=_labels(progress, "%"), textposition="outside", cliponaxis=False,
               hovertemplate="%{y}<br>%{x}%<extra></extra>"),
        go.Bar(y=names, x=share, orientation="h", name=tr("exec.chart.on_target_share"), marker_color=SHARE_COLOUR,
               text=[None if g.on_target_share is None else share_label(g.on_target, g.committed) for g in groups],
               textposition="outside", cliponaxis=False, hovertemplate="%{y}<br>%{text}<extra></extra>"),
    ]
    return _figure(traces, title, tr, height=max(HEIGHT, 110 + 46 * len(groups)), legend=True, horizontal=True,
                   value_axis={"range": [0, 130], "tickvals": [0, 25, 50, 75, 100],
                               "ticktext": ["0%", "25%", "50%", "75%", "100%"]},
                   empty=not groups)


def by_stage(summary: Summary, tr: Translate) -> go.Figure:
    return _groups(summary.by_stage, tr("exec.chart.stage_title"), tr)


def by_department(summary: Summary, tr: Translate) -> go.Figure:
    groups = [GroupRow(g.key, g.name or tr("exec.no_department"), g.tasks, g.average_progress, g.committed,
                       g.on_target) for g in summary.by_department]
    return _groups(groups, tr("exec.chart.department_title"), tr)


MONTHLY = {"committed": committed_vs_achieved, "cumulative": cumulative_progress, "on_target": on_target_share,
           "resolved": pain_points_resolved}


def monthly_charts(summary: Summary, lang: str, tr: Translate) -> dict[str, go.Figure]:
    """The four month-by-month charts, by name."""
    return {name: build(summary, lang, tr) for name, build in MONTHLY.items()}
