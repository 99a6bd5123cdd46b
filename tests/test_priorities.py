"""What to fix first: the customer impact on hand-worked examples, the
team's effort and its override of the impact, the impact/effort matrix of
a journey, and putting picked items into next month's 30/20/10 plan in
one transaction."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import ChangeLog, Commitment, Customer, Feedback, Idea, Measure, PainPoint, Task
from cem.customers import billing, complaints
from cem.improvement import plan, priorities
from cem.journey import services

USER = "lead"
TODAY = date(2026, 4, 15)
MAY = "2026-05"


def english(error) -> str:
    return i18n.error_text(error.value, "en")


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


# ---------------------------------------------------------------- the impact


@pytest.mark.parametrize("severity, voices, complaints_, revenue, expected, parts", [
    (3, 0, 0, 0, 3, (3, 0, 0)),  # severity alone
    (3, 2, 1, 0, 4, (3, 1, 0)),  # raised 3 times: +1
    (2, 4, 1, 0, 4, (2, 2, 0)),  # raised 5 times: +2
    (2, 0, 1, 1_000, 4, (2, 1, 1)),  # 1,000 of 100,000 is 1 %: +1
    (2, 0, 1, 999, 3, (2, 1, 0)),  # just under 1 %
    (5, 9, 9, 50_000, 5, (5, 2, 1)),  # at most 5
    (1, 0, 0, 0, 1, (1, 0, 0)),
    (None, 0, 0, 0, 3, (3, 0, 0)),  # an idea starts at 3
    (None, 3, 3, 2_000, 5, (3, 2, 1)),
])
def test_the_impact_on_hand_worked_examples(severity, voices, complaints_, revenue, expected, parts):
    found = priorities.impact(severity=severity, voices=voices, complaints=complaints_, revenue=revenue,
                              total_revenue=100_000)
    assert (found.value, found.computed, found.by_hand) == (expected, expected, None)
    assert (found.start, found.report_points, found.money_point) == parts
    assert found.reports == voices + complaints_


def test_without_any_revenue_there_is_no_money_point():
    found = priorities.impact(severity=2, voices=0, complaints=1, revenue=0, total_revenue=0)
    assert (found.money_point, found.revenue_share, found.value) == (0, None, 3)


def test_an_impact_set_by_hand_replaces_the_computed_one_and_keeps_it_shown():
    found = priorities.impact(severity=5, voices=1, complaints=0, revenue=0, total_revenue=10, by_hand=2)
    assert (found.value, found.computed, found.by_hand) == (2, 5, 2)
    text = priorities.explain(found, lambda key, **p: i18n.t(key, "en", **p))
    assert text == ("severity 5 + 1 (raised 1 times: 1 voices, 0 complaints) + 0 (revenue at risk 0.0% of all "
                    "revenue) = 5 Set by hand to 2 (computed: 5).")


def test_the_formula_is_written_out_in_both_languages():
    assert "severity" in i18n.t("prio.formula", "en") and "1%" in i18n.t("prio.formula", "en")
    assert "ความรุนแรง" in i18n.t("prio.formula", "th")
    idea = priorities.impact(severity=None, voices=2, complaints=0, revenue=0, total_revenue=0)
    assert priorities.explain(idea, lambda key, **p: i18n.t(key, "th", **p)).startswith("เริ่มที่ 3 + 1")


# ---------------------------------------------------------------- a journey with evidence


def bills(session, lines: list[tuple[str, str, int]]) -> dict[str, int]:
    """Bills of (customer code, ISO day, baht); the customers' ids by code."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\n" + "".join(f"{c},ร้าน {c},{d},{a}\n" for c, d, a in lines)
    sheet = billing.read_file(text.encode(), "bills.csv")
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    billing.import_bills(session, checked=checked, file_name="bills.csv", user=USER)
    session.rollback()
    return {code: i for i, code in session.execute(select(Customer.id, Customer.code))}


def voice(session, *, step_id: int, pain_point_id: int | None = None, sentiment: str = "negative") -> None:
    session.add(Feedback(received=date(2026, 3, 1), step_id=step_id, pain_point_id=pain_point_id,
                         sentiment=sentiment, created_by=USER))
    session.commit()


@pytest.fixture
def world(session, small_journey):
    """The small journey with evidence. Browse packages: "Prices are hard to
    compare" (severity 4, three measures, the first a prevention), "Site is
    slow" (severity 2, no measure, one voice and a complaint by A, whose
    10,000 baht are 10 % of the last 12 months' 100,000), the idea "Live
    chat" (its sub-step: one negative voice, one complaint), an old resolved
    pain point. Call sales: a pain point of severity 4 not estimated yet and
    one of severity 5 set by hand to 1."""
    tree = services.load_journey_tree(session, small_journey.id)
    browse, call = tree.stages[0].steps[0], tree.stages[0].steps[1]
    pains = {p.text: p.id for p in browse.pain_points}
    ids = bills(session, [("A", "2026-01-05", 10_000), ("B", "2026-02-05", 90_000), ("B", "2025-04-30", 5_000)])
    voice(session, step_id=browse.step.id, pain_point_id=pains["Site is slow"])
    voice(session, step_id=browse.step.id, sentiment="positive")  # not counted for the idea
    complaints.record_complaint(session, text="So slow", received=date(2026, 3, 2), severity=3,
                                customer_id=ids["A"], pain_point_id=pains["Site is slow"], user=USER)
    old = services.add_pain_point(session, step_id=browse.step.id, text="Old trouble", severity=5,
                                  status="resolved", user=USER)
    unknown = services.add_pain_point(session, step_id=call.step.id, text="Long wait", severity=4, user=USER)
    handled = services.add_pain_point(session, step_id=call.step.id, text="Rude", severity=5, user=USER)
    priorities.set_priority(session, journey_id=small_journey.id, kind="painpoint", item_id=handled.id,
                            impact_by_hand=1, user=USER)
    priorities.set_priority(session, journey_id=small_journey.id, kind="painpoint",
                            item_id=pains["Site is slow"], effort=1, user=USER)
    priorities.set_priority(session, journey_id=small_journey.id, kind="painpoint",
                            item_id=pains["Prices are hard to compare"], effort=3, user=USER)
    return {"journey": small_journey.id, "browse": browse.step.id, "call": call.step.id,
            "prices": pains["Prices are hard to compare"], "slow": pains["Site is slow"],
            "idea": browse.ideas[0].id, "old": old.id, "wait": unknown.id, "rude": handled.id,
            "measures": {m.text: m.id for m in browse.measures[pains["Prices are hard to compare"]]}}


def test_the_matrix_lists_items_by_impact_then_effort_with_their_parts(session, world):
    found = priorities.matrix(session, world["journey"], today=TODAY)
    assert [(item.kind, item.text, item.impact.value, item.effort) for item in found] == [
        ("idea", "Live chat on the package page", 5, None),  # 3 + 1 (2 at its sub-step) + 1 (10 %)
        ("painpoint", "Site is slow", 4, 1),  # 2 + 1 (1 voice, 1 complaint) + 1 (10 %)
        ("painpoint", "Prices are hard to compare", 4, 3),  # severity alone
        ("painpoint", "Long wait", 4, None),  # not estimated: after those that are
        ("painpoint", "Rude", 1, None),  # set by hand, computed 5
    ]
    slow = found[1]
    assert (slow.impact.voices, slow.impact.complaints, slow.impact.revenue, slow.impact.total_revenue) == (
        1, 1, 10_000, 100_000)
    assert (slow.stage_name, slow.step_name, slow.step_id, slow.severity) == ("Offer", "Browse packages",
                                                                               world["browse"], 2)
    assert (slow.planned, slow.plannable, slow.measures) == (False, False, 0)  # no measure yet
    idea = found[0]
    assert (idea.impact.voices, idea.impact.complaints, idea.severity, idea.plannable) == (1, 1, None, True)
    assert found[4].impact.computed == 5 and found[4].impact.by_hand == 1
    resolved = priorities.matrix(session, world["journey"], today=TODAY, include_resolved=True)
    assert "Old trouble" in [item.text for item in resolved]


def test_the_money_point_follows_the_last_twelve_months(session, world):
    # A year later A's bill is outside the last 12 months: no revenue at risk, no money point.
    later = {item.text: item for item in priorities.matrix(session, world["journey"], today=date(2027, 2, 1))}
    assert later["Site is slow"].impact.revenue == 0 and later["Site is slow"].impact.value == 3


# ---------------------------------------------------------------- effort and the override


def test_setting_effort_checks_the_version_logs_and_raises_the_revision(session, world):
    before = services.journey_revision(session, world["journey"])
    pain = session.get(PainPoint, world["wait"])
    opened = pain.version
    changed = priorities.set_priority(session, journey_id=world["journey"], kind="painpoint", item_id=pain.id,
                                      version=opened, effort="2", user=USER)
    assert (changed.effort, changed.version) == (2, opened + 1)
    assert services.journey_revision(session, world["journey"]) == before + 1
    log = session.execute(select(ChangeLog).where(ChangeLog.item_type == "painpoint", ChangeLog.item_id == pain.id,
                                                  ChangeLog.action == "update")).scalar_one()
    assert (log.old, log.new, log.journey_id, log.step_id) == ({"effort": None}, {"effort": 2}, world["journey"],
                                                                world["call"])
    with pytest.raises(ConflictError):
        priorities.set_priority(session, journey_id=world["journey"], kind="painpoint", item_id=pain.id,
                                version=1, effort=4, user=USER)
    cleared = priorities.set_priority(session, journey_id=world["journey"], kind="painpoint", item_id=pain.id,
                                      effort="", impact_by_hand=None, user=USER)
    assert (cleared.effort, cleared.impact_by_hand) == (None, None)


def test_an_ideas_effort_and_impact_are_set_the_same_way(session, world):
    idea = priorities.set_priority(session, journey_id=world["journey"], kind="idea", item_id=world["idea"],
                                   effort=5, impact_by_hand=2, user="editor")
    assert (idea.effort, idea.impact_by_hand) == (5, 2)
    found = {item.text: item for item in priorities.matrix(session, world["journey"], today=TODAY)}
    assert found["Live chat on the package page"].impact.value == 2


@pytest.mark.parametrize("values, column", [({"effort": 6}, "Effort (1–5)"), ({"effort": 0}, "Effort (1–5)"),
                                            ({"impact_by_hand": "high"}, "Impact set by hand (1–5)")])
def test_effort_and_impact_outside_one_to_five_are_refused(session, world, values, column):
    with pytest.raises(ValidationError) as refused:
        priorities.set_priority(session, journey_id=world["journey"], kind="painpoint", item_id=world["wait"],
                                user=USER, **values)
    assert english(refused).startswith(f"“{column}”")
    assert session.get(PainPoint, world["wait"]).effort is None


def test_effort_is_refused_for_items_elsewhere_and_to_viewers(session, world):
    other = services.create_journey(session, name="Other", user=USER)
    for kind, item_id, journey_id in (("painpoint", world["wait"], other.id), ("idea", 9999, world["journey"]),
                                      ("painpoint", "x", world["journey"])):
        with pytest.raises(NotFoundError):
            priorities.set_priority(session, journey_id=journey_id, kind=kind, item_id=item_id, effort=2, user=USER)
    with pytest.raises(ValidationError):
        priorities.set_priority(session, journey_id=world["journey"], kind="task", item_id=1, effort=2, user=USER)
    with pytest.raises(TypeError):
        priorities.set_priority(session, journey_id=world["journey"], kind="idea", item_id=world["idea"],
                                severity=1, user=USER)
    with pytest.raises(PermissionDenied):
        priorities.set_priority(session, journey_id=world["journey"], kind="idea", item_id=world["idea"],
                                effort=2, user="viewer")
    services.delete_step(session, step_id=world["call"], user=USER)
    with pytest.raises(NotFoundError):  # its sub-step is in the bin
        priorities.set_priority(session, journey_id=world["journey"], kind="painpoint", item_id=world["wait"],
                                effort=2, user=USER)


# ---------------------------------------------------------------- into next month's plan


def test_picked_items_become_tasks_committed_for_next_month(session, world):
    made = priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=USER,
                                      picks=[("painpoint", world["prices"], 30), ("idea", world["idea"], 20)])
    session.rollback()
    tasks = [session.get(Task, task.id) for task in made]
    # The pain point's first fix measure, though a prevention measure comes first on the map.
    assert [(t.title, t.measure_id, t.idea_id, t.step_id) for t in tasks] == [
        ("Shorter terms", world["measures"]["Shorter terms"], None, world["browse"]),
        ("Live chat on the package page", None, world["idea"], world["browse"])]
    assert {(t.start_month, t.due_month, t.status, t.created_by) for t in tasks} == {(MAY, MAY, "open", USER)}
    figures = plan.task_figures(session, [world["journey"]])
    assert [figures[t.id].commitments for t in tasks] == [{MAY: 30}, {MAY: 20}]
    logged = session.execute(select(ChangeLog.item_type, func.count()).where(ChangeLog.user == USER,
                                                                             ChangeLog.item_type.in_(
                                                                                 ("task", "commitment")))
                             .group_by(ChangeLog.item_type)).all()
    assert dict(logged) == {"task": 2, "commitment": 2}
    listed = {item.text: item for item in priorities.matrix(session, world["journey"], today=TODAY)}
    assert listed["Prices are hard to compare"].task_ids == (tasks[0].id,)
    assert listed["Live chat on the package page"].planned
    assert not listed["Long wait"].planned


def test_one_refused_pick_saves_nothing(session, world):
    tasks, commitments = count(session, Task), count(session, Commitment)
    revision = services.journey_revision(session, world["journey"])
    picks = [("idea", world["idea"], 10), ("painpoint", world["slow"], 10)]  # "Site is slow" has no measure
    with pytest.raises(ValidationError) as refused:
        priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, picks=picks, user=USER)
    assert "has no way to prevent or fix it yet" in english(refused)
    assert (count(session, Task), count(session, Commitment)) == (tasks, commitments)
    assert services.journey_revision(session, world["journey"]) == revision


def test_a_pain_point_without_a_measure_is_planned_with_the_fix_typed_beside_it(session, world):
    picks = [("painpoint", world["slow"], 20, "Compress the package page's images")]
    task, = priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, picks=picks, user=USER)
    session.rollback()
    measure = session.get(Measure, task.measure_id)
    assert (measure.pain_point_id, measure.kind, measure.text) == (world["slow"], "fix",
                                                                   "Compress the package page's images")
    assert task.title == measure.text
    listed = {item.id: item for item in priorities.matrix(session, world["journey"], today=TODAY)
              if item.kind == "painpoint"}
    assert listed[world["slow"]].planned and listed[world["slow"]].measures == 1


@pytest.mark.parametrize("picks, message", [
    ([], "Nothing is picked"),
    ([("idea", "idea", 10), ("idea", "idea", 20)], "is picked twice"),
    ([("idea", "idea", 25)], "must be one of: 30%, 20%, 10%"),
    ([("painpoint", "old", 10)], "is resolved already"),
])
def test_bad_picks_are_refused(session, world, picks, message):
    picks = [(kind, world[name], tier) for kind, name, tier in picks]
    with pytest.raises(ValidationError) as refused:
        priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, picks=picks, user=USER)
    assert message in english(refused)
    assert count(session, Task) == 0


def test_a_planned_item_is_refused_until_its_task_is_cancelled(session, world):
    first = priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=USER,
                                       picks=[("painpoint", world["prices"], 10)])[0]
    with pytest.raises(ValidationError) as refused:
        priorities.plan_next_month(session, journey_id=world["journey"], month="2026-06", user=USER,
                                   picks=[("painpoint", world["prices"], 10)])
    assert "has a task already" in english(refused)
    # A task made from the pain point's other measure counts too.
    plan.update_task(session, task_id=first.id, status="cancelled", user=USER)
    plan.task_from_measure(session, measure_id=world["measures"]["Chat help"], start_month=MAY, due_month=MAY,
                           user=USER)
    with pytest.raises(ValidationError):
        priorities.plan_next_month(session, journey_id=world["journey"], month="2026-06", user=USER,
                                   picks=[("painpoint", world["prices"], 10)])
    idea = priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=USER,
                                      picks=[("idea", world["idea"], 10)])[0]
    plan.delete_task(session, task_id=idea.id, user=USER)  # in the bin: the idea can be planned again
    assert priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=USER,
                                      picks=[("idea", world["idea"], 30)])


def test_the_journeys_own_tiers_and_months_are_used(session, world):
    plan.set_tiers(session, journey_id=world["journey"], tiers="40, 20, 10", user=USER)
    made = priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, due_month="2026-07",
                                      user=USER, picks=[("idea", world["idea"], "40")])
    assert (made[0].due_month, plan.task_figures(session, [world["journey"]])[made[0].id].commitments) == (
        "2026-07", {MAY: 40})
    with pytest.raises(ValidationError):
        priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, due_month="2026-04",
                                   user=USER, picks=[("painpoint", world["prices"], 40)])
    with pytest.raises(ValidationError):
        priorities.plan_next_month(session, journey_id=world["journey"], month="May", user=USER,
                                   picks=[("painpoint", world["prices"], 40)])


def test_only_leads_and_administrators_plan_and_only_their_journeys_items(session, world):
    other = services.create_journey(session, name="Other", user=USER)
    for name in ("viewer", "editor"):
        with pytest.raises(PermissionDenied):
            priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=name,
                                       picks=[("idea", world["idea"], 10)])
    with pytest.raises(NotFoundError):
        priorities.plan_next_month(session, journey_id=other.id, month=MAY, user=USER,
                                   picks=[("idea", world["idea"], 10)])
    assert count(session, Task) == 0
    assert priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user="admin",
                                      picks=[("idea", world["idea"], 10)])
    assert session.get(Idea, world["idea"]).effort is None


def test_on_the_matrix_only_items_not_yet_planned_can_be_picked(session, world):
    """A point carries its item's row id, so that clicking it ticks that row; a planned item's
    point carries none, so a box drawn over it leaves it out."""
    from cem.improvement.priority_charts import matrix_chart, point_id

    priorities.plan_next_month(session, journey_id=world["journey"], month=MAY, user=USER,
                               picks=[("idea", world["idea"], 20)])
    items = priorities.matrix(session, world["journey"], today=TODAY)
    figure = matrix_chart(items, lambda key, **params: i18n.t(key, "en", **params))
    carried = {text: data for trace in figure.data for text, data in zip(trace.text, trace.customdata)}
    for item in items:
        data = next(d for text, d in carried.items() if text.startswith(item.text[:40]))
        assert data == ("" if item.planned else point_id(item)), item.text
    assert any(item.planned for item in items) and any(not item.planned for item in items)
