"""The voice of the customer closes the loop in Chromium, in Thai: import a
survey export, see NPS by stage and the top Thai words, turn a
detractor's comment into a pain point and a knowledge-base question, find
it with a word from the middle of a Thai sentence, see it in the Top 20,
and pick the pain point from the matrix into next month's plan."""
from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cem.core import i18n, months
from cem.core.db import get_engine, session_scope
from cem.core.models import Commitment, Feedback, KbQuestion, Measure, PainPoint, Task
from cem.journey import services
from tests.conftest import BACKENDS, fresh_database
from tests.e2e.conftest import E2E_PASSWORD, E2E_USER, open_app
from tests.e2e.grid import FIRST_COLUMN_X, ROW_HEIGHT
from tools.serve import running_app, wait_for_app

STAGE, STEP = "ใช้บริการ", "ชำระค่าบริการรายเดือน"
DETRACTOR = "ชำระเงินผ่านแอปไม่ได้เพราะใบแจ้งหนี้ไม่ขึ้นในระบบ"


def th(key: str, **params) -> str:
    return i18n.t(key, "th", **params)


@pytest.fixture(scope="module", params=BACKENDS)
def loop(request, tmp_path_factory):
    with fresh_database(request.param, tmp_path_factory.mktemp("voice")) as database_url, \
            running_app(database_url, env={"CEM_SEED_SAMPLE": "0", "CEM_ADMIN_USER": E2E_USER,
                                             "CEM_ADMIN_PASSWORD": E2E_PASSWORD}) as url:
        yield url, database_url


def survey_export(path) -> None:
    """A Google Forms export: when, the 0-10 question, a comment about paying."""
    stamp = date.today().strftime("%Y/%m/%d")
    lines = ["ประทับเวลา,คุณจะแนะนำเราให้เพื่อนหรือไม่ (0-10),ความคิดเห็นเรื่องการชำระเงิน",
             f"{stamp} 10:15:22 AM GMT+7,2,{DETRACTOR}",
             f"{stamp} 11:02:10 AM GMT+7,9,จ่ายผ่านแอปง่ายดี",
             f"{stamp} 1:40:00 PM GMT+7,3,ใบแจ้งหนี้มาช้าทุกเดือน"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


def nav(page, title_key: str) -> None:
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=th(title_key)).click()
    page.wait_for_timeout(300)
    wait_for_app(page)


def pick(page, container: str, option: str) -> None:
    box = page.locator(container).get_by_role("combobox")
    box.click()
    page.get_by_role("option").filter(has_text=option).first.click()
    page.wait_for_timeout(200)
    wait_for_app(page)


def cells(page) -> list[str]:
    """The cells of the tables in view (the open tab's), row by row."""
    found = page.locator("[role='tabpanel']:visible [data-testid='stDataFrame'] [role='gridcell']")
    found.first.wait_for(state="attached")  # the grid writes its cells after it is drawn
    page.wait_for_timeout(200)
    return [found.nth(i).inner_text() for i in range(found.count())]


def test_a_detractors_words_go_from_a_survey_to_next_months_plan(page, loop, tmp_path):
    app_url, database_url = loop
    open_app(page, f"{app_url}/?lang=th")  # the app makes its tables on first start
    with session_scope(get_engine(database_url)) as session:
        journey = services.create_journey(session, name="อินเทอร์เน็ตบ้าน", user=E2E_USER)
        stage = services.add_stage(session, journey_id=journey.id, name=STAGE, user=E2E_USER)
        services.add_step(session, stage_id=stage.id, name=STEP, user=E2E_USER)
    export = tmp_path / "แบบสอบถาม.csv"
    survey_export(export)
    open_app(page, f"{app_url}/?lang=th")

    # 1. The survey export, its comment column tied to the sub-step.
    nav(page, "page.voice_import")
    page.locator(".st-key-survey_upload_0 input[type=file]").set_input_files(str(export))
    wait_for_app(page)
    pick(page, "[class*='st-key-survey_step_1_']", STEP)  # the NPS question and the comment: paying
    pick(page, "[class*='st-key-survey_step_2_']", STEP)
    page.locator(".st-key-survey_check button").click()
    wait_for_app(page)
    page.locator(".st-key-survey_import button").click()
    wait_for_app(page)
    expect(page.get_by_text(i18n.t("voice_import.imported.many", "th", n=3))).to_be_visible()

    # 2. NPS by stage, and the top Thai words.
    nav(page, "page.voice")
    nps = page.locator("[data-testid='stMetric']").filter(has_text="NPS").locator("[data-testid='stMetricValue']")
    expect(nps).to_have_text("-33")  # 1 promoter, 2 detractors of 3
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    assert STAGE in cells(page)
    page.get_by_role("tab", name=th("voice.tab.words")).click()
    wait_for_app(page)
    page.wait_for_timeout(500)
    words = cells(page)
    assert ("ใบแจ้งหนี้", "2") in zip(words, words[1:])  # in two of the three comments, mid-sentence in one

    # 3. The detractor's comment becomes a pain point and a knowledge-base question.
    with session_scope(get_engine(database_url)) as session:
        voice = session.execute(select(Feedback).where(Feedback.text == DETRACTOR)).scalars().one()
    page.get_by_role("tab", name=th("voice.tab.all")).click()
    wait_for_app(page)
    pick(page, "[class*='st-key-voice_picked_pick_']", DETRACTOR[:30])
    page.locator(f".st-key-voice_loop_feedback_{voice.id}_new").get_by_role("button", name=th("voice.loop.new_pain")).click()
    wait_for_app(page)
    expect(page.get_by_text(th("voice.loop.pain_made"))).to_be_visible()
    page.get_by_role("tab", name=th("voice.tab.all")).click()
    page.get_by_role("tab", name=th("voice.loop.question")).click()
    page.locator(f".st-key-voice_q_feedback_{voice.id}_new").get_by_role("button", name=th("voice.loop.new_question")).click()
    wait_for_app(page)
    expect(page.get_by_text(th("voice.loop.question_made"))).to_be_visible()

    # 4. Found by a word from the middle of the Thai sentence.
    nav(page, "page.knowledge")
    page.locator(".st-key-kb_query input").fill("ใบแจ้งหนี้")
    page.keyboard.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(DETRACTOR).first).to_be_visible()

    # 5. In the Top 20: the linked comment counts once.
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    page.wait_for_timeout(300)
    top = cells(page)
    assert top[:3] == ["1", DETRACTOR, "1"]

    # 6. Picked on the matrix (a click on its point ticks its row), the fix typed beside it in the table.
    nav(page, "page.priorities")
    point = page.locator("[data-testid='stPlotlyChart'] .scatterlayer .trace .point").first
    point.scroll_into_view_if_needed()
    spot = point.bounding_box()
    page.mouse.click(spot["x"] + spot["width"] / 2, spot["y"] + spot["height"] / 2)
    page.wait_for_timeout(300)
    wait_for_app(page)
    grid = page.locator(".st-key-prio_box [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + FIRST_COLUMN_X, box["y"] + ROW_HEIGHT * 1.5)
    page.wait_for_timeout(200)
    for _ in range(5):  # impact, effort, "plan it" (ticked by the matrix), the commitment (the first tier), the fix
        page.keyboard.press("Tab")
        page.wait_for_timeout(100)
    page.keyboard.press("Enter")  # open the fix cell's editor
    page.wait_for_timeout(200)
    page.keyboard.type("ให้ใบแจ้งหนี้ขึ้นในแอปก่อนวันครบกำหนด 7 วัน", delay=10)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    wait_for_app(page)
    page.locator(".st-key-prio_plan button").click()
    wait_for_app(page)
    next_month = months.add(months.this_month(), 1)
    expect(page.get_by_text(th("prio.planned_message", n=1, month=months.label(next_month, "th")))).to_be_visible()
    with session_scope(get_engine(database_url)) as session:
        pain = session.execute(select(PainPoint).where(PainPoint.text == DETRACTOR)).scalars().one()
        measure = session.execute(select(Measure).where(Measure.pain_point_id == pain.id)).scalars().one()
        task = session.execute(select(Task).where(Task.measure_id == measure.id)).scalars().one()
        tier = session.execute(select(Commitment.tier).where(Commitment.task_id == task.id,
                                                             Commitment.month == next_month)).scalar_one()
        assert session.execute(select(KbQuestion.question)).scalars().all() == [DETRACTOR]
    assert (task.title, task.start_month, tier) == ("ให้ใบแจ้งหนี้ขึ้นในแอปก่อนวันครบกำหนด 7 วัน", next_month, 30)
