"""Staying signed in, in a real browser: the session cookie (HttpOnly,
SameSite=Strict) keeps a reload and a new tab signed in, signing out in one
tab ends the other's session, and the backup is sent only to a signed-in
administrator."""
from __future__ import annotations

from tests.e2e.conftest import open_app
from tools.serve import wait_for_app

SIGN_IN = ".st-key-auth_username"


def signed_in(page) -> bool:
    return page.locator(".st-key-auth_sign_out").count() > 0 and page.locator(SIGN_IN).count() == 0


def test_a_reload_and_a_new_tab_stay_signed_in_until_sign_out(browser, app_url):
    """Signed in once: reloading and opening a new tab need no password; signing out in one tab ends the other too."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        first = context.new_page()
        open_app(first, app_url)
        assert signed_in(first)
        first.wait_for_timeout(500)  # the page hands the browser its cookie
        cookie = next(c for c in context.cookies() if c["name"] == "cem_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert first.evaluate("document.cookie").find("cem_session") == -1  # scripts cannot read it
        backup = first.request.get(app_url + "/cem/backup")
        assert backup.status == 200 and b'"cem-backup"' in backup.body()

        first.reload()
        wait_for_app(first)
        assert signed_in(first)
        second = context.new_page()
        second.goto(app_url)
        wait_for_app(second)
        assert signed_in(second)

        second.locator(".st-key-auth_sign_out button").click()
        wait_for_app(second)
        assert second.locator(SIGN_IN).count() == 1
        assert first.request.get(app_url + "/cem/backup").status == 403
        first.reload()
        wait_for_app(first)
        assert first.locator(SIGN_IN).count() == 1
    finally:
        context.close()


def test_the_backup_needs_a_session(browser, app_url):
    """Without signing in, the backup address answers "forbidden" and sends nothing."""
    context = browser.new_context()
    try:
        response = context.request.get(app_url + "/cem/backup")
        assert response.status == 403 and b"cem-backup" not in response.body()
    finally:
        context.close()
