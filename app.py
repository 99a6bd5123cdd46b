"""Entry point: page set-up, sign-in, sidebar, navigation by role."""
import streamlit as st

from ui import auth, common

st.set_page_config(page_title="CEM Journey Map", page_icon="🧭", layout="wide")
common.prepare_database()
t = common.t

common.language_picker()
account = auth.require_account()

map_pages = [st.Page("pages/journeys.py", title=t("page.journeys"), icon="🗺️", default=True)]
if auth.can(account, "map.edit"):
    map_pages.append(st.Page("pages/map_editor.py", title=t("page.map_editor"), icon="✏️"))
map_pages.append(st.Page("pages/board.py", title=t("page.board"), icon="🗂️"))
pages = {
    t("nav.map"): map_pages,
    t("nav.plan"): [
        st.Page("pages/tasks.py", title=t("page.tasks"), icon="✅"),
        st.Page("pages/monthly.py", title=t("page.monthly"), icon="📅"),
        st.Page("pages/meetings.py", title=t("page.meetings"), icon="📝"),
        st.Page("pages/people.py", title=t("page.people"), icon="👥"),
    ],
    t("nav.insights"): [
        st.Page("pages/executive.py", title=t("page.executive"), icon="📊"),
        st.Page("pages/cycle.py", title=t("page.cycle"), icon="🔄"),
        st.Page("pages/insights.py", title=t("page.insights"), icon="📈"),
    ],
    t("nav.data"): [
        st.Page("pages/activity.py", title=t("page.activity"), icon="🕘"),
        st.Page("pages/excel.py", title=t("page.excel"), icon="📤"),
    ],
}
if auth.can(account, "users.manage"):
    pages[t("nav.data")].append(st.Page("pages/admin.py", title=t("page.admin"), icon="🛡️"))
navigation = st.navigation(pages, expanded=True)
auth.open_requested_page(pages)
common.journey_picker()
auth.account_box(account)
common.show_flash()
navigation.run()
