"""The workshop workflow in a real browser: a journey from the template,
a sub-step, a pain point, a fix and an idea typed into the grids, then seen
on the board after a reload."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app
from tests.e2e.grid import add_row, saved
from tools.serve import wait_for_app



def test_workshop_from_template_to_board(page, app_url):
    """A team creates a journey, types a sub-step, pain point, fix and idea (no Save button), reloads and sees all."""
    open_app(page, f"{app_url}/?lang=en")
    page.locator(".st-key-journeys_new_name input").fill("E2E home internet")
    page.locator(".st-key-journeys_create button").click()
    expect(page.get_by_role("heading", name="Map editor")).to_be_visible()
    wait_for_app(page)

    add_row(page, page.locator("[class*='st-key-grid_steps_']"), 1,
            ["Compare packages", "Website", "-1", "1"])
    saved(page, "steps")
    expect(page.get_by_text(re.compile(r"Saved at "))).to_be_visible()

    add_row(page, page.locator("[class*='st-key-grid_pains_']"), 0,
            ["Prices are confusing", "4"])
    saved(page, "pains")

    add_row(page, page.locator("[class*='st-key-grid_measures_']"), 2,
            ["One-page comparison table"])
    saved(page, "measures")

    add_row(page, page.locator("[class*='st-key-grid_ideas_']"), 0, ["Live chat with a real person"])
    saved(page, "ideas")

    open_app(page, f"{app_url}/?lang=en")  # a reload: a new session, so sign in again
    page.get_by_role("link", name="Journey board").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Journey board")).to_be_visible()
    board = page.locator("[data-testid='stMain']")
    expect(board.get_by_text("1.1 Compare packages")).to_be_visible()
    expect(board.get_by_text("Prices are confusing")).to_be_visible()
    expect(board.get_by_text(re.compile(r"Fix: One-page comparison table"))).to_be_visible()
    expect(board.get_by_text("Live chat with a real person")).to_be_visible()
    expect(board.get_by_text("severity 4")).to_be_visible()


def test_thai_interface_and_deep_link(page, app_url):
    """Opening a bookmarked board link in Thai shows the Thai board with the sidebar."""
    open_app(page, f"{app_url}/board?lang=th")
    expect(page.get_by_role("heading", name="กระดานแผนที่")).to_be_visible()
    expect(page.locator(".st-key-ui_lang_widget")).to_be_visible()
