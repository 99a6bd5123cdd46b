"""Excel: take the current journey away as a workbook, its improvement
plan as another and its pain points as CSV, or bring a workbook back in as
a new journey."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from cem.journey import csv_export, excel, services
from cem.core.errors import CemError
from cem.core.text import safe_file_name
from ui import auth, common, widgets

common.ensure_entry_point()

t = common.t
user = common.user()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reader_today() -> date:
    """Today in the browser's time zone (Bangkok if it sends none)."""
    try:
        zone = ZoneInfo(st.context.timezone or "Asia/Bangkok")
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return datetime.now(zone).date()


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

    def built(export):
        """A download built only when its button is pressed: a large map takes a while."""
        def build() -> bytes:
            with common.db() as session:
                return export(session, journey_id=journey_id, lang=lang)
        return build

    # Downloads never rerun the page: a rerun re-registers the other button's
    # file, and a click landing meanwhile would fetch nothing.
    st.download_button(t("excel_page.download", name=common.md(journey.name)), data=built(excel.export_journey),
                       file_name=safe_file_name(journey.name, "xlsx", fallback="journey"), key="excel_download",
                       on_click="ignore", type="primary", icon="⬇️", mime=XLSX)
    st.caption(t("excel_page.export_help"))
    # The plan holds people's phones: the app sends it to this signed-in
    # session only, so no copy waits at a reusable media address.
    st.link_button(t("excel_page.plan_download"), f"{auth.PLAN_ROUTE}?journey={journey_id}&lang={lang}", icon="⬇️",
                   key="excel_plan_download")
    st.caption(t("excel_page.plan_help"))
    st.download_button(t("excel_page.csv_download"), data=built(csv_export.pain_points_csv), icon="⬇️",
                       file_name=safe_file_name(t("excel_page.csv_file", name=journey.name), "csv",
                                                fallback="pain-points"),
                       key="excel_csv_download", mime="text/csv; charset=utf-8",
                       on_click="ignore")
    st.caption(t("excel_page.csv_help"))

# ---------------------------------------------------------------- import
if not auth.allowed("map.edit"):
    st.stop()
st.divider()
st.subheader(t("excel_page.import"), anchor=False)
st.caption(t("excel_page.import_help"))
upload = widgets.file_uploader(t("excel_page.upload"), type=["xlsx"], key="excel_upload",
                               max_mb=max(1, excel.MAX_UPLOAD_BYTES // (1024 * 1024)))
new_name = st.text_input(t("excel_page.new_name"), key="excel_new_name", max_chars=200,
                         help=t("excel_page.new_name_help"))
if st.button(t("excel_page.import_button"), key="excel_import", disabled=upload is None, icon="📥"):
    try:
        with common.db() as session:
            imported = excel.import_journey(session, data=upload.getvalue(), user=user, name=new_name or None,
                                            lang=common.lang(), today=reader_today())
    except excel.ImportFileErrors as errors:
        lines = [common.error_message(error) for error in errors.errors]
        if errors.params["more"]:
            lines.append(t("excel.err.more", count=errors.params["more"]))
        st.error("\n".join([common.error_message(errors), ""] + [f"- {line}" for line in lines]), icon="⚠️")
    except CemError as error:
        common.show_error(error)
    else:
        common.set_current_journey(imported.id)
        common.flash(t("excel_page.imported", name=common.md(imported.name)))
        st.switch_page("pages/journey/board.py")
