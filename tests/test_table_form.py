"""ui.table_form.TableForm on its own, in AppTest: values set from outside
the grid (a pick on a chart) join what was typed, and nothing typed is lost."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def script():
    import streamlit as st

    from ui.table_form import TableForm

    table = TableForm("tf", editable=["pick", "note"], dtypes={"id": "string", "pick": "boolean", "note": "string"})
    rows = [{"id": name, "pick": False, "note": "", "text": name} for name in ("a", "b", "c")]
    if st.button("pick b and c", key="put"):
        st.session_state["applied"] = table.put({"b": {"pick": True}, "c": {"pick": True}, "gone": {"pick": True}})
    if st.button("drop c", key="drop"):
        table.put({"c": {"pick": False}})
    st.session_state["shown"] = table.show(rows, columns={"text": None, "pick": None, "note": None})


def grid_key(at) -> str:
    return f"tf_{at.session_state['tf_epoch'] if 'tf_epoch' in at.session_state else 0}"


def test_values_put_from_outside_join_what_was_typed():
    at = AppTest.from_function(script).run()
    at.session_state[grid_key(at)] = {"edited_rows": {0: {"note": "typed in a"}, 1: {"note": "typed in b"}},
                                      "added_rows": [], "deleted_rows": []}
    at.run()
    at.button(key="put").click().run()
    assert not at.exception
    drafts = at.session_state["shown"]
    assert drafts["a"] == {"pick": False, "note": "typed in a"}
    assert drafts["b"] == {"pick": True, "note": "typed in b"}
    assert drafts["c"] == {"pick": True, "note": ""}
    assert "gone" not in drafts and at.session_state["applied"] == {"b", "c"}  # a row not drawn is left alone
    # The grid is drawn again with them: the new snapshot holds the picks and the notes.
    snapshot = {row["id"]: row for row in at.session_state["tf_snapshot"]}
    assert (snapshot["b"]["pick"], snapshot["b"]["note"], snapshot["c"]["pick"]) == (True, "typed in b", True)
    at.button(key="drop").click().run()
    assert at.session_state["shown"]["c"]["pick"] is False
    assert at.session_state["shown"]["b"] == {"pick": True, "note": "typed in b"}
