"""The monthly 30/20/10 cycle in a real browser: an owner, a 30 %
commitment met with 35 %, then a 20 % commitment missed with 10 %, as the
executive page shows it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from cem.core import months
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tests.e2e.grid import edit_cell
from tools.serve import running_app, wait_for_app

# Month 1 is last month and month 2 this one: progress is recorded for
# months that have happened.
MONTH_1 = months.add(months.this_month(), -1)
MONTH_2 = months.this_month()
PLAN_TIER_COLUMN = 1  # task, tier, ...
CHECK_IN_NEW_COLUMN = 1  # task, new progress, ...


@pytest.fixture(scope="module", params=BACKENDS)
def app_url(request, tmp_path_factory):
    """A fresh server with the sample journey (which has measures to turn into tasks)."""
    with fresh_database(request.param, tmp_path_factory.mktemp("cycle")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "1", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url


def go(page, name: str) -> None:
    """Open a page from the sidebar menu (a new address would be a new session)."""
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def choose(page, key: str, option: str) -> None:
    """Pick the option labelled `option` in the selectbox with `key`, typing
    to filter as a person would (long lists show only some options)."""
    box = page.locator(f".st-key-{key}").get_by_role("combobox")
    box.click()
    box.press_sequentially(option, delay=10)
    page.get_by_role("option", name=option).first.click()
    page.wait_for_timeout(200)


def on_target_card(page):
    card = page.locator("[data-testid='stMetric']").filter(has_text="Tasks on target")
    return card.locator("[data-testid='stMetricValue']")


def commit_and_record(page, month: str, tier: str, progress: str) -> None:
    go(page, "Monthly plan 30/20/10")
    choose(page, "monthly_month", months.label(month, "en"))
    edit_cell(page, page.locator(".st-key-monthly_plan_grid"), 0, PLAN_TIER_COLUMN, tier)
    wait_for_app(page)
    save = page.locator(".st-key-monthly_plan_save button")
    expect(save).to_contain_text("(1 not saved yet)")
    save.click()
    expect(page.get_by_text(f"Plan for {months.label(month, 'en')} saved (1 change(s)).")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("tab", name=re.compile("Month-end check-in")).click()
    edit_cell(page, page.locator(".st-key-monthly_check_in_grid"), 0, CHECK_IN_NEW_COLUMN, progress)
    wait_for_app(page)
    page.locator(".st-key-monthly_record button").click()
    expect(page.get_by_text(f"Recorded the progress of 1 task(s) for {months.label(month, 'en')}.")).to_be_visible()
    wait_for_app(page)


def evaluation(page):
    """The month's headline on the evaluation tab."""
    page.get_by_role("tab", name=re.compile("Evaluation and next month")).click()
    return page.locator(".st-key-monthly_eval_headline")


def test_a_month_on_target_then_a_month_off_target(page, app_url):
    """A lead assigns an owner, commits 30 % and records 35 % (on target), then 20 % and 10 % more (off target)."""
    open_app(page, f"{app_url}/people?lang=en")
    page.locator(".st-key-people_add_name input").fill("Somsri Jaidee")
    page.locator(".st-key-people_add_department input").fill("Call center")
    page.locator(".st-key-people_add_phone input").fill("081 234 5678")
    page.locator(".st-key-people_add_submit button").click()
    wait_for_app(page)
    expect(page.get_by_text("Somsri Jaidee").first).to_be_visible()

    go(page, "Tasks and owners")
    page.get_by_role("tab", name="New task").click()
    choose(page, "tasks_new_owner", "Somsri Jaidee · Call center · 081 234 5678")
    choose(page, "tasks_new_start", months.label(MONTH_1, "en"))
    page.locator(".st-key-tasks_new_submit button").click()
    wait_for_app(page)
    page.get_by_role("tab", name="All tasks").click()
    expect(page.locator(".st-key-tasks_table").get_by_text("Somsri Jaidee")).to_be_attached()  # a canvas grid cell

    commit_and_record(page, MONTH_1, "30%", "35")
    expect(evaluation(page)).to_have_text("1 of 1 tasks on target; average gain 35 points against 30 committed")
    go(page, "Executive view")  # the cards are about this month (month 2), not planned yet
    expect(on_target_card(page)).to_have_text("—")  # a dash in the big type, the words under it
    expect(page.locator("[data-testid='stCaptionContainer']").filter(has_text="no commitments").first).to_be_visible()

    commit_and_record(page, MONTH_2, "20%", "45")
    expect(evaluation(page)).to_have_text("0 of 1 tasks on target; average gain 10 points against 20 committed")
    go(page, "Executive view")  # this month's cards, against month 1
    expect(on_target_card(page)).to_have_text("0 of 1")
    expect(page.get_by_text("last month: 1 of 1")).to_be_visible()
