"""The Thai wording: the glossary's terms, one meaning per word, and a
context note for every key of the catalogue."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cem.core import i18n

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
CONTEXT = ROOT / "cem" / "locales" / "context.json"
DOMAIN = ROOT.parent / "shared" / "DOMAIN.md"

# Keys in catalogue files owned by others that still use an avoided word;
# the new wording has been proposed to their owners. Remove a key once fixed.
PENDING = {
    "excel.sheet.journey", "excel.col.journey_name", "excel.err.zip_bomb", "excel.err.one_journey",  # เส้นทางลูกค้า
    "exec.intro",  # เจ็บ
}
# An avoided word that is also the start of a good one ("แผนก" in "แผนการ").
ALSO_FINE = {"แผนก": "าร"}


def table(section: str) -> list[list[str]]:
    """The rows of the Markdown table under heading `section` of the glossary."""
    text = GLOSSARY.read_text(encoding="utf-8").split(f"## {section}", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in text.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row] for row in rows[1:]]


def thai() -> dict[str, str]:
    return i18n.catalogue("th")


def test_every_key_has_a_context_note():
    """Each key of the catalogue has a short English note on where it shows and what it means."""
    notes = json.loads(CONTEXT.read_text(encoding="utf-8"))
    missing = sorted(k for k in i18n.catalogue("en") if not notes.get(k, "").strip())
    assert missing == []


def test_glossary_domain_terms_are_written_as_in_domain_md():
    """The glossary follows DOMAIN.md: each domain term is spelled as the method writes it."""
    if not DOMAIN.exists():
        pytest.skip("DOMAIN.md is not next to the repository")
    domain = DOMAIN.read_text(encoding="utf-8")
    terms = [row[0] for row in table("Domain terms")]
    assert len(terms) >= 20
    assert [t for t in terms if t not in domain] == []


def test_the_thai_catalogue_uses_the_glossary_terms():
    """The core terms marked "on screen" appear in the Thai catalogue as the glossary writes them."""
    text = "\n".join(thai().values())
    core = [row[0] for row in table("Domain terms") if row[3] == "✓"]
    core += [row[0] for row in table("Terms of the application") if "/" not in row[0]]
    assert len(core) > 25
    assert [t for t in core if t not in text] == []


def avoided_words() -> list[str]:
    return [row[0] for row in table("Words not to use")]


def uses(word: str, text: str) -> bool:
    after = ALSO_FINE.get(word)
    return re.search(re.escape(word) + (f"(?!{after})" if after else ""), text) is not None


def test_no_thai_entry_uses_a_word_the_glossary_avoids():
    """No Thai text uses a synonym the glossary replaces (เส้นทางลูกค้า for แผนที่การเดินทาง,
    มาตรการ for วิธีการ, แผนก for ส่วนงาน, ลบถาวร for an item that goes to the bin ...)."""
    wrong = sorted(f"{key}: {word}" for key, text in thai().items() for word in avoided_words()
                   if uses(word, text) and key not in PENDING)
    assert wrong == []


def test_pending_keys_still_need_their_fix():
    """A key fixed by its owner leaves PENDING, so the check above covers it again."""
    fixed = sorted(k for k in PENDING if not any(uses(w, thai().get(k, "")) for w in avoided_words()))
    assert fixed == []


def test_the_map_editor_menu_entry_means_edit_the_map():
    """“บันทึกแผนที่” read as “save the map”; the page is where the map is edited."""
    assert i18n.t("page.map_editor", "th") == "แก้ไขแผนที่"
    assert "บันทึก" not in i18n.t("page.map_editor", "th")


def test_the_administration_page_is_not_named_after_the_administrator():
    assert i18n.t("page.admin", "th") != i18n.t("role.admin", "th")


def test_the_change_log_column_who_is_not_the_editor_role():
    assert i18n.t("activity.who", "th") not in {i18n.t(f"role.{r}", "th") for r in ("admin", "lead", "editor",
                                                                                    "viewer")}


def test_the_meetings_page_names_tab_notes_and_button_differently():
    """One word, “บันทึกการประชุม”, named the tab, the notes field and the button."""
    keys = ("plan.meetings.tab_record", "plan.col.notes", "plan.meetings.record")
    assert len({i18n.t(k, "th") for k in keys}) == len(keys)


def test_deleting_to_the_bin_never_says_permanent():
    """Rows of stages and sub-steps go to the bin, so their delete dialog does not say “for good”."""
    for key in ("grid.confirm_delete_title", "grid.confirm_delete"):
        assert "ถาวร" not in i18n.t(key, "th")
        assert not re.search(r"permanent|for good", i18n.t(key, "en"), re.I)


def test_a_whole_journey_is_deleted_for_good_and_says_so():
    """A journey is not kept in the bin: its warning says it cannot be restored."""
    assert "ถาวร" in i18n.t("journeys.delete_warning", "th")
    assert "cannot be restored" in i18n.t("journeys.delete_warning", "en")


# Latin words a Thai reader meets as they are: names, file kinds, keys and
# abbreviations. Any other English word in the Thai catalogue is a bug.
LATIN_IN_THAI = {
    "VIP", "Excel", "Enter", "Tab", "Shift", "CEM", "xlsx", "xls", "ods", "csv", "CSV", "MB", "LINE", "JSON", "json", "ID",
    "id", "SLA", "PDPA", "ABC", "PDF", "HTML", "UTF-", "true", "false", "null", "Pareto", "zip", "XML", "OpenID",
    "Connect",
    # the scores' standard abbreviations, and the names of survey and review services
    "CRM", "NPS", "CSAT", "CES", "Google", "Forms", "Microsoft", "LimeSurvey", "Facebook", "Maps"}


def test_the_thai_catalogue_has_no_english_words_left_in_it():
    left = {}
    for key, text in i18n.catalogue("th").items():
        for word in re.findall(r"[A-Za-z][A-Za-z\-]+", re.sub(r"\{[^}]*\}", "", text)):
            if word not in LATIN_IN_THAI:
                left[key] = word
    assert not left, left
