"""The first visitor of a freshly started server opens a deep link: the
page it names, and no "page not found"."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import E2E_PASSWORD, E2E_USER
from tools.serve import running_app, wait_for_app


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory):
    """A server nobody has visited yet (SQLite: the first run is what matters here)."""
    database_url = f"sqlite:///{tmp_path_factory.mktemp('deep-link') / 'app.db'}"
    with running_app(database_url, env={"CEM_SEED_SAMPLE": "0", "CEM_ADMIN_USER": E2E_USER,
                                        "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url


def test_the_first_visitor_of_a_new_server_opens_a_deep_link(browser, fresh_server):
    """pages/ holds a folder per part of the method; Streamlit would take pages/
    for an old-style app and not find /monthly in it."""
    page = browser.new_page()
    try:
        page.goto(f"{fresh_server}/monthly?lang=en")
        wait_for_app(page)
        page.wait_for_timeout(500)
        assert page.get_by_text("Page not found").count() == 0
        page.locator(".st-key-auth_username input").fill(E2E_USER)
        page.locator(".st-key-auth_password input").fill(E2E_PASSWORD)
        page.locator(".st-key-auth_submit button").click()
        page.wait_for_timeout(300)
        wait_for_app(page)
        assert page.locator("[data-testid='stMain'] h1").first.inner_text().startswith("Monthly plan")
    finally:
        page.close()
