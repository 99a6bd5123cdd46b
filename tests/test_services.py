"""Unit tests of the journey-map services, without a browser."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlmodel import func, select

from cem.core import config
from cem.journey import services
from cem.core.auth import PermissionDenied
from cem.core.db import migrate
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import Idea, Journey, Measure, PainPoint, Stage, Step
from cem.journey.services import RowChanges
from cem.journey.templates import GENERAL_LIFE_CYCLE, create_from_template, seed_sample_journey
from tests.conftest import USER


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# ---------------------------------------------------------------- database set-up


def test_sqlite_runs_with_foreign_keys_wal_and_busy_timeout(engine):
    """The embedded database enforces links between rows and lets readers and a writer work at once."""
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_migrations_match_the_models_and_can_run_twice(engine):
    """Starting the app again changes nothing, and the migration builds exactly the tables the code uses."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    from cem.kb import outside_the_models  # the search indexes, kept by triggers, are no models

    migrate(engine)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"include_object": outside_the_models}),
                                SQLModel.metadata)
    assert diff == []


def test_sample_journey_is_seeded_once(session):
    """A fresh install shows one filled sample journey, and restarting does not add another."""
    first = seed_sample_journey(session)
    assert first is not None
    assert seed_sample_journey(session) is None
    tree = services.load_journey_tree(session, first.id)
    assert len(tree.stages) == len(GENERAL_LIFE_CYCLE)
    assert any(view.pain_points for _, view in tree.all_steps())
    assert count(session, Journey) == 1


# ---------------------------------------------------------------- journeys


@pytest.mark.parametrize("lang, first, last", [("th", "นำเสนอบริการ", "กลับมาใช้บริการใหม่"),
                                               ("en", "Offer", "Coming back")])
def test_template_gives_the_general_life_cycle(session, lang, first, last):
    """A journey started from the template has the seven life-cycle stages in the chosen language."""
    journey = create_from_template(session, template="general", lang=lang, name="J", user=USER)
    stages = services.list_stages(session, journey.id)
    assert [s.position for s in stages] == list(range(1, 8))
    assert stages[0].name == first and stages[-1].name == last
    assert [s.phase for s in stages] == [row[0] for row in GENERAL_LIFE_CYCLE]
    assert all(s.created_by == USER for s in stages)


def test_blank_journey_has_no_stages(session):
    """A blank journey starts empty."""
    journey = create_from_template(session, template="blank", lang="en", name="Blank", user=USER)
    assert services.list_stages(session, journey.id) == []


def test_journey_needs_a_name_and_nothing_is_saved_without_one(session):
    """Creating a journey without a name says the name is required and saves nothing."""
    with pytest.raises(ValidationError) as caught:
        create_from_template(session, template="general", lang="en", name="   ", user=USER)
    assert caught.value.code == "err.field"
    assert caught.value.params["column"] == "col.journey_name"
    assert caught.value.params["problem"] == "err.required"
    assert count(session, Journey) == 0 and count(session, Stage) == 0


def test_every_write_needs_a_signed_in_user(session):
    """A change without a known, active account is refused."""
    for who in (" ", "nobody"):
        with pytest.raises(PermissionDenied) as caught:
            services.create_journey(session, name="J", user=who)
        assert caught.value.code == "err.not_signed_in"


def test_update_records_who_and_raises_the_version(session, small_journey):
    """Renaming a journey records who did it and counts the change."""
    before = small_journey.version
    journey = services.update_journey(session, journey_id=small_journey.id, name="Renamed", description="d",
                                      version=before, user="alice")
    assert journey.name == "Renamed" and journey.updated_by == "alice" and journey.version == before + 1


def test_stale_edit_is_refused_as_a_conflict(session, small_journey):
    """Saving over a change someone else made since you loaded it is refused, not silently overwritten."""
    stage = services.list_stages(session, small_journey.id)[0]
    services.update_stage(session, stage_id=stage.id, name="Offer (new)", version=stage.version, user="bob")
    with pytest.raises(ConflictError) as caught:
        services.update_stage(session, stage_id=stage.id, name="Mine", version=1, user="alice")
    assert caught.value.params["by"] == "bob"
    session.expire_all()
    assert session.get(Stage, stage.id).name == "Offer (new)"


def test_deleting_a_journey_takes_everything_under_it(session, small_journey):
    """Deleting a journey removes its stages, sub-steps, pain points, measures and ideas."""
    services.delete_journey(session, journey_id=small_journey.id, user=USER)
    for model in (Journey, Stage, Step, PainPoint, Measure, Idea):
        assert count(session, model) == 0


# ---------------------------------------------------------------- stages and steps


def test_stage_phase_must_be_before_during_or_after(session, small_journey):
    """A stage's service phase can only be before, during or after service."""
    with pytest.raises(ValidationError) as caught:
        services.add_stage(session, journey_id=small_journey.id, name="X", phase="sometimes", user=USER)
    assert caught.value.params["column"] == "col.phase"


def test_move_stage_reorders_and_keeps_numbers_contiguous(session, small_journey):
    """Moving a stage down swaps it with the next one."""
    first, second = services.list_stages(session, small_journey.id)
    services.move_stage(session, stage_id=first.id, offset=1, user=USER)
    assert [s.id for s in services.list_stages(session, small_journey.id)] == [second.id, first.id]
    services.move_stage(session, stage_id=first.id, offset=5, user=USER)  # already last: stays
    assert [s.position for s in services.list_stages(session, small_journey.id)] == [1, 2]


def test_deleting_a_stage_says_and_takes_what_goes_with_it(session, small_journey):
    """Before deleting a stage the app can say how many sub-steps, pain points, measures and ideas go too."""
    offer = services.list_stages(session, small_journey.id)[0]
    impact = services.stage_deletion_impact(session, [offer.id])
    assert (impact.steps, impact.pain_points, impact.measures, impact.ideas) == (2, 2, 3, 1)
    services.delete_stage(session, stage_id=offer.id, user=USER)
    assert [s.position for s in services.list_stages(session, small_journey.id)] == [1]
    tree = services.load_journey_tree(session, small_journey.id)
    assert [s.stage.name for s in tree.stages] == ["Use"] and tree.all_steps() == []
    assert services.journey_counts(session)[small_journey.id] == {"stages": 1}


def test_step_emotion_and_ratings_are_checked(session, small_journey):
    """Emotion must be -2..+2 and the four touchpoint ratings 1..5."""
    stage = services.list_stages(session, small_journey.id)[0]
    with pytest.raises(ValidationError) as caught:
        services.add_step(session, stage_id=stage.id, name="S", emotion_now=3, user=USER)
    assert caught.value.params["column"] == "col.emotion_now"
    with pytest.raises(ValidationError) as caught:
        services.add_step(session, stage_id=stage.id, name="S", fast=0, user=USER)
    assert caught.value.params["column"] == "quality.fast"
    step = services.add_step(session, stage_id=stage.id, name="S", emotion_now="-2", correct=5.0, user=USER)
    assert step.emotion_now == -2 and step.correct == 5


def test_missing_parent_is_reported(session):
    """Adding a sub-step to a stage that no longer exists says so."""
    with pytest.raises(NotFoundError):
        services.add_step(session, stage_id=999, name="S", user=USER)


# ---------------------------------------------------------------- grid saves


def test_grid_save_adds_edits_deletes_and_reorders_at_once(session, small_journey):
    """One Save in the stage table adds, renames, deletes and moves stages together."""
    offer, use = services.list_stages(session, small_journey.id)
    changes = RowChanges(
        added=[{"name": "Support", "phase": "during", "position": 1}, {"name": "Renewal", "phase": "after"}],
        updated={use.id: {"name": "Everyday use", "version": use.version}},
        deleted=[offer.id],
    )
    result = services.save_stages(session, journey_id=small_journey.id, changes=changes, user=USER)
    assert (result.added, result.updated, result.deleted) == (2, 1, 1)
    names = [s.name for s in services.list_stages(session, small_journey.id)]
    assert names == ["Support", "Everyday use", "Renewal"]
    assert [s.position for s in services.list_stages(session, small_journey.id)] == [1, 2, 3]


def test_grid_moving_a_row_by_its_number(session, small_journey):
    """Typing number 1 on the last stage moves it to the top."""
    services.add_stage(session, journey_id=small_journey.id, name="Third", user=USER)
    stages = services.list_stages(session, small_journey.id)
    changes = RowChanges(updated={stages[2].id: {"position": 1, "version": stages[2].version}})
    services.save_stages(session, journey_id=small_journey.id, changes=changes, user=USER)
    assert [s.name for s in services.list_stages(session, small_journey.id)] == ["Third", "Offer", "Use"]


def test_grid_error_names_row_and_column_and_saves_nothing(session, small_journey):
    """A bad cell anywhere in the table is reported by row and column, and none of the table is saved."""
    step = services.list_steps(session, services.list_stages(session, small_journey.id)[0].id)[0]
    changes = RowChanges(added=[{"text": "Fine", "severity": 2}, {"text": "Bad", "severity": 9}],
                         row_numbers={("new", 0): 3, ("new", 1): 4})
    with pytest.raises(ValidationError) as caught:
        services.save_pain_points(session, step_id=step.id, changes=changes, user=USER)
    assert caught.value.code == "err.cell"
    assert caught.value.params["row"] == 4 and caught.value.params["column"] == "col.severity"
    assert len(services.list_pain_points(session, step.id)) == 2


def test_grid_conflict_refuses_the_whole_save(session, small_journey):
    """If one row changed under you, nothing from that Save is written."""
    stage = services.list_stages(session, small_journey.id)[0]
    loaded_version = stage.version
    services.update_stage(session, stage_id=stage.id, description="changed by bob", user="bob")
    changes = RowChanges(added=[{"name": "New stage"}],
                         updated={stage.id: {"name": "Mine", "version": loaded_version}})
    with pytest.raises(ConflictError):
        services.save_stages(session, journey_id=small_journey.id, changes=changes, user="alice")
    session.expire_all()
    assert [s.name for s in services.list_stages(session, small_journey.id)] == ["Offer", "Use"]


def test_grid_cannot_touch_rows_of_another_parent(session, small_journey):
    """A crafted save cannot delete a stage of another journey."""
    other = services.create_journey(session, name="Other", user=USER)
    theirs = services.add_stage(session, journey_id=other.id, name="Theirs", user=USER)
    with pytest.raises(NotFoundError):
        services.save_stages(session, journey_id=small_journey.id, changes=RowChanges(deleted=[theirs.id]),
                             user=USER)
    assert services.list_stages(session, other.id)


def test_measures_must_belong_to_a_pain_point_of_the_step(session, small_journey):
    """A measure can only be attached to a pain point of the same sub-step."""
    offer = services.list_stages(session, small_journey.id)[0]
    browse, call = services.list_steps(session, offer.id)
    elsewhere = services.add_pain_point(session, step_id=call.id, text="Long wait", user=USER)
    changes = RowChanges(added=[{"pain_point_id": elsewhere.id, "kind": "fix", "text": "More staff"}],
                         row_numbers={("new", 0): 4})
    with pytest.raises(ValidationError) as caught:
        services.save_measures(session, step_id=browse.id, changes=changes, user=USER)
    assert caught.value.params == {"column": "col.pain_point", "problem": "err.pick_pain_point", "row": 4}
    pain = services.list_pain_points(session, browse.id)[1]
    ok = RowChanges(added=[{"pain_point_id": pain.id, "kind": "prevention", "text": "CDN"}])
    services.save_measures(session, step_id=browse.id, changes=ok, user=USER)
    assert [m.text for m in services.list_measures(session, browse.id)][-1] == "CDN"


# ---------------------------------------------------------------- reading the map


def test_journey_tree_holds_everything_in_order(session, small_journey):
    """The whole map loads with stages, sub-steps, pain points, measures and ideas in order."""
    tree = services.load_journey_tree(session, small_journey.id)
    assert [s.stage.name for s in tree.stages] == ["Offer", "Use"]
    browse = tree.stages[0].steps[0]
    assert [p.text for p in browse.pain_points] == ["Prices are hard to compare", "Site is slow"]
    assert [m.text for m in browse.measures[browse.pain_points[0].id]] == [
        "One comparison table", "Shorter terms", "Chat help"]
    assert [i.text for i in browse.ideas] == ["Live chat on the package page"]
    assert tree.stages[0].open_pain_points == 2


def test_journey_tree_uses_a_fixed_number_of_queries(session, small_journey, engine):
    """Loading a large map costs no more queries than a small one."""
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda *args: None if args[2].startswith("BEGIN") else statements.append(args[2]))
    session.expire_all()
    services.load_journey_tree(session, small_journey.id)
    small = len(statements)
    stage = services.list_stages(session, small_journey.id)[1]
    for n in range(10):
        step = services.add_step(session, stage_id=stage.id, name=f"S{n}", user=USER)
        services.add_idea(session, step_id=step.id, text="idea", user=USER)
    statements.clear()
    session.expire_all()
    services.load_journey_tree(session, small_journey.id)
    assert len(statements) == small <= 6


def test_journey_counts(session, small_journey):
    """The journey list shows stages, sub-steps and open pain points."""
    assert services.journey_counts(session)[small_journey.id] == {"stages": 2, "steps": 2, "open_pain_points": 2}


def test_every_change_in_the_map_raises_the_journey_revision(session, small_journey):
    """Any change anywhere in a journey's map is visible as a new revision (pages redraw from it)."""
    offer, use = services.list_stages(session, small_journey.id)
    step = services.list_steps(session, offer.id)[0]
    pain = services.list_pain_points(session, step.id)[0]
    changes = [
        lambda: services.update_journey(session, journey_id=small_journey.id, name="New name", description="",
                                        user=USER),
        lambda: services.add_stage(session, journey_id=small_journey.id, name="S", user=USER),
        lambda: services.update_stage(session, stage_id=use.id, name="Use it", user=USER),
        lambda: services.move_stage(session, stage_id=use.id, offset=-1, user=USER),
        lambda: services.add_step(session, stage_id=use.id, name="Step", user=USER),
        lambda: services.update_step(session, step_id=step.id, emotion_now=2, user=USER),
        lambda: services.add_pain_point(session, step_id=step.id, text="P", user=USER),
        lambda: services.update_pain_point(session, pain_point_id=pain.id, status="resolved", user=USER),
        lambda: services.add_measure(session, pain_point_id=pain.id, text="M", user=USER),
        lambda: services.add_idea(session, step_id=step.id, text="I", user=USER),
        lambda: services.save_ideas(session, step_id=step.id, changes=RowChanges(added=[{"text": "J"}]), user=USER),
        lambda: services.save_measures(session, step_id=step.id, user=USER, changes=RowChanges(
            added=[{"pain_point_id": pain.id, "text": "N"}])),
        lambda: services.delete_pain_point(session, pain_point_id=pain.id, user=USER),
        lambda: services.delete_step(session, step_id=step.id, user=USER),
        lambda: services.delete_stage(session, stage_id=offer.id, user=USER),
    ]
    for change in changes:
        before = services.journey_revision(session, small_journey.id)
        change()
        assert services.journey_revision(session, small_journey.id) == before + 1


def test_an_edit_that_changes_nothing_keeps_the_revision(session, small_journey):
    """Saving a value that is already there is not a change."""
    stage = services.list_stages(session, small_journey.id)[0]
    before = services.journey_revision(session, small_journey.id)
    services.update_stage(session, stage_id=stage.id, name=stage.name, user=USER)
    assert services.journey_revision(session, small_journey.id) == before


# ---------------------------------------------------------------- bin and history


def test_a_deleted_stage_comes_back_from_the_bin_with_everything_under_it(session, small_journey):
    """Restoring a stage from the bin brings back its sub-steps, pain points, measures and ideas, in its place."""
    before = services.load_journey_tree(session, small_journey.id)
    offer = before.stages[0].stage
    services.delete_stage(session, stage_id=offer.id, user="alice")
    [entry] = services.list_bin(session, small_journey.id)
    assert entry.item_type == "stage" and entry.item.deleted_by == "alice"
    assert (entry.impact.steps, entry.impact.pain_points, entry.impact.measures) == (2, 2, 3)
    services.restore_from_bin(session, item_type="stage", item_id=offer.id, user="bob")
    after = services.load_journey_tree(session, small_journey.id)
    assert [s.stage.name for s in after.stages] == ["Offer", "Use"]
    assert len(after.all_steps()) == 2 and after.stages[0].open_pain_points == 2
    assert services.list_bin(session, small_journey.id) == []


def test_a_deleted_step_from_a_grid_goes_to_the_bin(session, small_journey):
    """Deleting a sub-step row in the grid moves it to the bin, where it can be restored."""
    offer = services.list_stages(session, small_journey.id)[0]
    browse, call = services.list_steps(session, offer.id)
    services.save_steps(session, stage_id=offer.id, changes=RowChanges(deleted=[browse.id]), user=USER)
    assert [s.name for s in services.list_steps(session, offer.id)] == ["Call sales"]
    [entry] = services.list_bin(session, small_journey.id)
    assert entry.item_type == "step" and entry.stage_name == "Offer" and entry.impact.ideas == 1
    services.restore_from_bin(session, item_type="step", item_id=browse.id, user=USER)
    assert [s.name for s in services.list_steps(session, offer.id)] == ["Browse packages", "Call sales"]


def test_history_records_who_when_what_old_and_new(session, small_journey):
    """Every change is in the history with who made it and the old and new values."""
    stage = services.list_stages(session, small_journey.id)[0]
    services.update_stage(session, stage_id=stage.id, name="First offer", user="alice")
    [change] = services.history(session, journey_id=small_journey.id, stage_id=stage.id, limit=1)
    assert (change.user, change.action, change.item_type) == ("alice", "update", "stage")
    assert change.old == {"name": "Offer"} and change.new == {"name": "First offer"}
    step = services.list_steps(session, stage.id)[0]
    services.add_idea(session, step_id=step.id, text="Video guide", user="bob")
    feed = services.history(session, journey_id=small_journey.id, step_id=step.id)
    assert feed[0].item_type == "idea" and feed[0].new["text"] == "Video guide" and feed[0].user == "bob"
    assert {c.action for c in services.history(session, journey_id=small_journey.id)} == {"create", "update"}


def test_deleted_rows_keep_their_last_values_in_the_history(session, small_journey):
    """A deleted pain point's text stays readable in the activity feed."""
    step = services.list_steps(session, services.list_stages(session, small_journey.id)[0].id)[0]
    pain = services.list_pain_points(session, step.id)[1]
    services.delete_pain_point(session, pain_point_id=pain.id, user="bob")
    latest = services.history(session, journey_id=small_journey.id, limit=1)[0]
    assert (latest.action, latest.old["text"], latest.user) == ("delete", "Site is slow", "bob")


def test_the_embedded_database_stays_data_cem_db(monkeypatch):
    """Moving the modules into parts must not move anyone's data: an
    install keeps reading data/cem.db at the top of the checkout."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    root = Path(__file__).resolve().parent.parent
    assert config.database_url() == f"sqlite:///{root / 'data' / 'cem.db'}"
