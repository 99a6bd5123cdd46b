"""Making user text safe to show."""
from __future__ import annotations

import re

# Everything Markdown (and Streamlit's extensions: :color[...], $math$,
# :material/icons:) could read as markup.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def escape_markdown(text: str) -> str:
    """User text as literal Markdown: no links, images, HTML or formatting.
    Line breaks are kept as hard breaks."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", str(text or ""))
    return escaped.replace("\r\n", "\n").replace("\n", "  \n")


def shorten(text: str, limit: int = 40) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
