"""Chart builders and the board text, from a real journey in the database."""
from __future__ import annotations

from functools import partial

from cem.core import i18n
from cem.customers import charts as customer_charts
from cem.customers.pareto import analyse
from cem.journey import charts, services
from cem.journey.board import step_markdown
from tests.conftest import USER

tr_en = partial(i18n.t, lang="en")
tr_th = partial(i18n.t, lang="th")


def tr(key, **params):
    return i18n.t(key, "en", **params)


def test_cycle_diagram_has_an_arrow_from_each_stage_to_the_next_and_back(session, small_journey):
    """The cycle shows every stage, arrows around the circle, and the last stage leads back to the first."""
    services.add_stage(session, journey_id=small_journey.id, name="Renewal", phase="after", user=USER)
    tree = services.load_journey_tree(session, small_journey.id)
    figure = charts.cycle_diagram(tree, tr)
    arrows = [a for a in figure.layout.annotations if a.showarrow]
    assert len(arrows) == 3
    nodes = figure.data[0]
    assert "1. Offer" in nodes.text[0] and "2 open problem(s)" in nodes.text[0]
    assert "0 open problem(s)" in nodes.text[2]
    # the last arrow points from the third stage back to the first
    first_x, first_y = nodes.x[0], nodes.y[0]
    last = arrows[-1]
    assert abs(last.x - first_x) < abs(last.ax - first_x) and abs(last.y - first_y) < abs(last.ay - first_y)


def test_charts_use_a_font_stack_with_thai_glyphs(session, small_journey):
    """Thai labels render: every chart names fonts that carry Thai glyphs."""
    tree = services.load_journey_tree(session, small_journey.id)
    for build in (charts.cycle_diagram, charts.emotion_curve, charts.pain_heatmap, charts.quality_heatmap):
        family = build(tree, tr_th).layout.font.family
        assert "Noto Sans Thai" in family and "Sarabun" in family


def test_emotion_curve_marks_the_lowest_points(session, small_journey):
    """The emotion curve shows today against target and circles where the customer feels worst."""
    tree = services.load_journey_tree(session, small_journey.id)
    figure = charts.emotion_curve(tree, tr)
    now, target, lowest = figure.data
    assert list(now.y) == [-1, None] and list(target.y) == [1, None]
    assert list(lowest.x) == [now.x[0]]
    assert now.x[0].startswith("1.1 Browse")


def test_lowest_points_fall_back_to_the_minimum():
    """When nobody is unhappy, the lowest rated step is still marked."""
    points = [{"now": 1}, {"now": 0}, {"now": None}, {"now": 0}]
    assert charts.lowest_points(points) == [1, 3]
    assert charts.lowest_points([{"now": -2}, {"now": -1}, {"now": 1}], count=1) == [0]
    assert charts.lowest_points([{"now": None}]) == []


def test_pain_heatmap_counts_by_stage_and_severity(session, small_journey):
    """The heat map counts pain points per stage and severity."""
    tree = services.load_journey_tree(session, small_journey.id)
    heat = charts.pain_heatmap(tree, tr).data[0]
    assert [list(row) for row in heat.z] == [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0]]
    pain = tree.stages[0].steps[0].pain_points[0]
    services.update_pain_point(session, pain_point_id=pain.id, status="resolved", user=USER)
    tree = services.load_journey_tree(session, small_journey.id)
    heat = charts.pain_heatmap(tree, tr, open_only=True).data[0]
    assert list(heat.z[0]) == [0, 1, 0, 0, 0]


def test_quality_heatmap_shows_the_four_qualities(session, small_journey):
    """Each sub-step is rated easy, convenient, fast and correct; unrated cells stay blank."""
    tree = services.load_journey_tree(session, small_journey.id)
    heat = charts.quality_heatmap(tree, tr_th).data[0]
    assert list(heat.x) == ["ง่าย", "สะดวก", "รวดเร็ว", "ถูกต้อง"]
    assert list(heat.z[0]) == [2, None, None, None]


def test_user_text_cannot_inject_markup_into_charts(session, small_journey):
    """A stage name with HTML tags is shown, not interpreted, in chart labels."""
    services.add_stage(session, journey_id=small_journey.id, name="<a href='x'>evil</a>", user=USER)
    tree = services.load_journey_tree(session, small_journey.id)
    labels = charts.cycle_diagram(tree, tr).data[0].text
    assert "<a" not in labels[2] and "‹a href='x'›evil‹/a›" in labels[2]


def test_board_card_lists_pains_measures_and_ideas_safely(session, small_journey):
    """A sub-step card shows its pain points with measures and ideas; typed Markdown stays literal."""
    step = services.list_steps(session, services.list_stages(session, small_journey.id)[0].id)[0]
    services.add_idea(session, step_id=step.id, text="[free](http://evil.example)", user=USER)
    tree = services.load_journey_tree(session, small_journey.id)
    card = step_markdown(tree.stages[0].steps[0], "1.1", tr)
    assert "Prices are hard to compare" in card and "Prevention: One comparison table" in card
    assert "Live chat on the package page" in card
    assert "\\[free\\]\\(http\u2060\\:" in card  # escaped, and no bare address left to autolink


def test_the_pareto_chart_says_whether_a_bar_is_a_customer_or_a_group_of_customers():
    few = analyse(list(range(40)), [float(1000 - i) for i in range(40)])
    figure = customer_charts.pareto_chart(few, tr_en)
    assert figure.layout.title.text == i18n.t("customers.chart.pareto", "en")
    assert figure.layout.xaxis.title.text == i18n.t("customers.chart.rank", "en")
    assert len(figure.data[0].x) == 40
    many = analyse(list(range(130)), [float(1000 - i) for i in range(130)])  # 60 bars at most: groups of 3
    for lang, tr_lang in (("en", tr_en), ("th", tr_th)):
        figure = customer_charts.pareto_chart(many, tr_lang)
        assert figure.layout.title.text == i18n.t("customers.chart.pareto_groups", lang, size=3)
        assert figure.layout.xaxis.title.text == i18n.t("customers.chart.ranks", lang, size=3)
    assert list(figure.data[0].x[:2]) == ["1–3", "4–6"] and figure.data[0].x[-1] == "130"
    assert "group of 3 customers" in i18n.t("customers.chart.pareto_groups", "en", size=3)


def test_a_board_card_shows_a_pain_points_voices_with_two_of_their_words(session, small_journey):
    from cem.voice.feedback import PainVoices

    tree = services.load_journey_tree(session, small_journey.id)
    view = tree.stages[0].steps[0]
    pain = view.pain_points[0]
    said = PainVoices(4, ("ราคาไม่ชัด **เลย**", "เทียบแพ็กเกจไม่ได้", "โทรถามสามรอบ"))
    card = step_markdown(view, "1.1", tr, voices={pain.id: said})
    assert i18n.t("board.voices.many", "en", n=4) in card
    assert "“ราคาไม่ชัด \\*\\*เลย\\*\\*”" in card and "“เทียบแพ็กเกจไม่ได้”" in card  # escaped, two of them
    assert "โทรถามสามรอบ" not in card
