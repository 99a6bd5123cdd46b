"""Journey board: stages as columns, sub-steps under them, each with its
pain points, measures and ideas; large enough for a projector. Each card
takes a new pain point, measure or idea in one line (type, Enter, saved)."""
import streamlit as st

from cem.core.db import get_engine, session_scope
from cem.journey import services
from cem.voice import feedback
from cem.journey.board import risk_markdown, stage_markdown, step_markdown
from cem.core.errors import CemError
from cem.core.i18n import t as translate
from cem.core.models import MEASURE_KINDS
from cem.core.text import shorten
from ui import auth, common
from ui.live import watch
from ui.risk import journey_risk

common.ensure_entry_point()

t = common.t
st.title(t("page.board"))
journey_id = common.require_journey()
ADDING = "board_adding"  # the sub-step whose card shows the quick-entry line
QUICK_KINDS = ("pain", *MEASURE_KINDS, "idea")


@st.cache_data(max_entries=64, show_spinner=False)
def board_cards(url: str, journey_id: int, revision: int, lang: str, show_resolved: bool,
                voices_stamp: tuple) -> list[tuple[str, list[tuple[int, str]]]]:
    """Per stage: its heading and (sub-step id, card) pairs, as Markdown,
    built once per revision, language and change of the voices."""
    tree = common.journey_tree(journey_id)
    with session_scope(get_engine(url)) as session:
        voices = feedback.pain_point_voices(session, [p.id for _, step in tree.all_steps() for p in step.pain_points],
                                            quotes=1)

    def tr(key, **params):
        return translate(key, lang, **params)

    return [(stage_markdown(stage, number, tr),
             [(view.step.id, step_markdown(view, f"{number}.{step_no}", tr, show_resolved=show_resolved,
                                           voices=voices))
              for step_no, view in enumerate(stage.steps, start=1)])
            for number, stage in enumerate(tree.stages, start=1)]


def risk_lines(risk) -> tuple[dict, dict]:
    """Each sub-step's and each stage's line of complaints and revenue at risk."""
    tr = common.translator()
    return ({step_id: risk_markdown(r, tr) for step_id, r in risk.steps.items()},
            {stage_id: risk_markdown(r, tr) for stage_id, r in risk.stages.items()})


def with_risk(card: str, line: str) -> str:
    return f"{card}\n\n{line}" if line else card


def open_quick_entry(step_id: int) -> None:
    st.session_state[ADDING] = step_id
    st.session_state.pop("board_quick_error", None)


def close_quick_entry() -> None:
    st.session_state.pop(ADDING, None)
    st.session_state.pop("board_quick_error", None)


def save_quick_entry(step_id: int) -> None:
    """Enter in the quick-entry line: save it, empty the line, keep it open
    for the next one."""
    text = st.session_state.get("board_quick_text", "")
    if not text.strip():
        return
    kind = st.session_state.get("board_quick_kind") or "pain"
    try:
        with common.db() as session:
            if kind == "pain":
                services.add_pain_point(session, step_id=step_id, text=text, user=common.user())
            elif kind == "idea":
                services.add_idea(session, step_id=step_id, text=text, user=common.user())
            else:
                pain_id = st.session_state.get("board_quick_pain")
                services.add_measure(session, pain_point_id=pain_id, text=text, kind=kind, user=common.user())
    except CemError as error:
        st.session_state["board_quick_error"] = common.error_message(error)
        return
    st.session_state.pop("board_quick_error", None)
    st.session_state["board_quick_text"] = ""
    common.flash(t("board.quick.saved", what=t(f"board.quick.kind.{kind}"), text=shorten(text, 40)))


def quick_entry(container, view: services.StepView) -> None:
    tr = common.translator()  # labels in this run's language, whenever they are asked for
    # A select box, not buttons: it fits the narrowest board column.
    kind = container.selectbox(t("board.quick.kind"), QUICK_KINDS, key=common.translated("board_quick_kind"),
                               format_func=lambda k: tr(f"board.quick.kind.{k}"))
    if kind in MEASURE_KINDS:
        if not view.pain_points:
            container.caption(t("editor.add_pain_first"))
            return
        labels = {p.id: shorten(p.text, 40) for p in view.pain_points}
        if st.session_state.get("board_quick_pain") not in labels:
            st.session_state["board_quick_pain"] = view.pain_points[-1].id
        container.selectbox(t("board.quick.for_pain"), list(labels), format_func=labels.get, key="board_quick_pain")
    container.text_input(t("board.quick.text"), key="board_quick_text", max_chars=2000,
                         placeholder=t("board.quick.placeholder"), on_change=save_quick_entry, args=(view.step.id,))
    error = st.session_state.get("board_quick_error")
    if error:
        container.error(error, icon="⚠️")
    container.button(t("board.quick.close"), key="board_quick_close", on_click=close_quick_entry, icon="✖️")


tree = common.journey_tree(journey_id)
can_edit = auth.allowed("map.edit")
step_views = {view.step.id: view for _, view in tree.all_steps()}
if st.session_state.get(ADDING) not in step_views:
    close_quick_entry()
adding = st.session_state.get(ADDING)
# While someone types on a card, others' changes show as a note instead of
# a redraw, so the line being typed is never taken away.
watch(journey_id, tree.journey.revision, redraw=adding is None)
st.caption(t("board.intro", journey=common.md(tree.journey.name)))
left, right = st.columns([2, 3])
per_row = left.slider(t("board.per_row"), min_value=1, max_value=8, value=min(4, max(1, len(tree.stages))),
                      key="board_per_row")
show_resolved = right.toggle(t("board.show_resolved"), value=True, key="board_show_resolved")
# Shown once there are complaints: the revenue behind them, on each card.
risk = journey_risk(journey_id)
show_risk = risk is not None and right.toggle(t("risk.toggle"), value=True, key="board_show_risk",
                                              help=t("risk.help"))
step_risk, stage_risk = risk_lines(risk) if show_risk else ({}, {})
# Off by default: the projector view stays clean, and a board without the
# Add buttons draws as one block per column (quick on a large journey).
quick = can_edit and right.toggle(t("board.quick.toggle"), key="board_quick_mode", help=t("board.quick.intro"))

if not tree.stages:
    st.info(t("editor.add_stage_first"))
    st.stop()

with common.db() as session:
    voices_stamp = feedback.stamp(session)
stages = board_cards(common.database_url(), journey_id, tree.journey.revision, common.lang(), show_resolved,
                     voices_stamp)
stage_ids = [stage.stage.id for stage in tree.stages]
for first in range(0, len(stages), per_row):
    row = zip(st.columns(per_row, border=True), stages[first:first + per_row], stage_ids[first:first + per_row])
    for column, (heading, cards), stage_id in row:
        column.markdown(with_risk(heading, stage_risk.get(stage_id, "")))
        if not cards:
            column.markdown(f"*{t('board.no_steps')}*")
        if not quick:  # nothing to add: one block per column is quickest
            column.markdown("\n\n---\n\n".join(with_risk(card, step_risk.get(step_id, ""))
                                                 for step_id, card in cards))
            continue
        for step_id, card in cards:
            column.markdown(f"---\n\n{with_risk(card, step_risk.get(step_id, ''))}")
            if step_id == adding:
                quick_entry(column, step_views[step_id])
            else:
                column.button(t("board.quick.add"), key=f"board_add_{step_id}", on_click=open_quick_entry,
                              args=(step_id,), icon="➕", type="tertiary")
