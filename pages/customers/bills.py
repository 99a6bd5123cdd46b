"""Billing import: upload finance's file, check how each column is read,
see what storing would do, then store it; past imports, each undoable."""
import re

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.errors import CemError, ImportFileErrors
from cem.core.text import safe_file_name
from cem.customers import billing, export
from ui import auth, common, widgets
from ui.customer_widgets import counted
from ui.common import translated
from ui.periods import moment_text

common.ensure_entry_point()

t = common.translator()  # bound to this run's language, also for format_func called later
user = common.user()
lang = common.lang()
# What this page works on lives in plain session keys, not only in its
# widgets, so that a page change or a rerun keeps the file and the choices.
FILE, MAPPING, ORDER, CHECKED = "bills_file", "bills_mapping", "bills_order", "bills_checked"
DONE = "bills_done"  # what the last import stored, until another file is taken up
UPLOADS = "bills_uploads"  # how many files were done with: part of the uploader's key
NONE = -1


def baht(satang: int) -> str:
    return f"฿{satang / 100:,.2f}"


ISO_SAMPLE = re.compile(r"^(\d{4}-\d{2}-\d{2})( \d{2}:\d{2}(:\d{2})?)?$")


def date_sample(value: str) -> str:
    """A sample of the date column in the reader's calendar: a date cell,
    shown as 2024-01-15, reads 15/01/2567 in Thai. Text as the file
    writes it (15/01/2567, 15 ม.ค. 67) is shown as it is."""
    found = ISO_SAMPLE.match(value)
    if not found:
        return value
    try:
        day = months.parse_day(found.group(1))
    except CemError:
        return value
    return months.day_text(day, lang) + (found.group(2) or "")[:6]


def start_over() -> None:
    """Forget the file; a fresh uploader (a new key) shows no file either."""
    common.forget(FILE, MAPPING, ORDER, CHECKED)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1


def read_upload(upload) -> None:
    """A new file: read it, and start its mapping from the remembered one or a guess."""
    st.session_state.pop(DONE, None)
    try:
        with st.spinner(t("bills_page.reading")):
            sheet = billing.read_file(upload.getvalue(), upload.name)
    except CemError as error:
        st.session_state[FILE] = {"id": upload.file_id, "name": upload.name, "error": error}
        return
    with common.db() as session:
        mapping, order = billing.guess_mapping(session, sheet.headings)
    st.session_state[FILE] = {"id": upload.file_id, "name": upload.name, "sheet": sheet}
    st.session_state[MAPPING] = mapping
    st.session_state[ORDER] = order or None
    st.session_state.pop(CHECKED, None)


def mapped(name: str, widget_key: str) -> None:
    choice = st.session_state[widget_key]
    mapping = {k: v for k, v in st.session_state[MAPPING].items() if k != name}
    if choice != NONE:
        mapping = {k: v for k, v in mapping.items() if v != choice}  # one column reads as one field
        mapping[name] = choice
    st.session_state[MAPPING] = mapping
    st.session_state.pop(CHECKED, None)


def ordered() -> None:
    st.session_state[ORDER] = st.session_state["bills_order_pick"]
    st.session_state.pop(CHECKED, None)


def mapping_step(sheet: billing.Sheet) -> bool:
    """The column for each field, with sample values; whether the file can
    be checked (every required field has a column, the date order is known)."""
    st.subheader(t("bills_page.step_mapping"), anchor=False)
    st.caption(t("bills_page.mapping_help", rows=len(sheet.rows), sheet=common.md(sheet.name)))
    mapping = st.session_state[MAPPING]
    columns = [NONE, *range(len(sheet.headings))]

    def label(index: int) -> str:
        if index == NONE:
            return t("bills_page.no_column")
        return sheet.headings[index] or t("bills_page.column_n", n=index + 1)

    boxes = st.columns(4)
    for position, name in enumerate(billing.FIELDS):
        where = boxes[position % 4]
        current = mapping.get(name, NONE)
        # The key carries the choice, so that a change made by another box
        # (a column taken over) redraws this one at its new value.
        widget_key = f"bills_map_{name}_{current}"
        required = name in billing.REQUIRED
        where.selectbox(t(f"billing.field.{name}") + (" *" if required else ""), columns,
                        index=columns.index(current), format_func=label, key=translated(widget_key),
                        on_change=mapped, args=(name, widget_key))
        found = billing.samples(sheet, current) if current != NONE else []
        if name == "day":
            found = [date_sample(value) for value in found]
        where.caption(t("bills_page.samples", values=" · ".join(common.md(v) for v in found))
                      if found else t("bills_page.no_samples"))
    st.caption(t("bills_page.required_mark"))
    missing = [t(f"billing.field.{name}") for name in billing.REQUIRED if name not in mapping]
    if missing:
        st.warning(t("bills_page.missing", fields=", ".join(missing)), icon="⚠️")
    if not billing.needs_date_order(sheet, mapping):
        return not missing
    key = common.start("bills_order_pick", st.session_state[ORDER], saved=st.session_state[FILE]["id"])
    st.radio(t("bills_page.date_order"), ["dmy", "mdy"], key=translated(key), on_change=ordered,
             format_func=lambda o: t(f"bills_page.date_order.{o}"), horizontal=True, help=t("bills_page.date_order_help"))
    return not missing and st.session_state[ORDER] is not None


def check(sheet: billing.Sheet) -> None:
    try:
        with st.spinner(t("bills_page.checking")):
            checked = billing.check_rows(sheet, st.session_state[MAPPING], order=st.session_state[ORDER])
            with common.db() as session:
                summary = billing.summarise(session, checked)
    except ImportFileErrors as errors:
        st.error("\n".join([common.error_message(errors), ""] +
                           [f"- {common.error_message(e)}" for e in errors.errors]), icon="⚠️")
        return
    st.session_state[CHECKED] = (checked, summary)


def summary_step(checked: billing.Checked, summary: billing.Summary) -> None:
    st.subheader(t("bills_page.step_summary"), anchor=False)
    cards = st.columns(4)
    cards[0].metric(t("bills_page.rows_read"), f"{summary.rows_read:,}")
    cards[1].metric(t("bills_page.bills_new"), f"{summary.bills_new:,}",
                    help=t("bills_page.bills_new_help", skipped=summary.bills_already_imported))
    cards[2].metric(t("bills_page.customers_new"), f"{summary.customers_new:,}",
                    help=t("bills_page.customers_new_help", existing=summary.customers_existing))
    cards[3].metric(t("bills_page.total"), baht(summary.total_satang), help=t("bills_page.total_help"))
    if summary.first_day:
        st.caption(t("bills_page.date_range", first=months.day_text(summary.first_day, lang),
                     last=months.day_text(summary.last_day, lang)))
    if summary.bills_already_imported:
        st.info(counted("bills_page.already", summary.bills_already_imported), icon="🔁")
    if checked.refused:
        refused_rows(checked, summary)
    if not summary.bills_new:
        st.warning(t("bills_page.nothing_new"), icon="ℹ️")
        return
    good_only = bool(checked.refused)
    label = counted("bills_page.import_good" if good_only else "bills_page.import", summary.bills_new)
    if st.button(label, key="bills_import", type="primary", icon="📥"):
        store(checked, good_only)


def refused_rows(checked: billing.Checked, summary: billing.Summary) -> None:
    st.warning(counted("bills_page.refused", summary.rows_refused), icon="⚠️")
    shown = checked.refused[:200]
    st.dataframe(pd.DataFrame({
        t("bills_page.col.row"): [r.row for r in shown],
        t("bills_page.col.column"): [r.column for r in shown],
        t("bills_page.col.value"): [r.value for r in shown],
        t("bills_page.col.problem"): [t(r.code, **{**r.params, "value": r.value}) for r in shown],
    }), hide_index=True, key="bills_refused")
    name = st.session_state[FILE]["name"]
    st.download_button(t("bills_page.refused_download"), export.refusals_csv(checked.refused, lang),
                       file_name=safe_file_name(t("bills_page.refused_file", name=name), "csv", fallback="refused"),
                       mime="text/csv; charset=utf-8", key="bills_refused_download", on_click="ignore", icon="⬇️")


def store(checked: billing.Checked, good_only: bool) -> None:
    try:
        with st.spinner(t("bills_page.storing")):
            with common.db() as session:
                batch = billing.import_bills(session, checked=checked, file_name=st.session_state[FILE]["name"],
                                             user=user, good_rows_only=good_only)
    except CemError as error:
        common.show_error(error)
        return
    start_over()
    st.session_state[DONE] = {"bills": batch.bills_added, "customers": batch.customers_added,
                              "skipped": batch.bills_skipped, "total": baht(batch.total_satang)}
    st.rerun()


def next_steps() -> None:
    """After an import: what was stored, and where the figures are now."""
    done = st.session_state[DONE]
    st.success(t("bills_page.imported", **done), icon="✅")
    st.caption(t("bills_page.next"))
    left, right = st.columns(2)
    left.page_link("pages/customers/pareto.py", label=t("bills_page.next_pareto"), icon="👑")
    right.page_link("pages/customers/vip.py", label=t("bills_page.next_vip"), icon="💎")


def past_imports() -> None:
    st.subheader(t("bills_page.past"), anchor=False)
    with common.db() as session:
        done = billing.list_imports(session)
    if not done:
        st.caption(t("bills_page.no_past"))
        return
    st.dataframe(pd.DataFrame({
        t("bills_page.col.when"): [moment_text(b.created_at, lang) for b in done],
        t("bills_page.col.file"): [b.file_name for b in done],
        t("bills_page.col.by"): [b.created_by for b in done],
        t("bills_page.col.bills"): [b.bills_added for b in done],
        t("bills_page.col.skipped"): [b.bills_skipped for b in done],
        t("bills_page.col.customers"): [b.customers_added for b in done],
        t("bills_page.col.total"): [b.total_satang / 100 for b in done],
    }), hide_index=True, key="bills_past",
        column_config={t("bills_page.col.total"): st.column_config.NumberColumn(format="฿%,.2f")})
    if not auth.allowed("customers.edit"):
        return
    with st.expander(t("bills_page.undo_title"), icon="↩️"):
        options = {b.id: f"{moment_text(b.created_at, lang)} · {b.file_name} ({b.bills_added:,})" for b in done}
        chosen = common.id_picker(t("bills_page.undo_pick"), options, "bills_undo_id")
        sure = st.checkbox(t("bills_page.undo_sure"), key="bills_undo_sure")
        if st.button(t("bills_page.undo"), key="bills_undo", disabled=not sure, icon="↩️"):
            try:
                with common.db() as session:
                    gone = billing.undo_import(session, import_id=chosen, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.forget("bills_undo_sure", DONE)
                common.flash(t("bills_page.undone_kept" if gone.get("customers_kept") else "bills_page.undone", **gone))
                st.rerun()


st.title(t("page.customers_import"))
st.caption(t("bills_page.intro"))
if not auth.allowed("customers.edit"):
    st.info(t("bills_page.not_allowed"))
    past_imports()
    st.stop()

if st.session_state.get(DONE) and FILE not in st.session_state:
    next_steps()
st.subheader(t("bills_page.step_file"), anchor=False)
upload = widgets.file_uploader(t("bills_page.upload"), type=["xlsx", "xls", "ods", "csv"],
                               key=f"bills_upload_{st.session_state.get(UPLOADS, 0)}")
kept = st.session_state.get(FILE)
if upload is not None and (kept is None or kept["id"] != upload.file_id):
    read_upload(upload)
    kept = st.session_state[FILE]
if kept is not None:
    if upload is None:
        st.caption(t("bills_page.kept_file", name=common.md(kept["name"])))
    st.button(t("bills_page.start_over"), key="bills_start_over", on_click=start_over, icon="🗑️")
    if "error" in kept:
        common.show_error(kept["error"])
    else:
        ready = mapping_step(kept["sheet"])
        if CHECKED not in st.session_state:
            if st.button(t("bills_page.check"), key="bills_check", type="primary", icon="🔎", disabled=not ready):
                check(kept["sheet"])
        if CHECKED in st.session_state:
            summary_step(*st.session_state[CHECKED])
st.divider()
past_imports()
