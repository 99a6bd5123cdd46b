"""Accounts, roles and sign-in.

Roles: administrator (users and settings), lead (plans, owners, meetings),
editor (the journey map), viewer (read-only, the executives). Every write
service calls `authorize` itself, so a page reached by URL or a crafted
call cannot write beyond the caller's role.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, delete, func, select

from cem.core.db import writes
from cem.core.errors import CemError, ConflictError, NotFoundError, ValidationError
from cem.core.models import ROLES, AppUser, SignInAttempt, SignInSession, utcnow

# Argon2id (argon2-cffi's default type) with its recommended parameters.
_hasher = PasswordHasher()

# What each role may do. Leads run the workshop too, so they edit the map.
PERMISSIONS: dict[str, frozenset[str]] = {
    "map.edit": frozenset({"admin", "lead", "editor"}),
    "journey.delete": frozenset({"admin", "lead"}),
    "bin.restore": frozenset({"admin", "lead", "editor"}),
    "plan.edit": frozenset({"admin", "lead"}),
    # Owners record their own tasks' progress (checked in cem.improvement.plan); the
    # secretary, whatever their role, records meetings.
    "checkin.record": frozenset({"admin", "lead", "editor"}),
    "meeting.record": frozenset({"admin", "lead", "editor"}),
    "customers.edit": frozenset({"admin", "lead"}),  # billing imports, VIP rules, profiles, contacts
    "complaints.record": frozenset({"admin", "lead", "editor"}),  # the service team takes complaints
    "kb.edit": frozenset({"admin", "lead", "editor"}),  # the knowledge base's questions and answers
    # Using it: "asked again", helpful votes, searches that found nothing. Front-line staff may have
    # viewer accounts; these record how the answers serve, they change no answer.
    "kb.use": frozenset({"admin", "lead", "editor", "viewer"}),
    "users.manage": frozenset({"admin"}),
    "backup": frozenset({"admin"}),
}
MAX_FAILED_SIGN_INS = 5  # wrong passwords per name and client within WINDOW
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 50  # wrong passwords per name from all clients within WINDOW
FAMILIAR = timedelta(days=30)  # a client that signed in this recently is familiar
SESSION_LIFETIME = timedelta(days=7)
HANDOFF = timedelta(minutes=2)
PRUNE_EVERY = 50  # attempts, on average, between clearing out old ones
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
                password: str | None = None, version: int | None = None) -> AppUser:
    """Change another account's role, name, password or whether it may sign
    in. The last active administrator cannot be demoted or deactivated. With
    `version` (the one the form showed), a change made since is not undone:
    ConflictError. A new password or switching the account off ends all of
    its sessions."""
    by = authorize(session, user, "users.manage")
    account = find_user(session, username)
    if account is None:
        raise NotFoundError("err.not_found", item="item.appuser", id=username)
    if version is not None and version != account.version:
        raise ConflictError("err.user_changed", username=account.username, who=account.updated_by)
    losing_admin = account.role == "admin" and ((role and role != "admin") or active is False)
    if losing_admin and _active_admins(session) <= 1:
        raise ValidationError("err.last_admin")
    if role is not None:
        account.role = _clean_role(role)
    if active is not None:
        account.active = bool(active)
        if not account.active:
            _end_sessions(session, account.username)
    if display_name is not None:
        account.display_name = display_name.strip()[:200] or account.username
    if password:
        _check_password_rules(password)
        account.password_hash = hash_password(password)
        _end_sessions(session, account.username)
    account.updated_by, account.updated_at, account.version = by, utcnow(), account.version + 1
    session.commit()
    return account


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(AppUser).where(AppUser.role == "admin", AppUser.active)
    return session.exec(query).one()


# ---------------------------------------------------------------- signing in
#
# A password is checked with no transaction open and no write lock held
# (Argon2 takes about 0.1 s); the attempt is then recorded in a short write
# of its own. Guessing is held back per (name, client): MAX_FAILED_SIGN_INS
# wrong passwords within WINDOW hold that client back for that name until
# the oldest of them is WINDOW old, and nobody else. Past ACCOUNT_LIMIT wrong
# passwords for one name from all clients, clients that have not signed in
# to it within FAMILIAR are held back too, so a guesser with many addresses
# cannot lock the owner out of a familiar one. Every refusal (unknown name,
# wrong password, held back, switched off) gives the same error after the
# same work: one Argon2 check (against a dummy hash if need be) and one write.


def _dummy_hash() -> str:
    return _hasher.hash("a password nobody has")


_DUMMY_HASH = _dummy_hash()


def _check(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password or "") and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


# The nice value of a password check. A check that competes for a core with
# other work gets, at nice 19, 1.5 % of it: a lone sign-in during an import's
# parsing took 1.8-2.8 s (measured). So a check runs at LONE_NICENESS (a
# quarter of a core at worst: 0.1 s of work in 0.4 s), unless FLOOD_CHECKS
# checks began within the last second: then at FLOOD_NICENESS, giving way
# to people saving their work. One thread for each (only root may lower a
# thread's nice value again), and one check at a time in all.
LONE_NICENESS, FLOOD_NICENESS = 5, 19
FLOOD_CHECKS = 4
_recent_checks: deque[float] = deque(maxlen=FLOOD_CHECKS)
_recent_lock, _one_check = threading.Lock(), threading.Lock()


def _set_niceness(value: int) -> None:
    """On Linux the nice value is per thread; Argon2's own threads inherit it."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), value)
    except (AttributeError, OSError):  # not Linux
        pass


def _checker(niceness: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"password-check-nice-{niceness}",
                              initializer=_set_niceness, initargs=(niceness,))


_lone_checker, _flood_checker = _checker(LONE_NICENESS), _checker(FLOOD_NICENESS)


def _check_alone(password_hash: str, password: str) -> bool:
    with _one_check:  # a flood queues here instead of taking the processor from people saving their work
        return _check(password_hash, password)


# At most SIGN_INS_PER_SECOND sign-in attempts start each second in this
# process: a flood waits its turn asleep, instead of taking the processor
# and Python's interpreter lock from people saving their work. (The other
# two bounds: per name and client, and per name; see _held_back.)
SIGN_INS_PER_SECOND = 10
_pace = threading.Lock()
_next_start = [0.0]


def _wait_turn() -> None:
    with _pace:
        now = time.monotonic()
        start = max(now, _next_start[0])
        _next_start[0] = start + 1 / SIGN_INS_PER_SECOND
    if start > now:
        time.sleep(start - now)


def _verify(password_hash: str, password: str) -> bool:
    with _recent_lock:
        now = time.monotonic()
        flood = len(_recent_checks) == FLOOD_CHECKS and now - _recent_checks[0] < 1.0
        _recent_checks.append(now)
    checker = _flood_checker if flood else _lone_checker
    return checker.submit(_check_alone, password_hash, password).result()


def _attempts(session: Session, name: str, since: datetime):
    return select(func.count()).select_from(SignInAttempt).where(
        SignInAttempt.username == name, SignInAttempt.at > since)


def _held_back(session: Session, name: str, client: str, now: datetime) -> bool:
    """Whether `client` must wait before trying `name` again."""
    since = now - WINDOW
    last_ok = session.exec(select(func.max(SignInAttempt.at)).where(
        SignInAttempt.username == name, SignInAttempt.client == client, SignInAttempt.outcome == "ok")).one()
    since_ok = max(since, _aware(last_ok)) if last_ok else since
    wrong = session.exec(_attempts(session, name, since_ok).where(
        SignInAttempt.client == client, SignInAttempt.outcome == "wrong")).one()
    if wrong >= MAX_FAILED_SIGN_INS:
        return True
    if session.exec(_attempts(session, name, since).where(SignInAttempt.outcome == "wrong")).one() < ACCOUNT_LIMIT:
        return False
    return last_ok is None or _aware(last_ok) <= now - FAMILIAR


@writes
def _record_attempt(session: Session, *, name: str, client: str, outcome: str, now: datetime,
                    new_hash: str | None = None) -> None:
    session.add(SignInAttempt(at=now, username=name, client=client, outcome=outcome))
    if outcome == "ok":
        account = find_user(session, name)
        account.last_login_at = now
        if new_hash:
            account.password_hash = new_hash
    if secrets.randbelow(PRUNE_EVERY) == 0:  # now and then, forget what no longer counts
        session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - FAMILIAR))
        session.execute(delete(SignInAttempt).where(SignInAttempt.outcome != "ok", SignInAttempt.at < now - WINDOW))
    session.commit()


def authenticate(session: Session, *, username: str, password: str, client: str = "",
                 now: datetime | None = None) -> AppUser:
    """The account for this username and password, or AuthError
    "err.bad_login", the same for every reason. `client` is the address the
    request came from (empty when unknown)."""
    _wait_turn()
    now = now or utcnow()
    name = (username or "").strip().lower()[:100]
    client = (client or "")[:100]
    session.rollback()  # no transaction open while hashing
    account = find_user(session, name)
    held = _held_back(session, name, client, now)
    usable = account is not None and account.active and not held
    password_hash = account.password_hash if usable else ""
    session.rollback()
    good = _verify(password_hash, password)
    new_hash = hash_password(password) if good and _hasher.check_needs_rehash(password_hash) else None
    outcome = "held" if held else "ok" if good else "wrong"
    _record_attempt(session, name=name, client=client, outcome=outcome, now=now, new_hash=new_hash)
    if not good:
        raise AuthError("err.bad_login")
    return find_user(session, name)


# ---------------------------------------------------------------- sessions
#
# Signing in makes a SignInSession. The page hands the browser a one-time
# code (HANDOFF, short-lived); the browser posts it to the app's /cem/session
# route, which mints the session's random id and sets it as an HttpOnly,
# SameSite=Strict cookie. The database keeps only SHA-256 hashes of both.
# The signed-in tab itself is bound to the session by its row id.


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class SignIn:
    account: AppUser
    session_id: int
    handoff: str  # the one-time code the browser trades for its cookie


@writes
def _start_session(session: Session, *, name: str, client: str, now: datetime) -> tuple[int, str]:
    handoff = secrets.token_urlsafe(32)
    row = SignInSession(username=name, handoff_hash=_digest(handoff), handoff_until=now + HANDOFF,
                        created_at=now, expires_at=now + SESSION_LIFETIME, client=client[:100])
    session.add(row)
    session.execute(delete(SignInSession).where(SignInSession.expires_at < now))
    session.commit()
    return row.id, handoff


def sign_in(session: Session, *, username: str, password: str, client: str = "",
            now: datetime | None = None) -> SignIn:
    """authenticate, then a new session for the account."""
    now = now or utcnow()
    name = authenticate(session, username=username, password=password, client=client, now=now).username
    session_id, handoff = _start_session(session, name=name, client=client, now=now)
    return SignIn(find_user(session, name), session_id, handoff)


def start_session(session: Session, *, username: str, client: str = "", now: datetime | None = None) -> SignIn:
    """A session for an account that has just proved who it is another way
    (the first administrator, who has just set the password)."""
    now = now or utcnow()
    name = find_user(session, username).username
    session_id, handoff = _start_session(session, name=name, client=client, now=now)
    return SignIn(find_user(session, name), session_id, handoff)


@writes
def claim_session(session: Session, *, handoff: str, now: datetime | None = None) -> str | None:
    """The session's cookie id for a one-time code, or None if the code is
    unknown, used or late. The code works once."""
    now = now or utcnow()
    row = session.exec(select(SignInSession).where(SignInSession.handoff_hash == _digest(handoff or ""))).first()
    if row is None:
        return None
    token = secrets.token_urlsafe(32)
    late = _aware(row.handoff_until) < now
    row.handoff_hash, row.handoff_until = None, None
    if not late:
        row.token_hash = _digest(token)
    session.commit()
    return None if late else token


def _live(session: Session, row: SignInSession | None, now: datetime) -> AppUser | None:
    if row is None or _aware(row.expires_at) <= now:
        return None
    account = find_user(session, row.username)
    return account if account is not None and account.active else None


def session_account(session: Session, *, token: str, now: datetime | None = None) -> tuple[int, AppUser] | None:
    """(session id, account) for a cookie's id, if the session is live."""
    if not token:
        return None
    row = session.exec(select(SignInSession).where(SignInSession.token_hash == _digest(token))).first()
    account = _live(session, row, now or utcnow())
    return (row.id, account) if account is not None else None


def bound_account(session: Session, *, session_id: int, username: str, now: datetime | None = None) -> AppUser | None:
    """The account of a tab bound to session `session_id`, if it is still live."""
    row = session.get(SignInSession, session_id)
    if row is None or row.username != username:
        return None
    return _live(session, row, now or utcnow())


def _end_sessions(session: Session, username: str) -> None:
    session.execute(delete(SignInSession).where(SignInSession.username == username))


@writes
def sign_out(session: Session, *, username: str) -> None:
    """End every session of the account, in every browser."""
    _end_sessions(session, (username or "").strip().lower())
    session.commit()


@writes
def oidc_account(session: Session, *, email: str, name: str) -> AppUser:
    """The account for someone signed in through OpenID Connect: found by
    e-mail, or made as a viewer (an administrator can raise the role). A
    local account whose username is that e-mail but which does not have it
    as its e-mail is not taken over: AuthError "err.oidc_name_taken"."""
    address = (email or "").strip().lower()
    if not address:
        raise AuthError("err.bad_login")
    account = session.exec(select(AppUser).where(AppUser.email == address)).first()
    if account is None:
        if find_user(session, address[:100]) is not None:
            raise AuthError("err.oidc_name_taken", email=address[:100])
        first = count_users(session) == 0
        account = AppUser(username=address[:100], display_name=(name or address)[:200], email=address,
                          role="admin" if first else "viewer", created_by="oidc", updated_by="oidc")
        session.add(account)
        session.commit()
    if not account.active:
        raise AuthError("err.bad_login")
    return account
