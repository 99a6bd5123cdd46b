"""Measures at four levels (seed 003): each level's measures with their
latest value against the target and the trend over the last 12 months,
how each computed one is worked out; this month's hand-entered values,
targets, and new measures."""
from datetime import date

import pandas as pd
import streamlit as st
from sqlalchemy import select

from cem.core import months
from cem.core.errors import CemError
from cem.core.models import DIRECTIONS, INDICATOR_LEVELS, IndicatorValue
from cem.improvement import indicators, measures_view
from ui import auth, common
from ui import measures as ui_measures
from ui.common import translated

common.ensure_entry_point()

t = common.translator()
lang = common.lang()
user = common.user()
this_month = months.this_month()
wanted = months.between(months.add(this_month, -11), this_month)

st.title(t("page.measures"))
st.caption(t("measure.intro"))
levels = ui_measures.level_summary(wanted)
library = [status.indicator for level in levels for status in level.measures]

for summary in levels:
    st.subheader(measures_view.level_title(summary, t), anchor=False)
    rows = [measures_view.row(status, t, lang) for status in summary.measures]
    if not rows:
        st.caption(t("measure.level_empty"))
        continue
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"measures_{summary.level}",
                 column_order=["measure", "value", "month", "target", "meets", "trend", "series", "how"],
                 column_config={
                     "measure": st.column_config.TextColumn(t("measure.col.name"), width="medium"),
                     "value": st.column_config.TextColumn(t("measure.col.value")),
                     "month": st.column_config.TextColumn(t("measure.col.month")),
                     "target": st.column_config.TextColumn(t("measure.col.target")),
                     "meets": st.column_config.TextColumn(t("measure.col.meets")),
                     "trend": st.column_config.TextColumn(t("measure.col.trend")),
                     "series": st.column_config.LineChartColumn(t("measure.col.months")),
                     "how": st.column_config.TextColumn(t("measure.col.how"), width="large")})
st.caption(t("measure.not_added"))

if not auth.allowed("plan.edit"):
    st.stop()
labels = {m.id: f"{t(indicators.level_key(m.level))} · {measures_view.name(m, t)}" for m in library}
hand = {m.id: labels[m.id] for m in library if not m.source}

# ---------------------------------------------------------------- a month's value, entered by hand
st.divider()
st.subheader(t("measure.enter_title"), anchor=False)
if not hand:
    st.caption(t("measure.no_hand"))
else:
    left, middle, right = st.columns(3)
    with left:
        chosen = common.id_picker(t("measure.col.name"), hand, "measures_value_of")
    month = middle.selectbox(t("measure.col.month"), list(reversed(wanted)), key=translated("measures_value_month"),
                             format_func=lambda m: months.label(m, lang))
    with common.db() as session:
        value, version = session.execute(select(IndicatorValue.value, IndicatorValue.version).where(
            IndicatorValue.indicator_id == chosen, IndicatorValue.month == month)).first() or (None, 0)
        session.rollback()
    key = common.start(f"measures_value_{chosen}_{month}", "" if value is None else f"{value:g}", saved=version)
    typed = right.text_input(t("measure.col.value"), key=key, max_chars=30, help=t("measure.value_help"))
    if st.button(t("measure.save_value"), key="measures_value_save", icon="💾"):
        try:
            with common.db() as session:
                indicators.set_value(session, indicator_id=chosen, month=month, value=typed,
                                     version=version, user=user)
        except CemError as error:
            common.show_error(error)
        else:
            common.saved(t("measure.value_saved"))

# ---------------------------------------------------------------- a target
st.subheader(t("measure.target_title"), anchor=False)
left, right = st.columns(2)
with left:
    target_of = common.id_picker(t("measure.col.name"), labels, "measures_target_of")
measure = next(m for m in library if m.id == target_of)
target_key = common.start(f"measures_target_{target_of}", "" if measure.target is None else f"{measure.target:g}",
                          saved=measure.version)
target = right.text_input(t("measure.col.target") + f" ({common.md(measures_view.unit(measure, t))})", key=target_key,
                          max_chars=30, help=t(f"measure.direction.{measure.direction}"))
if st.button(t("measure.save_target"), key="measures_target_save", icon="🎯"):
    try:
        with common.db() as session:
            indicators.update_indicator(session, indicator_id=target_of, version=measure.version,
                                        target=indicators.number(target), user=user)
    except CemError as error:
        common.show_error(error)
    else:
        common.saved(t("measure.target_saved"))

# ---------------------------------------------------------------- a new measure
with st.expander(t("measure.add_title"), icon="➕"):
    form = f"measures_new_{common.form_generation('measures_new')}"
    left, middle, right = st.columns(3)
    level = left.selectbox(t("measure.col.level"), INDICATOR_LEVELS, key=translated(f"{form}_level"),
                           format_func=lambda lv: t(indicators.level_key(lv)))
    name = middle.text_input(t("measure.col.name"), key=f"{form}_name", max_chars=200)
    unit = right.text_input(t("measure.col.unit"), key=f"{form}_unit", max_chars=30)
    left, right = st.columns(2)
    direction = left.selectbox(t("measure.col.direction"), DIRECTIONS, key=translated(f"{form}_direction"),
                               format_func=lambda d: t(f"measure.direction.{d}"))
    new_target = right.text_input(t("measure.col.target"), key=f"{form}_target", max_chars=30)
    description = st.text_area(t("measure.col.description"), key=f"{form}_description", max_chars=1000, height=80)
    if st.button(t("measure.add"), key="measures_add", icon="➕"):  # an empty name is refused, named
        try:
            with common.db() as session:
                indicators.create_indicator(session, level=level, name=name, unit=unit, direction=direction,
                                            target=indicators.number(new_target), description=description,
                                            user=user)
        except CemError as error:
            common.show_error(error)
        else:
            common.saved(t("measure.added"), form="measures_new")
st.caption(t("measure.today", day=months.day_text(date.today(), lang)))
