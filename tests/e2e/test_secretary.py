"""The team secretary in a real browser: Vee signs in with a viewer account,
records in one meeting (dated in the Buddhist era) the progress three owners
report, with why one task is behind; the evaluation and the executive view
then read "2 of 3 on target" and the averages."""
from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from cem.core import auth, months
from cem.improvement import plan
from cem.journey import services
from cem.core.db import get_engine, migrate, session_scope
from cem.journey.templates import seed_sample_journey
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER
from tools.serve import running_app, wait_for_app

MONTH = months.this_month()
SECRETARY, SECRETARY_PASSWORD = "vee", "vee-secret-password"
OWNERS = ("Ann", "Bo", "Cy")
TASKS: dict[str, int] = {}


def prepare(database_url: str) -> None:
    """The sample journey, three owners with a task each committed at 20 % this month, and Vee
    (a viewer account) as the journey's secretary."""
    engine = get_engine(database_url)
    migrate(engine)
    with session_scope(engine) as session:
        auth.create_first_admin(session, username=E2E_USER, password=E2E_PASSWORD)
        auth.create_user(session, username=SECRETARY, password=SECRETARY_PASSWORD, role="viewer", user=E2E_USER)
        journey = seed_sample_journey(session)
        tree = services.load_journey_tree(session, journey.id)
        step = tree.stages[0].steps[0].step.id
        vee = plan.add_person(session, name="Vee", department="CEM office", username=SECRETARY, user=E2E_USER)
        for name in OWNERS:
            owner = plan.add_person(session, name=name, department="Sales", user=E2E_USER)
            TASKS[name] = plan.create_task(session, step_id=step, title=f"Task of {name}", start_month=MONTH,
                                           due_month=months.add(MONTH, 2), owner_id=owner.id, user=E2E_USER).id
        plan.set_team(session, journey_id=journey.id, lead_id=None, secretary_id=vee.id, user=E2E_USER)
        plan.set_commitments(session, journey_id=journey.id, month=MONTH, tiers=dict.fromkeys(TASKS.values(), 20),
                             user=E2E_USER)


@pytest.fixture(scope="module", params=BACKENDS)
def app_url(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("secretary")) as database_url:
        prepare(database_url)
        with running_app(database_url, env={"CEM_SEED_SAMPLE": "0"}) as url:
            yield url


def sign_in(page, url: str) -> None:
    page.goto(url)
    wait_for_app(page)
    page.locator(".st-key-auth_username input").fill(SECRETARY)
    page.locator(".st-key-auth_password input").fill(SECRETARY_PASSWORD)
    page.locator(".st-key-auth_submit button").click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def go(page, name: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=name).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def card(page, label: str):
    return page.locator("[data-testid='stMetric']").filter(has_text=label).locator("[data-testid='stMetricValue']")


def test_the_secretary_records_three_owners_in_one_meeting(page, app_url):
    """Vee types the meeting date as พ.ศ., records Ann 30 %, Bo 20 %, Cy 5 % (why: parts late); both views read 2 of 3."""
    sign_in(page, f"{app_url}/meetings?lang=en")
    expect(page.get_by_text("As the team's secretary you record")).to_be_visible()

    today = date.today()
    page.locator(".st-key-meetings_date input").fill(f"{today.day}/{today.month}/{today.year + 543}")
    page.locator(".st-key-meetings_date input").press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(months.other_calendar(today, "en"))).to_be_visible()

    for name, value in zip(OWNERS, ("30", "20", "5")):
        page.locator(f".st-key-meetings_progress_{MONTH}_{TASKS[name]} input").fill(value)
    page.locator(f".st-key-meetings_reason_{MONTH}_{TASKS['Cy']} input").fill("Parts arrive late")
    page.locator(".st-key-meetings_submit button").click()
    expect(page.get_by_text("recorded, with 3 progress update(s)")).to_be_visible()
    wait_for_app(page)
    page.get_by_role("tab", name="Past meetings").click()
    expect(page.get_by_text("reported by Cy").filter(visible=True).first).to_be_visible()
    expect(page.get_by_text("Why behind: Parts arrive late").filter(visible=True).first).to_be_visible()

    go(page, "Monthly plan 30/20/10")
    page.get_by_role("tab", name=re.compile("Evaluation and next month")).click()
    expect(page.get_by_text("2 of 3 tasks on target; average gain 18.3 points against 20 committed")).to_be_visible()

    go(page, "Executive view")
    expect(card(page, "Tasks on target")).to_have_text("2 of 3")
    expect(card(page, "Average gain per committed task")).to_have_text("+18.3 points")
    expect(page.get_by_text("against 20 committed on average (per task)")).to_be_visible()
    expect(page.locator(".st-key-exec_behind_table").get_by_text("Parts arrive late")).to_be_attached()
