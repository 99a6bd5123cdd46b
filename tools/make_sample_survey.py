"""Write data/samples/survey_sample.csv: the sample workspace's survey
answers, as a Thai service team downloads them from Google Forms.

About 450 answers to the home-internet provider's customer survey over the
12 months from December 2025 to November 2026: an NPS question (0-10), a
CSAT question about paying the monthly bill (1-5) with a comment, a CES
question about reporting a dropped connection (1-7) with a comment, a
comment about the installation, and a free suggestion column. UTF-8 with a
byte order mark, Thai headings, Google Forms' timestamps
("2026/11/03 10:15:22 AM GMT+7"), the customer codes of customers of
data/samples/billing_sample.xlsx who use an internet service (empty when
the customer did not give one), blank answers where a question was skipped.

The comments come back to the sample journey's pain points (late bills,
paying in the app, waiting for the call centre, late technicians, dropped
connections) and praise; over the months the scores rise a little and the
complaints the plan's measures answer grow rarer. Some months have fewer
than 30 answers. Deterministic: the same rows on every run.

    .venv/bin/python tools/make_sample_survey.py
"""
from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"
OUT = SAMPLES / "survey_sample.csv"
BILLING = SAMPLES / "billing_sample.xlsx"
HEADINGS = [
    "ประทับเวลา",
    "รหัสลูกค้า",
    "แพ็กเกจที่ใช้อยู่",
    "คุณมีแนวโน้มที่จะแนะนำบริการอินเทอร์เน็ตของเราให้เพื่อนหรือคนรู้จักมากน้อยเพียงใด (0 = ไม่แนะนำเลย, "
    "10 = แนะนำแน่นอน)",
    "คุณพึงพอใจกับการชำระค่าบริการรายเดือนมากน้อยเพียงใด",
    "ความคิดเห็นเกี่ยวกับการชำระค่าบริการ",
    "ครั้งล่าสุดที่แจ้งอินเทอร์เน็ตหลุด การแจ้งปัญหาง่ายมากน้อยเพียงใด (1 = ยากมาก, 7 = ง่ายมาก)",
    "เล่าเพิ่มเติมเกี่ยวกับการแจ้งอินเทอร์เน็ตหลุด",
    "ความคิดเห็นเกี่ยวกับการติดตั้งอินเทอร์เน็ต (สำหรับลูกค้าที่เพิ่งติดตั้ง)",
    "ข้อเสนอแนะเพิ่มเติม",
]
MONTHS = [(2025 + (11 + i) // 12, (11 + i) % 12 + 1) for i in range(12)]  # 2025-12 .. 2026-11
# Answers per month: few in the holidays (December, New Year, Songkran in
# April), more once the form went out with the LINE bill.
PER_MONTH = [24, 27, 33, 25, 38, 41, 44, 39, 42, 46, 48, 43]
PACKAGES = ["Fiber 300/300 Mbps", "Fiber 500/500 Mbps", "Fiber 1Gbps", "Fiber 1Gbps + กล่องทีวี", "ไม่แน่ใจ"]

# ---------------------------------------------------------------- what customers write
# {n}, {d}, {m}, {h}, {y}: numbers filled in at random. Lists marked
# "later" are written only once the plan's measure is in place (from May).

BILL_LATE = [
    "ใบแจ้งหนี้มาช้า ได้รับหลังวันครบกำหนดไป {d} วัน",
    "บิลมาช้าทุกเดือน จ่ายเกินกำหนดโดนค่าปรับอีก",
    "ใบแจ้งหนี้มาช้ามาก อยากให้ส่งทาง LINE หรืออีเมลแทนกระดาษ",
    "เดือนนี้ยังไม่ได้รับใบแจ้งหนี้เลย ต้องโทรถาม call center เอง",
    "ไปรษณีย์ส่งบิลมาช้า พอได้รับก็เลยกำหนดจ่ายแล้ว",
    "ใบแจ้งหนี้มาช้า เลยไม่รู้ยอดที่ต้องจ่ายเดือนนี้",
    "บิลมาไม่ตรงเวลา บางเดือนมาถึงหลังวันตัดรอบ {d} วัน",
    "ใบแจ้งหนี้มาช้าจนโดนระงับสัญญาณไปหนึ่งวัน ทั้งที่ตั้งใจจะจ่ายตรงเวลา",
]
APP_PAY = [
    "จ่ายผ่าน app ไม่ได้ ขึ้น error ตลอด สุดท้ายต้องไปจ่ายที่ 7-Eleven",
    "ชำระเงินในแอปไม่ผ่าน ตัดเงินแล้วแต่สถานะยังขึ้นค้างชำระ",
    "แอปเด้งออกตอนกดยืนยันการจ่าย ลองไป {n} รอบ",
    "สแกน QR จ่ายในแอปแล้วยอดไม่อัปเดต ต้องส่งสลิปทาง LINE ให้อีก",
    "login แอปไม่ได้หลังอัปเดตเวอร์ชันใหม่ เลยจ่ายบิลในแอปไม่ได้",
    "ผูกบัตรเครดิตในแอปไม่ได้ ระบบบอกให้ลองใหม่ภายหลัง",
    "จ่ายในแอปไม่ได้ช่วงสิ้นเดือน ระบบช้ามาก",
    "กดจ่ายในแอปแล้วขึ้นว่าทำรายการไม่สำเร็จ แต่เงินในบัญชีหายไปแล้ว",
]
PAY_SO_SO = [
    "จ่ายที่เคาน์เตอร์เซอร์วิส ก็โอเค แต่อยากให้ตัดบัตรอัตโนมัติได้",
    "ปกติโอนผ่านแอปธนาคาร ไม่ค่อยมีปัญหา",
    "ก็จ่ายได้ปกติ แต่ต้องกดหลายหน้ากว่าจะเจอปุ่มจ่าย",
    "จ่ายได้ แต่ใบเสร็จในแอปโหลดช้า",
    "เฉยๆ {p} จ่ายที่ธนาคารเหมือนเดิม",
]
PAY_GOOD = [
    "จ่ายผ่านแอปง่ายมาก สแกน QR แป๊บเดียวเสร็จ",
    "ตั้งหักบัญชีอัตโนมัติไว้ ไม่ต้องกังวลเรื่องจ่ายช้า",
    "สะดวกดี จ่ายผ่าน Mobile Banking ได้เลย",
    "จ่ายที่ 7-Eleven ใกล้บ้าน สะดวกดี",
    "ไม่มีปัญหาเรื่องการจ่ายเงินเลย",
]
PAY_GOOD_LATER = [
    "ตอนนี้ได้ใบแจ้งหนี้ทาง LINE แล้ว สะดวกขึ้นเยอะ",
    "ได้รับบิลทางอีเมลตรงเวลา ดีขึ้นกว่าเมื่อก่อนมาก",
    "ชอบที่มีแจ้งเตือนยอดค่าบริการทาง LINE ก่อนครบกำหนด",
]
DROP_BAD = [
    "เน็ตหลุดบ่อยช่วงหัวค่ำ โทรแจ้ง call center รอสาย {m} นาที",
    "โทรไปแจ้งเน็ตหลุด โดนโอนสาย {n} รอบ ต้องเล่าปัญหาใหม่ทุกรอบ",
    "รอสายนานมาก กดเมนูวนไปวนมา สุดท้ายสายตัด",
    "แจ้งไปแล้วบอกจะส่งช่างมาดู แต่ไม่รู้ว่าช่างจะมาวันไหน ไม่มีใครโทรกลับ",
    "เน็ตหลุดทุกคืนตอนสองทุ่ม ทำงาน WFH ไม่ได้เลย",
    "ไฟ LOS ที่ router เป็นสีแดง แจ้งไป {n} วันยังไม่มีใครมาดู",
    "เน็ตหลุดตอนเล่นเกม แจ้งไปก็บอกให้รีสตาร์ทเราเตอร์อย่างเดียว",
    "call center รอสายนานเกินไป กว่าจะได้คุยกับเจ้าหน้าที่ {m} นาที",
    "Wi-Fi หลุดบ่อยมาก ลูกเรียนออนไลน์ไม่ได้",
    "แจ้งเน็ตหลุดผ่านแอปแล้วเงียบ ไม่มีการตอบกลับ",
    "เน็ตหลุดเป็นชั่วโมง โทรไปสายไม่ว่างตลอด",
]
DROP_SO_SO = [
    "แจ้งผ่าน LINE Official ได้คำตอบเร็ว แต่ปัญหายังไม่หายขาด",
    "เจ้าหน้าที่สุภาพดี แต่กว่าจะแก้ได้ใช้เวลาหลายวัน",
    "ต้องเล่าปัญหาซ้ำอีกรอบตอนโอนสาย แต่สุดท้ายก็แก้ได้",
    "รอสายไม่นานมาก แต่ต้องรอช่างอีก {n} วัน",
]
DROP_GOOD = [
    "แจ้งผ่านแอปแล้วได้ SMS บอกสถานะงานซ่อม ช่างมาวันรุ่งขึ้น ประทับใจ",
    "โทรไปครั้งเดียว เจ้าหน้าที่รีเซ็ตสัญญาณจากระบบให้ หายเลย",
    "แก้ปัญหาไวมาก ภายในชั่วโมงเดียวเน็ตกลับมาใช้ได้",
    "เจ้าหน้าที่ call center ใจเย็น อธิบายวิธีแก้ทีละขั้น",
]
DROP_GOOD_LATER = [
    "มีคนโทรกลับตามที่บอกจริง ไม่ต้องถือสายรอ",
    "เจ้าหน้าที่เห็นประวัติที่เคยแจ้งไว้ ไม่ต้องเล่าใหม่ ดีมาก",
    "ได้ SMS แจ้งเวลาช่างเข้ามาซ่อม ไม่ต้องนั่งรอทั้งวัน",
]
INSTALL_BAD = [
    "ช่างมาสายกว่านัด {h} ชั่วโมง ไม่โทรบอกเลย",
    "นัดติดตั้งช่วงเช้า ช่างมาบ่ายสามโมง ต้องลางานรอทั้งวัน",
    "ช่างไม่มาตามนัด ต้องโทรตามเอง เลื่อนไปอีก {n} วัน",
    "ช่างมาช้าและไม่แจ้งล่วงหน้า เสียเวลามาก",
    "เดินสายไม่เรียบร้อย สายห้อยหน้าบ้าน",
    "ติดตั้งเสร็จแต่ Wi-Fi ไม่ถึงห้องนอนชั้นสอง ช่างบอกให้ซื้อ mesh เพิ่ม",
]
INSTALL_GOOD = [
    "ช่างมาตรงเวลา ติดตั้งเร็ว อธิบายการใช้งานละเอียด",
    "ช่างสุภาพมาก ทดสอบสัญญาณ Wi-Fi ให้ทุกห้อง",
    "ติดตั้งเสร็จในชั่วโมงเดียว speed test ได้เต็มสปีด",
    "ช่างเก็บสายเรียบร้อย ทำความสะอาดให้ด้วย",
]
INSTALL_GOOD_LATER = [
    "ได้ SMS ยืนยันนัดก่อนหนึ่งวัน ช่างมาตรงเวลาเป๊ะ",
    "ช่างโทรมาบอกก่อนถึงครึ่งชั่วโมง ดีมาก",
]
FREE_BAD = [
    "อยากให้เพิ่มพนักงาน call center ช่วงเย็น รอนานมาก",
    "ราคาแพงกว่าเจ้าอื่นแต่เน็ตหลุดบ่อยกว่า กำลังคิดจะย้ายค่าย",
    "ยกเลิกบริการยากมาก ต้องไปที่สาขาเท่านั้น",
    "ขอให้แจ้งล่วงหน้าก่อนปิดปรับปรุงระบบ",
    "ช่วยปรับปรุงเรื่องเน็ตหลุดด้วย เป็นบ่อยจริงๆ",
    "โปรลูกค้าใหม่ดีกว่าลูกค้าเก่า ไม่แฟร์",
    "ใบแจ้งหนี้มาช้าแล้วยังโดนค่าปรับ ไม่โอเคเลย",
]
FREE_SO_SO = [
    "อยากได้แพ็กเกจรวมกล่องทีวีในราคาถูกลง",
    "อยากให้มีโปรสำหรับลูกค้าเก่าบ้าง",
    "อยากให้แอปมีภาษาอังกฤษด้วย",
    "ไม่มี",
    "-",
    "ไม่มี{p}",
]
FREE_GOOD = [
    "โดยรวมพอใจ เน็ตแรงดี ดู Netflix ไม่กระตุก",
    "พนักงานหน้าร้านบริการดีมาก ขอบคุณ{p}",
    "ใช้มา {y} ปีแล้ว ไม่ค่อยมีปัญหา แนะนำเพื่อนมาใช้ด้วย",
    "แพ็กเกจ Fiber 1Gbps คุ้มราคามาก",
    "ขอบคุณที่ดูแลดีตลอด{p}",
    "เน็ตเสถียรดี ทำงานที่บ้านได้สบาย",
]
FREE_GOOD_LATER = [
    "ช่วงหลังบริการดีขึ้นเยอะ รอสายไม่นานแล้ว",
    "เห็นว่าปรับปรุงหลายอย่าง ขอบคุณที่รับฟังลูกค้า",
]
ENDINGS = {"bad": ["", "", "", " {p}", " ช่วยปรับปรุงด้วย{na}", " ผิดหวังมาก", " 😡", " เซ็งมาก"],
           "so_so": ["", "", " {p}", " {na}"],
           "good": ["", "", " {p}", " 👍", " 🙏", " ขอบคุณ{p}"]}
POLITE = ({"p": "ครับ", "na": "นะครับ"}, {"p": "ค่ะ", "na": "นะคะ"})  # a man's and a woman's endings


def internet_customers() -> list[str]:
    """The codes of the sample billing's customers who pay for an internet service."""
    book = openpyxl.load_workbook(BILLING, read_only=True)
    codes = {row[0] for row in book.active.iter_rows(min_row=2, values_only=True)
             if row[0] and str(row[5]).startswith("อินเทอร์เน็ต")}
    book.close()
    return sorted(codes)


def said(rng: random.Random, bank: list[str], feeling: str, polite: dict[str, str]) -> str:
    text = rng.choice(bank)
    if "{p}" not in text and text not in ("-", "ไม่มี"):
        text += rng.choice(ENDINGS[feeling])
    return text.format(n=rng.randint(2, 4), d=rng.randint(2, 7), m=rng.randint(15, 45), h=rng.randint(2, 4),
                       y=rng.randint(2, 6), **polite)


def weighted(rng: random.Random, weights: dict[int, float]) -> int:
    return rng.choices(list(weights), list(weights.values()))[0]


def answer(rng: random.Random, month: int, codes: list[str]) -> list[str]:
    """One person's answers in the month'th month (0 to 11)."""
    progress = month / 11
    later = month >= 5  # the bill by LINE and e-mail, call-backs, the SMS before a visit
    roll = rng.random()
    group = "detractor" if roll < 0.40 - 0.16 * progress else \
        "promoter" if roll > 1 - (0.28 + 0.17 * progress) else "passive"
    nps = {"detractor": weighted(rng, {0: 1, 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 6}),
           "passive": rng.choice([7, 8]), "promoter": weighted(rng, {9: 3, 10: 2})}[group]
    unhappy = {"detractor": 0.25, "passive": 0.0, "promoter": -0.15}[group]
    polite = rng.choice(POLITE)

    # Paying the monthly bill: almost everyone answers.
    csat = pay_text = ""
    if rng.random() < 0.92:
        if rng.random() < 0.3 - 0.14 * progress + unhappy:
            score = weighted(rng, {1: 3, 2: 5, 3: 2})
            late_bill = rng.random() < 0.62 - 0.3 * progress
            pay_text = said(rng, BILL_LATE if late_bill else APP_PAY, "bad", polite) if rng.random() < 0.8 else ""
        else:
            score = weighted(rng, {3: 2, 4: 5, 5: 4})
            if rng.random() < 0.3:
                bank = PAY_SO_SO if score == 3 else PAY_GOOD + (PAY_GOOD_LATER * 2 if later else [])
                pay_text = said(rng, bank, "so_so" if score == 3 else "good", polite)
        csat = str(score)

    # Reporting a dropped connection: those who had one.
    ces = drop_text = ""
    if rng.random() < 0.45:
        if rng.random() < 0.55 - 0.2 * progress + unhappy:
            score = weighted(rng, {1: 3, 2: 4, 3: 3, 4: 1})
            if rng.random() < 0.75:
                drop_text = said(rng, *((DROP_BAD, "bad") if score <= 3 else (DROP_SO_SO, "so_so")), polite)
        else:
            score = weighted(rng, {4: 2, 5: 3, 6: 4, 7: 2})
            if rng.random() < 0.35:
                bank = DROP_SO_SO if score == 4 else DROP_GOOD + (DROP_GOOD_LATER * 2 if later else [])
                drop_text = said(rng, bank, "so_so" if score == 4 else "good", polite)
        ces = str(score)

    # The installation: new customers only.
    install_text = ""
    if rng.random() < 0.17:
        if rng.random() < 0.5 - 0.25 * progress + unhappy:
            install_text = said(rng, INSTALL_BAD, "bad", polite)
        else:
            install_text = said(rng, INSTALL_GOOD + (INSTALL_GOOD_LATER * 2 if later else []), "good", polite)

    free = ""
    if rng.random() < 0.42:
        if group == "detractor":
            free = said(rng, FREE_BAD, "bad", polite)
        elif group == "promoter":
            free = said(rng, FREE_GOOD + (FREE_GOOD_LATER if later else []), "good", polite)
        else:
            free = said(rng, FREE_SO_SO + FREE_GOOD[:2] + FREE_BAD[:2], "so_so", polite)

    code = rng.choice(codes) if rng.random() < 0.65 else ""
    package = rng.choice(PACKAGES) if rng.random() < 0.9 else ""
    nps_text = "" if rng.random() < 0.03 else str(nps)  # skipped: the question is not required
    return [code, package, nps_text, csat, pay_text, ces, drop_text, install_text, free]


def stamp(moment: datetime) -> str:
    """Google Forms' timestamp in a Thai sheet: 2026/11/03 10:15:22 AM GMT+7."""
    return moment.strftime("%Y/%m/%d %I:%M:%S %p") + " GMT+7"


def rows(rng: random.Random, codes: list[str]) -> list[list[str]]:
    made = []
    for month, ((year, number), count) in enumerate(zip(MONTHS, PER_MONTH)):
        days = (datetime(year + number // 12, number % 12 + 1, 1) - datetime(year, number, 1)).days
        moments = [datetime(year, number, 1) + timedelta(seconds=rng.randrange(days * 86_400))
                   for _ in range(count)]
        # Few people answer a survey at night: the small hours move to the morning.
        for moment in sorted(m + timedelta(hours=8) if m.hour < 7 else m for m in moments):
            made.append([stamp(moment), *answer(rng, month, codes)])
    return made


def main() -> None:
    rng = random.Random(2569_11)
    made = rows(rng, internet_customers())
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")  # as Google Forms writes it
    writer.writerow(HEADINGS)
    writer.writerows(made)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(out.getvalue().encode("utf-8-sig"))
    print(f"{OUT}: {len(made):,} answers")


if __name__ == "__main__":
    main()
