"""Only the open tab of the tasks and meetings pages runs: what a person
typed and did not save yet is still there after looking at another tab."""
from __future__ import annotations

import pytest

from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tools.serve import running_app, wait_for_app


@pytest.fixture(scope="module", params=BACKENDS)
def app_url(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("tabs")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "1", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url


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
