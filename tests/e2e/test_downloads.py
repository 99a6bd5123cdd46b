"""Downloads in a real browser: a journey with a Thai name is saved under
that name, vowel and tone marks and all, for the map, the plan and the CSV."""
from __future__ import annotations

from urllib.parse import quote, urljoin

from playwright.sync_api import expect

from cem.core import i18n
from tests.e2e.conftest import open_app
from tools.serve import wait_for_app

THAI_NAME = "คลินิก (นำเข้าจาก Excel)"


def new_journey_on_the_excel_page(page, app_url: str, name: str, lang: str) -> None:
    """Create the journey `name`, then open the Excel page from the menu."""
    open_app(page, f"{app_url}/?lang={lang}")
    if not page.locator(".st-key-journeys_new_name input").is_visible():  # closed once a journey exists
        page.locator(".st-key-journeys_new_open summary").click()
    page.locator(".st-key-journeys_new_name input").fill(name)
    page.locator(".st-key-journeys_create button").click()
    wait_for_app(page)
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=i18n.t("page.excel", lang)).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def download(page, key: str):
    """Press the download button with `key`; the download and the server's response."""
    with page.expect_response(lambda r: "/media/" in r.url and r.request.method == "GET") as response, \
            page.expect_download() as started:
        page.locator(f".st-key-{key} button").click()
    return started.value, response.value


def test_a_thai_journey_downloads_under_its_thai_name(page, app_url):
    """The browser suggests “คลินิก (นำเข้าจาก Excel).xlsx”, sent as an RFC 5987 UTF-8 file name."""
    new_journey_on_the_excel_page(page, app_url, THAI_NAME, "th")
    expect(page.locator(".st-key-excel_download button")).to_be_visible()

    saved, response = download(page, "excel_download")
    assert saved.suggested_filename == f"{THAI_NAME}.xlsx"
    assert response.headers["content-disposition"] == (
        f"attachment; filename*=utf-8''{quote(THAI_NAME + '.xlsx', safe='')}")
    assert saved.path().read_bytes()[:2] == b"PK"

    plan = page.request.get(plan_address(page))  # the link button's address, with this tab's cookie
    assert plan.status == 200 and plan.body()[:2] == b"PK"
    assert f"filename*=utf-8''{quote(THAI_NAME + ' – แผนปรับปรุง.xlsx', safe='')}" in plan.headers["content-disposition"]
    saved, _ = download(page, "excel_csv_download")
    assert saved.suggested_filename == f"{THAI_NAME} – ปัญหาของลูกค้า.csv"
    assert saved.path().read_bytes().startswith("\ufeff".encode())


def plan_address(page) -> str:
    """Where the plan button links to, as a full address."""
    href = page.locator(".st-key-excel_plan_download a").get_attribute("href")
    return urljoin(page.url, href)


def test_the_plan_workbook_is_sent_to_a_signed_in_session_only(page, app_url, browser):
    """The plan workbook holds phones: it is not left at a media address; the app sends it to this session,
    and a browser without the session gets "forbidden"."""
    new_journey_on_the_excel_page(page, app_url, "Plan with phones", "en")
    expect(page.locator(".st-key-excel_plan_download a")).to_be_visible()
    address = plan_address(page)
    assert "/media/" not in address
    assert page.request.get(address).status == 200
    outsider = browser.new_context()  # no cookie, no session
    try:
        refused = outsider.request.get(address)
        assert refused.status == 403 and b"PK" not in refused.body()
    finally:
        outsider.close()
