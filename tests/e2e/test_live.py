"""Many people at once: a change saved in one browser appears in another
that has the board open, without reloading."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app
from tests.e2e.grid import edit_cell, saved
from tools.serve import wait_for_app


def test_others_see_a_change_within_seconds(browser, page, app_url):
    """An executive watching the board sees a stage renamed by an editor within a few seconds."""
    open_app(page, f"{app_url}/?lang=en")
    page.locator(".st-key-journeys_new_name input").fill("Live journey")
    page.locator(".st-key-journeys_create button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Map editor")).to_be_visible()

    watcher_context = browser.new_context(viewport={"width": 1400, "height": 1200}, locale="en-US")
    watcher = watcher_context.new_page()
    open_app(watcher, f"{app_url}/board?lang=en")
    expect(watcher.get_by_role("heading", name="1. Offer")).to_be_visible()

    edit_cell(page, page.locator("[class*='st-key-grid_stages_']"), row=0, column=1, value="Offer online")
    saved(page, "stages")
    expect(page.get_by_text(re.compile(r"Saved at .* · 1 changed"))).to_be_visible()

    expect(watcher.get_by_role("heading", name="1. Offer online")).to_be_visible(timeout=10_000)
    watcher_context.close()
