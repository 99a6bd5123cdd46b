"""The last-resort handler: a page that raises shows a short message with an
error id, never the traceback; the log has the trace under that id."""
from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def failing_page():
    import streamlit as st

    from ui import safety

    def page():
        st.write("before")
        kind = st.session_state.get("kind", "crash")
        if kind == "crash":
            open("/srv/secret/path/config.ini")  # FileNotFoundError naming a server path
        if kind == "known":
            from cem.core.errors import NotFoundError
            raise NotFoundError("err.not_found", item="item.journey", id=7)
        if kind == "rerun" and not st.session_state.get("again"):
            st.session_state.again = True
            st.rerun()
        st.write("after")

    safety.run_safely(page)


def run(kind: str, lang: str = "en") -> AppTest:
    at = AppTest.from_function(failing_page)
    at.session_state["kind"] = kind
    at.session_state["ui_lang"] = lang
    return at.run(timeout=30)


def test_an_unexpected_error_shows_an_id_and_no_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="cem.core.errors"):
        at = run("crash")
    assert not at.exception
    (shown,) = at.error
    assert "Traceback" not in shown.value and "/srv/secret" not in shown.value and "FileNotFoundError" not in shown.value
    error_id = re.search(r"error id ([0-9a-f]{8})", shown.value).group(1)
    (record,) = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.exc_info[0] is FileNotFoundError  # the log keeps the whole trace
    assert [m.value for m in at.markdown] == ["before"]


def test_the_message_is_in_the_readers_language():
    (shown,) = run("crash", "th").error
    assert "รหัสข้อผิดพลาด" in shown.value


def test_a_known_error_no_page_caught_shows_its_own_message():
    (shown,) = run("known").error
    assert "7" in shown.value and "error id" in shown.value and "err.not_found" not in shown.value


def test_streamlits_own_control_flow_passes_through():
    at = run("rerun")
    assert not at.error and not at.exception
    assert [m.value for m in at.markdown] == ["before", "after"]


def test_streamlit_itself_never_shows_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
