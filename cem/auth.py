"""Accounts, roles and sign-in.

Roles: administrator (users and settings), lead (plans, owners, meetings),
editor (the journey map), viewer (read-only, the executives). Every write
service calls `authorize` itself, so a page reached by URL or a crafted
call cannot write beyond the caller's role.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from cem.db import writes
from cem.errors import CemError, NotFoundError, ValidationError
from cem.models import ROLES, AppUser, utcnow

# Argon2id (argon2-cffi's default type) with its recommended parameters.
_hasher = PasswordHasher()

# What each role may do. Leads run the workshop too, so they edit the map.
PERMISSIONS: dict[str, frozenset[str]] = {
    "map.edit": frozenset({"admin", "lead", "editor"}),
    "journey.delete": frozenset({"admin", "lead"}),
    "bin.restore": frozenset({"admin", "lead", "editor"}),
    "plan.edit": frozenset({"admin", "lead"}),
    # Owners record their own tasks' progress (checked in cem.plan); the
    # secretary, whatever their role, records meetings.
    "checkin.record": frozenset({"admin", "lead", "editor"}),
    "meeting.record": frozenset({"admin", "lead", "editor"}),
    "users.manage": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
}
MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 5
MIN_PASSWORD_LENGTH = 8
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,99}$")


class AuthError(CemError):
    """Sign-in refused."""


class PermissionDenied(CemError):
    """The acting user's role does not allow this."""


def may(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


# ---------------------------------------------------------------- who is acting


def find_user(session: Session, username: str) -> AppUser | None:
    name = (username or "").strip().lower()
    return session.exec(select(AppUser).where(AppUser.username == name)).first()


def authorize(session: Session, user: str, action: str) -> str:
    """The acting user's name if their account is active and their role may
    do `action`; otherwise PermissionDenied."""
    account = find_user(session, user)
    if account is None or not account.active:
        raise PermissionDenied("err.not_signed_in")
    if not may(account.role, action):
        raise PermissionDenied("err.forbidden", role=f"role.{account.role}", action=f"action.{action}")
    return account.username


# ---------------------------------------------------------------- accounts


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError("err.password_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > 200:
        raise ValidationError("err.too_long_field", column="auth.password", max=200)


def _clean_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise ValidationError("err.username")
    return name


def _clean_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError("err.choice", options=", ".join(ROLES), value=str(role)[:40])
    return role


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(AppUser)).one()


def _new_user(session: Session, *, username: str, display_name: str, password: str, role: str,
              email: str, by: str) -> AppUser:
    name = _clean_username(username)
    if find_user(session, name) is not None:
        raise ValidationError("err.username_taken", username=name)
    if password:
        _check_password_rules(password)
    account = AppUser(username=name, display_name=(display_name or name).strip()[:200], role=_clean_role(role),
                      email=(email or "").strip().lower()[:200],
                      password_hash=hash_password(password) if password else "", created_by=by, updated_by=by)
    session.add(account)
    session.commit()
    return account


@writes
def create_first_admin(session: Session, *, username: str, password: str, display_name: str = "") -> AppUser:
    """The first account of a fresh installation, always an administrator.
    Refused once any account exists."""
    if count_users(session) > 0:
        raise PermissionDenied("err.admin_exists")
    return _new_user(session, username=username, display_name=display_name, password=password, role="admin",
                     email="", by=_clean_username(username))


@writes
def create_user(session: Session, *, username: str, display_name: str = "", password: str = "",
                role: str = "viewer", email: str = "", user: str) -> AppUser:
    by = authorize(session, user, "users.manage")
    return _new_user(session, username=username, display_name=display_name, password=password, role=role,
                     email=email, by=by)


def list_users(session: Session) -> list[AppUser]:
    return list(session.exec(select(AppUser).order_by(AppUser.username)))


@writes
def update_user(session: Session, *, username: str, user: str, role: str | None = None,
                active: bool | None = None, display_name: str | None = None,
                password: str | None = None) -> AppUser:
    """Change another account's role, name, password or whether it may sign
    in. The last active administrator cannot be demoted or deactivated."""
    by = authorize(session, user, "users.manage")
    account = find_user(session, username)
    if account is None:
        raise NotFoundError("err.not_found", item="item.appuser", id=username)
    losing_admin = account.role == "admin" and ((role and role != "admin") or active is False)
    if losing_admin and _active_admins(session) <= 1:
        raise ValidationError("err.last_admin")
    if role is not None:
        account.role = _clean_role(role)
    if active is not None:
        account.active = bool(active)
        account.failed_logins, account.locked_until = 0, None
    if display_name is not None:
        account.display_name = display_name.strip()[:200] or account.username
    if password:
        _check_password_rules(password)
        account.password_hash = hash_password(password)
    account.updated_by, account.updated_at, account.version = by, utcnow(), account.version + 1
    session.commit()
    return account


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(AppUser).where(AppUser.role == "admin", AppUser.active)
    return session.exec(query).one()


# ---------------------------------------------------------------- signing in


@writes
def authenticate(session: Session, *, username: str, password: str, now: datetime | None = None) -> AppUser:
    """The account for this username and password. After MAX_FAILED_SIGN_INS
    wrong passwords in a row the account is locked for LOCK_MINUTES; the
    count is kept in the database so every app replica sees it."""
    now = now or utcnow()
    account = find_user(session, username)
    if account is None or not account.active or not account.password_hash:
        _hasher.hash("spend the same time as a real check")  # do not reveal which names exist
        raise AuthError("err.bad_login")
    locked_until = _aware(account.locked_until)
    if locked_until and locked_until > now:
        minutes = max(1, int((locked_until - now).total_seconds() // 60) + 1)
        raise AuthError("err.locked", minutes=minutes)
    try:
        _hasher.verify(account.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        account.failed_logins += 1
        if account.failed_logins >= MAX_FAILED_SIGN_INS:
            account.locked_until = now + timedelta(minutes=LOCK_MINUTES)
            account.failed_logins = 0
        session.commit()
        raise AuthError("err.bad_login") from None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.failed_logins, account.locked_until, account.last_login_at = 0, None, now
    session.commit()
    return account


@writes
def oidc_account(session: Session, *, email: str, name: str) -> AppUser:
    """The account for someone signed in through OpenID Connect: found by
    e-mail, or made as a viewer (an administrator can raise the role)."""
    address = (email or "").strip().lower()
    if not address:
        raise AuthError("err.bad_login")
    account = session.exec(select(AppUser).where(AppUser.email == address)).first()
    if account is None:
        first = count_users(session) == 0
        account = AppUser(username=address[:100], display_name=(name or address)[:200], email=address,
                          role="admin" if first else "viewer", created_by="oidc", updated_by="oidc")
        session.add(account)
        session.commit()
    if not account.active:
        raise AuthError("err.bad_login")
    return account
