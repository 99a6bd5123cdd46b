"""Signing in under attack and load: password checks outside the write lock,
holding back guessing per account and client, one answer for every refusal,
server-side sessions, and the account services' edge cases."""
from __future__ import annotations

import hashlib
import os
import statistics
import threading
import time
from collections import deque
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from cem.core import auth
from cem.journey import services
from cem.core.db import write_lock
from cem.core.errors import ConflictError
from cem.core.models import AppUser, SignInSession, utcnow

PASSWORD = "the owner's long secret"


@pytest.fixture
def owner(session):
    auth.create_user(session, username="owner", password=PASSWORD, role="admin", user="admin")
    return "owner"


def refusal(session, **kwargs) -> auth.AuthError:
    with pytest.raises(auth.AuthError) as refused:
        auth.authenticate(session, **kwargs)
    return refused.value


# ---------------------------------------------------------------- no write lock while hashing


def test_checking_a_password_does_not_hold_the_write_lock(engine, owner):
    """While one person's password is being checked (about 0.1 s), another's save does not wait for it."""
    started, signed_in = threading.Event(), []

    def sign_in():
        with Session(engine) as other:
            started.set()
            signed_in.append(auth.authenticate(other, username="owner", password=PASSWORD, client="10.0.0.1"))

    thread = threading.Thread(target=sign_in)
    thread.start()
    started.wait()
    time.sleep(0.03)  # the check is under way
    began = time.perf_counter()
    with write_lock(engine):
        waited = time.perf_counter() - began
    thread.join()
    assert signed_in, "the sign-in failed"
    assert waited < 0.02, f"a save waited {waited * 1000:.0f} ms for a password check"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def save_latencies(engine, stage_id: int, count: int) -> list[float]:
    """`count` saves of a stage's name, one every 20 ms as people save, in ms."""
    times = []
    with Session(engine) as session:
        for n in range(count):
            began = time.perf_counter()
            services.update_stage(session, stage_id=stage_id, name=f"Offer {n}", user="tester")
            times.append((time.perf_counter() - began) * 1000)
            time.sleep(0.02)
    return times


def flooded_and_quiet_saves(engine, stage_id: int) -> tuple[dict[str, tuple[float, float]], int]:
    """p50 and p95 of saves, quiet and during a 4-thread sign-in flood; and how many sign-ins were refused."""
    quiet, loaded, tries = [], [], []

    def flood(n: int, stop: threading.Event):
        with Session(engine) as session:
            while not stop.is_set():
                try:
                    auth.authenticate(session, username=f"nobody{n}.{len(tries)}", password="guess",
                                      client=f"192.0.2.{n}")
                except auth.AuthError:
                    tries.append(1)

    # Quiet and flooded rounds take turns, so the machine's other work weighs on both alike.
    for _ in range(8):
        quiet += save_latencies(engine, stage_id, 40)
        stop = threading.Event()
        threads = [threading.Thread(target=flood, args=(n, stop)) for n in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        try:
            loaded += save_latencies(engine, stage_id, 40)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
    figures = {name: (statistics.median(v), percentile(v, 0.95)) for name, v in (("quiet", quiet), ("flood", loaded))}
    return figures, len(tries)


def test_a_sign_in_flood_leaves_saves_within_twice_their_quiet_time(engine, small_journey):
    """Four threads signing in with unknown names as fast as they can: others' saves stay within 2x of a quiet server.

    A busy machine only ever adds delay, so the figure is measured up to three
    times and holds when one measurement meets it (a p95 of 320 saves moves
    with whatever else the machine runs)."""
    with Session(engine) as session:
        stage_id = services.load_journey_tree(session, small_journey.id).stages[0].stage.id
    save_latencies(engine, stage_id, 10)  # warm up
    for _ in range(3):
        figures, refused = flooded_and_quiet_saves(engine, stage_id)
        print(f"\nsave p50/p95 ms on {engine.dialect.name}: quiet {figures['quiet'][0]:.1f}/{figures['quiet'][1]:.1f}, "
              f"during a 4-thread sign-in flood {figures['flood'][0]:.1f}/{figures['flood'][1]:.1f} "
              f"({refused} refused sign-ins)")
        assert refused >= 8, "the flood did not run"
        if all(figures["flood"][n] <= 2 * figures["quiet"][n] for n in (0, 1)):
            break
    assert figures["flood"][0] <= 2 * figures["quiet"][0]
    assert figures["flood"][1] <= 2 * figures["quiet"][1]


def test_a_lone_password_check_runs_at_a_fair_priority_and_a_flood_at_the_lowest(monkeypatch):
    """At nice 19 a lone sign-in during an import's parsing took 1.8-2.8 s; it
    now runs at nice 5, and only checks past FLOOD_CHECKS within a second
    give way completely."""
    seen = []

    def check(password_hash, password):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return False

    monkeypatch.setattr(auth, "_check", check)
    monkeypatch.setattr(auth, "_recent_checks", deque(maxlen=auth.FLOOD_CHECKS))
    for _ in range(auth.FLOOD_CHECKS + 2):
        assert auth._verify("", "a guess") is False
    time.sleep(1.05)
    auth._verify("", "a guess")
    lone, flood = auth.LONE_NICENESS, auth.FLOOD_NICENESS
    assert seen == [lone] * auth.FLOOD_CHECKS + [flood, flood, lone]


# ---------------------------------------------------------------- holding back guessing


def test_wrong_passwords_from_one_client_do_not_lock_the_owner_out_elsewhere(session, owner):
    """Five wrong passwords from one address hold back that address only; the owner signs in from another at once."""
    now = utcnow()
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        refusal(session, username="owner", password="guess", client="203.0.113.9", now=now)
    refusal(session, username="owner", password=PASSWORD, client="203.0.113.9", now=now)  # held back
    assert auth.authenticate(session, username="owner", password=PASSWORD, client="198.51.100.7",
                             now=now).username == "owner"
    later = now + auth.WINDOW + timedelta(seconds=1)
    assert auth.authenticate(session, username="owner", password=PASSWORD, client="203.0.113.9",
                             now=later).username == "owner"


def test_many_clients_guessing_hold_back_new_clients_but_not_a_familiar_one(session, owner):
    """Guesses from many addresses hold back addresses new to the account; one the owner signed in from still works."""
    now = utcnow()
    auth.authenticate(session, username="owner", password=PASSWORD, client="198.51.100.7", now=now)
    for n in range(auth.ACCOUNT_LIMIT // auth.MAX_FAILED_SIGN_INS):
        for _ in range(auth.MAX_FAILED_SIGN_INS):
            refusal(session, username="owner", password="guess", client=f"192.0.2.{n}", now=now)
    refusal(session, username="owner", password=PASSWORD, client="203.0.113.50", now=now)
    assert auth.authenticate(session, username="owner", password=PASSWORD, client="198.51.100.7",
                             now=now).username == "owner"


# ---------------------------------------------------------------- one answer for every refusal


def test_unknown_wrong_held_and_switched_off_answer_alike(session, owner):
    """An unknown name, a wrong password, a held-back account and a switched-off one get the same message in about the same time."""
    auth.create_user(session, username="gone", password=PASSWORD, role="viewer", user="admin")
    auth.update_user(session, username="gone", active=False, user="admin")
    for _ in range(auth.MAX_FAILED_SIGN_INS):
        refusal(session, username="owner", password="guess", client="203.0.113.9")
    cases = {"unknown": dict(username="nosuchname", password=PASSWORD, client="203.0.113.1"),
             "wrong": dict(username="owner", password="guess", client="203.0.113.2"),
             "held": dict(username="owner", password=PASSWORD, client="203.0.113.9"),
             "off": dict(username="gone", password=PASSWORD, client="203.0.113.3")}
    answers, times = {}, {name: [] for name in cases}
    for _ in range(5):  # in turns, so the machine's other work weighs on each case alike
        for name, case in cases.items():
            began = time.perf_counter()
            error = refusal(session, **case)
            times[name].append(time.perf_counter() - began)
            answers[name] = (type(error), error.code, repr(error.params), str(error))
    timings = {name: statistics.median(values) for name, values in times.items()}
    assert len(set(answers.values())) == 1, answers
    print("\nmedian refusal ms: " + ", ".join(f"{k} {v * 1000:.0f}" for k, v in timings.items()))
    slowest, fastest = max(timings.values()), min(timings.values())
    assert fastest > 0.5 * slowest, timings


# ---------------------------------------------------------------- sessions


def test_a_session_is_kept_by_a_hash_of_a_random_id(session, owner):
    """Signing in makes a session whose cookie id the database keeps only as a hash; the one-time code works once."""
    signed = auth.sign_in(session, username="owner", password=PASSWORD, client="198.51.100.7")
    token = auth.claim_session(session, handoff=signed.handoff)
    assert token and len(token) >= 40
    assert auth.claim_session(session, handoff=signed.handoff) is None
    row = session.exec(select(SignInSession).where(SignInSession.id == signed.session_id)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(row)
    found = auth.session_account(session, token=token)
    assert found is not None and found[0] == signed.session_id and found[1].username == "owner"
    assert auth.session_account(session, token=token + "x") is None
    assert auth.bound_account(session, session_id=signed.session_id, username="owner").username == "owner"
    assert auth.bound_account(session, session_id=signed.session_id, username="admin") is None
    expired = utcnow() + auth.SESSION_LIFETIME + timedelta(seconds=1)
    assert auth.session_account(session, token=token, now=expired) is None


def test_a_late_handoff_code_is_refused(session, owner):
    """The one-time code that fetches the cookie is good for a short while only."""
    signed = auth.sign_in(session, username="owner", password=PASSWORD, client="")
    assert auth.claim_session(session, handoff=signed.handoff, now=utcnow() + timedelta(minutes=5)) is None


@pytest.mark.parametrize("how", ["sign_out", "password", "deactivate"])
def test_sign_out_a_new_password_or_switching_off_ends_every_session(session, owner, how):
    """Signing out, a new password, or switching the account off ends all of its sessions at once, in every browser."""
    first = auth.sign_in(session, username="owner", password=PASSWORD, client="198.51.100.7")
    second = auth.sign_in(session, username="owner", password=PASSWORD, client="203.0.113.4")
    token = auth.claim_session(session, handoff=second.handoff)
    if how == "sign_out":
        auth.sign_out(session, username="owner")
    elif how == "password":
        auth.update_user(session, username="owner", password="a brand new secret", user="admin")
    else:
        auth.update_user(session, username="owner", active=False, user="admin")
    assert auth.bound_account(session, session_id=first.session_id, username="owner") is None
    assert auth.bound_account(session, session_id=second.session_id, username="owner") is None
    assert auth.session_account(session, token=token) is None


def test_a_role_change_keeps_the_session(session, owner):
    """Changing someone's role does not sign them out (the role is read again on every page)."""
    signed = auth.sign_in(session, username="owner", password=PASSWORD, client="")
    auth.update_user(session, username="owner", role="lead", user="admin")
    assert auth.bound_account(session, session_id=signed.session_id, username="owner").role == "lead"


# ---------------------------------------------------------------- account services


def test_an_older_admin_form_does_not_undo_a_newer_change(session, owner):
    """Two administrators open the same account; the second one's save, based on the older version, is refused."""
    seen = auth.find_user(session, "owner").version
    auth.update_user(session, username="owner", role="lead", version=seen, user="admin")
    with pytest.raises(ConflictError) as refused:
        auth.update_user(session, username="owner", role="admin", version=seen, user="admin")
    assert refused.value.code == "err.user_changed"
    session.rollback()
    assert auth.find_user(session, "owner").role == "lead"


def test_oidc_email_equal_to_a_local_username_is_refused_clearly(session):
    """Someone from the identity provider whose e-mail is a local account's username gets a clear message, not a crash."""
    auth.create_user(session, username="somchai@example.com", password=PASSWORD, role="editor", user="admin")
    with pytest.raises(auth.AuthError) as refused:
        auth.oidc_account(session, email="Somchai@example.com", name="Somchai")
    assert refused.value.code == "err.oidc_name_taken"
    session.rollback()
    assert session.exec(select(AppUser).where(AppUser.email == "somchai@example.com")).first() is None
