"""The journey board's text: one Markdown block per stage heading and per
sub-step card. All user text is escaped, so it shows as typed and cannot
become a link, image or HTML."""
from __future__ import annotations

from typing import Callable

from cem.journey.services import StageView, StepView
from cem.core.text import escape_markdown as esc

EMOTION_FACES = {-2: "😡", -1: "🙁", 0: "😐", 1: "🙂", 2: "😄"}
SEVERITY_MARKS = {1: "⚪", 2: "🟡", 3: "🟠", 4: "🔴", 5: "🟥"}
KIND_ICONS = {"prevention": "🛡️", "fix": "🔧"}
PHASE_ICONS = {"before": "🔵", "during": "🟠", "after": "🟢", "": "⚪"}


def stage_markdown(stage: StageView, number: int, tr: Callable[..., str]) -> str:
    s = stage.stage
    lines = [f"#### {number}. {esc(s.name)}"]
    if s.phase:
        lines.append(f"{PHASE_ICONS[s.phase]} {tr('phase.' + s.phase)} · "
                     f"{tr('board.open_pains', n=stage.open_pain_points)}")
    if s.description:
        lines.append(f"*{esc(s.description)}*")
    return "\n\n".join(lines)


def stage_column_markdown(stage: StageView, number: int, tr: Callable[..., str], *,
                          show_resolved: bool = True) -> str:
    """A whole board column: the stage heading and a card per sub-step,
    cards separated by rules. One block per column keeps a large board fast."""
    parts = [stage_markdown(stage, number, tr)]
    if not stage.steps:
        parts.append(f"*{tr('board.no_steps')}*")
    for step_no, view in enumerate(stage.steps, start=1):
        parts.append(step_markdown(view, f"{number}.{step_no}", tr, show_resolved=show_resolved))
    return "\n\n---\n\n".join(parts)


QUOTES_ON_A_CARD = 2  # a card is a narrow column


def emotion_text(now: int | None, target: int | None, tr: Callable[..., str]) -> str:
    if now is None and target is None:
        return ""
    face_now = EMOTION_FACES.get(now, "·") if now is not None else "·"
    face_target = EMOTION_FACES.get(target, "·") if target is not None else "·"
    return f"{tr('board.emotion')}: {face_now} → {face_target}"


def step_markdown(view: StepView, label: str, tr: Callable[..., str], *, show_resolved: bool = True,
                  voices: dict | None = None) -> str:
    """A sub-step's card; `voices` (cem.voice.feedback.pain_point_voices)
    adds under each pain point how many customers raised it and the newest
    of their words (QUOTES_ON_A_CARD of them)."""
    step = view.step
    lines = [f"**{label} {esc(step.name)}**"]
    details = [f"📍 {esc(step.touchpoint)}" if step.touchpoint else "",
               emotion_text(step.emotion_now, step.emotion_target, tr)]
    if any(details):
        lines.append(" · ".join(d for d in details if d))
    for pain in view.pain_points:
        if pain.status == "resolved" and not show_resolved:
            continue
        mark = "✅" if pain.status == "resolved" else SEVERITY_MARKS.get(pain.severity, "•")
        done = "~~" if pain.status == "resolved" else ""
        lines.append(f"- {mark} {done}{esc(pain.text)}{done} ({tr('board.severity', n=pain.severity)})")
        said = (voices or {}).get(pain.id)
        if said:
            voices_key = "board.voices.one" if said.count == 1 else "board.voices.many"
            lines.append(f"    - 🗣️ {tr(voices_key, n=said.count)}")
            lines.extend(f"        - “{esc(quote[:90])}”" for quote in said.quotes[:QUOTES_ON_A_CARD])
        for measure in view.measures.get(pain.id, []):
            lines.append(f"    - {KIND_ICONS.get(measure.kind, '•')} {tr('kind.' + measure.kind)}: "
                         f"{esc(measure.text)}")
    for idea in view.ideas:
        lines.append(f"- 💡 {esc(idea.text)}")
    return "\n".join(lines)


def risk_markdown(risk, tr: Callable[..., str]) -> str:
    """A card's or a stage's line of complaints and the revenue behind them
    (see cem.customers.complaints.revenue_at_risk); "" without complaints."""
    if risk is None or not risk.complaints:
        return ""
    line = tr("risk.line", n=risk.complaints, open=risk.open, revenue=f"฿{risk.revenue:,.0f}",
              customers=len(risk.customers))
    if risk.vips:
        line += " · " + tr("risk.vips", n=len(risk.vips), revenue=f"฿{risk.vip_revenue:,.0f}")
    return line
