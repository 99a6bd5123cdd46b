"""What one idle open browser session costs the app server.

Builds the LARGE journey of bench_pages.py (12 stages x 12 sub-steps, 720
tasks, 36 months of plan) in a temporary SQLite database, gives its
administrator a password, starts the real app with `streamlit run`
(tools/serve.py) and signs in once in Chromium. Then it opens the board of
that journey in Thai (`/board?journey=<id>&lang=th`) in one tab after
another, in one browser context with a small viewport, each tab waiting for
the board to be drawn. The board polls for others' changes every few seconds
(ui/live.py), so an open tab costs the server something even when nobody
touches it.

While the tabs for the next count are opened, the tabs already open are
paused (their JavaScript, through the browser's debugging protocol), so
their polls do not slow the opening down; their sessions stay connected.
Before each measurement every tab is resumed, one after another across one
poll interval so that their polls are spread out as they would be, and all
are left idle for a moment. Then the server process's CPU time (utime +
stime of all its threads, from /proc/<pid>/stat) is measured over
`--window` seconds, as a percentage of one core, and its resident memory
(VmRSS) is read once a second meanwhile (the median counts). Only the
server is measured, not Chromium.

The time to open a tab (from `page.goto` to the board drawn) is taken when
no other tab is open and when all but one of the largest count are open
(and polling): the median of 3 extra tabs, each closed afterwards.

    .venv/bin/python bench/bench_sessions.py [--sessions 1,10,30] [--window 20]
        [--server-env KEY=VALUE ...]

Prints, for the default counts:

    sessions idle_cpu_1: <% of one core>
    sessions idle_cpu_10: ...
    sessions idle_cpu_30: ...
    sessions mib_per_session: <MiB>   (RSS at 30 - RSS at 1) / 29
    page open_1: <ms>
    page open_30: <ms>
    ratio open_page_30_vs_1: <x>

Exits 0 on success, 2 when the server, the browser or the board fails.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "bench"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from bench_pages import LARGE, LANG, USER, build_database  # noqa: E402
from cem.core import auth, i18n  # noqa: E402
from cem.core.db import dispose_engine, get_engine, session_scope  # noqa: E402
from tools.serve import chromium_args, chromium_path, running_app, wait_for_app  # noqa: E402

PASSWORD = "bench-password"
DEFAULT_SESSIONS = (1, 10, 30)
DEFAULT_WINDOW_S = 20.0
SETTLE_S = 3.0  # idle time after the tabs are resumed, before measuring
OPEN_SAMPLES = 3  # extra tabs timed at each point; the median is printed
VIEWPORT = {"width": 640, "height": 480}
TIMEOUT_MS = 60_000
CHROMIUM = "/usr/bin/chromium"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CARD_LABELS_JS = """() => Array.from(document.querySelectorAll("[data-testid='stMain'] strong"))
    .filter(e => /^\\d+\\.\\d+ /.test(e.textContent)).length"""


class BenchError(Exception):
    """The server, the browser or the board did not do what it should."""


def _poll_seconds(default: float = 3.0) -> float:
    """How often an open board asks for changes (POLL_SECONDS in ui/live.py,
    read from the file: importing the app's UI here would start Streamlit's
    caches outside a server)."""
    try:
        found = re.search(r"^POLL_SECONDS\s*=\s*([0-9.]+)", (ROOT / "ui" / "live.py").read_text(), re.M)
    except OSError:
        return default
    return float(found.group(1)) if found else default


POLL_S = _poll_seconds()


# ---------------------------------------------------------------- the server process


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def server_pid(port: int) -> int:
    """The `streamlit run` process listening on `port` (tools.serve starts
    it without a shell, so it is the process itself)."""
    found = []
    for pid in _pids():
        args = _cmdline(pid)
        if any("streamlit" in a for a in args) and "--server.port" in args:
            at = args.index("--server.port")
            if at + 1 < len(args) and args[at + 1] == str(port):
                found.append(pid)
    if not found:
        raise BenchError(f"no streamlit process with --server.port {port} in /proc")
    return min(found)  # a child would have a higher pid; there should be none


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()  # the fields after "(comm)", from field 3 (state) on


def process_tree(pid: int) -> list[int]:
    """`pid` and its descendants, if it has any."""
    children: dict[int, list[int]] = {}
    for other in _pids():
        try:
            children.setdefault(int(_stat_fields(other)[1]), []).append(other)
        except (OSError, ValueError, IndexError):
            continue
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process tree (all threads of each process)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = _stat_fields(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / CLOCK_TICKS


def rss_mib(pid: int) -> float:
    """VmRSS of the process tree, in MiB."""
    total_kib = 0
    for member in process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
                    break
        except OSError:
            continue
    return total_kib / 1024


def idle_window(pid: int, window_s: float) -> tuple[float, float]:
    """The server's CPU time over `window_s` seconds, as % of one core, and
    the median of its RSS (MiB) read once a second meanwhile (each poll
    allocates and frees a little, so one reading would be noisier)."""
    started, cpu_before = time.monotonic(), cpu_seconds(pid)
    readings = []
    while (left := started + window_s - time.monotonic()) > 0:
        time.sleep(min(1.0, left))
        readings.append(rss_mib(pid))
    elapsed, cpu_after = time.monotonic() - started, cpu_seconds(pid)
    return 100 * (cpu_after - cpu_before) / elapsed, statistics.median(readings)


# ---------------------------------------------------------------- the browser


@dataclass
class Board:
    url: str
    title: str
    cards: int


def _signed_out(page) -> bool:
    return page.locator(".st-key-auth_username").count() > 0


def sign_in(page) -> None:
    page.locator(".st-key-auth_username input").fill(USER)
    page.locator(".st-key-auth_password input").fill(PASSWORD)
    page.locator(".st-key-auth_submit button").click()
    page.wait_for_timeout(300)
    wait_for_app(page, timeout=TIMEOUT_MS)
    if _signed_out(page):
        raise BenchError(f"signing in as {USER!r} failed: the sign-in form is still shown")


def _board_drawn(page, board: Board) -> bool:
    if page.locator("[data-testid='stException']").count():
        raise BenchError(f"the board raised an error: {page.locator('[data-testid=stException]').first.inner_text()}")
    title = page.locator("[data-testid='stMain'] h1")
    return (title.count() > 0 and board.title in title.first.inner_text()
            and page.evaluate(CARD_LABELS_JS) == board.cards)


def wait_for_board(page, board: Board) -> None:
    """Wait until the script has finished and the board shows every card."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        wait_for_app(page, timeout=TIMEOUT_MS)
        if _board_drawn(page, board):
            return
        if _signed_out(page):
            raise BenchError("a new tab shows the sign-in form")
        if time.monotonic() > deadline:
            cards = page.evaluate(CARD_LABELS_JS)
            raise BenchError(f"the board at {board.url} shows {cards} of {board.cards} sub-step cards "
                             f"after {TIMEOUT_MS / 1000:.0f} s")
        page.wait_for_timeout(50)


def open_tab(context, board: Board) -> tuple[object, float]:
    """A new tab on the board, signed in; and the seconds from goto to the board drawn."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    started = time.perf_counter()
    page.goto(board.url)
    wait_for_app(page, timeout=TIMEOUT_MS)
    if _signed_out(page):  # the cookie did not carry over: sign in in this tab too (not timed)
        sign_in(page)
        page.goto(board.url)
        started = time.perf_counter()
        wait_for_app(page, timeout=TIMEOUT_MS)
    wait_for_board(page, board)
    return page, time.perf_counter() - started


class Tab:
    """An open tab whose JavaScript can be paused, so that it stops polling."""

    def __init__(self, context, page) -> None:
        self.page, self.cdp, self.paused = page, context.new_cdp_session(page), False

    def pause(self) -> None:
        if not self.paused:
            self.cdp.send("Debugger.enable")
            self.cdp.send("Debugger.pause")  # stops at the next script that runs: the next poll
            self.paused = True

    def resume(self) -> None:
        if self.paused:
            try:
                self.cdp.send("Debugger.resume")
            except Exception:  # not stopped yet (no script had run): disabling drops the pause
                pass
            self.cdp.send("Debugger.disable")
            self.paused = False

    def close(self) -> None:
        self.resume()
        self.page.close()


def resume_spread(tabs: list[Tab]) -> None:
    """Resume every tab, one after another across one poll interval."""
    for tab in tabs:
        tab.resume()
        time.sleep(POLL_S / len(tabs))


def time_open(context, board: Board) -> float:
    """Median seconds to open the board in an extra tab, closed afterwards."""
    times = []
    for _ in range(OPEN_SAMPLES):
        page, seconds = open_tab(context, board)
        times.append(seconds)
        page.close()
    return statistics.median(times)


# ---------------------------------------------------------------- the run


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", default=",".join(map(str, DEFAULT_SESSIONS)),
                        help="comma-separated counts of open tabs to measure at (default 1,10,30)")
    parser.add_argument("--window", type=float, default=DEFAULT_WINDOW_S,
                        help="seconds of CPU measurement at each count (default 20)")
    parser.add_argument("--server-env", action="append", default=[], metavar="KEY=VALUE",
                        help="an environment variable for the server, e.g. STREAMLIT_RUNNER_POST_SCRIPT_GC=false "
                             "(repeatable)")
    args = parser.parse_args(argv)
    try:
        counts = sorted({int(part) for part in args.sessions.split(",") if part.strip()})
    except ValueError:
        parser.error(f"--sessions takes whole numbers separated by commas, not {args.sessions!r}")
    if len(counts) < 2 or counts[0] < 1:
        parser.error("--sessions needs at least two different counts of 1 or more, e.g. 1,10,30")
    if args.window <= 0:
        parser.error("--window must be more than 0 seconds")
    server_env = {}
    for item in args.server_env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--server-env takes KEY=VALUE, not {item!r}")
        server_env[key] = value
    args.counts, args.server_env = counts, server_env
    return args


def prepare_database(folder: str):
    db = build_database(Path(folder) / "large.db", LARGE)
    with session_scope(get_engine(db.url)) as session:
        auth.update_user(session, username=USER, password=PASSWORD, user=USER)
    dispose_engine(db.url)
    return db


def measure(args: argparse.Namespace, db, base_url: str) -> dict:
    from playwright.sync_api import sync_playwright

    port = int(base_url.rsplit(":", 1)[1])
    pid = server_pid(port)
    board = Board(url=f"{base_url}/board?journey={db.journey_id}&lang={LANG}", title=i18n.t("page.board", LANG),
                  cards=db.steps)
    executable = CHROMIUM if os.path.exists(CHROMIUM) else chromium_path()
    if executable is None:
        raise BenchError("Chromium is not installed")
    results: dict = {"cpu": {}, "rss": {}, "open": {}}
    largest = args.counts[-1]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=chromium_args())
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="th-TH")
            first = context.new_page()
            first.set_default_timeout(TIMEOUT_MS)
            first.goto(board.url)
            wait_for_app(first, timeout=TIMEOUT_MS)
            if _signed_out(first):
                sign_in(first)
            first.wait_for_timeout(500)  # the page hands the browser its session cookie
            if not any(c["name"] == "cem_session" for c in context.cookies()):
                print("note: no session cookie after signing in; each tab signs in itself", flush=True)
            first.goto(board.url)
            wait_for_board(first, board)  # also warms the server's caches
            first.close()

            results["open"][1] = time_open(context, board)  # no other tab open
            tabs: list[Tab] = []
            for count in args.counts:
                for tab in tabs:
                    tab.pause()
                while len(tabs) < count:
                    tabs.append(Tab(context, open_tab(context, board)[0]))
                    tabs[-1].pause()
                resume_spread(tabs)
                time.sleep(SETTLE_S)
                results["cpu"][count], results["rss"][count] = idle_window(pid, args.window)
                print(f"sessions rss_{count}: {results['rss'][count]:.1f} MiB", flush=True)
                print(f"sessions idle_cpu_{count}: {results['cpu'][count]:.2f}", flush=True)
            tabs.pop().close()  # all but one open: time a tab opened then
            results["open"][largest] = time_open(context, board)
            context.close()
        finally:
            browser.close()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    smallest, largest = args.counts[0], args.counts[-1]
    server_env = {"CEM_SEED_SAMPLE": "0", **args.server_env}
    started = time.monotonic()
    if not (os.path.exists(CHROMIUM) or chromium_path()):
        print("sessions: not measured (Chromium is not installed)", flush=True)
        return 0
    try:
        with tempfile.TemporaryDirectory(prefix="cem-bench-sessions-") as folder:
            db = prepare_database(folder)
            print(f"build large: {db.build_s:.2f} s ({db.stages} stages, {db.steps} sub-steps, {db.tasks} tasks)",
                  flush=True)
            if args.server_env:
                print("server env: " + " ".join(f"{k}={v}" for k, v in args.server_env.items()), flush=True)
            with running_app(db.url, env=server_env, timeout=90) as base_url:
                results = measure(args, db, base_url)
    except Exception as error:  # the server, the browser or the board: say which and stop
        print(f"benchmark failed: {type(error).__name__}: {error}", file=sys.stderr)
        print(f"(the server's output is in {os.environ.get('TMPDIR', '/tmp')}/streamlit-<port>.log)",
              file=sys.stderr, flush=True)
        return 2
    per_session = (results["rss"][largest] - results["rss"][smallest]) / (largest - smallest)
    open_small, open_large = results["open"][1], results["open"][largest]
    print(f"sessions mib_per_session: {per_session:.2f}")
    print(f"page open_1: {open_small * 1000:.1f}")
    print(f"page open_{largest}: {open_large * 1000:.1f}")
    print(f"ratio open_page_{largest}_vs_1: {open_large / open_small:.2f}")
    print(f"total: {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
