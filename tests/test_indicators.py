"""Measures at four levels: keeping the list, hand-entered values, the
library seeded once, every computed measure on a hand-worked example, and
the executive page's summary by level with targets read in the measure's
direction."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, update

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import (INDICATOR_LEVELS, ChangeLog, Customer, Feedback, Indicator, IndicatorValue, PainPoint,
                             Task)
from cem.customers import billing, complaints, vip
from cem.improvement import executive, indicators, plan
from cem.journey import services

USER = "lead"
TODAY = date(2026, 4, 15)


def english(error) -> str:
    return i18n.error_text(error.value, "en")


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def computed(session, source: str, wanted: list[str], **kwargs) -> dict[str, float | None]:
    return indicators.compute(session, [source], wanted, today=kwargs.pop("today", TODAY), **kwargs)[source]


def rounded(values: dict[str, float | None]) -> dict[str, float | None]:
    return {m: None if x is None else round(x, 2) for m, x in values.items()}


def hand_measure(session, **values) -> Indicator:
    given = {"level": "inputs", "name": "Training hours", "unit": "hours", "user": USER, **values}
    return indicators.create_indicator(session, **given)


# ---------------------------------------------------------------- keeping the list


def test_a_measure_is_made_last_of_its_level_and_logged(session):
    first = hand_measure(session)
    second = hand_measure(session, name="Budget", direction="down", target="1,500.5")
    other = hand_measure(session, level="organisation", name="Revenue growth", unit="%")
    assert (first.position, second.position, other.position) == (1, 2, 1)
    assert (second.direction, second.target, second.source, second.active) == ("down", 1500.5, "", True)
    logged = session.execute(select(ChangeLog).where(ChangeLog.item_type == "indicator",
                                                     ChangeLog.item_id == second.id)).scalar_one()
    assert (logged.action, logged.user, logged.new["name"], logged.journey_id) == ("create", USER, "Budget", None)


@pytest.mark.parametrize("values, column", [
    ({"level": "team"}, "Level"),
    ({"name": "  "}, "Measure"),
    ({"direction": "sideways"}, "Better when"),
    ({"target": "a lot"}, "Target"),
    ({"target": float("inf")}, "Target"),
    ({"unit": "x" * 31}, "Unit"),
])
def test_a_measure_with_a_bad_field_is_refused_by_its_column(session, values, column):
    with pytest.raises(ValidationError) as refused:
        hand_measure(session, **values)
    assert english(refused).startswith(f"“{column}”")
    assert count(session, Indicator) == 0


def test_targets_and_values_read_thai_digits_percent_signs_and_thousands():
    assert indicators.number("๘๕ %") == 85
    assert indicators.number("1,234.5") == 1234.5
    assert indicators.number(" ") is None
    with pytest.raises(Exception):
        indicators.number(True)


def test_a_computed_measure_is_listed_once_and_only_known_computations(session):
    made = indicators.create_indicator(session, level="strategy", name="NPS", source="nps", user=USER)
    assert made.source == "nps"
    with pytest.raises(ValidationError) as twice:
        indicators.create_indicator(session, level="strategy", name="NPS again", source="nps", user=USER)
    assert "is in the list of measures already" in english(twice)
    with pytest.raises(ValidationError):
        indicators.create_indicator(session, level="strategy", name="?", source="profit", user=USER)


def test_changing_a_measure_checks_its_version_and_logs_only_what_changed(session):
    made = hand_measure(session)
    person = plan.add_person(session, name="Nok", user=USER)
    changed = indicators.update_indicator(session, indicator_id=made.id, version=made.version, target=10,
                                          owner_id=person.id, name="Training hours", user=USER)
    assert (changed.target, changed.owner_id, changed.version) == (10, person.id, 2)
    log = session.execute(select(ChangeLog).where(ChangeLog.item_type == "indicator", ChangeLog.action == "update")
                          ).scalar_one()
    assert log.old == {"target": None, "owner_id": None} and log.new == {"target": 10, "owner_id": person.id}
    with pytest.raises(ConflictError):
        indicators.update_indicator(session, indicator_id=made.id, version=1, target=12, user=USER)
    with pytest.raises(NotFoundError):
        indicators.update_indicator(session, indicator_id=made.id, owner_id=9999, user=USER)
    with pytest.raises(TypeError):
        indicators.update_indicator(session, indicator_id=made.id, source="nps", user=USER)


def test_moving_a_measure_to_another_level_puts_it_last_there(session):
    hand_measure(session, level="organisation", name="Growth")
    made = hand_measure(session)
    moved = indicators.update_indicator(session, indicator_id=made.id, level="organisation", user=USER)
    assert (moved.level, moved.position) == ("organisation", 2)


def test_a_deactivated_measure_leaves_the_lists_and_can_come_back(session):
    made = hand_measure(session)
    gone = indicators.deactivate_indicator(session, indicator_id=made.id, version=made.version, user=USER)
    assert not gone.active
    assert all(not level.indicators for level in indicators.library(session))
    assert [m.id for m in indicators.library(session, include_inactive=True)[3].indicators] == [made.id]
    back = indicators.update_indicator(session, indicator_id=made.id, active=True, user=USER)
    assert back.active and back.version == 3


def test_only_leads_and_administrators_keep_the_list(session):
    for name in ("viewer", "editor"):
        with pytest.raises(PermissionDenied):
            hand_measure(session, user=name)
    assert count(session, Indicator) == 0
    assert hand_measure(session, user="admin").id


def test_the_library_lists_every_level_in_order(session):
    hand_measure(session, level="strategy", name="B")
    hand_measure(session, level="strategy", name="A")
    found = indicators.library(session)
    assert [level.level for level in found] == list(INDICATOR_LEVELS)
    assert [m.name for m in found[1].indicators] == ["B", "A"]
    assert found[0].indicators == [] and found[2].indicators == []


# ---------------------------------------------------------------- hand-entered values


def test_a_hand_entered_value_is_set_changed_and_cleared_with_version_checks(session):
    made = hand_measure(session)
    first = indicators.set_value(session, indicator_id=made.id, month="2026-03", value="12.5", version=0,
                                 user=USER)
    assert (first.value, first.version) == (12.5, 1)
    with pytest.raises(ConflictError):  # the form showed no value, and someone set one meanwhile
        indicators.set_value(session, indicator_id=made.id, month="2026-03", value=20, version=0, user=USER)
    changed = indicators.set_value(session, indicator_id=made.id, month="2026-03", value=20, version=1, user=USER)
    assert (changed.value, changed.version) == (20, 2)
    assert indicators.set_value(session, indicator_id=made.id, month="2026-03", value="", version=2,
                                user=USER) is None
    assert count(session, IndicatorValue) == 0
    actions = session.execute(select(ChangeLog.action).where(ChangeLog.item_type == "indicatorvalue")
                              .order_by(ChangeLog.id)).scalars().all()
    assert actions == ["create", "update", "delete"]


def test_a_value_for_a_computed_measure_or_a_bad_month_is_refused(session):
    nps = indicators.create_indicator(session, level="organisation", name="NPS", source="nps", user=USER)
    with pytest.raises(ValidationError) as refused:
        indicators.set_value(session, indicator_id=nps.id, month="2026-03", value=40, user=USER)
    assert "cannot be entered by hand" in english(refused)
    made = hand_measure(session)
    with pytest.raises(ValidationError):
        indicators.set_value(session, indicator_id=made.id, month="2026-13", value=1, user=USER)
    with pytest.raises(ValidationError) as not_a_number:
        indicators.set_value(session, indicator_id=made.id, month="2026-03", value="many", user=USER)
    assert "must be a number" in english(not_a_number)
    with pytest.raises(NotFoundError):
        indicators.set_value(session, indicator_id=12345, month="2026-03", value=1, user=USER)
    assert count(session, IndicatorValue) == 0


# ---------------------------------------------------------------- the library seeded once


def test_the_library_is_seeded_once_in_the_installs_language(session):
    assert indicators.seed_library(session, lang="en") == len(indicators.COMPUTATIONS) + 1
    found = indicators.library(session)
    by_source = {m.source: m for level in found for m in level.indicators}
    assert set(by_source) == set(indicators.COMPUTATIONS) | {""}
    assert by_source["nps"].name == "Net promoter score (NPS)" and by_source["nps"].level == "organisation"
    assert (by_source["days_to_resolve"].direction, by_source["complaints_within_sla"].target) == ("down", 90)
    assert by_source[""].name == "Staff service-training hours" and by_source[""].level == "inputs"
    for level in found:
        assert [m.position for m in level.indicators] == list(range(1, len(level.indicators) + 1))
    assert indicators.seed_library(session, lang="en") == 0
    # One deactivated stays so; none comes back twice.
    indicators.deactivate_indicator(session, indicator_id=by_source["nps"].id, user=USER)
    assert indicators.seed_library(session) == 0
    assert count(session, Indicator) == len(indicators.COMPUTATIONS) + 1


def test_a_workspace_with_its_own_measures_gets_the_computed_ones_without_the_example(session):
    hand_measure(session, name="Our own")
    assert indicators.seed_library(session, lang="th") == len(indicators.COMPUTATIONS)
    names = {m.source: m.name for level in indicators.library(session) for m in level.indicators}
    assert names["tasks_on_target"] == "งานที่ตามเป้า" and names[""] == "Our own"
    strategy = indicators.library(session)[1].indicators
    assert [m.source for m in strategy] == ["vip_revenue_share", "vip_retention", "csat"]


def test_seeding_by_a_person_needs_the_right_to_keep_the_list(session):
    with pytest.raises(PermissionDenied):
        indicators.seed_library(session, user="viewer")
    assert count(session, Indicator) == 0
    assert indicators.seed_library(session, user="lead", examples=False) == len(indicators.COMPUTATIONS)


def test_every_computed_measure_says_how_it_is_computed_in_both_languages():
    for source in indicators.COMPUTATIONS:
        for lang in i18n.LANGS:
            for key in (f"measure.name.{source}", f"measure.unit.{source}", indicators.how_key(source)):
                assert key in i18n.catalogue(lang), key
    assert indicators.how_key("") == "measure.how.hand"


# ---------------------------------------------------------------- NPS and CSAT


def feedback(session, received: date, *, nps=None, csat=None, journey_id=None) -> None:
    session.add(Feedback(received=received, nps=nps, csat=csat, journey_id=journey_id, created_by=USER))
    session.commit()


def test_nps_and_csat_by_month_from_the_feedback(session, small_journey):
    other = services.create_journey(session, name="Other", user=USER)
    j = small_journey.id
    for day, score in ((3, 10), (4, 9), (5, 8), (6, 6), (7, 3)):  # 2 promoters, 1 passive, 2 detractors
        feedback(session, date(2026, 1, day), nps=score, journey_id=j)
    for score in (5, 4, 3, 2):  # 2 of 4 satisfied
        feedback(session, date(2026, 1, 20), csat=score, journey_id=j)
    for score in (10, 10, 7, 0):  # (2 - 1) / 4
        feedback(session, date(2026, 2, 10), nps=score, journey_id=j)
    feedback(session, date(2026, 2, 11), nps=0, csat=1, journey_id=other.id)
    wanted = ["2026-01", "2026-02", "2026-03"]
    mine = indicators.compute(session, ["nps", "csat"], wanted, journey_ids=[j], today=TODAY)
    assert mine["nps"] == {"2026-01": 0.0, "2026-02": 25.0, "2026-03": None}
    assert mine["csat"] == {"2026-01": 50.0, "2026-02": None, "2026-03": None}
    everyone = indicators.compute(session, ["nps", "csat"], wanted, today=TODAY)
    assert everyone["nps"]["2026-02"] == 0.0  # (2 - 2) / 5
    assert everyone["csat"]["2026-02"] == 0.0
    assert indicators.scores([(9, None, None), (None, 4, None)]) == (100.0, 100.0)


def test_months_after_this_one_have_no_value(session, small_journey):
    feedback(session, date(2026, 5, 2), nps=10, journey_id=small_journey.id)
    assert computed(session, "nps", ["2026-05"], today=date(2026, 5, 31)) == {"2026-05": 100.0}
    assert computed(session, "nps", ["2026-05"], today=TODAY) == {"2026-05": None}


# ---------------------------------------------------------------- complaints


def resolved(session, *, received: date, on: date, severity: int = 3, journey_step: int | None = None) -> None:
    made = complaints.record_complaint(session, text="Late", received=received, severity=severity,
                                       step_id=journey_step, user=USER)
    complaints.update_complaint(session, complaint_id=made.id, version=made.version, status="resolved",
                                resolution="Called back", owner_id=None, severity=severity, step_id=journey_step,
                                resolved_on=on, user=USER)


def test_complaints_resolved_within_the_sla_and_mean_days_to_resolve(session, small_journey):
    step = services.load_journey_tree(session, small_journey.id).stages[0].steps[0].step.id
    # SLA: severity 3 in 7 days, severity 5 in 1.
    resolved(session, received=date(2026, 1, 2), on=date(2026, 1, 5), journey_step=step)  # 3 days, in time
    resolved(session, received=date(2026, 1, 20), on=date(2026, 1, 25), severity=5, journey_step=step)  # 5, late
    resolved(session, received=date(2026, 1, 10), on=date(2026, 2, 1), journey_step=step)  # 22 days, late, February
    resolved(session, received=date(2026, 1, 2), on=date(2026, 1, 9))  # 7 days, on the due day, no journey
    complaints.record_complaint(session, text="Still open", received=date(2026, 1, 3), severity=1, user=USER)
    wanted = ["2026-01", "2026-02", "2026-03"]
    sla = computed(session, "complaints_within_sla", wanted, journey_ids=[small_journey.id])
    days = computed(session, "days_to_resolve", wanted, journey_ids=[small_journey.id])
    assert sla == {"2026-01": 50.0, "2026-02": 0.0, "2026-03": None}
    assert days == {"2026-01": 4.0, "2026-02": 22.0, "2026-03": None}
    everywhere = computed(session, "complaints_within_sla", wanted)
    assert round(everywhere["2026-01"], 2) == 66.67  # 2 of 3, the one due that very day in time
    assert computed(session, "days_to_resolve", wanted)["2026-01"] == 5.0  # (3 + 5 + 7) / 3


# ---------------------------------------------------------------- open severe pain points


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=timezone.utc)


def test_severe_pain_points_open_at_each_months_end(session, small_journey):
    tree = services.load_journey_tree(session, small_journey.id)
    browse, call = tree.stages[0].steps[0].step.id, tree.stages[0].steps[1].step.id
    a = services.add_pain_point(session, step_id=browse, text="A", severity=5, user=USER)
    b = services.add_pain_point(session, step_id=browse, text="B", severity=4, user=USER)
    c = services.add_pain_point(session, step_id=browse, text="C", severity=3, user=USER)
    d = services.add_pain_point(session, step_id=call, text="D in the bin", severity=5, user=USER)
    e = services.add_pain_point(session, step_id=browse, text="E resolved, day unknown", severity=4, user=USER)
    services.update_pain_point(session, pain_point_id=a.id, status="resolved", user=USER)
    services.update_pain_point(session, pain_point_id=e.id, status="resolved", user=USER)
    services.delete_step(session, step_id=call, user=USER)
    moments = {a.id: (at(2026, 1, 10), at(2026, 3, 5)), b.id: (at(2026, 2, 1), None), c.id: (at(2026, 1, 1), None),
               d.id: (at(2026, 1, 1), None), e.id: (at(2026, 1, 1), None)}
    for pain_id, (created, resolved_at) in moments.items():
        session.execute(update(PainPoint).where(PainPoint.id == pain_id)
                        .values(created_at=created, resolved_at=resolved_at))
    # The small journey's own pain points (severity 4 and 2) were written down today: not in past months.
    session.execute(update(PainPoint).where(PainPoint.id.not_in(list(moments)))
                    .values(created_at=at(2026, 4, 1)))
    session.commit()
    found = computed(session, "severe_open_pain_points", ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"],
                     journey_ids=[small_journey.id])
    # January: A; February: A and B; March: B; April (this month, as of today): B and the journey's own 4.
    assert found == {"2025-12": 0.0, "2026-01": 1.0, "2026-02": 2.0, "2026-03": 1.0, "2026-04": 2.0}
    data = executive.load_plan(session, [small_journey.id])
    for month in ("2026-01", "2026-02", "2026-03", "2026-04"):  # as the executive page counts them
        cards = executive.summarise(data, executive.Filters((small_journey.id,), "2026-01", "2026-04", month=month,
                                                            today="2026-04"))
        assert cards.now.severe_open == found[month]


# ---------------------------------------------------------------- tasks on target


def test_tasks_on_target_is_a_share_of_committed_tasks(session, small_journey):
    step = services.load_journey_tree(session, small_journey.id).stages[0].steps[0].step.id
    j = small_journey.id
    made = [plan.create_task(session, step_id=step, title=f"Task {n}", start_month="2026-03", due_month="2026-05",
                             user=USER).id for n in range(3)]
    plan.set_commitments(session, journey_id=j, month="2026-03", tiers={made[0]: 30, made[1]: 20, made[2]: 10},
                         user=USER)
    plan.record_check_in(session, task_id=made[0], month="2026-03", progress=100, user=USER)  # far above 30
    plan.record_check_in(session, task_id=made[1], month="2026-03", progress=10, user=USER)  # below 20
    plan.record_check_in(session, task_id=made[2], month="2026-03", progress=50, user=USER)
    plan.delete_task(session, task_id=made[2], user=USER)  # in the bin: not counted
    found = computed(session, "tasks_on_target", ["2026-02", "2026-03"], journey_ids=[j])
    assert found == {"2026-02": None, "2026-03": 50.0}  # 1 of 2 tasks, not (100 + 10) / (30 + 20)
    assert computed(session, "tasks_on_target", ["2026-03"], journey_ids=[]) == {"2026-03": None}


# ---------------------------------------------------------------- VIPs


def bills(session, lines: list[tuple[str, str, int]]) -> dict[str, int]:
    """Bills of (customer code, ISO day, baht); the customers' ids by code."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\n" + "".join(f"{c},ร้าน {c},{d},{a}\n" for c, d, a in lines)
    sheet = billing.read_file(text.encode(), "bills.csv")
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    billing.import_bills(session, checked=checked, file_name="bills.csv", user=USER)
    session.rollback()
    return {code: i for i, code in session.execute(select(Customer.id, Customer.code))}


def test_the_vip_share_of_twelve_months_revenue_follows_who_was_vip_then(session, small_journey):
    ids = bills(session, [("A", "2025-01-10", 1000), ("B", "2025-01-11", 500), ("C", "2025-02-10", 500),
                          ("D", "2025-01-12", 300), ("D", "2025-02-12", -500)])
    vip.mark_by_hand(session, customer_id=ids["A"], decision="in", reason="key account", as_of=date(2025, 1, 15),
                     user=USER)
    vip.mark_by_hand(session, customer_id=ids["B"], decision="in", reason="key account", as_of=date(2025, 3, 1),
                     user=USER)
    wanted = ["2024-12", "2025-01", "2025-02", "2025-03", "2026-01"]
    found = rounded(computed(session, "vip_revenue_share", wanted))
    assert found == {
        "2024-12": None,  # nobody was VIP yet (and no revenue)
        "2025-01": 55.56,  # A 1,000 of 1,800 (D's 300 counts while D's total is positive)
        "2025-02": 50.0,  # A 1,000 of 2,000: D (-200 in all) leaves the total
        "2025-03": 75.0,  # A and B, 1,500 of 2,000
        "2026-01": 0.0,  # February 2025 to January 2026: only C's 500, and C is no VIP
    }
    # Bills belong to the workspace: choosing journeys changes nothing.
    assert rounded(computed(session, "vip_revenue_share", wanted, journey_ids=[small_journey.id])) == found
    # A taken off by hand in April 2025.
    vip.mark_by_hand(session, customer_id=ids["A"], decision="out", reason="left", as_of=date(2025, 4, 2), user=USER)
    assert rounded(computed(session, "vip_revenue_share", ["2025-03", "2025-04"])) == {"2025-03": 75.0,
                                                                                         "2025-04": 25.0}


def test_a_customer_marked_vip_without_a_recorded_change_counts_throughout(session):
    ids = bills(session, [("A", "2025-01-10", 300), ("B", "2025-01-11", 100)])
    session.execute(update(Customer).where(Customer.id == ids["A"]).values(vip=True))
    session.commit()
    assert computed(session, "vip_revenue_share", ["2025-01"]) == {"2025-01": 75.0}


def test_vips_kept_compares_the_rules_picks_a_year_apart(session):
    vip.save_settings(session, kind="top_share", value=0.5, a_limit=0.8, b_limit=0.95,
                      version=vip.settings(session).version, user=USER)
    bills(session, [("A", "2024-06-01", 1000), ("B", "2024-06-01", 800), ("C", "2024-06-01", 100),
                    ("D", "2024-06-01", 50),
                    ("A", "2025-06-01", 900), ("C", "2025-06-01", 700), ("B", "2025-06-01", 100),
                    ("D", "2025-06-01", 50)])
    found = computed(session, "vip_retention", ["2024-12", "2025-12"])
    # 2024: A and B (the top half of 4 customers); 2025: A and C. A is kept: 1 of 2.
    assert found == {"2024-12": None, "2025-12": 50.0}
    # June 2025: July 2023-June 2024 picks A and B; July 2024-June 2025 (A 900, C 700, B 100, D 50) picks A and C.
    assert computed(session, "vip_retention", ["2025-06"]) == {"2025-06": 50.0}


# ---------------------------------------------------------------- monthly values and the executive page


def test_monthly_values_read_hand_entered_and_computed_measures(session, small_journey):
    indicators.seed_library(session, lang="en")
    by_source = {m.source: m for level in indicators.library(session) for m in level.indicators}
    hours = by_source[""]
    indicators.set_value(session, indicator_id=hours.id, month="2026-02", value=16, user=USER)
    indicators.set_value(session, indicator_id=hours.id, month="2026-06", value=3, user=USER)  # planned ahead
    feedback(session, date(2026, 2, 3), nps=10, journey_id=small_journey.id)
    values = indicators.monthly_values(session, ["2026-02", "2026-01"], journey_ids=[small_journey.id],
                                       today=TODAY)
    assert set(values) == {m.id for m in by_source.values()}
    assert values[hours.id] == {"2026-01": None, "2026-02": 16.0}
    assert values[by_source["nps"].id] == {"2026-01": None, "2026-02": 100.0}
    indicators.deactivate_indicator(session, indicator_id=hours.id, user=USER)
    assert hours.id not in indicators.monthly_values(session, ["2026-02"], today=TODAY)


@pytest.mark.parametrize("value, target, direction, expected", [
    (90, 90, "up", True), (89.9, 90, "up", False), (2, 3, "down", True), (3, 3, "down", True),
    (4, 3, "down", False), (-10, 0, "up", False), (None, 3, "up", None), (5, None, "down", None),
])
def test_a_target_is_met_in_the_measures_direction(value, target, direction, expected):
    assert indicators.meets(value, target, direction) is expected


def test_the_level_summary_gives_the_latest_value_against_its_target_and_the_trend(session):
    up = hand_measure(session, level="organisation", name="Growth", target=5)
    down = hand_measure(session, level="operations", name="Waiting days", direction="down", target=3)
    empty = hand_measure(session, level="operations", name="Nothing yet")
    for month, value in (("2026-01", 4), ("2026-02", 6), ("2026-03", 5.5)):
        indicators.set_value(session, indicator_id=up.id, month=month, value=value, user=USER)
    for month, value in (("2026-01", 5), ("2026-03", 2)):
        indicators.set_value(session, indicator_id=down.id, month=month, value=value, user=USER)
    summary = indicators.level_summary(session, ["2026-01", "2026-02", "2026-03", "2026-04"], today=TODAY)
    assert [level.level for level in summary] == list(INDICATOR_LEVELS)
    growth = summary[0].measures[0]
    assert (growth.latest_month, growth.latest, growth.previous, growth.meets) == ("2026-03", 5.5, 6, True)
    assert (growth.change, growth.since_last, growth.trend) == (-0.5, "worse", "better")
    waiting, nothing = summary[2].measures
    assert (waiting.latest, waiting.previous_month, waiting.meets, waiting.since_last) == (2, "2026-01", True,
                                                                                           "better")
    assert waiting.series == [("2026-01", 5), ("2026-02", None), ("2026-03", 2), ("2026-04", None)]
    assert (nothing.latest, nothing.meets, nothing.trend) == (None, None, None)
    assert (summary[2].with_target, summary[2].meeting) == (1, 1)
    assert summary[1].measures == [] and summary[3].measures == []
    assert empty.id == nothing.indicator.id


def test_the_level_summary_of_computed_measures_on_both_sides_of_a_target(session, small_journey):
    indicators.seed_library(session, lang="en", examples=False)
    step = services.load_journey_tree(session, small_journey.id).stages[0].steps[0].step.id
    resolved(session, received=date(2026, 2, 2), on=date(2026, 2, 4), journey_step=step)
    resolved(session, received=date(2026, 3, 2), on=date(2026, 3, 20), journey_step=step)
    summary = indicators.level_summary(session, ["2026-02", "2026-03"], journey_ids=[small_journey.id],
                                       today=date(2026, 3, 25))
    operations = {m.indicator.source: m for m in summary[2].measures}
    sla, days = operations["complaints_within_sla"], operations["days_to_resolve"]
    assert (sla.latest, sla.previous, sla.meets, sla.since_last) == (0.0, 100.0, False, "worse")
    assert (days.latest, days.previous, days.meets, days.since_last) == (18.0, 2.0, None, "worse")
    open_now = operations["severe_open_pain_points"]  # this month: the small journey's severity-4 one; target 0
    assert (open_now.latest_month, open_now.latest, open_now.meets) == ("2026-03", 1.0, False)
    assert count(session, Task) == 0


def test_the_stamp_changes_with_what_the_values_are_worked_out_from(session, small_journey):
    stamps = [indicators.values_stamp(session)]
    made = hand_measure(session)
    stamps.append(indicators.values_stamp(session))
    indicators.set_value(session, indicator_id=made.id, month="2026-03", value=1, user=USER)
    stamps.append(indicators.values_stamp(session))
    indicators.set_value(session, indicator_id=made.id, month="2026-03", value=2, user=USER)
    stamps.append(indicators.values_stamp(session))
    feedback(session, date(2026, 3, 3), nps=9)
    stamps.append(indicators.values_stamp(session))
    complaints.record_complaint(session, text="Late", received=date(2026, 3, 3), severity=2, user=USER)
    stamps.append(indicators.values_stamp(session))
    step = services.load_journey_tree(session, small_journey.id).stages[0].steps[0].step.id
    services.add_pain_point(session, step_id=step, text="New", severity=5, user=USER)
    stamps.append(indicators.values_stamp(session))
    bills(session, [("A", "2026-03-01", 100)])
    stamps.append(indicators.values_stamp(session))
    vip.save_settings(session, kind="fixed", value=3, a_limit=0.8, b_limit=0.95,
                      version=vip.settings(session).version, user=USER)
    stamps.append(indicators.values_stamp(session))
    assert len(set(stamps)) == len(stamps)
    assert indicators.values_stamp(session) == stamps[-1]
