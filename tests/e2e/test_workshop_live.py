"""A live workshop in Thai, in two browsers at once: one editor types pain
points while the other reorders the sub-steps, changes page and reloads.
Every row typed ends up in the database under the sub-step it was typed
for."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cem.core import auth
from cem.journey import services
from cem.core.db import get_engine, migrate, session_scope
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER
from tests.e2e.grid import add_row, edit_cell, saved
from tools.serve import running_app, wait_for_app

STEPS = ["จองคิวออนไลน์", "ลงทะเบียนที่เคาน์เตอร์", "รอพบทันตแพทย์"]


@pytest.fixture(scope="module", params=BACKENDS)
def clinic(request, tmp_path_factory):
    """A server on a database with a dental clinic's journey (one stage,
    three sub-steps) and two editors."""
    with fresh_database(request.param, tmp_path_factory.mktemp("workshop")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        engine = get_engine(database_url)
        migrate(engine)
        with session_scope(engine) as session:
            auth.create_first_admin(session, username=E2E_USER, password=E2E_PASSWORD)
            for name in ("nok", "ploy"):
                auth.create_user(session, username=name, password=f"{name}-password-1", role="editor",
                                 user=E2E_USER)
            journey = services.create_journey(session, name="คลินิกทันตกรรม", user=E2E_USER)
            stage = services.add_stage(session, journey_id=journey.id, name="มาที่คลินิก", user=E2E_USER)
            steps = {name: services.add_step(session, stage_id=stage.id, name=name, user=E2E_USER).id
                     for name in STEPS}
            journey_id = journey.id
        yield url, engine, journey_id, steps


def sign_in(page, url: str, name: str) -> None:
    """Open `url`, signing in if the app asks (a reload keeps the session)."""
    page.goto(url)
    wait_for_app(page)
    page.wait_for_timeout(500)
    if not page.locator(".st-key-auth_username input").count():
        return
    page.locator(".st-key-auth_username input").fill(name)
    page.locator(".st-key-auth_password input").fill(f"{name}-password-1")
    page.locator(".st-key-auth_submit button").click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def pick_step(page, label: str) -> None:
    page.locator("[class*='st-key-editor_step_of_']").click()
    page.get_by_role("option", name=label).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def type_pain(page, text: str) -> None:
    add_row(page, page.locator("[class*='st-key-grid_pains_']"), 0, [text])
    saved(page, "pains")


def eventually(check, timeout: float = 15) -> None:
    """Wait until `check()` holds (the browser's save reached the database)."""
    import time
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the save did not reach the database in time"
        time.sleep(0.2)


def step_order(engine, stage_steps: dict[str, int]) -> list[int]:
    with session_scope(engine) as session:
        stage_id = session.get(services.Step, next(iter(stage_steps.values()))).stage_id
        return [s.id for s in services.list_steps(session, stage_id)]


def pains_by_step(engine, steps: dict[str, int]) -> dict[str, list[str]]:
    with session_scope(engine) as session:
        return {name: [p.text for p in services.list_pain_points(session, step_id)] for name, step_id in steps.items()}


def test_two_editors_type_reorder_change_page_and_reload(browser, clinic):
    """Nok types pain points while Ploy moves a sub-step to the top; both change page or reload; nothing is lost."""
    url, engine, journey_id, steps = clinic

    def typed(page, text: str) -> None:
        type_pain(page, text)
        eventually(lambda: any(text in found for found in pains_by_step(engine, steps).values()))
    contexts = [browser.new_context(viewport={"width": 1400, "height": 1500}, locale="th-TH") for _ in range(2)]
    nok, ploy = (context.new_page() for context in contexts)
    editor_url = f"{url}/map_editor?lang=th&journey={journey_id}"
    sign_in(nok, editor_url, "nok")
    sign_in(ploy, editor_url, "ploy")
    expect(nok.get_by_role("heading", name="แก้ไขแผนที่").or_(nok.locator("h1").first)).to_be_visible()

    # 1. Both type into the same journey at once.
    typed(nok, "รอคิวโทรนานเกินไป")
    pick_step(ploy, f"3. {STEPS[2]}")
    typed(ploy, "ห้องรอร้อนและแคบ")

    # 2. Ploy moves the third sub-step to the top while Nok goes on typing.
    edit_cell(ploy, ploy.locator("[class*='st-key-grid_steps_']"), row=2, column=0, value="1")
    saved(ploy, "steps")
    eventually(lambda: step_order(engine, steps)[0] == steps[STEPS[2]])
    typed(nok, "ยืนยันนัดไม่ได้ทาง LINE")

    # 3. Nok opens the board and comes back: the same sub-step, now number 2.
    nok.locator("[data-testid='stSidebarNav'] a[href$='/board']").click()
    wait_for_app(nok)
    nok.locator("[data-testid='stSidebarNav'] a[href$='/map_editor']").click()
    wait_for_app(nok)
    expect(nok.locator("[class*='st-key-editor_step_of_'] input")).to_have_value(f"2. {STEPS[0]}")
    typed(nok, "ไม่รู้ว่าต้องเตรียมเอกสารอะไร")

    # 4. Ploy reloads (still signed in) and types under the sub-step she picks.
    sign_in(ploy, editor_url, "ploy")
    pick_step(ploy, f"1. {STEPS[2]}")
    typed(ploy, "ไม่มีที่จอดรถ")

    assert pains_by_step(engine, steps) == {
        STEPS[0]: ["รอคิวโทรนานเกินไป", "ยืนยันนัดไม่ได้ทาง LINE", "ไม่รู้ว่าต้องเตรียมเอกสารอะไร"],
        STEPS[1]: [],
        STEPS[2]: ["ห้องรอร้อนและแคบ", "ไม่มีที่จอดรถ"],
    }
    for context in contexts:
        context.close()
