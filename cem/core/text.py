"""Making user text safe to show, and to use as a file name."""
from __future__ import annotations

import re
import unicodedata

# Everything Markdown (and Streamlit's extensions: :color[...], $math$,
# :material/icons:) could read as markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


# Streamlit's Markdown turns bare addresses into links even when their
# punctuation is escaped ("http\://x", "www\.x", "a\@x"). An invisible word
# joiner inside each such pattern keeps it text.
_WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=www)(?=\.)|(?<=@)")


def escape_markdown(text: str) -> str:
    """User text as literal Markdown: no links (autolinks included), images,
    HTML or formatting. Line breaks are kept as hard breaks."""
    unlinked = _AUTOLINK.sub(_WORD_JOINER, str(text or ""))
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", unlinked)
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Characters Windows, macOS or Linux refuse in a file name, and the
# direction marks that can make "x\u202egpj.exe" look like "xexe.jpg".
_FILE_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f\x7f-\x9f]+')
_DIRECTION_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10))}


def safe_file_name(name: str, extension: str, *, fallback: str = "download", max_bytes: int = 200) -> str:
    """`name` as a download's file name with `extension`: letters and marks
    of every script kept (Thai vowels and tone marks too); only characters
    file systems refuse are replaced by a space; at most `max_bytes` bytes
    of UTF-8, cut between whole letters."""
    suffix = "." + extension.lstrip(".")
    text = _DIRECTION_MARKS.sub("", unicodedata.normalize("NFC", str(name or "")))
    text = " ".join(_FILE_UNSAFE.sub(" ", text).split()).strip(" .")
    room = max_bytes - len(suffix.encode("utf-8"))
    if len(text.encode("utf-8")) > room:
        cut = len(text.encode("utf-8")[:room].decode("utf-8", "ignore"))
        while 0 < cut < len(text) and unicodedata.category(text[cut]).startswith("M"):
            cut -= 1  # keep a letter together with its marks
        text = text[:cut].rstrip(" .")
    if not text:
        text = fallback
    if text.split(".")[0].casefold() in _WINDOWS_DEVICES:
        text = "_" + text
    return text + suffix
