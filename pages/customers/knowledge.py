"""The knowledge base (KM): search it in Thai or English, answer from it,
press "asked again" and say whether it helped; the Top 20 questions of a
period and their one-page sheet for the front desk; every question to
edit; searches that found nothing; answers due for review."""
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.errors import CemError, ConflictError
from cem.kb import questions as kb
from cem.kb import search, sheet
from cem.core.text import safe_file_name
from ui import auth, common
from ui.customer_widgets import counted, journey_choices, person_picker, step_choices
from ui.common import translated
from ui.periods import moment_text

common.ensure_entry_point()

t = common.translator()
lang = common.lang()
user = common.user()
today = date.today()
may_edit, may_use = auth.allowed("kb.edit"), auth.allowed("kb.use")

st.title(t("page.knowledge"))
st.caption(t("kb_page.intro"))

# ---------------------------------------------------------------- search
query = st.text_input(t("kb_page.search"), key="kb_query", max_chars=200, placeholder=t("kb_page.search_placeholder"))
if query.strip():
    with common.db() as session:
        hits = search.search(session, query, limit=10, published_only=not may_edit)
        answers = {q.id: q for q in kb.listed(session) if q.id in {h.question_id for h in hits}}
    missed = st.session_state.setdefault("kb_missed", set())
    if not hits:
        st.info(t("kb_page.nothing_found"), icon="🔍")
        if may_use and kb.miss_key(query) not in missed:  # one gap per search, however many reruns
            with common.db() as session:
                kb.record_miss(session, query=query, user=user)
            missed.add(kb.miss_key(query))
    for hit in hits:
        found = answers.get(hit.question_id)
        with st.container(border=True, key=f"kb_hit_{hit.question_id}"):
            st.markdown(f"**{common.md(hit.question)}**" + ("" if hit.state == "published"
                                                           else f" · _{t('kb_page.draft')}_"))
            st.markdown(common.md(found.answer) if found and found.answer else f"_{t('kb_page.no_answer')}_")
            if may_use:
                cols = st.columns([2, 1, 1, 4])
                if cols[0].button(t("kb_page.asked_again"), key=f"kb_again_{hit.question_id}", icon="🙋",
                                  help=t("kb_page.asked_again_help")):
                    with common.db() as session:
                        kb.asked_again(session, question_id=hit.question_id, user=user)
                    st.toast(t("kb_page.asked_counted"), icon="✅")
                for column, helpful, icon in ((cols[1], True, "👍"), (cols[2], False, "👎")):
                    if column.button(t("kb_page.helpful" if helpful else "kb_page.not_helpful"), icon=icon,
                                     key=f"kb_vote_{hit.question_id}_{helpful}"):
                        with common.db() as session:
                            kb.vote(session, question_id=hit.question_id, helpful=helpful, user=user)
                        st.toast(t("kb_page.voted"), icon="✅")

tab_top, tab_all, tab_new, tab_gaps, tab_stale = st.tabs([
    t("kb_page.tab.top"), t("kb_page.tab.all"), t("kb_page.tab.new"), t("kb_page.tab.gaps"), t("kb_page.tab.stale")])

# ---------------------------------------------------------------- the Top 20
PERIODS = {"month": 0, "30": 30, "90": 90, "365": 365}
with tab_top:
    span = st.radio(t("kb_page.period"), list(PERIODS), key=translated("kb_period"), horizontal=True,
                    format_func=lambda p: t(f"kb_page.period.{p}"))
    first = today.replace(day=1) if span == "month" else today - timedelta(days=PERIODS[span] - 1)
    with common.db() as session:
        top = kb.top_20(session, first, today)
        texts = {q.id: q for q in kb.listed(session)}
        helped = kb.votes(session, [a.question_id for a in top])
    st.caption(t("kb_page.top_help"))
    if not top:
        st.info(t("kb_page.top_none"))
    else:
        st.dataframe(pd.DataFrame({
            t("kb_page.col.rank"): list(range(1, len(top) + 1)),
            t("kb_page.col.question"): [a.question for a in top],
            t("kb_page.col.times"): [a.times for a in top],
            t("kb_page.col.feedback"): [a.feedback for a in top],
            t("kb_page.col.complaints"): [a.complaints for a in top],
            t("kb_page.col.again"): [a.again for a in top],
            t("kb_page.col.helpful"): [f"👍 {helped.get(a.question_id, kb.Votes()).helpful} · "
                                       f"👎 {helped.get(a.question_id, kb.Votes()).not_helpful}" for a in top],
        }), hide_index=True, key="kb_top")
        rows = [(a.question, texts[a.question_id].answer if a.question_id in texts else "", a.times) for a in top]
        st.download_button(t("kb_page.sheet_download"), data=lambda: sheet.top_20_sheet(
            rows, first=first, last=today, lang=lang, tr=t).encode("utf-8"), mime="text/html", icon="🖨️",
            file_name=safe_file_name(t("kb_page.sheet_file", month=months.label(months.of(today), lang)), "html",
                                     fallback="top-20"),
            key="kb_sheet", on_click="ignore", help=t("kb_page.sheet_help"))

# ---------------------------------------------------------------- every question
FIELDS = ("question", "phrasings", "answer", "problem", "category", "tags")


def question_fields(prefix: str, start: dict) -> dict:
    """The question's text fields, starting from `start` (kept through reruns by their keys)."""
    typed = {"question": st.text_input(t("kb.field.question"), key=common.start(f"{prefix}_question",
                                                                                  start["question"]), max_chars=500)}
    left, right = st.columns(2)
    typed["phrasings"] = left.text_area(t("kb.field.phrasings"), key=common.start(f"{prefix}_phrasings",
                                                                                    start["phrasings"]), height=90,
                                        max_chars=2000)
    typed["problem"] = right.text_area(t("kb.field.problem"), key=common.start(f"{prefix}_problem", start["problem"]),
                                       height=90, max_chars=2000)
    typed["answer"] = st.text_area(t("kb.field.answer"), key=common.start(f"{prefix}_answer", start["answer"]),
                                   height=120, max_chars=5000)
    left, right = st.columns(2)
    typed["category"] = left.text_input(t("kb.field.category"), key=common.start(f"{prefix}_category",
                                                                                   start["category"]), max_chars=100)
    typed["tags"] = right.text_input(t("kb.field.tags"), key=common.start(f"{prefix}_tags", start["tags"]),
                                     max_chars=500)
    return typed


with tab_all:
    with common.db() as session:
        everything = kb.listed(session)
        counts = kb.votes(session)
    if not everything:
        st.info(t("kb_page.none"))
    else:
        st.dataframe(pd.DataFrame({
            t("kb_page.col.question"): [q.question for q in everything],
            t("kb.field.category"): [q.category for q in everything],
            t("kb_page.col.state"): [t(f"kb_page.state.{q.state}") for q in everything],
            t("kb.field.reviewed_on"): [months.day_text(kb.last_reviewed(q), lang) for q in everything],
            t("kb_page.col.helpful"): [f"👍 {counts.get(q.id, kb.Votes()).helpful} · "
                                       f"👎 {counts.get(q.id, kb.Votes()).not_helpful}" for q in everything],
        }), hide_index=True, key="kb_all")
    if may_edit and everything:
        chosen_id = common.id_picker(t("kb_page.pick"), {q.id: q.question[:80] for q in everything}, "kb_edit_id")
        chosen = next(q for q in everything if q.id == chosen_id)
        name = f"kb_edit_{chosen.id}"
        form = common.form_state(name, chosen.version)
        prefix = f"{name}_{form['opened']}"
        typed = question_fields(prefix, {f: getattr(chosen, f) for f in FIELDS})
        owner_id = person_picker(t("kb_page.owner"), f"{prefix}_owner", current=chosen.owner_id)
        journeys = journey_choices()
        journey_id = common.current_journey_id()
        with common.db() as session:
            linked = kb.step_ids(session, chosen.id)
        steps = step_choices(journey_id)[0] if journey_id in journeys else {}
        picked_steps = st.multiselect(t("kb_page.steps"), list(steps), format_func=steps.get,
                                      default=[s for s in linked if s in steps], key=f"{prefix}_steps")
        buttons = st.columns(4)
        if buttons[0].button(t("kb_page.save"), key=f"{name}_save", type="primary", icon="💾"):
            try:
                with common.db() as session:
                    saved = kb.update_question(session, question_id=chosen.id, version=form["expected"],
                                               owner_id=owner_id, user=user, **typed)
                    if sorted(picked_steps) != sorted(s for s in linked if s in steps):
                        kb.link_steps(session, question_id=chosen.id, version=saved.version, user=user,
                                      step_ids=sorted(set(picked_steps) | {s for s in linked if s not in steps}))
            except ConflictError as error:
                common.form_conflict(name, chosen.version, error, restart=lambda: common.form_restart(name))
            except CemError as error:
                common.show_error(error)
            else:
                common.form_restart(name)
                common.saved(t("kb_page.saved"))
        publish = chosen.state != "published"
        if buttons[1].button(t("kb_page.publish" if publish else "kb_page.unpublish"), key=f"{name}_state",
                             icon="📢" if publish else "📝"):
            try:
                with common.db() as session:
                    (kb.publish_question if publish else kb.unpublish_question)(
                        session, question_id=chosen.id, version=chosen.version, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.saved(t("kb_page.published" if publish else "kb_page.unpublished"))
        if buttons[2].button(t("kb_page.reviewed"), key=f"{name}_reviewed", icon="✔️", help=t("kb_page.reviewed_help")):
            try:
                with common.db() as session:
                    kb.mark_reviewed(session, question_id=chosen.id, version=chosen.version, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.saved(t("kb_page.reviewed_saved"))

# ---------------------------------------------------------------- a new question
with tab_new:
    if not may_edit:
        st.info(t("kb_page.edit_only"))
    else:
        form = f"kb_new_{common.form_generation('kb_new')}"
        typed = question_fields(form, dict.fromkeys(FIELDS, ""))
        if st.button(t("kb_page.create"), key="kb_create", type="primary", icon="➕"):
            try:
                with common.db() as session:
                    kb.create_question(session, user=user, **typed)
            except CemError as error:
                common.show_error(error)
            else:
                common.saved(t("kb_page.created"), form="kb_new")

# ---------------------------------------------------------------- gaps and reviews
with tab_gaps:
    with common.db() as session:
        missing = kb.gaps(session)
    st.caption(t("kb_page.gaps_help"))
    if missing:
        st.dataframe(pd.DataFrame({
            t("kb_page.col.search"): [g.query for g in missing],
            t("kb_page.col.searches"): [g.searches for g in missing],
            t("kb_page.col.people"): [g.people for g in missing],
            t("kb_page.col.last"): [moment_text(g.last, lang) for g in missing],
        }), hide_index=True, key="kb_gaps")
    else:
        st.success(t("kb_page.no_gaps"), icon="✅")

with tab_stale:
    with common.db() as session:
        old = kb.stale(session, today)
    if old:
        st.warning(counted("kb_page.stale", len(old)), icon="⏳")
        st.dataframe(pd.DataFrame({
            t("kb_page.col.question"): [q.question for q in old],
            t("kb.field.reviewed_on"): [months.day_text(kb.last_reviewed(q), lang) for q in old],
        }), hide_index=True, key="kb_stale")
    else:
        st.success(t("kb_page.none_stale"), icon="✅")
