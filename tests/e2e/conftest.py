"""Real-browser tests: one `streamlit run` server per test module and
database backend (test_x[sqlite], test_x[postgresql]; see tests/conftest.py)
on a free port, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import os

import pytest

from tests.conftest import BACKENDS, fresh_database
from tools.serve import chromium_args, chromium_path, running_app, wait_for_app

pytestmark = pytest.mark.e2e
E2E_USER, E2E_PASSWORD = "e2e", "e2e-password"


def _require_chromium() -> str:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run must install Debian's chromium package")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def browser():
    executable = _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=chromium_args())
        yield browser
        browser.close()


@pytest.fixture(scope="module", params=BACKENDS)
def app_url(request, tmp_path_factory):
    """A fresh server on an empty database (no tables, no sample journey:
    the app migrates it at start), once per backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("e2e")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_app(page, url: str) -> None:
    """Open `url`, signing in first if the app asks."""
    page.goto(url)
    wait_for_app(page)
    if page.locator(".st-key-auth_username").count():
        page.locator(".st-key-auth_username input").fill(E2E_USER)
        page.locator(".st-key-auth_password input").fill(E2E_PASSWORD)
        page.locator(".st-key-auth_submit button").click()
        page.wait_for_timeout(300)
        wait_for_app(page)
