"""Excel: take the current journey away as a workbook, or bring a workbook
back in as a new journey."""
import re

import streamlit as st

from cem import excel, services
from cem.errors import CemError
from ui import auth, common

common.ensure_entry_point()

t = common.t
user = common.user()

st.title(t("page.excel"))
st.caption(t("excel_page.intro"))

# ---------------------------------------------------------------- export
st.subheader(t("excel_page.export"), anchor=False)
journey_id = common.current_journey_id()
if journey_id is None:
    st.info(t("journey.none_yet"))
else:
    with common.db() as session:
        journey = services.get_journey(session, journey_id)
    lang = common.lang()

    def workbook() -> bytes:
        """Built only when the button is pressed: a large map takes a while."""
        with common.db() as session:
            return excel.export_journey(session, journey_id=journey_id, lang=lang)

    safe_name = re.sub(r"[^\w\-]+", "_", journey.name, flags=re.UNICODE).strip("_") or "journey"
    st.download_button(t("excel_page.download", name=common.md(journey.name)), data=workbook, icon="⬇️",
                       file_name=f"{safe_name}.xlsx", key="excel_download", type="primary",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    st.caption(t("excel_page.export_help"))

# ---------------------------------------------------------------- import
if not auth.allowed("map.edit"):
    st.stop()
st.divider()
st.subheader(t("excel_page.import"), anchor=False)
st.caption(t("excel_page.import_help"))
upload = st.file_uploader(t("excel_page.upload"), type=["xlsx"], key="excel_upload",
                          max_upload_size=max(1, excel.MAX_UPLOAD_BYTES // (1024 * 1024)))
new_name = st.text_input(t("excel_page.new_name"), key="excel_new_name", max_chars=200,
                         help=t("excel_page.new_name_help"))
if st.button(t("excel_page.import_button"), key="excel_import", disabled=upload is None, icon="📥"):
    try:
        with common.db() as session:
            imported = excel.import_journey(session, data=upload.getvalue(), user=user, name=new_name or None)
    except CemError as error:
        common.show_error(error)
    else:
        common.set_current_journey(imported.id)
        common.flash(t("excel_page.imported", name=common.md(imported.name)))
        st.switch_page("pages/board.py")
