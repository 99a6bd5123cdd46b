"""The administration page: a stale account form does not undo another
administrator's change, and the backup is not left at a media address."""
from __future__ import annotations


from cem.core import auth, i18n
from cem.core.db import get_engine, session_scope
from tests.test_pages import app_db, open_page  # noqa: F401  (app_db is a fixture)


def test_an_older_account_form_shows_the_conflict_and_changes_nothing(app_db):
    """Another administrator raised alice to project lead after this form opened: saving it says so and keeps theirs."""
    at = open_page("pages/data/admin.py", "en", user="admin")
    at.selectbox(key="admin_edit_user").set_value("alice").run()
    with session_scope(get_engine(app_db)) as session:
        auth.update_user(session, username="alice", role="lead", user="admin")
    role = next(s for s in at.selectbox if (s.key or "").startswith("admin_edit_role"))
    role.set_value("viewer")
    next(b for b in at.button if b.key == "admin_edit_save").click().run()
    expected = i18n.t("err.user_changed", "en", username="alice", who="admin")
    assert any(expected in e.value for e in at.error), [e.value for e in at.error]
    with session_scope(get_engine(app_db)) as session:
        assert auth.find_user(session, "alice").role == "lead"


def test_the_backup_is_sent_by_the_app_not_left_as_a_media_file(app_db):
    """The full backup is a link to the app's own address, which checks the session; no download button holds it."""
    at = open_page("pages/data/admin.py", "en", user="admin")
    assert not at.get("download_button")
    links = [link for link in at.get("link_button") if link.proto.url.endswith("/cem/backup")]
    assert len(links) == 1


def test_password_hashes_go_into_the_backup_only_when_asked(app_db):
    """The backup link asks for the password hashes only once the administrator ticks the box."""
    at = open_page("pages/data/admin.py", "en", user="admin")
    assert [link.proto.url for link in at.get("link_button")] == ["/cem/backup"]
    at.checkbox(key="admin_backup_hashes").check().run()
    assert [link.proto.url for link in at.get("link_button")] == ["/cem/backup?password_hashes=1"]
