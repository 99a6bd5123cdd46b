"""Cutting text into words, offline: Thai with PyThaiNLP's newmm and its
own dictionary (shipped in the wheel, nothing to download), plus the
team's own words (product and place names) so that they stay whole;
English and numbers split at spaces and punctuation.

Words are folded for matching: Unicode NFC, Thai vowel and tone marks in
their standard order, lower case.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from pythainlp.corpus import thai_stopwords, thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import dict_trie
from pythainlp.util import normalize as thai_normalize
from sqlalchemy import select
from sqlmodel import Session

from cem.core.models import TextWord

# A token is kept when it has a letter or a digit in it (Thai letters are
# category Lo, their marks Mn).
_WORDLIKE = re.compile(r"\w", re.UNICODE)
_THAI = re.compile(r"[\u0e00-\u0e7f]")
ENGLISH_STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you your
yours also get got im ive dont cant wont didnt doesnt isnt wasnt one really much even still
""".split())


def fold(text: str) -> str:
    """`text` as it is compared: NFC, Thai marks in order, lower case."""
    return thai_normalize(unicodedata.normalize("NFC", str(text or ""))).casefold()


@lru_cache(maxsize=8)
def dictionary(extra: frozenset[str]):
    """The words Thai is cut into: PyThaiNLP's, a few it lacks, and `extra` (the team's)."""
    return dict_trie(set(thai_words()) | EXTRA_THAI_WORDS | set(extra))


def team_words(session: Session) -> frozenset[str]:
    """The team's own words, folded."""
    return frozenset(fold(word) for word in session.execute(select(TextWord.word)).scalars())


def words(text: str, extra: Iterable[str] = ()) -> list[str]:
    """The words of `text` in order, folded; spaces and punctuation dropped."""
    folded = fold(text)
    if not folded.strip():
        return []
    if not _THAI.search(folded):  # no Thai: no dictionary needed
        return re.findall(r"\w+", folded)
    tokens = word_tokenize(folded, custom_dict=dictionary(frozenset(extra)), engine="newmm", keep_whitespace=False)
    found = []
    for token in tokens:
        token = token.strip()
        if not token:
            continue
        if _THAI.search(token):
            found.append(token)
        else:  # newmm leaves Latin runs with their punctuation ("call-center,"): split them
            found += re.findall(r"\w+", token)
    return [token for token in found if _WORDLIKE.search(token)]


# PyThaiNLP's stop words include words that say how a service felt (ช้า
# slow, ผิด wrong, ง่าย easy): in feedback they are the point, so they stay.
KEPT_THAI = frozenset("ช้า เร็ว นาน ผิด ถูก ง่าย ยาก ถูกต้อง ช่วย เสีย ใหม่ เข้าใจ น้อย พอ บ่อย ได้รับ".split())
# Words customers use that PyThaiNLP's dictionary lacks (it cuts แอป into แอ ป).
EXTRA_THAI_WORDS = frozenset("แอป แอพ".split())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return (frozenset(fold(word) for word in thai_stopwords()) - KEPT_THAI) | ENGLISH_STOPWORDS


def content_words(tokens: Iterable[str]) -> list[str]:
    """`tokens` without stop words, bare numbers and single Latin letters."""
    stop = stopwords()
    return [token for token in tokens
            if token not in stop and not token.isdigit() and not (len(token) == 1 and token.isascii())]
