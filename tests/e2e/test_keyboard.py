"""The map editor's keyboard promise, in a real browser: Enter opens a
list column's choices, the arrow keys move, Enter picks, and the choice is
saved at once."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app
from tests.e2e.grid import FIRST_COLUMN_X, ROW_HEIGHT
from tools.serve import wait_for_app


def test_a_list_column_is_chosen_with_enter_and_the_arrow_keys(page, app_url):
    """Tab to the first stage's phase, Enter, ArrowDown, Enter: it is saved and the board shows the new phase."""
    open_app(page, f"{app_url}/?lang=en")
    page.locator(".st-key-journeys_new_name input").fill("Keyboard journey")
    page.locator(".st-key-journeys_create button").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Map editor")).to_be_visible()
    grid = page.locator("[class*='st-key-grid_stages_']")
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + FIRST_COLUMN_X, box["y"] + ROW_HEIGHT * 1.5)  # row 1, "No."
    page.wait_for_timeout(200)
    for _ in range(2):  # to "Service phase"
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")  # opens the list: Before service (chosen), During service, After service
    page.wait_for_timeout(300)
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")
    page.wait_for_timeout(500)
    wait_for_app(page)
    expect(page.get_by_text(re.compile(r"Saved at .* · 1 changed"))).to_be_visible()
    page.locator("[data-testid='stSidebarNav'] a[href$='/board']").click()
    wait_for_app(page)
    main = page.locator("[data-testid='stMain']")
    expect(main.get_by_text("1. Offer")).to_be_visible()
    # The template has three stages during service; Offer is now the fourth.
    expect(main.locator("p").filter(has_text=re.compile(r"^🟠 During service"))).to_have_count(4)
