"""AppTests of the VIP page, in Thai and English, on the sample
workspace's bills: applying the rule, the list, marking by hand, the rule
form, and two periods compared."""
from __future__ import annotations

import pytest
from sqlmodel import select

from cem.core import i18n, months
from cem.core.models import Customer
from cem.customers import analysis, vip
from tests.test_pages import app_db, db_session, open_page  # noqa: F401 (fixture)
from tests.test_pages_profile import Browser, switch_language

PAGE = "pages/customers/vip.py"


def button(at, key):
    return next(b for b in at.button if b.key == key)


def last_year(url) -> analysis.Period:
    with db_session(url) as session:
        last = months.of(analysis.bill_range(session)[1])
    return analysis.Period(months.first_day(months.add(last, -11)), months.last_day(last))


def vip_codes(url) -> set[str]:
    with db_session(url) as session:
        return set(session.execute(select(Customer.code).where(Customer.vip)).scalars())


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_rule_marks_the_vips_of_the_last_12_months(app_db, lang):
    at = open_page(PAGE, lang)
    assert at.title[0].value == i18n.t("page.customers_vip", lang)
    assert any(i18n.t("vip.none_yet", lang) in i.value for i in at.info)
    button(at, "vip_apply").click().run()
    with db_session(app_db) as session:
        expected = vip.rule_vips(session, last_year(app_db))
        codes = {c for c, in session.execute(select(Customer.code).where(Customer.id.in_(expected)))}
    assert vip_codes(app_db) == codes and len(codes) >= 50  # 20 % of some 300 customers
    listed = at.dataframe[0].value
    assert set(listed[i18n.t("customers.col.code", lang)]) == codes
    assert at.subheader[2].value == i18n.t("vip.list_title", lang, n=len(codes))
    assert not at.exception and not at.error


def test_a_vip_is_taken_off_by_hand_with_a_reason(app_db):
    at = open_page(PAGE, "en")
    button(at, "vip_apply").click().run()
    top = at.dataframe[0].value["Customer code"].iloc[0]
    at.text_input(key="vip_hand_search").input(top).run()
    at.radio(key="vip_hand_decision").set_value("out").run()
    button(at, "vip_hand_save").click().run()
    assert any("reason" in e.value for e in at.error)  # refused without one
    assert top in vip_codes(app_db)
    at.text_input(key="vip_hand_reason_0").input("moved to a competitor").run()
    button(at, "vip_hand_save").click().run()
    assert top not in vip_codes(app_db)
    assert not at.exception


def test_the_rule_form_changes_the_rule_and_the_page_says_it(app_db):
    at = open_page(PAGE, "en")
    at.radio(key="vip_rule_kind").set_value("fixed").run()
    at.number_input(key="vip_rule_count").set_value(10).run()
    button(at, "vip_rule_save").click().run()
    with db_session(app_db) as session:
        assert vip.settings(session).kind == "fixed"
    assert i18n.t("vip.rule_sentence.fixed", "en", value="10") in at.markdown[0].value
    button(at, "vip_apply").click().run()
    assert 10 <= len(vip_codes(app_db)) <= 12  # ties at the tenth are in


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_two_periods_compared_show_who_dropped_out(app_db, lang):
    at = open_page(PAGE, lang)
    labels = [m.label for m in at.metric]
    assert labels == [i18n.t(k, lang) for k in ("vip.compare_new", "vip.compare_kept", "vip.compare_dropped")]
    dropped = int(at.metric[2].value.replace(",", ""))
    assert len(at.dataframe[0].value) == dropped  # the first tab: who dropped out
    if dropped:
        warning = i18n.t("vip.dropped_warning." + ("one" if dropped == 1 else "many"), lang, n=dropped)
        assert any(warning in w.value for w in at.warning)


def test_a_viewer_sees_the_list_but_marks_nothing(app_db):
    at = open_page(PAGE, "en", user="viewer")
    assert not [b for b in at.button if b.key in ("vip_apply", "vip_rule_save", "vip_hand_save")]
    assert not at.exception


def test_a_rule_saved_by_someone_else_meanwhile_is_named_and_not_overwritten(app_db):
    at = open_page(PAGE, "en")
    at.radio(key="vip_rule_kind").set_value("fixed").run()
    at.number_input(key="vip_rule_count").set_value(10).run()
    with db_session(app_db) as session:
        rule = vip.settings(session)
        vip.save_settings(session, kind="revenue_share", value=0.7, a_limit=rule.a_limit, b_limit=rule.b_limit,
                          version=rule.version, user="lead")
    button(at, "vip_rule_save").click().run()
    assert at.warning and not at.exception
    with db_session(app_db) as session:
        assert vip.settings(session).kind == "revenue_share"  # theirs stands
    assert at.number_input(key="vip_rule_count").value == 10  # yours is still on the screen
    button(at, "vip_rule_save").click().run()  # again, on purpose
    with db_session(app_db) as session:
        assert (vip.settings(session).kind, vip.settings(session).value) == ("fixed", 10)


def test_a_decision_by_hand_shows_the_status_now(app_db):
    at = open_page(PAGE, "en")
    button(at, "vip_apply").click().run()
    top = at.dataframe[0].value["Customer code"].iloc[0]
    at.text_input(key="vip_hand_search").input(top).run()
    assert any(i18n.t("vip.hand_now", "en", status=i18n.t("vip.status.vip", "en"),
                      source=i18n.t("vip.source.rule", "en")) in c.value for c in at.caption)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_profile_links_open_the_profile_in_the_language_being_read(app_db, lang):
    """A link opens a new tab, a new session: the address says the customer and the language,
    and the link sits next to the customer's name."""
    at = open_page(PAGE, lang)
    button(at, "vip_apply").click().run()
    listed = at.dataframe[0].value
    columns = list(listed.columns)
    assert columns.index(i18n.t("vip.col.profile", lang)) == columns.index(i18n.t("customers.col.name", lang)) + 1
    with db_session(app_db) as session:
        ids = dict(session.execute(select(Customer.code, Customer.id)).all())
    expected = [f"profile?customer={ids[code]}&lang={lang}" for code in listed[i18n.t("customers.col.code", lang)]]
    assert list(listed[i18n.t("vip.col.profile", lang)]) == expected
    without = at.dataframe[1].value  # the VIPs with no care this month: all of them, none planned yet
    assert sorted(without[i18n.t("vip.col.profile", lang)]) == sorted(expected)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_before_the_rule_is_applied_the_page_says_so_next_to_the_comparison(app_db, lang):
    """No VIP marked yet while the comparison counts whom the rule would pick: the page says the rule
    has not been applied and what the button does, and that the comparison marks no one."""
    at = open_page(PAGE, lang)
    assert [i.value for i in at.info] == [i18n.t("vip.none_yet", lang)]
    assert int(at.metric[0].value.replace(",", "")) + int(at.metric[1].value.replace(",", "")) > 0
    assert any(c.value == i18n.t("vip.compare_none_marked", lang) for c in at.caption)
    viewer = open_page(PAGE, lang, user="viewer")
    assert [i.value for i in viewer.info] == [i18n.t("vip.none_yet_viewer", lang)]
    button(at, "vip_apply").click().run()
    assert not at.info and not any(c.value == i18n.t("vip.compare_none_marked", lang) for c in at.caption)


def test_a_rule_of_one_customer_reads_in_the_singular(app_db):
    at = open_page(PAGE, "en")
    at.radio(key="vip_rule_kind").set_value("fixed").run()
    at.number_input(key="vip_rule_count").set_value(1).run()
    button(at, "vip_rule_save").click().run()
    assert "the top 1 customer by revenue" in at.markdown[0].value


def test_the_rule_form_and_the_months_survive_a_language_switch(app_db, monkeypatch):
    """The rule being changed and the months chosen stay as chosen after a switch to Thai, shown in Thai."""
    at = open_page(PAGE, "en")
    browser = Browser(monkeypatch)
    at.radio(key="vip_rule_kind").set_value("fixed").run()
    first = at.selectbox(key="vip_apply_from").options
    at.selectbox(key="vip_apply_from").select_index(0).run()
    chosen = at.selectbox(key="vip_apply_from").value
    at.radio(key="vip_hand_decision").set_value("out").run()
    switch_language(at, "th")
    assert at.radio(key="vip_rule_kind").value == "fixed"
    assert browser.showing(at.radio(key="vip_rule_kind")) == i18n.t("vip.rule.fixed", "th")
    assert at.selectbox(key="vip_apply_from").value == chosen
    assert browser.showing(at.selectbox(key="vip_apply_from")) == months.label(chosen, "th")
    assert at.radio(key="vip_hand_decision").value == "out"
    assert first and not at.exception
