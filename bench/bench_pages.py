"""Rerun time of every page on a large journey against a small one.

Builds two SQLite databases in a temporary folder: SMALL, one journey about
the size of the sample (7 stages, 7 sub-steps), and LARGE, one journey of
12 stages x 12 sub-steps x 5 pain points x 3 measures plus 2 ideas per
sub-step. For each page and each database it opens the app with
streamlit.testing.v1.AppTest, goes to the page, warms up, then times `--runs`
reruns (`at.run()`) and takes the median. Small and large reruns alternate,
so a machine that gets busier halfway through slows both alike.

    .venv/bin/python bench/bench_pages.py [--runs N] [--pages board,excel] [--strict]

Prints `page <page>: small <ms> ms, large <ms> ms`, `ratio <page>: <x.xx>`
per page and a last line `target met: yes|no` (every ratio at most 2.0).
Exits 0 either way, 1 with --strict when the target is missed, 2 when a page
fails or does not show the journey it should.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from cem.core import config, i18n  # noqa: E402
from cem.journey import excel, services  # noqa: E402
from cem.core.db import dispose_engine, get_engine, migrate, session_scope  # noqa: E402
from cem.core import months  # noqa: E402
from cem.core.models import (  # noqa: E402
    AppUser, Bill, BillImport, CheckIn, Commitment, Complaint, Customer, Feedback, Idea, Journey, Measure, PainPoint, Person,
    Stage, Step, Task,
)
from sqlalchemy import insert, select, update  # noqa: E402
from cem.journey.templates import GENERAL_LIFE_CYCLE  # noqa: E402
from cem.core.text import escape_markdown  # noqa: E402

APP = str(ROOT / "app.py")
PAGES = ("journeys", "map_editor", "board", "tasks", "monthly", "meetings", "people", "executive", "cycle",
         "insights", "activity", "excel", "admin", "pareto", "vip", "profile", "complaints", "bills", "priorities",
         "measures", "voice", "knowledge")
# Pages whose title key is not page.<file name>.
TITLE_KEYS = {"pareto": "page.customers_pareto", "vip": "page.customers_vip", "profile": "page.customers_profile",
              "complaints": "page.customers_complaints", "bills": "page.customers_import",
              "priorities": "page.priorities", "measures": "page.measures", "voice": "page.voice",
              "knowledge": "page.knowledge"}
CUSTOMERS_PER_STEP, BILL_MONTHS = 10, 24  # billing data: 1,440 customers and 34,560 bills on the large journey
TARGET = 2.0
FLOOR_TARGET = 3.0  # a page's large rerun against the app shell's
CHANGED_FLOOR_TARGET = 10.0  # the same right after a change
DEFAULT_RUNS = 9
EMPTY_PAGE = "bench/empty_page.py"  # the app shell alone: see with_empty_page
WARM_UP_RERUNS = 2
TIMEOUT_S = 120
LANG = "th"
USER = "bench"


class BenchError(Exception):
    """A page raised, or did not show the journey it should."""


# ---------------------------------------------------------------- test data

EXTRA_STAGES = [  # after the seven stages of the general life cycle
    ("during", "ชำระเงินและออกใบเสร็จ", "ลูกค้าชำระค่าบริการและได้รับใบเสร็จ"),
    ("during", "ปรับเปลี่ยนแพ็กเกจ", "ลูกค้าขอเพิ่มหรือลดความเร็ว และเปลี่ยนโปรโมชัน"),
    ("during", "ย้ายที่อยู่ติดตั้ง", "ลูกค้าย้ายบ้านและขอย้ายจุดติดตั้ง"),
    ("after", "ติดตามผลหลังให้บริการ", "สอบถามความพึงพอใจหลังได้รับบริการ"),
    ("after", "แนะนำบริการเสริม", "เสนอบริการเสริมที่เหมาะกับการใช้งานของลูกค้า"),
]
ACTIONS = ["ค้นหาข้อมูล", "สอบถาม", "สมัคร", "ยืนยันตัวตนสำหรับ", "นัดหมาย", "ชำระค่า", "ติดตามสถานะ",
           "แจ้งปัญหา", "ขอเปลี่ยน", "ประเมินความพึงพอใจต่อ", "รับเอกสาร", "ยกเลิก"]
OBJECTS = ["แพ็กเกจอินเทอร์เน็ตบ้าน", "การติดตั้งสัญญาณ", "ใบแจ้งหนี้รายเดือน", "เราเตอร์ Wi-Fi",
           "โปรโมชันส่วนลด", "บริการกล่องทีวี", "สัญญาบริการ 12 เดือน", "การซ่อมบำรุง"]
TOUCHPOINTS = ["เว็บไซต์", "แอปมือถือ", "Call center 1500", "LINE Official", "สาขา", "หน้าบ้านลูกค้า",
               "อีเมล", "SMS", "ตัวแทนขาย"]
PROBLEMS = ["รอสายนานเกิน 10 นาที", "ข้อมูลบนเว็บไซต์ไม่ตรงกับที่พนักงานแจ้ง", "ต้องกรอกข้อมูลซ้ำหลายครั้ง",
            "ช่างมาไม่ตรงเวลานัด และไม่แจ้งล่วงหน้า", "ใบแจ้งหนี้มาช้า ทำให้จ่ายเกินกำหนด",
            "ต้องเล่าปัญหาซ้ำทุกครั้งที่โอนสาย", "เงื่อนไขโปรโมชันเข้าใจยาก (มีดอกจันหลายจุด)",
            "แอปค้างระหว่างชำระเงิน", "ไม่รู้ว่าคำขออยู่ขั้นตอนไหน", "ต้องเดินทางไปสาขาด้วยตนเอง",
            "ค่าบริการเพิ่มขึ้นโดยไม่ได้แจ้ง", "สัญญาณหลุดบ่อยช่วงหัวค่ำ"]
CONSEQUENCES = ["ลูกค้าเสียเวลาและหงุดหงิด", "ลูกค้าไม่มั่นใจในบริการ", "ลูกค้าโทรกลับมาซ้ำ",
                "ลูกค้าบ่นในโซเชียลมีเดีย", "ลูกค้าคิดจะเปลี่ยนผู้ให้บริการ"]
PREVENTIONS = ["ส่ง SMS ยืนยันเวลานัดหนึ่งวันก่อน", "ทำตารางเปรียบเทียบแพ็กเกจหน้าเดียว",
               "บันทึกประวัติการติดต่อให้ทุกคนเห็น", "ตรวจสัญญาณจากระยะไกลทุกคืน",
               "ดึงข้อมูลลูกค้าจากบัตรประชาชนอัตโนมัติ", "แจ้งเตือนก่อนครบกำหนดชำระ 3 วัน"]
FIXES = ["เพิ่มพนักงานช่วงเวลาเร่งด่วน", "หัวหน้าช่างโทรขอโทษและนัดใหม่ภายในวัน",
         "เจ้าหน้าที่คนเดียวดูแลจนจบเรื่อง", "คืนเงินส่วนต่างในรอบบิลถัดไป", "ส่งสถานะงานซ่อมทาง LINE",
         "ให้ยกเลิกหรือเปลี่ยนแพ็กเกจผ่านแอปได้"]
IDEAS = ["ติดตามตำแหน่งช่างแบบเรียลไทม์", "แชตถามตอบทันทีบนหน้าแพ็กเกจ", "ชุดต้อนรับพร้อมคู่มือภาษาไทย",
         "ระบบโทรกลับอัตโนมัติเมื่อสายไม่ว่าง", "คะแนนสะสมแลกส่วนลดค่าบริการ",
         "ผู้ช่วยอัจฉริยะวิเคราะห์ปัญหาสัญญาณด้วยตนเอง", "นัดหมายช่างผ่าน LINE ได้ใน 3 คลิก"]


@dataclass(frozen=True)
class Shape:
    """How big a journey to build."""

    name: str
    stages: int
    steps: int  # per stage
    pains: int  # per sub-step
    measures: int  # per pain point
    ideas: int  # per sub-step


SMALL = Shape("small", stages=7, steps=1, pains=1, measures=2, ideas=1)
LARGE = Shape("large", stages=12, steps=12, pains=5, measures=3, ideas=2)
HUGE = Shape("8x", stages=12, steps=96, pains=5, measures=3, ideas=2)  # 8x LARGE: 5,760 tasks
GROWTH_PAGES = ("board", "executive", "tasks", "monthly")
GROWTH_TARGET, GROWTH_CHANGED_TARGET = 2.0, 4.0
IMPORT_TARGET = 5.0  # the whole Excel import of the large journey against calamine reading its cells


@dataclass
class BenchDb:
    shape: Shape
    url: str
    journey_id: int
    journey_name: str
    stages: int
    steps: int
    pains: int
    open_pains: int
    measures: int
    ideas: int
    tasks: int
    build_s: float


def _stamped(item):
    item.created_by = item.updated_by = USER
    return item


def build_database(path: Path, shape: Shape, seed: int = 2026) -> BenchDb:
    """A migrated SQLite database holding one journey of `shape`, written
    level by level: one add_all and one commit per table."""
    started = time.perf_counter()
    url = f"sqlite:///{path}"
    engine = get_engine(url)
    migrate(engine)
    rng = random.Random(seed)
    stage_rows = [(phase, name, desc) for phase, name, desc, _, _ in GENERAL_LIFE_CYCLE] + EXTRA_STAGES
    name = f"เบนช์มาร์ก ({shape.name}): บริการอินเทอร์เน็ตบ้าน"
    with session_scope(engine) as session:
        session.add(AppUser(username=USER, display_name="Benchmark", role="admin", created_by=USER))
        journey = _stamped(Journey(name=name, description="แผนที่สำหรับวัดความเร็วของหน้าเว็บ"))
        session.add(journey)
        session.commit()

        stages = [_stamped(Stage(journey_id=journey.id, position=i + 1, phase=phase, name=stage_name,
                                 description=desc))
                  for i, (phase, stage_name, desc) in enumerate(stage_rows[:shape.stages])]
        session.add_all(stages)
        session.commit()

        steps = []
        for stage in stages:
            for position in range(1, shape.steps + 1):
                now = rng.randint(-2, 2)
                steps.append(_stamped(Step(
                    stage_id=stage.id, position=position,
                    name=f"{rng.choice(ACTIONS)}{rng.choice(OBJECTS)}", touchpoint=rng.choice(TOUCHPOINTS),
                    emotion_now=now, emotion_target=rng.randint(max(now, 0), 2),
                    easy=rng.randint(1, 5), convenient=rng.randint(1, 5), fast=rng.randint(1, 5),
                    correct=rng.randint(1, 5))))
        session.add_all(steps)
        session.commit()

        pains = [_stamped(PainPoint(step_id=step.id, position=position,
                                    text=f"{rng.choice(PROBLEMS)} {rng.choice(CONSEQUENCES)}",
                                    severity=rng.randint(1, 5),
                                    status="resolved" if rng.random() < 0.2 else "open"))
                 for step in steps for position in range(1, shape.pains + 1)]
        session.add_all(pains)
        session.commit()

        measures = []
        for pain in pains:
            for position in range(1, shape.measures + 1):
                kind = rng.choice(("prevention", "fix"))
                text = rng.choice(PREVENTIONS if kind == "prevention" else FIXES)
                measures.append(_stamped(Measure(pain_point_id=pain.id, position=position, kind=kind, text=text)))
        session.add_all(measures)

        ideas = [_stamped(Idea(step_id=step.id, position=position, text=rng.choice(IDEAS)))
                 for step in steps for position in range(1, shape.ideas + 1)]
        session.add_all(ideas)
        session.commit()
        tasks = _build_plan(session, rng, journey.id, pains, measures, shape)
        _build_bills(session, rng, CUSTOMERS_PER_STEP * len(steps))
        _build_complaints(session, rng, journey.id, steps, pains)
        _build_feedback(session, rng, journey.id, stages, steps, pains)
        journey_id = journey.id
    return BenchDb(shape=shape, url=url, journey_id=journey_id, journey_name=name, stages=len(stages),
                   steps=len(steps), pains=len(pains), open_pains=sum(p.status == "open" for p in pains),
                   measures=len(measures), ideas=len(ideas), tasks=tasks, build_s=time.perf_counter() - started)


DEPARTMENTS = ["ศูนย์บริการลูกค้า", "ฝ่ายช่าง", "ฝ่ายขาย", "บัญชีและการเงิน", "ไอที", "การตลาด"]
PLAN_MONTHS = 36  # three years of monthly commitments and check-ins


def _build_bills(session, rng: random.Random, customers: int) -> None:
    """`customers` customers with a skewed spread of monthly bills over BILL_MONTHS months, in one import."""
    batch = _stamped(BillImport(file_name="bench.xlsx"))
    session.add(batch)
    session.flush()
    now = datetime.now(timezone.utc)
    audit = {"created_at": now, "updated_at": now, "created_by": USER, "updated_by": USER, "version": 1}
    session.execute(insert(Customer), [{**audit, "code": f"B{n:06d}", "name": f"ลูกค้าเบนช์ {n}", "kind": "organisation",
                                        "segment": ("องค์กร", "SME", "บุคคล")[n % 3], "notes": ""}
                                       for n in range(1, customers + 1)])
    ids = session.execute(select(Customer.id).order_by(Customer.id)).scalars().all()
    first = date(2024, 12, 1)
    bills = []
    for customer_id in ids:
        weight = rng.paretovariate(1.8)
        for month in range(BILL_MONTHS):
            day = date(first.year + (first.month + month - 1) // 12, (first.month + month - 1) % 12 + 1, 15)
            bills.append({"import_id": batch.id, "customer_id": customer_id, "day": day,
                          "amount_satang": int(59_000 * weight), "number": "", "service": "อินเทอร์เน็ต",
                          "quantity": None, "key": f"b:{customer_id}:{month}"})
    session.execute(insert(Bill), bills)
    session.commit()


def _build_complaints(session, rng: random.Random, journey_id: int, steps: list, pains: list) -> None:
    """Two complaints per sub-step from customers with bills (one tied to a
    pain point), a fifth of them resolved, and the top tenth of customers
    marked VIP: the board, heat maps and executive page show revenue at risk."""
    customers = session.execute(select(Customer.id).order_by(Customer.id)).scalars().all()
    session.execute(update(Customer).where(Customer.id.in_(customers[:max(1, len(customers) // 10)]))
                    .values(vip=True))
    by_step = {}
    for pain in pains:
        by_step.setdefault(pain.step_id, pain.id)
    received = date(2026, 10, 1)
    session.add_all([_stamped(Complaint(
        customer_id=rng.choice(customers), received=received, channel="phone", text=rng.choice(PROBLEMS),
        severity=rng.randint(1, 5), journey_id=journey_id, step_id=step.id,
        pain_point_id=by_step.get(step.id) if n == 0 else None, status="resolved" if rng.random() < 0.2 else "open",
        resolution="", due=received)) for step in steps for n in range(2)])
    session.commit()


FEEDBACK_PER_STEP = 6


def _build_feedback(session, rng: random.Random, journey_id: int, stages: list, steps: list, pains: list) -> None:
    """Survey answers at every sub-step over the last year, in customers' words
    and with NPS and CSAT; one per sub-step is evidence for its first pain point."""
    stage_of = {step.id: step.stage_id for step in steps}
    first_pain = {}
    for pain in pains:
        first_pain.setdefault(pain.step_id, pain.id)
    today = date.today()
    session.add_all([_stamped(Feedback(
        kind="survey", sentiment="neutral", channel="Google Forms", received=today - timedelta(days=rng.randint(0, 360)),
        journey_id=journey_id, stage_id=stage_of[step.id], step_id=step.id,
        text=f"{rng.choice(PROBLEMS)} {rng.choice(CONSEQUENCES)}", nps=rng.randint(0, 10), csat=rng.randint(1, 5),
        pain_point_id=first_pain.get(step.id) if n == 0 else None)) for step in steps for n in range(FEEDBACK_PER_STEP)])
    session.commit()


def _build_plan(session, rng: random.Random, journey_id: int, pains: list, measures: list, shape: Shape) -> int:
    """People, one task per pain point (from its first measure), and for
    every month of the last three years in each task's span a commitment and
    a cumulative check-in."""
    people = [_stamped(Person(name=f"พนักงาน {n + 1}", department=DEPARTMENTS[n % len(DEPARTMENTS)],
                              phone=f"08{n:08d}")) for n in range(18)]
    session.add_all(people)
    session.commit()
    last = months.this_month()
    first = months.add(last, -(PLAN_MONTHS - 1))
    first_measure = {}
    for measure in measures:
        first_measure.setdefault(measure.pain_point_id, measure)
    pain_step = {pain.id: pain.step_id for pain in pains}
    tasks = []
    for pain_id, measure in first_measure.items():
        start = months.add(first, rng.randint(0, PLAN_MONTHS - 6))
        tasks.append(_stamped(Task(journey_id=journey_id, step_id=pain_step[pain_id], measure_id=measure.id,
                                   title=measure.text, owner_id=rng.choice(people).id, start_month=start,
                                   due_month=months.add(start, rng.randint(6, 24)), status="in_progress")))
    session.add_all(tasks)
    session.commit()
    rows = []
    for task in tasks:
        progress = 0
        for month in months.between(task.start_month, min(task.due_month, last)):
            tier = rng.choice((30, 20, 10))
            progress = min(100, max(0, progress + rng.randint(-3, 15)))
            rows.append(_stamped(Commitment(task_id=task.id, month=month, tier=tier)))
            rows.append(_stamped(CheckIn(task_id=task.id, month=month, progress=progress, note="")))
            if progress >= 100:
                task.status = "done"
                break
    session.add_all(rows)
    session.commit()
    return len(tasks)


# ---------------------------------------------------------------- running the app


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables, and put the old values back afterwards."""
    old = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def use_database(db: BenchDb) -> None:
    os.environ["DATABASE_URL"] = db.url
    if config.database_url() != db.url:  # pragma: no cover - a guard against config changes
        raise BenchError(f"the app would open {config.database_url()}, not {db.url}")


def checked_run(at: AppTest, db: BenchDb, page: str) -> float:
    """One rerun against `db`; its wall time in seconds."""
    use_database(db)
    started = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - started
    if at.exception:
        raise BenchError(f"page {page} ({db.shape.name}) raised: "
                         + "\n".join(str(e.value) for e in at.exception))
    return elapsed


_real_navigation = st.navigation


def with_empty_page(pages, **kwargs):
    """st.navigation as app.py calls it, with the benchmark's empty page
    added to the menu (the app itself is not changed)."""
    pages = {section: list(items) for section, items in pages.items()}
    pages.setdefault("", []).append(st.Page(str(ROOT / EMPTY_PAGE), title="—", url_path="bench_empty"))
    return _real_navigation(pages, **kwargs)


def page_file(page: str) -> str:
    """pages/<part>/<page>.py, relative to the app."""
    return str(next((ROOT / "pages").rglob(f"{page}.py")).relative_to(ROOT))


def open_page(page: str, db: BenchDb) -> AppTest:
    """The app on `page` (None: the empty page) against `db`, warmed up and checked."""
    use_database(db)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    at.query_params["lang"] = LANG
    at.session_state["auth_user"] = USER  # signed in as the benchmark's administrator
    checked_run(at, db, page or "shell")
    use_database(db)
    at.switch_page(EMPTY_PAGE if page is None else page_file(page))
    for _ in range(1 + WARM_UP_RERUNS):
        checked_run(at, db, page or "shell")
    if page is not None:
        check_page(at, page, db)
    return at


def change_something(db: BenchDb, n: int) -> None:
    """A small edit of the journey by someone else, so that every cache
    keyed by the journey's revision misses on the next rerun."""
    with session_scope(get_engine(db.url)) as session:
        journey = services.get_journey(session, db.journey_id)
        services.update_journey(session, journey_id=db.journey_id, name=journey.name,
                                description=f"แผนที่สำหรับวัดความเร็วของหน้าเว็บ ({n})", user=USER)
        # and one more bill, imported, so that the customers' pages miss their cache too
        batch = _stamped(BillImport(file_name=f"change {n}.xlsx", bills_added=1))
        session.add(batch)
        session.flush()
        customer = session.execute(select(Customer.id)).scalars().first()
        session.execute(insert(Bill).values(import_id=batch.id, customer_id=customer, day=date(2026, 11, 1),
                                            amount_satang=100, number="", service="", key=f"change:{time.time_ns()}"))
        session.commit()


def _fail(page: str, db: BenchDb, what: str) -> None:
    raise BenchError(f"page {page} ({db.shape.name}): {what}")


def check_page(at: AppTest, page: str, db: BenchDb) -> None:
    """The page shows the benchmark journey, in full, without an error."""
    title = i18n.t(TITLE_KEYS.get(page, f"page.{page}"), LANG)
    if not at.title or at.title[0].value != title:
        _fail(page, db, f"expected the title {title!r}, got {[e.value for e in at.title]}")
    if at.error:
        _fail(page, db, "shows an error: " + "; ".join(e.value for e in at.error))
    pickers = [s for s in at.selectbox if (s.key or "").startswith("ui_journey_id_pick_")]
    if not pickers or pickers[0].value != db.journey_id:
        _fail(page, db, f"the sidebar does not show journey {db.journey_id}")

    if page == "journeys":
        counts = i18n.t("journeys.counts", LANG, stages=db.stages, steps=db.steps, pains=db.open_pains)
        if counts not in [c.value for c in at.caption]:
            _fail(page, db, f"no caption {counts!r}")
    elif page == "board":
        # One keyed container per sub-step card today; count the cards'
        # "**<stage>.<step> " labels too, so the check survives a board that
        # puts a stage's cards into one Markdown block.
        containers = sum(1 for n in at.main if (getattr(n, "key", None) or "").startswith("board_step_"))
        text = "\n".join(m.value for m in at.markdown)
        labels = sum(f"**{stage}.{step} " in text for stage in range(1, db.stages + 1)
                     for step in range(1, db.shape.steps + 1))
        if max(containers, labels) != db.steps:
            _fail(page, db, f"{containers} sub-step cards and {labels} card labels, expected {db.steps}")
    elif page == "cycle":
        metrics = {m.label: m.value for m in at.metric}
        expected = {i18n.t("cycle.stages", LANG): str(db.stages), i18n.t("cycle.steps", LANG): str(db.steps)}
        if any(metrics.get(label) != value for label, value in expected.items()):
            _fail(page, db, f"metrics {metrics}, expected {expected}")
    elif page == "insights":
        charts = at.get("plotly_chart")
        if len(charts) != 4:
            _fail(page, db, f"{len(charts)} charts, expected 4 (with revenue at risk)")
        points = len(json.loads(charts[0].proto.spec)["data"][0]["x"])
        if points != db.steps:
            _fail(page, db, f"emotion curve has {points} points, expected {db.steps}")
    elif page == "map_editor":
        if not at.data_editor or len(at.data_editor[0].value) != db.stages:
            _fail(page, db, f"the stage grid does not have {db.stages} rows")
    elif page == "excel":
        label = i18n.t("excel_page.download", LANG, name=escape_markdown(db.journey_name))
        if label not in [b.proto.label for b in at.get("download_button")]:
            _fail(page, db, f"no download button {label!r}")
    elif page == "pareto":
        if len(at.metric) != 4 or len(at.get("plotly_chart")) != 2 or len(at.dataframe) != 2:
            _fail(page, db, "expected 4 KPI cards, 2 charts and 2 tables of the 20:80 analysis")
    elif page == "vip":
        if len(at.metric) != 3:
            _fail(page, db, "expected the 3 cards of the two periods compared")
    elif page == "profile":
        if not at.header:
            _fail(page, db, "no customer shown")
    elif page == "complaints":
        if not at.dataframe:
            _fail(page, db, "no list of complaints")
    elif page == "priorities":
        if not at.data_editor or len(at.data_editor[0].value) != db.open_pains + db.ideas:
            _fail(page, db, f"the matrix's table does not have {db.open_pains + db.ideas} rows")
    elif page == "measures":
        if len(at.subheader) < 4 or not at.dataframe:
            _fail(page, db, "expected the four levels with their tables of measures")
    elif page == "voice":
        if len(at.metric) != 4 or not at.dataframe:
            _fail(page, db, "expected the 4 score cards and the scores by stage")
    elif page == "executive":
        charts = at.get("plotly_chart")
        if len(at.metric) != 4 or len(charts) != 7:
            _fail(page, db, f"{len(at.metric)} KPI cards and {len(charts)} charts, expected 4 and 7")
        if db.tasks and all(m.value in ("0", "0/0", "—") for m in at.metric):
            _fail(page, db, "the KPI cards show no plan data")


@dataclass
class PageTimes:
    """Median rerun times of one page, in seconds."""

    small: float
    large: float
    small_changed: float
    large_changed: float
    shell: float  # the empty page on the large database, in the same loop


def time_page(page: str, small: BenchDb, large: BenchDb, runs: int) -> PageTimes:
    """Median rerun times of `page` on each database, warm and right after a
    change, and of the app shell; all reruns take turns."""
    pair = {"small": small, "large": large}  # roles: in --growth, the large journey and the 8x one
    apps = {role: open_page(page, db) for role, db in pair.items()}
    shell = open_page(None, large)
    times: dict[str, list[float]] = {name: [] for name in ("small", "large", "small_changed", "large_changed",
                                                           "shell")}
    for n in range(runs):
        for role, db in pair.items():
            times[role].append(checked_run(apps[role], db, page))
        times["shell"].append(checked_run(shell, large, "shell"))
        for role, db in pair.items():
            change_something(db, n)
            times[f"{role}_changed"].append(checked_run(apps[role], db, page))
    for role, db in pair.items():
        check_page(apps[role], page, db)
    return PageTimes(**{name: statistics.median(values) for name, values in times.items()})


# ---------------------------------------------------------------- command line


def time_import(db: BenchDb, runs: int) -> tuple[float, float]:
    """Median seconds of the whole import of `db`'s journey exported to Excel
    (checks, staging, storing), and of python-calamine reading its cells."""
    from python_calamine import CalamineWorkbook

    engine = get_engine(db.url)
    with session_scope(engine) as session:
        data = excel.export_journey(session, journey_id=db.journey_id, lang="th")
        imports, reads = [], []
        for _ in range(runs):
            started = time.perf_counter()
            copy = excel.import_journey(session, data=data, user=USER)
            imports.append(time.perf_counter() - started)
            services.delete_journey(session, journey_id=copy.id, user=USER)
            started = time.perf_counter()
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            for name in book.sheet_names:
                book.get_sheet_by_name(name).to_python()
            reads.append(time.perf_counter() - started)
    return statistics.median(imports), statistics.median(reads)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Rerun time of each page on a large journey against a small one.")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                        help=f"timed reruns per page and database (default {DEFAULT_RUNS})")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help=f"comma-separated pages to time (default: all of {','.join(PAGES)})")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 when a ratio is above {TARGET}")
    parser.add_argument("--growth", action="store_true",
                        help=f"time the large journey against one 8 times larger (default pages: "
                             f"{','.join(GROWTH_PAGES)})")
    args = parser.parse_args(argv)
    if args.growth and args.pages == ",".join(PAGES):
        args.pages = ",".join(GROWTH_PAGES)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in args.pages if p not in PAGES]
    if unknown or not args.pages:
        parser.error(f"unknown page(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PAGES)}")
    return args


def figures(page: str, times: PageTimes, growth: bool) -> dict[str, tuple[float, float]]:
    """The lines to print for a page: name -> (value, target)."""
    if growth:
        return {f"growth {page}": (times.large / times.small, GROWTH_TARGET),
                f"growth {page} changed": (times.large_changed / times.small_changed, GROWTH_CHANGED_TARGET)}
    return {
        f"ratio {page}": (times.large / times.small, TARGET),
        f"floor {page}": (times.large / times.shell, FLOOR_TARGET),
        f"ratio {page} changed": (times.large_changed / times.small_changed, TARGET),
        f"floor {page} changed": (times.large_changed / times.shell, CHANGED_FLOOR_TARGET),
    }


def _no_missing_context(record: logging.LogRecord) -> bool:
    return "missing ScriptRunContext" not in record.getMessage()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # AppTest's constructor touches session state outside a script run,
    # which Streamlit reports as "missing ScriptRunContext"; harmless noise.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(_no_missing_context)
    st.navigation = with_empty_page
    with tempfile.TemporaryDirectory(prefix="cem-bench-") as folder, \
            environment(CEM_SEED_SAMPLE="0", DATABASE_URL=""):
        dbs = []
        try:
            for shape in (LARGE, HUGE) if args.growth else (SMALL, LARGE):
                dbs.append(build_database(Path(folder) / f"{shape.name}.db", shape))
            small, large = dbs
            for db in dbs:
                print(f"build {db.shape.name}: {db.build_s:.2f} s ({db.stages} stages, {db.steps} sub-steps, "
                      f"{db.pains} pain points, {db.measures} measures, {db.ideas} ideas, {db.tasks} tasks with "
                      f"{PLAN_MONTHS} months of commitments and check-ins)", flush=True)
            missed = []
            if not args.growth:
                imported, read = time_import(large, args.runs)
                print(f"import journey {large.shape.name}: {imported * 1000:.1f} ms; python-calamine reads its "
                      f"cells in {read * 1000:.1f} ms (median of {args.runs})", flush=True)
                print(f"ratio journey_import_vs_calamine: {imported / read:.2f}", flush=True)
                if round(imported / read, 2) > IMPORT_TARGET:
                    missed.append(f"ratio journey_import_vs_calamine ({imported / read:.2f} > {IMPORT_TARGET:g})")
            print(f"timing {args.runs} reruns per page and database, median wall time", flush=True)
            for page in args.pages:
                times = time_page(page, small, large, args.runs)
                print(f"page {page}: {small.shape.name} {times.small * 1000:.1f} ms, {large.shape.name} "
                      f"{times.large * 1000:.1f} ms; after a change: {small.shape.name} "
                      f"{times.small_changed * 1000:.1f} ms, {large.shape.name} {times.large_changed * 1000:.1f} ms; "
                      f"app shell {times.shell * 1000:.1f} ms", flush=True)
                for name, (value, target) in figures(page, times, args.growth).items():
                    print(f"{name}: {value:.2f}", flush=True)
                    if round(value, 2) > target:
                        missed.append(f"{name} ({value:.2f} > {target:g})")
        except BenchError as error:
            print(f"benchmark failed: {error}", file=sys.stderr, flush=True)
            return 2
        finally:
            st.navigation = _real_navigation
            for db in dbs:
                dispose_engine(db.url)
    if missed:
        print(f"above target: {', '.join(missed)}")
    print(f"target met: {'no' if missed else 'yes'}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
