"""Streamlit widgets with their built-in English replaced by the reader's
language.

Streamlit 1.67 writes some words of its own into widgets: "Choose options"
in an empty multiselect (it takes a `placeholder`), and "Upload", "200MB per
file • XLSX" and "Drag and drop a file here" in the file uploader (fixed in
its frontend, with no parameter). The uploader's own words are hidden by CSS
scoped to that one uploader, and a caption in the reader's language says
which files it takes.
"""
from __future__ import annotations

import streamlit as st

from ui import common


def _css_string(text: str) -> str:
    """`text` as a CSS string literal: every character but plain ASCII
    letters, digits and spaces as a six-digit CSS escape."""
    return '"' + "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):06x}"
                         for ch in text) + '"'


def multiselect(label: str, options, *, where=None, **kwargs):
    """st.multiselect with its placeholder in the reader's language.
    `where` is a container or column to draw in (default: the page)."""
    kwargs.setdefault("placeholder", common.t("widgets.choose_options"))
    return (where or st).multiselect(label, options, **kwargs)


def file_uploader(label: str, *, key: str, type: list[str], max_mb: int | None = None, where=None, **kwargs):
    """st.file_uploader whose button and limits read in the reader's
    language. `type` lists the extensions ("xlsx"); `max_mb` is the largest
    file in MB (default: server.maxUploadSize)."""
    where = where or st
    max_mb = max_mb or config_max_upload_mb()
    upload = where.file_uploader(label, type=type, key=key, max_upload_size=max_mb, **kwargs)
    scope = f".st-key-{key}"
    button = _css_string(common.t("widgets.browse"))
    st.html(
        "<style>"
        f'{scope} [data-testid="stFileUploaderDropzoneInstructions"] {{ display: none; }}'
        f'{scope} [data-testid="stFileUploaderDropzone"] button {{ font-size: 0; }}'
        f'{scope} [data-testid="stFileUploaderDropzone"] button * {{ display: none; }}'
        f'{scope} [data-testid="stFileUploaderDropzone"] button::after {{ content: {button}; font-size: 0.875rem; }}'
        "</style>"
    )
    types = ", ".join("." + ext.lstrip(".").lower() for ext in type)
    where.caption(common.t("widgets.upload_limits", types=types, size=max_mb))
    return upload


def config_max_upload_mb() -> int:
    return int(st.get_option("server.maxUploadSize"))


def hide_streamlit_hints() -> None:
    """Hide the English "Press Enter to apply" / "Press Enter to submit
    form" under text fields. It is always the first hint; the character
    counter of a field with max_chars follows it and stays."""
    st.html(
        "<style>"
        '[data-testid="InputInstructions"] > span:first-child { display: none; }'
        '[data-testid="InputInstructions"] > span + span::before { content: none; }'
        "</style>"
    )



# ---------------------------------------------------------------- forms that keep what was typed
#
# A form drawn with clear_on_submit=False keeps its values when a submit is
# refused. Its keyed widgets get their starting values from form_defaults,
# not from value= or index= (Streamlit warns when both are given), and go
# back to them only after form_succeeded.


def form_defaults(name: str, defaults: dict) -> None:
    """Call before drawing form `name`: its widgets (keys of `defaults`)
    start at these values the first time, and again after a success."""
    reset = st.session_state.pop(f"{name}_succeeded", False)
    for key, value in defaults.items():
        if reset or key not in st.session_state:
            st.session_state[key] = value


def form_succeeded(name: str) -> None:
    """Form `name` was accepted: empty it on the next run."""
    st.session_state[f"{name}_succeeded"] = True
