"""Entry point: page set-up, sidebar, navigation."""
import streamlit as st

from ui import common

st.set_page_config(page_title="CEM Journey Map", page_icon="🧭", layout="wide")
common.prepare_database()
t = common.t

common.language_picker()
pages = {
    t("nav.map"): [
        st.Page("pages/journeys.py", title=t("page.journeys"), icon="🗺️", default=True),
        st.Page("pages/map_editor.py", title=t("page.map_editor"), icon="✏️"),
        st.Page("pages/board.py", title=t("page.board"), icon="🗂️"),
    ],
    t("nav.insights"): [
        st.Page("pages/cycle.py", title=t("page.cycle"), icon="🔄"),
        st.Page("pages/insights.py", title=t("page.insights"), icon="📈"),
    ],
    t("nav.data"): [
        st.Page("pages/excel.py", title=t("page.excel"), icon="📤"),
    ],
}
navigation = st.navigation(pages)
common.journey_picker()
common.user_field()
common.show_flash()
navigation.run()
