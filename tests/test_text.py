"""User text is shown as typed, never as markup."""
from cem.text import escape_markdown, shorten


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
