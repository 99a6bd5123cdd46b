"""Processes killed half-way through a write leave a sound database.

tests/crash_worker.py imports a large workbook again and again, or edits a
journey again and again; the test starts one of each at the same time and
kills both with SIGKILL after random short delays, round after round (a
power cut of the app server, an OOM kill, a container stop). Afterwards the
database must pass SQLite's integrity check, hold only complete imported
journeys (all or nothing), hold every import a worker reported finished,
keep every change together with its history entry, and still open and
accept writes.
"""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlmodel import func, select

from cem.journey import services
from cem.core.db import dispose_engine, get_engine, migrate, session_scope, write_lock
from cem.journey.excel import export_journey, import_journey
from cem.core.models import ChangeLog, Idea, Journey, Measure, PainPoint, Stage, Step
from tests.conftest import USER

WORKER = Path(__file__).resolve().parent / "crash_worker.py"
OUT = Path(__file__).resolve().parent.parent / "bench" / "out"
KILLS = int(os.environ.get("CEM_CRASH_KILLS", "16"))
SHAPE = {"stages": 12, "steps": 12, "pains": 5, "measures": 3, "ideas": 2}  # per parent
EXPECTED = {  # rows of one complete journey of SHAPE
    "stages": 12, "steps": 12 * 12, "pains": 12 * 12 * 5, "measures": 12 * 12 * 5 * 3, "ideas": 12 * 12 * 2,
}


def _stamped(item):
    item.created_by = item.updated_by = USER
    return item


def build_big_journey(engine) -> int:
    """A 12 x 12 x 5 x 3 journey (and 2 ideas per sub-step), written in one transaction."""
    with write_lock(engine), session_scope(engine) as session:
        journey = _stamped(Journey(name="Big source journey"))
        session.add(journey)
        session.flush()
        stages = [_stamped(Stage(journey_id=journey.id, position=a, name=f"Stage {a}", phase="during"))
                  for a in range(1, SHAPE["stages"] + 1)]
        session.add_all(stages)
        session.flush()
        steps = [_stamped(Step(stage_id=stage.id, position=b, name=f"Step {stage.position}.{b}", touchpoint="Web",
                               emotion_now=-1, emotion_target=1, easy=2, convenient=3, fast=4, correct=5))
                 for stage in stages for b in range(1, SHAPE["steps"] + 1)]
        session.add_all(steps)
        session.flush()
        pains = [_stamped(PainPoint(step_id=step.id, position=c, text=f"Pain {step.name}.{c} " + "x" * 80,
                                    severity=1 + c % 5))
                 for step in steps for c in range(1, SHAPE["pains"] + 1)]
        session.add_all(pains)
        session.flush()
        session.add_all([_stamped(Measure(pain_point_id=pain.id, position=d, kind="fix",
                                          text=f"Measure {d} " + "y" * 60))
                         for pain in pains for d in range(1, SHAPE["measures"] + 1)])
        session.add_all([_stamped(Idea(step_id=step.id, position=e, text=f"Idea {e} for {step.name}"))
                         for step in steps for e in range(1, SHAPE["ideas"] + 1)])
        session.commit()
        return journey.id


def build_edit_journey(session) -> int:
    journey = services.create_journey(session, name="Edited while killed", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Use", user=USER)
    for b in range(3):
        step = services.add_step(session, stage_id=stage.id, name=f"Step {b}", user=USER)
        for c in range(3):
            services.add_pain_point(session, step_id=step.id, text=f"Pain {b}.{c}", user=USER)
    return journey.id


@dataclass
class Worker:
    mode: str
    process: subprocess.Popen
    stderr_path: Path
    lines: list[str] = field(default_factory=list)
    ready: threading.Event = field(default_factory=threading.Event)
    reader: threading.Thread | None = None

    def read(self) -> None:
        for raw in self.process.stdout:
            line = raw.decode().strip()
            self.lines.append(line)
            if line == "ready":
                self.ready.set()
        self.ready.set()  # ended before it was ready: the caller looks at why

    def killed_mid_write(self) -> bool:
        """Killed between the BEGIN of a write transaction and its COMMIT."""
        marks = [line for line in self.lines if line in ("W", "C")]
        return bool(marks) and marks[-1] == "W"


def start_worker(url: str, mode: str, target: str, tmp_path: Path, n: int) -> Worker:
    stderr_path = tmp_path / f"worker-{n}-{mode}.err"
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen([sys.executable, str(WORKER), url, mode, target], stdout=subprocess.PIPE,
                                   stderr=stderr, cwd=WORKER.parent.parent)
    worker = Worker(mode, process, stderr_path)
    worker.reader = threading.Thread(target=worker.read, daemon=True)
    worker.reader.start()
    return worker


def per_journey(session, query) -> Counter:
    return Counter(dict(session.exec(query).all()))


def journey_contents(session) -> dict[int, dict[str, int]]:
    """Rows under each journey, by level."""
    counts = {
        "stages": per_journey(session, select(Stage.journey_id, func.count()).group_by(Stage.journey_id)),
        "steps": per_journey(session, select(Stage.journey_id, func.count()).select_from(Step)
                             .join(Stage).group_by(Stage.journey_id)),
        "pains": per_journey(session, select(Stage.journey_id, func.count()).select_from(PainPoint)
                             .join(Step).join(Stage).group_by(Stage.journey_id)),
        "measures": per_journey(session, select(Stage.journey_id, func.count()).select_from(Measure)
                                .join(PainPoint).join(Step).join(Stage).group_by(Stage.journey_id)),
        "ideas": per_journey(session, select(Stage.journey_id, func.count()).select_from(Idea)
                             .join(Step).join(Stage).group_by(Stage.journey_id)),
    }
    ids = session.exec(select(Journey.id)).all()
    return {journey_id: {level: counts[level][journey_id] for level in counts} for journey_id in ids}


def sqlite_checks(url: str) -> tuple[str, list]:
    path = make_url(url).database
    connection = sqlite3.connect(path, timeout=30)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        foreign = connection.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        connection.close()
    return ",".join(row[0] for row in integrity), foreign


def test_killed_imports_and_edits_leave_a_sound_database(db_url, engine, tmp_path):
    """Killing the app in the middle of big Excel imports and edits never damages the database, never leaves half a journey, and loses nothing it had confirmed."""
    backend = engine.dialect.name
    source_id = build_big_journey(engine)
    with session_scope(engine) as session:
        workbook = tmp_path / "big.xlsx"
        workbook.write_bytes(export_journey(session, journey_id=source_id, lang="en"))
        edit_id = build_edit_journey(session)
        assert journey_contents(session)[source_id] == EXPECTED

    rng = random.Random(int(os.environ.get("CEM_CRASH_SEED", "2026")))
    began = time.monotonic()
    kills = mid_write = 0
    reported_imports: set[int] = set()
    edits_reported = 0
    n = 0
    while kills < KILLS:
        n += 1
        workers = []
        try:
            workers += [start_worker(db_url, "import", str(workbook), tmp_path, n),
                        start_worker(db_url, "edit", str(edit_id), tmp_path, n)]
            for worker in workers:
                assert worker.ready.wait(60), f"{worker.mode} worker never got ready"
            delays = {"import": rng.uniform(0.2, 3.5), "edit": rng.uniform(0.05, 1.5)}
            started = time.monotonic()
            for worker in sorted(workers, key=lambda w: delays[w.mode]):
                time.sleep(max(0.0, started + delays[worker.mode] - time.monotonic()))
                if worker.process.poll() is not None:
                    raise AssertionError(
                        f"{worker.mode} worker died by itself:\n{worker.stderr_path.read_text()[-3000:]}")
                worker.process.send_signal(signal.SIGKILL)
                kills += 1
            for worker in workers:
                assert worker.process.wait(30) == -signal.SIGKILL
                worker.reader.join(30)
                mid_write += worker.killed_mid_write()
                reported_imports |= {int(line.split()[1]) for line in worker.lines if line.startswith("imported ")}
                edits_reported += sum(line == "edited" for line in worker.lines)
        finally:  # never leave a worker behind when something above fails
            for worker in workers:
                if worker.process.poll() is None:
                    worker.process.kill()
                    worker.process.wait(30)
                worker.reader.join(30)
                worker.process.stdout.close()
    kill_seconds = time.monotonic() - began

    # ---- the database after the kills
    integrity = "n/a"
    if backend == "sqlite":
        integrity, foreign = sqlite_checks(db_url)
        assert integrity == "ok"
        assert foreign == []
    with session_scope(engine) as session:
        contents = journey_contents(session)
        imported = {journey_id for journey_id in contents if journey_id not in (source_id, edit_id)}
        # All or nothing: every journey in the database is complete.
        partial = {journey_id: found for journey_id, found in contents.items()
                   if journey_id in imported and found != EXPECTED}
        assert partial == {}, f"half-imported journeys: {partial}"
        # Every import a worker saw finish is there.
        assert reported_imports <= imported
        # Each imported journey has its one history entry, and no entry points to a journey that is not there.
        logged = set(session.exec(select(ChangeLog.item_id).where(
            ChangeLog.item_type == "journey", ChangeLog.action == "create", ChangeLog.journey_id != edit_id,
            ChangeLog.journey_id != source_id)))
        assert logged == imported
        # Every edit of the edited journey is there together with its history entry.
        pains = session.exec(select(PainPoint).join(Step).join(Stage).where(Stage.journey_id == edit_id)).all()
        updates = Counter(session.exec(select(ChangeLog.item_id).where(
            ChangeLog.journey_id == edit_id, ChangeLog.item_type == "painpoint", ChangeLog.action == "update")))
        assert {p.id: p.version - 1 for p in pains} == {p.id: updates[p.id] for p in pains}
        tree = services.load_journey_tree(session, edit_id)
        for item_type, rows in (("idea", {i.id for _, step in tree.all_steps() for i in step.ideas}),
                                ("measure", {m.id for _, step in tree.all_steps()
                                             for measures in step.measures.values() for m in measures})):
            created = session.exec(select(ChangeLog.item_id).where(
                ChangeLog.journey_id == edit_id, ChangeLog.item_type == item_type, ChangeLog.action == "create")).all()
            assert sorted(created) == sorted(rows), f"{item_type}s and their history entries differ"
        assert all(sorted(s.step.position for s in stage.steps) == list(range(1, len(stage.steps) + 1))
                   for stage in tree.stages)
        for _, step in tree.all_steps():
            assert [idea.position for idea in step.ideas] == list(range(1, len(step.ideas) + 1))

    # ---- it still opens, from scratch, and accepts writes
    dispose_engine(db_url)
    engine = get_engine(db_url)
    migrate(engine)
    with session_scope(engine) as session:
        again = import_journey(session, data=workbook.read_bytes(), user=USER, name="After the crashes")
        assert journey_contents(session)[again.id] == EXPECTED
        step_id = services.load_journey_tree(session, edit_id).stages[0].steps[0].step.id
        services.add_idea(session, step_id=step_id, text="Still works", user=USER)
    if backend == "sqlite":
        assert sqlite_checks(db_url) == ("ok", [])

    line = (f"crash {backend}: kills={kills}, imports_completed={len(imported)}, integrity={integrity}")
    print()
    print(line)
    print(f"  killed mid-write={mid_write}, imports reported by workers={len(reported_imports)}, "
          f"edits reported={edits_reported}, rounds={n}, kill phase {kill_seconds:.1f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "crash.txt", "a", encoding="utf-8") as report:
        report.write(line + "\n")
