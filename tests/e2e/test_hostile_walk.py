"""Hostile text on every page, in a real browser: names, pain points,
tasks, people and meeting notes that are images, links, HTML, colours and
formulas. A local listener counts every request the pages make to it, and
the pages must not turn any of that text into a link."""
from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from cem.core import auth, months
from cem.improvement import plan
from cem.journey import services
from cem.core.db import get_engine, migrate, session_scope
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER
from tools.serve import running_app, wait_for_app

PAGES = ["", "map_editor", "board", "tasks", "monthly", "meetings", "people", "executive", "cycle", "insights",
         "activity", "excel", "admin"]


class Listener:
    """An HTTP server on loopback that counts what it is asked for."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def payloads(port: int) -> list[str]:
    base = f"http://127.0.0.1:{port}"
    return [f"![]({base}/md.png)", f"<img src='{base}/html.png'>", f"[click]({base}/link)", f"{base}/auto",
            f"www.127.0.0.1.nip.io:{port}", f"mail-{port}@example.com", ":red[red] :material/home:", "$x^2$",
            "=1+1;=2+2", "<script>fetch('" + base + "/js')</script>"]


@pytest.fixture(scope="module", params=BACKENDS)
def hostile(request, tmp_path_factory):
    listener = Listener()
    bad = payloads(listener.port)
    text = " ".join(bad)
    with fresh_database(request.param, tmp_path_factory.mktemp("hostile")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0"}) as url:
        engine = get_engine(database_url)
        migrate(engine)
        with session_scope(engine) as session:
            auth.create_first_admin(session, username=E2E_USER, password=E2E_PASSWORD)
            auth.update_user(session, username=E2E_USER, display_name=bad[0] + " " + bad[1], user=E2E_USER)
            journey = services.create_journey(session, name=bad[0], description=text, user=E2E_USER)
            stage = services.add_stage(session, journey_id=journey.id, name=bad[2], description=text, user=E2E_USER)
            step = services.add_step(session, stage_id=stage.id, name=bad[3], touchpoint=bad[1], user=E2E_USER)
            pain = services.add_pain_point(session, step_id=step.id, text=text, user=E2E_USER)
            services.add_measure(session, pain_point_id=pain.id, text=text, user=E2E_USER)
            services.add_idea(session, step_id=step.id, text=text, user=E2E_USER)
            person = plan.add_person(session, name=bad[1], department=bad[0], phone=bad[5], email=bad[5],
                                     user=E2E_USER)
            plan.set_team(session, journey_id=journey.id, lead_id=person.id, secretary_id=None, user=E2E_USER)
            month = months.this_month()
            task = plan.create_task(session, step_id=step.id, title=text, start_month=month, due_month=month,
                                    owner_id=person.id, user=E2E_USER)
            plan.set_commitments(session, journey_id=journey.id, month=month, tiers={task.id: 30}, user=E2E_USER)
            plan.record_check_in(session, task_id=task.id, month=month, progress=10, note=text, reason=text,
                                 user=E2E_USER)
            journey_id = journey.id
        yield url, journey_id, listener
    listener.close()


def test_no_page_fetches_or_links_what_users_typed(browser, hostile):
    """Every page, in Thai, with hostile text everywhere: no request reaches the listener, and no link points at it."""
    url, journey_id, listener = hostile
    context = browser.new_context(viewport={"width": 1400, "height": 1400}, locale="th-TH")
    page = context.new_page()
    page.goto(f"{url}/?lang=th")
    wait_for_app(page)
    page.locator(".st-key-auth_username input").fill(E2E_USER)
    page.locator(".st-key-auth_password input").fill(E2E_PASSWORD)
    page.locator(".st-key-auth_submit button").click()
    page.wait_for_timeout(500)
    wait_for_app(page)
    walked, linked = [], {}
    for name in PAGES:
        page.goto(f"{url}/{name}?lang=th&journey={journey_id}")
        wait_for_app(page)
        page.wait_for_timeout(1500)  # images and charts load
        assert page.locator("[data-testid='stException']").count() == 0, f"/{name} shows an exception"
        # A heading's own anchor ("#…") is the page's, not a link to the text.
        links = f"a[href*='{listener.port}']:not([href^='#']), a[href^='mailto:']"
        anchors = page.locator(links).count()
        if anchors:
            linked[name] = page.locator(links).evaluate_all("els => els.map(e => e.getAttribute('href'))")
        walked.append(name)
    context.close()
    print(f"hostile text: {len(walked)} pages walked, {len(listener.hits)} outside requests, links {linked}")
    assert listener.hits == [], f"pages fetched what users typed: {listener.hits}"
    assert linked == {}, f"user text became links: {linked}"
