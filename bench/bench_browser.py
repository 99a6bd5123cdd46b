"""Click to drawn in Chromium: the busiest pages and one grid save, on the
large journey against the small one.

Builds the SMALL and LARGE journeys of bench_pages.py in two temporary
SQLite databases, starts the real app on each (tools/serve.py) and signs in
to both in one headless Chromium, in Thai. Then, for each page, it goes to
the journey list from the sidebar (not timed) and clicks the page's link in
the sidebar, timing from the click until the script has finished and the
page's title is drawn; small and large take turns, `--runs` times each.
The grid save edits the first task's tier in the Monthly page's plan grid,
clicks Save and times until the confirmation shows.

    .venv/bin/python bench/bench_browser.py [--runs 3]

Prints, for each page and for the save:

    browser <page>: small <ms>, large <ms> (median of <runs>)
    ratio browser <page>: <large / small>

Not a pass/fail check (CI does not run it). Exits 0, and also without
Chromium (saying so); 2 when a server, the browser or a page fails.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_pages import LANG, LARGE, SMALL, USER, build_database  # noqa: E402
from bench_sessions import CHROMIUM, PASSWORD, BenchError, sign_in  # noqa: E402
from cem.core import auth, i18n  # noqa: E402
from cem.core.db import dispose_engine, get_engine, session_scope  # noqa: E402
from tests.e2e.grid import edit_cell  # noqa: E402 (the grid driven as the browser tests drive it)
from tools.serve import chromium_args, chromium_path, running_app, wait_for_app  # noqa: E402

PAGES = ("board", "executive", "tasks", "monthly")
DEFAULT_RUNS = 3
TIMEOUT_MS = 120_000
VIEWPORT = {"width": 1280, "height": 900}
PLAN_TIER_COLUMN = 1  # task, tier, ... (pages/improvement/monthly.py)


def prepare(folder: str, shape):
    db = build_database(Path(folder) / f"{shape.name}.db", shape)
    with session_scope(get_engine(db.url)) as session:
        auth.update_user(session, username=USER, password=PASSWORD, user=USER)
    dispose_engine(db.url)
    return db


def _title(page: str) -> str:
    return i18n.t(f"page.{page}", LANG)


def drawn(tab, page: str) -> None:
    """Wait until the script has finished and `page`'s title is shown."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        wait_for_app(tab, timeout=TIMEOUT_MS)
        if tab.locator("[data-testid='stException']").count():
            raise BenchError(f"{page} raised: {tab.locator('[data-testid=stException]').first.inner_text()}")
        heading = tab.locator("[data-testid='stMain'] h1")
        if heading.count() and _title(page) in heading.first.inner_text():
            return
        if time.monotonic() > deadline:
            raise BenchError(f"{page} was not drawn within {TIMEOUT_MS / 1000:.0f} s")
        tab.wait_for_timeout(20)


def click_link(tab, page: str) -> float:
    """Seconds from a click on `page` in the sidebar to the page drawn."""
    link = tab.locator("[data-testid='stSidebarNav']").get_by_role("link", name=_title(page))
    started = time.perf_counter()
    link.click()
    tab.wait_for_timeout(50)  # the click starts a run; before it, the old page still counts as finished
    drawn(tab, page)
    return time.perf_counter() - started


def open_tab(browser, base_url: str, journey_id: int):
    context = browser.new_context(viewport=VIEWPORT, locale="th-TH")
    tab = context.new_page()
    tab.set_default_timeout(TIMEOUT_MS)
    tab.goto(f"{base_url}/?journey={journey_id}&lang={LANG}")  # the journey list is the main page
    wait_for_app(tab, timeout=TIMEOUT_MS)
    if tab.locator(".st-key-auth_username").count():
        sign_in(tab)
    drawn(tab, "journeys")
    return tab


def time_page(tab, page: str) -> float:
    click_link(tab, "journeys")
    return click_link(tab, page)


def time_save(tab) -> float:
    """Seconds from clicking Save after one tier was edited in the plan grid
    to the confirmation shown."""
    click_link(tab, "monthly")
    grid = tab.locator(".st-key-monthly_plan_grid")
    tier = "20" if "30" in grid.inner_text() else "30"  # a change each time
    edit_cell(tab, grid, 0, PLAN_TIER_COLUMN, tier)
    wait_for_app(tab, timeout=TIMEOUT_MS)
    toasts = tab.locator("[data-testid='stToast']")
    before = toasts.count()
    started = time.perf_counter()
    tab.locator(".st-key-monthly_plan_save button").click()
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while toasts.count() <= before:
        if time.monotonic() > deadline:
            raise BenchError("the plan grid's save showed no confirmation")
        tab.wait_for_timeout(20)
    seconds = time.perf_counter() - started
    wait_for_app(tab, timeout=TIMEOUT_MS)
    return seconds


def measure(runs: int, small, large, urls: dict[str, str]) -> dict[str, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.path.exists(CHROMIUM) else chromium_path()
    times: dict[str, dict[str, list[float]]] = {name: {"small": [], "large": []} for name in (*PAGES, "grid_save")}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=chromium_args())
        try:
            tabs = {"small": open_tab(browser, urls["small"], small.journey_id),
                    "large": open_tab(browser, urls["large"], large.journey_id)}
            for page in PAGES:  # once each, not timed: the servers' caches fill
                for tab in tabs.values():
                    time_page(tab, page)
            for _ in range(runs):
                for page in PAGES:
                    for size, tab in tabs.items():
                        times[page][size].append(time_page(tab, page))
                for size, tab in tabs.items():
                    times["grid_save"][size].append(time_save(tab))
        finally:
            browser.close()
    return {name: {size: statistics.median(values) for size, values in sizes.items()}
            for name, sizes in times.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help=f"clicks per page and size ({DEFAULT_RUNS})")
    args = parser.parse_args(argv)
    if not (os.path.exists(CHROMIUM) or chromium_path()):
        print("browser: not measured (Chromium is not installed)", flush=True)
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="cem-bench-browser-") as folder, ExitStack() as servers:
            small, large = prepare(folder, SMALL), prepare(folder, LARGE)
            urls = {size: servers.enter_context(running_app(db.url, env={"CEM_SEED_SAMPLE": "0"}, timeout=90))
                    for size, db in (("small", small), ("large", large))}
            results = measure(args.runs, small, large, urls)
    except Exception as error:  # a server, the browser or a page: say which and stop
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    for name, sizes in results.items():
        print(f"browser {name}: small {sizes['small'] * 1000:.0f} ms, large {sizes['large'] * 1000:.0f} ms "
              f"(median of {args.runs})", flush=True)
        print(f"ratio browser {name}: {sizes['large'] / sizes['small']:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
