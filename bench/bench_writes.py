"""Write benchmark: saves per second and save latency with one writer, and
with 20 writers spread over 4 journeys, on SQLite and (when
TEST_DATABASE_URL or --postgresql names a server) on PostgreSQL.

Every writer is a thread in one of several processes, as people are spread
over several app replicas; each keeps renaming its own stage and adding pain
points to its own sub-step, as fast as it can. Writers on the same journey
contend for that journey; writers on different journeys should not.

    .venv/bin/python bench/bench_writes.py [--seconds 8] [--writers 20] [--journeys 4]
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cem.journey import services  # noqa: E402
from cem.core.db import get_engine, migrate, session_scope  # noqa: E402
from cem.core.errors import ConflictError  # noqa: E402
from cem.core.models import AppUser  # noqa: E402

PROCESSES = 4
USER = "bench"


def build(url: str, writers: int, journeys: int) -> list[tuple[int, int]]:
    """A lead account, `journeys` journeys, and per writer its own stage and
    sub-step (stage id, step id), writer i on journey i % journeys."""
    engine = get_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        session.add(AppUser(username=USER, display_name="Bench", role="lead", created_by="bench"))
        session.commit()
        journey_ids = [services.create_journey(session, name=f"Journey {j + 1}", user=USER).id
                       for j in range(journeys)]
        places = []
        for i in range(writers):
            stage = services.add_stage(session, journey_id=journey_ids[i % journeys], name=f"Stage {i}",
                                       phase="during", user=USER)
            step = services.add_step(session, stage_id=stage.id, name=f"Step {i}", user=USER)
            places.append((stage.id, step.id))
    return places


def _writer(url: str, stage_id: int, step_id: int, until: float, out: list) -> None:
    engine = get_engine(url)
    with session_scope(engine) as session:
        n = 0
        while time.monotonic() < until:
            began = time.perf_counter()
            try:
                if n % 2:
                    services.add_pain_point(session, step_id=step_id, text=f"Pain {n}", user=USER)
                else:
                    services.update_stage(session, stage_id=stage_id, name=f"Stage {stage_id}.{n}", user=USER)
            except ConflictError:  # not expected: each writer has its own rows
                out.append(("conflict", 0.0))
            else:
                out.append(("saved", (time.perf_counter() - began) * 1000))
            n += 1


def _process(url: str, places: list[tuple[int, int]], start_at: float, seconds: float, queue) -> None:
    results: list = []
    while time.monotonic() < start_at:
        time.sleep(0.005)
    threads = [threading.Thread(target=_writer, args=(url, stage, step, start_at + seconds, results))
               for stage, step in places]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(results)


def run(url: str, places: list[tuple[int, int]], seconds: float) -> tuple[float, float, float, int]:
    """Saves per second, save p50 and p95 in ms, and conflicts, for one
    writer per place, spread over PROCESSES processes."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    groups = [places[i::PROCESSES] for i in range(PROCESSES) if places[i::PROCESSES]]
    start_at = time.monotonic() + 3  # time for every process to import and connect
    processes = [context.Process(target=_process, args=(url, group, start_at, seconds, queue)) for group in groups]
    for process in processes:
        process.start()
    results = [item for _ in processes for item in queue.get()]
    for process in processes:
        process.join()
    saved = sorted(ms for outcome, ms in results if outcome == "saved")
    p95 = saved[min(len(saved) - 1, int(0.95 * len(saved)))] if saved else 0.0
    return len(saved) / seconds, statistics.median(saved) if saved else 0.0, p95, len(results) - len(saved)


def measure(backend: str, url: str, args: argparse.Namespace) -> None:
    places = build(url, args.writers, args.journeys)
    alone = run(url, places[:1], args.seconds)
    many = run(url, places, args.seconds)
    for label, (rate, p50, p95, conflicts) in (("1 writer", alone),
                                              (f"{args.writers} writers on {args.journeys} journeys", many)):
        print(f"writes {backend}: {label}: {rate:.0f} saves/s, save p50 {p50:.1f} ms, p95 {p95:.1f} ms"
              + (f", {conflicts} conflicts" if conflicts else ""))
    print(f"ratio writes {backend}: {many[0] / alone[0]:.2f} (saves/s with {args.writers} writers / 1 writer)",
          flush=True)
    print(f"ratio save_p95 {backend}: {many[2] / alone[2]:.2f} (p95 with {args.writers} writers / 1 writer)",
          flush=True)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Saves per second with 1 and with many writers.")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--journeys", type=int, default=4)
    parser.add_argument("--postgresql", default=os.environ.get("TEST_DATABASE_URL", ""),
                        help="a PostgreSQL server's URL (a role with CREATEDB); default TEST_DATABASE_URL")
    parser.add_argument("--backends", default="sqlite,postgresql")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    backends = args.backends.split(",")
    if "sqlite" in backends:
        with tempfile.TemporaryDirectory() as folder:
            measure("sqlite", f"sqlite:///{folder}/bench.db", args)
    if "postgresql" in backends:
        if not args.postgresql:
            print("writes postgresql: not measured (set TEST_DATABASE_URL to a PostgreSQL server)")
            return 0
        os.environ["TEST_DATABASE_URL"] = args.postgresql
        from tests.conftest import postgres_database
        with postgres_database() as url:
            measure("postgresql", url, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
