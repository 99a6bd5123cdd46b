"""AppTests of the what-to-fix-first page, in Thai and English: the
matrix and the table, estimates saved, and picked items put into next
month's 30/20/10 plan."""
from __future__ import annotations

import pytest
from sqlmodel import select

from cem.core import i18n, months
from cem.core.models import Commitment, Measure, PainPoint, Task
from cem.journey import services
from tests.test_pages import app_db, db_session, open_page, sample  # noqa: F401 (fixture)

PAGE = "pages/improvement/priorities.py"


def editor_key(app_db) -> str:
    return f"prio_table_{sample(app_db).journey.id}_0"  # ui.table_form.TableForm's key, before any save


def snapshot(at, app_db) -> list[dict]:
    return at.session_state[f"prio_table_{sample(app_db).journey.id}_snapshot"]


def position(at, app_db, text: str) -> int:
    return next(n for n, row in enumerate(snapshot(at, app_db)) if row["text"].startswith(text[:40]))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_page_draws_the_matrix_and_every_open_item(app_db, lang):
    at = open_page(PAGE, lang)
    tree = sample(app_db)
    open_pains = [p for _, step in tree.all_steps() for p in step.pain_points if p.status != "resolved"]
    ideas = [i for _, step in tree.all_steps() for i in step.ideas]
    assert at.title[0].value == i18n.t("prio.title", lang)
    table = at.dataframe[0].value if at.dataframe else None
    rows = snapshot(at, app_db)
    assert len(rows) == len(open_pains) + len(ideas)
    impacts = [row["impact"] for row in rows]
    assert impacts == sorted(impacts, reverse=True)
    assert table is None or len(table) == len(rows)
    assert not at.exception and not at.error


def test_a_pain_point_without_a_fix_is_planned_for_next_month_with_the_fix_typed(app_db):
    at = open_page(PAGE, "en")
    tree = sample(app_db)
    step = tree.stages[0].steps[0]
    with db_session(app_db) as session:
        pain = services.add_pain_point(session, step_id=step.step.id, text="Bills arrive late every month",
                                       severity=4, user="admin")
    at.run()
    row = position(at, app_db, "Bills arrive late every month")
    at.session_state[editor_key(app_db)] = {"edited_rows": {row: {"pick": True, "tier": 20,
                                                              "fix": "Send the bill by LINE on the 1st"}},
                                        "added_rows": [], "deleted_rows": []}
    at.button(key="prio_plan").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    next_month = months.add(months.this_month(), 1)
    with db_session(app_db) as session:
        measure = session.execute(select(Measure).where(Measure.pain_point_id == pain.id)).scalars().one()
        task = session.execute(select(Task).where(Task.measure_id == measure.id)).scalars().one()
        commitment = session.execute(select(Commitment).where(Commitment.task_id == task.id)).scalars().one()
    assert (measure.text, task.title, task.start_month) == ("Send the bill by LINE on the 1st",) * 2 + (next_month,)
    assert (commitment.month, commitment.tier) == (next_month, 20)


def test_an_effort_typed_is_saved(app_db):
    at = open_page(PAGE, "th")
    tree = sample(app_db)
    first = next(p for _, step in tree.all_steps() for p in step.pain_points if p.status != "resolved")
    row = position(at, app_db, first.text)
    at.session_state[editor_key(app_db)] = {"edited_rows": {row: {"effort": 2}}, "added_rows": [], "deleted_rows": []}
    at.button(key="prio_save").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        assert session.get(PainPoint, first.id).effort == 2


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_plan_button_says_how_many_items_are_picked(app_db, lang):
    at = open_page(PAGE, lang)
    plan_button = next(b for b in at.button if b.key == "prio_plan")
    assert i18n.t("prio.picked_n", lang, n=1) not in plan_button.label
    at.session_state[editor_key(app_db)] = {"edited_rows": {0: {"pick": True}, 2: {"pick": True}},
                                            "added_rows": [], "deleted_rows": []}
    at.run()
    plan_button = next(b for b in at.button if b.key == "prio_plan")
    assert plan_button.label.endswith(i18n.t("prio.picked_n", lang, n=2))
    assert not at.exception


def test_a_row_ticked_does_not_write_back_the_effort_it_was_drawn_with(app_db):
    """Ticking a row (in the table or on the matrix) drafts the whole row as drawn; saving the
    estimates afterwards must not put back the effort someone else has set since."""
    at = open_page(PAGE, "en")
    tree = sample(app_db)
    first = next(p for _, step in tree.all_steps() for p in step.pain_points if p.status != "resolved")
    row = position(at, app_db, first.text)
    at.session_state[editor_key(app_db)] = {"edited_rows": {row: {"pick": True}}, "added_rows": [],
                                            "deleted_rows": []}
    at.run()
    with db_session(app_db) as session:
        from cem.improvement import priorities

        pain = session.get(PainPoint, first.id)
        priorities.set_priority(session, journey_id=tree.journey.id, kind="painpoint", item_id=pain.id,
                                version=pain.version, effort=4, impact_by_hand=None, user="admin")
    at.button(key="prio_save").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        assert session.get(PainPoint, first.id).effort == 4
