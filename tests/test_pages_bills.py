"""AppTests of the billing import page, in Thai and English: the mapping
step, the summary, storing, refused rows, the date order question, undo.

AppTest cannot drive a file uploader, so these tests start from the file
as the page keeps it after reading an upload (a plain session key); the
upload itself is driven in Chromium (tests/e2e/test_customers_walk.py)."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import func, select

from cem.core import i18n
from cem.core.models import Bill, BillImport, ChangeLog
from cem.core.text import escape_markdown
from cem.customers import billing
from tests.test_pages import app_db, db_session, open_page  # noqa: F401 (fixture)

PAGE = "pages/customers/bills.py"
CSV = """รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ,เลขที่ใบแจ้งหนี้
C-001,บริษัท ทดสอบ จำกัด,15/01/2567,"1,500.00",T-001
C-001,บริษัท ทดสอบ จำกัด,16/02/2567,"2,000.00",T-002
C-002,ร้านทดลอง,17/03/2567,(250.00),T-003
"""


def with_file(at, text: str, name: str = "finance.csv"):
    """The page as it is after reading `text` as an uploaded file."""
    sheet = billing.read_file(text.encode("utf-8"), name)
    with db_session(at.app_db) as session:
        mapping, order = billing.guess_mapping(session, sheet.headings)
    at.session_state["bills_file"] = {"id": "test-file", "name": name, "sheet": sheet}
    at.session_state["bills_mapping"] = mapping
    at.session_state["bills_order"] = order or None
    return at.run()


def page(app_db, lang="en", user="admin"):
    at = open_page(PAGE, lang, user=user)
    at.app_db = app_db
    return at


def bills(app_db) -> int:
    with db_session(app_db) as session:
        return session.execute(select(func.count()).select_from(Bill)).scalar_one()


def button(at, key):
    return next(b for b in at.button if b.key == key)


def metric(at, key, lang="en"):
    return next(m.value for m in at.metric if m.label == i18n.t(key, lang))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_file_is_mapped_checked_summed_up_and_stored(app_db, lang):
    at = with_file(page(app_db, lang), CSV)
    before = bills(app_db)
    assert at.selectbox(key="bills_map_customer_code_0").value == 0  # guessed from รหัสลูกค้า
    assert any("บริษัท ทดสอบ จำกัด · บริษัท ทดสอบ จำกัด · ร้านทดลอง" in c.value for c in at.caption)  # samples
    button(at, "bills_check").click().run()
    assert metric(at, "bills_page.rows_read", lang) == "3"
    assert metric(at, "bills_page.bills_new", lang) == "3"
    assert metric(at, "bills_page.customers_new", lang) == "2"
    assert metric(at, "bills_page.total", lang) == "฿3,250.00"
    assert bills(app_db) == before  # nothing stored before the confirmation
    button(at, "bills_import").click().run()
    assert bills(app_db) == before + 3
    assert "bills_file" not in at.session_state
    assert not at.exception and not at.error


def test_a_changed_column_is_used_and_the_same_file_twice_adds_nothing(app_db):
    text = CSV.replace("เลขที่ใบแจ้งหนี้", "หมายเหตุ")  # a heading no field is guessed from
    at = with_file(page(app_db), text)
    assert "number" not in at.session_state["bills_mapping"]
    at.selectbox(key="bills_map_number_-1").select(4).run()
    assert at.session_state["bills_mapping"]["number"] == 4
    button(at, "bills_check").click().run()
    button(at, "bills_import").click().run()
    with db_session(app_db) as session:
        assert set(session.execute(select(Bill.number).where(Bill.number.like("T-%"))).scalars()) == {
            "T-001", "T-002", "T-003"}
    at = with_file(at, text)
    button(at, "bills_check").click().run()
    assert metric(at, "bills_page.bills_new") == "0"
    assert any(i18n.t("bills_page.already.many", "en", n=3) in i.value for i in at.info)
    assert not [b for b in at.button if b.key == "bills_import"]


def test_refused_rows_are_listed_and_the_good_rows_can_be_stored_alone(app_db):
    at = with_file(page(app_db), CSV + "C-003,ร้านผิด,32/13/2567,abc,T-004\n")
    button(at, "bills_check").click().run()
    refused = at.dataframe[0].value
    assert list(refused["Row"]) == [5, 5]
    assert set(refused["Column"]) == {"วันที่", "ยอดชำระ"}
    assert any(i18n.t("bills_page.refused.one", "en", n=1) in w.value for w in at.warning)
    before = bills(app_db)
    assert button(at, "bills_import").label == i18n.t("bills_page.import_good.many", "en", n=3)
    button(at, "bills_import").click().run()
    assert bills(app_db) == before + 3


def test_a_required_field_without_a_column_is_named_and_the_check_waits(app_db):
    at = with_file(page(app_db), CSV)
    at.selectbox(key="bills_map_amount_3").select(-1).run()
    assert any("Amount" in w.value for w in at.warning)
    assert button(at, "bills_check").disabled


def test_dates_that_read_both_ways_are_asked_about_once(app_db):
    at = with_file(page(app_db), "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\nC-9,ร้านเก้า,03/04/2024,100\nC-9,ร้านเก้า,05/06/2024,200\n")
    assert button(at, "bills_check").disabled
    at.radio(key="bills_order_pick").set_value("mdy").run()
    button(at, "bills_check").click().run()
    button(at, "bills_import").click().run()
    with db_session(app_db) as session:
        days = sorted(session.execute(select(Bill.day).where(Bill.amount_satang.in_([10_000, 20_000]))).scalars())
    assert [d.isoformat() for d in days] == ["2024-03-04", "2024-05-06"]


def test_an_unreadable_file_is_named_not_crashed_on(app_db):
    at = page(app_db)
    try:
        billing.read_file(b"PK\x03\x04 not a zip", "finance.xlsx")
    except billing.ImportFileError as error:
        at.session_state["bills_file"] = {"id": "bad", "name": "finance.xlsx", "error": error}
    at.run()
    assert at.error and i18n.t("excel.err.not_xlsx", "en") in at.error[0].value
    assert not at.exception


def test_an_import_is_undone_after_a_confirmation(app_db):
    at = page(app_db)
    with db_session(app_db) as session:
        sample = session.execute(select(BillImport)).scalars().one()
    assert bills(app_db) > 0
    assert button(at, "bills_undo").disabled
    at.checkbox(key="bills_undo_sure").check().run()
    button(at, "bills_undo").click().run()
    assert bills(app_db) == 0
    with db_session(app_db) as session:
        assert session.execute(select(ChangeLog).where(ChangeLog.item_type == "billimport",
                                                       ChangeLog.item_id == sample.id,
                                                       ChangeLog.action == "delete")).scalars().one()


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_viewer_sees_the_imports_but_cannot_import(app_db, lang):
    at = page(app_db, lang, user="viewer")
    assert any(i18n.t("bills_page.not_allowed", lang) in i.value for i in at.info)
    assert not [b for b in at.button if b.key in ("bills_check", "bills_undo")]
    assert len(at.dataframe[0].value) == 1  # the sample import


def test_the_sheet_name_is_shown_as_text_never_as_markdown(app_db):
    name = "[ยอด](javascript:alert(1))_**2567**_.csv"
    at = with_file(page(app_db), CSV, name=name)
    before_name = i18n.t("bills_page.mapping_help", "en", rows=3, sheet="\x00").split("\x00")[0]
    help_line = next(c.value for c in at.caption if c.value.startswith(before_name))
    assert f"“{escape_markdown(name)}”" in help_line
    assert not at.exception


# ---------------------------------------------------------------- after the import, and the reader's calendar


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_after_an_import_the_page_says_what_was_stored_and_where_to_go_next(app_db, lang):
    at = with_file(page(app_db, lang), CSV)
    button(at, "bills_check").click().run()
    assert not at.page_link  # nothing to go on to before the import
    button(at, "bills_import").click().run()
    stored = i18n.t("bills_page.imported", lang, bills=3, customers=2, skipped=0, total="฿3,250.00")
    assert any(stored in s.value for s in at.success)
    assert {(p.proto.page, p.value) for p in at.page_link} == {
        ("pareto", i18n.t("bills_page.next_pareto", lang)),
        ("vip", i18n.t("bills_page.next_vip", lang))}
    at = with_file(at, CSV.replace("T-00", "U-00"), name="next.csv")  # the next file: the old news goes
    assert not at.success and not at.page_link


def test_years_are_buddhist_era_in_thai(app_db):
    """The new bills' dates, the imports so far and a date cell's samples read 2567 in Thai, 2024 in English."""
    for lang, year in (("th", "2567"), ("en", "2024")):
        at = with_file(page(app_db, lang), CSV)
        button(at, "bills_check").click().run()
        assert any(i18n.t("bills_page.date_range", lang, first=f"15/01/{year}", last=f"17/03/{year}") in c.value
                   for c in at.caption)
        created = at.dataframe[-1].value[i18n.t("bills_page.col.when", lang)].iloc[0]
        with db_session(app_db) as session:
            made = session.execute(select(BillImport.created_at)).scalars().first()
        assert created.split(" ")[0].endswith(str(made.year + 543 if lang == "th" else made.year))
    # A date cell of a spreadsheet (read as a date, not as text) shows in the reader's calendar.
    sheet = billing.Sheet("Sheet1", ["รหัสลูกค้า", "ชื่อลูกค้า", "วันที่", "ยอดชำระ"],
                          [(2, ["C-1", "ร้านหนึ่ง", datetime(2024, 1, 15), 100.0])])
    for lang, shown in (("th", "15/01/2567"), ("en", "15/01/2024")):
        at = page(app_db, lang)
        at.session_state["bills_file"] = {"id": "cells", "name": "finance.xlsx", "sheet": sheet}
        at.session_state["bills_mapping"] = {"customer_code": 0, "customer_name": 1, "day": 2, "amount": 3}
        at.session_state["bills_order"] = None
        at.run()
        assert any(i18n.t("bills_page.samples", lang, values=shown) == c.value for c in at.caption), \
            [c.value for c in at.caption]
