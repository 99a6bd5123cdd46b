"""Searching the knowledge base in Thai and English.

Thai is written without spaces between words, so a question is cut into
words (cem.voice.words, with the team's own words) when it is saved and the
query is cut the same way. kbquestion.search_text keeps the words: the
question, its phrasings, tags and category on the first line (the "head"),
the answer and the problem on the second (the "body"). Migration 0011
indexes that column, kept by triggers (see there): by words, and by
character trigrams for parts of words (หนี้ inside ใบแจ้งหนี้), with the
vocabulary of all words for English typing errors.

A search runs in three steps:

1. the query's terms: its words, each with the dictionary words it is made
   of (its "parts": ใบรับรองแพทย์ is ใบรับรอง + แพทย์) and a weight from how
   rare it is among the questions (inverse document frequency); Thai and
   English stop words weigh less. An English word in no question is a
   typing error: the vocabulary's words spelled like it stand in for it;
2. candidates from the database's own indexes, by the terms found in at
   most COMMON questions (a common word finds too many to rank cheaply; it
   still counts in step 3): the best by words (FTS5's bm25 on SQLite,
   ts_rank on PostgreSQL) and by parts of words (SQLite: FTS5 trigrams;
   PostgreSQL: the vocabulary's words holding the part, by LIKE, then those
   words);
3. each candidate scored here, the same way on both databases: the weighted
   share of the query's terms it holds, a term counting fully as a word of
   the head, less as a part of a word or a similar spelling, and half in
   the body. Ties go to the lower id (the older question).

So the work per search depends on how many questions hold the query's rare
words, not on how many questions there are: bench/bench_kb.py times 100
against 10,000.

PostgreSQL's pg_trgm only makes trigrams of characters the locale calls
alphanumeric (under C nothing Thai; under C.UTF-8 Thai letters but not the
tone marks, which cut words apart), so it never scores Thai here: it serves
LIKE over the short words of the vocabulary, which is right under any
locale (under C by scanning them).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, text
from sqlmodel import Session

from cem.core.db import is_sqlite
# dictionary(): the same dictionary words() cuts with (PyThaiNLP's and the team's words), to find
# the parts of a word; cem.voice.words has no public name for it.
from cem.voice.words import dictionary, stopwords, team_words, words

MAX_QUERY = 200  # characters of a query that are read
CANDIDATES = 40  # from each index
COMMON = 100  # a term found in more questions than this finds no candidates
MIN_SCORE = 0.2
STOP_WORD_WEIGHT = 0.3
# A stop word found in more questions than this finds no candidates; PostgreSQL counts it only so
# far (stop words are in many questions, and counting them one by one costs the most).
STOP_COUNTED = 30
# How much a term counts, by where and how it is found.
IN_HEAD, PART_IN_HEAD, SIMILAR_IN_HEAD = 1.0, 0.8, 0.8
BODY = 0.5  # the same in the body, times this
MADE_OF = 0.6  # a term not found whole, for the share of its parts found
TYPO_SIMILARITY = 0.5  # least trigram similarity of a typing error to a word

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_LATIN_WORD = re.compile(r"[a-z]{4,}")
# Thai vowel and tone marks sit on the letter before them, and the leading
# vowels เ แ โ ใ ไ belong to the letter after them: a part found inside a
# word must not cut such a pair (หนี is not a part of หนี้).
_MARKS = frozenset(chr(c) for c in [0x0E31, *range(0x0E34, 0x0E3B), *range(0x0E47, 0x0E4F)])
_LEADING = frozenset(chr(c) for c in range(0x0E40, 0x0E45))


@dataclass(frozen=True)
class Hit:
    question_id: int
    question: str
    category: str
    state: str
    score: float  # 0 to 1: the weighted share of the query found


@dataclass(frozen=True)
class Term:
    word: str
    weight: float
    parts: tuple[str, ...]  # the dictionary words it is made of (Thai), or ()
    unknown: bool  # in no question: a typing error, if it is English
    stop: bool = False  # a stop word


# ---------------------------------------------------------------- the words of a question


def index_text(*, question: str, phrasings: str = "", tags: str = "", category: str = "", answer: str = "",
               problem: str = "", extra: frozenset[str] = frozenset()) -> str:
    """kbquestion.search_text: the head's words, a line break, the body's."""
    head = words(" ".join((question, phrasings, tags.replace(";", " "), category)), extra)
    body = words(" ".join((answer, problem)), extra)
    return " ".join(head) + "\n" + " ".join(body)


@lru_cache(maxsize=4096)
def parts(word: str, extra: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The dictionary words a Thai word is made of, in the fewest pieces
    (ใบแจ้งหนี้: ใบ แจ้ง หนี้); () if it is not made of dictionary words."""
    if len(word) < 4 or not _THAI.search(word):
        return ()
    return tuple(dict.fromkeys(_fewest_pieces(word, dictionary(extra))))


def _fewest_pieces(word: str, dictionary) -> list[str]:
    # best[i]: the fewest dictionary words making word[:i], other than word
    # itself; of as many, the one with the longer words first (as newmm cuts).
    best: list[list[str] | None] = [[]] + [None] * len(word)
    for start in range(len(word)):
        if best[start] is None:
            continue
        for prefix in dictionary.prefixes(word[start:]):
            end, pieces = start + len(prefix), best[start] + [prefix]
            if prefix != word and (best[end] is None or _better(pieces, best[end])):
                best[end] = pieces
    return best[len(word)] or []


def _better(pieces: list[str], than: list[str]) -> bool:
    return (len(pieces), [-len(p) for p in pieces]) < (len(than), [-len(p) for p in than])


def rebuild_index(session: Session) -> None:
    """Index every question's search_text again, within the caller's
    transaction: after a migration rebuilt kbquestion (SQLite drops its
    triggers with it), and to forget the words of deleted questions."""
    if is_sqlite(session.get_bind()):
        head = "CASE WHEN instr(search_text, char(10)) > 0 " \
               "THEN substr(search_text, 1, instr(search_text, char(10)) - 1) ELSE search_text END"
        body = "CASE WHEN instr(search_text, char(10)) > 0 THEN substr(search_text, instr(search_text, char(10)) + 1) " \
               "ELSE '' END"
        for statement in ("INSERT INTO kb_word(kb_word) VALUES ('delete-all')",
                          "INSERT INTO kb_gram(kb_gram) VALUES ('delete-all')",
                          f"INSERT INTO kb_word(rowid, head, body) SELECT id, {head}, {body} FROM kbquestion",
                          "INSERT INTO kb_gram(rowid, body) SELECT id, search_text FROM kbquestion"):
            session.execute(text(statement))
    else:
        for statement in ("DELETE FROM kb_search", "DELETE FROM kb_term",
                          "INSERT INTO kb_search (question_id, words) SELECT id, kb_words_of(search_text) FROM kbquestion",
                          "INSERT INTO kb_term (term) SELECT DISTINCT unnest(tsvector_to_array(words)) FROM kb_search"):
            session.execute(text(statement))


# ---------------------------------------------------------------- matching one question


@lru_cache(maxsize=65536)
def trigrams(word: str) -> frozenset[str]:
    padded = f"  {word} "
    return frozenset(padded[i:i + 3] for i in range(len(padded) - 2))


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """Trigram similarity of two words (Dice), or, for a short word with one
    letter swapped, dropped or added, one less its share of the letters."""
    shared = len(trigrams(a) & trigrams(b))
    dice = 2 * shared / (len(trigrams(a)) + len(trigrams(b)))
    if abs(len(a) - len(b)) <= 1 and _one_edit(a, b):
        return max(dice, 1 - 1 / max(len(a), len(b)))
    return dice


def _one_edit(a: str, b: str) -> bool:
    """a and b differ by one letter swapped with the next, changed, dropped or added."""
    if a == b:
        return True
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    if len(a) == len(b):
        return a[start + 1:] == b[start + 1:] or (a[start + 2:] == b[start + 2:] and a[start:start + 2] == b[start:start + 2][::-1])
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[start + 1:] == shorter[start:]


def contains_part(text_: str, part: str) -> bool:
    """`part` is in `text_` without cutting a Thai letter from its marks."""
    start = text_.find(part)
    while start >= 0:
        end = start + len(part)
        if (end == len(text_) or text_[end] not in _MARKS) and (start == 0 or text_[start - 1] not in _LEADING):
            return True
        start = text_.find(part, start + 1)
    return False


class Indexed:
    """One candidate's words, as search_text holds them."""

    def __init__(self, search_text: str):
        head, _, body = search_text.partition("\n")
        self.fields = [(set(head.split()), head, head.replace(" ", ""), 1.0),
                       (set(body.split()), body, body.replace(" ", ""), BODY)]

    def level(self, term: Term) -> float:
        """How much of `term` this question holds, from 0 to 1."""
        thai = bool(_THAI.search(term.word))
        best = 0.0
        for words_, spaced, joined, weight in self.fields:
            if term.word in words_:
                found = IN_HEAD
            elif len(term.word) >= 2 and contains_part(joined if thai else spaced, term.word):
                found = PART_IN_HEAD
            else:
                found = 0.0
                if term.unknown and _LATIN_WORD.fullmatch(term.word):
                    close = max((similarity(term.word, w) for w in words_ if w.isascii()), default=0.0)
                    found = SIMILAR_IN_HEAD * close if close >= TYPO_SIMILARITY else 0.0
                if term.parts:
                    share = sum(1 for p in term.parts if contains_part(joined, p)) / len(term.parts)
                    found = max(found, MADE_OF * share)
            best = max(best, weight * found)
        return best


def score(terms: list[Term], indexed: Indexed) -> float:
    total = sum(t.weight for t in terms)
    levels = [indexed.level(t) for t in terms]
    # A question that holds only stop words of the query is no answer to it.
    if any(not t.stop for t in terms) and not any(level > 0 and not t.stop for t, level in zip(terms, levels)):
        return 0.0
    return sum(t.weight * level for t, level in zip(terms, levels)) / total if total else 0.0


# ---------------------------------------------------------------- searching


def search(session: Session, query: str, *, limit: int = 10, published_only: bool = True) -> list[Hit]:
    """The questions that answer `query` best, best first (at most `limit`);
    only published ones unless `published_only` is False (for the editors)."""
    extra = team_words(session)
    tokens = [w for w in dict.fromkeys(words(str(query or "")[:MAX_QUERY], extra)) if len(w) > 1 or w.isdigit()]
    if not tokens:
        session.rollback()
        return []
    backend = (_Sqlite if is_sqlite(session.get_bind()) else _Postgres)(session)
    stop = stopwords()
    split = {token: parts(token, extra) for token in tokens}
    words_ = list(dict.fromkeys([*tokens, *(p for pieces in split.values() for p in pieces)]))
    total, found_in, common = backend.counts([w for w in words_ if w not in stop], [w for w in words_ if w in stop])
    terms = []
    for token in tokens:
        df = found_in[token]
        weight = math.log(1 + (total - df + 0.5) / (df + 0.5)) * (STOP_WORD_WEIGHT if token in stop else 1.0)
        terms.append(Term(token, weight, split[token], df == 0, token in stop))
    rows = backend.candidates(terms, common, published_only)
    hits = []
    for row in rows:
        value = score(terms, Indexed(row.search_text))
        if value >= MIN_SCORE:
            hits.append(Hit(row.id, row.question, row.category, row.state, round(value, 4)))
    session.rollback()  # end the read
    hits.sort(key=lambda hit: (-hit.score, hit.question_id))
    return hits[:limit]


def _typo(term: Term) -> bool:
    return term.unknown and _LATIN_WORD.fullmatch(term.word) is not None


def _searched_words(terms: list[Term], common: set[str]) -> list[str]:
    """The words to find candidates by: each term and its parts, unless
    found in too many questions; if all are, the two rarest terms."""
    chosen = [w for t in terms for w in (t.word, *t.parts) if w not in common]
    return list(dict.fromkeys(chosen)) or [t.word for t in sorted(terms, key=lambda t: -t.weight)[:2]]


def _substrings(terms: list[Term], common: set[str]) -> list[str]:
    """The terms to look for inside words: long enough for trigrams, Thai
    or in no question as a word, and not in too many questions."""
    return [t.word for t in terms if len(t.word) >= 3 and t.word not in common and not _typo(t)
            and (t.unknown or _THAI.search(t.word))]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _tsquery_word(word: str) -> str:
    """One word as a to_tsquery operand: quoted, so that nothing in it is an operator."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class _Backend:
    VOCABULARY = ""  # a table of the questions' words, in its column `term`

    def __init__(self, session: Session):
        self.session = session

    def similar_words(self, word: str) -> list[str]:
        """Words of the questions spelled like `word`: starting with one of
        its first two letters, about as long, similar enough."""
        found = set()
        for letter in dict.fromkeys(word[:2]):
            found |= set(self.session.execute(text(
                f"SELECT term FROM {self.VOCABULARY} WHERE term >= :low AND term < :high "
                "AND length(term) BETWEEN :shortest AND :longest"),
                {"low": letter, "high": chr(ord(letter) + 1), "shortest": len(word) - 2,
                 "longest": len(word) + 2}).scalars())
        return sorted(w for w in found if similarity(word, w) >= TYPO_SIMILARITY)

    def candidates(self, terms: list[Term], common: set[str], published_only: bool) -> list:
        """The questions found by the words (with the spellings close to
        typing errors) and by the parts of words, with their words."""
        searched = _searched_words(terms, common)
        for term in terms:
            if _typo(term):
                searched += self.similar_words(term.word)
        sql, params = self.found(list(dict.fromkeys(searched)), _substrings(terms, common))
        # Drafts are dropped after the indexes picked their best: the team keeps few of them.
        published = " AND state = 'published'" if published_only else ""
        return self.session.execute(text(
            f"SELECT id, question, category, state, search_text FROM kbquestion WHERE id IN ({sql}){published}"),
            {**params, "n": CANDIDATES}).all()


class _Sqlite(_Backend):
    """FTS5: kb_word (words), kb_gram (trigrams) and kb_word_terms, the
    word index's vocabulary with the number of questions holding each word."""

    VOCABULARY = "kb_word_terms"

    def counts(self, words_: list[str], stop: list[str]) -> tuple[int, dict[str, int], set[str]]:
        """Questions in all; for each word the questions holding it (as a
        word, or inside one, counted up to COMMON + 1); the words held by
        more than COMMON, and the stop words held by more than STOP_COUNTED."""
        total = self.session.execute(text("SELECT count(*) FROM kbquestion")).scalar_one()
        as_word = dict(self.session.execute(
            text("SELECT term, doc FROM kb_word_terms WHERE term IN :words")
            .bindparams(bindparam("words", expanding=True)), {"words": [*words_, *stop]}).all())
        long = [w for w in words_ if len(w) >= 3]
        inside = {}
        if long:
            # Capped: counting every question that holds a common part would cost as many steps.
            row = self.session.execute(text("SELECT " + ", ".join(
                f"(SELECT count(*) FROM (SELECT 1 FROM kb_gram WHERE kb_gram MATCH :w{i} LIMIT {COMMON + 1}))"
                for i in range(len(long)))), {f"w{i}": _fts_phrase(w) for i, w in enumerate(long)}).one()
            inside = dict(zip(long, row))
        found_in = {w: max(as_word.get(w, 0), inside.get(w, 0)) for w in [*words_, *stop]}
        return total, found_in, {w for w, n in found_in.items() if n > (STOP_COUNTED if w in stop else COMMON)}

    def found(self, searched: list[str], inside: list[str]) -> tuple[str, dict]:
        sql = ("SELECT rowid FROM (SELECT rowid FROM kb_word WHERE kb_word MATCH :words "
               "ORDER BY bm25(kb_word, 2.0, 1.0) LIMIT :n)")
        params = {"words": " OR ".join(_fts_phrase(w) for w in searched)}
        if inside:
            sql += " UNION SELECT rowid FROM (SELECT rowid FROM kb_gram WHERE kb_gram MATCH :parts " \
                   "ORDER BY bm25(kb_gram) LIMIT :n)"
            params["parts"] = " OR ".join(_fts_phrase(w) for w in inside)
        return sql, params


class _Postgres(_Backend):
    """kb_search: the words of each question (tsvector, GIN); kb_term, the
    words of all questions (pg_trgm GIN). A part of words is looked for as
    the words holding it (at most SPELLED_WITH of them; more make it
    common), found in the word index like any word."""

    VOCABULARY = "kb_term"
    SPELLED_WITH = 50

    def __init__(self, session: Session):
        super().__init__(session)
        self.holding: dict[str, list[str]] = {}  # a part: the words holding it

    def counts(self, words_: list[str], stop: list[str]) -> tuple[int, dict[str, int], set[str]]:
        """As _Sqlite.counts, but a word's count, too, stops at COMMON + 1
        (a stop word's at STOP_COUNTED + 1): PostgreSQL's indexes hold no
        counts, so a common word weighs as if it were in just more than
        COMMON questions."""
        long = [w for w in words_ if len(w) >= 3]
        if long:
            rows = self.session.execute(text(
                "SELECT ARRAY(SELECT term FROM kb_term WHERE term LIKE p ORDER BY term LIMIT :most) "
                "FROM unnest(CAST(:patterns AS text[])) WITH ORDINALITY AS given(p, i) ORDER BY i"),
                {"patterns": [_like(w) for w in long], "most": self.SPELLED_WITH + 1}).scalars()
            self.holding = {w: list(held) for w, held in zip(long, rows)}
        crowded = {w for w, held in self.holding.items() if len(held) > self.SPELLED_WITH}
        spelled = [w for w in long if w not in crowded and self.holding[w]]
        asked = [_tsquery_word(w) for w in words_] + [" | ".join(map(_tsquery_word, self.holding[w])) for w in spelled]
        counted = ("ARRAY(SELECT (SELECT count(*) FROM (SELECT 1 FROM kb_search WHERE words @@ to_tsquery('simple', q) "
                   "LIMIT {}) held) FROM unnest(CAST(:{} AS text[])) WITH ORDINALITY AS given(q, i) ORDER BY i)")
        row = self.session.execute(text(
            f"SELECT (SELECT count(*) FROM kbquestion), {counted.format(COMMON + 1, 'asked')}, "
            f"{counted.format(STOP_COUNTED + 1, 'stop')}"),
            {"asked": asked, "stop": [_tsquery_word(w) for w in stop]}).one()
        inside = dict(zip(spelled, row[1][len(words_):]))
        found_in = {w: max(n, inside.get(w, 0)) for w, n in zip(words_, row[1])} | dict(zip(stop, row[2]))
        return row[0], found_in, crowded | {w for w, n in found_in.items()
                                            if n > (STOP_COUNTED if w in stop else COMMON)}

    def found(self, searched: list[str], inside: list[str]) -> tuple[str, dict]:
        searched = list(dict.fromkeys([*searched, *(w for part in inside for w in self.holding.get(part, ()))]))
        return ("SELECT question_id FROM (SELECT question_id, words FROM kb_search "
                "WHERE words @@ to_tsquery('simple', :match) "
                "ORDER BY ts_rank(words, to_tsquery('simple', :match)) DESC, question_id LIMIT :n) best",
                {"match": " | ".join(_tsquery_word(w) for w in searched)})
