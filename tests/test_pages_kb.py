"""AppTests of the knowledge-base page, in Thai and English: a Thai word
from the middle of a question finds it, "asked again" and a vote count, a
search that finds nothing is a gap, a new question is made and published,
and the Top 20 shows what was asked."""
from __future__ import annotations

import pytest
from sqlmodel import delete, select

from cem.core import i18n
from cem.core.models import KbAsked, KbMiss, KbQuestion, KbQuestionStep, KbVote
from cem.kb import questions as kb
from tests.test_pages import app_db, db_session, open_page, picker  # noqa: F401 (fixture)

PAGE = "pages/customers/knowledge.py"
LATE_BILL = "ทำไมใบแจ้งหนี้เดือนนี้ยังไม่มาถึงบ้าน"


def fresh(url) -> int:
    """No sample questions: these tests count their own. The id of one published question."""
    with db_session(url) as session:
        for model in (KbAsked, KbVote, KbMiss, KbQuestionStep):
            session.execute(delete(model))
        session.execute(delete(KbQuestion))
        session.commit()
        made = kb.create_question(session, question=LATE_BILL, answer="ดูวันที่ออกใบแจ้งหนี้ในแอป เมนูบิลของฉัน",
                                  category="ใบแจ้งหนี้", user="admin")
        kb.publish_question(session, question_id=made.id, version=made.version, user="admin")
        return made.id


def opened(url, lang: str, user: str = "admin"):
    at = open_page(PAGE, lang, user=user)
    question_id = fresh(url)
    return at.run(), question_id


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_thai_word_from_the_middle_of_the_question_finds_it(app_db, lang):
    at, question_id = opened(app_db, lang)
    at.text_input(key="kb_query").input("ใบแจ้งหนี้").run()
    assert any(LATE_BILL in m.value for m in at.markdown)
    assert any("เมนูบิลของฉัน" in m.value for m in at.markdown)
    assert not at.exception and not at.error


def test_asked_again_and_a_vote_count_and_the_top_20_shows_it(app_db):
    at, question_id = opened(app_db, "th", user="viewer")  # front-line staff
    at.text_input(key="kb_query").input("ใบแจ้งหนี้").run()
    at.button(key=f"kb_again_{question_id}").click().run()
    at.button(key=f"kb_vote_{question_id}_True").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        assert session.execute(select(KbAsked.question_id)).scalars().all() == [question_id]
        assert session.execute(select(KbVote.helpful)).scalars().all() == [True]
    top = next(d.value for d in at.dataframe if i18n.t("kb_page.col.times", "th") in d.value.columns)
    assert list(top[i18n.t("kb_page.col.question", "th")]) == [LATE_BILL]
    assert list(top[i18n.t("kb_page.col.times", "th")]) == [1]


def test_a_search_that_finds_nothing_is_listed_once_as_a_gap(app_db):
    at, _ = opened(app_db, "en")
    at.text_input(key="kb_query").input("roaming abroad").run()
    at.run()  # a rerun does not count it twice
    assert [i.value for i in at.info][:1] == [i18n.t("kb_page.nothing_found", "en")]
    with db_session(app_db) as session:
        assert session.execute(select(KbMiss.query)).scalars().all() == ["roaming abroad"]
    gaps = next(d.value for d in at.dataframe if i18n.t("kb_page.col.searches", "en") in d.value.columns)
    assert list(gaps[i18n.t("kb_page.col.search", "en")]) == ["roaming abroad"]


def test_a_new_question_is_made_as_a_draft_then_published(app_db):
    at, _ = opened(app_db, "en")
    at.text_input(key="kb_new_0_question").input("How do I move my internet to a new house?")
    at.text_area(key="kb_new_0_answer").input("Book the move in the app two weeks ahead.")
    at.button(key="kb_create").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        made = session.execute(select(KbQuestion).where(KbQuestion.question.like("How do I move%"))).scalars().one()
    assert made.state == "draft"
    picker(at, "kb_edit_id").select(made.id).run()
    at.button(key=f"kb_edit_{made.id}_state").click().run()
    with db_session(app_db) as session:
        assert session.get(KbQuestion, made.id).state == "published"


def test_a_viewer_cannot_edit_questions(app_db):
    at, _ = opened(app_db, "en", user="viewer")
    assert [i.value for i in at.info if i.value == i18n.t("kb_page.edit_only", "en")]
    assert not [b for b in at.button if (b.key or "").startswith("kb_edit_")]
