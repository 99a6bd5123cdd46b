"""What the voices say, per stage, sub-step, month and channel: the scores
(cem.voice.scores) with how many answers each rests on, word of mouth
for and against by month, and the words and phrases customers use most
(cem.voice.themes) with quotes.

Every figure here is computed from the voices themselves, never from
other figures: a stage's NPS is over its own answers, not an average of
its sub-steps' NPS.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from cem.core import months
from cem.voice import scores, themes
from cem.voice.feedback import Voice

UNPLACED = 0  # the stage or sub-step key of voices placed nowhere


def _triples(voices: Iterable[Voice]):
    return [(voice.nps, voice.csat, voice.ces) for voice in voices]


def overall(voices: list[Voice]) -> scores.Figures:
    return scores.figures(_triples(voices))


def by_stage(voices: list[Voice]) -> dict[int, scores.Figures]:
    """Figures per stage id (UNPLACED for voices on no stage)."""
    return scores.grouped((voice.stage_id or UNPLACED, voice.nps, voice.csat, voice.ces) for voice in voices)


def by_step(voices: list[Voice]) -> dict[int, scores.Figures]:
    """Figures per sub-step id, for voices placed on a sub-step."""
    return scores.grouped((voice.step_id, voice.nps, voice.csat, voice.ces) for voice in voices if voice.step_id)


def by_channel(voices: list[Voice]) -> dict[str, scores.Figures]:
    return scores.grouped((voice.channel or "", voice.nps, voice.csat, voice.ces) for voice in voices)


def by_month(voices: list[Voice], first: str, last: str) -> dict[str, scores.Figures]:
    """Figures for every month from `first` to `last`, empty months included."""
    found = scores.grouped((months.of(voice.received), voice.nps, voice.csat, voice.ces) for voice in voices)
    return {month: found.get(month, scores.Figures()) for month in months.between(first, last)}


@dataclass(frozen=True)
class WordOfMouth:
    month: str
    positive: int
    negative: int
    neutral: int


def word_of_mouth(voices: list[Voice], first: str, last: str) -> list[WordOfMouth]:
    """Word-of-mouth voices for and against, by month."""
    counted = {month: {"positive": 0, "negative": 0, "neutral": 0} for month in months.between(first, last)}
    for voice in voices:
        month = months.of(voice.received)
        if voice.kind == "word_of_mouth" and month in counted:
            counted[month][voice.sentiment] += 1
    return [WordOfMouth(month, c["positive"], c["negative"], c["neutral"]) for month, c in counted.items()]


@dataclass(frozen=True)
class TermQuotes:
    text: str
    count: int  # how many voices use it
    quotes: tuple[str, ...]


def top_terms(voices: list[Voice], *, extra: Iterable[str] = (), phrases: bool = False, limit: int = 15,
              quotes: int = 3) -> list[TermQuotes]:
    """The words (or two-word phrases) in the most voices, each with the
    words of a few of them, newest first."""
    said = {(voice.source, voice.id): voice.text for voice in voices if voice.text.strip()}
    keys = list(said)
    found = themes.top_terms(((number, said[key]) for number, key in enumerate(keys)), extra=extra, limit=limit,
                             quotes=quotes, phrases=phrases)
    return [TermQuotes(term.text, term.count, tuple(said[keys[number]] for number in term.quotes)) for term in found]
