"""CSV export of a journey's pain points, safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cem.journey import services
from cem.journey.csv_export import COLUMNS, csv_bytes, looks_like_formula, neutralise, pain_points_csv, read_neutralised
from cem.core.errors import NotFoundError
from cem.core.i18n import LANGS, t

USER = "tester"
DANGEROUS = tuple("=+-@\t\r")


def rows_of(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("lang", LANGS)
def test_headings_in_chosen_language_with_bom(session, small_journey, lang):
    """The file starts with a UTF-8 byte order mark and shows headings in Thai or English."""
    data = pain_points_csv(session, journey_id=small_journey.id, lang=lang)
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows_of(data)[0] == [t(f"data.csv.{column}", lang) for column in COLUMNS]
    assert b"\r\n" in data


def test_one_row_per_measure(session, small_journey):
    """A pain point with three measures fills three rows; one without measures fills one row with them empty."""
    rows = rows_of(pain_points_csv(session, journey_id=small_journey.id, lang="en"))[1:]
    assert rows == [
        ["1", "Offer", "Before service", "1", "Browse packages", "1", "Prices are hard to compare", "4", "Open",
         "1", "Prevention", "One comparison table"],
        ["1", "Offer", "Before service", "1", "Browse packages", "1", "Prices are hard to compare", "4", "Open",
         "2", "Fix", "Shorter terms"],
        ["1", "Offer", "Before service", "1", "Browse packages", "1", "Prices are hard to compare", "4", "Open",
         "3", "Fix", "Chat help"],
        ["1", "Offer", "Before service", "1", "Browse packages", "2", "Site is slow", "2", "Open", "", "", ""],
    ]


def test_thai_text_and_labels(session):
    """Thai pain points, measures and coded values read correctly in Thai."""
    journey = services.create_journey(session, name="บริการ", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="ใช้บริการ", phase="during", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="โทรแจ้งเหตุเสีย", user=USER)
    pain = services.add_pain_point(session, step_id=step.id, text="รอสายนาน 😩", severity=5, status="resolved",
                                   user=USER)
    services.add_measure(session, pain_point_id=pain.id, text="โทรกลับภายใน 1 ชม.", kind="prevention", user=USER)
    rows = rows_of(pain_points_csv(session, journey_id=journey.id, lang="th"))
    assert rows[1] == ["1", "ใช้บริการ", "ขณะให้บริการ", "1", "โทรแจ้งเหตุเสีย", "1", "รอสายนาน 😩", "5", "แก้ไขแล้ว",
                       "1", "ป้องกัน", "โทรกลับภายใน 1 ชม."]


def test_formula_text_is_neutralised_but_numbers_are_not(session):
    """Text starting with = + - @ shows as plain text behind an apostrophe; severity and numbers stay numbers."""
    journey = services.create_journey(session, name="J", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="+stage", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="-1", user=USER)
    texts = ['=HYPERLINK("http://evil","click")', "@SUM(A1)", "'=already quoted", "ok = fine"]
    for number, text in enumerate(texts, 1):
        pain = services.add_pain_point(session, step_id=step.id, text=text, severity=number, user=USER)
        services.add_measure(session, pain_point_id=pain.id, text="=cmd|' /C calc'!A0", user=USER)
    data = pain_points_csv(session, journey_id=journey.id, lang="en")
    rows = rows_of(data)[1:]
    assert [row[6] for row in rows] == ['\'=HYPERLINK("http://evil","click")', "'@SUM(A1)", "''=already quoted",
                                        "ok = fine"]
    assert {row[1] for row in rows} == {"'+stage"} and {row[4] for row in rows} == {"'-1"}
    assert [row[7] for row in rows] == ["1", "2", "3", "4"]  # severity: bare numbers
    assert all(row[0] == "1" and row[9] == "1" for row in rows)
    assert {row[11] for row in rows} == {"'=cmd|' /C calc'!A0"}
    assert [read_neutralised(row[6]) for row in rows] == texts


NEUTRALISED = [
    ("=1+2", "'=1+2"), ("+1", "'+1"), ("-2", "'-2"), ("@cmd", "'@cmd"), ("\t=1", "'\t'=1"), ("\r=1", "'\r'=1"),
    ("'=1", "''=1"), ("''+x", "'''+x"), ("'", "'"), ("'abc", "'abc"), ("''", "''"), ("abc", "abc"), ("", ""),
    (" =1", " =1"), ("a=b", "a=b"), ("ไทย", "ไทย"), ("=ไทย", "'=ไทย"), ("\n=1", "\n'=1"), ("x;=1+1", "x;'=1+1"), ("1", "1"),
]


@pytest.mark.parametrize("text, cell", NEUTRALISED)
def test_neutralise_cases(text, cell):
    """Exactly the texts a spreadsheet would run get an apostrophe, and reading the cell gives the text back."""
    assert neutralise(text) == cell
    assert read_neutralised(cell) == text


def test_looks_like_formula():
    """Only text starting with = + - @ tab or carriage return counts as formula-like."""
    assert all(looks_like_formula(c + "x") for c in DANGEROUS)
    assert not any(looks_like_formula(text) for text in ("", "x=1", " =1", "'=1", "ไทย", "1"))


def test_unknown_journey(session):
    """Exporting a journey that does not exist says it was not found."""
    with pytest.raises(NotFoundError):
        pain_points_csv(session, journey_id=999, lang="en")


@given(text=st.text(st.one_of(st.characters(blacklist_categories=("Cs",)), st.sampled_from("'=+-@\t\r"))))
def test_neutralise_round_trips_and_is_never_dangerous(text):
    """For any text the exported cell never starts like a formula and reads back exactly."""
    cell = neutralise(text)
    assert read_neutralised(cell) == text
    assert not cell.startswith(DANGEROUS)
    assert cell.replace("'", "") == text.replace("'", "")  # only apostrophes are added


THAI = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะัาำิีึืุูเแโใไ่้๊๋์"
texts = st.text(st.one_of(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                          st.sampled_from(THAI + "'=+-@\t\r\n\",😀")), max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pain=texts.map(lambda s: s.strip() or "p"), measure=texts.map(lambda s: s.strip() or "m"),
       prefix=st.sampled_from(["", "=", "'=", "@", "-"]))
def test_any_exported_text_reads_back_exactly(session, pain, measure, prefix):
    """Whatever a pain point or measure says, the CSV cell reads back to exactly what was saved."""
    journey = services.create_journey(session, name="J", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="S", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="s", user=USER)
    point = services.add_pain_point(session, step_id=step.id, text=prefix + pain, user=USER)
    saved = services.add_measure(session, pain_point_id=point.id, text=measure, user=USER)
    row = rows_of(pain_points_csv(session, journey_id=journey.id, lang="en"))[1]
    assert read_neutralised(row[6]) == point.text and read_neutralised(row[11]) == saved.text
    assert not row[6].startswith(DANGEROUS) and not row[11].startswith(DANGEROUS)


# ---------------------------------------------------------------- list separators (issue 8)

SEPARATORS = (",", ";", "\t")


def cells_read_with(data: bytes, delimiter: str) -> list[str]:
    """Every cell of the CSV as a spreadsheet whose list separator is `delimiter` reads it."""
    text = data.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]


def dangerous_cells(data: bytes) -> dict[str, list[str]]:
    found = {d: [c for c in cells_read_with(data, d) if c.startswith(("=", "+", "-", "@"))] for d in SEPARATORS}
    return {d: cells for d, cells in found.items() if cells}


def test_text_after_any_list_separator_is_neutralised(session):
    """Where ; (or tab) is the list separator, pain text x;=1+1 must not open as a live =1+1 cell."""
    journey = services.create_journey(session, name="J", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="a;@SUM(1)", user=USER)
    step = services.add_step(session, stage_id=stage.id, name="s,+1", user=USER)
    for text in ("x;=1+1", "a,=HYPERLINK(\"http://evil\")", "t\t-2", "q;'=1", "m;;=1", "n; =1"):
        pain = services.add_pain_point(session, step_id=step.id, text=text, user=USER)
        services.add_measure(session, pain_point_id=pain.id, text="fix;@cmd", user=USER)
    data = pain_points_csv(session, journey_id=journey.id, lang="en")
    assert dangerous_cells(data) == {}
    rows = rows_of(data)
    assert [read_neutralised(row[6]) for row in rows[1:]] == ["x;=1+1", "a,=HYPERLINK(\"http://evil\")", "t\t-2",
                                                              "q;'=1", "m;;=1", "n; =1"]
    assert {read_neutralised(row[11]) for row in rows[1:]} == {"fix;@cmd"}


any_text = st.text(st.one_of(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                            st.sampled_from("'=+-@\t\r\n\",;")))


@given(cells=st.lists(st.one_of(st.integers(0, 99), any_text), min_size=1, max_size=6))
def test_csv_bytes_is_safe_for_every_separator(cells):
    """Any row, read with , ; or tab as the separator, has no cell that starts like a formula; read with ,
    it gives back every text exactly and numbers as numbers."""
    data = csv_bytes([cells])
    assert data.startswith("\ufeff".encode())
    assert dangerous_cells(data) == {}
    (row,) = rows_of(data)
    assert [read_neutralised(c) for c in row] == [str(c) for c in cells]
