"""In the browser, the Thai screens show no English of Streamlit's own (page
names before sign-in, Deploy, the developer menu, the uploader's
instructions), and refused forms keep what was typed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from cem.core import i18n
from tests.conftest import fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tools.serve import running_app, wait_for_app

TH = "th"


def th(key: str, **params) -> str:
    return i18n.t(key, TH, **params)


@pytest.fixture(scope="module")
def empty_app_url(tmp_path_factory):
    """A fresh server with no account at all: the first-run screen."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("e2e_first")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0"}) as url:
        yield url


def settle(page) -> None:
    page.wait_for_timeout(400)
    wait_for_app(page)


def no_streamlit_chrome(page) -> None:
    assert page.locator("[data-testid='stAppDeployButton']").count() == 0
    assert page.locator("[data-testid='stMainMenu']").count() == 0
    text = page.locator("body").inner_text()
    for english in ("Deploy", "View more", "Press Enter", "Choose options"):
        assert english not in text


def test_first_run_screen_shows_no_page_names_and_keeps_a_refused_form(browser, empty_app_url):
    page = browser.new_page(viewport={"width": 1300, "height": 1000}, locale="th-TH")
    page.goto(f"{empty_app_url}/?lang=th")
    wait_for_app(page)
    assert page.locator("h1").first.inner_text() == th("auth.first_run_title")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    assert not page.locator("[data-testid='stSidebarNavItems'] a").count()
    no_streamlit_chrome(page)

    page.locator(".st-key-auth_first_username input").fill("somchai")
    page.locator(".st-key-auth_first_password input").fill("correct horse")
    page.locator(".st-key-auth_first_again input").fill("correct hose")
    page.locator(".st-key-auth_first_submit button").click()
    settle(page)
    assert th("auth.passwords_differ") in page.locator("[data-testid='stAlertContentError']").inner_text()
    assert page.locator(".st-key-auth_first_username input").input_value() == "somchai"
    assert page.locator(".st-key-auth_first_password input").input_value() == "correct horse"
    page.close()


def test_refused_journey_and_account_forms_keep_what_was_typed(browser, app_url):
    page = browser.new_page(viewport={"width": 1300, "height": 1400}, locale="th-TH")
    open_app(page, f"{app_url}/?lang=th")
    # A first journey, so that the "new journey" box starts closed.
    page.locator(".st-key-journeys_new_name input").fill("แผนที่แรก")
    page.locator(".st-key-journeys_create button").click()
    settle(page)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=th("page.journeys")).first.click()
    settle(page)
    no_streamlit_chrome(page)
    page.locator(".st-key-journeys_new_open summary").click()
    page.locator(".st-key-journeys_new_description textarea").fill("ลูกค้าองค์กรทุกราย")
    page.locator(".st-key-journeys_new_description textarea").press("Tab")
    settle(page)  # the rerun the Tab started ends before the click, so the click is not swallowed
    page.locator(".st-key-journeys_create button").click()
    settle(page)
    expect(page.locator(".st-key-journeys_new_open [data-testid='stAlertContentError']")).to_be_visible()
    assert page.locator(".st-key-journeys_new_description textarea").input_value() == "ลูกค้าองค์กรทุกราย"

    page.locator("[data-testid='stSidebarNav'] a[href$='/admin']").first.click()
    settle(page)
    page.locator(".st-key-admin_new_username input").fill("malee")
    page.locator(".st-key-admin_new_password input").fill("short")
    page.locator(".st-key-admin_add button").click()
    settle(page)
    expect(page.locator("[data-testid='stAlertContentError']").first).to_be_visible()
    assert page.locator(".st-key-admin_new_username input").input_value() == "malee"

    # The restore uploader: Streamlit's "Upload" and "50MB per file • JSON" are replaced.
    uploader = page.locator(".st-key-admin_restore_upload")
    assert uploader.locator("[data-testid='stFileUploaderDropzoneInstructions']").is_hidden()
    label = uploader.locator("[data-testid='stFileUploaderDropzone'] button").evaluate(
        "b => getComputedStyle(b, '::after').content")
    assert label == f'"{th("widgets.browse")}"'
    assert th("widgets.upload_limits", types=".json", size=50) in page.locator("body").inner_text()
    no_streamlit_chrome(page)
    page.close()


def test_sign_in_screen_shows_no_page_names(browser, app_url):
    page = browser.new_page(viewport={"width": 1300, "height": 1000}, locale="th-TH")
    page.goto(f"{app_url}/board?lang=th")
    wait_for_app(page)
    assert page.locator("h1").first.inner_text() == th("auth.sign_in_title")
    assert page.locator("[data-testid='stSidebarNav']").count() == 0
    no_streamlit_chrome(page)
    # A deep link still opens its page after signing in.
    page.locator(".st-key-auth_username input").fill(E2E_USER)
    page.locator(".st-key-auth_password input").fill(E2E_PASSWORD)
    page.locator(".st-key-auth_submit button").click()
    settle(page)
    assert page.url.rstrip("/").split("?")[0].endswith("/board")
    page.close()
