"""The Excel page through streamlit.testing.v1.AppTest, in Thai and English:
the three downloads (map, plan, pain points as CSV) with their file names,
and imports that list every problem or name the new journey by its day."""
from __future__ import annotations

from datetime import datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import streamlit
from openpyxl.utils import get_column_letter
from streamlit.testing.v1 import AppTest

from cem.core import auth, i18n
from cem.improvement import plan
from cem.journey import excel, services
from cem.core.db import get_engine, session_scope
from cem.core.i18n import LANGS, t
from cem.core.text import escape_markdown
from ui import auth as ui_auth

pytestmark = pytest.mark.pages
APP = str(Path(__file__).resolve().parent.parent / "app.py")
THAI_NAME = "คลินิก (นำเข้าจาก Excel)"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    """The app's database: one journey with a Thai name, a pain point, a measure and a task."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CEM_SEED_SAMPLE", "0")
    with session_scope(engine) as session:
        journey = services.create_journey(session, name=THAI_NAME, user="admin")
        stage = services.add_stage(session, journey_id=journey.id, name="นัดหมาย", user="admin")
        step = services.add_step(session, stage_id=stage.id, name="โทรจองคิว", user="admin")
        pain = services.add_pain_point(session, step_id=step.id, text="รอสายนาน", severity=4, user="admin")
        services.add_measure(session, pain_point_id=pain.id, kind="fix", text="โทรกลับ", user="admin")
        plan.create_task(session, step_id=step.id, title="ระบบโทรกลับ", start_month="2026-11", due_month="2026-12",
                         user="admin")
    return db_url


@pytest.fixture
def offered(monkeypatch):
    """Every download button the page draws, by key: its label, data and file name."""
    found = {}
    draw = streamlit.download_button

    def record(label, *args, **kwargs):
        found[kwargs["key"]] = {"label": label, **kwargs}
        return draw(label, *args, **kwargs)

    monkeypatch.setattr(streamlit, "download_button", record)
    return found


def open_excel_page(lang: str, user: str = "admin") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page("pages/data/excel.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def journeys(url) -> list[str]:
    with session_scope(get_engine(url)) as session:
        return [j.name for j in services.list_journeys(session)]


def workbook_of(url, lang) -> bytes:
    with session_scope(get_engine(url)) as session:
        journey_id = next(j.id for j in services.list_journeys(session) if j.name == THAI_NAME)
        return excel.export_journey(session, journey_id=journey_id, lang=lang)


def upload(at: AppTest, data: bytes, name: str = "") -> AppTest:
    at.file_uploader(key="excel_upload").upload("map.xlsx", data, XLSX)
    at.run()
    at.text_input(key="excel_new_name").input(name)
    return at.button(key="excel_import").click().run()


# ---------------------------------------------------------------- downloads


@pytest.mark.parametrize("lang", LANGS)
def test_downloads_keep_the_thai_name(app_db, offered, lang):
    """The map, the plan and the pain points download under the journey's Thai name, vowel marks and all."""
    open_excel_page(lang)
    assert offered["excel_download"]["file_name"] == f"{THAI_NAME}.xlsx"
    assert offered["excel_csv_download"]["file_name"] == t("excel_page.csv_file", lang, name=THAI_NAME) + ".csv"
    # The plan's name: see test_the_plan_workbook_is_sent_only_to_a_signed_in_session.


def test_unsafe_characters_leave_the_file_name(app_db, offered):
    """A journey called “A/B: *new*” downloads as “A B new .xlsx”-like names without slashes or colons."""
    with session_scope(get_engine(app_db)) as session:
        journey = services.list_journeys(session)[0]
        services.update_journey(session, journey_id=journey.id, name='A/B: "new"?', description="", user="admin")
    open_excel_page("en")
    assert offered["excel_download"]["file_name"] == "A B new.xlsx"
    assert offered["excel_csv_download"]["file_name"] == "A B new – pain points.csv"


@pytest.mark.parametrize("lang", LANGS)
def test_the_plan_workbook_is_sent_only_to_a_signed_in_session(app_db, lang):
    """The plan (people's phones) is not a media file: the button links to the app's own address, which
    builds the workbook in the reader's language for a signed-in session and refuses anyone else."""
    at = open_excel_page(lang)
    [link] = [b for b in at.get("link_button") if b.proto.label == t("excel_page.plan_download", lang)]
    journey_id = at.session_state["ui_journey_id"]
    assert link.proto.url == f"{ui_auth.PLAN_ROUTE}?journey={journey_id}&lang={lang}"
    with session_scope(get_engine(app_db)) as session:
        auth.update_user(session, username="admin", password="a long enough secret", user="admin")
        handoff = auth.sign_in(session, username="admin", password="a long enough secret").handoff
        token = auth.claim_session(session, handoff=handoff)
    data, name = ui_auth._plan_for(token, str(journey_id), lang)
    book = openpyxl.load_workbook(BytesIO(data))
    assert book.sheetnames[1] == t("plan_export.sheet.tasks", lang)
    assert book[t("plan_export.sheet.tasks", lang)].cell(2, 4).value == "ระบบโทรกลับ"
    assert name == t("excel_page.plan_file", lang, name=THAI_NAME) + ".xlsx" and "คลินิก" in name
    assert ui_auth._plan_for("", str(journey_id), lang) is None
    assert ui_auth._plan_for("not a session", str(journey_id), lang) is None
    assert ui_auth._plan_for(token, "x", lang) is None


@pytest.mark.parametrize("lang", LANGS)
def test_pain_points_download_as_csv(app_db, offered, lang):
    """The README's pain points CSV is offered: one row per measure, headings in the reader's language."""
    at = open_excel_page(lang)
    button = offered["excel_csv_download"]
    assert callable(button["data"]) and button["mime"].startswith("text/csv")
    text = button["data"]().decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].lstrip('"').startswith(t("data.csv.stage_no", lang))  # every text is quoted
    assert "รอสายนาน" in lines[1] and "โทรกลับ" in lines[1] and len(lines) == 2
    labels = [b.label for b in at.get("download_button")]
    assert t("excel_page.csv_download", lang) in labels


def test_a_viewer_can_take_everything_away(app_db, offered):
    """An executive (viewer) may download the map, the plan and the CSV but not import."""
    at = open_excel_page("th", user="viewer")
    assert {"excel_download", "excel_csv_download"} <= set(offered)
    assert [b for b in at.get("link_button") if b.proto.label == t("excel_page.plan_download", "th")]
    assert not [u for u in at.file_uploader]


# ---------------------------------------------------------------- imports


@pytest.mark.parametrize("lang", LANGS)
def test_import_lists_every_problem(app_db, lang):
    """A workbook with three mistakes shows all three, each with sheet, row and column, and imports nothing."""
    data = workbook_of(app_db, lang)
    book = openpyxl.load_workbook(BytesIO(data))
    steps = book[t("excel.sheet.steps", lang)]
    pains = book[t("excel.sheet.pains", lang)]
    heading = {cell.value: get_column_letter(cell.column) for cell in pains[1]}
    pains[f"{heading[t('excel.col.severity', lang)]}2"] = 9
    pains[f"{heading[t('excel.col.status', lang)]}2"] = "maybe"
    steps["B2"] = "x"  # the sub-step number
    out = BytesIO()
    book.save(out)

    at = upload(open_excel_page(lang), out.getvalue())
    assert not at.exception
    message = at.error[0].value
    assert t("excel.err.several", lang, count=3) in message
    for sheet, column in ((t("excel.sheet.steps", lang), t("excel.col.step_no", lang)),
                          (t("excel.sheet.pains", lang), t("excel.col.severity", lang)),
                          (t("excel.sheet.pains", lang), t("excel.col.status", lang))):
        assert escape_markdown(column) in message and escape_markdown(sheet) in message
    assert message.count("\n- ") == 3
    assert journeys(app_db) == [THAI_NAME]


def test_many_problems_are_cut_at_fifty(app_db):
    """Sixty bad rows show fifty of them and say how many more there are."""
    book = openpyxl.load_workbook(BytesIO(workbook_of(app_db, "en")))
    ideas = book["Ideas"]
    for row in range(2, 62):
        ideas.cell(row, 1, 1), ideas.cell(row, 2, 1), ideas.cell(row, 3, "a_x0000_b")
    out = BytesIO()
    book.save(out)
    at = upload(open_excel_page("en"), out.getvalue())
    message = at.error[0].value
    assert message.count("\n- ") == 51 and message.endswith("- and 10 more")
    assert journeys(app_db) == [THAI_NAME]


@pytest.mark.parametrize("lang", LANGS)
def test_import_without_a_name_gets_the_day(app_db, lang):
    """With the name left empty the import is “… (imported 1 Dec 2026)” or its Thai form, never a second “…”."""
    at = upload(open_excel_page(lang), workbook_of(app_db, lang))
    assert not at.exception and not at.error
    today = datetime.now(ZoneInfo("Asia/Bangkok")).date()  # the browser's time zone, Bangkok without one
    expected = t("excel.imported_name", lang, name=THAI_NAME, date=excel.day_label(today, lang))
    assert sorted(journeys(app_db)) == sorted([THAI_NAME, expected])
    assert at.title[0].value == i18n.t("page.board", lang)
    upload(open_excel_page(lang), workbook_of(app_db, lang))
    assert t("excel.imported_name_again", lang, name=THAI_NAME, date=excel.day_label(today, lang), count=2) in (
        journeys(app_db))
