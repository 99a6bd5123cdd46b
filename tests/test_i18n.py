"""Every text a person reads exists in Thai and in English."""
from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cem.core import i18n
from cem.core.errors import ValidationError
from cem.core.models import MEASURE_KINDS, PAIN_STATUSES, PHASES, QUALITIES
from cem.journey.templates import TEMPLATES

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [p for folder in ("cem", "pages", "ui") for p in (ROOT / folder).rglob("*.py")] + [ROOT / "app.py"]
# t("key"), tr('key'), common.t("key"), and error codes such as ValidationError("err.x")
LITERAL_KEY = re.compile(r"""\b(?:t|tr|Error|Problem)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_catalogues_have_the_same_keys():
    """No text is missing in either language."""
    th, en = set(i18n.catalogue("th")), set(i18n.catalogue("en"))
    assert sorted(en - th) == [], "missing in Thai"
    assert sorted(th - en) == [], "missing in English"


def test_both_languages_use_the_same_placeholders():
    """A message fills in the same values in both languages."""
    th, en = i18n.catalogue("th"), i18n.catalogue("en")
    wrong = [k for k in en if placeholders(en[k]) != placeholders(th[k])]
    assert wrong == []


def test_every_key_used_in_the_code_exists():
    """Every t("...") in the code has a text in the catalogues."""
    used = {key for path in SOURCES for key in LITERAL_KEY.findall(path.read_text(encoding="utf-8"))}
    assert used, "the scan found no keys at all"
    missing = sorted(k for k in used if k not in i18n.catalogue("en"))
    assert missing == []


@pytest.mark.parametrize("prefix, values", [("phase", PHASES), ("quality", QUALITIES), ("status", PAIN_STATUSES),
                                            ("kind", MEASURE_KINDS), ("template", TEMPLATES)])
def test_coded_values_have_labels(prefix, values):
    """Every coded value (phase, quality, status, kind, template) shows as a word."""
    for lang in i18n.LANGS:
        for value in values:
            assert f"{prefix}.{value}" in i18n.catalogue(lang)


@pytest.mark.parametrize("given, expected", [("th-TH", "th"), ("en-US", "en"), ("EN", "en"), ("fr-FR", "th"),
                                             (None, "th"), ("en_GB", "en")])
def test_language_from_browser_locale(given, expected):
    """The browser's locale picks the language; anything else falls back to Thai."""
    assert i18n.normalise_lang(given) == expected


def test_error_text_translates_the_column_and_problem():
    """An error in a table cell reads naturally in each language."""
    error = ValidationError("err.cell", row=4, column="col.severity", problem="err.int_range", min=1, max=5,
                            value="9")
    assert i18n.error_text(error, "en") == \
        "Row 4, column “Severity”: must be a whole number from 1 to 5 (got “9”)."
    assert i18n.error_text(error, "th") == "แถว 4 คอลัมน์ “ความรุนแรง”: ต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 5 (ที่กรอก: “9”)"
