"""Feedback (เสียงของลูกค้า): recorded in the customer's words with the
scores they gave, placed on the journey, and followed through: as
evidence for a pain point, as a knowledge-base question, or as a reply
owed to the customer.

A complaint is a voice too. It stays a Complaint (cem.customers.complaints)
and `voices` reads it beside the feedback, as kind "complaint" with a
negative sentiment: never copied, so it counts once.

Sentiment follows the scores (NPS first, then CSAT: see
cem.voice.scores.sentiment_from_scores) unless a person set it by hand.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select
from sqlmodel import Session

from cem.core import validation as v
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.reads import detached
from cem.core.models import (FEEDBACK_KINDS, SENTIMENTS, ChangeLog, Complaint, Customer, Feedback, FollowUp,
                             KbQuestion, PainPoint, Person, Stage, Step, TextWord, utcnow)
from cem.journey import services
from cem.journey.services import write_service
from cem.voice import scores
from cem.voice.words import fold

PERMISSION = "complaints.record"  # the service team takes what customers say, as it takes complaints
SOURCES = ("feedback", "complaint")
FIELDS = [
    v.FieldSpec("kind", "voice.field.kind", v.choice(FEEDBACK_KINDS, default="survey")),
    v.FieldSpec("channel", "voice.field.channel", v.text(100)),
    v.FieldSpec("text", "voice.field.text", v.text(4000)),
    v.FieldSpec("nps", "voice.field.nps", v.whole_number(0, 10)),
    v.FieldSpec("csat", "voice.field.csat", v.whole_number(1, 5)),
    v.FieldSpec("ces", "voice.field.ces", v.whole_number(1, 7)),
]
SENTIMENT = v.FieldSpec("sentiment", "voice.field.sentiment", v.choice(SENTIMENTS))
LOGGED = ("kind", "sentiment", "sentiment_by_hand", "channel", "received", "customer_id", "stage_id", "step_id",
          "text", "nps", "csat", "ces", "pain_point_id", "kb_question_id")


# ---------------------------------------------------------------- recording


def _sentiment(given: str | None, nps: int | None, csat: int | None) -> tuple[str, bool]:
    """The sentiment to keep, and whether a person set it."""
    if given:
        return v.clean_row({"sentiment": given}, [SENTIMENT])["sentiment"], True
    found = scores.sentiment_from_scores(nps, csat)
    if found is None:
        raise ValidationError("voice.err.sentiment_needed")
    return found, False


def place(session: Session, *, step_id: int | None, stage_id: int | None = None,
          journey_id: int | None = None) -> tuple[int | None, int | None, int | None]:
    """(journey, stage, sub-step) of an item placed at `step_id`, or at a
    whole stage, or at a journey only: the sub-step's stage and journey win."""
    if step_id is not None:
        step = session.get(Step, step_id)
        if step is None or step.deleted_at is not None:
            raise NotFoundError("err.not_found", item="item.step", id=step_id)
        stage_id = step.stage_id
    if stage_id is not None:
        stage = session.get(Stage, stage_id)
        if stage is None or stage.deleted_at is not None:
            raise NotFoundError("err.not_found", item="item.stage", id=stage_id)
        journey_id = stage.journey_id
    return journey_id, stage_id, step_id


def _logged(item: Feedback) -> dict:
    return {name: (value.isoformat() if isinstance(value, date) else value)
            for name in LOGGED for value in [getattr(item, name)]}


def _log(session: Session, item: Feedback, action: str, user: str, old: dict | None = None) -> None:
    new = _logged(item)
    if old is not None:
        old, new = {k: old[k] for k in old if old[k] != new[k]}, {k: new[k] for k in new if old[k] != new[k]}
    session.add(ChangeLog(user=user, journey_id=item.journey_id, stage_id=item.stage_id, step_id=item.step_id,
                          item_type="feedback", item_id=item.id, action=action, old=old, new=new))


@write_service(PERMISSION)
def record_feedback(session: Session, *, received: date, text: str = "", kind: str = "survey", channel: str = "",
                    sentiment: str | None = None, nps: int | None = None, csat: int | None = None,
                    ces: int | None = None, customer_id: int | None = None, step_id: int | None = None,
                    stage_id: int | None = None, journey_id: int | None = None, user: str) -> Feedback:
    """One thing a customer said. It needs words or a score; without a
    score it needs a sentiment."""
    clean = v.clean_row({"kind": kind, "channel": channel, "text": text, "nps": nps, "csat": csat, "ces": ces},
                        FIELDS)
    if not clean["text"] and all(clean[name] is None for name in ("nps", "csat", "ces")):
        raise ValidationError("voice.err.empty")
    feeling, by_hand = _sentiment(sentiment, clean["nps"], clean["csat"])
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    journey_id, stage_id, step_id = place(session, step_id=step_id, stage_id=stage_id, journey_id=journey_id)
    item = Feedback(received=received, sentiment=feeling, sentiment_by_hand=by_hand, customer_id=customer_id,
                    journey_id=journey_id, stage_id=stage_id, step_id=step_id, created_by=user, updated_by=user,
                    **clean)
    session.add(item)
    session.flush()
    _log(session, item, "create", user)
    session.commit()
    return item


def _get(session: Session, feedback_id: int) -> Feedback:
    item = session.get(Feedback, feedback_id)
    if item is None:
        raise NotFoundError("err.not_found", item="item.feedback", id=feedback_id)
    return item


def _checked(session: Session, feedback_id: int, version: int | None) -> Feedback:
    item = _get(session, feedback_id)
    if version is not None and version != item.version:
        raise ConflictError("profile.err.conflict", item="item.feedback", by=item.updated_by or "?")
    return item


def _changed(item: Feedback, user: str) -> None:
    item.version += 1
    item.updated_by, item.updated_at = user, utcnow()


@write_service(PERMISSION)
def update_feedback(session: Session, *, feedback_id: int, version: int, received: date, text: str, kind: str,
                    channel: str, sentiment: str | None, nps: int | None, csat: int | None, ces: int | None,
                    customer_id: int | None, step_id: int | None, stage_id: int | None = None,
                    user: str) -> Feedback:
    """Change an item; `sentiment` None gives it back to the scores."""
    item = _checked(session, feedback_id, version)
    clean = v.clean_row({"kind": kind, "channel": channel, "text": text, "nps": nps, "csat": csat, "ces": ces},
                        FIELDS)
    if not clean["text"] and all(clean[name] is None for name in ("nps", "csat", "ces")):
        raise ValidationError("voice.err.empty")
    feeling, by_hand = _sentiment(sentiment, clean["nps"], clean["csat"])
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    old = _logged(item)
    item.journey_id, item.stage_id, item.step_id = place(session, step_id=step_id, stage_id=stage_id,
                                                         journey_id=item.journey_id)
    for name, value in clean.items():
        setattr(item, name, value)
    item.received, item.customer_id, item.sentiment, item.sentiment_by_hand = received, customer_id, feeling, by_hand
    _changed(item, user)
    _log(session, item, "update", user, old)
    session.commit()
    return item


@write_service(PERMISSION)
def delete_feedback(session: Session, *, feedback_id: int, user: str) -> None:
    item = _get(session, feedback_id)
    session.add(ChangeLog(user=user, journey_id=item.journey_id, stage_id=item.stage_id, step_id=item.step_id,
                          item_type="feedback", item_id=item.id, action="delete", old=_logged(item)))
    session.delete(item)
    session.commit()


# ---------------------------------------------------------------- reading: every voice


@dataclass(frozen=True)
class Voice:
    """A feedback item or a complaint, read alike."""

    source: str  # one of SOURCES
    id: int
    version: int
    kind: str  # one of VOICE_KINDS
    sentiment: str
    sentiment_by_hand: bool
    channel: str
    received: date
    customer_id: int | None
    journey_id: int | None
    stage_id: int | None
    step_id: int | None
    text: str
    nps: int | None
    csat: int | None
    ces: int | None
    pain_point_id: int | None
    kb_question_id: int | None


def _feedback_voice(item: Feedback) -> Voice:
    return Voice("feedback", item.id, item.version, item.kind, item.sentiment, item.sentiment_by_hand, item.channel,
                 item.received, item.customer_id, item.journey_id, item.stage_id, item.step_id, item.text,
                 item.nps, item.csat, item.ces, item.pain_point_id, item.kb_question_id)


def _complaint_voice(complaint: Complaint, stage_of: dict[int, int]) -> Voice:
    return Voice("complaint", complaint.id, complaint.version, "complaint", "negative", False, complaint.channel,
                 complaint.received, complaint.customer_id, complaint.journey_id,
                 stage_of.get(complaint.step_id) if complaint.step_id is not None else None, complaint.step_id,
                 complaint.text, None, None, None, complaint.pain_point_id, complaint.kb_question_id)


def voices(session: Session, *, journey_id: int | None = None, start: date | None = None,
           end: date | None = None, with_complaints: bool = True) -> list[Voice]:
    """Every voice received from `start` to `end` (both included), newest
    first; on one journey when `journey_id` is given (items placed nowhere
    are then left out)."""
    found = [_feedback_voice(item) for item in session.execute(
        _within(select(Feedback), Feedback, journey_id, start, end)).scalars()]
    if with_complaints:
        complaints = list(session.execute(_within(select(Complaint), Complaint, journey_id, start, end)).scalars())
        step_ids = {c.step_id for c in complaints if c.step_id is not None}
        stage_of = dict(session.execute(select(Step.id, Step.stage_id).where(Step.id.in_(step_ids))).all()) \
            if step_ids else {}
        found += [_complaint_voice(c, stage_of) for c in complaints]
    session.rollback()
    return sorted(found, key=lambda voice: (voice.received, voice.source == "feedback", voice.id), reverse=True)


def stamp(session: Session) -> tuple:
    """Changes whenever `voices` or `needing_follow_up` could: any feedback,
    complaint or follow-up added, changed or removed."""
    found = tuple(session.execute(select(
        select(func.count(Feedback.id)).scalar_subquery(), select(func.max(Feedback.updated_at)).scalar_subquery(),
        select(func.coalesce(func.sum(Feedback.version), 0)).scalar_subquery(),
        select(func.count(Complaint.id)).scalar_subquery(), select(func.max(Complaint.updated_at)).scalar_subquery(),
        select(func.coalesce(func.sum(Complaint.version), 0)).scalar_subquery(),
        select(func.count(FollowUp.id)).scalar_subquery(),
        select(func.coalesce(func.sum(FollowUp.version), 0)).scalar_subquery())).one())
    session.rollback()
    return tuple(str(value) for value in found)


def _within(query, model, journey_id: int | None, start: date | None, end: date | None):
    if journey_id is not None:
        query = query.where(model.journey_id == journey_id)
    if start is not None:
        query = query.where(model.received >= start)
    if end is not None:
        query = query.where(model.received <= end)
    return query


# ---------------------------------------------------------------- closing the loop


def _item(session: Session, source: str, item_id: int):
    if source == "feedback":
        return _get(session, item_id)
    if source == "complaint":
        complaint = session.get(Complaint, item_id)
        if complaint is None:
            raise NotFoundError("err.not_found", item="item.complaint", id=item_id)
        return complaint
    raise ValidationError("voice.err.source", source=str(source)[:20])


def _linked(session: Session, item, source: str, field: str, value: int | None, version: int | None,
            user: str) -> None:
    """Set a link of a voice, version-checked, logged; the caller commits."""
    if version is not None and version != item.version:
        raise ConflictError("profile.err.conflict", item=f"item.{source}", by=item.updated_by or "?")
    old = getattr(item, field)
    setattr(item, field, value)
    _changed(item, user)
    session.add(ChangeLog(user=user, journey_id=item.journey_id, step_id=item.step_id, item_type=source,
                          item_id=item.id, action="update", old={field: old}, new={field: value}))


@write_service("map.edit")
def add_as_evidence(session: Session, *, source: str, item_id: int, pain_point_id: int, version: int | None = None,
                    user: str) -> None:
    """The voice becomes evidence for a pain point of its journey."""
    item = _item(session, source, item_id)
    pain = session.get(PainPoint, pain_point_id)
    if pain is None:
        raise NotFoundError("err.not_found", item="item.painpoint", id=pain_point_id)
    journey_id = services.where(session, pain).journey_id
    if item.journey_id is not None and item.journey_id != journey_id:
        raise ValidationError("voice.err.other_journey")
    _linked(session, item, source, "pain_point_id", pain_point_id, version, user)
    if item.journey_id is None:
        item.journey_id = journey_id
    session.commit()


# The severity of a pain point made from a voice: an unhappy customer's
# words (a detractor, a low CSAT, negative by hand) weigh more than a
# passing remark; a complaint keeps its own severity.
def _severity(item) -> int:
    if getattr(item, "severity", None):
        return item.severity
    return 4 if item.sentiment == "negative" else 3


@write_service("map.edit")
def voice_to_pain_point(session: Session, *, source: str, item_id: int, version: int | None = None,
                  text: str | None = None, user: str) -> PainPoint:
    """A new pain point at the voice's sub-step, in its words (or `text`),
    with the voice as its first evidence: one transaction."""
    item = _item(session, source, item_id)
    if item.step_id is None:
        raise ValidationError("voice.err.no_step")
    if item.pain_point_id is not None:
        raise ConflictError("voice.err.already_evidence")
    words = (text if text is not None else item.text).strip()[:2000]
    if not words:
        raise ValidationError("voice.err.no_text")
    pain = services.new_pain_point(session, step_id=item.step_id, text=words, severity=_severity(item), user=user)
    _linked(session, item, source, "pain_point_id", pain.id, version, user)
    session.commit()
    return pain


@write_service("kb.edit")
def link_voice_question(session: Session, *, source: str, item_id: int, question_id: int | None,
                  version: int | None = None, user: str) -> None:
    """The voice asks this knowledge-base question (None: no question): it
    then counts towards the question's Top-20 place."""
    item = _item(session, source, item_id)
    if question_id is not None and session.get(KbQuestion, question_id) is None:
        raise NotFoundError("err.not_found", item="item.kbquestion", id=question_id)
    _linked(session, item, source, "kb_question_id", question_id, version, user)
    session.commit()


def question_choices(session: Session) -> dict[int, str]:
    """The knowledge base's questions, to link a voice to: published first, then drafts."""
    rows = session.execute(select(KbQuestion.id, KbQuestion.question).order_by(
        KbQuestion.state.desc(), KbQuestion.question)).all()
    session.rollback()
    return {question_id: text[:80] for question_id, text in rows}


@write_service("kb.edit")
def voice_to_question(session: Session, *, source: str, item_id: int, version: int | None = None,
                      user: str) -> KbQuestion:
    """A draft knowledge-base question in the voice's words, and the voice
    linked to it (it counts towards the question's Top-20 place): one
    transaction."""
    from cem.kb.questions import new_question  # the knowledge base reads this module's words

    item = _item(session, source, item_id)
    if item.kb_question_id is not None:
        raise ConflictError("voice.err.already_question")
    words = " ".join(item.text.split())[:500]
    if not words:
        raise ValidationError("voice.err.no_text")
    question = new_question(session, question=words, user=user)
    _linked(session, item, source, "kb_question_id", question.id, version, user)
    session.commit()
    return question


# ---------------------------------------------------------------- follow-ups


@write_service(PERMISSION)
def add_follow_up(session: Session, *, source: str, item_id: int, owner_id: int | None, due: date, note: str = "",
                  user: str) -> FollowUp:
    """A reply owed to the customer behind a voice, by `owner_id`, by `due`."""
    item = _item(session, source, item_id)
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)
    clean = v.clean_row({"note": note}, [v.FieldSpec("note", "voice.field.note", v.text(1000))])
    follow_up = FollowUp(owner_id=owner_id, due=due, created_by=user, updated_by=user,
                         **{f"{source}_id": item.id}, **clean)
    session.add(follow_up)
    session.flush()
    session.add(ChangeLog(user=user, journey_id=item.journey_id, step_id=item.step_id, item_type="followup",
                          item_id=follow_up.id, action="create",
                          new={"source": source, "item_id": item.id, "owner_id": owner_id, "due": due.isoformat()}))
    session.commit()
    return follow_up


@write_service(PERMISSION)
def follow_up_done(session: Session, *, follow_up_id: int, version: int, done_on: date | None = None,
                   note: str | None = None, user: str) -> FollowUp:
    """The reply was given, on `done_on` (today unless given)."""
    follow_up = session.get(FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFoundError("err.not_found", item="item.followup", id=follow_up_id)
    if version != follow_up.version:
        raise ConflictError("profile.err.conflict", item="item.followup", by=follow_up.updated_by or "?")
    follow_up.done_on = done_on or date.today()
    if note is not None:
        follow_up.note = v.text(1000)(note)
    follow_up.version += 1
    follow_up.updated_by, follow_up.updated_at = user, utcnow()
    session.add(ChangeLog(user=user, item_type="followup", item_id=follow_up.id, action="update",
                          new={"done_on": follow_up.done_on.isoformat()}))
    session.commit()
    return follow_up


def follow_ups(session: Session, *, source: str, item_ids: list[int]) -> dict[int, list[FollowUp]]:
    """The follow-ups of these voices, by voice id."""
    column = FollowUp.feedback_id if source == "feedback" else FollowUp.complaint_id
    found: dict[int, list[FollowUp]] = defaultdict(list)
    rows = detached(session, list(session.execute(select(FollowUp).where(column.in_(item_ids))
                                                  .order_by(FollowUp.due)).scalars()))
    for follow_up in rows:
        found[getattr(follow_up, f"{source}_id")].append(follow_up)
    return dict(found)


def needing_follow_up(session: Session, *, journey_id: int | None = None) -> list[Voice]:
    """The lead's list: unhappy feedback (a detractor, a low CSAT, or
    negative by hand) and complaints not yet resolved, that no follow-up
    answers yet. Oldest first: they have waited longest."""
    unhappy = [voice for voice in voices(session, journey_id=journey_id)
               if voice.sentiment == "negative"]
    open_complaints = {c for (c,) in session.execute(
        select(Complaint.id).where(Complaint.status.in_(("open", "in_progress")))).all()}
    followed = {source: set() for source in SOURCES}
    for feedback_id, complaint_id in session.execute(select(FollowUp.feedback_id, FollowUp.complaint_id)).all():
        if feedback_id is not None:
            followed["feedback"].add(feedback_id)
        if complaint_id is not None:
            followed["complaint"].add(complaint_id)
    session.rollback()
    waiting = [voice for voice in unhappy if voice.id not in followed[voice.source]
               and (voice.source == "feedback" or voice.id in open_complaints)]
    return sorted(waiting, key=lambda voice: (voice.received, voice.source, voice.id))


# ---------------------------------------------------------------- pain points' voices


@dataclass(frozen=True)
class PainVoices:
    count: int
    quotes: tuple[str, ...]  # the newest few, in the customers' words


def pain_point_voices(session: Session, pain_point_ids: list[int], *, quotes: int = 3) -> dict[int, PainVoices]:
    """How many voices (feedback and complaints) stand behind each pain
    point, with a few of their words."""
    ids = list(pain_point_ids)
    if not ids:
        return {}
    said: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for model in (Feedback, Complaint):
        for pain_id, received, text in session.execute(
                select(model.pain_point_id, model.received, model.text).where(model.pain_point_id.in_(ids))).all():
            said[pain_id].append((received, text))
    session.rollback()
    return {pain_id: PainVoices(len(rows), tuple(text for _, text in sorted(rows, reverse=True)
                                                 if text.strip())[:quotes])
            for pain_id, rows in said.items()}


# ---------------------------------------------------------------- the team's words


@dataclass(frozen=True)
class TeamWord:
    id: int
    word: str


def team_word_list(session: Session) -> list[TeamWord]:
    words = [TeamWord(*row) for row in session.execute(select(TextWord.id, TextWord.word).order_by(TextWord.word))]
    session.rollback()
    return words


@write_service("map.edit")
def add_team_words(session: Session, *, words: list[str], user: str) -> int:
    """Add product and place names that word cutting must keep whole; the
    number of new ones."""
    known = {fold(word) for word in session.execute(select(TextWord.word)).scalars()}
    added = 0
    for raw in words:
        word = fold(raw).strip()
        if not word or word in known:
            continue
        if len(word) > 100 or any(ch.isspace() for ch in word):
            raise ValidationError("voice.err.word", word=raw[:40])
        session.add(TextWord(word=word, created_by=user))
        known.add(word)
        added += 1
    if added:
        _reindex_questions(session)
    session.commit()
    return added


def _reindex_questions(session: Session) -> None:
    """The knowledge base is cut into words with the team's words: cut it again, in this transaction."""
    from cem.kb.questions import reindex  # the knowledge base reads this module's words

    session.flush()
    reindex(session)


@write_service("map.edit")
def remove_team_word(session: Session, *, word_id: int, user: str) -> None:
    if session.execute(delete(TextWord).where(TextWord.id == word_id)).rowcount:
        _reindex_questions(session)
    session.commit()
