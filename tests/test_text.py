"""User text is shown as typed, never as markup, and makes safe file names."""
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cem.core.text import escape_markdown, safe_file_name, shorten


def test_links_images_html_and_colour_directives_are_neutralised():
    """A pain point that looks like a link, image, HTML or a coloured label shows as plain text."""
    for text in ["[click](http://evil.example)", "![x](http://evil.example/a.png)", "<b>hi</b>",
                 ":red[alarm]", "$x^2$", "**bold**", "# heading", "1. list"]:
        escaped = escape_markdown(text)
        for char in "[]()<>*#$:!":
            assert f"{char}" not in escaped.replace(f"\\{char}", "")


def test_thai_is_untouched():
    """Thai text is not changed by escaping."""
    assert escape_markdown("ลูกค้ารอสายนาน") == "ลูกค้ารอสายนาน"


def test_shorten():
    """Long labels are cut with an ellipsis."""
    assert shorten("a" * 50, 10) == "a" * 9 + "…"
    assert shorten("  two   words ") == "two words"


# ---------------------------------------------------------------- file names

def test_file_name_keeps_thai_vowel_and_tone_marks():
    """A Thai journey name becomes the download's name unchanged, marks and all."""
    assert safe_file_name("คลินิก (นำเข้าจาก Excel)", "xlsx") == "คลินิก (นำเข้าจาก Excel).xlsx"
    assert safe_file_name("ผู้ใช้บริการ ที่ต้องการความช่วยเหลือ", "csv") == "ผู้ใช้บริการ ที่ต้องการความช่วยเหลือ.csv"
    assert safe_file_name("Café – São Paulo ñ", "xlsx") == "Café – São Paulo ñ.xlsx"
    assert safe_file_name("Cafe\u0301", "xlsx") == "Café.xlsx"  # combining accent composed, not lost


def test_file_name_drops_only_characters_unsafe_in_file_names():
    """Slashes, colons, quotes, control and direction characters go; everything else stays."""
    assert safe_file_name('a/b\\c:d*e?f"g<h>i|j', "xlsx") == "a b c d e f g h i j.xlsx"
    assert safe_file_name("line\none\ttab\x00\x7f", "csv") == "line one tab.csv"
    assert safe_file_name("invoice\u202exslx.exe", "xlsx") == "invoicexslx.exe.xlsx"
    assert safe_file_name("  ..hidden. ", "xlsx") == "hidden.xlsx"
    assert safe_file_name("A & B, 50% [x] #1 (ok)", "csv") == "A & B, 50% [x] #1 (ok).csv"
    assert safe_file_name("con", "xlsx") == "_con.xlsx"


def test_file_name_falls_back_when_nothing_is_left():
    """A name made only of unsafe characters still gives a usable file name."""
    assert safe_file_name("/// ***", "xlsx") == "download.xlsx"
    assert safe_file_name("", "csv", fallback="journey") == "journey.csv"


@pytest.mark.parametrize("unit", ["ก", "กิ่", "a", "é", "👍"])
def test_file_name_is_trimmed_without_splitting_a_letter_from_its_marks(unit):
    """A very long name is cut to a size every file system takes, and never between a letter and its marks."""
    name = safe_file_name(unit * 500, "xlsx")
    assert len(name.encode("utf-8")) <= 200
    stem = name.removesuffix(".xlsx")
    assert stem and stem == unit * (len(stem) // len(unit))


@given(text=st.text())
def test_any_name_gives_a_safe_file_name(text):
    """Whatever a journey is called, its file name has no character a file system or browser refuses."""
    name = safe_file_name(text, "xlsx")
    assert name.endswith(".xlsx") and len(name.encode("utf-8")) <= 200
    assert not set(name) & set('/\\:*?"<>|')
    assert not any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name)
    assert name[0] not in " ." and not name.removesuffix(".xlsx").endswith((" ", "."))


def test_escaped_text_has_no_bare_address_left_for_autolinks():
    """http://, www. and e-mail addresses get an invisible word joiner, so Markdown cannot link them."""
    from cem.core.text import escape_markdown
    shown = escape_markdown("http://x.example/a www.y.example b@c.example HTTPS://Z.example")
    assert "http\\:" not in shown and "www\\." not in shown and "b@c" not in shown
    assert "http\u2060\\:" in shown and "www\u2060\\." in shown and "b@\u2060c" in shown and "HTTPS\u2060\\:" in shown
