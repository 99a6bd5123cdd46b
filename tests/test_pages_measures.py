"""AppTests of the measures at four levels, in Thai and English: the page
lists every level with its measures, a hand-entered value and a target
are saved, and the executive page and its monthly report show each level."""
from __future__ import annotations

import pytest
from sqlmodel import select

from cem.core import i18n, months
from cem.core.models import Indicator, IndicatorValue
from cem.improvement import indicators, measures_view
from tests.test_pages import app_db, db_session, open_page, picker  # noqa: F401 (fixture)

PAGE = "pages/improvement/measures.py"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_every_level_is_listed_with_its_computed_measures_named_in_the_readers_language(app_db, lang):
    at = open_page(PAGE, lang)
    headings = [h.value for h in at.subheader]
    for level in ("organisation", "strategy", "operations", "inputs"):
        assert i18n.t(f"measure.level.{level}", lang) in headings
    names = {name for frame in at.dataframe for name in frame.value["measure"]}
    assert i18n.t("measure.name.nps", lang) in names and i18n.t("measure.name.tasks_on_target", lang) in names
    assert not at.exception and not at.error


def test_a_hand_entered_value_is_saved_for_the_month(app_db):
    at = open_page(PAGE, "en")
    with db_session(app_db) as session:
        hours = session.execute(select(Indicator).where(Indicator.source == "")).scalars().first()
    month = months.this_month()
    picker(at, "measures_value_of").select(hours.id).run()
    at.text_input(key=f"measures_value_{hours.id}_{month}").input("12.5")
    at.button(key="measures_value_save").click().run()
    assert not at.error
    with db_session(app_db) as session:
        saved = session.execute(select(IndicatorValue).where(IndicatorValue.indicator_id == hours.id)).scalars().one()
    assert (saved.month, saved.value) == (month, 12.5)


def test_a_value_that_is_not_a_number_is_refused_with_its_field_named(app_db):
    at = open_page(PAGE, "th")
    with db_session(app_db) as session:
        hours = session.execute(select(Indicator).where(Indicator.source == "")).scalars().first()
    at.text_input(key=f"measures_value_{hours.id}_{months.this_month()}").input("สิบสอง")
    at.button(key="measures_value_save").click().run()
    assert at.error and i18n.t("measure.col.value", "th") in at.error[0].value
    assert at.text_input(key=f"measures_value_{hours.id}_{months.this_month()}").value == "สิบสอง"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_executive_page_and_its_report_show_each_level(app_db, lang):
    at = open_page("pages/improvement/executive.py", lang)
    assert i18n.t("measure.title", lang) in [h.value for h in at.subheader]
    with db_session(app_db) as session:
        summaries = indicators.level_summary(session, [months.this_month()])
    section = measures_view.report_section(summaries, lambda key, **p: i18n.t(key, lang, **p), lang)
    assert i18n.t("measure.level.inputs", lang) in section and "<script" not in section
    assert i18n.t("measure.not_added", lang) in section
