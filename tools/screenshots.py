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
         "activity", "excel", "admin"]


def main(out_dir: str = "screenshots/tmp") -> None:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, running_app(f"sqlite:///{tmp}/shots.db") as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=chromium_args())
        page = browser.new_page(viewport={"width": 1440, "height": 1800})
        for lang in ("th", "en"):
            for name in PAGES:
                page.goto(f"{url}/{name}?lang={lang}")
                wait_for_app(page)
                page.wait_for_timeout(1500)  # let charts draw
                path = out / f"{name or 'journeys'}_{lang}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
