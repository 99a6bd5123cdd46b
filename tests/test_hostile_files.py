"""Hostile and damaged input: every refusal is a CemError that says what and
where, never a crash (a traceback with server paths)."""
from __future__ import annotations

import json
import re
import time
import zipfile
from io import BytesIO

import openpyxl
import pytest

from cem import backup
from cem.journey import excel, services
from cem.core.auth import PermissionDenied
from cem.core import validation as v
from cem.core.errors import CemError, ImportFileError
from cem.core.i18n import error_text, t

USER = "tester"


def small_workbook(session) -> bytes:
    journey = services.create_journey(session, name="Clinic", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Visit", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="Queue", user=USER)
    services.add_pain_point(session, step_id=step.id, text="Long wait", user=USER)
    return excel.export_journey(session, journey_id=journey.id, lang="en")


def with_cell(data: bytes, sheet: str, row: int, column: int, value) -> bytes:
    book = openpyxl.load_workbook(BytesIO(data))
    book[sheet].cell(row, column, value)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- i18n and text


def test_a_message_may_have_a_parameter_named_key():
    """t() takes its own key positionally, so a parameter called `key` fills the message."""
    assert t("data.err.duplicate_key", "en", key="tables") == "The backup file names “tables” twice in the same object."
    assert "tables" in error_text(ImportFileError("data.err.duplicate_key", key="tables"), "th")


@pytest.mark.parametrize("bad", ["a\ud800b", "\udfff", "x\udc00"])
def test_text_with_a_lone_surrogate_is_refused(bad):
    """A lone surrogate cannot be stored (UTF-8 refuses it): every text check says so."""
    with pytest.raises(v.FieldProblem) as caught:
        v.text(200)(bad)
    assert caught.value.code == "err.bad_characters"
    assert v.text(200)("ok 😀") == "ok 😀"  # a real pair is a character like any other


def test_a_service_refuses_a_lone_surrogate_clearly(session):
    with pytest.raises(CemError) as caught:
        services.create_journey(session, name="bad \ud800 name", user=USER)
    assert caught.value.params["problem"] == "err.bad_characters"


# ---------------------------------------------------------------- Excel


def test_a_cell_escaping_a_lone_surrogate_is_located(session):
    """_xD800_ in a cell unescapes to a lone surrogate: refused at its sheet, row and column."""
    data = with_cell(small_workbook(session), "Stages", 2, 2, "a_xD800_b")
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=data, user=USER)
    error = caught.value
    assert (error.code, error.params["problem"]) == ("excel.err.cell", "err.bad_characters")
    assert (error.params["sheet"], error.params["row"], error.params["column"]) == ("Stages", 2, "Stage")


def test_a_zip_claiming_an_unknown_version_is_refused(session):
    """A flipped byte in the central directory's "version needed" field is a damaged file, not a crash."""
    raw = bytearray(small_workbook(session))
    raw[raw.find(b"PK\x01\x02") + 6] = 0xFF
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=bytes(raw), user=USER)
    assert caught.value.code == "excel.err.bad_zip"
    assert "zip" in error_text(caught.value, "en")


# ---------------------------------------------------------------- Excel: limits and the role first


def with_rows_in_column_z(data: bytes, count: int, member: str = "xl/worksheets/sheet2.xml") -> bytes:
    """The workbook with `count` more rows in its second sheet (Stages), each
    holding a value only in column Z, which the import does not read."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                rows = "".join(f'<row r="{n}"><c r="Z{n}"><v>1</v></c></row>' for n in range(3, count + 3))
                content = content.replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            target.writestr(info.filename, content)
    return out.getvalue()


def test_a_million_rows_holding_nothing_the_import_reads_are_refused_at_once(session, capsys):
    """Blank rows count: 1,000,000 rows with a value only in column Z are
    refused within 2 s, naming the sheet and the limit."""
    data = with_rows_in_column_z(small_workbook(session), 1_000_000)
    start = time.perf_counter()
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=data, user=USER)
    seconds = time.perf_counter() - start
    with capsys.disabled():
        print(f"\n{len(data) / 2**20:.2f} MB workbook with 1,000,000 rows in column Z refused in {seconds:.2f} s")
    assert caught.value.code == "excel.err.too_many_lines"
    assert caught.value.params["sheet"] == "Stages"
    assert "Stages" in error_text(caught.value, "en")
    assert seconds < 2


def test_blank_rows_within_the_limit_are_still_skipped(session):
    data = with_rows_in_column_z(small_workbook(session), 100)
    journey = excel.import_journey(session, data=data, user=USER)
    assert [view.stage.name for view in services.load_journey_tree(session, journey.id).stages] == ["Visit"]


def test_one_row_with_too_many_cells_is_refused(session, monkeypatch):
    """Cells are counted while reading, so one enormous row stops the import too."""
    monkeypatch.setattr(excel, "MAX_CELLS", 500)
    source = zipfile.ZipFile(BytesIO(small_workbook(session)))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet2.xml":
                cells = "".join(f'<c r="{excel.get_column_letter(n)}3"><v>1</v></c>' for n in range(10, 2000))
                content = content.replace(b"</sheetData>", f'<row r="3">{cells}</row></sheetData>'.encode())
            target.writestr(info.filename, content)
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=out.getvalue(), user=USER)
    assert caught.value.code == "excel.err.too_many_cells"
    assert (caught.value.params["sheet"], caught.value.params["row"]) == ("Stages", 3)


def test_the_role_is_checked_before_the_file_is_read(session, monkeypatch):
    """A viewer's upload is refused without reading a byte of it."""
    data = small_workbook(session)

    def must_not_read(*args, **kwargs):
        raise AssertionError("read the file of someone who may not import")

    monkeypatch.setattr(excel, "_open_workbook", must_not_read)
    with pytest.raises(PermissionDenied):
        excel.import_journey(session, data=data, user="viewer")


# ---------------------------------------------------------------- Excel: one cell the parser cannot read

# Found by fuzzing single cells (types, numbers, dates, shared strings,
# booleans, styles, references); each was refused as "not an Excel
# workbook" before, without saying where.
UNREADABLE_CELLS = {
    "number that is text": '<c r="D2" t="n"><v>abc</v></c>',
    "number nan": '<c r="D2"><v>nan</v></c>',
    "number inf": '<c r="D2"><v>inf</v></c>',
    "number in hex": '<c r="D2"><v>0x10</v></c>',
    "shared string past the end": '<c r="D2" t="s"><v>999</v></c>',
    "shared string -1": '<c r="D2" t="s"><v>-1</v></c>',
    "shared string abc": '<c r="D2" t="s"><v>abc</v></c>',
    "shared string 1.5": '<c r="D2" t="s"><v>1.5</v></c>',
    "boolean abc": '<c r="D2" t="b"><v>abc</v></c>',
    "date garbage": '<c r="D2" t="d"><v>garbage</v></c>',
    "date 2026-13-45": '<c r="D2" t="d"><v>2026-13-45</v></c>',
    "style abc": '<c r="D2" s="abc"><v>1</v></c>',
    "reference without a column": '<c r="2"><v>1</v></c>',
    "reference past the last column": '<c r="ZZZZ2"><v>1</v></c>',
    "boolean 1.5": '<c r="D2" t="b"><v>1.5</v></c>',
}


def with_cell_xml(data: bytes, coordinate: str, xml: str, member: str = "xl/worksheets/sheet4.xml") -> bytes:
    """The workbook with the XML of one cell of the Pain points sheet replaced."""
    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == member:
                content = re.sub(rf'<c r="{coordinate}"[^>]*?(/>|>.*?</c>)'.encode(), xml.encode(), content, count=1)
            target.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.parametrize("xml", UNREADABLE_CELLS.values(), ids=UNREADABLE_CELLS.keys())
def test_a_cell_that_cannot_be_read_is_named(session, xml):
    """The pain point's cell cannot be read: the error names sheet, row and column."""
    data = with_cell_xml(small_workbook(session), "D2", xml)
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=data, user=USER)
    error = caught.value
    assert (error.code, error.params["problem"]) == ("excel.err.cell", "excel.problem.unreadable")
    assert (error.params["sheet"], error.params["row"], error.params["column"]) == (
        "Pain points", 2, "Pain point (customer's problem)")
    assert "Pain points" in error_text(error, "th")


def test_a_character_xml_cannot_hold_names_the_sheet(session):
    data = with_cell_xml(small_workbook(session), "D2", '<c r="D2" t="str"><v>a&#x1;b</v></c>')
    with pytest.raises(ImportFileError) as caught:
        excel.import_journey(session, data=data, user=USER)
    assert caught.value.code == "excel.err.bad_xml"
    assert caught.value.params == {"sheet": "Pain points", "after": 1}


def test_cells_that_read_well_enough_still_import(session):
    """Rich text, an inline string, a formula's cached value and a shared formula import as their text."""
    for xml, expected in (('<c r="D2" t="inlineStr"><is><r><t>a</t></r><r><rPr><b/></rPr><t>b</t></r></is></c>', "ab"),
                          ('<c r="D2" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>', "xy"),
                          ('<c r="D2" t="d"><v>2026-01-02T03:04:05</v></c>', "2026-01-02 03:04:05")):
        data = with_cell_xml(small_workbook(session), "D2", xml)
        journey = excel.import_journey(session, data=data, user=USER, name=f"Imported {expected}")
        step = services.load_journey_tree(session, journey.id).stages[0].steps[0]
        assert step.pain_points[0].text == expected


# ---------------------------------------------------------------- cells far away, cells written another way


@pytest.mark.parametrize("place", ["XFD1048576", "Z30000", "ZZ3000"])
def test_a_far_away_cell_is_imported_without_a_block_up_to_it(session, place):
    """A few kilobytes naming cell XFD1048576: a reader that keeps a sheet as
    one block from A1 (python-calamine does) would allocate gigabytes and
    abort the server. The import reads cells as they come, and the far cell
    is in no column it reads."""
    data = with_cell(small_workbook(session), "Pain points", *openpyxl.utils.cell.coordinate_to_tuple(place), "far")
    assert len(data) < 20_000
    journey = excel.import_journey(session, data=data, user=USER)
    assert [p.text for p in services.load_journey_tree(session, journey.id).stages[0].steps[0].pain_points] == ["Long wait"]


@pytest.mark.parametrize("xml", ['<c r="D2" cm="1" t="inlineStr"><is><t>Long wait</t></is></c>',
                                 "<c r='D2' t='inlineStr'><is><t>Long wait</t></is></c>",
                                 '<c t="inlineStr"><is><t>Long wait</t></is></c>'])
def test_a_cell_written_another_way_is_read_the_same(session, xml):
    """Other attributes, single quotes, a cell without its place: imported the same."""
    data = with_cell_xml(small_workbook(session), "D2", xml)
    journey = excel.import_journey(session, data=data, user=USER)
    assert [p.text for p in services.load_journey_tree(session, journey.id).stages[0].steps[0].pain_points] == ["Long wait"]
