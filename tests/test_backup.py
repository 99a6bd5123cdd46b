"""Full backup of the database and restore from it."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cem import backup
from cem.core import auth
from cem.journey import services
from cem.core.auth import PermissionDenied
from cem.core.errors import ImportFileError
from cem.core.i18n import LANGS, LOCALES_DIR, error_text
from cem.core.models import Journey

USER = "tester"
ADMIN = "admin"


def hypothesis_settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def dump(session) -> dict[str, list[dict]]:
    """Every row of every table, in id order, as the database returns it;
    without journey.revision, which a restore raises on purpose (page caches
    are keyed by it)."""
    session.rollback()  # read what is committed now
    return {table.name: [{k: v for k, v in dict(row).items() if (table.name, k) != ("journey", "revision")}
                         for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
            for table in backup.TABLES}


def populate(session) -> Journey:
    """A Thai journey with every level, a binned stage, edits in the log and a signed-up account."""
    journey = services.create_journey(session, name="บริการติดตั้งอินเทอร์เน็ต", description="=ลูกค้าบ้าน\n😀",
                                      user=USER)
    offer = services.add_stage(session, journey_id=journey.id, name="นำเสนอบริการ", phase="before", user=USER)
    binned = services.add_stage(session, journey_id=journey.id, name="Leaving", phase="after", user=USER)
    call = services.add_step(session, stage_id=offer.id, name="โทรสอบถาม", touchpoint="+66 2 000 0000",
                             emotion_now=-2, emotion_target=2, easy=1, fast=5, user=USER)
    pain = services.add_pain_point(session, step_id=call.id, text="รอสายนาน", severity=5, user=USER)
    services.add_measure(session, pain_point_id=pain.id, text="@เพิ่มพนักงาน", kind="prevention", user=USER)
    services.add_measure(session, pain_point_id=pain.id, text="โทรกลับ", user=USER)
    services.add_idea(session, step_id=call.id, text="LINE chat", user=USER)
    services.update_pain_point(session, pain_point_id=pain.id, status="resolved", user=USER)
    services.delete_stage(session, stage_id=binned.id, user=USER)
    auth.create_user(session, username="somchai", display_name="สมชาย", password="long enough 1",
                     role="editor", user=ADMIN)
    return journey


def document(session) -> dict:
    return json.loads(backup.export_backup(session, user=ADMIN))


def encoded(doc) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def restore_error(session, data: bytes, user: str = ADMIN) -> ImportFileError:
    """Restoring `data` is refused with ImportFileError and changes nothing."""
    before = dump(session)
    with pytest.raises(ImportFileError) as caught:
        backup.restore_backup(session, data=data, user=user)
    assert dump(session) == before
    return caught.value


def cell(doc, table: str, row: int, column: str):
    """Where a cell sits: the row list and the column's index (row counts from 1)."""
    part = doc["tables"][table]
    return part["rows"][row - 1], part["columns"].index(column)


def set_cell(doc, table: str, row: int, column: str, value) -> dict:
    values, index = cell(doc, table, row, column)
    values[index] = value
    return doc


# ---------------------------------------------------------------- round trip


def test_restore_brings_back_exactly_the_backed_up_state(session):
    """After later edits, deletions and new accounts, restoring a backup shows every table exactly as it was."""
    journey = populate(session)
    saved = dump(session)
    data = backup.export_backup(session, user=ADMIN)

    services.update_journey(session, journey_id=journey.id, name="ชื่อใหม่", description="", user=USER)
    services.create_journey(session, name="Another", user=USER)
    services.delete_journey(session, journey_id=journey.id, user=USER)
    auth.update_user(session, username="somchai", role="viewer", user=ADMIN)
    auth.create_user(session, username="late", role="viewer", user=ADMIN)
    assert dump(session) != saved

    counts = backup.restore_backup(session, data=data, user=ADMIN)
    assert dump(session) == saved
    assert counts == {name: len(rows) for name, rows in saved.items()}
    assert counts["journey"] == 1 and counts["changelog"] > 5 and counts["appuser"] == len(saved["appuser"])
    assert set(counts) == {table.name for table in backup.TABLES}


def test_backup_document_holds_every_table_with_iso_datetimes(session):
    """The downloaded file names its format, schema and time, and lists every table's columns and rows."""
    populate(session)
    data = backup.export_backup(session, user=ADMIN)
    assert "บริการติดตั้งอินเทอร์เน็ต".encode() in data  # Thai stays readable
    doc = json.loads(data)
    assert (doc["format"], doc["version"], doc["created_by"]) == ("cem-backup", 1, ADMIN)
    assert doc["schema_revision"] == backup.schema_revision(session)
    assert datetime.fromisoformat(doc["created_at"]).tzinfo is not None
    assert list(doc["tables"]) == [table.name for table in backup.TABLES]
    assert {"journey", "stage", "step", "painpoint", "measure", "idea", "appuser", "changelog"} <= set(doc["tables"])
    assert doc["tables"]["painpoint"]["columns"] == [c.name for c in backup.RULES["painpoint"].values()]
    row, index = cell(doc, "journey", 1, "created_at")
    assert datetime.fromisoformat(row[index]).utcoffset().total_seconds() == 0
    users = [dict(zip(doc["tables"]["appuser"]["columns"], r)) for r in doc["tables"]["appuser"]["rows"]]
    assert next(u for u in users if u["username"] == "somchai")["password_hash"] == ""  # unless asked for
    log = [dict(zip(doc["tables"]["changelog"]["columns"], r)) for r in doc["tables"]["changelog"]["rows"]]
    assert {"old": {"status": "open"}, "new": {"status": "resolved"}} in [
        {"old": entry["old"], "new": entry["new"]} for entry in log if entry["action"] == "update"]


def shift_ids(doc, by: int) -> dict:
    """Every id and foreign key in the backup raised by `by`."""
    for name, rules in backup.RULES.items():
        part = doc["tables"][name]
        for column, rule in rules.items():
            if rule.name == "id" or rule.target:
                index = part["columns"].index(column)
                for row in part["rows"]:
                    row[index] += by
    return doc


def test_new_rows_after_restore_get_fresh_ids(session):
    """After restoring a backup whose ids are ahead of the database's counters, new items still save."""
    populate(session)
    doc = shift_ids(document(session), 1)
    backup.restore_backup(session, data=encoded(doc), user=ADMIN)
    journey = services.create_journey(session, name="New after restore", user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name="Stage", user=USER)
    highest = {name: max(row[part["columns"].index("id")] for row in part["rows"])
               for name, part in doc["tables"].items() if part["rows"] and "id" in part["columns"]}
    assert journey.id > highest["journey"] and stage.id > highest["stage"]
    assert len(dump(session)["changelog"]) == len(doc["tables"]["changelog"]["rows"]) + 2


def test_objects_loaded_before_restore_show_restored_values(session):
    """A journey already open when the restore runs shows the restored name afterwards."""
    journey = populate(session)
    data = backup.export_backup(session, user=ADMIN)
    services.update_journey(session, journey_id=journey.id, name="Renamed", description="", user=USER)
    held = session.get(Journey, journey.id)
    assert held.name == "Renamed"
    backup.restore_backup(session, data=data, user=ADMIN)
    assert held.name == "บริการติดตั้งอินเทอร์เน็ต"


def test_failure_while_restoring_leaves_everything(session, monkeypatch):
    """If saving fails half-way through a restore, the database is as it was before."""
    populate(session)
    data = backup.export_backup(session, user=ADMIN)
    services.create_journey(session, name="After backup", user=USER)
    before = dump(session)

    def broken_commit():
        raise RuntimeError("disk full")

    monkeypatch.setattr(session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        backup.restore_backup(session, data=data, user=ADMIN)
    monkeypatch.undo()
    assert dump(session) == before


def add_meeting(session, journey: Journey):
    """A person, a meeting on a date and its attendee (the plan's tables), if this version has them."""
    from cem.core import models

    needed = ("Person", "Meeting", "MeetingAttendee")
    if not all(hasattr(models, name) for name in needed):
        return None
    person = models.Person(name="สมหญิง", department="=ฝ่ายขาย", created_by=USER, updated_by=USER)
    meeting = models.Meeting(journey_id=journey.id, held_on=date(2026, 1, 31), title="Kick-off", notes="@all",
                             created_by=USER, updated_by=USER)
    session.add_all([person, meeting])
    session.flush()
    session.add(models.MeetingAttendee(meeting_id=meeting.id, person_id=person.id))
    session.commit()
    return meeting


def test_plan_tables_with_dates_and_two_column_keys_round_trip(session):
    """People, meetings with their dates and who attended come back exactly after a restore."""
    journey = populate(session)
    meeting = add_meeting(session, journey)
    if meeting is None:
        pytest.skip("no meeting tables in this version")
    saved = dump(session)
    doc = document(session)
    assert doc["tables"]["meeting"]["rows"][0][doc["tables"]["meeting"]["columns"].index("held_on")] == "2026-01-31"
    services.delete_journey(session, journey_id=journey.id, user=USER)
    assert dump(session)["meeting"] == []
    backup.restore_backup(session, data=encoded(doc), user=ADMIN)
    assert dump(session) == saved
    assert session.get(type(meeting), meeting.id).held_on == date(2026, 1, 31)


def test_plan_tables_are_checked_too(session):
    """A wrong meeting date or the same attendee twice is refused, naming the table, row and columns."""
    journey = populate(session)
    if add_meeting(session, journey) is None:
        pytest.skip("no meeting tables in this version")
    doc = set_cell(document(session), "meeting", 1, "held_on", "31/01/2026")
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params["table"], error.params["column"], error.params["problem"]) == \
        ("data.err.cell", "meeting", "held_on", "data.problem.date")
    doc = document(session)
    attendees = doc["tables"]["meetingattendee"]["rows"]
    attendees.append(list(attendees[0]))
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.duplicate", {
        "table": "meetingattendee", "row": 2, "column": "meeting_id, person_id",
        "value": ", ".join(str(v) for v in attendees[0]), "first_row": 1})
    doc = set_cell(document(session), "meetingattendee", 1, "person_id", 999)
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params["target"]) == ("data.err.dangling", "person")


# ---------------------------------------------------------------- who may


@pytest.mark.parametrize("who", ["tester", "alice", "viewer", "nobody"])
def test_only_administrators_back_up_and_restore(session, who):
    """A lead, editor, viewer or unknown name is refused both downloading and restoring a backup."""
    populate(session)
    data = backup.export_backup(session, user=ADMIN)
    with pytest.raises(PermissionDenied):
        backup.export_backup(session, user=who)
    before = dump(session)
    with pytest.raises(PermissionDenied):
        backup.restore_backup(session, data=data, user=who)
    assert dump(session) == before


@pytest.mark.parametrize("change", ["demoted", "inactive", "missing"])
def test_restore_that_would_lock_the_admin_out_is_refused(session, change):
    """A backup in which the restoring administrator is not an active administrator is refused."""
    populate(session)
    doc = document(session)
    users = doc["tables"]["appuser"]
    row = next(i for i, r in enumerate(users["rows"], 1) if r[users["columns"].index("username")] == ADMIN)
    if change == "demoted":
        set_cell(doc, "appuser", row, "role", "editor")
    elif change == "inactive":
        set_cell(doc, "appuser", row, "active", False)
    else:
        set_cell(doc, "appuser", row, "username", "someone.else")
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.no_admin", {"user": ADMIN})


# ---------------------------------------------------------------- what is refused


def test_file_that_is_not_json(session):
    """A CSV file, a cut-off backup or NaN say the file is not valid JSON, with line and column where known."""
    error = restore_error(session, b"name,description\nx,y\n")
    assert (error.code, error.params) == ("data.err.json_syntax", {"line": 1, "column": 1})
    data = backup.export_backup(session, user=ADMIN)
    assert restore_error(session, data[:-20]).code == "data.err.json_syntax"
    assert restore_error(session, b'{"format": NaN}').code == "data.err.not_json"
    assert restore_error(session, b'{"format": 1e999}').code == "data.err.not_json"
    assert restore_error(session, b'{"format": ' + b"1" * 5000 + b"}").code == "data.err.not_json"


@pytest.mark.parametrize("encoding, sample", [("utf-16", "ไทย"), ("utf-16-le", "ไทย"), ("latin-1", "café"),
                                              ("cp874", "ไทย")])
def test_file_in_another_encoding(session, encoding, sample):
    """A backup saved as UTF-16, Latin-1 or Thai Windows-874 says it is not UTF-8 and where the first wrong byte is."""
    doc = document(session)
    doc["created_by"] = sample
    text = json.dumps(doc, ensure_ascii=False)
    error = restore_error(session, text.encode(encoding))
    assert error.code == "data.err.encoding"
    first_wrong = {"utf-16": 0, "utf-16-le": 1}.get(encoding, text.index(next(c for c in sample if ord(c) > 127)))
    assert error.params == {"position": first_wrong}


def test_byte_order_mark_is_accepted(session):
    """A backup that an editor saved with a UTF-8 byte order mark still restores."""
    populate(session)
    saved = dump(session)
    data = backup.export_backup(session, user=ADMIN)
    services.create_journey(session, name="After backup", user=USER)
    backup.restore_backup(session, data=b"\xef\xbb\xbf" + data, user=ADMIN)
    assert dump(session) == saved


def test_file_too_big(session):
    """A file over 50 MB is refused with its size and the limit, before it is read."""
    error = restore_error(session, b"{" + b" " * backup.MAX_BACKUP_BYTES + b"}")
    assert (error.code, error.params) == ("data.err.too_big", {"size_mb": 50.0, "max_mb": 50})


def test_nesting_too_deep(session):
    """Lists nested a thousand deep, or a change-log value nested too deep, are refused before parsing."""
    error = restore_error(session, b"[" * 1000 + b"]" * 1000)
    assert (error.code, error.params) == ("data.err.too_deep", {"max": backup.MAX_DEPTH})
    populate(session)
    doc = document(session)
    deep: dict = {}
    for _ in range(backup.MAX_DEPTH):
        deep = {"a": deep}
    set_cell(doc, "changelog", 1, "old", deep)
    assert restore_error(session, encoded(doc)).code == "data.err.too_deep"
    assert restore_error(session, b'["' + b"[" * 1000 + b'"]').code == "data.err.not_backup"  # brackets in text


def test_too_many_values(session, monkeypatch):
    """A file with more values than a backup can hold is refused before parsing."""
    populate(session)
    data = backup.export_backup(session, user=ADMIN)
    monkeypatch.setattr(backup, "MAX_VALUES", 100)
    error = restore_error(session, data)
    assert (error.code, error.params) == ("data.err.too_many_values", {"max": 100})


def test_same_key_twice(session):
    """An object naming the same key twice is refused, naming the key."""
    error = restore_error(session, b'{"format": "cem-backup", "format": "cem-backup"}')
    assert (error.code, error.params) == ("data.err.duplicate_key", {"key": "format"})


@pytest.mark.parametrize("data", [b"[]", b'"cem-backup"', b"null", b'{"format": "other"}', b"{}"])
def test_not_a_backup(session, data):
    """JSON that is not one of this app's backups says so."""
    assert restore_error(session, data).code == "data.err.not_backup"


@pytest.mark.parametrize("version, shown", [(2, "2"), (True, "true"), ("1", "1"), (None, "null")])
def test_wrong_format_version(session, version, shown):
    """A backup of another format version names its version and the one this app restores."""
    doc = document(session)
    doc["version"] = version
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.version", {"version": shown, "supported": 1})


def test_wrong_schema_revision(session):
    """A backup from another database schema names both schema revisions and is refused."""
    doc = document(session)
    current = backup.schema_revision(session)
    doc["schema_revision"] = "0002"
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.schema", {"backup": "0002", "database": current})
    assert "0002" in error_text(error, "en") and current in error_text(error, "th")


@pytest.mark.parametrize("field", ["created_at", "created_by", "tables", "schema_revision"])
def test_missing_or_wrong_header_entry(session, field):
    """A backup whose header lacks an entry, or has a wrong one, names that entry."""
    doc = document(session)
    del doc[field]
    assert restore_error(session, encoded(doc)).params == {"field": field}
    doc = document(session)
    doc[field] = 12
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.header", {"field": field})
    doc = document(session)
    doc["extra"] = 1
    assert restore_error(session, encoded(doc)).params == {"field": "extra"}


def test_missing_and_unknown_table(session):
    """A backup without the ideas table, or with a table this database lacks, names the table."""
    doc = document(session)
    del doc["tables"]["idea"]
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.missing_table", {"table": "idea"})
    doc = document(session)
    doc["tables"]["secrets"] = {"columns": [], "rows": []}
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.unknown_table", {"table": "secrets"})
    doc = document(session)
    doc["tables"]["step"] = []
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.table_shape", {"table": "step"})


def test_wrong_columns(session):
    """A table missing a column, with an extra one, or listing one twice names the table and column."""
    populate(session)
    doc = document(session)
    part = doc["tables"]["painpoint"]
    index = part["columns"].index("severity")
    del part["columns"][index]
    for row in part["rows"]:
        del row[index]
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.missing_column", {"table": "painpoint", "column": "severity"})

    doc = document(session)
    doc["tables"]["idea"]["columns"].append("secret")
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.unknown_column", {"table": "idea", "column": "secret"})

    doc = document(session)
    doc["tables"]["idea"]["columns"][-1] = doc["tables"]["idea"]["columns"][0]
    error = restore_error(session, encoded(doc))
    assert error.code == "data.err.column_twice" and error.params["table"] == "idea"

    doc = document(session)
    doc["tables"]["measure"]["rows"][1].pop()
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.row_shape",
                                          {"table": "measure", "row": 2,
                                           "expected": len(doc["tables"]["measure"]["columns"])})


CELL_CASES = [
    # table, row, column, value, problem, extra params
    ("painpoint", 1, "severity", "4", "data.problem.integer", {}),
    ("painpoint", 1, "severity", 4.0, "data.problem.integer", {}),
    ("painpoint", 1, "severity", True, "data.problem.integer", {}),
    ("painpoint", 1, "severity", 9, "data.problem.int_range", {"min": 1, "max": 5}),
    ("step", 1, "emotion_now", 3, "data.problem.int_range", {"min": -2, "max": 2}),
    ("measure", 2, "position", 2**31, "data.problem.int_range", {"min": -(2**31), "max": 2**31 - 1}),
    ("journey", 1, "name", "x" * 201, "data.problem.too_long", {"max": 200, "length": 201}),
    ("journey", 1, "name", 5, "data.problem.text", {}),
    ("idea", 1, "text", "a\x00b", "data.problem.bad_characters", {}),
    ("idea", 1, "text", "a\ud800b", "data.problem.bad_characters", {}),
    ("stage", 1, "name", None, "data.problem.required", {}),
    ("stage", 1, "phase", "sometime", "data.problem.choice", {"options": "'before', 'during', 'after', ''"}),
    ("appuser", 1, "role", "root", "data.problem.choice", {"options": "'admin', 'lead', 'editor', 'viewer'"}),
    ("appuser", 1, "active", 1, "data.problem.boolean", {}),
    ("stage", 1, "created_at", "yesterday", "data.problem.datetime", {}),
    ("stage", 1, "created_at", "0001-01-01T00:00:00+05:00", "data.problem.datetime", {}),
    ("stage", 1, "created_at", 1700000000, "data.problem.datetime", {}),
    ("changelog", 1, "new", [1, 2], "data.problem.object", {}),
    ("changelog", 1, "new", "text", "data.problem.object", {}),
]


@pytest.mark.parametrize("table, row, column, value, problem, extra", CELL_CASES,
                         ids=[f"{c[0]}.{c[2]}={str(c[3])[:12]!r}" for c in CELL_CASES])
def test_wrong_value_in_a_cell_names_table_row_and_column(session, table, row, column, value, problem, extra):
    """A wrong type, range, length, character or code in one cell names the table, row, column and problem."""
    populate(session)
    doc = set_cell(document(session), table, row, column, value)
    error = restore_error(session, json.dumps(doc).encode("utf-8"))
    assert error.code == "data.err.cell"
    assert {k: error.params[k] for k in ("table", "row", "column", "problem")} == \
        {"table": table, "row": row, "column": column, "problem": problem}
    assert {k: error.params[k] for k in extra} == extra


def test_cell_error_reads_naturally_in_both_languages(session):
    """The message for a wrong cell names table, row and column in Thai and English."""
    populate(session)
    doc = set_cell(document(session), "painpoint", 1, "severity", "high")
    error = restore_error(session, encoded(doc))
    assert error_text(error, "en") == \
        "Table “painpoint”, row 1, column “severity”: must be a whole number (got “high”)."
    assert error_text(error, "th") == "ตาราง “painpoint” แถว 1 คอลัมน์ “severity”: ต้องเป็นจำนวนเต็ม (ได้ “high”)"


def test_dangling_foreign_key(session):
    """A stage pointing at a journey the backup does not have names the row, column and missing id."""
    populate(session)
    doc = set_cell(document(session), "stage", 2, "journey_id", 999)
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.dangling", {"table": "stage", "row": 2, "column": "journey_id",
                                                               "value": 999, "target": "journey"})


def test_duplicate_id_and_username(session):
    """Two measures with the same id, or two accounts with the same name, name both rows."""
    populate(session)
    doc = document(session)
    first, index = cell(doc, "measure", 1, "id")
    set_cell(doc, "measure", 2, "id", first[index])
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params) == ("data.err.duplicate", {"table": "measure", "row": 2, "column": "id",
                                                                "value": str(first[index]), "first_row": 1})
    doc = document(session)
    first, index = cell(doc, "appuser", 1, "username")
    set_cell(doc, "appuser", 3, "username", first[index])
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params["row"], error.params["column"], error.params["first_row"]) == \
        ("data.err.duplicate", 3, "username", 1)


def test_every_data_key_in_both_languages():
    """Every backup and CSV message exists in Thai and English with the same placeholders."""
    from pathlib import Path
    import string

    folder = LOCALES_DIR
    catalogues = {lang: json.loads((folder / lang / "data.json").read_text(encoding="utf-8")) for lang in LANGS}
    assert catalogues["th"].keys() == catalogues["en"].keys()
    assert all(key.startswith("data.") for key in catalogues["en"])

    def names(text):
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert [k for k in catalogues["en"] if names(catalogues["en"][k]) != names(catalogues["th"][k])] == []
    problems = {case[4] for case in CELL_CASES}
    assert problems <= catalogues["en"].keys()


# ---------------------------------------------------------------- any input at all

THAI = "กขคงจฉชซญดตถทธนบปผพฟภมยรลวศษสหอฮะัาำิีึืุูเแโใไ่้๊๋์๐๑๒"
any_char = st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",))
texts = st.tuples(st.sampled_from(["", "=", "+", "-", "@", "'="]),
                  st.text(st.one_of(any_char, st.sampled_from(THAI), st.sampled_from("😀👍🏽\t\r\n =\"\\[]{}")),
                          max_size=30)).map("".join)


def required(limit: int):
    return texts.map(lambda s: s.strip()[:limit] or "x")


@hypothesis_settings(25)
@given(name=required(200), description=texts.map(lambda s: s[:2000]), stage_name=required(200),
       step_name=required(200), pain=required(2000), measure=required(2000), idea=required(2000))
def test_any_text_round_trips_through_backup(session, name, description, stage_name, step_name, pain, measure,
                                             idea):
    """Whatever Thai, emoji or formula-like text people typed comes back exactly after backup and restore."""
    journey = services.create_journey(session, name=name, description=description, user=USER)
    stage = services.add_stage(session, journey_id=journey.id, name=stage_name, user=USER)
    step = services.add_step(session, stage_id=stage.id, name=step_name, touchpoint=description[:200], user=USER)
    point = services.add_pain_point(session, step_id=step.id, text=pain, user=USER)
    services.add_measure(session, pain_point_id=point.id, text=measure, user=USER)
    services.add_idea(session, step_id=step.id, text=idea, user=USER)
    saved = dump(session)
    data = backup.export_backup(session, user=ADMIN)
    services.delete_journey(session, journey_id=journey.id, user=USER)
    backup.restore_backup(session, data=data, user=ADMIN)
    assert dump(session) == saved
    assert session.get(Journey, journey.id).name == name.strip().replace("\r\n", "\n")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12)


@hypothesis_settings(60)
@given(data=st.binary(max_size=300))
def test_garbage_bytes_are_refused(session, data):
    """Random bytes are refused with a message, and the database stays as it was."""
    restore_error(session, data)


@hypothesis_settings(60)
@given(value=json_values)
def test_random_json_is_refused(session, value):
    """Any JSON value that is not a backup is refused with a message, and the database stays as it was."""
    restore_error(session, json.dumps(value).encode("utf-8"))


def normalised(doc) -> dict:
    """The backup's tables with datetimes as moments, to compare restored data with."""
    result = {}
    for name, part in doc["tables"].items():
        rows = []
        for row in part["rows"]:
            values = dict(zip(part["columns"], row))
            for column, value in values.items():
                kind = backup.RULES[name][column].kind
                if kind == "datetime" and value is not None:
                    moment = datetime.fromisoformat(value)
                    values[column] = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)) \
                        .astimezone(timezone.utc)
                elif kind == "date" and value is not None:
                    values[column] = date.fromisoformat(value)
            if name == "journey":
                values.pop("revision", None)  # raised by every restore on purpose
            rows.append(values)
        result[name] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return result


@pytest.fixture
def populated_doc(session):
    add_meeting(session, populate(session))
    return document(session)


@hypothesis_settings(80)
@given(choice=st.data(), value=json_values)
def test_any_change_to_a_cell_is_refused_or_restored_exactly(session, populated_doc, choice, value):
    """Whatever one cell of a backup is changed to, the restore either refuses it with a message and changes
    nothing, or restores exactly what the file says."""
    doc = json.loads(json.dumps(populated_doc))
    table = choice.draw(st.sampled_from(sorted(name for name, part in doc["tables"].items() if part["rows"])))
    part = doc["tables"][table]
    row = choice.draw(st.integers(1, len(part["rows"])))
    column = choice.draw(st.sampled_from(part["columns"]))
    set_cell(doc, table, row, column, value)
    data = json.dumps(doc).encode("utf-8")
    before = dump(session)
    try:
        backup.restore_backup(session, data=data, user=ADMIN)
    except ImportFileError:
        assert dump(session) == before
        return
    assert normalised(json.loads(backup.export_backup(session, user=ADMIN))) == normalised(doc)


def test_restore_gives_journeys_revisions_never_used_before(session):
    """After a restore every open page redraws: each journey's revision is above any it had."""
    journey = populate(session)
    data = backup.export_backup(session, user="admin")
    before = services.journey_revision(session, journey.id)
    services.update_journey(session, journey_id=journey.id, name="changed", description="", user=USER)
    backup.restore_backup(session, data=data, user="admin")
    assert services.journey_revision(session, journey.id) > before + 1


# ---------------------------------------------------------------- hostile values (issue 8)


def test_a_duplicate_key_is_refused_with_its_name(session):
    """A key twice in one object is refused naming the key, in both languages (t() once choked on key=)."""
    data = b'{"format": "cem-backup", "format": "other"}'
    error = restore_error(session, data)
    assert (error.code, error.params) == ("data.err.duplicate_key", {"key": "format"})
    assert "format" in error_text(error, "th") and "format" in error_text(error, "en")


@pytest.mark.parametrize("column, value", [("revision", 2**31 - 1), ("version", 2**31 - 1), ("revision", 0)])
def test_counters_leave_room_to_count_on(session, column, value):
    """journey.revision = 2147483647 fits PostgreSQL's integer but the restore adds to it (integer out of
    range): revisions and versions must leave room to count on."""
    populate(session)
    doc = set_cell(document(session), "journey", 1, column, value)
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params["table"], error.params["row"], error.params["column"]) == (
        "data.err.cell", "journey", 1, column)
    assert error.params["problem"] == "data.problem.int_range"


def plan_document(session) -> dict:
    """A backup with a task, a commitment and a check-in."""
    from cem.improvement import plan
    journey = populate(session)
    step_id = services.load_journey_tree(session, journey.id).stages[0].steps[0].step.id
    task = plan.create_task(session, step_id=step_id, title="Call back", start_month="2026-01", due_month="2026-03",
                            user=USER)
    plan.set_commitments(session, journey_id=journey.id, month="2026-01", tiers={task.id: 30}, user=USER)
    plan.record_check_in(session, task_id=task.id, month="2026-01", progress=20, user=USER)
    return document(session)


@pytest.mark.parametrize("table, column, value, problem", [
    ("journey", "tiers", "abc", "err.tiers"),
    ("journey", "tiers", "", "err.tiers"),
    ("journey", "tiers", "0", "err.tiers"),
    ("journey", "tiers", "999", "err.tiers"),
    ("task", "start_month", "2026-13", "err.month"),
    ("task", "due_month", "", "err.month"),
    ("task", "due_month", "2025-12", "err.due_before_start"),
    ("checkin", "month", "garbage", "err.month"),
    ("commitment", "month", "2026-1", "err.month"),
    ("journey", "name", "   ", "err.required"),
    ("task", "title", "", "err.required"),
])
def test_values_the_pages_cannot_show_are_refused(session, table, column, value, problem):
    """A restored field meets the same rules as the services, or the restore names its table, row and column."""
    doc = set_cell(plan_document(session), table, 1, column, value)
    error = restore_error(session, encoded(doc))
    assert (error.code, error.params["table"], error.params["row"], error.params["column"]) == (
        "data.err.cell", table, 1, column)
    assert error.params["problem"] == problem
    assert column in error_text(error, "en")


def accounts(doc) -> dict[str, dict]:
    part = doc["tables"]["appuser"]
    return {row[part["columns"].index("username")]: dict(zip(part["columns"], row)) for row in part["rows"]}


def test_password_hashes_stay_out_of_a_backup_unless_asked_for(session):
    populate(session)
    assert {a["password_hash"] for a in accounts(document(session)).values()} == {""}
    with_hashes = json.loads(backup.export_backup(session, user=ADMIN, with_password_hashes=True))
    assert accounts(with_hashes)["somchai"]["password_hash"].startswith("$argon2id$")


def test_a_backup_without_hashes_keeps_the_accounts_current_passwords(session):
    """Restoring keeps each account's current password; an account the database does not have cannot sign in
    until the administrator sets a password."""
    populate(session)
    doc = document(session)
    part = doc["tables"]["appuser"]
    newcomer = dict(accounts(doc)["somchai"], id=999, username="newcomer", email="")
    part["rows"].append([newcomer[c] for c in part["columns"]])
    backup.restore_backup(session, data=encoded(doc), user=ADMIN)
    assert auth.authenticate(session, username="somchai", password="long enough 1").username == "somchai"
    with pytest.raises(auth.AuthError):
        auth.authenticate(session, username="newcomer", password="long enough 1")


def test_sign_in_sessions_and_attempts_stay_out_of_backups(session):
    """A backup carries no session hashes or client addresses, and a restore leaves today's sessions alone."""
    from cem.core.models import SignInSession
    auth.start_session(session, username="alice", client="10.1.2.3")
    saved = backup.export_backup(session, user="admin")
    tables = json.loads(saved)["tables"]
    assert "signinsession" not in tables and "signinattempt" not in tables and b"10.1.2.3" not in saved
    auth.start_session(session, username="bob", client="10.9.9.9")  # signed in after the backup
    backup.restore_backup(session, data=saved, user="admin")
    session.rollback()
    assert sorted(s.username for s in session.exec(select(SignInSession)).scalars()) == ["alice", "bob"]
