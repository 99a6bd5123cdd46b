"""Importing survey and review exports (Google Forms, Microsoft Forms,
LimeSurvey, review sites: .csv, .xlsx, .xls or .ods), through the same
steps as the billing import (cem.customers.billing): read the file, map
its columns, check every row, store in one transaction, undo as a whole.

The mapping gives a column for each row-level field (when it was said,
by which customer, on which channel, what kind of voice, its sentiment),
the score columns (NPS 0–10, CSAT 1–5, CES 1–7) and any number of text
columns. Each score or text column may be tied to a sub-step of the
journey: "How was paying your bill?" belongs to "Pay the bill". A row
then gives one feedback item per sub-step it speaks of (with that
sub-step's texts and scores), plus one for what is tied to none, so that
one answer to an overall NPS question counts once.
"""
from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlmodel import Session

from cem.core.errors import ImportFileError, NotFoundError
from cem.core.reads import detached
from cem.core.models import (FEEDBACK_KINDS, ChangeLog, Customer, Feedback, FeedbackImport, FollowUp,
                             ImportMapping, utcnow)
from cem.customers import billing
from cem.customers.billing import Refusal, Sheet, fold
from cem.customers.values import DAY_FIRST, ValueProblem, date_order, parse_date
from cem.journey.services import write_service
from cem.voice import scores
from cem.voice.feedback import PERMISSION, place

read_file = billing.read_file  # the same reader: the same file kinds, limits and child process
ROW_FIELDS = ("received", "customer_code", "channel", "kind", "sentiment")
SCORE_FIELDS = ("nps", "csat", "ces")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
HEADINGS: dict[str, tuple[str, ...]] = {
    "received": ("ประทับเวลา", "วันที่", "เวลาที่เสร็จสมบูรณ์", "timestamp", "completiontime", "submitdate",
                 "datesubmitted", "starttime", "date", "reviewdate"),
    "customer_code": ("รหัสลูกค้า", "customercode", "customerid", "customerno"),
    "channel": ("ช่องทาง", "แหล่งที่มา", "channel", "source", "platform"),
    "kind": ("ประเภท", "kind", "type"),
    "sentiment": ("ความรู้สึก", "sentiment"),
    "nps": ("nps", "แนะนำ", "recommend"),
    "csat": ("csat", "ความพึงพอใจ", "พึงพอใจ", "satisfaction", "satisfied", "rating", "stars", "คะแนนรีวิว"),
    "ces": ("ces", "ความง่าย", "ง่าย", "effort", "easy"),
    "text": ("ความคิดเห็น", "ข้อเสนอแนะ", "รีวิว", "เพิ่มเติม", "อื่นๆ", "comment", "feedback", "review",
             "suggestion", "remark", "anythingelse", "tellus", "why"),
}
FOLDED = {name: [fold(heading) for heading in headings] for name, headings in HEADINGS.items()}
SENTIMENT_WORDS = {
    "positive": ("positive", "pos", "บวก", "ดี", "ชม", "promoter"),
    "neutral": ("neutral", "กลาง", "เฉยๆ", "ปานกลาง", "passive"),
    "negative": ("negative", "neg", "ลบ", "ไม่ดี", "ติ", "detractor"),
}
_TIME_PART = re.compile(r"[T ,]+\d{1,2}[:.]\d{2}.*$")  # "… 10:15:22 AM GMT+7", "…T10:15:22Z", ", 10:15"


@dataclass
class SurveyMapping:
    """Which column gives what. `columns`: a row-level or score field's
    column; `texts`: the text columns; `steps`: the sub-step a score or
    text column speaks of. `kind` and `channel` apply where no column
    gives them. `journey_id` is the journey the survey is about: its
    overall answers belong to it too (a sub-step's journey wins)."""

    columns: dict[str, int] = field(default_factory=dict)
    texts: list[int] = field(default_factory=list)
    steps: dict[int, int | None] = field(default_factory=dict)
    kind: str = "survey"
    channel: str = ""
    journey_id: int | None = None

    def as_json(self, headings: list[str]) -> dict:
        """Remembered by headings, as billing mappings are."""
        return {"columns": {name: headings[i] for name, i in self.columns.items()},
                "texts": [headings[i] for i in self.texts],
                "steps": {headings[i]: step for i, step in self.steps.items() if step is not None},
                "kind": self.kind, "channel": self.channel, "journey_id": self.journey_id}

    @classmethod
    def from_json(cls, saved: dict, headings: list[str]) -> "SurveyMapping":
        index = {heading: i for i, heading in enumerate(headings)}
        return cls(columns={n: index[h] for n, h in saved.get("columns", {}).items() if h in index},
                   texts=[index[h] for h in saved.get("texts", []) if h in index],
                   steps={index[h]: step for h, step in saved.get("steps", {}).items() if h in index},
                   kind=saved.get("kind", "survey"), channel=saved.get("channel", ""),
                   journey_id=saved.get("journey_id"))


def _headings_key(headings: list[str]) -> str:
    return "survey:" + billing.headings_key(headings)[:57]


def guess_mapping(session: Session, headings: list[str]) -> SurveyMapping:
    """The mapping last used with the same headings, or a guess from them."""
    remembered = session.execute(select(ImportMapping.mapping).where(
        ImportMapping.headings_key == _headings_key(headings))).scalars().first()
    session.rollback()
    if remembered is not None:
        return SurveyMapping.from_json(remembered, headings)
    folded = [fold(h) for h in headings]
    mapping = SurveyMapping()
    taken: set[int] = set()
    for exact in (True, False):
        for name in (*ROW_FIELDS, *SCORE_FIELDS):
            if name in mapping.columns:
                continue
            hit = _find(folded, FOLDED[name], exact, taken)
            if hit is not None:
                mapping.columns[name] = hit
                taken.add(hit)
    mapping.texts = [i for i, h in enumerate(folded) if i not in taken and any(w in h for w in FOLDED["text"])]
    return mapping


def _find(folded: list[str], wanted: list[str], exact: bool, taken: set[int]) -> int | None:
    for name in wanted:
        for i, heading in enumerate(folded):
            if heading and i not in taken and (heading == name if exact else name in heading):
                return i
    return None


# ---------------------------------------------------------------- checking


@dataclass(frozen=True)
class ReadyItem:
    row: int
    received: date
    customer_id: int | None
    channel: str
    kind: str
    sentiment: str
    sentiment_by_hand: bool
    step_id: int | None
    text: str
    nps: int | None
    csat: int | None
    ces: int | None
    key: str


@dataclass
class CheckedSurvey:
    sheet_name: str
    headings: list[str]
    mapping: SurveyMapping
    rows_read: int
    items: list[ReadyItem] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    empty_rows: int = 0  # rows that answered nothing mapped


_YEAR_FIRST = re.compile(r"^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})$")  # Google Forms: 2026/11/03


def _date_text(raw: Any) -> Any:
    """A date cell without its time of day or time zone; a year-first date as ISO."""
    if not isinstance(raw, str):
        return raw
    text = _TIME_PART.sub("", raw.strip())
    found = _YEAR_FIRST.match(text)
    return f"{found[1]}-{int(found[2]):02d}-{int(found[3]):02d}" if found else text


def needs_date_order(sheet: Sheet, mapping: SurveyMapping) -> bool:
    column = mapping.columns.get("received")
    if column is None:
        return False
    values = [_date_text(value) for value in sheet.column(column)]
    return any(isinstance(value, str) for value in values) and date_order(values) is None


def _score(name: str, raw: Any) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    match = re.match(r"^(\d+(?:\.0+)?)(?:\s*(?:/\s*\d+|ดาว|stars?|คะแนน))?$", text, re.IGNORECASE)
    low, high = SCORE_RANGES[name]
    if match is None or not (low <= float(match.group(1)) <= high):
        raise ValueProblem("voice.problem.score", value=text[:40], low=low, high=high)
    return int(float(match.group(1)))


def _sentiment_word(raw: Any) -> str | None:
    text = fold(raw)
    if not text:
        return None
    for sentiment, words in SENTIMENT_WORDS.items():
        if text in (fold(word) for word in words):
            return sentiment
    raise ValueProblem("voice.problem.sentiment", value=str(raw)[:40])


def _kind_word(raw: Any, default: str) -> str:
    text = fold(raw)
    if not text:
        return default
    if text in FEEDBACK_KINDS:
        return text
    raise ValueProblem("voice.problem.kind", value=str(raw)[:40])


def check_rows(session: Session, sheet: Sheet, mapping: SurveyMapping, *, order: str | None = None,
               today: date | None = None) -> CheckedSurvey:
    """Every row read with `mapping`: the items ready to store, and each
    refused row with its row, column, value and reason."""
    if "received" not in mapping.columns:
        raise ImportFileError("billing.err.no_column", field="voice.field.received")
    if not mapping.texts and not any(name in mapping.columns for name in SCORE_FIELDS):
        raise ImportFileError("voice.err.nothing_mapped")
    if mapping.kind not in FEEDBACK_KINDS:
        raise ImportFileError("voice.problem.kind", value=mapping.kind)
    for step_id in {step for step in mapping.steps.values() if step is not None}:
        place(session, step_id=step_id)  # still on the map
    customers = _customers(session, sheet, mapping)
    checked = CheckedSurvey(sheet.name, sheet.headings, mapping, len(sheet.numbers))
    if order is None:
        order = date_order([_date_text(x) for x in sheet.column(mapping.columns["received"])]) or DAY_FIRST
    seen: Counter = Counter()
    for at, number in enumerate(sheet.numbers):
        try:
            row = _row_values(sheet, mapping, at, order, today, customers)
        except _Refused as refused:
            checked.refused.append(Refusal(number, refused.column, refused.value, refused.problem.code,
                                           refused.problem.params))
            continue
        items = list(_items(number, row, mapping, seen))
        if not items:
            checked.empty_rows += 1
        checked.items += items
    session.rollback()
    return checked


class _Refused(Exception):
    def __init__(self, column: str, value: Any, problem: ValueProblem):
        super().__init__(problem.code)
        self.column, self.value, self.problem = column, billing.shown(value)[:40] if value is not None else "", problem


def _customers(session: Session, sheet: Sheet, mapping: SurveyMapping) -> dict[str, int]:
    column = mapping.columns.get("customer_code")
    if column is None:
        return {}
    codes = {billing._text(value) for value in sheet.column(column)} - {""}
    found: dict[str, int] = {}
    listed = sorted(codes)
    for start in range(0, len(listed), 5_000):
        found.update(session.execute(select(Customer.code, Customer.id).where(
            Customer.code.in_(listed[start:start + 5_000]))).all())
    return found


def _row_values(sheet: Sheet, mapping: SurveyMapping, at: int, order: str, today: date | None,
                customers: dict[str, int]) -> dict[str, Any]:
    def cell(index: int) -> Any:
        return sheet.column(index)[at]

    def read(name: str, index: int, convert):
        try:
            return convert(cell(index))
        except ValueProblem as problem:
            raise _Refused(sheet.headings[index] or name, cell(index), problem) from None

    columns = mapping.columns
    row: dict[str, Any] = {"received": read("received", columns["received"], lambda raw: _required_date(raw, order, today))}
    code = billing._text(cell(columns["customer_code"])) if "customer_code" in columns else ""
    if code and code not in customers:
        raise _Refused(sheet.headings[columns["customer_code"]], code, ValueProblem("voice.problem.customer", value=code))
    row["customer_id"] = customers.get(code) if code else None
    row["channel"] = (billing._text(cell(columns["channel"]))[:100] if "channel" in columns else "") or mapping.channel
    row["kind"] = read("kind", columns["kind"], lambda raw: _kind_word(raw, mapping.kind)) \
        if "kind" in columns else mapping.kind
    row["sentiment"] = read("sentiment", columns["sentiment"], _sentiment_word) if "sentiment" in columns else None
    for name in SCORE_FIELDS:
        if name in columns:
            row[name] = read(name, columns[name], lambda raw, name=name: _score(name, raw))
    row["texts"] = [(index, billing._text(cell(index))) for index in mapping.texts]
    return row


def _required_date(raw: Any, order: str, today: date | None) -> date:
    day = parse_date(_date_text(raw), order=order, today=today)
    if day is None:
        raise ValueProblem("billing.problem.required", value="")
    return day


def _items(number: int, row: dict[str, Any], mapping: SurveyMapping, seen: Counter):
    """The row's items: one per sub-step its texts and scores speak of."""
    groups: dict[int | None, dict[str, Any]] = {}
    for name in SCORE_FIELDS:
        if row.get(name) is not None:
            groups.setdefault(mapping.steps.get(mapping.columns[name]), {})[name] = row[name]
    for index, text in row["texts"]:
        if text:
            group = groups.setdefault(mapping.steps.get(index), {})
            group["text"] = (group.get("text", "") + "\n" + text).strip()[:4000]
    # A comment with no score of its own feels as the respondent scored
    # overall (a detractor's words stay negative); its scores are not copied.
    row_feeling = scores.sentiment_from_scores(row.get("nps"), row.get("csat")) or "neutral"
    for step_id, said in groups.items():
        nps, csat, ces = said.get("nps"), said.get("csat"), said.get("ces")
        sentiment, by_hand = row["sentiment"], True
        if sentiment is None:
            sentiment, by_hand = scores.sentiment_from_scores(nps, csat) or row_feeling, False
        text = said.get("text", "")
        line = f"{row['received']}\x1f{row['customer_id']}\x1f{step_id}\x1f{text}\x1f{nps}\x1f{csat}\x1f{ces}"
        seen[line] += 1
        key = "s:" + hashlib.sha256(f"{line}\x1f{seen[line]}".encode()).hexdigest()[:60]
        yield ReadyItem(number, row["received"], row["customer_id"], row["channel"], row["kind"], sentiment, by_hand,
                        step_id, text, nps, csat, ces, key)


# ---------------------------------------------------------------- storing and undoing


@dataclass(frozen=True)
class SurveySummary:
    items_new: int
    items_known: int  # imported before: skipped
    rows_refused: int
    rows_empty: int
    first: date | None
    last: date | None


def _known_keys(session: Session, keys: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(keys), 5_000):
        known.update(session.execute(select(Feedback.key).where(Feedback.key.in_(keys[start:start + 5_000]))).scalars())
    return known


def summarise(session: Session, checked: CheckedSurvey) -> SurveySummary:
    known = _known_keys(session, [item.key for item in checked.items])
    session.rollback()
    days = [item.received for item in checked.items]
    return SurveySummary(len(checked.items) - len(known), len(known), len({r.row for r in checked.refused}),
                         checked.empty_rows, min(days, default=None), max(days, default=None))


@write_service(PERMISSION)
def import_feedback(session: Session, *, checked: CheckedSurvey, file_name: str, user: str,
                    good_rows_only: bool = False) -> FeedbackImport:
    """Store the checked items in one transaction; items imported before
    are skipped. Refused while rows are refused, unless the person chose
    to import the good rows only."""
    if checked.refused and not good_rows_only:
        raise ImportFileError("voice.err.rows_refused", count=len({r.row for r in checked.refused}))
    known = _known_keys(session, [item.key for item in checked.items])
    journey_id = checked.mapping.journey_id
    places = {step: place(session, step_id=step, journey_id=journey_id)
              for step in {item.step_id for item in checked.items}}
    batch = FeedbackImport(file_name=file_name[:200], rows_read=checked.rows_read, created_by=user, updated_by=user)
    session.add(batch)
    session.flush()
    now = utcnow()
    rows = [dict(import_id=batch.id, received=item.received, customer_id=item.customer_id, channel=item.channel,
                 kind=item.kind, sentiment=item.sentiment, sentiment_by_hand=item.sentiment_by_hand,
                 journey_id=places[item.step_id][0], stage_id=places[item.step_id][1], step_id=item.step_id,
                 text=item.text, nps=item.nps, csat=item.csat, ces=item.ces, key=item.key,
                 created_at=now, created_by=user, updated_at=now, updated_by=user, version=1)
            for item in checked.items if item.key not in known]
    for start in range(0, len(rows), 2_000):
        # render_nulls: one executemany for rows with and without scores alike
        session.execute(insert(Feedback).execution_options(render_nulls=True), rows[start:start + 2_000])
    batch.items_added, batch.items_skipped = len(rows), len(checked.items) - len(rows)
    _remember(session, checked, user)
    session.add(ChangeLog(user=user, item_type="feedbackimport", item_id=batch.id, action="create",
                          new={"file_name": batch.file_name, "items_added": batch.items_added}))
    session.commit()
    return batch


def _remember(session: Session, checked: CheckedSurvey, user: str) -> None:
    key = _headings_key(checked.headings)
    row = session.execute(select(ImportMapping).where(ImportMapping.headings_key == key)).scalars().first()
    saved = checked.mapping.as_json(checked.headings)
    if row is None:
        session.add(ImportMapping(headings_key=key, mapping=saved, created_by=user, updated_by=user))
    else:
        row.mapping, row.updated_by, row.updated_at = saved, user, utcnow()


@write_service(PERMISSION)
def undo_feedback_import(session: Session, *, import_id: int, user: str) -> dict[str, int]:
    """Take an import's items away again. Items someone worked on (changed,
    tied to a pain point or a question, or answered with a follow-up) stay,
    no longer part of the import."""
    batch = session.get(FeedbackImport, import_id)
    if batch is None:
        raise NotFoundError("err.not_found", item="item.feedbackimport", id=import_id)
    worked = select(Feedback.id).where(Feedback.import_id == import_id).where(
        (Feedback.version > 1) | Feedback.pain_point_id.is_not(None) | Feedback.kb_question_id.is_not(None)
        | Feedback.id.in_(select(FollowUp.feedback_id).where(FollowUp.feedback_id.is_not(None))))
    kept = session.execute(update(Feedback).where(Feedback.id.in_(worked)).values(import_id=None)).rowcount
    removed = session.execute(select(func.count()).where(Feedback.import_id == import_id)).scalar_one()
    session.add(ChangeLog(user=user, item_type="feedbackimport", item_id=import_id, action="delete",
                          old={"file_name": batch.file_name, "items_added": batch.items_added}))
    session.delete(batch)  # its items go with it (ON DELETE CASCADE)
    session.commit()
    return {"removed": removed, "kept": kept}


def list_imports(session: Session) -> list[FeedbackImport]:
    return detached(session, list(session.execute(select(FeedbackImport).order_by(FeedbackImport.id.desc()))
                                  .scalars()))
