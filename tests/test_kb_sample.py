"""The sample workspace's knowledge base: data/samples/sample_kb.json seeded
once, after the sample journey and the sample voices, in the workspace's
language, on the sample journey's sub-steps, with 20 questions published,
some answers due for review, and enough use (voices that ask them, "asked
again" presses, votes) that the Top 20 shows rows for the last 12 months
and for the last 30 days."""
from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cem.core.db import session_scope
from cem.core.models import Feedback, KbAsked, KbQuestion, KbQuestionStep, KbVote, Step
from cem.journey.templates import seed_sample_journey
from cem.kb import questions as kb
from cem.kb import sample, search
from cem.voice.sample import seed_sample_feedback

THAI = re.compile(r"[\u0e00-\u0e7f]")
LATE_BILL = "ใบแจ้งหนี้มาช้า"


def count(session, model, *where) -> int:
    session.rollback()
    found = session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
    session.rollback()
    return found


def late_bill(session) -> KbQuestion:
    [found] = [q for q in kb.listed(session) if q.question.startswith(LATE_BILL)]
    return found


@pytest.fixture
def workspace(session, monkeypatch):
    """A new workspace as the app seeds it, in the install's default language: the sample journey, then the voices."""
    monkeypatch.delenv("CEM_LANG", raising=False)
    seed_sample_journey(session)
    seed_sample_feedback(session)


@pytest.fixture
def seeded(session, workspace):
    from cem.voice.words import words

    words("ใบแจ้งหนี้")  # the Thai dictionary loads once per process, before the first question is cut
    started = time.perf_counter()
    made = sample.seed_sample_kb(session)
    return made, time.perf_counter() - started


def test_the_file_has_the_same_questions_in_both_languages():
    data = json.loads(sample.SAMPLE.read_text(encoding="utf-8"))
    assert len(data["th"]) == len(data["en"]) == len(data["use"]) == 24
    for th, en in zip(data["th"], data["en"]):
        assert THAI.search(th["question"]) and not THAI.search(en["question"] + en["answer"])
        assert th["published"] == en["published"]
        assert 2 <= len(th["phrasings"]) <= 3 and len(th["phrasings"]) == len(en["phrasings"])
        assert th["answer"] and th["problem"] and th["category"] and th["tags"] and th["step"]
    assert sum(q["published"] for q in data["th"]) == 20
    assert len({q["category"] for q in data["th"]}) == len({q["category"] for q in data["en"]}) >= 5


def test_the_seed_runs_once_quickly_in_thai(session, seeded):
    made, took = seeded
    assert made == 24 and count(session, KbQuestion) == 24
    assert took < 3.0  # about 0.3 s on SQLite, 0.6 s on PostgreSQL
    found = kb.listed(session)
    assert all(THAI.search(q.question) for q in found)
    assert {q.created_by for q in found} == {"system"}
    assert Counter(q.state for q in found) == {"published": 20, "draft": 4}
    assert all(q.answer and q.phrasings and q.problem and q.category and q.tags for q in found)
    before = (count(session, KbQuestion), count(session, KbAsked), count(session, KbVote),
              count(session, Feedback, Feedback.kb_question_id.is_not(None)))
    assert sample.seed_sample_kb(session) == 0  # once: a second start adds nothing
    assert (count(session, KbQuestion), count(session, KbAsked), count(session, KbVote),
            count(session, Feedback, Feedback.kb_question_id.is_not(None))) == before


def test_the_questions_are_on_the_sample_journeys_sub_steps(session, seeded):
    assert count(session, KbQuestionStep) == 24  # one sub-step each
    [pay] = session.execute(select(Step.id).where(Step.name == "ชำระค่าบริการรายเดือน")).scalars().all()
    assert kb.step_ids(session, late_bill(session).id) == [pay]
    on_pay = kb.listed(session, step_id=pay)
    assert len(on_pay) == 8 and all(q.category for q in on_pay)


def test_the_top_20_has_rows_for_the_year_and_for_the_last_30_days(session, seeded):
    today = date.today()
    year = kb.top_20(session, today - timedelta(days=364), today)
    days_30 = kb.top_20(session, today - timedelta(days=29), today)
    month = kb.top_20(session, today.replace(day=1), today)
    assert len(year) == 20 and len(days_30) >= 10 and month
    assert LATE_BILL in " ".join(a.question for a in year[:3])  # the survey's first complaint
    assert sum(a.feedback for a in year) > 200 and sum(a.again for a in year) > 100
    assert any(a.state == "draft" for a in year)  # asked, but its answer is not out yet
    helped = kb.votes(session)
    assert sum(v.helpful for v in helped.values()) > sum(v.not_helpful for v in helped.values()) > 0


def test_every_recurring_topic_of_the_survey_asks_a_question(session, seeded):
    asked = dict(session.execute(select(KbQuestion.question, func.count(Feedback.id))
                                 .join(Feedback, Feedback.kb_question_id == KbQuestion.id)
                                 .group_by(KbQuestion.question)).all())
    session.rollback()
    for start in (LATE_BILL, "จ่ายค่าเน็ตในแอปไม่ได้", "โทร call center รอสายนาน", "ช่างมาไม่ตรงเวลานัด", "เน็ตหลุดบ่อย"):
        [question] = [q for q in asked if q.startswith(start)]
        assert asked[question] >= 10, question
    # Praise asks nothing.
    assert count(session, Feedback, Feedback.kb_question_id.is_not(None), Feedback.sentiment == "positive") == 0


def test_some_answers_are_due_for_review(session, seeded):
    old = kb.stale(session, date.today())
    assert len(old) == 4 and all(q.state == "published" and q.reviewed_on for q in old)
    reviewed = [q for q in kb.listed(session) if q.reviewed_on is not None]
    assert len(reviewed) == 20


def test_a_search_for_the_bill_finds_the_late_bill_question(session, seeded):
    hits = search.search(session, "ใบแจ้งหนี้")
    assert late_bill(session).id in [hit.question_id for hit in hits[:3]]


def test_in_english_with_an_english_journey(session, monkeypatch):
    monkeypatch.setenv("CEM_LANG", "en")
    seed_sample_journey(session)
    seed_sample_feedback(session)
    assert sample.seed_sample_kb(session) == 24
    found = kb.listed(session)
    assert not any(THAI.search(q.question) for q in found)
    assert count(session, KbQuestionStep) == 24
    [bill] = [q for q in found if q.question.startswith("My bill came late")]
    assert [hit.question_id for hit in search.search(session, "bill")[:3]].count(bill.id) == 1
    today = date.today()
    assert kb.top_20(session, today - timedelta(days=29), today)


def test_without_feedback_or_journey_the_questions_still_come(session, monkeypatch):
    monkeypatch.delenv("CEM_LANG", raising=False)
    assert sample.seed_sample_kb(session) == 24
    assert count(session, KbQuestionStep) == 0 and count(session, Feedback) == 0
    today = date.today()
    assert kb.top_20(session, today - timedelta(days=364), today)  # the front desk's presses
    assert kb.top_20(session, today.replace(day=1), today)


def test_a_workspace_with_questions_gets_no_sample(session, workspace):
    kb.create_question(session, question="ลืมรหัสผ่าน", answer="กดลืมรหัสผ่าน", user="lead")
    assert sample.seed_sample_kb(session) == 0
    assert count(session, KbQuestion) == 1 and count(session, KbAsked) == 0


def test_two_servers_starting_at_once_seed_once(engine, monkeypatch):
    monkeypatch.delenv("CEM_LANG", raising=False)
    with session_scope(engine) as session:
        seed_sample_journey(session)
    start, checked = threading.Barrier(2), threading.Barrier(2)
    made, errors = [], []
    seed_under_the_lock = sample._seed_as_the_app

    def both_found_none_yet(session, **values):  # both passed the first check: one must wait for the other
        checked.wait()
        return seed_under_the_lock(session, **values)

    monkeypatch.setattr(sample, "_seed_as_the_app", both_found_none_yet)

    def server() -> None:
        try:
            with session_scope(engine) as session:
                start.wait()
                made.append(sample.seed_sample_kb(session))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=server) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and sorted(made) == [0, 24]
    with session_scope(engine) as session:
        assert count(session, KbQuestion) == 24 and count(session, KbQuestionStep) == 24
