"""Feedback: recording it with its sentiment from the scores or by hand,
reading it beside complaints (counted once), closing the loop (evidence,
a pain point, a knowledge-base question, a follow-up), the lead's list,
and the survey import with its mapping, refusals, re-import and undo."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, ImportFileError, NotFoundError, ValidationError
from cem.core.models import ChangeLog, Complaint, Feedback, FeedbackImport, KbQuestion, PainPoint, TextWord
from cem.customers import complaints
from cem.improvement import plan
from cem.journey import services
from cem.voice import feedback, survey_import

USER = "lead"
DAY = date(2026, 11, 3)


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def places(session, small_journey):
    tree = services.load_journey_tree(session, small_journey.id)
    offer, use = tree.stages[0], tree.stages[1]
    pay = services.add_step(session, stage_id=use.stage.id, name="Pay the bill", user=USER)
    browse = offer.steps[0]
    pains = {p.text: p.id for p in browse.pain_points}
    person = plan.add_person(session, name="Nok", username="editor", user=USER)
    return {"journey": small_journey.id, "offer": offer.stage.id, "use": use.stage.id, "browse": browse.step.id,
            "pay": pay.id, "prices": pains["Prices are hard to compare"], "person": person.id}


# ---------------------------------------------------------------- recording


def test_the_sentiment_follows_the_scores_unless_set_by_hand(session, places):
    detractor = feedback.record_feedback(session, received=DAY, text="ใบแจ้งหนี้มาช้า", nps=3, user=USER)
    happy = feedback.record_feedback(session, received=DAY, csat=5, user=USER)
    nps_wins = feedback.record_feedback(session, received=DAY, nps=10, csat=1, user=USER)
    by_hand = feedback.record_feedback(session, received=DAY, text="ก็โอเค", nps=2, sentiment="neutral", user=USER)
    assert (detractor.sentiment, detractor.sentiment_by_hand) == ("negative", False)
    assert happy.sentiment == "positive" and nps_wins.sentiment == "positive"
    assert (by_hand.sentiment, by_hand.sentiment_by_hand) == ("neutral", True)


def test_words_without_a_score_need_a_sentiment_and_nothing_at_all_is_refused(session, places):
    with pytest.raises(ValidationError) as error:
        feedback.record_feedback(session, received=DAY, text="บอกต่อเพื่อนว่าดี", kind="word_of_mouth", user=USER)
    assert error.value.code == "voice.err.sentiment_needed"
    with pytest.raises(ValidationError) as error:
        feedback.record_feedback(session, received=DAY, text="  ", sentiment="positive", user=USER)
    assert error.value.code == "voice.err.empty"
    assert count(session, Feedback) == 0


@pytest.mark.parametrize("field, value", [("nps", 11), ("csat", 0), ("ces", 8), ("kind", "complaint")])
def test_a_score_out_of_range_or_a_complaint_kind_is_refused_and_named(session, places, field, value):
    values = {"nps": None, "csat": None, "ces": None, "kind": "survey", field: value}
    with pytest.raises(ValidationError) as error:
        feedback.record_feedback(session, received=DAY, text="x", sentiment="neutral", user=USER, **values)
    assert (error.value.code, error.value.params["column"]) == ("err.field", f"voice.field.{field}")
    assert i18n.t(f"voice.field.{field}", "th") in i18n.error_text(error.value, "th")
    assert count(session, Feedback) == 0


def test_a_sub_step_places_the_item_on_its_stage_and_journey(session, places):
    item = feedback.record_feedback(session, received=DAY, text="จ่ายเงินยาก", csat=2, step_id=places["pay"],
                                    user=USER)
    assert (item.journey_id, item.stage_id, item.step_id) == (places["journey"], places["use"], places["pay"])
    stage_only = feedback.record_feedback(session, received=DAY, text="โดยรวมดี", csat=4, stage_id=places["offer"],
                                          user=USER)
    assert (stage_only.journey_id, stage_only.step_id) == (places["journey"], None)
    with pytest.raises(NotFoundError):
        feedback.record_feedback(session, received=DAY, csat=4, step_id=99_999, user=USER)


def test_a_viewer_may_not_record_feedback(session, places):
    with pytest.raises(PermissionDenied):
        feedback.record_feedback(session, received=DAY, csat=4, user="viewer")


def test_an_update_on_an_old_version_is_refused_and_the_change_log_names_the_fields(session, places):
    item = feedback.record_feedback(session, received=DAY, text="ช้า", nps=5, user=USER)
    changed = feedback.update_feedback(session, feedback_id=item.id, version=item.version, received=DAY, text="ช้ามาก",
                                       kind="survey", channel="LINE", sentiment=None, nps=9, csat=None, ces=None,
                                       customer_id=None, step_id=places["pay"], user=USER)
    assert changed.sentiment == "positive" and changed.step_id == places["pay"]
    with pytest.raises(ConflictError):
        feedback.update_feedback(session, feedback_id=item.id, version=1, received=DAY, text="เก่า", kind="survey",
                                 channel="", sentiment=None, nps=1, csat=None, ces=None, customer_id=None,
                                 step_id=None, user=USER)
    session.rollback()
    log = session.execute(select(ChangeLog).where(ChangeLog.item_type == "feedback", ChangeLog.action == "update")
                          ).scalars().one()
    assert set(log.new) == {"text", "channel", "nps", "sentiment", "stage_id", "step_id"}


# ---------------------------------------------------------------- voices: feedback and complaints, once each


def test_a_complaint_is_one_voice_of_kind_complaint_never_a_copy(session, places):
    feedback.record_feedback(session, received=DAY, text="ดีมาก", csat=5, step_id=places["browse"], user=USER)
    complaints.record_complaint(session, text="รอสายนาน", received=DAY, severity=3, step_id=places["browse"],
                                user=USER)
    found = feedback.voices(session, journey_id=places["journey"])
    assert sorted((v.source, v.kind, v.sentiment) for v in found) == [
        ("complaint", "complaint", "negative"), ("feedback", "survey", "positive")]
    assert {v.stage_id for v in found} == {places["offer"]}
    assert count(session, Feedback) == 1


def test_voices_keep_to_the_period_both_ends_included(session, places):
    for day in (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 30), date(2026, 12, 1)):
        feedback.record_feedback(session, received=day, csat=4, user=USER)
    found = feedback.voices(session, start=date(2026, 11, 1), end=date(2026, 11, 30))
    assert [v.received for v in found] == [date(2026, 11, 30), date(2026, 11, 1)]


# ---------------------------------------------------------------- closing the loop


def test_a_detractors_words_become_a_pain_point_at_their_sub_step_with_them_as_evidence(session, places):
    item = feedback.record_feedback(session, received=DAY, text="ชำระเงินผ่านแอปไม่ได้", nps=2,
                                    step_id=places["pay"], user=USER)
    pain = feedback.voice_to_pain_point(session, source="feedback", item_id=item.id, version=item.version, user=USER)
    assert (pain.step_id, pain.text, pain.severity) == (places["pay"], "ชำระเงินผ่านแอปไม่ได้", 4)
    assert session.get(Feedback, item.id).pain_point_id == pain.id
    with pytest.raises(ConflictError):  # a second click makes no second pain point
        feedback.voice_to_pain_point(session, source="feedback", item_id=item.id, user=USER)
    assert count(session, PainPoint) == 3
    voices = feedback.pain_point_voices(session, [pain.id])
    assert voices[pain.id].count == 1 and voices[pain.id].quotes == ("ชำระเงินผ่านแอปไม่ได้",)


def test_an_item_placed_nowhere_cannot_become_a_pain_point(session, places):
    item = feedback.record_feedback(session, received=DAY, text="ไม่รู้ว่าขั้นไหน", nps=1, user=USER)
    with pytest.raises(ValidationError) as error:
        feedback.voice_to_pain_point(session, source="feedback", item_id=item.id, user=USER)
    assert error.value.code == "voice.err.no_step"


def test_voices_and_complaints_add_up_as_a_pain_points_evidence(session, places):
    for text in ("เทียบราคายาก", "ไม่รู้ว่าแพ็กเกจไหนถูกกว่า"):
        item = feedback.record_feedback(session, received=DAY, text=text, nps=4, step_id=places["browse"], user=USER)
        feedback.add_as_evidence(session, source="feedback", item_id=item.id, pain_point_id=places["prices"],
                                 version=item.version, user=USER)
    complaint = complaints.record_complaint(session, text="ราคาไม่ชัด", received=date(2026, 11, 5), severity=3,
                                            user=USER)
    feedback.add_as_evidence(session, source="complaint", item_id=complaint.id, pain_point_id=places["prices"],
                             user=USER)
    found = feedback.pain_point_voices(session, [places["prices"]])[places["prices"]]
    assert found.count == 3 and found.quotes[0] == "ราคาไม่ชัด"
    assert session.get(Complaint, complaint.id).journey_id == places["journey"]


def test_the_lead_sees_unhappy_voices_with_no_follow_up_until_one_is_added(session, places):
    sad = feedback.record_feedback(session, received=date(2026, 11, 2), text="แย่", nps=0, user=USER)
    feedback.record_feedback(session, received=DAY, text="ดี", nps=10, user=USER)
    complaint = complaints.record_complaint(session, text="สายหลุด", received=DAY, severity=2, user=USER)
    waiting = feedback.needing_follow_up(session)
    assert [(v.source, v.id) for v in waiting] == [("feedback", sad.id), ("complaint", complaint.id)]
    follow_up = feedback.add_follow_up(session, source="feedback", item_id=sad.id, owner_id=places["person"],
                                       due=date(2026, 11, 10), note="โทรกลับ", user=USER)
    assert [(v.source, v.id) for v in feedback.needing_follow_up(session)] == [("complaint", complaint.id)]
    done = feedback.follow_up_done(session, follow_up_id=follow_up.id, version=follow_up.version, user=USER)
    assert done.done_on == date.today()
    with pytest.raises(ConflictError):
        feedback.follow_up_done(session, follow_up_id=follow_up.id, version=follow_up.version - 1, user=USER)
    complaints.update_complaint(session, complaint_id=complaint.id, version=1, status="resolved",
                                resolution="เปลี่ยนเราเตอร์", owner_id=None, severity=2, user=USER)
    assert feedback.needing_follow_up(session) == []


def test_the_teams_own_words_are_folded_kept_once_and_refused_with_spaces(session, places):
    assert feedback.add_team_words(session, words=["ไฟเบอร์ทรู", "FiberPro", "fiberpro", ""], user=USER) == 2
    assert [w.word for w in feedback.team_word_list(session)] == ["fiberpro", "ไฟเบอร์ทรู"]
    with pytest.raises(ValidationError):
        feedback.add_team_words(session, words=["two words"], user=USER)
    assert count(session, TextWord) == 2


# ---------------------------------------------------------------- the survey import

GOOGLE_FORMS = (
    "Timestamp,Email Address,How likely are you to recommend us? (0-10),How satisfied were you with paying?,"
    "Comments about paying,Anything else?\n"
    "2026/11/03 10:15:22 AM GMT+7,a@example.com,3,2,จ่ายผ่านแอปไม่ได้,ใบแจ้งหนี้มาช้า\n"
    "2026/11/04 9:01:00 AM GMT+7,b@example.com,10,5,สะดวกมาก,\n"
    "2026/11/05 8:00:00 PM GMT+7,c@example.com,,,,\n"
    "2026/11/06 8:00:00 PM GMT+7,d@example.com,12,4,,\n"
)


def read(session, text: str = GOOGLE_FORMS):
    sheet = survey_import.read_file(text.encode(), "survey.csv")
    return sheet, survey_import.guess_mapping(session, sheet.headings)


def test_a_google_forms_export_is_mapped_from_its_headings(session, places):
    sheet, mapping = read(session)
    assert mapping.columns["received"] == 0 and mapping.columns["nps"] == 2 and mapping.columns["csat"] == 3
    assert mapping.texts == [4, 5]


def test_a_row_gives_one_item_per_sub_step_and_the_overall_answers_count_once(session, places):
    sheet, mapping = read(session)
    mapping.steps = {3: places["pay"], 4: places["pay"]}  # the paying questions belong to "Pay the bill"
    checked = survey_import.check_rows(session, sheet, mapping)
    first = [item for item in checked.items if item.row == 2]
    assert sorted((item.step_id, item.text, item.nps, item.csat, item.sentiment) for item in first
                  if item.step_id) == [(places["pay"], "จ่ายผ่านแอปไม่ได้", None, 2, "negative")]
    overall = [item for item in first if item.step_id is None]
    assert [(item.text, item.nps, item.sentiment) for item in overall] == [("ใบแจ้งหนี้มาช้า", 3, "negative")]
    assert all(item.received == date(2026, 11, 3) for item in first)
    assert checked.empty_rows == 1
    assert [(r.row, r.column, r.value, r.code) for r in checked.refused] == [
        (5, "How likely are you to recommend us? (0-10)", "12", "voice.problem.score")]


def test_an_import_with_refused_rows_stores_nothing_unless_the_good_rows_are_chosen(session, places):
    sheet, mapping = read(session)
    checked = survey_import.check_rows(session, sheet, mapping)
    with pytest.raises(ImportFileError):
        survey_import.import_feedback(session, checked=checked, file_name="survey.csv", user=USER)
    assert count(session, Feedback) == 0 and count(session, FeedbackImport) == 0
    batch = survey_import.import_feedback(session, checked=checked, file_name="survey.csv", user=USER,
                                          good_rows_only=True)
    assert batch.items_added == len(checked.items) == 2  # rows 2 and 3, one item each: no sub-steps mapped
    again = survey_import.import_feedback(session, checked=survey_import.check_rows(session, sheet, mapping),
                                          file_name="survey.csv", user=USER, good_rows_only=True)
    assert (again.items_added, again.items_skipped) == (0, batch.items_added)


def test_the_mapping_is_remembered_for_the_same_headings(session, places):
    sheet, mapping = read(session)
    mapping.steps = {4: places["pay"]}
    mapping.channel = "Google Forms"
    survey_import.import_feedback(session, checked=survey_import.check_rows(session, sheet, mapping),
                                  file_name="survey.csv", user=USER, good_rows_only=True)
    _, remembered = read(session)
    assert remembered.steps == {4: places["pay"]} and remembered.channel == "Google Forms"


def test_undo_removes_the_import_but_keeps_the_items_someone_worked_on(session, places):
    sheet, mapping = read(session)
    mapping.steps = {4: places["pay"]}
    batch = survey_import.import_feedback(session, checked=survey_import.check_rows(session, sheet, mapping),
                                          file_name="survey.csv", user=USER, good_rows_only=True)
    session.rollback()
    worked = session.execute(select(Feedback).where(Feedback.step_id == places["pay"]).order_by(Feedback.id)
                             ).scalars().first()
    feedback.voice_to_pain_point(session, source="feedback", item_id=worked.id, user=USER)
    result = survey_import.undo_feedback_import(session, import_id=batch.id, user=USER)
    assert result == {"removed": batch.items_added - 1, "kept": 1}
    session.rollback()
    assert [item.id for item in session.execute(select(Feedback)).scalars()] == [worked.id]


def test_a_comment_at_a_sub_step_feels_as_the_respondent_scored_overall(session, places):
    text = "Timestamp,NPS,Comments about paying\n2026-11-03,1,จ่ายไม่ได้\n2026-11-04,10,\n"
    sheet, mapping = read(session, text)
    mapping.steps = {2: places["pay"]}
    items = survey_import.check_rows(session, sheet, mapping).items
    assert [(i.step_id, i.nps, i.text, i.sentiment, i.sentiment_by_hand) for i in items] == [
        (None, 1, "", "negative", False), (places["pay"], None, "จ่ายไม่ได้", "negative", False),
        (None, 10, "", "positive", False)]


def test_the_overall_answers_belong_to_the_journey_the_survey_is_about(session, places):
    sheet, mapping = read(session)
    mapping.steps, mapping.journey_id = {4: places["pay"]}, places["journey"]
    survey_import.import_feedback(session, checked=survey_import.check_rows(session, sheet, mapping),
                                  file_name="survey.csv", user=USER, good_rows_only=True)
    found = feedback.voices(session, journey_id=places["journey"])
    assert {(v.stage_id, v.step_id) for v in found} == {(None, None), (places["use"], places["pay"])}
    assert any(v.nps == 3 and v.step_id is None for v in found)


def test_unknown_customer_codes_and_bad_sentiments_are_refused_with_their_cell(session, places):
    text = "วันที่,รหัสลูกค้า,ความรู้สึก,ความคิดเห็น\n03/11/2569,C404,บวก,ดี\n04/11/2569,,งง,ไม่แน่ใจ\n"
    sheet, mapping = read(session, text)
    checked = survey_import.check_rows(session, sheet, mapping)
    assert [(r.row, r.column, r.code) for r in checked.refused] == [
        (2, "รหัสลูกค้า", "voice.problem.customer"), (3, "ความรู้สึก", "voice.problem.sentiment")]


def test_a_voice_becomes_a_draft_question_it_counts_for_once_in_one_step(session, places):
    from cem.core.models import KbQuestion
    from cem.kb import questions as kb
    item = feedback.record_feedback(session, received=date.today(), text="ทำไม  ใบแจ้งหนี้\nไม่มา", nps=2, user=USER)
    question = feedback.voice_to_question(session, source="feedback", item_id=item.id, version=item.version,
                                          user=USER)
    assert (question.question, question.state) == ("ทำไม ใบแจ้งหนี้ ไม่มา", "draft")
    assert session.get(Feedback, item.id).kb_question_id == question.id
    assert [(a.question_id, a.feedback) for a in kb.top_20(session, date.today(), date.today())] == [(question.id, 1)]
    with pytest.raises(ConflictError):
        feedback.voice_to_question(session, source="feedback", item_id=item.id, user=USER)
    assert count(session, KbQuestion) == 1


def test_a_word_of_the_teams_own_is_searched_whole_in_the_knowledge_base_at_once(session, places):
    from cem.kb import questions as kb, search
    made = kb.create_question(session, question="สมัครไฟเบอร์โปรแมกซ์ได้ที่ไหน", answer="ที่สาขา", user=USER)
    kb.publish_question(session, question_id=made.id, version=made.version, user=USER)
    feedback.add_team_words(session, words=["ไฟเบอร์โปรแมกซ์"], user=USER)
    session.rollback()
    assert "ไฟเบอร์โปรแมกซ์" in session.get(KbQuestion, made.id).search_text.split()
    assert [hit.question_id for hit in search.search(session, "ไฟเบอร์โปรแมกซ์")][:1] == [made.id]
