"""Excel export and import of a journey map."""
from __future__ import annotations

import json
import os
import tempfile
import time
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from cem.journey import excel, services
from cem.core import staging
from cem.journey.csv_export import looks_like_formula
from cem.core.db import dispose_engine, get_engine, migrate, session_scope
from cem.core.errors import ImportFileError
from cem.core.i18n import LANGS, LOCALES_DIR, catalogue, t
from cem.core.models import Idea, Journey, Stage

USER = "tester"
LOCALES = LOCALES_DIR


def make_journey(session, name="บริการติดตั้งอินเทอร์เน็ต"):
    journey = services.create_journey(session, name=name, description="ลูกค้าบ้าน\nทุกพื้นที่", user=USER)
    one = services.add_stage(session, journey_id=journey.id, name="นำเสนอบริการ", phase="before", user=USER)
    two = services.add_stage(session, journey_id=journey.id, name="ใช้บริการ", description="ทุกวัน", user=USER)
    services.add_stage(session, journey_id=journey.id, name="Leaving", phase="after", user=USER)
    call = services.add_step(session, stage_id=one.id, name="โทรสอบถาม", touchpoint="Call center", emotion_now=-2,
                             emotion_target=2, easy=1, convenient=5, fast=3, user=USER)
    shop = services.add_step(session, stage_id=one.id, name="Shop", user=USER)
    services.add_step(session, stage_id=two.id, name="ใช้งาน", correct=4, user=USER)
    pains = [services.add_pain_point(session, step_id=call.id, text=text, severity=sev, status=status, user=USER)
             for text, sev, status in (("รอสายนาน", 5, "open"), ("ข้อมูลไม่ครบ", 2, "resolved"), ("โอนสายบ่อย", 3, "open"))]
    services.add_pain_point(session, step_id=shop.id, text="คิวยาว", severity=1, user=USER)
    services.add_measure(session, pain_point_id=pains[0].id, text="เพิ่มพนักงาน", kind="prevention", user=USER)
    services.add_measure(session, pain_point_id=pains[0].id, text="โทรกลับ", kind="fix", user=USER)
    services.add_measure(session, pain_point_id=pains[2].id, text="One stop", user=USER)
    services.add_idea(session, step_id=call.id, text="LINE chat", user=USER)
    services.add_idea(session, step_id=call.id, text="นัดเวลาโทรกลับ", user=USER)
    services.add_idea(session, step_id=shop.id, text="จองคิวออนไลน์", user=USER)
    return journey


def snapshot(session, journey_id):
    """Every field of every level, in order, without ids."""
    tree = services.load_journey_tree(session, journey_id)

    def fields(item, specs):
        return {spec.name: getattr(item, spec.name) for spec in specs}

    def step(view):
        pains = [{**fields(p, services.PAIN_FIELDS),
                  "measures": [fields(m, services.MEASURE_FIELDS) for m in view.measures[p.id]]}
                 for p in view.pain_points]
        ideas = [fields(i, services.IDEA_FIELDS) for i in view.ideas]
        return {**fields(view.step, services.STEP_FIELDS), "pains": pains, "ideas": ideas}

    stages = [{**fields(s.stage, services.STAGE_FIELDS), "steps": [step(view) for view in s.steps]}
              for s in tree.stages]
    return {**fields(tree.journey, services.JOURNEY_FIELDS), "stages": stages}


def journey_count(session):
    return session.exec(select(func.count()).select_from(Journey)).one()


def edited(data: bytes, change) -> bytes:
    """The workbook after `change(book)`, saved again."""
    book = openpyxl.load_workbook(BytesIO(data))
    change(book)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def import_error(session, data: bytes) -> ImportFileError:
    before = journey_count(session)
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=data, user=USER)
    assert journey_count(session) == before
    return caught.value


def column_of(ws, key: str) -> int:
    headings = [cell.value for cell in ws[1]]
    return next(i for i, h in enumerate(headings, 1) if h in {t(key, lang) for lang in LANGS})


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("lang", LANGS)
def test_round_trip_loses_nothing(session, lang):
    """A map exported and imported again comes back the same, in Thai or English."""
    original = make_journey(session)
    data = excel.export_journey(session, journey_id=original.id, lang=lang)
    copy = excel.import_journey(session, data=data, user="alice", lang=lang)
    assert copy.id != original.id
    assert snapshot(session, copy.id) == {**snapshot(session, original.id), "name": copy.name}
    assert copy.name.startswith(original.name + " (") and copy.name != original.name
    assert copy.created_by == "alice"


def test_sheets_and_headings_in_chosen_language(session):
    """The workbook shows Thai sheet names and bold, frozen headings."""
    journey = make_journey(session)
    book = openpyxl.load_workbook(BytesIO(excel.export_journey(session, journey_id=journey.id, lang="th")))
    assert book.sheetnames == [t(sheet.key, "th") for sheet in excel.SHEETS]
    stages = book[t("excel.sheet.stages", "th")]
    assert stages["A1"].value == "ลำดับขั้นตอนหลัก" and stages["A1"].font.b
    assert stages.freeze_panes == "A2"
    assert stages.cell(2, column_of(stages, "excel.col.phase")).value == "ก่อนให้บริการ"
    assert isinstance(stages["A2"].value, int)


def test_labels_of_either_language_and_raw_codes_are_read(session):
    """A Thai workbook with English labels or raw codes typed in still imports."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="th")

    def retype(book):
        ws = book[t("excel.sheet.stages", "th")]
        ws.cell(2, column_of(ws, "excel.col.phase")).value = "  BEFORE service "
        ws.cell(4, column_of(ws, "excel.col.phase")).value = "after"

    copy = excel.import_journey(session, data=edited(data, retype), user=USER, name=journey.name)
    assert snapshot(session, copy.id) == snapshot(session, journey.id)


def test_blank_rows_are_skipped_and_name_can_be_given(session):
    """Empty rows in a sheet are ignored, and the person may name the copy."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    copy = excel.import_journey(session, data=edited(data, lambda b: b["Stages"].insert_rows(3, 2)),
                                user=USER, name="  Copy  ")
    assert copy.name == "Copy"
    assert snapshot(session, copy.id)["stages"] == snapshot(session, journey.id)["stages"]


FORMULA_TEXTS = ["=1+2", "+SUM(A1:A9)", "-2+3", "@cmd", '=HYPERLINK("http://x","y")',
                 "=A1\t=B1", "x\r=cmd|' /C calc'!A0", "_x0041_ stays _x005F_"]


def test_text_that_looks_like_a_formula_stays_text(session):
    """Text starting with = + - @ opens in Excel as plain text, never a formula, and comes back unchanged."""
    journey = services.create_journey(session, name="=cmd", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="+stage", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="@step", touchpoint="-1", user=USER)
    for text in FORMULA_TEXTS:
        services.add_idea(session, step_id=step.id, text=text, user=USER)
    leading = services.add_idea(session, step_id=step.id, text="placeholder", user=USER)
    leading.text = "\t=1+1"  # not possible through the app (it strips), but written as text all the same
    session.commit()
    raw = services.add_idea(session, step_id=step.id, text="placeholder", user=USER)
    raw.text = "\r=1+1"
    session.commit()

    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    book = openpyxl.load_workbook(BytesIO(data))
    for ws in book.worksheets:
        for row in ws.iter_rows():
            assert all(cell.data_type in ("s", "n") for cell in row)
    ideas = [cell for cell in book["Ideas"]["C"][1:]]
    assert all(cell.data_type == "s" for cell in ideas)
    assert ideas[0].value == "=1+2"

    copy = excel.import_journey(session, data=data, user=USER, name="=cmd")
    tree = snapshot(session, copy.id)
    assert tree["name"] == "=cmd"
    texts = [idea["text"] for idea in tree["stages"][0]["steps"][0]["ideas"]]
    assert texts == FORMULA_TEXTS + ["=1+1", "=1+1"]  # the import strips, like every form


def test_formula_like_text_carries_excels_quote_prefix(session):
    """Formula-like text is marked with Excel's quote prefix, so it stays text even after someone edits the cell."""
    journey = services.create_journey(session, name="=cmd", description="plain", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="ขั้นตอน", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="@step", touchpoint="-1", easy=3, user=USER)
    for text in FORMULA_TEXTS + ["ไทย =1", "'=quoted"]:
        services.add_idea(session, step_id=step.id, text=text, user=USER)
    raw = services.add_idea(session, step_id=step.id, text="placeholder", user=USER)
    raw.text = "\r=1+1"
    session.commit()

    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    book = openpyxl.load_workbook(BytesIO(data))
    checked = 0
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.quotePrefix == looks_like_formula(excel.unescape(cell.value)), cell.value
                    checked += cell.quotePrefix
                else:
                    assert not cell.quotePrefix
    assert checked == 3 + 6 + 1  # name, sub-step, touchpoint; six formula-like ideas; the raw CR idea
    ideas = book["Ideas"]
    assert [c.quotePrefix for c in ideas["C"][1:]] == [True] * 6 + [False] * 4 + [True]
    assert ideas["C2"].value == "=1+2" and ideas["C2"].data_type == "s"
    copy = excel.import_journey(session, data=data, user=USER, lang="en")
    tree = snapshot(session, copy.id)
    assert tree["name"].startswith("=cmd (imported ")
    assert tree["stages"][0]["steps"][0]["touchpoint"] == "-1"
    texts = [idea["text"] for idea in tree["stages"][0]["steps"][0]["ideas"]]
    assert texts == FORMULA_TEXTS + ["ไทย =1", "'=quoted", "=1+1"]  # the import strips, like every form


# ---------------------------------------------------------------- what is refused


def test_bad_severity_names_sheet_row_and_column(session):
    """A severity of 9 in row 4 says: sheet “Pain points”, row 4, column “Severity (1-5)”; nothing is imported."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def spoil(book):
        ws = book["Pain points"]
        ws.cell(4, column_of(ws, "excel.col.severity")).value = 9

    stages_before = session.exec(select(func.count()).select_from(Stage)).one()
    error = import_error(session, edited(data, spoil))
    assert error.code == "excel.err.cell"
    assert error.params["sheet"] == "Pain points"
    assert error.params["row"] == 4
    assert error.params["column"] == "Severity (1-5)"
    assert error.params["problem"] == "err.int_range"
    assert (error.params["min"], error.params["max"], error.params["value"]) == (1, 5, "9")
    assert session.exec(select(func.count()).select_from(Stage)).one() == stages_before


def test_failure_while_saving_leaves_nothing(session, monkeypatch):
    """If saving fails half-way, the journey does not appear at all."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    before = journey_count(session)

    def broken_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        excel.import_journey(session, data=data, user=USER)
    monkeypatch.undo()
    assert journey_count(session) == before
    assert session.exec(select(func.count()).select_from(Idea)).one() == 3


def test_staging_files_go_and_connections_come_back_clean(session, monkeypatch, tmp_path):
    """On SQLite the rows are staged in a private file before the write
    lock: it is gone after an import and after a failed one, and the
    pooled connection that attached it works for the next import."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    first = excel.import_journey(session, data=data, user=USER)

    def broken_commit():
        raise RuntimeError("disk full")

    with monkeypatch.context() as broken:
        broken.setattr(session, "commit", broken_commit)
        with pytest.raises(RuntimeError):
            excel.import_journey(session, data=data, user=USER)
    second = excel.import_journey(session, data=data, user=USER)
    original = snapshot(session, journey.id)
    assert [snapshot(session, j.id) for j in (first, second)] == [{**original, "name": j.name} for j in (first, second)]
    assert list(tmp_path.glob("cem-import-*")) == []
    assert services.list_journeys(session)  # a plain read on a connection that had the file attached


def test_sqlite_staging_files_left_by_a_killed_import_go_a_day_later(session, monkeypatch, tmp_path):
    """A process killed while importing leaves its staging file behind; the next import removes it once it is a day old."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, recent = tmp_path / "cem-import-old.sqlite", tmp_path / "cem-import-recent.sqlite"
    for left in (old, recent):
        left.write_bytes(b"rows")
    os.utime(old, (time.time() - staging.STALE_AFTER_S - 60,) * 2)
    journey = make_journey(session)
    excel.import_journey(session, data=excel.export_journey(session, journey_id=journey.id, lang="en"), user=USER)
    assert sorted(p.name for p in tmp_path.glob("cem-import-*")) == [recent.name]


def test_sqlite_storing_unstaged_rows_is_refused(session):
    """store_imported_journey is a write service of its own: on SQLite it
    needs the rows staged (import_journey does it), and says so."""
    before = journey_count(session)
    with pytest.raises(RuntimeError, match="staged"):
        excel.store_imported_journey(session, {"journey": []}, user=USER)
    assert journey_count(session) == before


def test_missing_sheet(session):
    """A workbook without the ideas sheet says which sheet is missing."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="th")
    error = import_error(session, edited(data, lambda b: b.remove(b[t("excel.sheet.ideas", "th")])))
    assert error.code == "excel.err.missing_sheet"
    assert error.params == {"sheet": "excel.sheet.ideas"}


def test_missing_journey_sheet_alone(session):
    """A workbook without its journey sheet says only that."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    error = import_error(session, edited(data, lambda b: b.remove(b["Journey"])))
    assert (error.code, error.params) == ("excel.err.missing_sheet", {"sheet": "excel.sheet.journey"})


def test_missing_column(session):
    """A stages sheet without its phase column says which column is missing."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def drop(book):
        ws = book["Stages"]
        ws.delete_cols(column_of(ws, "excel.col.phase"))

    error = import_error(session, edited(data, drop))
    assert error.code == "excel.err.missing_column"
    assert error.params == {"sheet": "Stages", "column": "excel.col.phase"}


def test_measure_of_unknown_pain_point(session):
    """A measure pointing at pain point 1.1.99 says that pain point does not exist."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def orphan(book):
        ws = book["Measures"]
        ws.cell(3, column_of(ws, "excel.col.pain_no")).value = 99

    error = import_error(session, edited(data, orphan))
    assert error.code == "excel.err.no_parent"
    assert error.params == {"sheet": "Measures", "row": 3, "column": "Pain point no.",
                            "parent": "excel.sheet.pains", "number": "1.1.99"}


def test_duplicate_number(session):
    """Two sub-steps both numbered 1.1 are refused, naming both rows."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def twice(book):
        ws = book["Sub-steps"]
        ws.cell(3, column_of(ws, "excel.col.step_no")).value = 1

    error = import_error(session, edited(data, twice))
    assert isinstance(error, excel.ImportFileErrors)
    assert error.errors[0].code == "excel.err.duplicate"
    assert error.errors[0].params == {"sheet": "Sub-steps", "row": 3, "column": "Sub-step no.", "number": "1.1",
                                      "first_row": 2}
    # Sub-step 1.2 is gone, so its pain point and idea have no sub-step to belong to.
    assert [(e.code, e.params["sheet"], e.params["row"], e.params["number"]) for e in error.errors[1:]] == [
        ("excel.err.no_parent", "Pain points", 5, "1.2"), ("excel.err.no_parent", "Ideas", 4, "1.2")]


def test_every_problem_is_reported_with_sheet_row_and_column(session):
    """A workbook with five mistakes in four sheets lists all five, in file order, and imports nothing."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def spoil(book):
        stages, steps, pains, measures = (book[name] for name in ("Stages", "Sub-steps", "Pain points", "Measures"))
        stages.cell(3, column_of(stages, "excel.col.stage_name")).value = None
        steps.cell(2, column_of(steps, "excel.col.emotion_now")).value = 7
        pains.cell(3, column_of(pains, "excel.col.severity")).value = "high"
        pains.cell(3, column_of(pains, "excel.col.status")).value = "maybe"
        measures.cell(4, column_of(measures, "excel.col.pain_no")).value = 99

    error = import_error(session, edited(data, spoil))
    assert isinstance(error, excel.ImportFileErrors)
    assert error.params == {"count": 5, "more": 0}
    found = [(e.params["sheet"], e.params["row"], e.params["column"], e.params.get("problem", e.code))
             for e in error.errors]
    assert found == [
        ("Stages", 3, "Stage", "err.required"),
        ("Sub-steps", 2, "Customer emotion now (-2 to 2)", "err.int_range"),
        ("Pain points", 3, "Severity (1-5)", "err.int_range"),
        ("Pain points", 3, "Status", "err.choice"),
        ("Measures", 4, "Pain point no.", "excel.err.no_parent"),
    ]
    assert t("excel.err.several", "en", count=5) == "The workbook has 5 problems, so nothing was imported:"


def test_at_most_fifty_problems_are_listed_and_the_rest_counted(session):
    """Sixty bad rows list the first fifty and say how many more there are."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="th")

    def spoil(book):
        ws = book[t("excel.sheet.ideas", "th")]
        for row in range(5, 65):
            ws.cell(row, 1, 1), ws.cell(row, 2, 1), ws.cell(row, 3, "a_x0000_b")

    error = import_error(session, edited(data, spoil))
    assert error.params == {"count": 60, "more": 10}
    assert len(error.errors) == excel.MAX_ERRORS == 50
    assert [e.params["row"] for e in error.errors] == list(range(5, 55))
    assert all(e.params["problem"] == "err.bad_characters" for e in error.errors)
    assert t("excel.err.more", "th", count=10) == "และอีก 10 รายการ"


def test_missing_sheets_and_columns_are_all_named(session):
    """Three missing sheets and a missing column are reported together."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")

    def spoil(book):
        book.remove(book["Journey"])
        book.remove(book["Ideas"])
        book.remove(book["Measures"])
        book["Stages"].delete_cols(column_of(book["Stages"], "excel.col.phase"))

    error = import_error(session, edited(data, spoil))
    assert [(e.code, e.params) for e in error.errors] == [
        ("excel.err.missing_sheet", {"sheet": "excel.sheet.journey"}),
        ("excel.err.missing_column", {"sheet": "Stages", "column": "excel.col.phase"}),
        ("excel.err.missing_sheet", {"sheet": "excel.sheet.measures"}),
        ("excel.err.missing_sheet", {"sheet": "excel.sheet.ideas"}),
    ]


# ---------------------------------------------------------------- the new journey's name


@pytest.mark.parametrize("lang, expected", [("en", "Clinic (imported 1 Dec 2026)"),
                                            ("th", "Clinic (นำเข้า 1 ธ.ค. 2569)")])
def test_an_import_gets_its_own_name_with_the_date(session, lang, expected):
    """Imported without a name, the new journey is told apart by the day, in the reader's language."""
    journey = make_journey(session, name="Clinic")
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    copy = excel.import_journey(session, data=data, user=USER, lang=lang, today=date(2026, 12, 1))
    assert copy.name == expected
    blank = excel.import_journey(session, data=data, user=USER, lang=lang, today=date(2026, 12, 2), name="  ")
    assert blank.name == expected.replace("1", "2", 1)


def test_a_taken_import_name_gets_a_counter(session):
    """Importing the same workbook again that day, or over a journey already so named, counts on."""
    journey = make_journey(session, name="คลินิก")
    services.create_journey(session, name="คลินิก (นำเข้า 1 ธ.ค. 2569 ครั้งที่ 2)", user=USER)
    data = excel.export_journey(session, journey_id=journey.id, lang="th")
    names = [excel.import_journey(session, data=data, user=USER, lang="th", today=date(2026, 12, 1)).name
             for _ in range(3)]
    assert names == ["คลินิก (นำเข้า 1 ธ.ค. 2569)", "คลินิก (นำเข้า 1 ธ.ค. 2569 ครั้งที่ 3)",
                     "คลินิก (นำเข้า 1 ธ.ค. 2569 ครั้งที่ 4)"]
    again = excel.import_journey(session, data=data, user=USER, lang="en", today=date(2026, 12, 1))
    assert again.name == "คลินิก (imported 1 Dec 2026)"


def test_a_typed_name_is_kept_as_typed(session):
    """A name the person typed is used as it is, even one that is already taken."""
    journey = make_journey(session, name="Clinic")
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    assert excel.import_journey(session, data=data, user=USER, name=" Clinic ").name == "Clinic"


def test_a_long_name_is_shortened_to_keep_the_date(session):
    """A journey name at the length limit is cut so that the import date still fits."""
    journey = make_journey(session, name="ก" * 200)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    first, second = (excel.import_journey(session, data=data, user=USER, lang="en", today=date(2026, 1, 31))
                     for _ in range(2))
    assert len(first.name) == len(second.name) == 200
    assert first.name.endswith("ก (imported 31 Jan 2026)")
    assert second.name.endswith("ก (imported 31 Jan 2026, no. 2)")


def test_day_label():
    """Days read as Thai short months with Buddhist-era years in Thai."""
    assert excel.day_label(date(2026, 12, 1), "th") == "1 ธ.ค. 2569"
    assert excel.day_label(date(2027, 2, 28), "en") == "28 Feb 2027"
    assert excel.day_label(date(2026, 12, 1), "th", short=False) == "1 ธันวาคม 2569"
    assert excel.day_label(date(2026, 12, 1), "en", short=False) == "1 December 2026"


def test_bad_characters_are_refused(session):
    """A cell holding a NUL character (written _x0000_) is refused as bad characters."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    error = import_error(session, edited(data, lambda b: b["Ideas"].cell(2, 3, "a_x0000_b")))
    assert (error.code, error.params["problem"], error.params["row"]) == ("excel.err.cell", "err.bad_characters", 2)


def test_too_many_rows(session, monkeypatch):
    """A sheet with more rows than allowed is refused, naming the sheet."""
    journey = make_journey(session)
    data = excel.export_journey(session, journey_id=journey.id, lang="en")
    monkeypatch.setattr(excel, "MAX_ROWS", 2)
    error = import_error(session, data)
    assert error.code == "excel.err.too_many_rows"
    assert error.params == {"sheet": "Stages", "max": 2}


def test_not_a_workbook(session):
    """Bytes that are not an .xlsx file, or a zip that is no workbook, say the file is not Excel."""
    assert import_error(session, b"name,description\nx,y\n").code == "excel.err.not_xlsx"
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert import_error(session, out.getvalue()).code == "excel.err.not_xlsx"


def zip_of_zeros(size: int) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(size // 2**20):
                member.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize("size", [101 * 2**20, 5 * 2**20])
def test_zip_bomb_is_refused_before_parsing(session, monkeypatch, size):
    """A small file that unpacks to a huge or absurdly compressed one is refused unread."""
    def must_not_parse(*args, **kwargs):
        raise AssertionError("parsed a zip bomb")

    monkeypatch.setattr(excel.openpyxl, "load_workbook", must_not_parse)
    data = zip_of_zeros(size)
    assert len(data) < excel.MAX_UPLOAD_BYTES
    assert import_error(session, data).code == "excel.err.zip_bomb"


def test_oversize_file(session):
    """A file over 10 MB is refused with its size and the limit."""
    error = import_error(session, b"PK" + b"\0" * excel.MAX_UPLOAD_BYTES)
    assert error.code == "excel.err.too_big"
    assert error.params == {"size_mb": 10.0, "max_mb": 10}


def test_xml_entity_expansion_is_guarded():
    """openpyxl parses uploads with defusedxml, which refuses entity-expansion bombs."""
    assert openpyxl.DEFUSEDXML is True


# ---------------------------------------------------------------- catalogue


def test_every_excel_key_in_both_languages_and_sheet_names_valid():
    """Every message and heading exists in Thai and English; sheet names are ones Excel accepts."""
    catalogues = {lang: json.loads((LOCALES / lang / "excel.json").read_text(encoding="utf-8")) for lang in LANGS}
    assert catalogues["th"].keys() == catalogues["en"].keys()
    assert all(key.startswith("excel.") for key in catalogues["en"])
    for lang in LANGS:
        names = [catalogues[lang][sheet.key] for sheet in excel.SHEETS]
        assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)
        for sheet in excel.SHEETS:
            assert catalogues[lang][sheet.key]
            assert all(catalogues[lang][c.key] for c in sheet.columns)
            assert all(catalogues[lang][f"excel.{c.field}.{code}"] for c in sheet.columns for code in c.codes)
    used = {"excel.err." + name for name in ("too_big", "not_xlsx", "zip_bomb", "missing_sheet", "missing_column",
                                              "too_many_rows", "one_journey", "cell", "no_parent", "duplicate")}
    assert used <= catalogues["en"].keys()
    assert {"excel.err.several", "excel.err.more", "excel.imported_name", "excel.imported_name_again"} <= set(
        catalogue("en"))


# ---------------------------------------------------------------- any text at all

THAI = "กขฃคฅฆงจฉชซฌญฎฏฐฑฒณดตถทธนบปผฝพฟภมยรลวศษสหฬอฮะัาำิีึืุูเแโใไๅๆ่้๊๋์ ๐๑๒"
any_char = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
texts = st.tuples(st.sampled_from(["", "=", "+", "-", "@"]),
                  st.text(st.one_of(any_char, st.sampled_from(THAI), st.sampled_from("\t\r\n =_x0041")),
                          max_size=40)).map("".join)
short_texts = texts.map(lambda s: s.strip()[:200] or "x")
rating = st.one_of(st.none(), st.integers(1, 5))
emotion = st.one_of(st.none(), st.integers(-2, 2))
pains = st.lists(st.tuples(texts.map(lambda s: s.strip() or "p"), st.integers(1, 5),
                           st.sampled_from(["open", "resolved"]),
                           st.lists(st.tuples(st.sampled_from(["prevention", "fix"]), texts), max_size=2)),
                 max_size=2)
steps = st.lists(st.tuples(short_texts, texts, emotion, emotion, rating, rating, rating, rating, pains,
                           st.lists(texts.map(lambda s: s.strip() or "i"), max_size=2)), max_size=2)
stages = st.lists(st.tuples(short_texts, texts, st.sampled_from(["", "before", "during", "after"]), steps),
                  min_size=1, max_size=3)


def build(session, name, description, stage_list):
    journey = services.create_journey(session, name=name, description=description, user=USER)
    for stage_name, stage_text, phase, step_list in stage_list:
        stage = services.add_stage(session, journey_id=journey.id, name=stage_name, description=stage_text,
                                   phase=phase, user=USER)
        for name_, touch, now, target, easy, conv, fast, correct, pain_list, idea_list in step_list:
            step = services.add_step(session, stage_id=stage.id, name=name_, touchpoint=touch[:200],
                                     emotion_now=now, emotion_target=target, easy=easy, convenient=conv,
                                     fast=fast, correct=correct, user=USER)
            for text, severity, status, measures in pain_list:
                pain = services.add_pain_point(session, step_id=step.id, text=text, severity=severity,
                                               status=status, user=USER)
                for kind, measure in measures:
                    if measure.strip():
                        services.add_measure(session, pain_point_id=pain.id, text=measure, kind=kind, user=USER)
            for idea in idea_list:
                services.add_idea(session, step_id=step.id, text=idea, user=USER)
    return journey


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=short_texts, description=texts, stage_list=stages, lang=st.sampled_from(LANGS))
def test_any_text_round_trips_exactly(session, name, description, stage_list, lang):
    """Whatever Thai, symbols or formula-like text people type comes back exactly after export and import."""
    journey = build(session, name, description, stage_list)
    assert journey.name == name.replace("\r\n", "\n")
    data = excel.export_journey(session, journey_id=journey.id, lang=lang)
    copy = excel.import_journey(session, data=data, user=USER, name=journey.name)
    assert snapshot(session, copy.id) == snapshot(session, journey.id)


@given(text=st.text(st.one_of(any_char, st.sampled_from("_x0041F\r"))))
def test_escape_round_trips(text):
    """Characters XML cannot hold are written so that they read back unchanged."""
    assert excel.unescape(excel.escape(text)) == text
    assert not any(ch in excel.escape(text) for ch in "\r\x01\x1f\ufffe")
