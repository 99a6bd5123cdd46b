"""Journey templates and the sample journey seeded on first start.

The general customer life cycle follows seed 001: from the first offer of
the service, through the decision to buy, onboarding, use and support, to
renewal or leaving, and back again when the customer returns. Each stage is
marked before / during / after service (seed 000).
"""
from __future__ import annotations

from sqlmodel import Session, select

from cem.core import config
from cem.journey import services
from cem.core.auth import authorize
from cem.core.db import writes
from cem.core import validation as v
from cem.core.errors import ValidationError
from cem.core.models import Idea, Journey, Measure, PainPoint, Stage, Step

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
        ("โทรสอบถามศูนย์บริการ", "คอลเซ็นเตอร์", -1, 1, (2, 3, 2, 3),
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
        ("แจ้งอินเทอร์เน็ตหลุด", "คอลเซ็นเตอร์", -2, 1, (2, 2, 1, 2),
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

# The same sample for an English install (CEM_LANG=en).
SAMPLE_EN = {
    "Offer": [
        ("Look up packages on the website", "Website", 0, 1, (3, 3, 4, 2),
         [("Prices and terms of each package are hard to read and cannot be compared", 3,
           [("prevention", "One-page table comparing the packages"), ("fix", "Rewrite the terms short and clear")])],
         ["Instant chat on the package page"]),
    ],
    "Purchase": [
        ("Call the service centre with questions", "Call center", -1, 1, (2, 3, 2, 3),
         [("Waiting on the line for more than 10 minutes", 4, [("fix", "More staff at peak hours"),
                                                               ("prevention", "Automatic call-back when lines are busy")])],
         []),
    ],
    "Onboarding": [
        ("Book the installation", "Phone / LINE", -1, 1, (3, 2, 2, 3),
         [("The technician is late and does not warn the customer", 5,
           [("prevention", "SMS confirming the time one day before"),
            ("fix", "The lead technician calls to apologise and rebooks the same day")])],
         ["Live tracking of the technician's position"]),
        ("Install and test the signal", "At the customer's home", 1, 2, (4, 4, 3, 4), [],
         ["Welcome kit with a guide in the customer's language"]),
    ],
    "Use": [
        ("Pay the monthly bill", "App / counter", 0, 1, (3, 4, 4, 4),
         [("The bill arrives late, so payment is overdue", 3, [("fix", "Send the bill by e-mail and LINE")])], []),
    ],
    "Support": [
        ("Report a dropped connection", "Call center", -2, 1, (2, 2, 1, 2),
         [("Has to explain the problem again at every transfer", 4,
           [("prevention", "Contact history that every agent can see"),
            ("fix", "One agent follows the case to the end")]),
          ("Does not know when the technician will come", 3, [("fix", "Send the repair status by SMS")])],
         ["Check the line remotely before the customer calls"]),
    ],
    "Renewal or leaving": [
        ("Cancel the service", "Branch", -1, 0, (2, 2, 2, 3),
         [("Cancelling is complicated and needs a visit to a branch", 3, [("fix", "Cancel in the app")])], []),
    ],
    "Coming back": [],
}
SAMPLE_NAME = {
    "th": ("ตัวอย่าง: บริการอินเทอร์เน็ตบ้าน", "แผนที่ตัวอย่างสำหรับเริ่มต้น แก้ไขหรือลบได้"),
    "en": ("Sample: home internet service", "A sample map to start from; change it or delete it."),
}


@writes
def seed_sample_journey(session: Session, *, user: str = "system", lang: str | None = None) -> Journey | None:
    """Seed the sample journey if the database has no journey yet, in
    `lang` (default: the install's language, CEM_LANG). The app does this
    at start-up as "system"; anyone else must be allowed to edit the map."""
    if user != "system":
        user = authorize(session, user, "map.edit")
    if session.exec(select(Journey.id).limit(1)).first() is not None:
        return None
    lang = "en" if (lang or config.default_lang()) == "en" else "th"
    name, description = SAMPLE_NAME[lang]
    journey = _build_from_template(session, template="general", lang=lang, user=user, name=name,
                                   description=description)
    stages = {s.name: s for s in services.list_stages(session, journey.id)}
    for stage_name, steps in (SAMPLE_EN if lang == "en" else SAMPLE).items():
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
