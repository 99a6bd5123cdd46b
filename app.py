"""Entry point: page set-up, sign-in, sidebar, navigation by role.

`streamlit run app.py` finds `app` below (an st.App) and serves it:
Streamlit plus the routes of ui.auth that set the sign-in cookie and send
the backup. Every browser session then runs this file as __main__."""
import streamlit as st

from cem.core import config
from ui import auth, common, safety, widgets

config.share_the_interpreter()


def run_page() -> None:
    st.set_page_config(page_title="CEM Journey Map", page_icon="🧭", layout="wide")
    common.prepare_database()
    t = common.t

    widgets.hide_streamlit_hints()
    common.language_picker()
    account = auth.require_account()
    auth.hand_over_cookie()

    map_pages = [st.Page("pages/journey/journeys.py", title=t("page.journeys"), icon="🗺️", default=True)]
    if auth.can(account, "map.edit"):
        map_pages.append(st.Page("pages/journey/map_editor.py", title=t("page.map_editor"), icon="✏️"))
    map_pages.append(st.Page("pages/journey/board.py", title=t("page.board"), icon="🗂️"))
    pages = {
        t("nav.map"): map_pages,
        t("nav.plan"): [
            st.Page("pages/improvement/tasks.py", title=t("page.tasks"), icon="✅"),
            st.Page("pages/improvement/monthly.py", title=t("page.monthly"), icon="📅"),
            st.Page("pages/improvement/meetings.py", title=t("page.meetings"), icon="📝"),
            st.Page("pages/improvement/people.py", title=t("page.people"), icon="👥"),
            st.Page("pages/improvement/priorities.py", title=t("page.priorities"), icon="🎯"),
        ],
        t("nav.insights"): [
            st.Page("pages/improvement/executive.py", title=t("page.executive"), icon="📊"),
            st.Page("pages/journey/cycle.py", title=t("page.cycle"), icon="🔄"),
            st.Page("pages/journey/insights.py", title=t("page.insights"), icon="📈"),
            st.Page("pages/improvement/measures.py", title=t("page.measures"), icon="📏"),
        ],
        t("nav.customers"): [
            st.Page("pages/customers/pareto.py", title=t("page.customers_pareto"), icon="👑"),
            st.Page("pages/customers/vip.py", title=t("page.customers_vip"), icon="💎"),
            st.Page("pages/customers/profile.py", title=t("page.customers_profile"), icon="🪪"),
            st.Page("pages/customers/complaints.py", title=t("page.customers_complaints"), icon="📣"),
            st.Page("pages/customers/bills.py", title=t("page.customers_import"), icon="🧾"),
            st.Page("pages/customers/voice.py", title=t("page.voice"), icon="🗣️"),
            st.Page("pages/customers/knowledge.py", title=t("page.knowledge"), icon="📚"),
            st.Page("pages/customers/voice_import.py", title=t("page.voice_import"), icon="📋"),
        ],
        t("nav.data"): [
            st.Page("pages/data/activity.py", title=t("page.activity"), icon="🕘"),
            st.Page("pages/data/excel.py", title=t("page.excel"), icon="📤"),
        ],
    }
    if auth.can(account, "users.manage"):
        pages[t("nav.data")].append(st.Page("pages/data/admin.py", title=t("page.admin"), icon="🛡️"))
    navigation = st.navigation(pages, expanded=True)
    auth.open_requested_page(pages)
    common.journey_picker()
    auth.account_box(account)
    common.show_flash()
    navigation.run()


if __name__ == "__main__":
    safety.run_safely(run_page)  # no traceback ever reaches a user
else:
    # The server imports this file once, before any session. A folder called
    # pages/ would make Streamlit treat the app as an old-style multipage app
    # until a session first calls st.navigation: it knows only pages/*.py, so
    # the first visitor's deep link to a page in pages/<part>/ (/monthly)
    # would get "page not found". The navigation above knows every page.
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    app = st.App(__file__, routes=auth.http_routes())
