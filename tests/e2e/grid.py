"""Driving a Streamlit data editor (a canvas grid) from Playwright, with
the keyboard as a person at a workshop would."""
from __future__ import annotations

from tools.serve import wait_for_app

FIRST_COLUMN_X = 45  # past the row-marker column, inside the first data column
ROW_HEIGHT = 35


def add_row(page, grid, start_column: int, values: list[str]) -> None:
    """Click the grid's empty last row (which adds a row), move with Tab to
    `start_column`, and type `values` into that cell and the next ones."""
    wait_for_app(page)
    grid.scroll_into_view_if_needed()
    canvas = grid.locator("canvas").first
    canvas.wait_for()
    page.wait_for_timeout(200)  # the grid takes its final height after it is drawn
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + FIRST_COLUMN_X, box["y"] + box["height"] - ROW_HEIGHT / 2)
    for _ in range(20):  # the new row makes the grid one row taller
        page.wait_for_timeout(100)
        if canvas.bounding_box()["height"] > box["height"] + ROW_HEIGHT / 2:
            break
    else:
        raise AssertionError("clicking the grid's last row did not add a row")
    page.wait_for_timeout(300)
    wait_for_app(page)  # adding the row reruns the page: let that finish first
    if start_column == 0:  # the new row's first cell is open for typing
        page.keyboard.type(values[0], delay=15)
        page.wait_for_timeout(150)
        page.keyboard.press("Tab")  # keep the value, select the next cell
        page.wait_for_timeout(200)
        values = values[1:]
    else:
        page.keyboard.press("Escape")  # close the first cell's editor; the new row stays selected
        page.wait_for_timeout(150)
        for _ in range(start_column):
            page.keyboard.press("Tab")
            page.wait_for_timeout(100)
    for value in values:
        page.keyboard.press("Enter")  # open the selected cell's editor
        page.wait_for_timeout(150)
        page.keyboard.type(value, delay=15)
        page.wait_for_timeout(150)
        page.keyboard.press("Tab")  # keep the value, select the next cell
        page.wait_for_timeout(200)


def saved(page, name: str) -> None:
    """Wait until the grid's last committed cell is saved (grids save by
    themselves: there is no Save button)."""
    page.wait_for_timeout(300)
    wait_for_app(page)


def edit_cell(page, grid, row: int, column: int, value: str) -> None:
    """Replace the value of an existing cell (row and column from 0)."""
    grid.scroll_into_view_if_needed()
    page.keyboard.press("Escape")  # leave whatever cell of another grid has the focus
    box = grid.locator("canvas").first.bounding_box()
    for _ in range(2):  # the first click may only move the focus into this grid
        page.mouse.click(box["x"] + FIRST_COLUMN_X, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
        page.wait_for_timeout(200)
    for _ in range(column):
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")
    page.wait_for_timeout(150)
    page.keyboard.press("Control+A")
    page.keyboard.type(value, delay=15)
    page.wait_for_timeout(150)
    page.keyboard.press("Tab")
    page.wait_for_timeout(200)
