"""What customers talk about: the top words and two-word phrases of a set
of feedback items, each with a few example items to quote.

Text is cut into words by `cem.voice.words` (Thai with newmm and the
team's own dictionary; English and numbers at spaces and punctuation),
folded (lower case, Thai marks in order). Then:

- Stop words go (Thai and English; PyThaiNLP's Thai list keeps the words
  that say how a service felt, such as ช้า slow or ผิด wrong), as do bare
  numbers and single Latin letters. The team's own words always stay, even
  one that is also a stop word.
- A Thai negation is joined to the word it negates, as Thai writes it:
  "พนักงานไม่สุภาพ" gives พนักงาน and ไม่สุภาพ (impolite), not สุภาพ
  (polite); ไม่ค่อยดี, ไม่ได้รับ likewise. A negation with nothing after
  it in its sentence is dropped.
- The team's own words stay whole, also those that word cutting alone
  would split: with spaces or punctuation ("LINE OA", "7-Eleven",
  "เซ็นทรัล ลาดพร้าว") or Thai and Latin mixed ("เน็ต5G"), matched
  regardless of case.
- An English apostrophe inside a word goes: "don't" is the stop word
  "dont", "customer's" is "customers".

Phrases (`phrases=True`) are two consecutive words of one sentence after
the stop words have gone: "ใบแจ้งหนี้มาช้า" gives "ใบแจ้งหนี้ ช้า", which is
what a reader wants from it, where the raw pairs would be "ใบแจ้งหนี้ มา"
and "มา ช้า". A phrase never joins words across a sentence break: a new
line, punctuation or a symbol (. , ; : ! ? ( ) " / … ๚ emoji and the
like), a dash between spaces, or a space between two Thai characters,
since Thai writes no spaces between words and a space there ends a
sentence or clause ("ส่งของช้า พนักงานไม่สุภาพ" holds no phrase
"ช้า พนักงาน"). A space between English words, or between Thai and Latin
text, is no break. English negations (not, no, never, didnt...) may begin
an English phrase but never end one: "not helpful", never "staff not". The
same word twice ("ช้า ช้า") is no phrase.

A term's count is the number of distinct feedback items it appears in,
not how many times it appears: a customer who writes "ช้า" three times
counts once.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

from cem.voice.words import content_words, fold, words

# Thai words that negate the next word and are joined to it.
THAI_NEGATIONS = frozenset(fold(word) for word in ("ไม่", "ไม่ค่อย", "มิ"))
# English words that negate the next one: they may begin a phrase, never end one.
ENGLISH_NEGATIONS = frozenset("""
not no never nor dont didnt doesnt isnt wasnt arent werent cant cannot couldnt wont wouldnt shouldnt
havent hasnt hadnt
""".split())

_THAI_CHARS = "\u0e00-\u0e7f"
_THAI = re.compile(f"[{_THAI_CHARS}]")
_THAI_WORD = re.compile("[\u0e01-\u0e2e\u0e40-\u0e44]")  # a Thai consonant or leading vowel (not ๆ ฯ or a digit)
# Characters that are part of words whatever their Unicode category: Thai
# (its marks are not \w), combining marks, zero-width spaces and joiners
# (word separators in Thai text, removed by folding), apostrophes and
# hyphens (handled apart).
_IN_WORDS = _THAI_CHARS + "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f" \
    "\u200b-\u200d\u2060\ufeff'\u2019\\-"
_BREAK = re.compile(
    r"[\n\r\v\f\x85\u2028\u2029\u0e4f\u0e5a\u0e5b]"       # new lines; Thai ๏ ๚ ๛ end a sentence
    f"|[^\\w\\s{_IN_WORDS}]"                              # punctuation, symbols, emoji
    r"|(?<!\w)-+|-+(?!\w)"                                # a dash that is not a hyphen
    f"|(?<=[{_THAI_CHARS}])[^\\S\\n]+(?=[{_THAI_CHARS}])"  # a space between Thai characters
)
_APOSTROPHE = re.compile(r"(?<=[a-z])['\u2019](?=[a-z])", re.IGNORECASE)
# Markers passed through word cutting: Latin \w runs that it returns as words.
_MARK = re.compile(r"_0[bx]\d*0_", re.IGNORECASE)
_SENTENCE_MARK = "_0b0_"


@dataclass(frozen=True)
class Term:
    """A word, or a phrase of two words joined by a space, folded.

    count: the number of distinct feedback items it appears in (not the
    number of times it appears).
    quotes: the ids of up to `quotes` of those items, in the order the
    items were given (give the most recent first to quote those).
    """

    text: str
    count: int
    quotes: tuple[int, ...]


class _Analyser:
    """Cuts one text into sentences of terms, for one set of team words."""

    def __init__(self, extra: Iterable[str]) -> None:
        team = {" ".join(fold(word).split()) for word in extra if isinstance(word, str)}
        self.team = frozenset(word for word in team if word)
        # Team words that word cutting would split are found in the text first.
        self.protected = sorted((word for word in self.team if not self._stays_whole(word)),
                                key=lambda word: (-len(word), word))
        self.pattern = None
        if self.protected:
            self.pattern = re.compile("|".join(self._pattern(word) for word in self.protected), re.IGNORECASE)
        self._content: dict[str, bool] = {}

    @staticmethod
    def _stays_whole(word: str) -> bool:
        return bool(re.fullmatch(f"[{_THAI_CHARS}]+", word) or (re.fullmatch(r"\w+", word) and not _THAI.search(word)))

    @staticmethod
    def _pattern(word: str) -> str:
        """A regular expression for `word`, any spaces in it matching any
        run of spaces; a Latin word or number at either end must not go on
        into a longer one (Thai needs no such boundary)."""
        body = r"\s+".join(re.escape(part) for part in word.split())
        latin = f"[^\\W{_THAI_CHARS}]"  # a letter or digit that is not Thai
        start = f"(?<!{latin})" if re.match(latin, word) else ""
        end = f"(?!{latin})" if re.match(latin, word[-1]) else ""
        return f"({start}{body}{end})"

    def _is_content(self, token: str) -> bool:
        known = self._content.get(token)
        if known is None:
            known = self._content[token] = bool(content_words([token]))
        return known

    def sentences(self, text: str) -> list[list[str]]:
        """The sentences of `text`, each a list of its raw folded words."""
        text = _MARK.sub(" ", unicodedata.normalize("NFC", str(text or "")))
        text = _APOSTROPHE.sub("", text)
        # The text with every sentence break and protected team word replaced by a marker word.
        spans = []
        if self.pattern is not None:
            spans = [(match.start(), match.end(), f" _0x{match.lastindex - 1}0_ ")
                     for match in self.pattern.finditer(text)]
        cuts = sorted(spans + [(match.start(), match.end(), f" {_SENTENCE_MARK} ") for match in _BREAK.finditer(text)
                               if not any(start < match.end() and match.start() < end for start, end, _ in spans)])
        pieces, position = [], 0
        for start, end, marker in cuts:
            pieces += (text[position:start], marker)
            position = end
        pieces.append(text[position:])
        sentences: list[list[str]] = [[]]
        for token in words("".join(pieces), extra=self.team):
            if token == _SENTENCE_MARK:
                if sentences[-1]:
                    sentences.append([])
            elif _MARK.fullmatch(token):
                sentences[-1].append(self.protected[int(token[3:-2])])
            else:
                sentences[-1].append(token)
        return [sentence for sentence in sentences if sentence]

    def terms(self, text: str, phrases: bool) -> set[str]:
        """The distinct terms of `text`: its words, or its phrases."""
        found: set[str] = set()
        for sentence in self.sentences(text):
            kept: list[str] = []
            index = 0
            while index < len(sentence):
                token = sentence[index]
                index += 1
                if token in self.team:
                    kept.append(token)
                elif token in THAI_NEGATIONS:
                    following = sentence[index] if index < len(sentence) else None
                    if (following is not None and _THAI_WORD.match(following) and following not in self.team
                            and following not in THAI_NEGATIONS):
                        kept.append(token + following)
                        index += 1
                elif phrases and token in ENGLISH_NEGATIONS:
                    kept.append(token)
                elif self._is_content(token):
                    kept.append(token)
            if not phrases:
                found.update(kept)
                continue
            for first, second in zip(kept, kept[1:]):
                if first != second and (second not in ENGLISH_NEGATIONS or second in self.team):
                    found.add(f"{first} {second}")
        return found


def top_terms(items: Iterable[tuple[int, str]], *, extra: Iterable[str] = (), limit: int = 15, quotes: int = 3,
              phrases: bool = False) -> list[Term]:
    """The `limit` terms found in the most items of `items`, (id, text)
    pairs: single words, or with `phrases` two-word phrases (see the module
    text for what is a word and a phrase). `extra` are the team's own words,
    kept whole. Sorted by count, highest first, then by text (code-point
    order), so the order is the same on every run; each term has the ids of
    the first `quotes` items it appears in, in the order given."""
    if limit < 0 or quotes < 0:
        raise ValueError("limit and quotes must be 0 or more")
    analyser = _Analyser(extra)
    counts: Counter[str] = Counter()
    examples: dict[str, list[int]] = {}
    seen: dict[str, set[str]] = {}  # the terms of a text already cut: survey answers repeat
    for item_id, text in items:
        text = "" if text is None else str(text)
        terms = seen.get(text)
        if terms is None:
            terms = seen[text] = analyser.terms(text, phrases)
        counts.update(terms)
        if quotes:
            for term in terms:
                ids = examples.setdefault(term, [])
                if len(ids) < quotes and item_id not in ids:
                    ids.append(item_id)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    return [Term(text=term, count=count, quotes=tuple(examples.get(term, ()))) for term, count in ranked]
