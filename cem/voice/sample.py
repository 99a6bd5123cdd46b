"""The sample workspace's voice of the customer, seeded by the app itself
on first start when there is no feedback yet (as the sample bills are, by
cem.customers.billing.seed_sample_billing), so that every part of the
voice page has something to show at once.

- data/samples/survey_sample.csv (a Google Forms export, written by
  tools/make_sample_survey.py) goes through the survey import
  (cem.voice.survey_import) with the mapping a team would choose: the
  paying questions on the sample journey's "pay the monthly bill", the
  dropped-connection questions on "report a dropped connection", the
  installation comment on "install and test the signal", NPS and the free
  suggestions on the journey as a whole. Sub-steps are found by name, in
  Thai or English; one that is gone leaves its columns on the journey.
  Without the sample bills the customer codes are left out.
- A few word-of-mouth voices a month (Facebook, Pantip, talk at the shop),
  for and against, and two Google Maps reviews.
- One follow-up, already done, on a detractor who gave a customer code.

All of it is fixed: the same voices in every new workspace. Seeding takes
0.1-0.2 s on SQLite and about 0.5 s on PostgreSQL (0.05 s reading and
checking the file; the rest storing 1,191 voices, one INSERT per row).
"""
from __future__ import annotations

import inspect
import random
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlmodel import Session

from cem.core.db import writes
from cem.core.models import Customer, Feedback, FeedbackImport, FollowUp, Journey, Stage, Step
from cem.voice import survey_import
from cem.voice.scores import sentiment_from_scores

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "samples" / "survey_sample.csv"
USER = "system"
FORM = "Google Forms"

# The sample journey's sub-steps the voices speak of, by their Thai and English names.
STEPS = {
    "web": ("ค้นหาข้อมูลแพ็กเกจบนเว็บไซต์", "Look up packages on the website"),
    "call": ("โทรสอบถามศูนย์บริการ", "Call the service centre with questions"),
    "book": ("นัดหมายติดตั้ง", "Book the installation"),
    "install": ("ติดตั้งและทดสอบสัญญาณ", "Install and test the signal"),
    "pay": ("ชำระค่าบริการรายเดือน", "Pay the monthly bill"),
    "drop": ("แจ้งอินเทอร์เน็ตหลุด", "Report a dropped connection"),
    "cancel": ("ยกเลิกบริการ", "Cancel the service"),
}
# The file's columns: (the start of the heading, the field or "text", the sub-step).
COLUMNS = (
    ("ประทับเวลา", "received", None),
    ("รหัสลูกค้า", "customer_code", None),
    ("คุณมีแนวโน้มที่จะแนะนำ", "nps", None),
    ("คุณพึงพอใจกับการชำระค่าบริการ", "csat", "pay"),
    ("ความคิดเห็นเกี่ยวกับการชำระค่าบริการ", "text", "pay"),
    ("ครั้งล่าสุดที่แจ้งอินเทอร์เน็ตหลุด", "ces", "drop"),
    ("เล่าเพิ่มเติมเกี่ยวกับการแจ้งอินเทอร์เน็ตหลุด", "text", "drop"),
    ("ความคิดเห็นเกี่ยวกับการติดตั้ง", "text", "install"),
    ("ข้อเสนอแนะเพิ่มเติม", "text", None),
)
MONTHS = [(2025 + (11 + i) // 12, (11 + i) % 12 + 1) for i in range(12)]  # 2025-12 .. 2026-11

# Word of mouth: (sentiment, channel, sub-step or None for the journey, words,
# from which month on: 0 for all year, 5 once the plan's measures are in place).
WORD_OF_MOUTH = (
    ("negative", "Facebook", "drop", "โพสต์ในกลุ่มหมู่บ้านว่าเน็ตหลุดทั้งซอยตั้งแต่เมื่อคืน "
                                     "มีคนมาคอมเมนต์ว่าเป็นเหมือนกันเกือบสิบบ้าน", 0),
    ("negative", "Facebook", "call", "ลูกค้าแชร์ภาพหน้าจอรอสาย call center 40 นาทีในเพจรีวิวเน็ตบ้าน", 0),
    ("negative", "Pantip", "drop", "กระทู้ Pantip ถามว่าเน็ตค่ายนี้หลุดบ่อยไหม มีคนตอบว่าช่วงหัวค่ำหลุดแทบทุกวัน", 0),
    ("negative", "พูดคุยหน้าร้าน", "pay", "ลูกค้าบ่นที่หน้าร้านว่าใบแจ้งหนี้มาช้า เพื่อนบ้านก็โดนค่าปรับเหมือนกัน", 0),
    ("negative", "พูดคุยหน้าร้าน", "book", "ลูกค้าเล่าว่าเพื่อนไม่กล้าสมัคร เพราะได้ยินว่าช่างมาไม่ตรงนัด", 0),
    ("negative", "Facebook", "cancel", "มีคนถามในกลุ่มว่ายกเลิกเน็ตต้องไปสาขาจริงไหม คนตอบว่ายุ่งยากมาก", 0),
    ("negative", "พูดคุยหน้าร้าน", "pay", "ลูกค้ามาจ่ายเงินที่ร้านเพราะจ่ายใน app ไม่ผ่าน บอกว่าคนแถวบ้านก็เจอ", 0),
    ("positive", "Facebook", None, "ลูกค้าโพสต์ชมในกลุ่มคอนโดว่าเน็ตแรง ดูบอลไม่กระตุก แท็กเพจบริษัทด้วย", 0),
    ("positive", "พูดคุยหน้าร้าน", "install", "ลูกค้าใหม่บอกว่าเพื่อนแนะนำมา "
                                             "เพราะช่างติดตั้งเร็วและเก็บงานเรียบร้อย", 0),
    ("positive", "พูดคุยหน้าร้าน", None, "ลูกค้าพาญาติมาสมัครเพิ่ม บอกว่าใช้มาหลายปีไม่ค่อยมีปัญหา", 0),
    ("positive", "Pantip", "drop", "มีคนตอบกระทู้ว่าแจ้งเน็ตหลุดผ่านแอปแล้วได้ SMS บอกสถานะงานซ่อม "
                                   "สะดวกกว่าค่ายเดิม", 5),
    ("positive", "Facebook", "pay", "ลูกค้าคอมเมนต์ในเพจว่าตอนนี้ได้ใบแจ้งหนี้ทาง LINE แล้ว ไม่ต้องรอไปรษณีย์", 5),
    ("positive", "Facebook", "call", "ลูกค้าชมในเพจว่าพนักงาน call center โทรกลับตามที่บอกจริง", 5),
    ("positive", "พูดคุยหน้าร้าน", "book", "ลูกค้าเล่าว่าได้ SMS ยืนยันนัดก่อนหนึ่งวัน ช่างมาตรงเวลา "
                                          "เลยแนะนำให้เพื่อนที่ทำงานสมัคร", 5),
    ("neutral", "พูดคุยหน้าร้าน", "web", "ลูกค้าถามว่าแพ็กเกจ 500 Mbps กับ 1Gbps ต่างกันอย่างไร "
                                        "เพราะดูในเว็บแล้วไม่เข้าใจ", 0),
)
# Against, then for, per month (0 to 11): fewer against as the plan works.
WORD_OF_MOUTH_PER_MONTH = [(3, 1), (3, 1), (3, 2), (3, 1), (2, 2), (2, 2), (2, 3), (2, 2), (1, 3), (2, 3),
                           (1, 3), (1, 4)]
REVIEWS = (  # Google Maps: (day, stars, sub-step or None, words)
    (date(2026, 9, 14), 5, None, "ไปเปลี่ยนแพ็กเกจที่สาขา พนักงานบริการดีมาก ทำเสร็จใน 10 นาที "
                                  "อธิบายโปรโมชันชัดเจน ที่จอดรถสะดวก"),
    (date(2026, 10, 22), 2, "cancel", "ไปยกเลิกบริการที่สาขา รอคิวชั่วโมงกว่า ต้องกรอกเอกสารหลายใบ "
                                      "ทำไมทำผ่านแอปไม่ได้"),
)
FOLLOW_UP_NOTE = "โทรกลับลูกค้าแล้ว ขอโทษและเล่าสิ่งที่กำลังแก้ไข นัดโทรถามอีกครั้งเดือนหน้า"

# The survey import's store itself, without its role check: the app seeds as
# "system", which has no account (as billing's _store_as_the_app does).
_store_import = inspect.unwrap(survey_import.import_feedback)


def seed_sample_feedback(session: Session) -> FeedbackImport | None:
    """The sample's voices, imported and recorded by the app itself on
    first start when there is no feedback yet; None when there was some
    already, or the file is missing."""
    if session.execute(select(Feedback.id).limit(1)).first() is not None or not SAMPLE.exists():
        session.rollback()
        return None
    journey_id, steps = _sample_steps(session)
    sheet = survey_import.read_file(SAMPLE.read_bytes(), SAMPLE.name)
    mapping = sample_mapping(session, sheet.headings, steps)
    checked = survey_import.check_rows(session, sheet, mapping)
    batch = _import_as_the_app(session, checked=checked, journey_id=journey_id,
                               others=_other_voices(journey_id, steps))
    if batch is not None:
        _settle_as_the_app(session, import_id=batch.id, journey_id=journey_id)
    return batch


def _sample_steps(session: Session) -> tuple[int | None, dict[str, int]]:
    """The sample journey and its sub-steps named in STEPS (the journey with
    most of them, the first of equals), by key."""
    names = {name: key for key, both in STEPS.items() for name in both}
    rows = session.execute(
        select(Stage.journey_id, Step.name, Step.id).join(Stage, Stage.id == Step.stage_id)
        .join(Journey, Journey.id == Stage.journey_id)
        .where(Step.name.in_(names), Step.deleted_at.is_(None), Stage.deleted_at.is_(None))
        .order_by(Stage.journey_id, Stage.position, Step.position, Step.id)).all()
    session.rollback()
    found: dict[int, dict[str, int]] = {}
    for journey_id, name, step_id in rows:
        found.setdefault(journey_id, {}).setdefault(names[name], step_id)
    if not found:
        return None, {}
    journey_id = max(found, key=lambda j: (len(found[j]), -j))
    return journey_id, found[journey_id]


def sample_mapping(session: Session, headings: list[str], steps: dict[str, int]) -> survey_import.SurveyMapping:
    """The mapping of the sample file's columns (see COLUMNS). Without the
    sample customers (no sample bills), the customer codes are left out
    rather than refused."""
    mapping = survey_import.SurveyMapping(kind="survey", channel=FORM)
    for start, name, step in COLUMNS:
        index = next((i for i, heading in enumerate(headings) if heading.startswith(start)), None)
        if index is None:
            continue
        if name == "text":
            mapping.texts.append(index)
        else:
            mapping.columns[name] = index
        if name not in survey_import.ROW_FIELDS:
            mapping.steps[index] = steps.get(step) if step else None
    if "customer_code" in mapping.columns and session.execute(select(Customer.id).limit(1)).first() is None:
        del mapping.columns["customer_code"]
    session.rollback()
    return mapping


def _other_voices(journey_id: int | None, steps: dict[str, int]) -> list[dict]:
    """The word of mouth and the reviews, as rows of Feedback, in a fixed order."""
    rng = random.Random(2569_12)
    rows = []
    for month, ((year, number), counts) in enumerate(zip(MONTHS, WORD_OF_MOUTH_PER_MONTH)):
        for sentiment, count in zip(("negative", "positive"), counts):
            told = [said for said in WORD_OF_MOUTH if said[0] == sentiment and said[4] <= month]
            for feeling, channel, step, text, _ in rng.sample(told, count):
                rows.append(_row(date(year, number, rng.randint(1, 28)), "word_of_mouth", channel, feeling, True,
                                 journey_id, steps.get(step) if step else None, text))
        if month % 4 == 1:  # now and then a question heard at the shop
            _, channel, step, text, _ = WORD_OF_MOUTH[-1]
            rows.append(_row(date(year, number, rng.randint(1, 28)), "word_of_mouth", channel, "neutral", True,
                             journey_id, steps.get(step), text))
    for day, stars, step, text in REVIEWS:
        rows.append(_row(day, "review", "Google Maps", sentiment_from_scores(None, stars), False, journey_id,
                         steps.get(step) if step else None, text, csat=stars))
    return rows


def _row(received: date, kind: str, channel: str, sentiment: str, by_hand: bool, journey_id: int | None,
         step_id: int | None, text: str, csat: int | None = None) -> dict:
    return dict(received=received, kind=kind, channel=channel, sentiment=sentiment, sentiment_by_hand=by_hand,
                journey_id=journey_id, step_id=step_id, text=text, csat=csat)


@writes
def _import_as_the_app(session: Session, *, checked: survey_import.CheckedSurvey, journey_id: int | None,
                       others: list[dict]) -> FeedbackImport | None:
    """The other voices and the survey in one transaction (the import
    commits it). `journey_id` gives the write its turn on PostgreSQL, so
    that two servers starting at once seed once."""
    if session.execute(select(Feedback.id).limit(1)).first() is not None:
        return None
    stage_of = dict(session.execute(select(Step.id, Step.stage_id).where(
        Step.id.in_({row["step_id"] for row in others if row["step_id"]}))).all())
    for row in others:
        session.add(Feedback(**row, stage_id=stage_of.get(row["step_id"]), created_by=USER, updated_by=USER))
    session.flush()
    return _store_import(session, checked=checked, file_name=SAMPLE.name, user=USER, good_rows_only=True)


@writes
def _settle_as_the_app(session: Session, *, import_id: int, journey_id: int | None) -> None:
    """What the import page cannot say: the answers tied to no sub-step
    (NPS, the free suggestions) speak of the sample journey as a whole;
    and one detractor who gave a customer code was called back."""
    if journey_id is not None:
        session.execute(update(Feedback).where(Feedback.import_id == import_id, Feedback.journey_id.is_(None))
                        .values(journey_id=journey_id))
    detractor = session.execute(
        select(Feedback).where(Feedback.import_id == import_id, Feedback.nps <= 6, Feedback.customer_id.is_not(None),
                               Feedback.text != "")
        .order_by(Feedback.received.desc(), Feedback.id.desc()).limit(1)).scalars().first()
    if detractor is not None:
        session.add(FollowUp(feedback_id=detractor.id, due=detractor.received + timedelta(days=3),
                             done_on=detractor.received + timedelta(days=1), note=FOLLOW_UP_NOTE,
                             created_by=USER, updated_by=USER))
    session.commit()
