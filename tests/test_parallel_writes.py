"""On PostgreSQL, writes to different journeys run side by side; writes to
the same journey wait for each other and never show a serialization error.
SQLite has one writer per database file (see cem.core.db), so there a slow write
holds up the others, and the test checks only that nothing is lost."""
from __future__ import annotations

import threading
import time

from sqlmodel import Session

from cem.journey import services
from cem.core.db import session_scope, writes
from cem.core.errors import ConflictError
from tests.conftest import USER

HOLD = 1.5  # seconds the slow writer keeps its journey's transaction open


@writes
def _slow_write(session: Session, *, journey_id: int, started: threading.Event) -> None:
    """A write to `journey_id` that takes HOLD seconds, as a large import does."""
    services._touch(session, journey_id)
    started.set()
    time.sleep(HOLD)
    session.commit()


def _journey_with_a_stage(session: Session, name: str) -> tuple[int, int]:
    journey = services.create_journey(session, name=name, user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Offer", phase="before", user=USER)
    return journey.id, stage.id


def _timed_rename(engine, stage_id: int, name: str, out: dict) -> None:
    began = time.perf_counter()
    with session_scope(engine) as session:
        out[name] = services.update_stage(session, stage_id=stage_id, name=name, user=USER)
    out[name + " seconds"] = time.perf_counter() - began


def test_a_slow_write_holds_up_only_its_own_journey(engine):
    with session_scope(engine) as session:
        slow_journey, slow_stage = _journey_with_a_stage(session, "Clinic")
        _, other_stage = _journey_with_a_stage(session, "Shop")
    started = threading.Event()
    slow = threading.Thread(target=lambda: _slow_write(Session(engine), journey_id=slow_journey, started=started))
    slow.start()
    assert started.wait(10)
    out: dict = {}
    other = threading.Thread(target=_timed_rename, args=(engine, other_stage, "Shop offer", out))
    same = threading.Thread(target=_timed_rename, args=(engine, slow_stage, "Clinic offer", out))
    other.start()
    same.start()
    for thread in (slow, other, same):
        thread.join(30)
    assert out["Shop offer"].name == "Shop offer" and out["Clinic offer"].name == "Clinic offer"
    with session_scope(engine) as session:
        assert services.journey_revision(session, slow_journey) >= 3  # created, stage, slow write, rename
    if engine.dialect.name == "postgresql":
        assert out["Shop offer seconds"] < HOLD / 3, "a write to another journey waited for the slow one"
        assert out["Clinic offer seconds"] > HOLD / 2, "a write to the same journey did not wait its turn"


WRITERS, JOURNEYS, SECONDS = 20, 4, 3.0


def _writer(engine, stage_id: int, step_id: int, until: float, out: dict, errors: list) -> None:
    names, pains = [], 0
    try:
        with session_scope(engine) as session:
            version = services.update_stage(session, stage_id=stage_id, name=f"{stage_id}.0", user=USER).version
            names.append(f"{stage_id}.0")
            while time.monotonic() < until:
                name = f"{stage_id}.{len(names)}"
                version = services.update_stage(session, stage_id=stage_id, name=name, version=version,
                                                user=USER).version
                names.append(name)
                services.add_pain_point(session, step_id=step_id, text=f"Pain {pains}", user=USER)
                pains += 1
    except Exception as error:  # noqa: BLE001 - every error that reaches a writer is reported
        errors.append(f"{stage_id}: {type(error).__name__}: {error}"[:300])
    out[stage_id] = (names, pains)


def test_twenty_writers_on_four_journeys_lose_nothing(engine):
    """20 writers, 5 on each of 4 journeys, as fast as they can: every save is kept, in order, and each
    journey's revision counts every save to it."""
    with session_scope(engine) as session:
        journeys = [services.create_journey(session, name=f"Journey {j}", user=USER).id for j in range(JOURNEYS)]
        places = []
        for i in range(WRITERS):
            stage = services.add_stage(session, journey_id=journeys[i % JOURNEYS], name=f"Stage {i}", user=USER)
            places.append((journeys[i % JOURNEYS], stage.id,
                           services.add_step(session, stage_id=stage.id, name=f"Step {i}", user=USER).id))
        before = {j: services.journey_revision(session, j) for j in journeys}
    out: dict = {}
    errors: list[str] = []
    until = time.monotonic() + SECONDS
    threads = [threading.Thread(target=_writer, args=(engine, stage, step, until, out, errors))
               for _, stage, step in places]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    elapsed = time.perf_counter() - began
    assert errors == []
    saves = {j: 0 for j in journeys}
    with session_scope(engine) as session:
        for journey, stage, step in places:
            names, pains = out[stage]
            saves[journey] += len(names) + pains
            tree_stage = next(s for s in services.load_journey_tree(session, journey).stages
                              if s.stage.id == stage)
            assert tree_stage.stage.name == names[-1]
            assert len(tree_stage.steps[0].pain_points) == pains
        after = {j: services.journey_revision(session, j) for j in journeys}
    assert {j: after[j] - before[j] for j in journeys} == saves
    print(f"\n{WRITERS} writers on {JOURNEYS} journeys, {engine.dialect.name}: "
          f"{sum(saves.values()) / elapsed:.0f} saves/s in threads of one process")


def test_a_refused_write_lets_the_next_one_in(engine):
    """A write refused half-way (here a stale version) gives its journey's turn back at once."""
    with session_scope(engine) as session:
        _, stage_id = _journey_with_a_stage(session, "Clinic")
    with session_scope(engine) as session:
        try:
            services.update_stage(session, stage_id=stage_id, name="Stale", version=99, user=USER)
        except ConflictError:
            pass
        else:
            raise AssertionError("a stale version was accepted")
        out: dict = {}  # the refused writer's session is still open
        other = threading.Thread(target=_timed_rename, args=(engine, stage_id, "Fresh", out))
        other.start()
        other.join(10)
    assert out["Fresh"].name == "Fresh" and out["Fresh seconds"] < 1.0
