"""Journey templates and the sample journey seeded on first start.

The general customer life cycle follows seed 001: from the first offer of
the service, through the decision to buy, onboarding, use and support, to
renewal or leaving, and back again when the customer returns. Each stage is
marked before / during / after service (seed 000).
"""
from __future__ import annotations

from sqlmodel import Session, select

from cem import services
from cem.db import writes
from cem import validation as v
from cem.errors import ValidationError
from cem.models import Idea, Journey, Measure, PainPoint, Stage, Step

# (phase, Thai name, Thai description, English name, English description)
GENERAL_LIFE_CYCLE = [
    ("before", "นำเสนอบริการ", "ลูกค้ารู้จักและได้รับข้อมูลบริการครั้งแรก",
     "Offer", "The customer first hears of the service and gets information"),
    ("before", "ตัดสินใจซื้อ", "ลูกค้าเปรียบเทียบ สอบถาม และตัดสินใจใช้บริการ",
     "Purchase", "The customer compares, asks and decides to buy"),
    ("during", "เริ่มใช้บริการ", "สมัคร ติดตั้ง และเริ่มต้นใช้งาน",
     "Onboarding", "Sign-up, set-up and first use"),
    ("during", "ใช้บริการ", "การใช้บริการตามปกติในแต่ละวัน",
     "Use", "Everyday use of the service"),
    ("during", "ขอความช่วยเหลือ", "แจ้งปัญหา ร้องเรียน และขอรับการช่วยเหลือ",
     "Support", "Reporting problems, complaining and getting help"),
    ("after", "ต่ออายุหรือยกเลิก", "ต่อสัญญา ขยายบริการ หรือยกเลิกบริการ",
     "Renewal or leaving", "Renewing, extending or cancelling the service"),
    ("after", "กลับมาใช้บริการใหม่", "ลูกค้ากลับมาใช้บริการอีกครั้งและบอกต่อ",
     "Coming back", "The customer returns and recommends the service"),
]

TEMPLATES = ("general", "blank")


@services.write_service("map.edit")
def create_from_template(session: Session, *, template: str, lang: str, name: str,
                         description: str = "", user: str) -> Journey:
    """A new journey, blank or with the general life cycle's stages, saved
    in one transaction."""
    journey = _build_from_template(session, template=template, lang=lang, name=name,
                                   description=description, user=user)
    session.commit()
    return journey


def _build_from_template(session: Session, *, template: str, lang: str, name: str,
                         description: str, user: str) -> Journey:
    if template not in TEMPLATES:
        raise ValidationError("err.choice", options=", ".join(TEMPLATES), value=str(template)[:40])
    values = v.clean_row({"name": name, "description": description}, services.JOURNEY_FIELDS)
    who = user
    journey = Journey(**values, created_by=who, updated_by=who)
    session.add(journey)
    session.flush()
    services.log_import(session, journey, who, template=template)
    if template == "general":
        for position, (phase, th_name, th_desc, en_name, en_desc) in enumerate(GENERAL_LIFE_CYCLE, start=1):
            session.add(Stage(journey_id=journey.id, position=position, phase=phase,
                              name=th_name if lang == "th" else en_name,
                              description=th_desc if lang == "th" else en_desc,
                              created_by=who, updated_by=who))
        session.flush()
    return journey


# The sample: a Thai internet-service provider's life cycle with a few
# sub-steps, pain points, measures and ideas, so a new user sees a filled map.
SAMPLE = {
    "นำเสนอบริการ": [
        ("ค้นหาข้อมูลแพ็กเกจบนเว็บไซต์", "เว็บไซต์", 0, 1, (3, 3, 4, 2),
         [("ราคาและเงื่อนไขแต่ละแพ็กเกจดูยาก เปรียบเทียบไม่ได้", 3,
           [("prevention", "ทำตารางเปรียบเทียบแพ็กเกจหน้าเดียว"), ("fix", "แก้ข้อความเงื่อนไขให้สั้นและชัด")])],
         ["แชตถามตอบทันทีบนหน้าแพ็กเกจ"]),
    ],
    "ตัดสินใจซื้อ": [
        ("โทรสอบถามศูนย์บริการ", "Call center", -1, 1, (2, 3, 2, 3),
         [("รอสายนานเกิน 10 นาที", 4, [("fix", "เพิ่มพนักงานช่วงเวลาเร่งด่วน"),
                                     ("prevention", "ระบบโทรกลับอัตโนมัติเมื่อสายไม่ว่าง")])],
         []),
    ],
    "เริ่มใช้บริการ": [
        ("นัดหมายติดตั้ง", "โทรศัพท์ / LINE", -1, 1, (3, 2, 2, 3),
         [("ช่างมาไม่ตรงเวลานัด ไม่แจ้งล่วงหน้า", 5,
           [("prevention", "ส่ง SMS ยืนยันเวลานัดหนึ่งวันก่อน"), ("fix", "หัวหน้าช่างโทรขอโทษและนัดใหม่ภายในวัน")])],
         ["ติดตามตำแหน่งช่างแบบเรียลไทม์"]),
        ("ติดตั้งและทดสอบสัญญาณ", "หน้าบ้านลูกค้า", 1, 2, (4, 4, 3, 4), [], ["ชุดต้อนรับพร้อมคู่มือภาษาไทย"]),
    ],
    "ใช้บริการ": [
        ("ชำระค่าบริการรายเดือน", "แอป / เคาน์เตอร์", 0, 1, (3, 4, 4, 4),
         [("ใบแจ้งหนี้มาช้า ทำให้จ่ายเกินกำหนด", 3, [("fix", "ส่งใบแจ้งหนี้ทางอีเมลและ LINE")])], []),
    ],
    "ขอความช่วยเหลือ": [
        ("แจ้งเน็ตหลุด", "Call center", -2, 1, (2, 2, 1, 2),
         [("ต้องเล่าปัญหาซ้ำทุกครั้งที่โอนสาย", 4,
           [("prevention", "บันทึกประวัติการติดต่อให้ทุกคนเห็น"), ("fix", "เจ้าหน้าที่คนเดียวดูแลจนจบเรื่อง")]),
          ("ไม่รู้ว่าช่างจะมาเมื่อไร", 3, [("fix", "ส่งสถานะงานซ่อมทาง SMS")])],
         ["ตรวจสัญญาณจากระยะไกลก่อนลูกค้าโทรมา"]),
    ],
    "ต่ออายุหรือยกเลิก": [
        ("ยกเลิกบริการ", "สาขา", -1, 0, (2, 2, 2, 3),
         [("ขั้นตอนยกเลิกยุ่งยาก ต้องไปสาขา", 3, [("fix", "ยกเลิกผ่านแอปได้")])], []),
    ],
    "กลับมาใช้บริการใหม่": [],
}


@writes
def seed_sample_journey(session: Session, *, user: str = "system") -> Journey | None:
    """Seed the sample journey if the database has no journey yet."""
    if session.exec(select(Journey.id).limit(1)).first() is not None:
        return None
    journey = _build_from_template(
        session, template="general", lang="th", user=user,
        name="ตัวอย่าง: บริการอินเทอร์เน็ตบ้าน",
        description="แผนที่ตัวอย่างสำหรับเริ่มต้น แก้ไขหรือลบได้ (Sample journey: home internet service)",
    )
    stages = {s.name: s for s in services.list_stages(session, journey.id)}
    for stage_name, steps in SAMPLE.items():
        for position, (name, touchpoint, now, target, ratings, pains, ideas) in enumerate(steps, start=1):
            step = Step(stage_id=stages[stage_name].id, position=position, name=name, touchpoint=touchpoint,
                        emotion_now=now, emotion_target=target, easy=ratings[0], convenient=ratings[1],
                        fast=ratings[2], correct=ratings[3], created_by=user, updated_by=user)
            session.add(step)
            session.flush()
            for p_pos, (text, severity, measures) in enumerate(pains, start=1):
                pain = PainPoint(step_id=step.id, position=p_pos, text=text, severity=severity,
                                 created_by=user, updated_by=user)
                session.add(pain)
                session.flush()
                for m_pos, (kind, m_text) in enumerate(measures, start=1):
                    session.add(Measure(pain_point_id=pain.id, position=m_pos, kind=kind, text=m_text,
                                        created_by=user, updated_by=user))
            for i_pos, text in enumerate(ideas, start=1):
                session.add(Idea(step_id=step.id, position=i_pos, text=text, created_by=user, updated_by=user))
    session.commit()
    return journey
