"""Write data/samples/billing_sample.xlsx: the sample workspace's billing
data, as a Thai finance team would export it.

About 300 customers (companies, shops and people in three groups) over the
24 months from December 2024 to November 2026, with a skewed spread of
revenue, a few credit notes, and a few messy rows: dates typed as text in
the Buddhist era, amounts typed as text with separators or the baht sign,
one date that does not exist, one amount that is not one, one line without
a customer code. Deterministic: the same rows on every run.

    .venv/bin/python tools/make_sample_billing.py
"""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

OUT = Path(__file__).resolve().parent.parent / "data" / "samples" / "billing_sample.xlsx"
HEADINGS = ["รหัสลูกค้า", "ชื่อลูกค้า", "กลุ่มลูกค้า", "วันที่", "เลขที่ใบแจ้งหนี้", "บริการ", "จำนวน", "ยอดชำระ"]
SERVICES = {"อินเทอร์เน็ตบ้าน": 590, "อินเทอร์เน็ตองค์กร": 4_500, "กล่องทีวี": 299, "คลาวด์สำรองข้อมูล": 1_200,
            "ติดตั้งและซ่อมบำรุง": 1_800}
COMPANY = ["ก้าวหน้า", "รุ่งเรือง", "สยามพัฒนา", "เจริญกิจ", "ไทยสมาร์ท", "ศรีนคร", "บูรพา", "อุดมสุข", "มั่นคง",
           "เอเชียเทค", "ชัยพฤกษ์", "นครทอง", "สุขสวัสดิ์", "ทรัพย์สิน", "แสงทอง"]
SHOP = ["สมใจ", "ป้าแดง", "ลุงชัย", "บ้านสวน", "มุมกาแฟ", "ครัวคุณแม่", "ร้านยาเภสัช", "ช่างเอก", "ดอกไม้หวาน"]
PEOPLE = ["สมชาย", "สมหญิง", "วิภา", "ประเสริฐ", "อรุณี", "กิตติ", "นภา", "ธนพล", "มาลี", "ชาญวิทย์"]
MONTHS = [(2024 + (11 + i) // 12, (11 + i) % 12 + 1) for i in range(24)]  # 2024-12 .. 2026-11


def customers(rng: random.Random) -> list[tuple[str, str, str, float]]:
    """(code, name, group, monthly weight): a few large organisations bring most."""
    made = []
    for number in range(1, 301):
        if number <= 45:
            name, group = f"บริษัท {rng.choice(COMPANY)}{rng.choice(['', ' อินเตอร์', ' กรุ๊ป'])} จำกัด", "องค์กร"
        elif number <= 170:
            name, group = f"ร้าน{rng.choice(SHOP)} สาขา {rng.randint(1, 9)}", "SME"
        else:
            name, group = f"คุณ{rng.choice(PEOPLE)} {rng.choice(COMPANY)}วงศ์", "ลูกค้าบุคคล"
        weight = rng.paretovariate(1.8) * (4 if group == "องค์กร" else 2 if group == "SME" else 1)
        made.append((f"C{number:05d}", name, group, weight))
    return made


def bill_rows(rng: random.Random) -> list[list]:
    rows, invoice = [], 0
    for code, name, group, weight in customers(rng):
        services = rng.sample(sorted(SERVICES), k=1 + (weight > 6) + (weight > 20))
        active = min(0.95, 0.25 + weight / 15)
        for year, month in MONTHS:
            if rng.random() > active:
                continue
            for service in services:
                invoice += 1
                quantity = max(1, round(weight / 3)) if group == "องค์กร" else 1
                amount = round(SERVICES[service] * quantity * rng.uniform(0.9, 1.1), 2)
                day = date(year, month, rng.randint(1, 28))
                rows.append([code, name, group, day, f"INV-{year % 100:02d}{month:02d}-{invoice:05d}", service,
                             quantity, amount])
                if rng.random() < 0.01:  # a credit note for part of the bill
                    rows.append([code, name, group, day, f"CN-{invoice:05d}", service, None,
                                 -round(amount * rng.choice([0.5, 1.0]), 2)])
    return rows


def messy(rng: random.Random, rows: list[list]) -> None:
    """What real exports have: text dates in the Buddhist era, text amounts,
    and a few rows that cannot be read."""
    for row in rng.sample(rows, 40):
        day = row[3]
        row[3] = f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
    for row in rng.sample(rows, 40):
        row[7] = f"฿{row[7]:,.2f}" if rng.random() < 0.5 else f"{row[7]:,.2f}"
    rows[17][3] = "31/02/2568"  # no such day
    rows[101][7] = "N/A"
    rows[202][0] = None  # no customer code


def main() -> None:
    rng = random.Random(2569)
    rows = bill_rows(rng)
    rows.sort(key=lambda r: (r[3] if isinstance(r[3], date) else date(2025, 1, 1), r[4]))
    messy(rng, rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ข้อมูลการเรียกเก็บเงิน"
    sheet.append(HEADINGS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDEFGH", (12, 34, 14, 12, 18, 22, 8, 14)):
        sheet.column_dimensions[column].width = width
    OUT.parent.mkdir(parents=True, exist_ok=True)
    book.properties.creator = "CEM sample"
    book.save(OUT)
    print(f"{OUT}: {len(rows):,} rows")


if __name__ == "__main__":
    main()
