"""Voice of the customer: take a voice; the scores with how many answers
each rests on; by stage and sub-step, by month and channel; the words
customers use most; the lead's list of unhappy voices with no follow-up;
every voice, and what to do with one."""
from datetime import date

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.db import get_engine, session_scope
from cem.core.errors import CemError
from cem.voice import analysis, charts as voice_charts, feedback
from cem.voice.scores import LOW_COUNT
from cem.voice.words import team_words
from ui import auth, common
from ui.charts import chart
from ui.customer_widgets import counted, journey_choices, step_choices
from ui.common import translated
from ui.periods import month_range
from ui.voice_widgets import close_the_loop, feedback_form

common.ensure_entry_point()

t = common.translator()
lang = common.lang()
today = date.today()

st.title(t("page.voice"))
st.caption(t("voice.intro"))
if auth.allowed("complaints.record"):
    with st.expander(t("voice.add"), icon="🗣️"):
        feedback_form("voice_new", today=today)

# ---------------------------------------------------------------- what to read
journeys = journey_choices()
current = common.current_journey_id()
left, right = st.columns([1, 2])
journey_id = left.selectbox(t("voice.filter_journey"), [0, *journeys], key=translated("voice_journey"),
                            index=([0, *journeys].index(current) if current in journeys else 0),
                            format_func=lambda j: journeys.get(j, t("customers.all")))
this_month = months.this_month()
first, last = month_range("voice_period", months.between(months.add(this_month, -35), this_month), span=12,
                          where=right)


@st.cache_resource(max_entries=32, show_spinner=False)
def voices(url: str, journey_id: int, first: str, last: str, stamp: tuple) -> list[feedback.Voice]:
    """The period's voices, read once per change of the feedback or the complaints."""
    with session_scope(get_engine(url)) as session:
        return feedback.voices(session, journey_id=journey_id or None, start=months.first_day(first),
                               end=months.last_day(last))


@st.cache_resource(max_entries=16, show_spinner=False)
def waiting_list(url: str, journey_id: int, stamp: tuple) -> list[feedback.Voice]:
    with session_scope(get_engine(url)) as session:
        return feedback.needing_follow_up(session, journey_id=journey_id or None)


with common.db() as session:
    extra = team_words(session)
    stamp = feedback.stamp(session)
everything = voices(common.database_url(), journey_id, first, last, stamp)
channels = sorted({voice.channel for voice in everything if voice.channel})
channel = st.selectbox(t("voice.filter_channel"), ["", *channels], key="voice_channel",
                       format_func=lambda c: c or t("customers.all")) if channels else ""
found = [voice for voice in everything if not channel or voice.channel == channel]
steps, _ = step_choices(journey_id) if journey_id else ({}, {})
tree = common.journey_tree(journey_id) if journey_id else None
stage_names = {stage.stage.id: stage.stage.name for stage in tree.stages} if tree else {}



@st.cache_resource(max_entries=64, show_spinner=False)
def top_terms(key: int, _voices: list, extra: frozenset, phrases: bool) -> list:
    """Cutting every voice into words takes a while (about 0.3 ms a voice):
    done once per set of voices (`key`), dictionary and choice."""
    return analysis.top_terms(_voices, extra=extra, phrases=phrases)


# ---------------------------------------------------------------- the scores


def figure_text(figures, name: str) -> str:
    value = getattr(figures, name)
    if value is None:
        return "–"
    return f"{value:+.0f}" if name == "nps" else (f"{value:.0f}%" if name == "csat" else f"{value:.1f}")


total = analysis.overall(found)
cards = st.columns(4)
for card, name in zip(cards, ("nps", "csat", "ces")):
    card.metric(t(f"voice.figure.{name}"), figure_text(total, name), help=t(f"voice.figure.{name}_help"))
    card.caption(counted("voice.answers", total.answers(name)) + (" ⚠️" if total.few(name) and total.answers(name)
                                                                   else ""))
cards[3].metric(t("voice.count"), f"{len(found):,}", help=t("voice.count_help"))
if any(total.few(name) and total.answers(name) for name in ("nps", "csat", "ces")):
    st.caption(t("voice.few_warning", n=LOW_COUNT))
if not found:
    st.info(t("voice.none"))

tab_stage, tab_trend, tab_words, tab_waiting, tab_all = st.tabs(
    [t("voice.tab.stage"), t("voice.tab.trend"), t("voice.tab.words"), t("voice.tab.waiting"), t("voice.tab.all")])


def score_columns(rows: list[tuple[str, object]]) -> pd.DataFrame:
    """Each row's NPS, CSAT and CES beside the number of answers behind each."""
    table = {t("voice.col.where"): [where for where, _ in rows]}
    for name in ("nps", "csat", "ces"):
        table[t(f"voice.figure.{name}")] = [figure_text(f, name) + (" ⚠️" if f.few(name) and f.answers(name) else "")
                                           for _, f in rows]
        table[t(f"voice.col.{name}_answers")] = [f.answers(name) for _, f in rows]
    return pd.DataFrame(table)


with tab_stage:
    if not journey_id:
        st.info(t("voice.pick_journey"))
    else:
        per_stage = analysis.by_stage(found)
        rows = [(stage_names.get(stage_id, t("voice.unplaced")), figures) for stage_id, figures in per_stage.items()]
        st.dataframe(score_columns(rows), hide_index=True, key="voice_by_stage")
        per_step = analysis.by_step(found)
        if per_step:
            st.markdown(f"**{t('voice.by_step')}**")
            st.dataframe(score_columns([(steps.get(i, "?"), f) for i, f in per_step.items()]), hide_index=True,
                         key="voice_by_step")
        st.caption(t("voice.few_warning", n=LOW_COUNT))
    per_channel = analysis.by_channel(found)
    if len(per_channel) > 1:
        st.markdown(f"**{t('voice.by_channel')}**")
        st.dataframe(score_columns([(c or t("voice.no_channel"), f) for c, f in per_channel.items()]),
                     hide_index=True, key="voice_by_channel")

with tab_trend:
    per_month = analysis.by_month(found, first, last)
    shown = (journey_id, first, last, channel, lang, tuple((v.source, v.id, v.version) for v in found))
    left, right = st.columns(2)
    for where, name in ((left, "nps"), (right, "csat"), (left, "ces")):
        chart(lambda name=name: voice_charts.score_trend(per_month, name, t, lang), cache_key=("voice", name, shown),
              key=f"voice_trend_{name}", where=where)
    chart(lambda: voice_charts.word_of_mouth_chart(analysis.word_of_mouth(found, first, last), t, lang),
          cache_key=("voice_wom", shown), key="voice_wom", where=right)
    st.caption(t("voice.trend_help", n=LOW_COUNT))

with tab_words:
    left, middle, right = st.columns(3)
    feeling = left.selectbox(t("voice.field.sentiment"), ["", "negative", "positive", "neutral"],
                             key=translated("voice_words_sentiment"),
                             format_func=lambda s: t(f"voice.sentiment.{s}") if s else t("customers.all"))
    stage_id = middle.selectbox(t("voice.words_stage"), [0, *stage_names], key=translated("voice_words_stage"),
                                format_func=lambda s: stage_names.get(s, t("customers.all")))
    phrases = right.toggle(t("voice.words_phrases"), key="voice_words_phrases")
    chosen = [v for v in found if (not feeling or v.sentiment == feeling) and (not stage_id or v.stage_id == stage_id)]
    terms = top_terms(hash(tuple((v.source, v.id, v.version) for v in chosen)), chosen, extra, phrases)
    if terms:
        st.dataframe(pd.DataFrame({
            t("voice.col.term"): [term.text for term in terms],
            t("voice.col.voices"): [term.count for term in terms],
            t("voice.col.quotes"): [" · ".join(q[:80] for q in term.quotes) for term in terms],
        }), hide_index=True, key="voice_terms")
        st.caption(t("voice.words_help"))
    else:
        st.info(t("voice.no_words_found"))

with tab_waiting:
    waiting = waiting_list(common.database_url(), journey_id, stamp)
    if waiting:
        st.warning(counted("voice.waiting", len(waiting)), icon="📞")
        st.dataframe(pd.DataFrame({
            t("voice.col.received"): [months.day_text(v.received, lang) for v in waiting],
            t("voice.col.kind"): [t(f"voice.kind.{v.kind}") for v in waiting],
            t("voice.col.text"): [v.text[:120] for v in waiting],
            t("voice.col.where"): [steps.get(v.step_id, "") for v in waiting],
        }), hide_index=True, key="voice_waiting")
        st.caption(t("voice.waiting_help"))
    else:
        st.success(t("voice.none_waiting"), icon="✅")

with tab_all:
    if found:
        st.dataframe(pd.DataFrame({
            t("voice.col.received"): [months.day_text(v.received, lang) for v in found],
            t("voice.col.kind"): [t(f"voice.kind.{v.kind}") for v in found],
            t("voice.col.sentiment"): [t(f"voice.sentiment.{v.sentiment}") for v in found],
            t("voice.col.scores"): [" · ".join(f"{n.upper()} {s}" for n, s in (("nps", v.nps), ("csat", v.csat),
                                                                                ("ces", v.ces)) if s is not None)
                                    for v in found],
            t("voice.col.text"): [v.text[:120] for v in found],
            t("voice.col.where"): [steps.get(v.step_id, "") for v in found],
            t("voice.col.channel"): [v.channel for v in found],
        }), hide_index=True, key="voice_all")
        labels = {f"{v.source}:{v.id}": f"{months.day_text(v.received, lang)} · {t(f'voice.kind.{v.kind}')} · "
                                    f"{v.text[:60] or '–'}" for v in found[:500]}
        picked = common.id_picker(t("voice.pick"), labels, "voice_picked")
        voice = next(v for v in found if f"{v.source}:{v.id}" == picked)
        with common.db() as session:
            questions = feedback.question_choices(session)
        close_the_loop(voice, today=today, questions=questions)

# ---------------------------------------------------------------- the team's words
with st.expander(t("voice.words_title"), icon="📖"):
    st.caption(t("voice.words_own_help"))
    with common.db() as session:
        own = feedback.team_word_list(session)
    st.write(" · ".join(common.md(w.word) for w in own) if own else t("voice.words_none"))
    if auth.allowed("map.edit"):
        typed = st.text_input(t("voice.words_add"), key=f"voice_words_new_{common.form_generation('voice_words')}",
                              max_chars=500, placeholder=t("voice.words_placeholder"))
        # Not disabled while the box is empty: the click that leaves a typed box would land on a disabled button.
        if st.button(t("voice.words_save"), key="voice_words_save", icon="💾"):
            try:
                with common.db() as session:
                    added = feedback.add_team_words(session, words=typed.replace(",", " ").split(),
                                                    user=common.user())
            except CemError as error:
                common.show_error(error)
            else:
                common.saved(counted("voice.words_added", added), form="voice_words")
