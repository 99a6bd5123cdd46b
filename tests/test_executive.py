"""The executive view's figures (cem.improvement.executive), its charts
(cem.improvement.exec_charts) and the one-page monthly report (cem.improvement.report), on a
small hand-made plan whose numbers are worked out below."""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import partial

import pytest
from sqlmodel import select

from cem.core import i18n, months
from cem.improvement import exec_charts, executive, plan, report
from cem.journey import services
from cem.journey.charts import FONT_FAMILY
from cem.improvement.executive import Filters
from cem.core.models import PainPoint
from tests.conftest import USER

tr_en = partial(i18n.t, lang="en")
tr_th = partial(i18n.t, lang="th")
SEP, OCT = "2026-09", "2026-10"


@dataclass
class Plan:
    journey_id: int
    offer: int  # stage ids
    use: int
    t1: int  # task ids
    t2: int
    t3: int
    sales: int  # person ids
    severe_pain: int
    mild_pain: int


def _at(session, pain_id: int, *, created: datetime, resolved: datetime | None = None) -> None:
    """Put a pain point's dates where the test wants them (services stamp "now")."""
    pain = session.get(PainPoint, pain_id)
    pain.created_at = created
    if resolved is not None:
        pain.resolved_at = resolved
    session.add(pain)
    session.commit()


def build_plan(session, journey) -> Plan:
    """Three tasks over September and October 2026:

    T1 (Offer, Ann of Sales): Sep commits 30, reaches 35 (on target);
       Oct commits 20, reaches 50 (+15, off target).
    T2 (Offer, Bo of Support): Sep commits 20, reaches 10 (off);
       Oct commits 20, checks in 30 then 40 (+30, on target).
    T3 (Use, Cy without a department, starts in Oct): Oct commits 10, reaches 10 (on).
    Pain points of "Browse packages": severity 4 resolved in October, severity 2 open;
    both written down in August.
    """
    tree = services.load_journey_tree(session, journey.id)
    offer, use = tree.stages[0].stage, tree.stages[1].stage
    browse = tree.stages[0].steps[0]
    install = services.add_step(session, stage_id=use.id, name="Install", user=USER)
    ann = plan.add_person(session, name="Ann", department="Sales", user=USER)
    bo = plan.add_person(session, name="Bo", department="Support", user=USER)
    cy = plan.add_person(session, name="Cy", user=USER)
    measures = [m for ms in browse.measures.values() for m in ms]
    t1 = plan.task_from_measure(session, measure_id=measures[0].id, start_month=SEP, due_month="2026-12",
                                owner_id=ann.id, user=USER)
    t2 = plan.task_from_measure(session, measure_id=measures[1].id, start_month=SEP, due_month="2026-12",
                                owner_id=bo.id, user=USER)
    t3 = plan.create_task(session, step_id=install.id, title="Text the technician's arrival time", start_month=OCT,
                          due_month="2026-11", owner_id=cy.id, user=USER)
    plan.set_commitments(session, journey_id=journey.id, month=SEP, tiers={t1.id: 30, t2.id: 20}, user=USER)
    plan.set_commitments(session, journey_id=journey.id, month=OCT, tiers={t1.id: 20, t2.id: 20, t3.id: 10},
                         user=USER)
    for task, month, progress in ((t1, SEP, 35), (t2, SEP, 10), (t1, OCT, 50), (t2, OCT, 30), (t2, OCT, 40),
                                  (t3, OCT, 10)):
        plan.record_check_in(session, task_id=task.id, month=month, progress=progress, user=USER)
    severe = next(p for p in browse.pain_points if p.severity == 4)
    mild = next(p for p in browse.pain_points if p.severity == 2)
    services.update_pain_point(session, pain_point_id=severe.id, status="resolved", user=USER)
    _at(session, severe.id, created=datetime(2026, 8, 3, tzinfo=timezone.utc),
        resolved=datetime(2026, 10, 15, 9, 30, tzinfo=timezone.utc))
    _at(session, mild.id, created=datetime(2026, 8, 3, tzinfo=timezone.utc))
    return Plan(journey.id, offer.id, use.id, t1.id, t2.id, t3.id, ann.id, severe.id, mild.id)


@pytest.fixture
def hand_plan(session, small_journey) -> Plan:
    return build_plan(session, small_journey)


def summary_of(session, p: Plan, first=SEP, last=OCT, **choices) -> executive.Summary:
    return executive.executive_summary(session, Filters(journey_ids=(p.journey_id,), first=first, last=last,
                                                        **choices))


# ---------------------------------------------------------------- KPI cards


def test_kpis_of_the_month_and_the_month_before(session, hand_plan):
    """October: 2 of 3 committed tasks on target, an average gain of 18.3 points against 16.7 committed, one
    pain point resolved and one (severity 2) still open; September: 1 of 2, 22.5 against 25, none resolved, two open."""
    s = summary_of(session, hand_plan)
    now, before = s.now, s.before
    assert (now.month, before.month) == (OCT, SEP)
    assert (now.tasks, now.committed_tasks, now.on_target) == (3, 3, 2)
    assert now.on_target_share == pytest.approx(2 / 3)
    assert (now.average_tier, now.average_gain) == (pytest.approx(50 / 3), pytest.approx(55 / 3))
    assert now.pain_points_resolved == 1
    assert now.open_by_severity == {1: 0, 2: 1, 3: 0, 4: 0, 5: 0} and now.open_pain_points == 1
    assert now.average_progress == pytest.approx((50 + 40 + 10) / 3)

    assert (before.committed_tasks, before.on_target, before.average_gain) == (2, 1, 22.5)
    assert before.on_target_share == 0.5
    assert before.pain_points_resolved == 0
    assert before.open_by_severity[4] == 1 and before.open_pain_points == 2
    assert before.average_progress == pytest.approx(22.5)  # T3 has not started in September


def test_cards_show_the_change_against_last_month(session, hand_plan):
    """The cards read 2 of 3 (+17 points), +18.3 points (-4.2), 1 resolved (+1), 1 open (-1, which is good)."""
    cards = {c.key: c for c in report.kpi_cards(summary_of(session, hand_plan), tr_en)}
    assert cards["on_target"].value == "2 of 3"
    assert cards["on_target"].delta == "+17 points" and cards["on_target"].sign == 1
    assert cards["on_target"].detail == "67% of the committed tasks · last month: 1 of 2"
    assert cards["gained"].value == "+18.3 points" and cards["gained"].delta == "-4.2 points"
    assert cards["gained"].sign == -1
    assert cards["gained"].detail == "against 16.7 committed on average (per task)"
    assert (cards["resolved"].value, cards["resolved"].delta) == ("1", "+1")
    assert (cards["open"].value, cards["open"].delta, cards["open"].sign) == ("1", "-1", -1)
    assert cards["open"].up_is_good is False and cards["open"].detail == "at the end of the month · Severity 2: 1"
    assert cards["on_target"].trend == [50.0, pytest.approx(66.7)]
    th = {c.key: c for c in report.kpi_cards(summary_of(session, hand_plan), tr_th)}
    assert th["on_target"].value == "2 จาก 3 งาน" and th["gained"].delta == "-4.2 จุดร้อยละ"


def test_monthly_series(session, hand_plan):
    """One row per month of the range, from the first month to the last."""
    s = summary_of(session, hand_plan, first="2026-08")
    assert [r.month for r in s.series] == ["2026-08", SEP, OCT]
    aug, sep, oct_ = s.series
    assert aug.committed_tasks == 0 and aug.on_target_share is None and aug.average_progress is None
    assert (sep.average_tier, sep.average_gain) == (25, 22.5)
    assert (oct_.average_tier, oct_.average_gain, oct_.on_target) == (pytest.approx(50 / 3), pytest.approx(55 / 3), 2)
    assert [r.pain_points_resolved for r in s.series] == [0, 0, 1]
    assert [r.open_pain_points for r in s.series] == [2, 2, 1]
    assert [round(r.average_progress or 0, 1) for r in s.series] == [0, 22.5, 33.3]


def test_progress_by_stage_and_department(session, hand_plan):
    """Average progress at the end of October and the share on target over September and October."""
    s = summary_of(session, hand_plan)
    stages = {g.name: g for g in s.by_stage}
    assert (stages["Offer"].tasks, stages["Offer"].average_progress) == (2, 45)
    assert (stages["Offer"].committed, stages["Offer"].on_target, stages["Offer"].on_target_share) == (4, 2, 0.5)
    assert (stages["Use"].average_progress, stages["Use"].on_target_share) == (10, 1)
    departments = {g.key: g for g in s.by_department}
    assert list(departments) == ["Sales", "Support", executive.NO_DEPARTMENT]
    assert departments["Sales"].average_progress == 50 and departments["Sales"].on_target == 1
    assert departments[""].tasks == 1 and departments[""].committed == 1


def test_filter_by_stage(session, hand_plan):
    """Only the Use stage: its one task, and no pain points (they are all in Offer)."""
    s = summary_of(session, hand_plan, stage_ids=(hand_plan.use,))
    assert (s.now.tasks, s.now.committed_tasks, s.now.on_target, s.now.average_gain) == (1, 1, 1, 10)
    assert s.before.committed_tasks == 0 and s.before.on_target_share is None
    assert s.now.open_pain_points == 0 and s.now.pain_points_resolved == 0
    assert [g.name for g in s.by_stage] == ["Use"]


def test_filter_by_department(session, hand_plan):
    """Only Sales: T1, off target in October; pain points are not by department and stay as they were."""
    s = summary_of(session, hand_plan, departments=("Sales",))
    assert (s.now.tasks, s.now.committed_tasks, s.now.on_target, s.now.average_gain) == (1, 1, 0, 15)
    assert s.before.on_target == 1
    assert s.now.open_pain_points == 1 and s.now.pain_points_resolved == 1
    assert [g.key for g in s.by_department] == ["Sales"]
    nobody = summary_of(session, hand_plan, departments=(executive.NO_DEPARTMENT,))
    assert nobody.now.tasks == 1 and nobody.now.on_target == 1


def test_filter_by_month_range(session, hand_plan):
    """The cards are about the last month of a past range, or this month, against the month before, even for one month."""
    september = summary_of(session, hand_plan, first="2026-07", last=SEP)
    assert september.now.month == SEP and september.before.month == "2026-08"
    assert (september.now.on_target, september.now.committed_tasks) == (1, 2)
    assert [r.month for r in september.series] == ["2026-07", "2026-08", SEP]
    october = summary_of(session, hand_plan, first=OCT, last=OCT)
    assert [r.month for r in october.series] == [OCT] and october.before.on_target == 1
    # later months carry the October figures forward, with nothing committed
    later = summary_of(session, hand_plan, first="2026-11", last="2027-01")
    assert later.now.month == executive.cards_month("2026-11", "2027-01", months.this_month())
    assert later.now.committed_tasks == 0 and later.now.average_gain is None
    assert later.now.average_progress == pytest.approx(100 / 3)
    assert later.now.open_pain_points == 1
    # a range given backwards is turned round
    assert Filters(journey_ids=(1,), first=OCT, last=SEP).first == SEP


def test_figures_agree_with_the_plan_arithmetic(session, small_journey):
    """On a random plan, the array arithmetic gives what cem.improvement.plan.series and evaluation give."""
    rng = random.Random(7)
    tree = services.load_journey_tree(session, small_journey.id)
    steps = [v.step for s in tree.stages for v in s.steps]
    people = [plan.add_person(session, name=f"P{i}", department=rng.choice(["A", "B", ""]), user=USER)
              for i in range(4)]
    window = months.between("2026-01", "2026-08")
    tasks = [plan.create_task(session, step_id=rng.choice(steps).id, title=f"Task {i}",
                              start_month=rng.choice(window[:4]), due_month="2026-12",
                              owner_id=rng.choice(people).id, user=USER) for i in range(8)]
    for month in window:
        plan.set_commitments(session, journey_id=small_journey.id, month=month,
                             tiers={t.id: rng.choice([None, 10, 20, 30]) for t in tasks}, user=USER)
        for task in tasks:
            for _ in range(rng.choice([0, 1, 1, 2])):
                plan.record_check_in(session, task_id=task.id, month=month, progress=rng.randint(0, 100), user=USER)
    rows = plan.task_rows(session, [small_journey.id])
    s = summary_of(session, Plan(small_journey.id, 0, 0, 0, 0, 0, 0, 0, 0), first="2026-02", last="2026-08")
    expected = plan.series(rows, "2026-02", "2026-08")
    got = [(r.month, r.committed_tasks, r.on_target, r.average_tier, r.average_gain) for r in s.series]
    assert got == [(f.month, f.committed_tasks, f.on_target, pytest.approx(f.average_tier),
                    pytest.approx(f.average_gain)) for f in expected]
    for g in s.by_department:
        in_range = [plan.evaluation(rows, m, by="department") for m in months.between("2026-02", "2026-08")]
        name = g.key or "—"
        assert g.committed == sum(x.committed_tasks for e in in_range for x in e if x.name == name)
        assert g.on_target == sum(x.on_target for e in in_range for x in e if x.name == name)
        mine = [r for r in rows if ((r.owner.department if r.owner else "") or "") == g.key]
        assert g.average_progress == pytest.approx(sum(r.progress("2026-08") for r in mine) / len(mine))


def test_no_tasks_at_all(session, small_journey):
    """A journey without a plan gives zeros and empty groups, not an error."""
    today = months.this_month()
    s = executive.executive_summary(session, Filters(journey_ids=(small_journey.id,), first=months.add(today, -2),
                                                     last=today))
    assert s.now.tasks == 0 and s.now.on_target_share is None and s.by_stage == [] and s.by_department == []
    assert s.now.open_pain_points == 2 and s.before.open_pain_points == 0  # both written down this month
    for figure in [*exec_charts.monthly_charts(s, "en", tr_en).values(), exec_charts.by_stage(s, tr_en)]:
        assert figure.layout.title.text


# ---------------------------------------------------------------- the cache key


def test_plan_revision_moves_with_every_plan_write(session, hand_plan):
    """Each kind of write changes the fingerprint; reading does not."""
    j = [hand_plan.journey_id]
    seen = [executive.plan_revision(session, j)]
    assert executive.plan_revision(session, j) == seen[-1]

    def moved() -> None:
        seen.append(executive.plan_revision(session, j))
        assert seen[-1] != seen[-2]

    plan.record_check_in(session, task_id=hand_plan.t1, month="2026-11", progress=60, user=USER)
    moved()
    plan.set_commitments(session, journey_id=hand_plan.journey_id, month=OCT, tiers={hand_plan.t1: 30}, user=USER)
    moved()  # a tier changed: no new row, a raised version
    plan.set_commitments(session, journey_id=hand_plan.journey_id, month=OCT, tiers={hand_plan.t3: None}, user=USER)
    moved()  # a commitment removed
    plan.update_person(session, person_id=hand_plan.sales, department="Retail", user=USER)
    moved()
    plan.update_task(session, task_id=hand_plan.t2, status="cancelled", user=USER)
    moved()
    plan.delete_task(session, task_id=hand_plan.t3, user=USER)
    moved()
    services.update_pain_point(session, pain_point_id=hand_plan.mild_pain, status="resolved", user=USER)
    moved()  # the map (journey revision)
    assert executive.plan_revision(session, []) == ()


def test_plan_revision_is_one_query(session, hand_plan, engine):
    from sqlalchemy import event

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        executive.plan_revision(session, [hand_plan.journey_id])
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_a_cancelled_or_deleted_task(session, hand_plan):
    """A cancelled task still counts for its commitments but not in average progress; a deleted one not at all."""
    plan.update_task(session, task_id=hand_plan.t3, status="cancelled", user=USER)
    s = summary_of(session, hand_plan)
    assert s.now.committed_tasks == 3 and s.now.average_progress == 45
    plan.delete_task(session, task_id=hand_plan.t3, user=USER)
    assert summary_of(session, hand_plan).now.committed_tasks == 2


# ---------------------------------------------------------------- charts


def test_month_axes_read_in_thai_with_buddhist_era(session, hand_plan):
    """Thai charts label the months ก.ย. 69 and ต.ค. 69 (2026 + 543 = 2569); English ones Sep 2026."""
    s = summary_of(session, hand_plan)
    for figure in exec_charts.monthly_charts(s, "th", tr_th).values():
        assert list(figure.data[0].x) == ["ก.ย. 69", "ต.ค. 69"]
        assert figure.layout.xaxis.type == "category"
        assert "Noto Sans Thai" in figure.layout.font.family
    english = exec_charts.cumulative_progress(s, "en", tr_en)
    assert list(english.data[0].x) == ["Sep 2026", "Oct 2026"]
    assert exec_charts.committed_vs_achieved(s, "th", tr_th).layout.title.text == \
        i18n.t("exec.chart.committed_title", "th")


def test_chart_values(session, hand_plan):
    s = summary_of(session, hand_plan)
    committed, achieved = exec_charts.committed_vs_achieved(s, "en", tr_en).data
    assert list(committed.y) == [25.0, 16.7] and list(achieved.y) == [22.5, 18.3]
    share = exec_charts.on_target_share(s, "en", tr_en).data[0]
    assert list(share.y) == [50.0, 66.7] and list(share.text) == ["50% (1/2)", "67% (2/3)"]
    assert list(exec_charts.pain_points_resolved(s, "en", tr_en).data[0].y) == [0, 1]
    stage = exec_charts.by_stage(s, tr_en)
    assert list(stage.data[0].y) == ["Offer", "Use"] and list(stage.data[0].x) == [45.0, 10.0]
    department = exec_charts.by_department(s, tr_en)
    assert list(department.data[0].y) == ["Sales", "Support", "No department"]


def test_user_text_in_charts_is_not_read_as_html(session, hand_plan):
    services.update_stage(session, stage_id=hand_plan.offer, name="<b>Offer</b>", user=USER)
    figure = exec_charts.by_stage(summary_of(session, hand_plan), tr_en)
    assert "<b>" not in figure.data[0].y[0]


# ---------------------------------------------------------------- the report


def json_text(text: str) -> str:
    return json.dumps(text)[1:-1]


def test_report_escapes_user_text_and_holds_the_cards(session, hand_plan):
    """A journey named <script>alert(1)</script> is shown as text; the KPI values and every chart are in
    the page; plotly.js is inlined once (offline), with print CSS for A4 landscape and the Thai fonts."""
    services.update_journey(session, journey_id=hand_plan.journey_id, name="<script>alert(1)</script>",
                            description="", user=USER)
    services.update_stage(session, stage_id=hand_plan.offer, name="Offer & <i>more</i>", user=USER)
    plan.update_person(session, person_id=hand_plan.sales, department='<img src=x onerror="alert(2)">', user=USER)
    s = summary_of(session, hand_plan, stage_ids=(hand_plan.offer, hand_plan.use),
                   departments=('<img src=x onerror="alert(2)">', "Support"))
    tree = services.load_journey_tree(session, hand_plan.journey_id)
    page = report.monthly_report(s, lang="en", tr=tr_en, tree=tree, made_on=date(2026, 11, 2))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<i>more</i>" not in page and "Offer &amp; &lt;i&gt;more&lt;/i&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "October 2026" in page and "Made on 2 November 2026" in page
    assert "size: A4 landscape" in page and "Noto Sans Thai" in page
    assert 'src="https://cdn' not in page and page.count("Plotly.newPlot") >= 7
    assert page.count("* plotly.js v") == 1
    for name in ("committed", "cumulative", "on_target", "resolved", "by_stage", "by_department", "emotion"):
        assert f'data-chart="{name}"' in page
    cards = report.kpi_cards(s, tr_en)
    for card in cards:
        assert f'data-kpi="{card.key}"' in page and card.value in page
    assert "1 of 2" in page  # Sales and Support in October: T1 off, T2 on


def test_report_in_thai(session, hand_plan):
    s = summary_of(session, hand_plan)
    page = report.monthly_report(s, lang="th", tr=tr_th, made_on=date(2026, 11, 2))
    assert "รายงาน CEM ประจำเดือนตุลาคม 2569" in page and "จัดทำเมื่อ 2 พฤศจิกายน 2569" in page
    assert "2 จาก 3 งาน" in page and 'lang="th"' in page and "จุด%" not in page
    assert json_text("ก.ย. 69") in page  # plotly writes chart text as JSON escapes
    assert 'data-chart="emotion"' not in page  # no tree given


# ---------------------------------------------------------------- page helpers


def test_default_range_covers_the_plan_and_this_month(session, hand_plan):
    """The plan runs September to October: by default the range holds it and this month."""
    data = executive.load_plan(session, [hand_plan.journey_id])
    assert executive.default_range(data, today="2026-11") == (SEP, "2026-11")
    assert executive.default_range(data, today="2026-10") == (SEP, OCT)
    assert executive.default_range(data, today="2028-01") == ("2027-02", "2028-01")  # at most twelve months
    assert executive.default_range(None, today="2026-11") == ("2026-06", "2026-11")
    options = executive.month_options(data, today="2026-11")
    assert options[0] == "2024-12" and options[-1] == "2026-11"
    assert data.departments == ["Sales", "Support", ""]


def test_emotion_tree_keeps_the_cached_tree_whole(session, hand_plan):
    tree = services.load_journey_tree(session, hand_plan.journey_id)
    only_use = executive.emotion_tree(tree, [hand_plan.use])
    assert [s.stage.id for s in only_use.stages] == [hand_plan.use] and len(tree.stages) == 2
    assert executive.emotion_tree(tree, []) is tree


def test_labels_use_the_shared_font_stack():
    assert "Sarabun" in FONT_FAMILY
    assert months.label("2026-10", "th", short=True) == "ต.ค. 69"


def test_pain_points_read_back(session, hand_plan):
    """The hand-made dates really are in the database (guards the fixture itself)."""
    pain = session.exec(select(PainPoint).where(PainPoint.id == hand_plan.severe_pain)).one()
    assert months.of(pain.resolved_at) == OCT and months.of(pain.created_at) == "2026-08"
