"""The voice-of-the-customer forms: a quick feedback form (a complaint
taken here is recorded as a complaint), and closing the loop on one
voice: evidence for a pain point, a new pain point, a knowledge-base
question, a follow-up."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from cem.core.errors import CemError
from cem.core.models import SENTIMENTS, SEVERITY_MAX, SEVERITY_MIN, VOICE_KINDS
from cem.customers import complaints
from cem.voice import feedback
from ui import auth, common
from ui.customer_widgets import NONE, counted, customer_picker, journey_choices, person_picker, step_picker
from ui.common import translated
from ui.day_field import day_field

AUTO = ""  # the sentiment picker's "from the scores"


def score_box(label: str, low: int, high: int, key: str, where) -> int | None:
    """A score or none: a select box, as a blank number box would read 0."""
    options = [None, *range(low, high + 1)]
    return where.selectbox(label, options, key=key, format_func=lambda s: "–" if s is None else str(s))


def feedback_form(name: str, *, today: date) -> None:
    """Take one voice. Its widgets start empty after each save."""
    t = common.translator()
    form = f"{name}_{common.form_generation(name)}"
    left, middle, right = st.columns(3)
    kind = left.selectbox(t("voice.field.kind"), VOICE_KINDS, key=translated(f"{form}_kind"),
                          format_func=lambda k: t(f"voice.kind.{k}"))
    channel = middle.text_input(t("voice.field.channel"), key=f"{form}_channel", max_chars=100,
                                placeholder=t("voice.channel_placeholder"))
    with right:
        received = day_field(t("voice.field.received"), key=f"{form}_received", start=today,
                             column="voice.field.received")
    text = st.text_area(t("voice.field.text"), key=f"{form}_text", max_chars=4000, height=100,
                        help=t("voice.field.text_help"))
    customer_id = customer_picker(f"{form}_customer", allow_none=True, label=t("voice.field.customer"))
    journeys = journey_choices()
    journey_id = common.id_picker(t("complaint.field.journey"), journeys, f"{form}_journey") if journeys else None
    step_id, _ = step_picker(form, journey_id)
    if kind == "complaint":
        severity = st.slider(t("complaint.field.severity"), SEVERITY_MIN, SEVERITY_MAX, 3, key=f"{form}_severity",
                             help=t("complaint.field.severity_help"))
        st.caption(t("voice.complaint_here"))
        scores, sentiment = (None, None, None), None
    else:
        boxes = st.columns(4)
        scores = (score_box(t("voice.field.nps"), 0, 10, f"{form}_nps", boxes[0]),
                  score_box(t("voice.field.csat"), 1, 5, f"{form}_csat", boxes[1]),
                  score_box(t("voice.field.ces"), 1, 7, f"{form}_ces", boxes[2]))
        sentiment = boxes[3].selectbox(t("voice.field.sentiment"), [AUTO, *SENTIMENTS],
                                       key=translated(f"{form}_sentiment"), help=t("voice.sentiment_help"),
                                       format_func=lambda s: t(f"voice.sentiment.{s}") if s else t("voice.from_scores"))
    if not st.button(t("voice.save"), key=f"{name}_save", type="primary", icon="💾", disabled=received is None):
        return
    try:
        with common.db() as session:
            if kind == "complaint":
                complaints.record_complaint(session, text=text, received=received, severity=severity,
                                            channel="other", customer_id=customer_id, step_id=step_id,
                                            user=common.user())
            else:
                feedback.record_feedback(session, received=received, text=text, kind=kind, channel=channel,
                                         sentiment=sentiment or None, nps=scores[0], csat=scores[1], ces=scores[2],
                                         customer_id=customer_id, step_id=step_id, journey_id=journey_id,
                                         user=common.user())
    except CemError as error:
        common.show_error(error)
    else:
        common.saved(t("voice.saved_complaint" if kind == "complaint" else "voice.saved"), form=name)


def close_the_loop(voice: feedback.Voice, *, today: date, questions: dict[int, str]) -> None:
    """What can be done with one voice, as tabs of one panel."""
    t = common.translator()
    st.markdown(f"> {common.md(voice.text) if voice.text else t('voice.no_words')}")
    tabs = st.tabs([t("voice.loop.evidence"), t("voice.loop.question"), t("voice.loop.follow_up")])
    with tabs[0]:
        _evidence(voice)
    with tabs[1]:
        _question(voice, questions)
    with tabs[2]:
        _follow_up(voice, today)


def _evidence(voice: feedback.Voice) -> None:
    t = common.translator()
    if not auth.allowed("map.edit"):
        st.caption(t("voice.loop.map_only"))
        return
    if voice.pain_point_id:
        st.success(t("voice.loop.is_evidence"), icon="📌")
        return
    key = f"voice_loop_{voice.source}_{voice.id}"
    journeys = journey_choices()
    journey_id = voice.journey_id if voice.journey_id in journeys else common.current_journey_id()
    step_id, pain_id = step_picker(key, journey_id, current=voice.step_id, with_pain_point=True)
    left, right = st.columns(2)
    if left.button(t("voice.loop.add_evidence"), key=f"{key}_add", disabled=pain_id is None, icon="📎"):
        _run(lambda s: feedback.add_as_evidence(s, source=voice.source, item_id=voice.id, pain_point_id=pain_id,
                                                version=voice.version, user=common.user()),
             t("voice.loop.evidence_added"))
    if right.button(t("voice.loop.new_pain"), key=f"{key}_new", disabled=voice.step_id is None, icon="📌",
                    help=t("voice.loop.new_pain_help")):
        _run(lambda s: feedback.voice_to_pain_point(s, source=voice.source, item_id=voice.id, version=voice.version,
                                              user=common.user()), t("voice.loop.pain_made"))


def _question(voice: feedback.Voice, questions: dict[int, str]) -> None:
    t = common.translator()
    if not auth.allowed("kb.edit"):
        st.caption(t("voice.loop.kb_only"))
        return
    key = f"voice_q_{voice.source}_{voice.id}"
    if voice.kb_question_id in questions:
        st.success(t("voice.loop.asks", question=common.md(questions[voice.kb_question_id])), icon="❓")
    options = {NONE: t("voice.loop.no_question"), **questions}
    chosen = common.id_picker(t("voice.loop.pick_question"), options, key)
    left, right = st.columns(2)
    if left.button(t("voice.loop.link_question"), key=f"{key}_link", icon="🔗",
                   disabled=chosen == (voice.kb_question_id or NONE)):
        _run(lambda s: feedback.link_voice_question(s, source=voice.source, item_id=voice.id, version=voice.version,
                                              question_id=None if chosen == NONE else chosen, user=common.user()),
             t("voice.loop.question_linked"))
    if right.button(t("voice.loop.new_question"), key=f"{key}_new", icon="➕",
                    disabled=not voice.text.strip() or voice.kb_question_id is not None):
        _run(lambda s: feedback.voice_to_question(s, source=voice.source, item_id=voice.id, version=voice.version,
                                                  user=common.user()), t("voice.loop.question_made"))


def _follow_up(voice: feedback.Voice, today: date) -> None:
    t = common.translator()
    if not auth.allowed("complaints.record"):
        st.caption(t("voice.loop.record_only"))
        return
    key = f"voice_f_{voice.source}_{voice.id}_{common.form_generation('voice_follow_up')}"
    owner_id = person_picker(t("voice.loop.owner"), f"{key}_owner")
    due = day_field(t("voice.loop.due"), key=f"{key}_due", start=today + timedelta(days=3), column="voice.loop.due")
    note = st.text_input(t("voice.field.note"), key=f"{key}_note", max_chars=1000)
    if st.button(t("voice.loop.add_follow_up"), key=f"{key}_add", icon="📞", disabled=due is None):
        try:
            with common.db() as session:
                feedback.add_follow_up(session, source=voice.source, item_id=voice.id, owner_id=owner_id, due=due,
                                       note=note, user=common.user())
        except CemError as error:
            common.show_error(error)
        else:
            common.saved(t("voice.loop.follow_up_added"), form="voice_follow_up")


def _run(action, message: str) -> None:
    try:
        with common.db() as session:
            action(session)
    except CemError as error:
        common.show_error(error)
    else:
        common.saved(message)


def waiting_caption(n: int) -> str:
    return counted("voice.waiting", n)
