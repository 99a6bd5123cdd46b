"""The last resort: whatever a page raises, the person sees a short message
in their language with an error id, never a traceback (which shows server
paths and code); the log gets the whole trace under the same id, so the
administrator can find it.

    safety.run_safely(navigation.run)

A CemError that no page caught is a known problem: its own message is shown,
with the id. Streamlit's own control flow (st.rerun, st.stop, st.switch_page)
is not an Exception and passes through untouched. .streamlit/config.toml
sets client.showErrorDetails = "none" as well, for anything raised outside
this handler.
"""
from __future__ import annotations

import logging
import secrets
from typing import Any, Callable

import streamlit as st

from cem.core import i18n
from cem.core.errors import CemError
from cem.core.text import escape_markdown

log = logging.getLogger("cem.core.errors")
LANG_KEY = "ui_lang"  # ui.common keeps the reader's language there


def run_safely(run: Callable[[], Any], *, lang: str | None = None) -> Any:
    """run(), or, if it raises, a logged trace and a short message with an
    error id in place of the rest of the page; returns run()'s value or None."""
    try:
        return run()
    except Exception as error:  # the last resort: everything, whatever it is
        error_id = secrets.token_hex(4)
        log.exception("error id %s", error_id)
        show_error(error, error_id, lang)
        return None


def show_error(error: Exception, error_id: str, lang: str | None = None) -> None:
    lang = i18n.normalise_lang(lang or _session_lang())
    if isinstance(error, CemError):
        message = i18n.t("safety.known", lang, message=i18n.error_text(error, lang, escape=escape_markdown),
                         id=error_id)
    else:
        message = i18n.t("safety.unexpected", lang, id=error_id)
    try:
        st.error(message, icon="⚠️")
    except Exception:  # no Streamlit page to show it on: the log has it
        log.error("could not show error id %s", error_id)


def _session_lang() -> str | None:
    try:
        return st.session_state.get(LANG_KEY)
    except Exception:  # outside a Streamlit session
        return None
