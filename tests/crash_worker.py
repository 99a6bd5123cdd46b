"""A process for tests/test_crash.py to kill: it writes to a journey-map
database until it is killed.

    python tests/crash_worker.py URL import WORKBOOK.xlsx
        imports the workbook as a new journey, again and again
    python tests/crash_worker.py URL edit JOURNEY_ID
        edits that journey through the services, again and again

It prints, unbuffered, one line per event, so the test can tell where it
was when it was killed: "ready" once connected, "W" when a write
transaction begins, "C" when it commits, and "imported ID" / "edited"
after each finished import or edit.
"""
from __future__ import annotations

import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, text  # noqa: E402
from sqlmodel import select  # noqa: E402

from cem.journey import services  # noqa: E402
from cem.core.db import WRITE_OPTION, get_engine, session_scope  # noqa: E402
from cem.core.errors import ConflictError  # noqa: E402
from cem.journey.excel import import_journey  # noqa: E402
from cem.core.models import PainPoint, Stage, Step  # noqa: E402
from cem.journey.services import RowChanges  # noqa: E402

USER = "tester"


def say(line: str) -> None:
    os.write(1, (line + "\n").encode())


def watch(engine) -> None:
    def began(connection) -> None:
        if connection.get_execution_options().get(WRITE_OPTION):
            say("W")

    event.listen(engine, "begin", began)
    event.listen(engine, "commit", lambda connection: say("C"))


def run_imports(engine, workbook: Path) -> None:
    data = workbook.read_bytes()
    n = 0
    while True:
        n += 1
        with session_scope(engine) as session:
            journey = import_journey(session, data=data, user=USER, name=f"Crash import {os.getpid()}-{n}")
        say(f"imported {journey.id}")


def run_edits(engine, journey_id: int) -> None:
    rng = random.Random(os.getpid())
    n = 0
    while True:
        n += 1
        with session_scope(engine) as session:
            steps = list(session.exec(select(Step.id).join(Stage).where(Stage.journey_id == journey_id)))
            pains = list(session.exec(select(PainPoint.id, PainPoint.text, PainPoint.version)
                                      .join(Step).join(Stage).where(Stage.journey_id == journey_id)))
        step_id = rng.choice(steps)
        roll = rng.random()
        with session_scope(engine) as session:
            if roll < 0.4 and pains:
                pain_id, old_text, version = rng.choice(pains)
                new_text = f"Reset {os.getpid()}:{n}" if len(old_text) > 1500 else old_text + f"|{os.getpid()}:{n}"
                try:
                    services.update_pain_point(session, pain_point_id=pain_id, text=new_text, version=version,
                                               user=USER)
                except ConflictError:
                    pass
            elif roll < 0.6:
                services.add_idea(session, step_id=step_id, text=f"Idea {os.getpid()}:{n}", user=USER)
            elif roll < 0.8:
                added = [{"text": f"Grid idea {os.getpid()}:{n}.{i}"} for i in range(rng.randint(1, 4))]
                services.save_ideas(session, step_id=step_id, changes=RowChanges(added=added), user=USER)
            elif pains:
                services.add_measure(session, pain_point_id=rng.choice(pains)[0], text=f"Measure {n}", user=USER)
        say("edited")


def main(argv: list[str]) -> int:
    url, mode, target = argv
    engine = get_engine(url)
    watch(engine)
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    say("ready")
    if mode == "import":
        run_imports(engine, Path(target))
    elif mode == "edit":
        run_edits(engine, int(target))
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
