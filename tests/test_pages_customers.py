"""AppTests of the customers' pages, in Thai and English: the sample
workspace's bills analysed 20:80."""
from __future__ import annotations

import json
import re
import string
from datetime import date

import pytest

from cem.core import i18n, months
from cem.customers import analysis
from tests.test_pages import app_db, db_session, open_page  # noqa: F401 (fixture)

PAGE = "pages/customers/pareto.py"
# The page draws two tables: the ABC classes, then the ranked customers.
RANKING = 1


def metric(at, key: str, lang: str, **params) -> str:
    label = i18n.t(key, lang, **params)
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_sample_bills_show_the_20_80_figures(app_db, lang):
    at = open_page(PAGE, lang)
    with db_session(app_db) as session:
        last = analysis.bill_range(session)[1]
        first_month = months.add(months.of(last), -11)  # the page opens on the data's last 12 months
        result = analysis.pareto(session, analysis.Period(date(*months.parts(first_month), 1), last))
    assert at.title[0].value == i18n.t("page.customers_pareto", lang)
    assert metric(at, "customers.metric.customers", lang) == f"{result.customers:,}"
    assert metric(at, "customers.metric.top_share", lang) == f"{result.top_share * 100:.1f} %"
    assert metric(at, "customers.metric.needed", lang) == f"{result.needed_share * 100:.1f} %"
    reading = next(m.value for m in at.markdown if "Gini" in m.value or "จีนี" in m.value)
    assert f"{result.top_share * 100:.0f} %" in reading
    ranking = at.dataframe[RANKING].value
    assert len(ranking) == result.customers
    assert list(ranking[i18n.t("customers.col.rank", lang)])[:3] == [1, 2, 3]
    assert not at.error


def test_a_service_and_a_group_narrow_the_analysis(app_db):
    at = open_page(PAGE, "en")
    everyone = len(at.dataframe[RANKING].value)
    at.selectbox(key="customers_segment").select("องค์กร").run()
    organisations = at.dataframe[RANKING].value
    assert 0 < len(organisations) < everyone
    assert set(organisations["Customer group"]) == {"องค์กร"}
    at.selectbox(key="customers_service").select("กล่องทีวี").run()
    assert not at.exception


def test_months_chosen_the_wrong_way_round_are_swapped(app_db):
    at = open_page(PAGE, "en")
    first, last = at.selectbox(key="customers_from").options[0], at.selectbox(key="customers_to").value
    at.selectbox(key="customers_from").select_index(len(at.selectbox(key="customers_from").options) - 1)
    at.selectbox(key="customers_to").select_index(0).run()
    assert any(i18n.t("customers.months_swapped", "en") in c.value for c in at.caption)
    assert first and last and not at.exception


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_without_bills_the_page_says_how_they_come(engine, db_url, monkeypatch, lang):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_SEED_SAMPLE", "0")
    at = open_page(PAGE, lang)
    assert [i.value for i in at.info] == [i18n.t("customers.no_bills", lang)]


# ---------------------------------------------------------------- counts in words

CUSTOMERS_CATALOGUES = ("billing", "complaints", "customers", "profile", "vip")
# Counts that are never 1: limits of the file reader, a list cut at 1,000,
# bars of two customers or more; and a rule of one customer, which has its own key (fixed_one).
NEVER_ONE = {"billing.err.too_many_cells", "billing.err.too_many_rows", "billing.err.too_slow",
             "billing.problem.too_long", "customers.shown_top", "customers.chart.pareto_groups",
             "vip.rule_sentence.fixed"}
NOT_PLURAL = {"is", "was", "has", "this", "its", "as", "yes", "us"}


def customers_messages() -> dict[str, str]:
    messages = {}
    for name in CUSTOMERS_CATALOGUES:
        messages.update(json.loads((i18n.LOCALES_DIR / "en" / f"{name}.json").read_text(encoding="utf-8")))
    return messages


def test_a_count_of_one_reads_in_the_singular_in_english():
    """“1 complaints”, “1 bills”, “1 days” nowhere: each message with a count says it right for one
    (a .one key beside a .many key, or words that fit any number)."""
    wrong = {}
    for key, text in customers_messages().items():
        if key.endswith(".many") or key in NEVER_ONE:
            continue
        filled = i18n.t(key, "en", **{name: 1 for _, name, _, _ in string.Formatter().parse(text) if name})
        plural = [w for w in re.findall(r"(?<![\d.,%])1 (?:[a-z]+ )?([A-Za-z]+s)\b", filled) if w not in NOT_PLURAL]
        if plural:
            wrong[key] = filled
    assert wrong == {}


def test_every_one_has_its_many_in_both_languages():
    for lang in i18n.LANGS:
        keys = set(i18n.catalogue(lang))
        ones = {k[:-4] for k in keys if k.endswith(".one")}
        manys = {k[:-5] for k in keys if k.endswith(".many")}
        assert ones == manys and ones
