"""Only the open tab of the tasks and meetings pages runs: what a person
typed and did not save yet is still there after looking at another tab."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cem.core import i18n, months
from cem.core.db import get_engine, session_scope
from cem.improvement import plan
from cem.journey import services
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tests.e2e.grid import FIRST_COLUMN_X, ROW_HEIGHT
from tools.serve import running_app, wait_for_app


@pytest.fixture(scope="module", params=BACKENDS)
def app(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("tabs")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "1", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url, database_url


@pytest.fixture
def app_url(app):
    return app[0]


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    wait_for_app(page)


def go(page, name: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    wait_for_app(page)


def test_a_task_and_minutes_typed_but_not_saved_survive_another_tab(page, app_url):
    open_app(page, app_url)
    go(page, "Tasks and owners")
    open_tab(page, "New task")
    page.locator(".st-key-tasks_new_description textarea").fill("Ask finance for the price list")
    open_tab(page, "All tasks")
    open_tab(page, "New task")
    assert page.locator(".st-key-tasks_new_description textarea").input_value() == "Ask finance for the price list"

    go(page, "Meetings")
    page.locator(".st-key-meetings_notes textarea").fill("ทีมตกลงพิมพ์ตารางราคาใหม่")
    open_tab(page, "Past meetings")
    open_tab(page, "New meeting")
    assert page.locator(".st-key-meetings_notes textarea").input_value() == "ทีมตกลงพิมพ์ตารางราคาใหม่"


def test_tiers_typed_and_a_tab_clicked_at_once_are_kept(page, app_url):
    """The monthly page runs only its open tab; the tiers box is typed in
    and another tab clicked straight after, without leaving the box first."""
    open_app(page, app_url)
    go(page, "Monthly plan 30/20/10")
    tiers_box = page.locator(".st-key-monthly_tiers input")
    if not tiers_box.is_visible():
        page.get_by_text("Change the tiers").click()
    tiers_box.click()
    tiers_box.press("ControlOrMeta+a")
    page.keyboard.type("40, 25, 10", delay=20)
    page.get_by_role("tab", name="2 · Month-end check-in").click()  # at once: the box still has the focus
    wait_for_app(page)
    open_tab(page, "1 · Plan the month")
    if not page.locator(".st-key-monthly_tiers input").is_visible():
        page.get_by_text("Change the tiers").click()
    assert page.locator(".st-key-monthly_tiers input").input_value() == "40, 25, 10"


def test_a_note_typed_in_the_check_in_grid_and_a_tab_clicked_at_once_is_kept(page, app):
    """The cell's editor is still open when the other tab is clicked."""
    url, database_url = app
    open_app(page, url)  # the app makes the tables and the sample on its first start
    with session_scope(get_engine(database_url)) as session:
        journey = services.list_journeys(session)[0]
        step = services.load_journey_tree(session, journey.id).stages[0].steps[0].step
        this_month = months.this_month()
        plan.create_task(session, step_id=step.id, title="Print the new price list", start_month=this_month,
                         due_month=months.add(this_month, 2), user=E2E_USER)
    go(page, "Monthly plan 30/20/10")
    open_tab(page, "2 · Month-end check-in")
    grid = page.locator(".st-key-monthly_check_in_grid [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    for _ in range(2):  # the first click may only move the focus into the grid
        page.mouse.click(box["x"] + FIRST_COLUMN_X, box["y"] + ROW_HEIGHT * 1.5)
        page.wait_for_timeout(200)
    for _ in range(2):  # task, new progress, note
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")
    page.wait_for_timeout(150)
    page.keyboard.type("รอใบเสนอราคาจากฝ่ายจัดซื้อ", delay=15)
    page.get_by_role("tab", name="1 · Plan the month").click()  # at once: the cell's editor is open
    wait_for_app(page)
    open_tab(page, "2 · Month-end check-in")
    page.wait_for_timeout(300)
    expect(page.locator(".st-key-monthly_record button")).to_contain_text(i18n.t("plan.checkin.record_all", "en", n=1))
