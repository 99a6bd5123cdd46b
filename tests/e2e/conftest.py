"""Real-browser tests: one `streamlit run` server per test module on a free
port, driven by Playwright in Debian's Chromium."""
from __future__ import annotations

import os

import pytest

from tools.serve import chromium_args, chromium_path, running_app, wait_for_app

pytestmark = pytest.mark.e2e


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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """A fresh server on an empty database (no sample journey)."""
    db = tmp_path_factory.mktemp("e2e") / "e2e.db"
    with running_app(f"sqlite:///{db}", env={"CEM_SEED_SAMPLE": "0", "CEM_USER": "e2e"}) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
