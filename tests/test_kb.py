"""The knowledge base's questions: writing them (with their history and the
version check), publishing, sub-steps, deleting; and what the team reads
from how they are used: the Top 20, helpful votes, searches that found
nothing, answers not reviewed for six months."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import ChangeLog, Complaint, Feedback, KbAsked, KbMiss, KbQuestion, KbVote, TextWord
from cem.improvement import plan
from cem.journey import services
from cem.kb import questions as kb
from cem.kb import search

USER = "lead"


def english(error) -> str:
    return i18n.error_text(error.value, "en")


def history(session, question_id: int) -> list[ChangeLog]:
    session.rollback()
    found = list(session.execute(select(ChangeLog).where(ChangeLog.item_type == "kbquestion",
                                                         ChangeLog.item_id == question_id)
                                 .order_by(ChangeLog.id)).scalars())
    session.rollback()
    return found


def new(session, question: str = "ลืมรหัสผ่านเข้าสู่ระบบ", answer: str = "กดลืมรหัสผ่านที่หน้าเข้าสู่ระบบ",
        **values) -> KbQuestion:
    return kb.create_question(session, question=question, answer=answer, user=USER, **values)


# ---------------------------------------------------------------- writing


def test_a_new_question_is_a_draft_with_its_words_and_its_history(session):
    """A new question starts as a draft, its words cut for the search, and its creation is in the history."""
    person = plan.add_person(session, name="Nok", user=USER)
    item = new(session, phrasings=["รีเซ็ตรหัสผ่าน", " ", "รีเซ็ตรหัสผ่าน", "ตั้งรหัสใหม่"], tags="รหัสผ่าน;แอป; แอป",
               category="บัญชีผู้ใช้", problem="เข้าแอปไม่ได้", owner_id=person.id, reviewed_on=date(2026, 1, 5))
    assert item.state == "draft" and item.version == 1 and item.created_by == USER
    assert item.phrasings == "รีเซ็ตรหัสผ่าน\nตั้งรหัสใหม่"  # one a line, blanks and repeats dropped
    assert item.tags == "รหัสผ่าน; แอป"
    head, body = item.search_text.split("\n")
    assert "รหัสผ่าน" in head.split() and "รีเซ็ต" in head.split()
    assert "หน้า" in body.split()
    [entry] = history(session, item.id)
    assert entry.action == "create" and entry.user == USER
    assert entry.new["question"] == "ลืมรหัสผ่านเข้าสู่ระบบ" and entry.new["state"] == "draft"
    assert entry.new["owner_id"] == person.id and entry.new["reviewed_on"] == "2026-01-05"


def test_a_question_needs_its_question_and_its_owner_must_exist(session):
    """A question with nothing typed, too many tags or an unknown owner is refused, and nothing is saved."""
    with pytest.raises(ValidationError) as blank:
        new(session, question="  ")
    assert english(blank) == "“Question as customers ask it”: this is required."
    with pytest.raises(ValidationError) as many:
        new(session, tags="; ".join(f"t{i}" for i in range(kb.MAX_LINES + 1)))
    assert "at most 50 items" in english(many)
    with pytest.raises(NotFoundError):
        new(session, owner_id=999)
    assert session.execute(select(func.count()).select_from(KbQuestion)).scalar_one() == 0


def test_an_update_logs_only_what_changed_and_refuses_a_stale_version(session):
    """Changing the answer logs the old and new answer only; a save based on the old version is refused."""
    item = new(session)
    kb.update_question(session, question_id=item.id, version=1, answer="กดลืมรหัสผ่าน แล้วใส่เบอร์มือถือ",
                       question="ลืมรหัสผ่านเข้าสู่ระบบ", user="editor")
    changed = kb.get(session, item.id)
    assert changed.version == 2 and changed.updated_by == "editor"
    assert "มือถือ" in changed.search_text.split("\n")[1].split()
    last = history(session, item.id)[-1]
    assert last.action == "update"
    assert last.old == {"answer": "กดลืมรหัสผ่านที่หน้าเข้าสู่ระบบ"}
    assert last.new == {"answer": "กดลืมรหัสผ่าน แล้วใส่เบอร์มือถือ"}
    with pytest.raises(ConflictError) as stale_edit:
        kb.update_question(session, question_id=item.id, version=1, answer="อย่างอื่น", user=USER)
    assert "editor changed this question after you opened it" in english(stale_edit)
    assert kb.get(session, item.id).answer == "กดลืมรหัสผ่าน แล้วใส่เบอร์มือถือ"
    # The same values again: nothing to save, nothing logged.
    kb.update_question(session, question_id=item.id, version=2, answer="กดลืมรหัสผ่าน แล้วใส่เบอร์มือถือ",
                       user=USER)
    assert kb.get(session, item.id).version == 2 and len(history(session, item.id)) == 2
    with pytest.raises(TypeError):
        kb.update_question(session, question_id=item.id, version=2, state="published", user=USER)


def test_publishing_needs_an_answer_and_is_kept_in_the_history(session):
    """A draft without an answer cannot be published; publishing and taking it back are logged."""
    item = new(session, answer="")
    with pytest.raises(ValidationError) as no_answer:
        kb.publish_question(session, question_id=item.id, version=1, user=USER)
    assert english(no_answer) == "Write the answer before publishing this question."
    kb.update_question(session, question_id=item.id, version=1, answer="ตั้งรหัสใหม่ในแอป", user=USER)
    assert kb.publish_question(session, question_id=item.id, version=2, user=USER).state == "published"
    with pytest.raises(ConflictError):
        kb.unpublish_question(session, question_id=item.id, version=2, user=USER)
    assert kb.unpublish_question(session, question_id=item.id, version=3, user=USER).state == "draft"
    states = [(e.old, e.new) for e in history(session, item.id) if "state" in (e.new or {}) and e.action == "update"]
    assert states == [({"state": "draft"}, {"state": "published"}), ({"state": "published"}, {"state": "draft"})]
    assert [q.id for q in kb.listed(session, state="draft")] == [item.id]


def test_sub_steps_are_linked_replaced_and_logged(session, small_journey):
    """A question is linked to the sub-steps where customers ask it; a new set replaces the old one."""
    tree = services.load_journey_tree(session, small_journey.id)
    browse, call = (view.step.id for view in tree.stages[0].steps)
    item = new(session)
    kb.link_steps(session, question_id=item.id, step_ids=[browse, call, browse], user=USER)
    assert kb.step_ids(session, item.id) == sorted([browse, call])
    kb.link_steps(session, question_id=item.id, step_ids=[call], version=2, user=USER)
    assert kb.step_ids(session, item.id) == [call]
    assert [q.id for q in kb.listed(session, step_id=call)] == [item.id]
    assert history(session, item.id)[-1].old == {"step_ids": sorted([browse, call])}
    assert history(session, item.id)[-1].new == {"step_ids": [call]}
    with pytest.raises(NotFoundError):
        kb.link_steps(session, question_id=item.id, step_ids=[999], user=USER)
    services.delete_step(session, step_id=call, user=USER)  # to the bin: not shown, kept for its return
    assert kb.step_ids(session, item.id) == []


def test_deleting_a_question_keeps_feedback_and_complaints_and_its_last_values(session):
    """Deleting a question removes its marks and votes; the feedback and the complaint that asked it stay, unlinked."""
    item = new(session)
    kb.asked_again(session, question_id=item.id, day=date(2026, 3, 1), user="viewer")
    kb.vote(session, question_id=item.id, helpful=True, user="viewer")
    session.add(Feedback(received=date(2026, 3, 2), text="ลืมรหัส", kb_question_id=item.id, created_by=USER))
    session.add(Complaint(received=date(2026, 3, 2), text="เข้าไม่ได้", severity=3, due=date(2026, 3, 9),
                          kb_question_id=item.id, created_by=USER))
    session.commit()
    kb.delete_question(session, question_id=item.id, version=1, user=USER)
    assert session.get(KbQuestion, item.id) is None
    for model in (KbAsked, KbVote):
        assert session.execute(select(func.count()).select_from(model)).scalar_one() == 0
    assert session.execute(select(Feedback.kb_question_id)).scalars().all() == [None]
    assert session.execute(select(Complaint.kb_question_id)).scalars().all() == [None]
    last = history(session, item.id)[-1]
    assert last.action == "delete" and last.old["question"] == "ลืมรหัสผ่านเข้าสู่ระบบ"
    with pytest.raises(NotFoundError):
        kb.delete_question(session, question_id=item.id, user=USER)


def test_who_may_edit_and_who_may_use_the_knowledge_base(session):
    """Viewers (front-line staff) may press "asked again", vote and leave missed searches, but not edit answers."""
    item = new(session)
    with pytest.raises(PermissionDenied):
        kb.create_question(session, question="อะไร", user="viewer")
    with pytest.raises(PermissionDenied):
        kb.update_question(session, question_id=item.id, version=1, answer="x", user="viewer")
    kb.asked_again(session, question_id=item.id, user="viewer")
    kb.vote(session, question_id=item.id, helpful=False, user="viewer")
    kb.record_miss(session, query="ไม่มีคำตอบ", user="viewer")
    assert kb.get(session, item.id).version == 1  # using it is no change to the question
    with pytest.raises(ValidationError):
        kb.vote(session, question_id=item.id, helpful="yes", user="viewer")


def test_reindexing_cuts_the_questions_again_with_the_teams_words(session):
    """After the team adds its own word, reindexing keeps that word whole in the questions' words."""
    item = new(session, question="สมัครแพ็กเกจเน็ตบ้านพลัสได้ที่ไหน")
    assert "เน็ตบ้านพลัส" not in item.search_text.split()
    session.add(TextWord(word="เน็ตบ้านพลัส", created_by=USER))
    session.commit()
    assert kb.reindex_questions(session, user=USER) == 1
    assert "เน็ตบ้านพลัส" in kb.get(session, item.id).search_text.split()
    assert kb.get(session, item.id).version == 1
    assert kb.reindex_questions(session, user=USER) == 0


# ---------------------------------------------------------------- the Top 20


def asked(session, question_id: int, *, feedback=(), complaints=(), again=()) -> None:
    """Mark a question asked on the given days, by each of the three ways."""
    for day in feedback:
        session.add(Feedback(received=day, kb_question_id=question_id, created_by=USER))
    for day in complaints:
        session.add(Complaint(received=day, text="ถามอีกแล้ว", severity=2, due=day, kb_question_id=question_id,
                              created_by=USER))
    session.commit()
    for day in again:
        kb.asked_again(session, question_id=question_id, day=day, user="viewer")


def test_top_20_counts_feedback_complaints_and_asked_again_within_the_period(session):
    """Counts by hand, March 2026: the period's first and last days count, the days around them do not."""
    start, end = date(2026, 3, 1), date(2026, 3, 31)
    bill, outage, parcel, old = (new(session, question=q).id for q in ("บิลไม่มา", "เน็ตล่ม", "พัสดุไม่ถึง", "เก่า"))
    # bill: 2 feedback (one on the first day) + 1 complaint (on the last day) + 1 asked again = 4;
    # the feedback of 28 February and the press of 1 April fall outside.
    asked(session, bill, feedback=[start, date(2026, 3, 10), date(2026, 2, 28)], complaints=[end],
          again=[date(2026, 3, 5), date(2026, 4, 1)])
    # outage: 3 asked again + 1 complaint = 4, last asked on 20 March (bill: 31 March).
    asked(session, outage, complaints=[date(2026, 3, 2)], again=[date(2026, 3, 20)] * 3)
    # parcel: 2 feedback; old: asked only outside the period.
    asked(session, parcel, feedback=[date(2026, 3, 15)] * 2)
    asked(session, old, again=[date(2026, 2, 1)], complaints=[date(2026, 4, 2)])
    top = kb.top_20(session, start, end)
    assert [(a.question_id, a.times, a.feedback, a.complaints, a.again) for a in top] == [
        (bill, 4, 2, 1, 1),  # tied with outage at 4: asked more recently (31 March against 20 March)
        (outage, 4, 0, 1, 3),
        (parcel, 2, 2, 0, 0),
    ]
    assert top[0].last == end and top[1].last == date(2026, 3, 20)
    assert kb.top_20(session, date(2026, 4, 1), date(2026, 4, 1))[0].question_id == bill


def test_top_20_breaks_full_ties_by_the_older_question_and_keeps_twenty(session):
    """Asked as often on the same last day: the older question (lower id) first; only twenty are listed."""
    ids = [new(session, question=f"คำถามที่ {n}").id for n in range(22)]
    for question_id in reversed(ids):
        asked(session, question_id, again=[date(2026, 5, 4)])
    top = kb.top_20(session, date(2026, 5, 1), date(2026, 5, 31))
    assert [a.question_id for a in top] == ids[:20]
    assert len(kb.top_20(session, date(2026, 5, 1), date(2026, 5, 31), limit=5)) == 5


# ---------------------------------------------------------------- votes, gaps, stale answers


def test_helpful_votes_count_each_persons_latest_vote(session):
    """Two people found the answer helpful; one of them first said it was not: 2 helpful, 1 not from a third."""
    item, other = new(session).id, new(session, question="อีกข้อ").id
    kb.vote(session, question_id=item, helpful=False, user="alice")
    kb.vote(session, question_id=item, helpful=True, user="alice")
    kb.vote(session, question_id=item, helpful=True, user="bob")
    kb.vote(session, question_id=item, helpful=False, user="viewer")
    kb.vote(session, question_id=other, helpful=True, user="alice")
    assert kb.votes(session) == {item: kb.Votes(2, 1), other: kb.Votes(1, 0)}
    assert kb.votes(session, [other]) == {other: kb.Votes(1, 0)}


def test_searches_that_found_nothing_are_grouped_as_gaps(session):
    """The same search typed differently counts as one gap, most searched first, with people and last time."""
    for query, user in [("Refund  POLICY", "alice"), ("refund policy", "bob"), (" refund policy ", "alice"),
                        ("ผ่อนบัตรกี่เดือน", "bob")]:
        kb.record_miss(session, query=query, user=user)
    assert kb.record_miss(session, query="   ", user="bob") is None
    gaps = kb.gaps(session)
    assert [(g.query, g.searches, g.people) for g in gaps] == [("refund policy", 3, 2), ("ผ่อนบัตรกี่เดือน", 1, 1)]
    later = datetime.now(timezone.utc) + timedelta(minutes=1)
    assert kb.gaps(session, since=later) == []
    assert session.execute(select(func.count()).select_from(KbMiss)).scalar_one() == 4


@pytest.mark.parametrize("today, cutoff", [(date(2026, 12, 3), date(2026, 6, 3)), (date(2026, 8, 31), date(2026, 2, 28)),
                                           (date(2028, 8, 31), date(2028, 2, 29)), (date(2026, 3, 15), date(2025, 9, 15))])
def test_six_months_before_is_the_same_day_or_the_months_last(today, cutoff):
    assert kb.stale_before(today) == cutoff


def test_answers_not_reviewed_for_six_months_are_flagged(session):
    """Reviewed on the day six months ago or before, or never reviewed since made that long ago: stale, oldest first."""
    today = date(2026, 12, 3)
    on_the_day = new(session, question="ตรวจเมื่อหกเดือนก่อน", reviewed_on=date(2026, 6, 3)).id
    new(session, question="ตรวจหลังจากนั้นหนึ่งวัน", reviewed_on=date(2026, 6, 4))
    never_old = new(session, question="ไม่เคยตรวจ ทำไว้นานแล้ว").id
    new(session, question="ไม่เคยตรวจ เพิ่งทำ")
    reviewed_again = new(session, question="ตรวจใหม่แล้ว", reviewed_on=date(2025, 1, 1)).id
    made = {never_old: datetime(2026, 6, 3, 23, 30, tzinfo=timezone.utc)}
    session.execute(update(KbQuestion).where(KbQuestion.id == never_old).values(created_at=made[never_old]))
    session.execute(update(KbQuestion).where(KbQuestion.id != never_old).values(
        created_at=datetime(2026, 6, 4, 0, 0, tzinfo=timezone.utc)))
    session.commit()
    kb.mark_reviewed(session, question_id=reviewed_again, version=1, day=date(2026, 11, 30), user=USER)
    flagged = kb.stale(session, today)
    assert [q.id for q in flagged] == [on_the_day, never_old]
    assert kb.last_reviewed(flagged[1]) == date(2026, 6, 3)
    assert history(session, reviewed_again)[-1].new == {"reviewed_on": "2026-11-30"}


def test_search_text_holds_the_head_and_the_body_on_two_lines():
    text = search.index_text(question="บิลเดือนนี้ยังไม่มา", phrasings="ไม่ได้รับบิล", tags="บิล; อีเมล",
                             category="ใบแจ้งหนี้", answer="ดูในอีเมลขยะ", problem="กลัวเสียค่าปรับ")
    head, body = text.split("\n")
    assert head.split()[:3] == ["บิล", "เดือน", "นี้"] and "ใบแจ้งหนี้" in head.split()
    assert body.split()[:5] == ["ดู", "ใน", "อีเมล", "ขยะ", "กลัว"]  # then เสียค่าปรับ: one word of the dictionary
