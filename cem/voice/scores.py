"""The voice-of-the-customer scores: NPS, CSAT and CES, on plain values.

Each feedback item may carry three scores, any of them missing:

- NPS, "how likely are you to recommend us", 0 to 10: 9-10 is a promoter,
  7-8 a passive, 0-6 a detractor. NPS = % promoters - % detractors, from
  -100 (all detractors) to +100 (all promoters); passives count in the
  answers only.
- CSAT, "how satisfied are you", 1 to 5: CSAT = % of answers that are 4 or
  5, from 0 to 100.
- CES, "how easy was it", 1 to 7, higher is easier: CES = the mean of the
  answers.

A missing score counts in no figure: an item with an NPS and no CSAT is one
NPS answer and no CSAT answer. A figure with no answers is None. Figures
from fewer than LOW_COUNT answers are shown with a warning (`Figures.few`).

The percentages and the mean are divisions of whole counts done once, so
each is the float nearest to the exact value (no sum of rounded parts);
rounding for display is left to the caller.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Hashable, Iterable, TypeVar

LOW_COUNT = 30  # a figure from fewer answers than this gets a warning

NPS_RANGE = (0, 10)
CSAT_RANGE = (1, 5)
CES_RANGE = (1, 7)

K = TypeVar("K", bound=Hashable)


def _score(value, name: str, bounds: tuple[int, int]) -> int | None:
    """`value` as an int within `bounds`, or None when missing; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name} score must be a whole number, not {value!r}")
    try:
        number = operator.index(value)  # int, numpy integers
    except TypeError:
        raise ValueError(f"{name} score must be a whole number, not {value!r}") from None
    low, high = bounds
    if not low <= number <= high:
        raise ValueError(f"{name} score {number} is outside {low}-{high}")
    return number


def nps_group(score: int | None) -> str | None:
    """"promoter" (9-10), "passive" (7-8) or "detractor" (0-6) for an NPS
    answer, None when there is none. ValueError outside 0-10."""
    score = _score(score, "NPS", NPS_RANGE)
    if score is None:
        return None
    if score >= 9:
        return "promoter"
    if score >= 7:
        return "passive"
    return "detractor"


def sentiment_from_scores(nps: int | None, csat: int | None) -> str | None:
    """"positive", "neutral" or "negative" from the scores of one item.

    The NPS decides when there is one: 9-10 positive, 7-8 neutral, 0-6
    negative. Otherwise the CSAT: 4-5 positive, 3 neutral, 1-2 negative.
    None when there is neither. ValueError for a score out of range (both
    are checked, even when the NPS decides).
    """
    nps = _score(nps, "NPS", NPS_RANGE)
    csat = _score(csat, "CSAT", CSAT_RANGE)
    if nps is not None:
        return {"promoter": "positive", "passive": "neutral", "detractor": "negative"}[nps_group(nps)]
    if csat is not None:
        return "positive" if csat >= 4 else "neutral" if csat == 3 else "negative"
    return None


@dataclass(frozen=True)
class Figures:
    """The scores of a set of feedback items.

    nps_answers: items with an NPS; promoters (9-10), passives (7-8) and
      detractors (0-6) add up to it.
    nps: % promoters - % detractors of the NPS answers, -100 to +100; None
      with no NPS answers.
    csat_answers: items with a CSAT; satisfied: those that are 4 or 5.
    csat: % of the CSAT answers that are satisfied, 0 to 100; None with none.
    ces_answers: items with a CES.
    ces: the mean CES, 1 to 7, higher is easier; None with none.
    """

    nps_answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    nps: float | None = None
    csat_answers: int = 0
    satisfied: int = 0
    csat: float | None = None
    ces_answers: int = 0
    ces: float | None = None

    def answers(self, figure: str) -> int:
        """How many answers `figure` ("nps", "csat" or "ces") rests on."""
        try:
            return {"nps": self.nps_answers, "csat": self.csat_answers, "ces": self.ces_answers}[figure]
        except KeyError:
            raise ValueError(f"unknown figure {figure!r}: expected 'nps', 'csat' or 'ces'") from None

    def few(self, figure: str) -> bool:
        """Whether `figure` ("nps", "csat" or "ces") rests on fewer than
        LOW_COUNT answers (no answers at all included), so that it should be
        shown with a warning."""
        return self.answers(figure) < LOW_COUNT


class _Tally:
    """Counts of one set of items, turned into Figures at the end."""

    __slots__ = ("promoters", "passives", "detractors", "csat_answers", "satisfied", "ces_answers", "ces_total")

    def __init__(self) -> None:
        self.promoters = self.passives = self.detractors = 0
        self.csat_answers = self.satisfied = 0
        self.ces_answers = self.ces_total = 0

    def add(self, nps, csat, ces) -> None:
        nps = _score(nps, "NPS", NPS_RANGE)
        csat = _score(csat, "CSAT", CSAT_RANGE)
        ces = _score(ces, "CES", CES_RANGE)
        if nps is not None:
            if nps >= 9:
                self.promoters += 1
            elif nps >= 7:
                self.passives += 1
            else:
                self.detractors += 1
        if csat is not None:
            self.csat_answers += 1
            self.satisfied += csat >= 4
        if ces is not None:
            self.ces_answers += 1
            self.ces_total += ces

    def figures(self) -> Figures:
        nps_answers = self.promoters + self.passives + self.detractors
        # int / int is correctly rounded: each figure is the float nearest the exact value.
        return Figures(
            nps_answers=nps_answers, promoters=self.promoters, passives=self.passives, detractors=self.detractors,
            nps=100 * (self.promoters - self.detractors) / nps_answers if nps_answers else None,
            csat_answers=self.csat_answers, satisfied=self.satisfied,
            csat=100 * self.satisfied / self.csat_answers if self.csat_answers else None,
            ces_answers=self.ces_answers,
            ces=self.ces_total / self.ces_answers if self.ces_answers else None,
        )


def _triple(row, width: int) -> tuple:
    row = tuple(row)
    if len(row) != width:
        raise ValueError(f"expected {width} values per row, got {len(row)}: {row!r}")
    return row


def figures(scores: Iterable[tuple[int | None, int | None, int | None]]) -> Figures:
    """The Figures of (nps, csat, ces) triples, one per feedback item, any
    of the three None when missing. ValueError for a score out of range or
    not a whole number."""
    tally = _Tally()
    for row in scores:
        tally.add(*_triple(row, 3))
    return tally.figures()


def grouped(rows: Iterable[tuple[K, int | None, int | None, int | None]]) -> dict[K, Figures]:
    """Figures per key from (key, nps, csat, ces) rows: the key is a stage
    id, a month "YYYY-MM", a channel... Keys come in the order they are
    first seen; a key appears only if it has at least one row (even a row
    with no scores at all, whose Figures are then all empty)."""
    tallies: dict[K, _Tally] = {}
    for row in rows:
        key, nps, csat, ces = _triple(row, 4)
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = _Tally()
        tally.add(nps, csat, ces)
    return {key: tally.figures() for key, tally in tallies.items()}
