"""Who is signed in: the first-run screen, the sign-in screen, OpenID
Connect through st.login when configured, signing out, and the two HTTP
routes app.py serves next to Streamlit.

Signing in makes a server-side session (cem.core.auth). This tab is bound to it
by its id; the browser gets its cookie (HttpOnly, SameSite=Strict) from
POST /cem/session, which trades the one-time code the page hands over for
it, so a reload or a new tab finds the session in st.context.cookies.
Every run checks the session and the account in the database again, and
every service checks the role, so nothing here is a boundary by itself.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlparse

import streamlit as st

from cem import backup
from cem.core import auth, config, i18n
from cem.customers import export as customer_export
from cem.improvement import plan_export
from cem.journey import services
from cem.core.text import safe_file_name
from cem.core.db import get_engine, session_scope
from cem.core.errors import CemError, ValidationError
from cem.core.models import AppUser
from ui import common

PAGES_DIR = Path(__file__).resolve().parent.parent / "pages"
AUTH_KEY = "auth_user"
ROLE_KEY = "auth_role"  # the role read from the database at the start of this run
SESSION_KEY = "auth_session"  # the id of the SignInSession this tab is bound to
OIDC_KEY = "auth_oidc"  # signed in through st.login: st.logout ends it
HANDOFF_KEY = "auth_handoff"  # (one-time code, until) for the browser to fetch its cookie with
ERROR_KEY = "auth_error"
COOKIE = "cem_session"
SESSION_ROUTE, BACKUP_ROUTE, PLAN_ROUTE = "/cem/session", "/cem/backup", "/cem/plan"
CONTACTS_ROUTE = "/cem/vip-contacts"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
t = common.t


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def client_address() -> str:
    """Where this browser connects from, for holding back guessing (empty
    on localhost)."""
    address = st.context.ip_address
    return address if isinstance(address, str) else ""  # AppTest has none


def current_account() -> AppUser | None:
    """The signed-in, active account, or None."""
    state = st.session_state
    with common.db() as session:
        if state.get(SESSION_KEY):
            account = auth.bound_account(session, session_id=state[SESSION_KEY], username=state.get(AUTH_KEY, ""))
        elif state.get(AUTH_KEY):  # signed in through st.login (or by a test, which sets the name itself)
            account = auth.find_user(session, state[AUTH_KEY])
            account = account if account is not None and account.active else None
        else:
            token = st.context.cookies.get(COOKIE)
            found = auth.session_account(session, token=token) if isinstance(token, str) else None
            account = None
            if found is not None:
                state[SESSION_KEY], account = found
    if account is None and oidc_configured() and st.user.is_logged_in:
        account = _from_oidc()
    if account is None:
        _forget()
        return None
    state[AUTH_KEY], state[ROLE_KEY] = account.username, account.role
    return account


def _forget() -> None:
    for key in (AUTH_KEY, ROLE_KEY, SESSION_KEY, OIDC_KEY, HANDOFF_KEY):
        st.session_state.pop(key, None)


def _bind(signed: auth.SignIn) -> None:
    """This tab is signed in to `signed`'s session; the browser fetches its cookie next."""
    st.session_state[AUTH_KEY] = signed.account.username
    st.session_state[SESSION_KEY] = signed.session_id
    st.session_state[HANDOFF_KEY] = (signed.handoff, time.time() + auth.HANDOFF.total_seconds())


def _from_oidc() -> AppUser | None:
    try:
        with common.db() as session:
            account = auth.oidc_account(session, email=st.user.get("email", ""), name=st.user.get("name", ""))
    except CemError as error:
        common.show_error(error)
        return None
    st.session_state[OIDC_KEY] = True
    return account


def hand_over_cookie() -> None:
    """Right after signing in: the browser posts the one-time code to
    SESSION_ROUTE and gets the session cookie (JavaScript cannot read it)."""
    pending = st.session_state.get(HANDOFF_KEY)
    if not pending:
        return
    code, until = pending
    if time.time() > until:
        st.session_state.pop(HANDOFF_KEY, None)
        return
    script = (f"<script>fetch(window.location.origin + {json.dumps(SESSION_ROUTE)}, "
              f"{{method: 'POST', credentials: 'same-origin', body: {json.dumps(code)}}});</script>")
    with st.sidebar:
        st.html(script, unsafe_allow_javascript=True, width="content")


def require_account() -> AppUser:
    """The signed-in account; otherwise the first-run or sign-in screen is
    shown and the run stops."""
    account = current_account()
    if account is not None:
        return account
    with common.db() as session:
        first_run = auth.count_users(session) == 0
    _remember_requested_page()
    _hide_page_list()
    # Signing in happens in the form's callback, before the next run: that
    # run finds the account above and goes on to the page the address asked for.
    first_run_screen() if first_run else sign_in_screen()
    st.stop()


NEXT_PAGE_KEY = "auth_next_page"


def _remember_requested_page() -> None:
    """The page a deep link asked for (/board), to open after signing in:
    the sign-in form's own rerun goes to the app's address without it."""
    if NEXT_PAGE_KEY not in st.session_state:
        path = urlparse(st.context.url or "").path.strip("/")
        st.session_state[NEXT_PAGE_KEY] = path.rsplit("/", 1)[-1]


def _hide_page_list() -> None:
    """Before anyone signs in, st.navigation has not run yet, so Streamlit
    would list the files of pages/ in the sidebar by their raw names ("app,
    activity … View 4 more"). A hidden navigation over the same files shows
    nothing, and still knows a deep link's page (/board), so no "page not
    found" appears; app.py sets the real navigation after signing in."""
    title = t("auth.sign_in_title")
    pages = [st.Page(str(path), title=title, default=path.name == "journeys.py")
             for path in sorted(PAGES_DIR.rglob("*.py"))]
    st.navigation(pages, position="hidden")


def open_requested_page(pages) -> None:
    """After signing in, go to the page the address asked for, if the
    person's role has it."""
    wanted = st.session_state.pop(NEXT_PAGE_KEY, "")
    for page in (p for group in pages.values() for p in group):
        if wanted and page.url_path == wanted:
            st.switch_page(page)


def _take_password(*keys: str) -> list[str]:
    """The typed passwords, emptied at once so none stays in session state."""
    typed = [st.session_state.get(key, "") for key in keys]
    for key in keys:
        st.session_state[key] = ""
    return typed


def _show_error() -> None:
    error = st.session_state.pop(ERROR_KEY, None)
    if error is not None:
        common.show_error(error)


def _first_run_pressed() -> None:
    """A refused form keeps what was typed; once the account exists the passwords are emptied."""
    state = st.session_state
    password, again = state.get("auth_first_password", ""), state.get("auth_first_again", "")
    if password != again:
        state[ERROR_KEY] = ValidationError("auth.passwords_differ")
        return
    try:
        with common.db() as session:
            account = auth.create_first_admin(session, username=state.get("auth_first_username", ""),
                                              password=password, display_name=state.get("auth_first_name", ""))
            _bind(auth.start_session(session, username=account.username, client=client_address()))
    except CemError as error:
        state[ERROR_KEY] = error
    else:
        _take_password("auth_first_password", "auth_first_again")


def _sign_in_pressed() -> None:
    (password,) = _take_password("auth_password")
    try:
        with common.db() as session:
            signed = auth.sign_in(session, username=st.session_state.get("auth_username", ""), password=password,
                                  client=client_address())
    except CemError as error:
        st.session_state[ERROR_KEY] = error
    else:
        _bind(signed)


def first_run_screen() -> AppUser | None:
    st.title(t("auth.first_run_title"))
    st.write(t("auth.first_run_intro"))
    with st.form("auth_first_run", clear_on_submit=False, border=True):
        st.text_input(t("auth.username"), key="auth_first_username", max_chars=100, help=t("auth.username_help"))
        st.text_input(t("auth.display_name"), key="auth_first_name", max_chars=200)
        st.text_input(t("auth.password"), type="password", key="auth_first_password",
                      help=t("auth.password_help", min=auth.MIN_PASSWORD_LENGTH))
        st.text_input(t("auth.password_again"), type="password", key="auth_first_again")
        st.form_submit_button(t("auth.create_admin"), type="primary", key="auth_first_submit",
                              on_click=_first_run_pressed)
    _show_error()
    return None


def sign_in_screen() -> AppUser | None:
    st.title(t("auth.sign_in_title"))
    st.caption(t("auth.sign_in_intro"))
    with st.form("auth_sign_in", border=True):
        st.text_input(t("auth.username"), key="auth_username", max_chars=100)
        st.text_input(t("auth.password"), type="password", key="auth_password")
        st.form_submit_button(t("auth.sign_in"), type="primary", key="auth_submit", on_click=_sign_in_pressed)
    _show_error()
    if oidc_configured():
        st.divider()
        st.button(t("auth.sign_in_sso"), key="auth_sso", on_click=st.login, icon="🔑")
    return None


def sign_out() -> None:
    """Ends every session of the account, in every browser and tab."""
    username = st.session_state.get(AUTH_KEY, "")
    oidc = st.session_state.get(OIDC_KEY)
    _forget()
    if username and not oidc:
        with common.db() as session:
            auth.sign_out(session, username=username)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def account_box(account: AppUser) -> None:
    """Sidebar: who is signed in, their role, and a way out."""
    st.sidebar.caption(t("auth.signed_in_as", name=common.md(account.display_name or account.username),
                         role=t(f"role.{account.role}")))
    st.sidebar.button(t("auth.sign_out"), key="auth_sign_out", on_click=sign_out, icon="🚪")


def can(account: AppUser | None, action: str) -> bool:
    return account is not None and auth.may(account.role, action)


def allowed(action: str) -> bool:
    """Whether the signed-in person's role may do `action` (for showing or
    hiding controls; the services check again). Uses the role app.py read
    from the database at the start of this run, not another query."""
    role = st.session_state.get(ROLE_KEY)
    return role is not None and auth.may(role, action)


# ---------------------------------------------------------------- HTTP routes (served by app.py's st.App)


def _claim(code: str) -> str | None:
    common.prepare_database()  # a request may come before any page has run
    with session_scope(get_engine(config.database_url())) as session:
        return auth.claim_session(session, handoff=code)


def _backup_for(token: str, with_password_hashes: bool = False) -> bytes | None:
    """The full backup for the cookie's session, if it is an administrator's."""
    common.prepare_database()
    with session_scope(get_engine(config.database_url())) as session:
        found = auth.session_account(session, token=token)
        if found is None:
            return None
        try:
            return backup.export_backup(session, user=found[1].username,
                                        with_password_hashes=with_password_hashes)
        except CemError:
            return None


def _plan_for(token: str, journey_id: str, lang: str) -> tuple[bytes, str] | None:
    """The plan workbook of a journey, with the contacts the cookie's
    session may see, and its file name; None without a session."""
    common.prepare_database()
    with session_scope(get_engine(config.database_url())) as session:
        found = auth.session_account(session, token=token)
        if found is None or not journey_id.isdigit():
            return None
        try:
            journey = services.get_journey(session, int(journey_id))
            data = plan_export.export_plan(session, journey_id=journey.id, lang=lang, user=found[1].username)
        except CemError:
            return None
        name = safe_file_name(i18n.t("excel_page.plan_file", lang, name=journey.name), "xlsx", fallback="plan")
        return data, name


def _contacts_for(token: str, lang: str) -> tuple[bytes, str] | None:
    """The VIPs' contacts workbook for the cookie's session, if it may read
    contacts (the export is logged); None otherwise."""
    common.prepare_database()
    with session_scope(get_engine(config.database_url())) as session:
        found = auth.session_account(session, token=token)
        if found is None:
            return None
        try:
            data = customer_export.vip_contacts_xlsx(session, lang=lang, user=found[1].username)
        except CemError:
            return None
        return data, safe_file_name(i18n.t("vip.contacts_file", lang), "xlsx", fallback="vip-contacts")


def _attachment(file_name: str, fallback: str) -> str:
    """Content-Disposition for a file name in any script (RFC 6266 / 5987)."""
    return f"attachment; filename=\"{fallback}\"; filename*=utf-8''{quote(file_name, safe='')}"


def http_routes() -> list:
    """SESSION_ROUTE sets the session cookie for a one-time code;
    BACKUP_ROUTE sends the full backup to an administrator's session and
    PLAN_ROUTE a journey's plan workbook (people's phones) to a signed-in
    session, so no such file is left at a reusable address (they need the
    cookie, which signing out ends)."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    async def session_route(request):
        code = (await request.body())[:200].decode("ascii", "replace")
        token = await run_in_threadpool(_claim, code)
        if token is None:
            return PlainTextResponse("This sign-in code is used or too old. Sign in again.", status_code=403)
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.set_cookie(COOKIE, token, max_age=int(auth.SESSION_LIFETIME.total_seconds()), path="/",
                            httponly=True, samesite="strict", secure=request.url.scheme == "https")
        return response

    async def backup_route(request):
        hashes = request.query_params.get("password_hashes") == "1"
        data = await run_in_threadpool(_backup_for, request.cookies.get(COOKIE, ""), hashes)
        if data is None:
            return PlainTextResponse("Sign in as an administrator in the app first.", status_code=403)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
        return Response(data, media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="cem-backup-{stamp}.json"', "Cache-Control": "no-store"})

    async def plan_route(request):
        lang = i18n.normalise_lang(request.query_params.get("lang", ""))
        found = await run_in_threadpool(_plan_for, request.cookies.get(COOKIE, ""),
                                        request.query_params.get("journey", ""), lang)
        if found is None:
            return PlainTextResponse("Sign in in the app first.", status_code=403)
        data, name = found
        return Response(data, media_type=XLSX, headers={
            "Content-Disposition": _attachment(name, "plan.xlsx"), "Cache-Control": "no-store"})

    async def contacts_route(request):
        lang = i18n.normalise_lang(request.query_params.get("lang", ""))
        found = await run_in_threadpool(_contacts_for, request.cookies.get(COOKIE, ""), lang)
        if found is None:
            return PlainTextResponse("Sign in in the app first, as someone who may read contacts.", status_code=403)
        data, name = found
        return Response(data, media_type=XLSX, headers={
            "Content-Disposition": _attachment(name, "vip-contacts.xlsx"), "Cache-Control": "no-store"})

    return [Route(SESSION_ROUTE, session_route, methods=["POST"]), Route(BACKUP_ROUTE, backup_route, methods=["GET"]),
            Route(PLAN_ROUTE, plan_route, methods=["GET"]), Route(CONTACTS_ROUTE, contacts_route, methods=["GET"])]
