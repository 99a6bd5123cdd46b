"""AppTests of the voice-of-the-customer pages, in Thai and English: the
quick form, the scores with their answer counts, the top Thai words, the
lead's list, and closing the loop on one voice."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import delete, select

from cem.core import i18n
from cem.core.models import Complaint, Feedback, FeedbackImport, FollowUp, PainPoint
from cem.voice import feedback
from tests.test_pages import app_db, db_session, open_page, picker, sample  # noqa: F401 (fixture)

PAGE = "pages/customers/voice.py"
IMPORT_PAGE = "pages/customers/voice_import.py"


def seed(url) -> dict:
    """Five voices on the sample journey's first sub-step, this month."""
    tree = sample(url)
    stage, step = tree.stages[0], tree.stages[0].steps[0]
    today = date.today()
    with db_session(url) as session:
        for nps, text in ((0, "ใบแจ้งหนี้มาช้ามากทุกเดือน"), (3, "รอใบแจ้งหนี้นานเกินไป"), (9, "พนักงานสุภาพดี"),
                          (10, "บริการรวดเร็ว"), (7, "ก็โอเค")):
            feedback.record_feedback(session, received=today, text=text, nps=nps, step_id=step.step.id,
                                     channel="Google Forms", user="lead")
    return {"journey": tree.journey.id, "stage": stage.stage.id, "step": step.step.id}


def without_the_sample_voices(url) -> None:
    """The app seeds sample voices into a new workspace: these tests count their own."""
    with db_session(url) as session:
        for model in (FollowUp, Feedback, FeedbackImport):
            session.execute(delete(model))
        session.commit()


def opened(url, lang: str = "en", user: str = "admin"):
    """The page, after the app seeded its sample journey and five voices were added to it (and no others)."""
    at = open_page(PAGE, lang, user=user)
    without_the_sample_voices(url)
    places = seed(url)
    return at.run(), places


def metric(at, key: str, lang: str) -> str:
    return next(m.value for m in at.metric if m.label == i18n.t(key, lang))


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_scores_show_with_their_answers_and_a_warning_under_30(app_db, lang):
    at, _ = opened(app_db, lang)
    assert metric(at, "voice.figure.nps", lang) == "+0"  # 2 promoters, 1 passive, 2 detractors
    assert metric(at, "voice.count", lang) == "5"
    assert any(i18n.t("voice.answers.many", lang, n=5) in c.value for c in at.caption)
    assert any(i18n.t("voice.few_warning", lang, n=30) in c.value for c in at.caption)
    assert not at.exception and not at.error


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_top_words_find_a_thai_word_from_the_middle_of_a_sentence(app_db, lang):
    at, _ = opened(app_db, lang)
    terms = next(d.value for d in at.dataframe if i18n.t("voice.col.term", lang) in d.value.columns)
    top = terms.iloc[0]
    assert top[i18n.t("voice.col.term", lang)] == "ใบแจ้งหนี้"
    assert top[i18n.t("voice.col.voices", lang)] == 2
    assert "ใบแจ้งหนี้มาช้ามากทุกเดือน" in top[i18n.t("voice.col.quotes", lang)]


def test_by_stage_names_the_stage_and_counts_its_answers(app_db):
    at, places = opened(app_db)
    table = next(d.value for d in at.dataframe if "NPS answers" in d.value.columns)
    tree = sample(app_db)
    assert list(table["Where on the journey"]) == [tree.stages[0].stage.name]
    assert list(table["NPS answers"]) == [5]
    assert places


def test_the_lead_sees_the_detractors_with_no_follow_up(app_db):
    at, _ = opened(app_db)
    assert any(i18n.t("voice.waiting.many", "en", n=2) in w.value for w in at.warning)


def test_a_detractor_given_a_follow_up_leaves_the_leads_list_at_once(app_db):
    """The list is cached by what it is read from (follow-ups too), not by the voices shown."""
    at, _ = opened(app_db)
    with db_session(app_db) as session:
        detractor = session.execute(select(Feedback).where(Feedback.nps == 0)).scalars().one()
        feedback.add_follow_up(session, source="feedback", item_id=detractor.id, owner_id=None, due=date.today(),
                               user="admin")
    at.run()
    assert any(i18n.t("voice.waiting.one", "en", n=1) in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_voice_typed_in_the_quick_form_is_saved_with_its_sentiment_from_the_score(app_db):
    at = open_page(PAGE, "th")
    without_the_sample_voices(app_db)
    form = "voice_new_0"
    at.text_area(key=f"{form}_text").input("โทรติดต่อคอลเซ็นเตอร์ไม่ติด")
    at.selectbox(key=f"{form}_nps").select(2)
    at.button(key="voice_new_save").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        saved = session.execute(select(Feedback)).scalars().one()
    assert (saved.text, saved.nps, saved.sentiment, saved.sentiment_by_hand) == (
        "โทรติดต่อคอลเซ็นเตอร์ไม่ติด", 2, "negative", False)


def test_a_complaint_taken_in_the_quick_form_is_a_complaint_not_a_copy(app_db):
    at = open_page(PAGE, "en")
    without_the_sample_voices(app_db)
    form = "voice_new_0"
    at.selectbox(key=f"{form}_kind").select("complaint").run()
    at.text_area(key=f"{form}_text").input("The technician never came")
    at.button(key="voice_new_save").click().run()
    with db_session(app_db) as session:
        assert session.execute(select(Feedback)).first() is None
        assert "The technician never came" in session.execute(select(Complaint.text)).scalars().all()


def test_words_without_a_score_or_sentiment_are_refused_with_a_message_and_kept(app_db):
    at = open_page(PAGE, "en")
    at.text_area(key="voice_new_0_text").input("Told a friend about us")
    at.button(key="voice_new_save").click().run()
    assert [e.value for e in at.error] == [i18n.t("voice.err.sentiment_needed", "en")]
    assert at.text_area(key="voice_new_0_text").value == "Told a friend about us"


def test_a_detractors_words_become_a_pain_point_from_the_page(app_db):
    at, places = opened(app_db)
    with db_session(app_db) as session:
        detractor = session.execute(select(Feedback).where(Feedback.nps == 0)).scalars().one()
    picker(at, "voice_picked").select(f"feedback:{detractor.id}").run()
    at.button(key=f"voice_loop_feedback_{detractor.id}_new").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        pain = session.execute(select(PainPoint).where(PainPoint.text == detractor.text)).scalars().one()
        assert (pain.step_id, pain.severity) == (places["step"], 4)
        assert session.get(Feedback, detractor.id).pain_point_id == pain.id


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_import_page_asks_for_a_file_in_each_language(app_db, lang):
    at = open_page(IMPORT_PAGE, lang)
    assert at.title[0].value == i18n.t("page.voice_import", lang)
    assert any(i18n.t("voice_import.intro", lang) in c.value for c in at.caption)
    assert not at.exception


def test_a_viewer_reads_the_voices_but_has_no_form(app_db):
    at, _ = opened(app_db, user="viewer")
    assert not [e for e in at.expander if e.label == i18n.t("voice.add", "en")]
    assert metric(at, "voice.count", "en") == "5"


def test_the_teams_own_words_are_listed_and_added_from_the_page(app_db):
    """Listing the words read them after their session ended (DetachedInstanceError) once any existed."""
    at = open_page(PAGE, "th")
    with db_session(app_db) as session:
        feedback.add_team_words(session, words=["ไฟเบอร์โปร"], user="admin")
    at.run()
    assert not at.exception
    at.text_input(key="voice_words_new_0").input("ศรีราชา แอปโปร")
    at.button(key="voice_words_save").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        assert [w.word for w in feedback.team_word_list(session)] == sorted(["ไฟเบอร์โปร", "ศรีราชา", "แอปโปร"])


def test_past_imports_are_listed_and_undone_from_the_import_page(app_db):
    """Listing past imports read them after their session ended (DetachedInstanceError)."""
    from cem.voice import survey_import
    at = open_page(IMPORT_PAGE, "en")
    with db_session(app_db) as session:
        sheet = survey_import.read_file(b"Timestamp,NPS\n2026-11-03,9\n", "mine.csv")
        checked = survey_import.check_rows(session, sheet, survey_import.guess_mapping(session, sheet.headings))
        batch = survey_import.import_feedback(session, checked=checked, file_name="mine.csv", user="admin")
    at.run()
    assert not at.exception and not at.error
    picker(at, "survey_undo_id").select(batch.id)
    at.checkbox(key="survey_undo_sure").check().run()
    at.button(key="survey_undo").click().run()
    assert not at.exception and not at.error
    with db_session(app_db) as session:
        assert session.get(FeedbackImport, batch.id) is None


def test_the_board_shows_each_pain_points_voices_and_the_newest_words(app_db):
    at, places = opened(app_db)
    with db_session(app_db) as session:
        detractor = session.execute(select(Feedback).where(Feedback.nps == 0)).scalars().one()
        feedback.voice_to_pain_point(session, source="feedback", item_id=detractor.id, user="admin")
    at.switch_page("pages/journey/board.py").run()
    cards = " ".join(m.value for m in at.markdown)
    assert i18n.t("board.voices.one", "en", n=1) in cards and "“ใบแจ้งหนี้มาช้ามากทุกเดือน”" in cards
