"""Screenshots of every page in Thai and English, for looking at the app
as a user would: python tools/screenshots.py [out_dir]"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.serve import chromium_args, chromium_path, running_app, wait_for_app  # noqa: E402

PAGES = ["", "map_editor", "board", "tasks", "monthly", "meetings", "people", "executive", "cycle", "insights",
         "activity", "excel", "admin", "pareto", "vip", "profile", "complaints", "bills", "priorities", "measures",
         "voice", "knowledge", "voice_import"]
if len(sys.argv) > 2:  # python tools/screenshots.py OUT_DIR PAGE...: only those pages
    PAGES = sys.argv[2:]
ADMIN, PASSWORD = "admin", "screenshot-admin"


def sign_in(page) -> None:
    # Still signed in from the first language (the session cookie): the menu shows, not the form.
    page.locator(".st-key-auth_username input, [data-testid='stSidebarNav']").first.wait_for()
    if not page.locator(".st-key-auth_username input").count():
        return
    page.locator(".st-key-auth_username input").fill(ADMIN)
    page.locator(".st-key-auth_password input").fill(PASSWORD)
    page.locator(".st-key-auth_submit button").click()
    page.wait_for_timeout(500)
    wait_for_app(page)


def main(out_dir: str = "screenshots/tmp") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = {"CEM_ADMIN_USER": ADMIN, "CEM_ADMIN_PASSWORD": PASSWORD}
    with tempfile.TemporaryDirectory() as tmp, running_app(f"sqlite:///{tmp}/shots.db", env=env) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=chromium_args())
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        for lang in ("th", "en"):
            page.goto(f"{url}/?lang={lang}")
            wait_for_app(page)
            sign_in(page)
            for name in PAGES:
                # In-app navigation: a new address would be a new session (signed out).
                page.locator(f"[data-testid='stSidebarNav'] a[href$='/{name}']").first.click()
                page.wait_for_timeout(800)
                wait_for_app(page)
                page.wait_for_timeout(1200)  # let charts draw
                path = out / f"{name or 'journeys'}_{lang}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:2])
