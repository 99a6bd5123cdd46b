"""Journey board: stages as columns, sub-steps under them, each with its
pain points, measures and ideas; large enough for a projector."""
import streamlit as st

from cem import services
from cem.board import step_markdown, stage_markdown
from ui import common

common.ensure_entry_point()

t = common.t
st.title(t("page.board"))
journey_id = common.require_journey()

with common.db() as session:
    tree = services.load_journey_tree(session, journey_id)

st.caption(t("board.intro", journey=common.md(tree.journey.name)))
left, right = st.columns([2, 3])
per_row = left.slider(t("board.per_row"), min_value=1, max_value=8, value=min(4, max(1, len(tree.stages))),
                      key="board_per_row")
show_resolved = right.toggle(t("board.show_resolved"), value=True, key="board_show_resolved")

if not tree.stages:
    st.info(t("editor.add_stage_first"))
    st.stop()

for first in range(0, len(tree.stages), per_row):
    columns = st.columns(per_row, border=True)
    for column, (number, stage) in zip(columns, enumerate(tree.stages[first:first + per_row], start=first + 1)):
        with column:
            st.markdown(stage_markdown(stage, number, t))
            if not stage.steps:
                st.caption(t("board.no_steps"))
            for step_no, view in enumerate(stage.steps, start=1):
                with st.container(border=True, key=f"board_step_{view.step.id}"):
                    st.markdown(step_markdown(view, f"{number}.{step_no}", t, show_resolved=show_resolved))
