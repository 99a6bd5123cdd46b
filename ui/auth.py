"""Who is signed in: the first-run screen, the sign-in screen, OpenID
Connect through st.login when configured, and signing out.

The signed-in username lives in this browser session only; every service
checks the account's role again in the database, so nothing here is a
security boundary by itself.
"""
from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st

from cem import auth
from cem.errors import CemError
from cem.models import AppUser
from ui import common

AUTH_KEY = "auth_user"
ROLE_KEY = "auth_role"  # the role read from the database at the start of this run
t = common.t


def oidc_configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section for st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def current_account() -> AppUser | None:
    """The signed-in, active account, or None."""
    username = st.session_state.get(AUTH_KEY)
    if not username and oidc_configured() and st.user.is_logged_in:
        username = _from_oidc()
    if not username:
        return None
    with common.db() as session:
        account = auth.find_user(session, username)
    if account is None or not account.active:
        st.session_state.pop(AUTH_KEY, None)
        st.session_state.pop(ROLE_KEY, None)
        return None
    st.session_state[ROLE_KEY] = account.role
    return account


def _from_oidc() -> str | None:
    try:
        with common.db() as session:
            account = auth.oidc_account(session, email=st.user.get("email", ""), name=st.user.get("name", ""))
    except CemError as error:
        common.show_error(error)
        return None
    st.session_state[AUTH_KEY] = account.username
    return account.username


def require_account() -> AppUser:
    """The signed-in account; otherwise the first-run or sign-in screen is
    shown and the run stops."""
    account = current_account()
    if account is not None:
        return account
    with common.db() as session:
        first_run = auth.count_users(session) == 0
    # The screen sits in a placeholder: once signed in it is cleared and this
    # same run goes on to the page the address asked for (a deep link).
    _remember_requested_page()
    screen = st.empty()
    with screen.container():
        account = first_run_screen() if first_run else sign_in_screen()
    if account is None:
        st.stop()
    screen.empty()
    st.session_state[ROLE_KEY] = account.role
    return account


NEXT_PAGE_KEY = "auth_next_page"


def _remember_requested_page() -> None:
    """The page a deep link asked for (/board), to open after signing in:
    the sign-in form's own rerun goes to the app's address without it."""
    if NEXT_PAGE_KEY not in st.session_state:
        path = urlparse(st.context.url or "").path.strip("/")
        st.session_state[NEXT_PAGE_KEY] = path.rsplit("/", 1)[-1]


def open_requested_page(pages) -> None:
    """After signing in, go to the page the address asked for, if the
    person's role has it."""
    wanted = st.session_state.pop(NEXT_PAGE_KEY, "")
    for page in (p for group in pages.values() for p in group):
        if wanted and page.url_path == wanted:
            st.switch_page(page)


def first_run_screen() -> AppUser | None:
    st.title(t("auth.first_run_title"))
    st.write(t("auth.first_run_intro"))
    with st.form("auth_first_run", border=True):
        username = st.text_input(t("auth.username"), key="auth_first_username", max_chars=100,
                                 help=t("auth.username_help"))
        name = st.text_input(t("auth.display_name"), key="auth_first_name", max_chars=200)
        password = st.text_input(t("auth.password"), type="password", key="auth_first_password",
                                 help=t("auth.password_help", min=auth.MIN_PASSWORD_LENGTH))
        again = st.text_input(t("auth.password_again"), type="password", key="auth_first_again")
        submitted = st.form_submit_button(t("auth.create_admin"), type="primary", key="auth_first_submit")
    if submitted:
        if password != again:
            st.error(t("auth.passwords_differ"), icon="⚠️")
            return None
        try:
            with common.db() as session:
                account = auth.create_first_admin(session, username=username, password=password,
                                                  display_name=name)
        except CemError as error:
            common.show_error(error)
            return None
        st.session_state[AUTH_KEY] = account.username
        return account
    return None


def sign_in_screen() -> AppUser | None:
    st.title(t("auth.sign_in_title"))
    st.caption(t("auth.sign_in_intro"))
    with st.form("auth_sign_in", border=True):
        username = st.text_input(t("auth.username"), key="auth_username", max_chars=100)
        password = st.text_input(t("auth.password"), type="password", key="auth_password")
        submitted = st.form_submit_button(t("auth.sign_in"), type="primary", key="auth_submit")
    if submitted:
        try:
            with common.db() as session:
                account = auth.authenticate(session, username=username, password=password)
        except CemError as error:
            common.show_error(error)
        else:
            st.session_state[AUTH_KEY] = account.username
            return account
    if oidc_configured():
        st.divider()
        st.button(t("auth.sign_in_sso"), key="auth_sso", on_click=st.login, icon="🔑")
    return None


def sign_out() -> None:
    st.session_state.pop(AUTH_KEY, None)
    st.session_state.pop(ROLE_KEY, None)
    if oidc_configured() and st.user.is_logged_in:
        st.logout()


def account_box(account: AppUser) -> None:
    """Sidebar: who is signed in, their role, and a way out."""
    st.sidebar.caption(t("auth.signed_in_as", name=account.display_name or account.username,
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
