"""No lost updates on the plan's forms: a save based on what someone else
has changed since is refused, naming what it is now; saving again on top
of the new state applies it."""
from __future__ import annotations

import pytest

from cem.core import months
from cem.improvement import plan
from cem.journey import services
from cem.core.errors import ConflictError

MONTH = "2026-12"


@pytest.fixture
def journey(session):
    journey = services.create_journey(session, name="Clinic", user="tester")
    stage = services.add_stage(session, journey_id=journey.id, name="Visit", user="tester")
    step = services.add_step(session, stage_id=stage.id, name="Arrive", user="tester")
    people = [plan.add_person(session, name=name, user="tester").id for name in ("Ann", "Bo", "Cy")]
    tasks = [plan.create_task(session, step_id=step.id, title=title, start_month=MONTH,
                              due_month=months.add(MONTH, 2), user="tester").id for title in ("Signs", "Queue")]
    return journey.id, people, tasks


def test_an_older_team_form_does_not_undo_another_leads_addition(session, journey):
    """Two leads open the team form; the first adds Bo; the second's save, based on the older team, is refused."""
    journey_id, (ann, bo, cy), _ = journey
    opened = plan.team_signature(plan.journey_team(session, journey_id))
    plan.set_team(session, journey_id=journey_id, lead_id=ann, secretary_id=None, member_ids=[bo],
                  expected=opened, user="tester")
    with pytest.raises(ConflictError) as refused:
        plan.set_team(session, journey_id=journey_id, lead_id=ann, secretary_id=cy, member_ids=[],
                      expected=opened, user="lead")
    assert "Bo" in refused.value.params["now"]
    assert [p.name for p in plan.journey_team(session, journey_id).members] == ["Bo"]
    now = plan.team_signature(plan.journey_team(session, journey_id))
    plan.set_team(session, journey_id=journey_id, lead_id=ann, secretary_id=cy, member_ids=[bo], expected=now,
                  user="lead")  # saved again on top of the new team: applied
    assert plan.journey_team(session, journey_id).secretary.name == "Cy"


def test_tiers_saved_over_someone_elses_change_are_refused(session, journey):
    """A tiers form opened at 30, 20, 10 cannot overwrite 40, 20, 10 saved meanwhile."""
    journey_id, _, _ = journey
    plan.set_tiers(session, journey_id=journey_id, tiers="40, 20, 10", expected="30, 20, 10", user="tester")
    with pytest.raises(ConflictError) as refused:
        plan.set_tiers(session, journey_id=journey_id, tiers="25, 15, 5", expected="30, 20, 10", user="lead")
    assert refused.value.params["now"] == "40, 20, 10"
    assert plan.journey_tiers(session, journey_id) == (40, 20, 10)


def test_a_month_plan_saved_over_someone_elses_tiers_is_refused(session, journey):
    """A commitment someone else changed since the plan was opened is not overwritten; other tasks still save."""
    journey_id, _, (signs, queue) = journey
    opened = {signs: None, queue: None}
    plan.set_commitments(session, journey_id=journey_id, month=MONTH, tiers={signs: 30}, expected=opened,
                         user="tester")
    with pytest.raises(ConflictError) as refused:
        plan.set_commitments(session, journey_id=journey_id, month=MONTH, tiers={signs: 10, queue: 20},
                             expected=opened, user="lead")
    assert "Signs: 30%" in refused.value.params["now"]
    plan.set_commitments(session, journey_id=journey_id, month=MONTH, tiers={queue: 20}, expected=opened,
                         user="lead")  # a task nobody else touched
    rows = {r.task.title: r.figures.commitments.get(MONTH) for r in plan.task_rows(session, [journey_id])}
    assert rows == {"Signs": 30, "Queue": 20}


@pytest.mark.pages
@pytest.mark.parametrize("lang", ["th", "en"])
def test_the_team_form_refuses_a_stale_save_and_keeps_what_was_picked(engine, db_url, monkeypatch, lang):
    """Lead A opens the team form; lead B adds a member; A's save is refused naming B's team, A's pick stays."""
    from cem.core import i18n
    from tests.test_pages import open_page, sample
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = open_page(None, lang, user="tester")  # seeds the sample
    journey_id = sample(db_url).journey.id
    from cem.core.db import get_engine, session_scope
    with session_scope(get_engine(db_url)) as session:
        ann = plan.add_person(session, name="Ann", user="lead").id
        bo = plan.add_person(session, name="Bo", user="lead").id
    at = open_page("pages/improvement/people.py", lang, user="tester")
    with session_scope(get_engine(db_url)) as session:
        plan.set_team(session, journey_id=journey_id, lead_id=None, secretary_id=None, member_ids=[bo], user="lead")
    at.selectbox(key="people_team_lead").set_value(ann)
    at.button(key="people_team_save").click().run()
    assert any(i18n.t("form.take_theirs", lang) == b.label for b in at.button)
    assert any("Bo" in w.value for w in at.warning)
    assert at.selectbox(key="people_team_lead").value == ann  # what A picked is kept
    at.button(key="people_team_save").click().run()  # again: A's team goes in over B's
    with session_scope(get_engine(db_url)) as session:
        team = plan.journey_team(session, journey_id)
    assert team.lead.name == "Ann" and team.members == []


def test_an_editor_cannot_restore_a_task_a_lead_deleted(session, journey):
    """Editors cannot delete tasks, so they cannot bring one back from the bin either."""
    from cem.core.auth import PermissionDenied
    _, _, (signs, _) = journey
    plan.delete_task(session, task_id=signs, user="lead")
    with pytest.raises(PermissionDenied):
        services.restore_from_bin(session, item_type="task", item_id=signs, user="alice")
    services.restore_from_bin(session, item_type="task", item_id=signs, user="lead")


@pytest.mark.parametrize("values, column", [({"owner_id": "abc"}, "plan.table.owner"),
                                            ({"owner_id": -3}, "plan.table.owner")])
def test_a_bad_owner_id_is_a_clear_error(session, journey, values, column):
    """update_task(owner_id="abc") names the owner field instead of raising ValueError."""
    from cem.core.errors import ValidationError
    _, _, (signs, _) = journey
    task = plan.task_rows(session, [journey[0]])[0].task
    with pytest.raises(ValidationError) as refused:
        plan.update_task(session, task_id=task.id, version=task.version, user="tester", **values)
    assert refused.value.params["column"] == column


def test_a_task_from_a_missing_measure_is_a_clear_error(session, journey):
    """create_task(measure_id=999999) says the measure was not found instead of an IntegrityError."""
    from cem.core.errors import NotFoundError
    journey_id, _, _ = journey
    step = services.load_journey_tree(session, journey_id).stages[0].steps[0].step
    with pytest.raises(NotFoundError):
        plan.create_task(session, step_id=step.id, title="x", start_month=MONTH, due_month=MONTH,
                         measure_id=999999, user="tester")


def test_phones_and_emails_only_for_leads_and_the_teams_secretary(session, journey):
    """A viewer or an editor gets names and departments but no phones or e-mails, unless she is a secretary."""
    journey_id, (ann, bo, _), (signs, _) = journey
    plan.update_person(session, person_id=ann, phone="081-111-1111", email="ann@example.com", user="tester")
    plan.update_task(session, task_id=signs, owner_id=ann, user="tester")
    for viewer in ("viewer", "editor"):
        people = {p.name: p for p in plan.list_people(session, user=viewer)}
        assert (people["Ann"].phone, people["Ann"].email) == ("", "")
        owner = plan.task_rows(session, [journey_id], user=viewer)[0].owner
        assert owner.name == "Ann" and owner.phone == ""
    assert plan.list_people(session)[0].phone == "081-111-1111"  # the stored row is untouched
    assert {p.name: p.phone for p in plan.list_people(session, user="lead")}["Ann"] == "081-111-1111"
    secretary = plan.add_person(session, name="Sec", username="viewer", user="tester").id
    plan.set_team(session, journey_id=journey_id, lead_id=None, secretary_id=secretary, user="tester")
    assert {p.name: p.phone for p in plan.list_people(session, user="viewer")}["Ann"] == "081-111-1111"


def test_an_export_with_personal_data_is_logged(session, journey):
    """The plan workbook holds owners' phones for a lead, and the export is in the change log; a viewer's has none."""
    from sqlmodel import select
    from cem.improvement import plan_export
    from cem.core.models import ChangeLog
    journey_id, (ann, _, _), (signs, _) = journey
    plan.update_person(session, person_id=ann, phone="081-111-1111", user="tester")
    plan.update_task(session, task_id=signs, owner_id=ann, user="tester")
    assert b"081-111-1111" not in _cells(plan_export.export_plan(session, journey_id=journey_id, lang="en",
                                                                 user="viewer"))
    assert b"081-111-1111" in _cells(plan_export.export_plan(session, journey_id=journey_id, lang="en", user="lead"))
    logged = session.exec(select(ChangeLog).where(ChangeLog.action == "export")).all()
    assert [(c.user, c.journey_id, c.new["fields"]) for c in logged] == [("lead", journey_id, ["phone", "email"])]


def _cells(workbook: bytes) -> bytes:
    from io import BytesIO
    import openpyxl
    book = openpyxl.load_workbook(BytesIO(workbook))
    return "\n".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row).encode()


@pytest.mark.pages
def test_the_signed_in_name_is_shown_as_typed_not_as_markdown(engine, db_url, monkeypatch):
    """A display name that is an image, a colour or a formula shows as text in the sidebar."""
    from cem.core import auth
    from cem.core.db import get_engine, session_scope
    from tests.test_pages import open_page
    monkeypatch.setenv("DATABASE_URL", db_url)
    hostile = "![](http://127.0.0.1:9/x.png) :red[x] $x^2$ www.example.com"
    with session_scope(get_engine(db_url)) as session:
        auth.update_user(session, username="alice", display_name=hostile, user="admin")
    at = open_page(None, "en", user="alice")
    shown = next(c.value for c in at.sidebar.caption if "Signed in" in c.value or "alice" in c.value.lower()
                 or "x" in c.value)
    # Every character Markdown would act on is escaped (shown as itself).
    assert "\\!\\[\\]\\(http\u2060\\:" in shown and r"\:red\[x\]" in shown and r"\$x^2\$" in shown
    assert "www\u2060\\.example\\.com" in shown  # no bare address left to autolink


def test_seeding_the_sample_needs_the_system_or_an_editor(engine):
    """seed_sample_journey runs as the app itself at start-up; a viewer cannot use it to write."""
    from sqlmodel import Session
    from cem.core.auth import PermissionDenied
    from cem.journey.templates import seed_sample_journey
    with Session(engine) as session:
        with pytest.raises(PermissionDenied):
            seed_sample_journey(session, user="viewer")
        assert services.list_journeys(session) == []
        assert seed_sample_journey(session, user="editor").created_by == "editor"
