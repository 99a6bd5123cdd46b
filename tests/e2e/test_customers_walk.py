"""The customers' half in Chromium, in Thai, as a newcomer walks it: upload
finance's workbook, choose the column the app could not guess, check,
store, see the Pareto chart and the Lorenz curve, mark the VIPs; open the
top VIP, add a decision maker and a complaint at a sub-step of the map, and
see that sub-step's revenue at risk on the board."""
from __future__ import annotations

import io
import time
from datetime import date, timedelta
from urllib.parse import urljoin

import openpyxl
from playwright.sync_api import TimeoutError as PlaywrightTimeout, expect

import pytest

from cem.core import i18n
from sqlalchemy import select

from cem.core.db import get_engine, session_scope
from cem.core.models import ChangeLog, Customer
from cem.customers import profile, vip
from cem.journey import services
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tools.serve import running_app, wait_for_app

SUB_STEP = "นัดหมายเข้ารับบริการ"

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


@pytest.fixture(scope="module", params=BACKENDS)
def walk(request, tmp_path_factory):
    """A fresh server, and its database's URL, once per backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("walk")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url, database_url


def mapped_sub_step(database_url: str) -> None:
    """The team has mapped one stage with one sub-step (the map editor's
    grids are walked in the workshop tests)."""
    with session_scope(get_engine(database_url)) as session:
        journey = services.create_journey(session, name="คลินิกทันตกรรม", user=E2E_USER)
        stage = services.add_stage(session, journey_id=journey.id, name="ก่อนเข้ารับบริการ", user=E2E_USER)
        services.add_step(session, stage_id=stage.id, name=SUB_STEP, user=E2E_USER)


def test_a_billing_workbook_goes_from_upload_to_the_vip_list(page, walk, tmp_path):
    app_url, database_url = walk
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

    # The top VIP: a decision maker, then a complaint at a sub-step of the map.
    mapped_sub_step(database_url)
    nav(page, "page.customers_profile")
    page.locator(".st-key-profile_customer_search input").fill("00001")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text("บริษัท ลูกค้า 1 จำกัด 💎 VIP")).to_be_visible()
    page.get_by_role("tab", name=i18n.t("profile.tab.contacts", "th")).click()
    page.get_by_text(i18n.t("contact.add_or_change", "th")).click()
    page.locator(".st-key-contact_0_0_name input").fill("คุณดาว ใจดี")
    page.locator(".st-key-contact_0_0_position input").fill("ผู้จัดการฝ่ายจัดซื้อ")
    page.locator(".st-key-contact_0_0_mobile input").fill("081-234-5678")
    page.locator(".st-key-contact_0_0_decision label").click()
    page.locator(".st-key-contact_save button").click()
    wait_for_app(page)
    page.get_by_role("tab", name=i18n.t("profile.tab.contacts", "th")).click()
    card = page.locator("[class*='st-key-contact_card_']").first
    expect(card).to_contain_text("คุณดาว ใจดี")
    expect(card).to_contain_text(i18n.t("contact.decision_maker", "th"))
    expect(card).to_contain_text("081-234-5678")  # an administrator sees the mobile

    page.get_by_role("tab", name=i18n.t("profile.tab.complaints", "th")).click()
    page.get_by_text(i18n.t("complaint.add", "th")).click()
    page.locator(".st-key-profile_complaint_0_text textarea").fill("นัดแล้วรอเกินหนึ่งชั่วโมง ไม่มีใครแจ้ง")
    page.keyboard.press("Tab")
    wait_for_app(page)
    step_box = page.locator("[class*='st-key-profile_complaint_0_step_pick_']")
    for attempt in range(3):  # a rerun that lands while the list is open closes it: open it again
        box = step_box.get_by_role("combobox")
        box.click()
        box.press_sequentially("นัดหมาย", delay=10)
        try:
            page.get_by_role("option").filter(has_text=SUB_STEP).first.click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_for_app(page)
    wait_for_app(page)
    page.locator(".st-key-profile_complaint_save button").click()
    wait_for_app(page)
    page.get_by_role("tab", name=i18n.t("profile.tab.complaints", "th")).click()
    expect(page.get_by_text("นัดแล้วรอเกินหนึ่งชั่วโมง ไม่มีใครแจ้ง")).to_be_visible()
    expect(page.locator(".st-key-profile_complaint_1_text textarea")).to_have_value("")  # ready for the next

    # The board shows the sub-step's complaint and the revenue behind it.
    nav(page, "page.board")
    expect(page.get_by_text("📣 ข้อร้องเรียน 1 เรื่อง (ยังไม่ปิด 1)", exact=False).first).to_be_visible()
    expect(page.get_by_text("💎 VIP 1 ราย", exact=False).first).to_be_visible()


def test_the_vip_contacts_go_to_a_signed_in_session_only_and_are_logged(page, walk, browser):
    """The contacts workbook holds mobiles: no reusable media address; the
    app sends it to this session, a browser without it gets "forbidden",
    and the export is in the change log."""
    app_url, database_url = walk
    with session_scope(get_engine(database_url)) as session:
        first = session.execute(select(Customer.id).order_by(Customer.code)).scalars().first()
        if first is None:
            pytest.skip("the walk above imports the customers")
        vip.mark_by_hand(session, customer_id=first, decision="in", reason="key account", as_of=date.today(),
                         user=E2E_USER)
        profile.save_contact(session, customer_id=first, values={"name": "คุณเอ", "mobile": "089-000-1111"},
                             decision_maker=True, user=E2E_USER)
    open_app(page, f"{app_url}/?lang=th")
    nav(page, "page.customers_vip")
    link = page.locator(".st-key-vip_contacts_download a").first
    expect(link).to_be_visible()
    address = urljoin(page.url, link.get_attribute("href"))
    assert "/media/" not in address
    sent = page.request.get(address)
    assert sent.status == 200 and sent.body()[:2] == b"PK"
    sheet = openpyxl.load_workbook(io.BytesIO(sent.body())).active
    assert "089-000-1111" in [c.value for row in sheet.iter_rows() for c in row]
    outsider = browser.new_context()
    try:
        assert outsider.request.get(address).status == 403
    finally:
        outsider.close()
    with session_scope(get_engine(database_url)) as session:
        logged = session.execute(select(ChangeLog).where(ChangeLog.action == "export")).scalars().all()
    assert [entry.new["what"] for entry in logged][-1:] == ["vip_contacts"]
