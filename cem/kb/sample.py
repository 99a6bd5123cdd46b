"""The sample workspace's knowledge base, seeded by the app itself on first
start when there are no questions yet (after the sample journey and the
sample voices, cem.voice.sample), so that the knowledge-base page and its
Top 20 have something to show at once.

data/samples/sample_kb.json holds 24 questions a Thai home-internet
provider's front desk is asked, in Thai and English; the workspace gets
them in its language (CEM_LANG, as the sample journey). Each is made
through cem.kb.questions (so its words are cut for the search and its
history is kept), on its sub-step of the sample journey (found by name, in
Thai or English; a sub-step that is gone is left out), published or left a
draft (20 and 4), and reviewed some days ago (four published answers more
than six months ago, so "due for review" shows; the drafts never).

How the sample team has used them, so that the Top 20 shows rows for every
period:

- the sample survey's comments and word of mouth ask the question their
  words match ("feedback_words" in the file: ใบแจ้งหนี้มาช้า asks the
  late-bill question; the first question that matches wins), praise
  excepted; only the sample's own voices (made by "system") are linked;
- "asked again" presses by the front desk over the last 12 months counted
  back from today (179 on the 20 published questions), some in the last
  30 days, and of each question pressed lately one in this month (even
  on its first day);
- a few helpful and not helpful votes, by sample front-desk staff (each
  person's latest vote counts, so they have names of their own).

All of it is fixed (a fixed random seed), given the day it runs. Seeding
takes 0.25-0.35 s on SQLite and 0.6-0.7 s on PostgreSQL: cutting the
questions into words (0.15 s) and 69 commits, since the writes of
cem.kb.questions commit each; the presses and votes go in one. Loading
the Thai dictionary, once per process, adds 1-1.5 s to whatever cuts
words first.
"""
from __future__ import annotations

import inspect
import json
import random
import re
from datetime import date, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from cem.core import config
from cem.core.db import NO_JOURNEY, writes
from cem.core.models import Feedback, Journey, KbAsked, KbQuestion, KbVote, Stage, Step
from cem.kb import questions

SAMPLE = config.DATA_DIR / "samples" / "sample_kb.json"
USER = "system"
# The sample's front-desk staff who voted (only a person's latest vote on a question counts).
VOTERS = tuple(f"sample.frontdesk{n}" for n in range(1, 9))
SEED = 2569_0312

# The writes of cem.kb.questions without their role check: the app seeds as
# "system", which has no account (as cem.voice.sample does with the survey import).
_create = inspect.unwrap(questions.create_question)
_link_steps = inspect.unwrap(questions.link_steps)
_publish = inspect.unwrap(questions.publish_question)


def read_sample(lang: str) -> list[dict]:
    """The sample's questions in `lang` ("th" or "en"), each with its use
    (reviewed_days_ago, asked, votes, feedback_words) and its sub-step's
    names in both languages ("steps")."""
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    if not len(data["th"]) == len(data["en"]) == len(data["use"]):
        raise ValueError(f"{SAMPLE.name}: th, en and use must have as many questions")
    found = []
    for th, en, use in zip(data["th"], data["en"], data["use"]):
        if th["published"] != en["published"]:
            raise ValueError(f"{SAMPLE.name}: {en['question']!r} is published in one language only")
        found.append({**(en if lang == "en" else th), **use, "steps": (th["step"], en["step"])})
    return found


def seed_sample_kb(session: Session, *, lang: str | None = None) -> int:
    """The sample knowledge base, made and used by the app itself on first
    start when there are no questions yet: the number of questions made (0
    when there were some already, or the file is missing). `lang`: the
    install's language (CEM_LANG) unless given."""
    if session.execute(select(KbQuestion.id).limit(1)).first() is not None or not SAMPLE.exists():
        session.rollback()
        return 0
    lang = "en" if (lang or config.default_lang()) == "en" else "th"
    sample = read_sample(lang)
    journey_id, steps = _sample_steps(session, {name for item in sample for name in item["steps"]})
    return _seed_as_the_app(session, sample=sample, steps=steps, today=date.today(),
                            journey_id=journey_id if journey_id is not None else NO_JOURNEY)


def _sample_steps(session: Session, names: set[str]) -> tuple[int | None, dict[str, int]]:
    """The journey with most of the sub-steps named (the first of equals),
    and those sub-steps' ids by name."""
    rows = session.execute(
        select(Stage.journey_id, Step.name, Step.id).join(Stage, Stage.id == Step.stage_id)
        .join(Journey, Journey.id == Stage.journey_id)
        .where(Step.name.in_(names), Step.deleted_at.is_(None), Stage.deleted_at.is_(None))
        .order_by(Stage.journey_id, Stage.position, Step.position, Step.id)).all()
    session.rollback()
    found: dict[int, dict[str, int]] = {}
    for journey_id, name, step_id in rows:
        found.setdefault(journey_id, {}).setdefault(name, step_id)
    if not found:
        return None, {}
    journey_id = max(found, key=lambda j: (len(found[j]), -j))
    return journey_id, found[journey_id]


@writes
def _seed_as_the_app(session: Session, *, sample: list[dict], steps: dict[str, int], today: date,
                     journey_id: int) -> int:
    """Everything, in order. `journey_id` gives the write its turn on
    PostgreSQL and the check is made again under the write lock, so that
    two servers starting at once seed once: the first question's commit
    ends the turn, and the other server then finds it."""
    if session.execute(select(KbQuestion.id).limit(1)).first() is not None:
        return 0
    ids = []
    for item in sample:
        reviewed = item["reviewed_days_ago"]
        made = _create(session, question=item["question"], phrasings=item["phrasings"], answer=item["answer"],
                       problem=item["problem"], category=item["category"], tags=item["tags"],
                       reviewed_on=None if reviewed is None else today - timedelta(days=reviewed), user=USER)
        ids.append(made.id)
        step_ids = sorted({steps[name] for name in item["steps"] if name in steps})
        if step_ids:
            _link_steps(session, question_id=made.id, step_ids=step_ids, user=USER)
        if item["published"]:
            _publish(session, question_id=made.id, version=None, user=USER)
    _use(session, sample, ids, today)
    return len(ids)


def _pressed_on(rng: random.Random, today: date, a_year: int, last_30_days: int) -> list[date]:
    """The days of `a_year` presses over the last 365 days, `last_30_days`
    of them in the last 30 days and the first of those in this month."""
    days = []
    for n in range(a_year):
        if n == 0 and last_30_days:
            back = rng.randint(0, today.day - 1)
        elif n < last_30_days:
            back = rng.randint(0, 29)
        else:
            back = rng.randint(30, 364)
        days.append(today - timedelta(days=back))
    return sorted(days)


def _use(session: Session, sample: list[dict], ids: list[int], today: date) -> None:
    """How the sample team has used the questions, in one commit: the
    voices that ask them, "asked again" presses and votes. The presses and
    votes are the rows questions.asked_again and questions.vote would add,
    added at once (those commit each one: 250 commits, 1 s on PostgreSQL)."""
    _link_feedback(session, sample, ids)
    rng = random.Random(SEED)
    for item, question_id in zip(sample, ids):
        if not item["published"]:  # the front desk sees published questions only
            continue
        session.add_all(KbAsked(question_id=question_id, day=day, user=USER)
                        for day in _pressed_on(rng, today, *item["asked"]))
        helpful, not_helpful = item["votes"]
        votes = [True] * helpful + [False] * not_helpful
        rng.shuffle(votes)
        session.add_all(KbVote(question_id=question_id, helpful=vote, user=voter)
                        for voter, vote in zip(rng.sample(VOTERS, len(votes)), votes))
    session.commit()


def _link_feedback(session: Session, sample: list[dict], ids: list[int]) -> None:
    """The sample's own voices (made by the app) that ask a question: their
    words match its feedback_words (the first question that matches);
    praise asks nothing."""
    patterns = [(question_id, re.compile("|".join(f"(?:{w})" for w in item["feedback_words"]), re.IGNORECASE))
                for item, question_id in zip(sample, ids) if item["feedback_words"]]
    voices = session.execute(select(Feedback.id, Feedback.text).where(
        Feedback.created_by == USER, Feedback.kb_question_id.is_(None), Feedback.text != "",
        Feedback.sentiment != "positive").order_by(Feedback.id)).all()
    asking: dict[int, list[int]] = {}
    for feedback_id, text in voices:
        question_id = next((q for q, pattern in patterns if pattern.search(text)), None)
        if question_id is not None:
            asking.setdefault(question_id, []).append(feedback_id)
    for question_id, feedback_ids in asking.items():
        session.execute(update(Feedback).where(Feedback.id.in_(feedback_ids)).values(kb_question_id=question_id))
