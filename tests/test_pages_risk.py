"""Revenue at risk on the journey's pages, in Thai and English: complaints
of the sample workspace's customers at a sub-step show on the board card,
as a heat map, on the executive page and beside the pain point in the map
editor, with the VIP part apart."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import select

from cem.core import i18n
from cem.core.models import Customer
from cem.customers import complaints, vip
from cem.journey import services
from tests.test_pages import app_db, db_session, open_page, sample  # noqa: F401 (fixture)

USER = "lead"


def complain(url) -> dict:
    """Two customers complain at the sample's first sub-step, one of them a
    VIP, against its first pain point; a walk-in complains there too."""
    open_page(None, "en")  # the first run seeds the sample workspace
    tree = sample(url)
    step = tree.stages[0].steps[0]
    with db_session(url) as session:
        first, second = session.execute(select(Customer.id).order_by(Customer.code).limit(2)).scalars().all()
        vip.mark_by_hand(session, customer_id=first, decision="in", reason="key account", as_of=date.today(),
                         user=USER)
        for customer in (first, second, None):
            complaints.record_complaint(session, text="รอสายนานมาก", received=date.today(), severity=4,
                                        customer_id=customer, step_id=step.step.id,
                                        pain_point_id=step.pain_points[0].id, user=USER)
        risk = complaints.revenue_at_risk(session, tree.journey.id, today=date.today())
    return {"step": step, "risk": risk.steps[step.step.id], "journey": tree.journey.id}


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_board_card_shows_the_complaints_and_the_revenue_behind_them(app_db, lang):
    found = complain(app_db)
    risk = found["risk"]
    assert (risk.complaints, len(risk.customers), len(risk.vips)) == (3, 2, 1)
    at = open_page("pages/journey/board.py", lang)
    line = i18n.t("risk.line", lang, n=3, open=3, revenue=f"฿{risk.revenue:,.0f}", customers=2)
    assert any(line in m.value for m in at.markdown)
    assert any(i18n.t("risk.vips", lang, n=1, revenue=f"฿{risk.vip_revenue:,.0f}") in m.value for m in at.markdown)
    at.toggle(key="board_show_risk").set_value(False).run()
    assert not any(line in m.value for m in at.markdown)


def test_without_complaints_the_board_offers_no_risk_layer(app_db):
    at = open_page("pages/journey/board.py", "en")
    assert not [t for t in at.toggle if t.key == "board_show_risk"]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_heat_map_the_executive_page_and_the_editor_show_it(app_db, lang):
    found = complain(app_db)
    at = open_page("pages/journey/insights.py", lang)
    heat = next(c for c in at.get("plotly_chart") if (c.proto.id or "").endswith("insights_risk_heatmap"))
    cells = json.loads(heat.proto.spec)["data"][0]
    assert cells["x"] == [i18n.t("risk.all_customers", lang), i18n.t("risk.vip_customers", lang)]
    assert cells["z"] == [[pytest.approx(found["risk"].revenue), pytest.approx(found["risk"].vip_revenue)]]
    at = open_page("pages/improvement/executive.py", lang)
    table = next(d for d in at.dataframe if i18n.t("risk.col.revenue", lang) in d.value.columns)
    assert table.value[i18n.t("risk.col.complaints", lang)].iloc[0] == 3
    assert table.value[i18n.t("risk.col.revenue", lang)].iloc[0] == pytest.approx(found["risk"].revenue)
    at = open_page("pages/journey/map_editor.py", lang)
    with db_session(app_db) as session:
        first_stage = services.load_journey_tree(session, found["journey"]).stages[0]
    assert first_stage.steps[0].step.id == found["step"].step.id  # the editor opens on it
    editor = next(d for d in at.dataframe if i18n.t("risk.col.vip_revenue", lang) in d.value.columns)
    assert editor.value[i18n.t("risk.col.complaints", lang)].iloc[0] == 3
    assert not at.exception


def test_a_renamed_or_deleted_sub_step_is_shown_at_once(app_db):
    """The risk figures are cached by complaints, VIPs and bills, and by the
    journey's revision: a rename or a delete on the map shows on the next run."""
    found = complain(app_db)
    executive = open_page("pages/improvement/executive.py", "en")
    heat = open_page("pages/journey/insights.py", "en")
    with db_session(app_db) as session:
        services.update_step(session, step_id=found["step"].step.id, name="Waiting on the line", user=USER)
    executive.run()
    table = next(d for d in executive.dataframe if i18n.t("risk.col.revenue", "en") in d.value.columns)
    assert "Waiting on the line" in table.value[i18n.t("risk.col.step", "en")].iloc[0]
    with db_session(app_db) as session:
        services.delete_step(session, step_id=found["step"].step.id, user=USER)
    heat.run()
    charts = [c for c in heat.get("plotly_chart") if (c.proto.id or "").endswith("insights_risk_heatmap")]
    data = json.loads(charts[0].proto.spec)["data"] if charts else []
    assert not data or data[0]["z"] in ([], [[0, 0]])  # the deleted sub-step's complaints are gone
    assert not heat.exception and not executive.exception
