"""Mapping a grid editor's pending edits back to rows."""
from cem.journey.grid import changes_from_editor

ROWS = [{"id": 10, "version": 3, "name": "A"}, {"id": 11, "version": 1, "name": "B"},
        {"id": 12, "version": 7, "name": "C"}]


def test_edits_map_to_ids_with_the_version_they_were_based_on():
    """An edited cell is saved against the row the person saw, with its loaded version."""
    changes = changes_from_editor(ROWS, {"edited_rows": {"1": {"name": "B2"}}})
    assert changes.updated == {11: {"name": "B2", "version": 1}}
    assert changes.row_numbers[11] == 2


def test_added_rows_skip_empty_ones_and_number_from_the_end():
    """Rows added but left empty (blank, or only their columns' defaults) are ignored; others are numbered as shown."""
    state = {"added_rows": [{"name": "D", "severity": 3}, {"name": None, "severity": 3}, {"name": "E"}]}
    changes = changes_from_editor(ROWS, state, defaults={"severity": 3})
    assert [r["name"] for r in changes.added] == ["D", "E"]
    assert changes.row_numbers == {("new", 0): 4, ("new", 1): 6}


def test_deleted_rows_win_over_edits():
    """A row both edited and deleted is deleted."""
    state = {"edited_rows": {0: {"name": "x"}}, "deleted_rows": [0, 2]}
    changes = changes_from_editor(ROWS, state)
    assert changes.deleted == [10, 12] and changes.updated == {}


def test_convert_is_applied():
    """Values are converted (e.g. a label to an id) before saving."""
    changes = changes_from_editor(ROWS, {"added_rows": [{"name": "d"}]},
                                  convert=lambda v: {k: str(x).upper() for k, x in v.items()})
    assert changes.added == [{"name": "D"}]


def test_nothing_changed_is_empty():
    """Pressing Save without edits saves nothing."""
    assert changes_from_editor(ROWS, {}).is_empty()


def test_a_row_with_a_value_but_no_name_is_kept_for_the_service_to_refuse():
    """A row with a touchpoint but no name is not dropped: the service names what is missing."""
    state = {"added_rows": [{"name": None, "touchpoint": "Desk", "severity": 3}]}
    changes = changes_from_editor(ROWS, state, defaults={"severity": 3})
    assert changes.added == [{"name": None, "touchpoint": "Desk", "severity": 3}]
    assert changes.row_numbers == {("new", 0): 4}
