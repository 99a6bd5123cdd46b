"""Many people editing one journey map at once, through the services.

Twenty or more simulated editors (threads, each with its own sessions, as
Streamlit gives every browser tab its own) work for a bounded time on one
journey: they read a pain point, append a token to its text and save it
with the version they read, save ideas through the grid and add items.
Some pain points are shared by everybody, some belong to one editor.

What a person must never see: an edit that was confirmed and then silently
disappears (a lost update), or a "database is locked" error. What they may
see: a conflict message when someone else saved the same row first.
"""
from __future__ import annotations

import os
import random
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import func, select

from cem.journey import services
from cem.core.auth import create_user
from cem.core.db import session_scope
from cem.core.errors import ConflictError
from cem.core.models import ChangeLog, Idea, PainPoint
from cem.journey.services import RowChanges
from cem.core.validation import TEXT_LONG

EDITORS = 20
SECONDS = float(os.environ.get("CEM_CONCURRENCY_SECONDS", "8"))
SHARED_PAINS = 6  # edited by everybody
OWN_PAINS = 2  # per editor, edited by that editor only
OUT = Path(__file__).resolve().parent.parent / "bench" / "out"


@dataclass
class Tally:
    attempted: int = 0
    committed: int = 0
    conflicts: int = 0
    own_row_conflicts: int = 0
    lock_errors: int = 0
    full_rows_skipped: int = 0
    save_seconds: list[float] = field(default_factory=list)  # how long each write call took
    errors: list[str] = field(default_factory=list)
    # pain point id -> [(version after the commit, appended token, editor)]
    appends: dict[int, list[tuple[int, str, str]]] = field(default_factory=lambda: defaultdict(list))
    updates_committed: int = 0
    ideas_added: list[str] = field(default_factory=list)
    pains_added: dict[int, str] = field(default_factory=dict)  # id -> initial text
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Map:
    journey_id: int
    shared_step_id: int  # shared pain points and everybody's ideas live here
    shared_pains: list[int]
    own_steps: dict[str, int]
    own_pains: dict[str, list[int]]
    initial_text: dict[int, str]


def _is_lock_error(error: BaseException) -> bool:
    return isinstance(error, OperationalError) or "locked" in str(error).lower()


def _latency(seconds: list[float]) -> str:
    if not seconds:
        return "no saves"
    ordered = sorted(seconds)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return f"save ms p50={pick(0.5):.0f} p95={pick(0.95):.0f} max={ordered[-1] * 1000:.0f}"


def _build_map(engine, editors: list[str]) -> Map:
    with session_scope(engine) as session:
        for name in editors:
            create_user(session, username=name, display_name=name.upper(), role="editor", user="admin")
        journey = services.create_journey(session, name="Busy workshop", user="admin")
        stage = services.add_stage(session, journey_id=journey.id, name="Use", phase="during", user="admin")
        shared_step = services.add_step(session, stage_id=stage.id, name="Everybody's step", user="admin")
        initial: dict[int, str] = {}
        shared = []
        for i in range(SHARED_PAINS):
            pain = services.add_pain_point(session, step_id=shared_step.id, text=f"Shared pain {i}", user="admin")
            shared.append(pain.id)
            initial[pain.id] = pain.text
        own_steps, own_pains = {}, {}
        for name in editors:
            step = services.add_step(session, stage_id=stage.id, name=f"Step of {name}", user="admin")
            own_steps[name] = step.id
            own_pains[name] = []
            for i in range(OWN_PAINS):
                pain = services.add_pain_point(session, step_id=step.id, text=f"Pain {i} of {name}", user="admin")
                own_pains[name].append(pain.id)
                initial[pain.id] = pain.text
        return Map(journey.id, shared_step.id, shared, own_steps, own_pains, initial)


def _attempt(tally: Tally) -> float:
    with tally.lock:
        tally.attempted += 1
    return time.monotonic()


def _editor(engine, name: str, world: Map, tally: Tally, start: threading.Barrier, deadline_box: list,
            seed: int) -> None:
    rng = random.Random(seed)
    own = list(world.own_pains[name])
    full: set[int] = set()
    start.wait()
    deadline = deadline_box[0]
    n = 0
    while time.monotonic() < deadline:
        n += 1
        roll = rng.random()
        began = None  # when the write call started
        try:
            if roll < 0.75:
                shared_pick = rng.random() < 0.5
                candidates = [p for p in (world.shared_pains if shared_pick else own) if p not in full]
                if not candidates:
                    continue
                pain_id = rng.choice(candidates)
                # Load the row as a page would, in its own session.
                with session_scope(engine) as session:
                    old_text, version = session.exec(
                        select(PainPoint.text, PainPoint.version).where(PainPoint.id == pain_id)).one()
                token = f"|{name}:{n}"
                if len(old_text) + len(token) > TEXT_LONG:
                    full.add(pain_id)
                    with tally.lock:
                        tally.full_rows_skipped += 1
                    continue
                time.sleep(rng.uniform(0, 0.002))  # the person types
                began = _attempt(tally)
                try:
                    with session_scope(engine) as session:
                        saved = services.update_pain_point(session, pain_point_id=pain_id, text=old_text + token,
                                                           version=version, user=name)
                        new_version = saved.version
                except ConflictError:
                    with tally.lock:
                        tally.conflicts += 1
                        if not shared_pick:
                            tally.own_row_conflicts += 1
                    continue
                with tally.lock:
                    tally.committed += 1
                    tally.updates_committed += 1
                    tally.appends[pain_id].append((new_version, token, name))
            elif roll < 0.88:
                texts = [f"Grid idea {name}:{n}.{i}" for i in range(rng.randint(1, 3))]
                began = _attempt(tally)
                with session_scope(engine) as session:
                    result = services.save_ideas(session, step_id=world.shared_step_id,
                                                 changes=RowChanges(added=[{"text": t} for t in texts]), user=name)
                assert result.added == len(texts)
                with tally.lock:
                    tally.committed += 1
                    tally.ideas_added += texts
            else:
                began = _attempt(tally)
                with session_scope(engine) as session:
                    if rng.random() < 0.5:
                        text = f"Added idea {name}:{n}"
                        services.add_idea(session, step_id=world.shared_step_id, text=text, user=name)
                        with tally.lock:
                            tally.committed += 1
                            tally.ideas_added.append(text)
                    else:
                        text = f"Added pain {name}:{n}"
                        pain = services.add_pain_point(session, step_id=world.own_steps[name], text=text,
                                                       user=name)
                        own.append(pain.id)
                        with tally.lock:
                            tally.committed += 1
                            tally.pains_added[pain.id] = text
        except Exception as error:  # noqa: BLE001 - every surfaced error is counted and reported
            with tally.lock:
                if _is_lock_error(error):
                    tally.lock_errors += 1
                tally.errors.append(f"{name}: {type(error).__name__}: {error}"[:500])
        finally:
            if began is not None:
                with tally.lock:
                    tally.save_seconds.append(time.monotonic() - began)


def test_twenty_editors_lose_no_confirmed_edit_and_never_see_a_lock_error(engine):
    """With 20 people editing the same map at once, every saved edit stays saved, stale edits get a conflict message, and nobody sees "database is locked"."""
    editors = [f"ed{i:02d}" for i in range(1, EDITORS + 1)]
    world = _build_map(engine, editors)
    with session_scope(engine) as session:
        revision_before = services.journey_revision(session, world.journey_id)
        log_before = session.exec(select(func.max(ChangeLog.id))).one() or 0

    tally = Tally()
    start = threading.Barrier(EDITORS + 1)
    deadline_box = [0.0]
    threads = [threading.Thread(target=_editor, name=name,
                                args=(engine, name, world, tally, start, deadline_box, 1000 + i), daemon=True)
               for i, name in enumerate(editors)]
    for thread in threads:
        thread.start()
    deadline_box[0] = time.monotonic() + SECONDS
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)
    elapsed = time.monotonic() - began
    assert not any(thread.is_alive() for thread in threads), "an editor hung"

    # ---- what ended up in the database
    with session_scope(engine) as session:
        pains = {p.id: p for p in session.exec(select(PainPoint))}
        ideas = list(session.exec(select(Idea).where(Idea.step_id == world.shared_step_id)))
        revision_after = services.journey_revision(session, world.journey_id)
        updates_logged = list(session.exec(select(ChangeLog).where(
            ChangeLog.id > log_before, ChangeLog.item_type == "painpoint", ChangeLog.action == "update")))

    initial = {**world.initial_text, **tally.pains_added}
    lost = 0
    wrong_rows = []
    for pain_id, appends in tally.appends.items():
        final = pains[pain_id]
        appends.sort()
        lost += sum(1 for _, token, _ in appends if token not in final.text)
        expected = initial[pain_id] + "".join(token for _, token, _ in appends)
        versions = [version for version, _, _ in appends]
        if final.text != expected or versions != list(range(final.version - len(versions) + 1, final.version + 1)):
            wrong_rows.append(pain_id)

    backend = engine.dialect.name
    line = (f"concurrency {backend}: editors={EDITORS}, seconds={elapsed:.1f}, attempted={tally.attempted}, "
            f"committed={tally.committed}, conflicts={tally.conflicts}, lost={lost}, "
            f"lock_errors={tally.lock_errors}")
    print()
    print(line)
    print(f"  pain updates committed={tally.updates_committed}, ideas added={len(tally.ideas_added)}, "
          f"pains added={len(tally.pains_added)}, rows full={tally.full_rows_skipped}, "
          f"other errors={len(tally.errors) - tally.lock_errors}, {_latency(tally.save_seconds)}")
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "concurrency.txt", "a", encoding="utf-8") as report:
        report.write(line + "\n")

    assert tally.errors == [], "errors reached the editors:\n" + "\n".join(tally.errors[:20])
    assert lost == 0, f"{lost} confirmed edits are missing from their rows"
    assert wrong_rows == [], f"rows whose text is not every committed append in commit order: {wrong_rows}"
    assert tally.lock_errors == 0
    assert tally.committed > 0 and tally.updates_committed > 0
    assert tally.conflicts > 0, "shared rows edited by 20 people at once must produce some conflicts"
    assert tally.own_row_conflicts == 0, "an editor got a conflict on a row nobody else edits"
    assert tally.attempted == tally.committed + tally.conflicts

    # Every committed pain point edit has exactly one entry in the history, by its editor.
    assert len(updates_logged) == tally.updates_committed
    logged = sorted((entry.item_id, entry.new["text"], entry.user) for entry in updates_logged)
    expected_log = []
    for pain_id, appends in tally.appends.items():
        text = initial[pain_id]
        for _, token, name in appends:
            text += token
            expected_log.append((pain_id, text, name))
    assert logged == sorted(expected_log)

    # Every idea saved is there once, and the ideas are numbered 1..n without gaps or doubles.
    texts = sorted(idea.text for idea in ideas if idea.text.startswith(("Grid idea", "Added idea")))
    assert texts == sorted(tally.ideas_added)
    assert sorted(idea.position for idea in ideas) == list(range(1, len(ideas) + 1))
    for pain_id, text in tally.pains_added.items():
        assert pain_id in pains and pains[pain_id].text.startswith(text)

    # The map's revision went up once per committed change, so open pages notice every one.
    assert revision_after - revision_before == tally.committed
