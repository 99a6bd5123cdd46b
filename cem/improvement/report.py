"""The executive view's KPI cards as text, and the one-page monthly report:
a self-contained HTML document (plotly.js inlined once, so it opens
offline) that prints on one A4 landscape page from the browser.

Everything a user typed (journey, stage and department names) is escaped
with html.escape before it goes into the document; inside the charts it is
plotly text, made harmless by cem.journey.charts._plain."""
from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date

import plotly.graph_objects as go

from cem.core import months
from cem.improvement import exec_charts, measures_view
from cem.journey import charts
from cem.journey.charts import FONT_FAMILY, Translate
from cem.improvement.executive import SEVERITIES, Kpis, Summary, delta
from cem.improvement.progress import points
from cem.journey.services import JourneyTree

# A4 landscape with 8 mm margins leaves about 1060 x 730 CSS pixels.
PAGE_WIDTH = 1060
CHART_WIDTH, CHART_HEIGHT = 258, 262
WIDE_WIDTH = 2 * CHART_WIDTH + 8


# ---------------------------------------------------------------- numbers as words


def _share(share: float | None) -> str:
    return "–" if share is None else f"{share * 100:.0f}%"


def _signed(value: float, digits: int = 0) -> str:
    if round(value, digits) == 0:
        return "±0"
    return f"{value:+.{digits}f}"


def _sign(value: float | None, digits: int = 0) -> int:
    if value is None or round(value, digits) == 0:
        return 0
    return 1 if value > 0 else -1


@dataclass(frozen=True)
class Card:
    """One KPI card: a label, the month's value, the change against last
    month (with its sign, and whether up is good), a line of detail, and
    the month-by-month values for a small trend line."""

    key: str
    label: str
    value: str
    delta: str | None
    sign: int  # -1, 0 or +1: direction of the change
    up_is_good: bool
    detail: str
    help: str
    trend: list[float | None] = field(default_factory=list)


NOTHING = "—"  # a card's value when there is nothing to count: words would not fit its big type


def _on_target_text(k: Kpis, tr: Translate, *, card: bool = False) -> str:
    """"3 of 6": the count is the headline (every task weighs the same)."""
    if not k.committed_tasks:
        return NOTHING if card else tr("exec.kpi.none_committed")
    return tr("exec.kpi.on_target_value", n=k.on_target, m=k.committed_tasks)


def kpi_cards(summary: Summary, tr: Translate) -> list[Card]:
    """The four KPI cards of the month in `summary`, against the month before."""
    now, before = summary.now, summary.before
    series = summary.series
    pp = "exec.unit.pp"

    share_change = delta(now.on_target_share, before.on_target_share)
    share_points = None if share_change is None else share_change * 100
    on_target = Card(
        "on_target", tr("exec.kpi.on_target"), _on_target_text(now, tr, card=True),
        None if share_points is None else tr(pp, value=_signed(share_points)), _sign(share_points), True,
        tr("fig.on_target_detail", share=_share(now.on_target_share), last=_on_target_text(before, tr))
        if now.committed_tasks else f"{tr('exec.kpi.none_committed')} · "
                                    f"{tr('exec.kpi.last_month', value=_on_target_text(before, tr))}",
        tr("exec.kpi.on_target_help"),
        [None if r.on_target_share is None else round(r.on_target_share * 100, 1) for r in series])

    change = delta(now.average_gain, before.average_gain)
    gained = Card(
        "gained", tr("exec.kpi.gained"),
        NOTHING if now.average_gain is None else tr(pp, value=points(now.average_gain, signed=True)),
        None if change is None else tr(pp, value=points(change, signed=True)), _sign(change, 1), True,
        tr("exec.kpi.none_committed") if now.average_gain is None
        else tr("exec.kpi.gained_avg", committed=points(now.average_tier)), tr("exec.kpi.gained_help"),
        [None if r.average_gain is None else round(r.average_gain, 1) for r in series])

    resolved = Card(
        "resolved", tr("exec.kpi.resolved"), str(now.pain_points_resolved),
        _signed(now.pain_points_resolved - before.pain_points_resolved),
        _sign(now.pain_points_resolved - before.pain_points_resolved), True,
        tr("exec.kpi.last_month", value=before.pain_points_resolved), tr("exec.kpi.resolved_help"),
        [r.pain_points_resolved for r in series])

    parts = [f"{tr('chart.severity_n', n=s)}: {now.open_by_severity.get(s, 0)}"
             for s in reversed(SEVERITIES) if now.open_by_severity.get(s, 0)]
    open_pains = Card(
        "open", tr("exec.kpi.open"), str(now.open_pain_points),
        _signed(now.open_pain_points - before.open_pain_points),
        _sign(now.open_pain_points - before.open_pain_points), False,
        " · ".join([tr("fig.open_today" if now.open_today else "fig.open_at_end")]
                   + (parts or [tr("exec.kpi.none_open")])),
        tr("exec.kpi.open_help"),
        [r.open_pain_points for r in series])
    return [on_target, gained, resolved, open_pains]


def filter_text(summary: Summary, lang: str, tr: Translate) -> dict[str, str]:
    """The filters in words (user text NOT escaped: escape where it is placed)."""
    f = summary.filters
    everything = tr("exec.report.all")
    return {
        "journeys": ", ".join(summary.journeys.values()) or everything,
        "stages": ", ".join(summary.stage_names[s] for s in f.stage_ids if s in summary.stage_names) or everything,
        "departments": ", ".join(d or tr("exec.no_department") for d in f.departments) or everything,
        "months": f"{months.label(f.first, lang)} – {months.label(f.last, lang)}",
    }


def day_label(day: date, lang: str) -> str:
    """"22 November 2026" / "22 พฤศจิกายน 2569"."""
    return f"{day.day} {months.label(months.of(day), lang)}"


# ---------------------------------------------------------------- the report


CSS = """
@page { size: A4 landscape; margin: 8mm; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; color: #1f2933; }
body { font-family: %(font)s; font-size: 12px; }
.page { width: %(width)dpx; margin: 0 auto; padding: 6px 0; }
header { display: flex; justify-content: space-between; align-items: flex-end; border-bottom: 2px solid #4C78A8;
         padding-bottom: 4px; margin-bottom: 8px; }
h1 { font-size: 20px; margin: 0; }
.meta { color: #52606d; font-size: 11px; }
.filters { color: #52606d; font-size: 11px; margin: 2px 0 0; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin-bottom: 8px; }
.card { border: 1px solid #d9e2ec; border-radius: 8px; padding: 6px 10px; page-break-inside: avoid; }
.card .label { color: #52606d; font-size: 12px; }
.card .value { font-size: 22px; font-weight: 700; line-height: 1.25; }
.card .delta { font-size: 12px; font-weight: 600; }
.card .delta.good { color: #1e7b34; } .card .delta.bad { color: #b30000; } .card .delta.same { color: #52606d; }
.card .delta .note { color: #52606d; font-weight: 400; }
.card .detail { color: #52606d; font-size: 11px; }
.charts { display: grid; grid-template-columns: repeat(4, %(chart)dpx); gap: 8px; }
.chart { border: 1px solid #eef2f6; border-radius: 6px; overflow: hidden; page-break-inside: avoid; }
.chart.wide { grid-column: span 2; }
.print { float: right; margin-left: 12px; }
.measures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin-top: 8px; }
.measures h2 { grid-column: 1 / -1; font-size: 15px; margin: 4px 0 0; }
.measures h3 { font-size: 12px; margin: 0 0 2px; }
.measures table { border-collapse: collapse; width: 100%%; font-size: 10px; }
.measures td, .measures th { border-bottom: 1px solid #eef2f6; padding: 1px 3px; text-align: left; }
.measures .note { grid-column: 1 / -1; color: #52606d; font-size: 10px; margin: 0; }
@media print { .print { display: none; } .page { padding: 0; } }
"""


def _card_html(card: Card, tr: Translate) -> str:
    delta_html = ""
    if card.delta is not None:
        mood = "same" if card.sign == 0 else ("good" if (card.sign > 0) == card.up_is_good else "bad")
        arrow = {1: "▲", -1: "▼", 0: ""}[card.sign]
        delta_html = (f'<div class="delta {mood}">{arrow} {html.escape(card.delta)} '
                      f'<span class="note">{html.escape(tr("exec.kpi.vs_last"))}</span></div>')
    return (f'<div class="card" data-kpi="{card.key}"><div class="label">{html.escape(card.label)}</div>'
            f'<div class="value">{html.escape(card.value)}</div>{delta_html}'
            f'<div class="detail">{html.escape(card.detail)}</div></div>')


def report_figures(summary: Summary, lang: str, tr: Translate,
                   tree: JourneyTree | None = None) -> list[tuple[str, go.Figure, bool]]:
    """(name, figure, wide) for every chart of the report, sized for print."""
    figures = [(name, figure, False) for name, figure in exec_charts.monthly_charts(summary, lang, tr).items()]
    figures += [("by_stage", exec_charts.by_stage(summary, tr), False),
                ("by_department", exec_charts.by_department(summary, tr), False)]
    if tree is not None:
        figures.append(("emotion", charts.emotion_curve(tree, tr), True))
    for _, figure, wide in figures:
        figure.update_layout(width=WIDE_WIDTH if wide else CHART_WIDTH, height=CHART_HEIGHT,
                             font={"size": 10}, title={"font": {"size": 12}},
                             margin={"l": 6, "r": 6, "t": 62 if figure.layout.showlegend else 40, "b": 6})
        figure.update_layout(legend={"font": {"size": 9}}, uniformtext={"minsize": 7, "mode": "show"})
        for trace in figure.data:
            if getattr(trace, "textfont", None) is not None:
                trace.textfont.size = 9
    return figures


def monthly_report(summary: Summary, *, lang: str, tr: Translate, tree: JourneyTree | None = None,
                   made_on: date | None = None, measures: list | None = None) -> str:
    """The one-page monthly report as a complete HTML document; `measures`
    (indicators.level_summary) adds the measures at four levels."""
    made_on = made_on or date.today()
    words = filter_text(summary, lang, tr)
    title = tr("exec.report.title", month=months.label(summary.month, lang))
    cards = "".join(_card_html(card, tr) for card in kpi_cards(summary, tr))
    charts_html = []
    config = {"displaylogo": False, "displayModeBar": False, "responsive": False}
    for n, (name, figure, wide) in enumerate(report_figures(summary, lang, tr, tree)):
        body = figure.to_html(full_html=False, include_plotlyjs=(n == 0), config=config,
                              div_id=f"chart-{name}")
        charts_html.append(f'<div class="chart{" wide" if wide else ""}" data-chart="{name}">{body}</div>')
    filters = tr("exec.report.filters", journeys=html.escape(words["journeys"]), stages=html.escape(words["stages"]),
                 departments=html.escape(words["departments"]), months=html.escape(words["months"]))
    style = CSS % {"font": FONT_FAMILY, "width": PAGE_WIDTH, "chart": CHART_WIDTH}
    return f"""<!DOCTYPE html>
<html lang="{html.escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{style}</style>
</head>
<body>
<div class="page">
<header>
<div>
<h1>{html.escape(title)}</h1>
<div class="filters">{filters}</div>
</div>
<div class="meta"><button class="print" onclick="window.print()">{html.escape(tr("exec.report.print"))}</button>
{html.escape(tr("exec.month_vs", month=months.label(summary.month, lang),
                previous=months.label(summary.previous_month, lang)))}<br>
{html.escape(tr("exec.report.made_on", date=day_label(made_on, lang)))}</div>
</header>
<section class="cards">{cards}</section>
<section class="charts">{"".join(charts_html)}</section>
{measures_view.report_section(measures, tr, lang) if measures else ""}
</div>
</body>
</html>
"""


def report_file_name(summary: Summary) -> str:
    return f"cem-report-{summary.month}.html"
