"""The executive page through streamlit.testing.v1.AppTest, in Thai and
English, as a viewer (executives) and as a lead, with its filters."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cem.core import i18n, months
from cem.journey import services
from tests.conftest import USER
from tests.test_executive import OCT, SEP, build_plan

pytestmark = pytest.mark.pages
APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/improvement/executive.py"


@pytest.fixture
def app_db(engine, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


@pytest.fixture
def planned(app_db, session, small_journey):
    """The hand-made plan of tests/test_executive.py, in the app's database."""
    return build_plan(session, small_journey)


def open_page(lang: str = "en", user: str = "viewer", october: bool = False) -> AppTest:
    """The page; with `october`, the range moved to September-October (a past month chosen)."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = lang
    at.session_state["auth_user"] = user
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    if october:
        at.select_slider(key="exec_months").set_value((SEP, OCT))
        run(at)
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def on_target(at: AppTest, lang: str = "en") -> str:
    return metrics(at)[i18n.t("exec.kpi.on_target", lang)]


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", i18n.LANGS)
@pytest.mark.parametrize("user", ["viewer", USER])
def test_page_shows_cards_and_charts(planned, lang, user):
    """As a viewer and as a lead, in Thai and English: the range holds the plan and this month; with
    October chosen, four KPI cards for October against September, seven charts, and the report button."""
    at = open_page(lang, user)
    this_month = months.this_month()
    assert at.select_slider(key="exec_months").value == (max(SEP, months.add(this_month, -11)), this_month)
    at.select_slider(key="exec_months").set_value((SEP, OCT))
    run(at)
    assert at.title[0].value == i18n.t("page.executive", lang)
    assert not at.error
    values = metrics(at)
    assert values[i18n.t("exec.kpi.on_target", lang)] == i18n.t("exec.kpi.on_target_value", lang, n=2, m=3)
    assert values[i18n.t("exec.kpi.gained", lang)] == i18n.t("exec.unit.pp", lang, value="+18.3")
    assert values[i18n.t("exec.kpi.resolved", lang)] == "1"
    assert values[i18n.t("exec.kpi.open", lang)] == "1"
    deltas = {m.label: m.proto.delta for m in at.metric}
    assert deltas[i18n.t("exec.kpi.open", lang)] == "-1"
    heading = i18n.t("exec.month_vs", lang, month="ตุลาคม 2569" if lang == "th" else "October 2026",
                     previous="กันยายน 2569" if lang == "th" else "September 2026")
    assert any(heading in m.value for m in at.markdown)
    assert len(at.get("plotly_chart")) == 7
    buttons = at.get("download_button")
    assert [b.proto.label for b in buttons] == [i18n.t("exec.report.download", lang)]


def test_month_axes_in_thai(planned):
    at = open_page("th", october=True)
    committed = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert committed["data"][0]["x"][-2:] == ["ก.ย. 69", "ต.ค. 69"]
    assert "Noto Sans Thai" in committed["layout"]["font"]["family"]


def test_charts_can_be_downloaded_as_png(planned):
    """Every chart keeps the modebar's camera button and names the PNG."""
    at = open_page("en")
    for chart in at.get("plotly_chart"):
        config = json.loads(chart.proto.config)
        assert config["toImageButtonOptions"]["format"] == "png"
        assert "toImage" not in config.get("modeBarButtonsToRemove", [])


def test_filters_by_stage_department_and_months(planned):
    at = open_page("en", october=True)
    at.multiselect(key="exec_stages").set_value([planned.use])
    run(at)
    assert on_target(at) == "1 of 1"
    assert metrics(at)["Open pain points"] == "0"

    at.multiselect(key="exec_stages").set_value([])
    at.multiselect(key="exec_departments").set_value(["Sales"])
    run(at)
    assert on_target(at) == "0 of 1"
    assert any(i18n.t("exec.pains_no_department", "en") in m.value for m in at.markdown)

    at.multiselect(key="exec_departments").set_value([])
    at.select_slider(key="exec_months").set_value(("2026-07", SEP))
    run(at)
    assert on_target(at) == "1 of 2"
    first = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert first["data"][0]["x"] == ["Jul 2026", "Aug 2026", "Sep 2026"]


def test_choosing_no_journey_says_so(planned):
    at = open_page("en")
    at.multiselect(key="exec_journeys").set_value([])
    run(at)
    assert any(i18n.t("exec.pick_journey", "en") in i.value for i in at.info)
    assert not at.metric


def test_two_journeys_together(planned, session):
    """A second journey adds its tasks; stages are named with their journey; the emotion curve asks which."""
    other = services.create_journey(session, name="Mobile", user=USER)
    services.add_stage(session, journey_id=other.id, name="Sign up", user=USER)
    at = open_page("en", october=True)
    at.multiselect(key="exec_journeys").set_value([planned.journey_id, other.id])
    run(at)
    assert on_target(at) == "2 of 3"
    options = at.multiselect(key="exec_stages").options
    assert "Mobile · 1. Sign up" in options and "Home internet · 1. Offer" in options
    emotion = at.selectbox(key="exec_emotion_journey")
    assert emotion.value == planned.journey_id
    emotion.set_value(other.id)
    run(at)
    assert on_target(at) == "2 of 3"


def test_the_sidebar_journey_is_the_default(app_db):
    """With only the sample journey (no plan yet), the page opens on it and says there are no tasks."""
    at = open_page("th")
    assert at.multiselect(key="exec_journeys").value == [at.session_state["ui_journey_id"]]
    assert any(i18n.t("exec.no_tasks", "th") in i.value for i in at.info)
    # The card's big number is a dash, which fits a quarter of the page; the words go under it.
    assert on_target(at, "th") == "—"
    details = [c.value for c in at.caption]
    assert any(d.startswith(i18n.t("exec.kpi.none_committed", "th")) for d in details)
    assert len(at.get("plotly_chart")) == 7


def test_without_any_journey_the_page_points_to_the_journeys_page(app_db, monkeypatch):
    monkeypatch.setenv("CEM_SEED_SAMPLE", "0")
    at = open_page("en")
    assert at.title[0].value == i18n.t("page.executive", "en")
    assert any(i18n.t("journey.none_yet", "en") in info.value for info in at.info)
