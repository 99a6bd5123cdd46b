"""The customers' half in Chromium, in Thai, as a newcomer walks it: upload
finance's workbook, choose the column the app could not guess, check,
store, see the Pareto chart and the Lorenz curve, and mark the VIPs."""
from __future__ import annotations

import time
from datetime import date, timedelta

import openpyxl
from playwright.sync_api import expect

from cem.core import i18n
from tests.e2e.conftest import open_app
from tools.serve import wait_for_app

HEADINGS = ["รหัสลูกค้า", "ชื่อลูกค้า", "วันที่", "ยอดสุทธิ (บาท)", "เลขที่ใบแจ้งหนี้", "บริการ"]


def finance_workbook(path) -> None:
    """40 customers with falling revenue over a year; the amount column's
    heading names no field the app knows, so the person must choose it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "ยอดขาย"
    sheet.append(["รายงานยอดขาย ปี 2567"])  # a title row above the headings
    sheet.append(HEADINGS)
    start = date(2024, 1, 15)
    number = 0
    for customer in range(1, 41):
        for month in range(12):
            number += 1
            sheet.append([f"{customer:05d}", f"บริษัท ลูกค้า {customer} จำกัด", start + timedelta(days=30 * month),
                          round(100_000 / customer, 2), f"INV-{number:05d}", "อินเทอร์เน็ต"])
    book.save(path)


def nav(page, title_key: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=i18n.t(title_key, "th")).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def choose(page, key: str, option: str) -> None:
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(200)
    wait_for_app(page)


def test_a_billing_workbook_goes_from_upload_to_the_vip_list(page, app_url, tmp_path):
    workbook = tmp_path / "ยอดขาย 2567.xlsx"
    finance_workbook(workbook)
    open_app(page, f"{app_url}/?lang=th")
    started = time.perf_counter()
    nav(page, "page.customers_import")
    page.locator(".st-key-bills_upload_0 input[type=file]").set_input_files(str(workbook))
    wait_for_app(page)
    expect(page.get_by_text(i18n.t("bills_page.missing", "th", fields=i18n.t("billing.field.amount", "th")))
           ).to_be_visible()
    expect(page.locator(".st-key-bills_check button")).to_be_disabled()
    choose(page, "bills_map_amount_-1", "ยอดสุทธิ (บาท)")
    expect(page.get_by_text(i18n.t("bills_page.samples", "th", values="100000 · 100000 · 100000"))).to_be_visible()
    page.locator(".st-key-bills_check button").click()
    wait_for_app(page)
    expect(page.get_by_text(i18n.t("bills_page.step_summary", "th"))).to_be_visible()
    cards = page.locator("[data-testid='stMetricValue']")
    expect(cards.nth(0)).to_have_text("480")
    expect(cards.nth(2)).to_have_text("40")
    page.locator(".st-key-bills_import button").click()
    wait_for_app(page)
    expect(page.get_by_text("บันทึกแล้ว 480 บิล ลูกค้าใหม่ 40 ราย", exact=False)).to_be_visible()
    expect(page.get_by_text(i18n.t("bills_page.no_past", "th"))).to_have_count(0)
    expect(page.locator("[data-testid='stDataFrame']")).to_have_count(1)  # the imports so far
    expect(page.get_by_text(i18n.t("bills_page.step_mapping", "th"))).to_have_count(0)  # the file is done with

    nav(page, "page.customers_pareto")
    expect(page.locator(".st-key-customers_pareto_chart .js-plotly-plot")).to_be_visible()
    expect(page.locator(".st-key-customers_lorenz_chart .js-plotly-plot")).to_be_visible()
    expect(page.get_by_text("จีนี", exact=False).first).to_be_visible()

    nav(page, "page.customers_vip")
    page.locator(".st-key-vip_apply button").click()
    wait_for_app(page)
    expect(page.get_by_text(i18n.t("vip.list_title", "th", n=8))).to_be_visible()  # 20 % of 40
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    elapsed = time.perf_counter() - started
    print(f"\nfrom the import page to the VIP list, driven: {elapsed:.1f} s")
    body = page.locator("section.main, [data-testid='stMain']").first.inner_text()
    assert "Traceback" not in body
