"""The knowledge base's questions (KM, seed 001): a question as customers
ask it, with the other ways they put it, the team's answer and the problem
behind it, a category and tags, the sub-steps of the journey where it is
asked, an owner and the day the answer was last reviewed. A draft is seen by
the team only; a published question is found by everyone who searches.

Every change is kept in the change log (item_type "kbquestion": the values
a question was created with, then the old and new values of what changed,
then its last values when it is deleted). Saving recomputes search_text,
the words the search indexes (cem.kb.search).

How often a question is asked, for the Top 20 (Top 20 Question, seed 001),
is counted from three things in a period: feedback items that ask it
(Feedback.kb_question_id, on the day received), complaints that ask it
(Complaint.kb_question_id, on the day received) and the "asked again"
button of front-line staff (KbAsked, on its day).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, delete, func, literal, or_, select, union_all
from sqlmodel import Session

from cem.core import months
from cem.core import validation as v
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import (KB_STATES, ChangeLog, Complaint, Feedback, KbAsked, KbMiss, KbQuestion, KbQuestionStep,
                             KbVote, Person, Stage, Step, utcnow)
from cem.core.reads import detached
from cem.journey.services import write_service
from cem.kb import search
from cem.voice.words import fold, team_words

TOP = 20
STALE_MONTHS = 6
MAX_LINES = 50  # phrasings, and tags


def _lines(max_len: int, separator: str):
    """A check for a list typed one item a line (phrasings) or with "; "
    between (tags): blank items and repeats dropped; a list is taken too."""
    check = v.text(max_len)

    def clean(value) -> str:
        if isinstance(value, (list, tuple)):
            value = "\n".join(str(item) for item in value if not v.is_blank(item))
        raw = check(value).replace(";", "\n") if separator == "; " else check(value)
        items = list(dict.fromkeys(item.strip() for item in raw.split("\n") if item.strip()))
        if len(items) > MAX_LINES:
            raise v.FieldProblem("kb.err.too_many", max=MAX_LINES, count=len(items))
        return check(separator.join(items))

    return clean


FIELDS = [
    v.FieldSpec("question", "kb.field.question", v.text(500, required=True)),
    v.FieldSpec("phrasings", "kb.field.phrasings", _lines(2000, "\n")),
    v.FieldSpec("answer", "kb.field.answer", v.text(5000)),
    v.FieldSpec("problem", "kb.field.problem", v.text(2000)),
    v.FieldSpec("category", "kb.field.category", v.text(100)),
    v.FieldSpec("tags", "kb.field.tags", _lines(500, "; ")),
]
EDITABLE = ("question", "phrasings", "answer", "problem", "category", "tags", "owner_id", "reviewed_on")
LOGGED = (*EDITABLE, "state")


# ---------------------------------------------------------------- helpers


def _get(session: Session, question_id: int) -> KbQuestion:
    question = session.get(KbQuestion, question_id)
    if question is None:
        raise NotFoundError("err.not_found", item="item.kbquestion", id=question_id)
    return question


def _check_version(question: KbQuestion, version: int | None) -> None:
    if version is not None and int(version) != question.version:
        # The form's wording (what you typed is kept): the page shows a form, not a grid.
        raise ConflictError("profile.err.conflict", item="item.kbquestion", by=question.updated_by or "?")


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)


def _day(value, column: str) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValidationError("err.field", column=column, problem="kb.err.not_a_day")


def _values(question: KbQuestion) -> dict:
    return {name: (value.isoformat() if isinstance(value, date) else value)
            for name in LOGGED for value in [getattr(question, name)]}


def _log(session: Session, question: KbQuestion, action: str, user: str, old: dict | None = None,
         new: dict | None = None) -> None:
    session.add(ChangeLog(user=user, item_type="kbquestion", item_id=question.id, action=action, old=old, new=new))


def _changed(old: dict, new: dict) -> tuple[dict, dict]:
    keys = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in keys}, {k: new[k] for k in keys}


def _index(session: Session, question: KbQuestion) -> None:
    question.search_text = search.index_text(
        question=question.question, phrasings=question.phrasings, tags=question.tags, category=question.category,
        answer=question.answer, problem=question.problem, extra=team_words(session))


def _stamp(question: KbQuestion, user: str) -> None:
    question.version += 1
    question.updated_by, question.updated_at = user, utcnow()


# ---------------------------------------------------------------- writing questions


@write_service("kb.edit")
def create_question(session: Session, *, question: str, phrasings="", answer: str = "", problem: str = "",
                    category: str = "", tags="", owner_id: int | None = None, reviewed_on: date | None = None,
                    user: str) -> KbQuestion:
    """A new question, as a draft (publish_question makes it public)."""
    item = new_question(session, question=question, phrasings=phrasings, answer=answer, problem=problem,
                        category=category, tags=tags, owner_id=owner_id, reviewed_on=reviewed_on, user=user)
    session.commit()
    return item


def new_question(session: Session, *, question: str, phrasings="", answer: str = "", problem: str = "",
                 category: str = "", tags="", owner_id: int | None = None, reviewed_on: date | None = None,
                 user: str) -> KbQuestion:
    """create_question in the caller's transaction (the caller checks the role and commits)."""
    clean = v.clean_row({"question": question, "phrasings": phrasings, "answer": answer, "problem": problem,
                         "category": category, "tags": tags}, FIELDS)
    _check_owner(session, owner_id)
    item = KbQuestion(**clean, owner_id=owner_id, reviewed_on=_day(reviewed_on, "kb.field.reviewed_on"), state="draft",
                      created_by=user, updated_by=user)
    _index(session, item)
    session.add(item)
    session.flush()
    _log(session, item, "create", user, new=_values(item))
    return item


@write_service("kb.edit")
def update_question(session: Session, *, question_id: int, version: int | None, user: str, **values) -> KbQuestion:
    """Change some of a question's fields (EDITABLE); refused if someone
    saved it since `version` was read. Nothing changed, nothing logged."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"update_question cannot change {sorted(unknown)}")
    item = _get(session, question_id)
    _check_version(item, version)
    clean = v.clean_row(values, FIELDS, partial=True)
    if "owner_id" in values:
        _check_owner(session, values["owner_id"])
        clean["owner_id"] = values["owner_id"]
    if "reviewed_on" in values:
        clean["reviewed_on"] = _day(values["reviewed_on"], "kb.field.reviewed_on")
    old = _values(item)
    for name, value in clean.items():
        setattr(item, name, value)
    old, new = _changed(old, _values(item))
    if not new:
        session.rollback()
        return item
    _index(session, item)
    _stamp(item, user)
    _log(session, item, "update", user, old=old, new=new)
    session.commit()
    return item


@write_service("kb.edit")
def publish_question(session: Session, *, question_id: int, version: int | None, user: str) -> KbQuestion:
    """Make a question public; it needs an answer first."""
    item = _get(session, question_id)
    if not item.answer.strip():
        raise ValidationError("kb.err.answer_needed")
    return _set_state(session, item, "published", version, user)


@write_service("kb.edit")
def unpublish_question(session: Session, *, question_id: int, version: int | None, user: str) -> KbQuestion:
    """Take a question back to draft: only the team sees it."""
    return _set_state(session, _get(session, question_id), "draft", version, user)


def _set_state(session: Session, item: KbQuestion, state: str, version: int | None, user: str) -> KbQuestion:
    assert state in KB_STATES
    _check_version(item, version)
    if item.state == state:
        session.rollback()
        return item
    old = item.state
    item.state = state
    _stamp(item, user)
    _log(session, item, "update", user, old={"state": old}, new={"state": state})
    session.commit()
    return item


@write_service("kb.edit")
def mark_reviewed(session: Session, *, question_id: int, version: int | None, day: date | None = None,
                  user: str) -> KbQuestion:
    """The answer was checked and is still right, on `day` (today if not given)."""
    item = _get(session, question_id)
    _check_version(item, version)
    old, item.reviewed_on = item.reviewed_on, _day(day, "kb.field.reviewed_on") or date.today()
    _stamp(item, user)
    _log(session, item, "update", user, old={"reviewed_on": old.isoformat() if old else None},
         new={"reviewed_on": item.reviewed_on.isoformat()})
    session.commit()
    return item


@write_service("kb.edit")
def link_steps(session: Session, *, question_id: int, step_ids, version: int | None = None,
               user: str) -> KbQuestion:
    """The sub-steps of the journey where the question is asked: exactly
    `step_ids` from now on."""
    item = _get(session, question_id)
    _check_version(item, version)
    wanted = sorted(set(int(i) for i in step_ids))
    for step_id in wanted:
        step = session.get(Step, step_id)
        if step is None or step.deleted_at is not None:
            raise NotFoundError("err.not_found", item="item.step", id=step_id)
    now = sorted(session.execute(select(KbQuestionStep.step_id).where(KbQuestionStep.question_id == item.id))
                 .scalars())
    if now == wanted:
        session.rollback()
        return item
    session.execute(delete(KbQuestionStep).where(KbQuestionStep.question_id == item.id,
                                                 KbQuestionStep.step_id.not_in(wanted)))
    session.add_all(KbQuestionStep(question_id=item.id, step_id=i) for i in wanted if i not in now)
    _stamp(item, user)
    _log(session, item, "update", user, old={"step_ids": now}, new={"step_ids": wanted})
    session.commit()
    return item


@write_service("kb.edit")
def delete_question(session: Session, *, question_id: int, version: int | None = None, user: str) -> None:
    """Delete a question for good, with its sub-step links, "asked again"
    marks and votes; feedback and complaints that asked it keep their text
    and lose the link. Its last values stay in the change log."""
    item = _get(session, question_id)
    _check_version(item, version)
    _log(session, item, "delete", user, old=_values(item))
    session.delete(item)
    session.commit()


@write_service("kb.edit")
def reindex_questions(session: Session, *, user: str) -> int:
    """Cut every question into words again (after the team's own words
    changed) and build the search indexes anew; the number of questions
    whose words changed. Not a change of their content: not logged,
    versions kept."""
    changed = reindex(session)
    session.commit()
    return changed


def reindex(session: Session) -> int:
    """reindex_questions in the caller's transaction (the caller commits)."""
    extra = team_words(session)
    changed = 0
    for item in session.execute(select(KbQuestion)).scalars():
        before = item.search_text
        item.search_text = search.index_text(
            question=item.question, phrasings=item.phrasings, tags=item.tags, category=item.category,
            answer=item.answer, problem=item.problem, extra=extra)
        changed += item.search_text != before
    session.flush()
    search.rebuild_index(session)
    return changed


# ---------------------------------------------------------------- using the knowledge base


@write_service("kb.use")
def asked_again(session: Session, *, question_id: int, day: date | None = None, user: str) -> KbAsked:
    """A customer asked this question once more (counts for the Top 20)."""
    _get(session, question_id)
    mark = KbAsked(question_id=question_id, day=_day(day, "kb.field.day") or date.today(), user=user)
    session.add(mark)
    session.commit()
    return mark


@write_service("kb.use")
def vote(session: Session, *, question_id: int, helpful: bool, user: str) -> KbVote:
    """Was the answer helpful? Each person's latest vote on a question counts."""
    _get(session, question_id)
    if not isinstance(helpful, bool):
        raise ValidationError("err.field", column="kb.field.helpful", problem="kb.err.yes_or_no")
    row = KbVote(question_id=question_id, helpful=helpful, user=user)
    session.add(row)
    session.commit()
    return row


def miss_key(query: str) -> str:
    """A search as gaps group it: folded, spaces squeezed, at most 200 characters."""
    return " ".join(fold(query).split())[:200]


@write_service("kb.use")
def record_miss(session: Session, *, query: str, user: str) -> KbMiss | None:
    """A search found nothing: remember it as a gap to fill (a blank query is no gap)."""
    key = miss_key(query)
    if not key:
        session.rollback()
        return None
    row = KbMiss(query=key, user=user)
    session.add(row)
    session.commit()
    return row


# ---------------------------------------------------------------- reads


def get(session: Session, question_id: int) -> KbQuestion:
    item = _get(session, question_id)
    return detached(session, item)


def step_ids(session: Session, question_id: int) -> list[int]:
    """The sub-steps (not in the bin) where the question is asked."""
    found = list(session.execute(
        select(KbQuestionStep.step_id).join(Step, Step.id == KbQuestionStep.step_id)
        .join(Stage, Stage.id == Step.stage_id)
        .where(KbQuestionStep.question_id == question_id, Step.deleted_at.is_(None), Stage.deleted_at.is_(None))
        .order_by(KbQuestionStep.step_id)).scalars())
    session.rollback()
    return found


def listed(session: Session, *, category: str | None = None, state: str | None = None,
           step_id: int | None = None) -> list[KbQuestion]:
    """Questions by category, then question; narrowed to a category, a
    state or a sub-step."""
    query = select(KbQuestion).order_by(KbQuestion.category, KbQuestion.question, KbQuestion.id)
    if category is not None:
        query = query.where(KbQuestion.category == category)
    if state is not None:
        query = query.where(KbQuestion.state == state)
    if step_id is not None:
        query = query.where(KbQuestion.id.in_(select(KbQuestionStep.question_id)
                                              .where(KbQuestionStep.step_id == step_id)))
    return detached(session, list(session.execute(query).scalars()))


def categories(session: Session) -> list[str]:
    found = list(session.execute(select(KbQuestion.category).where(KbQuestion.category != "").distinct()
                                 .order_by(KbQuestion.category)).scalars())
    session.rollback()
    return found


@dataclass(frozen=True)
class Asked:
    question_id: int
    question: str
    category: str
    state: str
    times: int  # all three counts together
    feedback: int
    complaints: int
    again: int  # "asked again" presses
    last: date  # the last day it was asked in the period


def top_20(session: Session, start: date, end: date, *, limit: int = TOP) -> list[Asked]:
    """The questions asked most often from `start` to `end` (both days
    included), drafts too. Ties: the one asked more recently first, then
    the older question (lower id)."""
    sources = union_all(
        select(Feedback.kb_question_id.label("qid"), Feedback.received.label("day"), literal("feedback").label("kind"))
        .where(Feedback.kb_question_id.is_not(None), Feedback.received.between(start, end)),
        select(Complaint.kb_question_id, Complaint.received, literal("complaint"))
        .where(Complaint.kb_question_id.is_not(None), Complaint.received.between(start, end)),
        select(KbAsked.question_id, KbAsked.day, literal("again")).where(KbAsked.day.between(start, end)),
    ).subquery()
    counted = (select(sources.c.qid, sources.c.kind, func.count().label("n"), func.max(sources.c.day).label("last"))
               .group_by(sources.c.qid, sources.c.kind)).subquery()
    rows = session.execute(
        select(KbQuestion.id, KbQuestion.question, KbQuestion.category, KbQuestion.state, counted.c.kind,
               counted.c.n, counted.c.last).join(counted, counted.c.qid == KbQuestion.id)).all()
    session.rollback()
    by_id: dict[int, dict] = {}
    for qid, question, category, state, kind, n, last in rows:
        entry = by_id.setdefault(qid, {"question_id": qid, "question": question, "category": category, "state": state,
                                       "feedback": 0, "complaint": 0, "again": 0, "last": last})
        entry[kind] += n
        entry["last"] = max(entry["last"], last)
    found = [Asked(e["question_id"], e["question"], e["category"], e["state"],
                   e["feedback"] + e["complaint"] + e["again"], e["feedback"], e["complaint"], e["again"], e["last"])
             for e in by_id.values()]
    found.sort(key=lambda a: (-a.times, -a.last.toordinal(), a.question_id))
    return found[:limit]


@dataclass(frozen=True)
class Votes:
    helpful: int = 0
    not_helpful: int = 0


def votes(session: Session, question_ids=None) -> dict[int, Votes]:
    """Helpful and not helpful votes per question, each person's latest vote only."""
    later = KbVote.__table__.alias("later")
    query = (select(KbVote.question_id, KbVote.helpful, func.count())
             .where(~select(later.c.id).where(later.c.question_id == KbVote.question_id,
                                              later.c.user == KbVote.user, later.c.id > KbVote.id).exists())
             .group_by(KbVote.question_id, KbVote.helpful))
    if question_ids is not None:
        query = query.where(KbVote.question_id.in_(list(question_ids)))
    counts: dict[int, dict[bool, int]] = {}
    for qid, helpful, n in session.execute(query):
        counts.setdefault(qid, {})[bool(helpful)] = n
    session.rollback()
    return {qid: Votes(c.get(True, 0), c.get(False, 0)) for qid, c in counts.items()}


@dataclass(frozen=True)
class Gap:
    query: str  # folded (miss_key)
    searches: int
    people: int
    last: datetime


def gaps(session: Session, *, since: datetime | None = None, limit: int = 50) -> list[Gap]:
    """Searches that found nothing (since `since`), most often first, then
    the latest; each with how many people searched it and when last."""
    query = (select(KbMiss.query, func.count(), func.count(KbMiss.user.distinct()), func.max(KbMiss.at))
             .group_by(KbMiss.query).order_by(func.count().desc(), func.max(KbMiss.at).desc(), KbMiss.query)
             .limit(limit))
    if since is not None:
        query = query.where(KbMiss.at >= since)
    found = [Gap(q, n, people, last) for q, n, people, last in session.execute(query)]
    session.rollback()
    return found


def stale_before(today: date, months_: int = STALE_MONTHS) -> date:
    """The same day `months_` months before `today` (that month's last day
    when it is shorter): an answer last reviewed on it or before is stale."""
    last = months.last_day(months.add(months.of(today), -months_))
    return last if today.day > last.day else last.replace(day=today.day)


def stale(session: Session, today: date, *, months_: int = STALE_MONTHS) -> list[KbQuestion]:
    """Questions whose answer was not reviewed for `months_` months (never
    reviewed: counted from the day the question was made), the longest
    unreviewed first."""
    cutoff = stale_before(today, months_)
    # created_at is a UTC time: the first instant after the cutoff day.
    after = datetime.combine(cutoff + timedelta(days=1), time(), tzinfo=timezone.utc)
    query = select(KbQuestion).where(or_(
        KbQuestion.reviewed_on <= cutoff,
        and_(KbQuestion.reviewed_on.is_(None), KbQuestion.created_at < after)))
    found = detached(session, list(session.execute(query).scalars()))
    return sorted(found, key=lambda q: (last_reviewed(q), q.id))


def last_reviewed(question: KbQuestion) -> date:
    """The day the answer was last reviewed, or made if never."""
    return question.reviewed_on or question.created_at.date()
