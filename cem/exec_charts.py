"""Charts of the executive view: plain plotly figures from an
`executive.Summary`, testable without Streamlit. Months on the axes are
read in the reader's language (Thai month names and Buddhist-era years in
Thai); titles and legends come through `tr`."""
from __future__ import annotations

import plotly.graph_objects as go

from cem import months
from cem.charts import FONT_FAMILY, Translate, _plain
from cem.executive import GroupRow, Summary
from cem.text import shorten

COMMITTED_COLOUR, ACHIEVED_COLOUR = "#9AA5B1", "#4C78A8"
PROGRESS_COLOUR, SHARE_COLOUR, RESOLVED_COLOUR = "#4C78A8", "#54A24B", "#F58518"
HEIGHT = 340


def month_labels(month_list: list[str], lang: str) -> list[str]:
    return [months.label(m, lang, short=True) for m in month_list]


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


def _style(figure: go.Figure, title: str, *, height: int = HEIGHT, legend: bool = False,
           categories: str = "x") -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 16}}, height=height,
        font={"family": FONT_FAMILY, "size": 13}, margin={"l": 10, "r": 10, "t": 56, "b": 10},
        plot_bgcolor="white", paper_bgcolor="white", showlegend=legend, bargap=0.25,
        hoverlabel={"font": {"family": FONT_FAMILY}},
    )
    if legend:
        figure.update_layout(legend={"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom"})
    figure.update_yaxes(gridcolor="#EEE", zerolinecolor="#CCC", automargin=True)
    figure.update_xaxes(automargin=True)
    # month labels and group names are categories, never read as dates or numbers
    (figure.update_xaxes if categories == "x" else figure.update_yaxes)(type="category")
    return figure


def _empty(figure: go.Figure, tr: Translate) -> None:
    figure.add_annotation(text=tr("exec.chart.no_data"), showarrow=False, font={"size": 15, "color": "#666"},
                          xref="paper", yref="paper", x=0.5, y=0.5)


def committed_vs_achieved(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Per month, what a committed task promised on average (its tier)
    against the progress it really made."""
    x = month_labels([r.month for r in summary.series], lang)
    rows = summary.series
    hover = [tr("exec.chart.hover_committed", n=r.committed_tasks, committed=r.committed_percent,
                achieved=r.achieved_percent) for r in rows]
    figure = go.Figure()
    figure.add_trace(go.Bar(x=x, y=[_round(r.committed_per_task) for r in rows], name=tr("exec.chart.committed"),
                            marker_color=COMMITTED_COLOUR, customdata=hover,
                            hovertemplate="%{x}: %{y}<br>%{customdata}<extra></extra>"))
    figure.add_trace(go.Bar(x=x, y=[_round(r.achieved_per_task) for r in rows], name=tr("exec.chart.achieved"),
                            marker_color=ACHIEVED_COLOUR, customdata=hover,
                            text=[None if r.achieved_per_task is None else f"{r.achieved_per_task:.0f}" for r in rows],
                            textposition="outside", cliponaxis=False,
                            hovertemplate="%{x}: %{y}<br>%{customdata}<extra></extra>"))
    figure.update_layout(barmode="group")
    figure.update_yaxes(title=tr("exec.chart.points_axis"), rangemode="tozero")
    if not any(r.committed_tasks for r in rows):
        _empty(figure, tr)
    return _style(figure, tr("exec.chart.committed_title"), legend=True)


def cumulative_progress(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Average cumulative progress of the tasks, month by month."""
    rows = summary.series
    x = month_labels([r.month for r in rows], lang)
    y = [_round(r.average_progress) for r in rows]
    figure = go.Figure(go.Scatter(
        x=x, y=y, mode="lines+markers+text", line={"color": PROGRESS_COLOUR, "width": 3}, marker={"size": 8},
        text=[None if v is None else f"{v:.0f}%" for v in y], textposition="top center", cliponaxis=False,
        fill="tozeroy", fillcolor="rgba(76,120,168,0.12)", name=tr("exec.chart.avg_progress"),
        hovertemplate="%{x}: %{y}%<extra></extra>"))
    figure.update_yaxes(title=tr("exec.chart.progress_axis"), range=[0, 105], ticksuffix="%")
    if all(v is None for v in y):
        _empty(figure, tr)
    return _style(figure, tr("exec.chart.cumulative_title"))


def on_target_share(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    """Per month, the share of committed tasks that reached their tier."""
    rows = summary.series
    x = month_labels([r.month for r in rows], lang)
    y = [_percent(r.on_target_share) for r in rows]
    figure = go.Figure(go.Bar(
        x=x, y=y, marker_color=SHARE_COLOUR, name=tr("exec.chart.share_axis"),
        text=[None if r.on_target_share is None else f"{r.on_target}/{r.committed_tasks}" for r in rows],
        textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{y}% (%{text})<extra></extra>"))
    figure.update_yaxes(title=tr("exec.chart.share_axis"), range=[0, 110], ticksuffix="%")
    if all(v is None for v in y):
        _empty(figure, tr)
    return _style(figure, tr("exec.chart.share_title"))


def pain_points_resolved(summary: Summary, lang: str, tr: Translate) -> go.Figure:
    rows = summary.series
    x = month_labels([r.month for r in rows], lang)
    y = [r.pain_points_resolved for r in rows]
    figure = go.Figure(go.Bar(x=x, y=y, marker_color=RESOLVED_COLOUR, name=tr("exec.chart.resolved_axis"),
                              text=[v or None for v in y], textposition="outside", cliponaxis=False,
                              hovertemplate="%{x}: %{y}<extra></extra>"))
    figure.update_yaxes(title=tr("exec.chart.resolved_axis"), rangemode="tozero",
                        dtick=1 if max(y, default=0) <= 5 else None)
    return _style(figure, tr("exec.chart.resolved_title"))


def _groups(groups: list[GroupRow], title: str, tr: Translate) -> go.Figure:
    """Horizontal bars: average progress and share on target of each group."""
    names = [_plain(shorten(g.name, 34)) for g in groups]
    progress = [_round(g.average_progress) for g in groups]
    share = [_percent(g.on_target_share) for g in groups]
    figure = go.Figure()
    figure.add_trace(go.Bar(y=names, x=progress, orientation="h", name=tr("exec.chart.avg_progress"),
                            marker_color=PROGRESS_COLOUR, text=[None if v is None else f"{v:.0f}%" for v in progress],
                            textposition="outside", cliponaxis=False,
                            hovertemplate="%{y}<br>%{x}%<extra></extra>"))
    figure.add_trace(go.Bar(y=names, x=share, orientation="h", name=tr("exec.chart.on_target_share"),
                            marker_color=SHARE_COLOUR,
                            text=[None if g.on_target_share is None else f"{g.on_target}/{g.committed}"
                                  for g in groups],
                            textposition="outside", cliponaxis=False,
                            hovertemplate="%{y}<br>%{x}% (%{text})<extra></extra>"))
    figure.update_layout(barmode="group")
    figure.update_xaxes(range=[0, 118], ticksuffix="%", gridcolor="#EEE")
    figure.update_yaxes(autorange="reversed")
    if not groups:
        _empty(figure, tr)
    return _style(figure, title, height=max(HEIGHT, 110 + 46 * len(groups)), legend=True, categories="y")


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
