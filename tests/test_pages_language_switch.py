"""Select boxes with translated labels on the journey, plan and admin pages
keep their choice across a language switch and show it in the new
language, as the customers' pages do (ui.common.translated)."""
from __future__ import annotations

from cem.core import i18n, months
from tests.test_pages import app_db, open_page  # noqa: F401 (fixture)
from tests.test_pages_profile import Browser, switch_language


def chosen_then_switched(at, browser, keys_and_indexes: dict[str, int]) -> dict[str, object]:
    """Pick an option in each box, switch to Thai; the values picked."""
    picked = {}
    for key, index in keys_and_indexes.items():
        at.selectbox(key=key).select_index(index).run()
        picked[key] = at.selectbox(key=key).value
    switch_language(at, "th")
    return picked


def test_the_tasks_pages_months_status_and_owner_survive_a_language_switch(app_db, monkeypatch):
    at = open_page("pages/improvement/tasks.py", "en")
    browser = Browser(monkeypatch)
    picked = chosen_then_switched(at, browser, {"tasks_attention_month": 3, "tasks_new_start": 2, "tasks_new_due": 4})
    for key, value in picked.items():
        box = at.selectbox(key=key)
        assert box.value == value, key
        assert browser.showing(box) == months.label(value, "th"), key
    owner = at.selectbox(key="tasks_new_owner")
    assert browser.showing(owner) == owner.format_func(owner.value)  # "no owner yet", in Thai
    assert not at.exception


def test_the_monthly_month_survives_a_language_switch(app_db, monkeypatch):
    at = open_page("pages/improvement/monthly.py", "en")
    browser = Browser(monkeypatch)
    picked = chosen_then_switched(at, browser, {"monthly_month": 5})
    box = at.selectbox(key="monthly_month")
    assert box.value == picked["monthly_month"]
    assert browser.showing(box) == months.label(picked["monthly_month"], "th")
    assert not at.exception


def test_the_new_accounts_role_survives_a_language_switch(app_db, monkeypatch):
    at = open_page("pages/data/admin.py", "en")
    browser = Browser(monkeypatch)
    picked = chosen_then_switched(at, browser, {"admin_new_role": 2})
    box = at.selectbox(key="admin_new_role")
    assert box.value == picked["admin_new_role"]
    assert browser.showing(box) == i18n.t(f"role.{box.value}", "th")
    assert not at.exception
