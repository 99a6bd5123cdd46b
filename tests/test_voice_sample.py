"""The sample workspace's voice of the customer: data/samples/survey_sample.csv
(written by tools/make_sample_survey.py) read by the survey import with no
refused row, seeded once with word of mouth, reviews and a follow-up, on
the sample journey's sub-steps, with figures a team would believe."""
from __future__ import annotations

import importlib.util
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import func, select

from cem.core import months
from cem.core.models import Feedback, FeedbackImport, FollowUp
from cem.customers import billing
from cem.journey.templates import seed_sample_journey
from cem.voice import analysis, feedback, sample, survey_import
from cem.voice.scores import LOW_COUNT

ROOT = Path(__file__).resolve().parent.parent
FIRST, LAST = "2025-12", "2026-11"


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture
def workspace(session):
    """A new workspace as the app seeds it: the sample journey (in Thai), then the sample bills."""
    journey = seed_sample_journey(session, lang="th")
    billing.seed_sample_billing(session)
    return journey


@pytest.fixture
def seeded(session, workspace):
    started = time.perf_counter()
    batch = sample.seed_sample_feedback(session)
    return batch, time.perf_counter() - started


def test_the_file_reads_with_no_refused_rows_and_the_import_page_maps_it_alike(session, workspace):
    data = sample.SAMPLE.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # as Google Forms gives it: UTF-8 with a byte order mark
    sheet = survey_import.read_file(data, sample.SAMPLE.name)
    assert sheet.headings[0] == "ประทับเวลา" and "ข้อเสนอแนะเพิ่มเติม" in sheet.headings
    _, steps = sample._sample_steps(session)
    mapping = sample.sample_mapping(session, sheet.headings, steps)
    assert set(mapping.columns) == {"received", "customer_code", "nps", "csat", "ces"} and len(mapping.texts) == 4
    guessed = survey_import.guess_mapping(session, sheet.headings)  # what the import page proposes by itself
    assert (guessed.columns, sorted(guessed.texts)) == (mapping.columns, sorted(mapping.texts))
    assert not survey_import.needs_date_order(sheet, mapping)
    checked = survey_import.check_rows(session, sheet, mapping)
    assert checked.rows_read == 450
    assert checked.refused == [] and checked.empty_rows == 0
    assert {item.received.isoformat()[:7] for item in checked.items} == set(months.between(FIRST, LAST))
    with_code = [item for item in checked.items if item.customer_id is not None]
    assert 0.5 < len({item.row for item in with_code}) / 450 < 0.8  # some answers give no customer code


def test_the_seed_runs_once_and_quickly(session, seeded):
    batch, took = seeded
    assert isinstance(batch, FeedbackImport) and batch.created_by == "system"
    assert (batch.rows_read, batch.items_skipped) == (450, 0)
    assert took < 1.0  # about 0.1-0.2 s
    items = count(session, Feedback)
    assert items == batch.items_added + 57  # 55 word-of-mouth voices and 2 reviews
    assert count(session, FollowUp) == 1
    assert sample.seed_sample_feedback(session) is None  # once: a second start adds nothing
    assert (count(session, Feedback), count(session, FollowUp)) == (items, 1)
    assert count(session, FeedbackImport) == 1


def test_the_items_land_on_the_sample_journeys_sub_steps(session, workspace, seeded):
    _, steps = sample._sample_steps(session)
    pay, drop, install = steps["pay"], steps["drop"], steps["install"]
    voices = [v for v in feedback.voices(session, journey_id=workspace.id) if v.source == "feedback"]
    assert len(voices) == count(session, Feedback)  # every voice is on the sample journey
    survey = [v for v in voices if v.kind == "survey"]
    assert {v.channel for v in survey} == {"Google Forms"}
    assert {v.step_id for v in survey if v.csat is not None} == {pay}
    assert {v.step_id for v in survey if v.ces is not None} == {drop}
    assert {v.step_id for v in survey if v.nps is not None} == {None}  # the journey as a whole
    assert {v.step_id for v in survey if v.step_id is not None} == {pay, drop, install}
    assert all(v.nps is None and v.csat is None and v.ces is None and v.text for v in survey if v.step_id == install)
    by_step = {step: [v.text for v in survey if v.step_id == step] for step in (pay, drop, install)}
    assert any("ใบแจ้งหนี้มาช้า" in text for text in by_step[pay])
    assert any("หลุด" in text for text in by_step[drop])
    assert any("ช่าง" in text for text in by_step[install])
    assert all(v.stage_id is not None for v in voices if v.step_id is not None)

    reviews = [v for v in voices if v.kind == "review"]
    assert sorted((v.channel, v.csat, v.sentiment) for v in reviews) == [("Google Maps", 2, "negative"),
                                                                          ("Google Maps", 5, "positive")]
    assert next(v for v in reviews if v.csat == 2).step_id == steps["cancel"]
    spread = analysis.word_of_mouth(voices, FIRST, LAST)
    assert all(month.positive and month.negative for month in spread)  # some for and against every month
    assert spread[-1].positive > spread[-1].negative and spread[0].positive < spread[0].negative
    assert {v.channel for v in voices if v.kind == "word_of_mouth"} == {"Facebook", "Pantip", "พูดคุยหน้าร้าน"}

    follow_up = session.execute(select(FollowUp)).scalars().one()
    called = session.get(Feedback, follow_up.feedback_id)
    assert called.nps <= 6 and called.customer_id is not None and follow_up.done_on is not None
    waiting = feedback.needing_follow_up(session, journey_id=workspace.id)
    assert waiting and called.id not in {v.id for v in waiting}


def test_the_samples_figures_are_plausible_and_get_better(session, seeded):
    voices = feedback.voices(session)
    total = analysis.overall(voices)
    # A Thai home-internet provider with known pain points: NPS a little above
    # zero over the year (the sample gives +6.6), from about 440 answers.
    assert 420 <= total.nps_answers <= 450
    assert -10 <= total.nps <= 25
    assert 50 <= total.csat <= 80 and 3.0 <= total.ces <= 5.0
    per_month = analysis.by_month(voices, FIRST, LAST)
    answers = [figures.nps_answers for figures in per_month.values()]
    assert min(answers) < LOW_COUNT <= max(answers)  # the "fewer than 30" warning shows in some months only
    assert sum(answers) == total.nps_answers

    def quarter(names: list[str], figure: str) -> float:
        return getattr(analysis.overall([v for v in voices if months.of(v.received) in names]), figure)

    first, last = list(per_month)[:3], list(per_month)[-3:]
    assert quarter(last, "nps") > quarter(first, "nps") + 10  # the plan is working
    assert quarter(last, "csat") > quarter(first, "csat") + 10
    top = [term.text for term in analysis.top_terms(voices, limit=30)]
    assert {"ใบแจ้งหนี้", "หลุด", "ช่าง", "รอ"} <= set(top)  # the pain points come back in the words


def test_without_the_sample_bills_the_customer_codes_are_left_out_not_refused(session):
    journey = seed_sample_journey(session, lang="en")
    batch = sample.seed_sample_feedback(session)
    assert batch.items_added > 1_000
    session.rollback()
    assert session.execute(select(func.count()).where(Feedback.customer_id.is_not(None))).scalar_one() == 0
    pay = sample._sample_steps(session)[1]["pay"]
    assert {v.step_id for v in feedback.voices(session, journey_id=journey.id) if v.csat and v.kind == "survey"} \
        == {pay}  # the English sub-step names are found too
    assert count(session, FollowUp) == 0  # no detractor with a customer code to call back


def test_a_workspace_with_feedback_gets_no_sample(session, workspace):
    feedback.record_feedback(session, received=months.first_day("2026-11"), text="ดีมาก", nps=10, user="lead")
    assert sample.seed_sample_feedback(session) is None
    assert count(session, Feedback) == 1


def test_the_generator_writes_the_same_file_again(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_sample_survey", ROOT / "tools" / "make_sample_survey.py")
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    monkeypatch.setattr(maker, "OUT", tmp_path / "survey_sample.csv")
    maker.main()
    assert (tmp_path / "survey_sample.csv").read_bytes() == sample.SAMPLE.read_bytes()
    rows = Counter(line[:8] for line in sample.SAMPLE.read_text(encoding="utf-8-sig").splitlines()[1:])
    assert rows == {f'"{year}/{number:02d}': n for (year, number), n in zip(maker.MONTHS, maker.PER_MONTH)}
