"""A fuzz of both importers (Excel journey import and backup restore) with a
fixed seed: every file is a small valid one with a few random changes. Each
is counted as accepted, refused saying where, refused without saying where
(a damaged zip, JSON that is no backup ...), a crash (any exception that is
not a CemError, or one whose message cannot be written in both languages: a
traceback for the user) or a hang (over the time limit).
There must be no crash and no hang. The counts are printed."""
from __future__ import annotations

import json
import random
import re
import time
import traceback
import warnings
import zipfile
from collections import Counter
from io import BytesIO

import pytest

from cem import backup
from cem.core import auth
from cem.improvement import plan
from cem.journey import excel, services
from cem.core.errors import CemError
from cem.core.i18n import LANGS, error_text

USER, ADMIN = "tester", "admin"
SEED = 20260801
FILES = 1000  # per importer
TIME_LIMIT = 3.0  # seconds per file
WHERE = {"sheet", "row", "column", "table", "key", "line", "position", "field", "after"}

HOSTILE_TEXT = ["", " ", "=1+1", "x;=1+1", "_xD800_", "_x0000_", "a&#x1;b", "\u202e", "😀", "ไทย", "x" * 3000,
                "2026-13", "garbage", "abc", "0", "999", "-1", "1e400", "nan", "NaN", "#DIV/0!", "<b>", "</c>", "&amp;",
                "\ud800", "\x00", "30,20,10", "2026-01"]
HOSTILE_NUMBERS = [0, -1, 1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30, 1.5, -0.0, 1e308, True, False]
HOSTILE_CELLS = [
    '<c r="{r}" t="n"><v>abc</v></c>', '<c r="{r}" t="s"><v>999</v></c>', '<c r="{r}" t="s"><v>-1</v></c>',
    '<c r="{r}" t="b"><v>7</v></c>', '<c r="{r}" t="e"><v>#REF!</v></c>', '<c r="{r}" t="d"><v>2026-02-30</v></c>',
    '<c r="{r}" t="inlineStr"><is><r><t>a</t></r><r><t>=b</t></r></is></c>', '<c r="{r}" t="inlineStr"/>',
    '<c r="{r}" s="99999"><v>1</v></c>', '<c r="{r}" s="x"><v>1</v></c>', '<c r="{r}"><f>1/0</f></c>',
    '<c r="{r}"><f t="shared" si="9"/><v>3</v></c>', '<c r="{r}"><v>1e999</v></c>', '<c r="{r}"><v>-1e999</v></c>',
    '<c r="{r}"><v>123456789012345678901234567890</v></c>', '<c r="{r}" t="str"><v>_xD800_</v></c>',
    '<c r="{r}" t="x"><v>1</v></c>', '<c r="XFE1048577"><v>1</v></c>', '<c r="{r}"><v><v>1</v></v></c>',
    '<c r="{r}" t="str"><v>{text}</v></c>', '<c r="{r}"><v>{number}</v></c>',
]


def classify(run) -> tuple[str, str]:
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            run()
        outcome, detail = "accepted", ""
    except CemError as error:
        try:  # what the person reads must be writable too
            [error_text(error, lang) for lang in LANGS]
        except Exception:  # noqa: BLE001
            return "crash", traceback.format_exc(limit=-3)
        located = WHERE & set(error.params) or any(WHERE & set(e.params) for e in getattr(error, "errors", []))
        outcome, detail = ("located" if located else "unlocated"), error.code
    except Exception:  # noqa: BLE001 - what the fuzz is looking for
        outcome, detail = "crash", traceback.format_exc(limit=-3)
    if time.perf_counter() - start > TIME_LIMIT:
        outcome = "hang"
    return outcome, detail


def report(name: str, counts: Counter, details: dict[str, Counter], crashes: list[str], seconds: float) -> None:
    print(f"\n{name}: {sum(counts.values())} files in {seconds:.1f} s: " +
          ", ".join(f"{counts[k]} {k}" for k in ("accepted", "located", "unlocated", "crash", "hang")))
    print(f"  unlocated refusals: {dict(details['unlocated'].most_common())}")
    for crash in crashes[:3]:
        print("  crash:", crash)


# ---------------------------------------------------------------- Excel


def excel_seed(session) -> bytes:
    journey = services.create_journey(session, name="Fuzz", description="seed", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Visit", phase="before", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="Queue", emotion_now=-1, easy=3, user=USER)
    pain = services.add_pain_point(session, step_id=step.id, text="Long wait", severity=4, user=USER)
    services.add_measure(session, pain_point_id=pain.id, text="Tickets", user=USER)
    services.add_idea(session, step_id=step.id, text="SMS", user=USER)
    return excel.export_journey(session, journey_id=journey.id, lang="en")


def mutate_xml(rng: random.Random, xml: str) -> str:
    cells = list(re.finditer(r'<c r="([A-Z]+[0-9]+)"[^>]*?(/>|>.*?</c>)', xml))
    choice = rng.random()
    if cells and choice < 0.6:
        cell = rng.choice(cells)
        new = rng.choice(HOSTILE_CELLS).replace("{r}", cell.group(1))
        new = new.replace("{text}", rng.choice(HOSTILE_TEXT).replace("&", "&amp;").replace("<", "&lt;"))
        new = new.replace("{number}", str(rng.choice(HOSTILE_NUMBERS)))
        return xml[:cell.start()] + new + xml[cell.end():]
    if choice < 0.75:  # a row number
        return re.sub(r'<row r="\d+"', lambda m: f'<row r="{rng.choice(["0", "x", "-3", "1048577", "2.5", "99"])}"',
                      xml, count=rng.randint(1, 3))
    if choice < 0.9:  # cut out a piece
        i = rng.randrange(len(xml))
        return xml[:i] + xml[i + rng.randint(1, 40):]
    i = rng.randrange(len(xml))
    return xml[:i] + chr(rng.randrange(32, 127)) + xml[i + 1:]


def mutate_workbook(rng: random.Random, data: bytes) -> bytes:
    choice = rng.random()
    if choice < 0.15:  # damage the zip itself
        raw = bytearray(data)
        for _ in range(rng.randint(1, 3)):
            raw[rng.randrange(len(raw))] = rng.randrange(256)
        return bytes(raw)
    if choice < 0.2:
        return data[:rng.randrange(len(data))]
    source = zipfile.ZipFile(BytesIO(data))
    names = [i.filename for i in source.infolist()]
    sheets = [n for n in names if n.startswith("xl/worksheets/")]
    target = rng.choice(sheets) if rng.random() < 0.85 else rng.choice(names)
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            content = source.read(name)
            if name == target:
                text = content.decode("utf-8", "replace")
                for _ in range(rng.randint(1, 3)):
                    text = mutate_xml(rng, text)
                content = text.encode("utf-8", "surrogatepass")
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.timeout(300)
def test_fuzz_excel_import(session, capsys):
    rng = random.Random(SEED)
    seed = excel_seed(session)
    counts, details, crashes = Counter(), {"unlocated": Counter()}, []
    start = time.perf_counter()
    for n in range(FILES):
        data = mutate_workbook(rng, seed)
        outcome, detail = classify(lambda: excel.import_journey(session, data=data, user=USER))
        counts[outcome] += 1
        if outcome == "unlocated":
            details["unlocated"][detail] += 1
        if outcome in ("crash", "hang"):
            crashes.append(f"file {n}: {detail}")
    with capsys.disabled():
        report("Excel import fuzz", counts, details, crashes, time.perf_counter() - start)
    assert counts["crash"] == 0 and counts["hang"] == 0, crashes[:3]
    assert counts["accepted"] and counts["located"]


# ---------------------------------------------------------------- backup


def backup_seed(session) -> dict:
    journey = services.create_journey(session, name="Fuzz", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Visit", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="Queue", user=USER)
    services.add_pain_point(session, step_id=step.id, text="Long wait", user=USER)
    task = plan.create_task(session, step_id=step.id, title="Call", start_month="2026-01", due_month="2026-02",
                            user=USER)
    plan.record_check_in(session, task_id=task.id, month="2026-01", progress=10, user=USER)
    auth.create_user(session, username="somchai", password="long enough 1", role="editor", user=ADMIN)
    return json.loads(backup.export_backup(session, user=ADMIN))


HOSTILE_VALUES = HOSTILE_TEXT + HOSTILE_NUMBERS + [None, [], {}, [1, [2]], {"a": None}, "2026-01-01T00:00:00",
                                                  "9999-12-31T23:59:59+14:00", "0001-01-01", "2026-02-30"]


def mutate_backup(rng: random.Random, document: dict) -> bytes:
    doc = json.loads(json.dumps(document))
    choice = rng.random()
    tables = doc["tables"]
    filled = [name for name, part in tables.items() if part["rows"]]
    if choice < 0.6:
        for _ in range(rng.randint(1, 2)):
            part = tables[rng.choice(filled)]
            row = rng.choice(part["rows"])
            row[rng.randrange(len(row))] = rng.choice(HOSTILE_VALUES)
    elif choice < 0.7:
        part = tables[rng.choice(filled)]
        part[rng.choice(["columns", "rows"])] = rng.choice(HOSTILE_VALUES)
    elif choice < 0.75:
        doc[rng.choice(list(doc))] = rng.choice(HOSTILE_VALUES)
    elif choice < 0.8:
        part = tables[rng.choice(filled)]
        part["rows"].append(list(rng.choice(part["rows"])))  # a row twice
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    if choice >= 0.8:  # damage the text
        i = rng.randrange(len(text))
        cut = rng.random()
        if cut < 0.3:
            text = text[:i]
        elif cut < 0.6:
            text = text[:i] + rng.choice(['"', "{", "]", ",", "\\", '"tables": 1, ', "\\ud800", "1e999"]) + text[i:]
        else:
            text = text.replace('"format"', '"format": 1, "format"', 1)
    return text.encode("utf-8", "surrogatepass") if rng.random() < 0.95 else text.encode("utf-16")


@pytest.mark.timeout(300)
def test_fuzz_backup_restore(session, capsys):
    rng = random.Random(SEED)
    seed = backup_seed(session)
    counts, details, crashes = Counter(), {"unlocated": Counter()}, []
    start = time.perf_counter()
    for n in range(FILES):
        data = mutate_backup(rng, seed)
        outcome, detail = classify(lambda: backup.restore_backup(session, data=data, user=ADMIN))
        counts[outcome] += 1
        if outcome == "unlocated":
            details["unlocated"][detail] += 1
        if outcome in ("crash", "hang"):
            crashes.append(f"file {n}: {detail}")
    with capsys.disabled():
        report("Backup restore fuzz", counts, details, crashes, time.perf_counter() - start)
    assert counts["crash"] == 0 and counts["hang"] == 0, crashes[:3]
    assert counts["accepted"] and counts["located"]
