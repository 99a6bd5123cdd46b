"""Survey and review import: upload an export (Google Forms, Microsoft
Forms, LimeSurvey, a review site), say what each column is and which
sub-step a question speaks of, check, store; past imports, each undoable.
The same steps as the billing import."""
import pandas as pd
import streamlit as st

from cem.core.errors import CemError
from cem.core.models import FEEDBACK_KINDS
from cem.customers import billing
from cem.voice import survey_import
from ui import auth, common, widgets
from ui.customer_widgets import counted, journey_choices, step_choices
from ui.common import translated
from ui.periods import moment_text

common.ensure_entry_point()

t = common.translator()
user = common.user()
lang = common.lang()
FILE, MAPPING, ORDER, CHECKED = "survey_file", "survey_mapping", "survey_order", "survey_checked"
DONE, UPLOADS = "survey_done", "survey_uploads"
NONE = -1
NO_STEP = 0


def start_over() -> None:
    common.forget(FILE, MAPPING, ORDER, CHECKED)
    st.session_state[UPLOADS] = st.session_state.get(UPLOADS, 0) + 1


def read_upload(upload) -> None:
    st.session_state.pop(DONE, None)
    try:
        with st.spinner(t("bills_page.reading")):
            sheet = survey_import.read_file(upload.getvalue(), upload.name)
    except CemError as error:
        st.session_state[FILE] = {"id": upload.file_id, "name": upload.name, "error": error}
        return
    with common.db() as session:
        mapping = survey_import.guess_mapping(session, sheet.headings)
    if mapping.journey_id is None or mapping.journey_id not in journey_choices():
        mapping.journey_id = common.current_journey_id()
    st.session_state[MAPPING] = mapping
    st.session_state[FILE] = {"id": upload.file_id, "name": upload.name, "sheet": sheet}
    st.session_state[ORDER] = None
    st.session_state.pop(CHECKED, None)


def changed() -> None:
    st.session_state.pop(CHECKED, None)


def mapped(name: str, widget_key: str) -> None:
    mapping: survey_import.SurveyMapping = st.session_state[MAPPING]
    choice = st.session_state[widget_key]
    mapping.columns.pop(name, None)
    if choice != NONE:
        for other in [n for n, i in mapping.columns.items() if i == choice]:
            del mapping.columns[other]  # one column reads as one field
        mapping.texts = [i for i in mapping.texts if i != choice]
        mapping.columns[name] = choice
    changed()


def texts_chosen(widget_key: str) -> None:
    mapping: survey_import.SurveyMapping = st.session_state[MAPPING]
    mapping.texts = list(st.session_state[widget_key])
    mapping.columns = {n: i for n, i in mapping.columns.items() if i not in mapping.texts}
    changed()


def set_mapping(attribute: str, widget_key: str) -> None:
    setattr(st.session_state[MAPPING], attribute, st.session_state[widget_key])
    changed()


def order_chosen() -> None:
    st.session_state[ORDER] = st.session_state["survey_order_pick"]
    changed()


def step_chosen(column: int, widget_key: str) -> None:
    choice = st.session_state[widget_key]
    st.session_state[MAPPING].steps[column] = None if choice == NO_STEP else choice
    changed()


def mapping_step(sheet: billing.Sheet) -> bool:
    st.subheader(t("bills_page.step_mapping"), anchor=False)
    st.caption(t("voice_import.mapping_help", rows=len(sheet.rows), sheet=common.md(sheet.name)))
    mapping: survey_import.SurveyMapping = st.session_state[MAPPING]
    columns = [NONE, *range(len(sheet.headings))]

    def label(index: int) -> str:
        if index == NONE:
            return t("bills_page.no_column")
        return sheet.headings[index] or t("bills_page.column_n", n=index + 1)

    fields = (*survey_import.ROW_FIELDS, *survey_import.SCORE_FIELDS)
    boxes = st.columns(4)
    for position, name in enumerate(fields):
        where = boxes[position % 4]
        current = mapping.columns.get(name, NONE)
        widget_key = f"survey_map_{name}_{current}"
        where.selectbox(t(f"voice.field.{name}") + (" *" if name == "received" else ""), columns,
                        index=columns.index(current), format_func=label, key=translated(widget_key),
                        on_change=mapped, args=(name, widget_key))
        found = billing.samples(sheet, current) if current != NONE else []
        where.caption(t("bills_page.samples", values=" · ".join(common.md(v) for v in found))
                      if found else t("bills_page.no_samples"))
    texts_key = f"survey_texts_{'_'.join(map(str, mapping.texts))}"
    st.multiselect(t("voice_import.texts"), list(range(len(sheet.headings))), default=mapping.texts,
                   format_func=label, key=texts_key, on_change=texts_chosen, args=(texts_key,),
                   help=t("voice_import.texts_help"))
    left, right = st.columns(2)
    left.selectbox(t("voice_import.kind"), FEEDBACK_KINDS, index=FEEDBACK_KINDS.index(mapping.kind),
                   key=translated("survey_kind"), format_func=lambda k: t(f"voice.kind.{k}"),
                   on_change=set_mapping, args=("kind", "survey_kind"))
    right.text_input(t("voice_import.channel"), value=mapping.channel, key="survey_channel", max_chars=100,
                     on_change=set_mapping, args=("channel", "survey_channel"),
                     help=t("voice_import.channel_help"))
    steps_step(sheet, mapping, label)
    ready = "received" in mapping.columns and (mapping.texts or any(
        n in mapping.columns for n in survey_import.SCORE_FIELDS))
    if not ready:
        st.warning(t("voice_import.missing"), icon="⚠️")
    if not survey_import.needs_date_order(sheet, mapping):
        return ready
    key = common.start("survey_order_pick", st.session_state[ORDER], saved=st.session_state[FILE]["id"])
    st.radio(t("bills_page.date_order"), ["dmy", "mdy"], key=translated(key), horizontal=True,
             on_change=order_chosen,
             format_func=lambda o: t(f"bills_page.date_order.{o}"), help=t("bills_page.date_order_help"))
    return ready and st.session_state[ORDER] is not None


def steps_step(sheet: billing.Sheet, mapping: survey_import.SurveyMapping, label) -> None:
    """Which sub-step of the current journey each question speaks of."""
    asked = [i for n, i in mapping.columns.items() if n in survey_import.SCORE_FIELDS] + mapping.texts
    journey_id = mapping.journey_id
    if not asked or journey_id is None:
        return
    steps, _ = step_choices(journey_id)
    st.markdown(t("voice_import.steps_title", journey=common.md(journey_choices().get(journey_id, ""))))
    options = {NO_STEP: t("voice_import.no_step"), **steps}
    for column in asked:
        widget_key = f"survey_step_{column}_{mapping.steps.get(column) or NO_STEP}"
        current = mapping.steps.get(column) or NO_STEP
        st.selectbox(common.md(label(column)), list(options),
                     index=list(options).index(current) if current in options else 0,
                     format_func=options.get, key=widget_key, on_change=step_chosen, args=(column, widget_key))


def check(sheet: billing.Sheet) -> None:
    try:
        with st.spinner(t("bills_page.checking")), common.db() as session:
            checked = survey_import.check_rows(session, sheet, st.session_state[MAPPING],
                                               order=st.session_state[ORDER])
            summary = survey_import.summarise(session, checked)
    except CemError as error:
        common.show_error(error)
        return
    st.session_state[CHECKED] = (checked, summary)


def summary_step(checked: survey_import.CheckedSurvey, summary: survey_import.SurveySummary) -> None:
    st.subheader(t("bills_page.step_summary"), anchor=False)
    cards = st.columns(3)
    cards[0].metric(t("bills_page.rows_read"), f"{checked.rows_read:,}")
    cards[1].metric(t("voice_import.items_new"), f"{summary.items_new:,}", help=t("voice_import.items_new_help"))
    cards[2].metric(t("voice_import.rows_empty"), f"{summary.rows_empty:,}", help=t("voice_import.rows_empty_help"))
    if summary.items_known:
        st.info(counted("voice_import.already", summary.items_known), icon="🔁")
    if checked.refused:
        st.warning(counted("bills_page.refused", summary.rows_refused), icon="⚠️")
        shown = checked.refused[:200]
        st.dataframe(pd.DataFrame({
            t("bills_page.col.row"): [r.row for r in shown],
            t("bills_page.col.column"): [r.column for r in shown],
            t("bills_page.col.value"): [r.value for r in shown],
            t("bills_page.col.problem"): [t(r.code, **{**r.params, "value": r.value}) for r in shown],
        }), hide_index=True, key="survey_refused")
    if not summary.items_new:
        st.warning(t("bills_page.nothing_new"), icon="ℹ️")
        return
    good_only = bool(checked.refused)
    label = counted("voice_import.import_good" if good_only else "voice_import.import", summary.items_new)
    if st.button(label, key="survey_import", type="primary", icon="📥"):
        try:
            with st.spinner(t("bills_page.storing")), common.db() as session:
                batch = survey_import.import_feedback(session, checked=checked, user=user, good_rows_only=good_only,
                                                      file_name=st.session_state[FILE]["name"])
        except CemError as error:
            common.show_error(error)
            return
        start_over()
        st.session_state[DONE] = {"n": batch.items_added, "skipped": batch.items_skipped}
        st.rerun()


def past_imports() -> None:
    st.subheader(t("bills_page.past"), anchor=False)
    with common.db() as session:
        done = survey_import.list_imports(session)
    if not done:
        st.caption(t("bills_page.no_past"))
        return
    st.dataframe(pd.DataFrame({
        t("bills_page.col.when"): [moment_text(b.created_at, lang) for b in done],
        t("bills_page.col.file"): [b.file_name for b in done],
        t("bills_page.col.by"): [b.created_by for b in done],
        t("voice_import.col.items"): [b.items_added for b in done],
        t("bills_page.col.skipped"): [b.items_skipped for b in done],
    }), hide_index=True, key="survey_past")
    if not auth.allowed("complaints.record"):
        return
    with st.expander(t("bills_page.undo_title"), icon="↩️"):
        options = {b.id: f"{moment_text(b.created_at, lang)} · {b.file_name} ({b.items_added:,})" for b in done}
        chosen = common.id_picker(t("bills_page.undo_pick"), options, "survey_undo_id")
        sure = st.checkbox(t("voice_import.undo_sure"), key="survey_undo_sure")
        if st.button(t("bills_page.undo"), key="survey_undo", disabled=not sure, icon="↩️"):
            try:
                with common.db() as session:
                    gone = survey_import.undo_feedback_import(session, import_id=chosen, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.forget("survey_undo_sure", DONE)
                common.flash(t("voice_import.undone", **gone))
                st.rerun()


st.title(t("page.voice_import"))
st.caption(t("voice_import.intro"))
if not auth.allowed("complaints.record"):
    st.info(t("voice_import.not_allowed"))
    past_imports()
    st.stop()

if st.session_state.get(DONE) and FILE not in st.session_state:
    st.success(counted("voice_import.imported", st.session_state[DONE]["n"]), icon="✅")
    st.page_link("pages/customers/voice.py", label=t("voice_import.next"), icon="🗣️")
st.subheader(t("bills_page.step_file"), anchor=False)
upload = widgets.file_uploader(t("voice_import.upload"), type=["xlsx", "xls", "ods", "csv"],
                               key=f"survey_upload_{st.session_state.get(UPLOADS, 0)}")
kept = st.session_state.get(FILE)
if upload is not None and (kept is None or kept["id"] != upload.file_id):
    read_upload(upload)
    kept = st.session_state[FILE]
if kept is not None:
    if upload is None:
        st.caption(t("bills_page.kept_file", name=common.md(kept["name"])))
    st.button(t("bills_page.start_over"), key="survey_start_over", on_click=start_over, icon="🗑️")
    if "error" in kept:
        common.show_error(kept["error"])
    else:
        ready = mapping_step(kept["sheet"])
        if CHECKED not in st.session_state:
            if st.button(t("bills_page.check"), key="survey_check", type="primary", icon="🔎", disabled=not ready):
                check(kept["sheet"])
        if CHECKED in st.session_state:
            summary_step(*st.session_state[CHECKED])
st.divider()
past_imports()
