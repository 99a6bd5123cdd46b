"""Journey board: stages as columns, sub-steps under them, each with its
pain points, measures and ideas; large enough for a projector."""
import streamlit as st

from cem.board import stage_column_markdown
from cem.i18n import t as translate
from ui import common
from ui.live import watch

common.ensure_entry_point()

t = common.t
st.title(t("page.board"))
journey_id = common.require_journey()


@st.cache_data(max_entries=64, show_spinner=False)
def board_columns(url: str, journey_id: int, revision: int, lang: str, show_resolved: bool) -> list[str]:
    """The Markdown of every column, built once per revision and language."""
    tree = common.journey_tree(journey_id)

    def tr(key, **params):
        return translate(key, lang, **params)

    return [stage_column_markdown(stage, number, tr, show_resolved=show_resolved)
            for number, stage in enumerate(tree.stages, start=1)]


tree = common.journey_tree(journey_id)
watch(journey_id, tree.journey.revision, redraw=True)
st.caption(t("board.intro", journey=common.md(tree.journey.name)))
left, right = st.columns([2, 3])
per_row = left.slider(t("board.per_row"), min_value=1, max_value=8, value=min(4, max(1, len(tree.stages))),
                      key="board_per_row")
show_resolved = right.toggle(t("board.show_resolved"), value=True, key="board_show_resolved")

if not tree.stages:
    st.info(t("editor.add_stage_first"))
    st.stop()

columns_md = board_columns(common.database_url(), journey_id, tree.journey.revision, common.lang(), show_resolved)
for first in range(0, len(columns_md), per_row):
    for column, text in zip(st.columns(per_row, border=True), columns_md[first:first + per_row]):
        column.markdown(text)
