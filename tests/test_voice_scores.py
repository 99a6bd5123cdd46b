"""NPS, CSAT and CES from the scores of feedback items, worked by hand."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cem.voice.scores import LOW_COUNT, Figures, figures, grouped, nps_group, sentiment_from_scores


def nps_only(*scores):
    return [(score, None, None) for score in scores]


# ---------------------------------------------------------------- one item

@pytest.mark.parametrize("score, group", [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
                                          (9, "promoter"), (10, "promoter"), (None, None)])
def test_nps_groups_at_their_edges(score, group):
    """0-6 detractor, 7-8 passive, 9-10 promoter; no answer, no group."""
    assert nps_group(score) == group


@pytest.mark.parametrize("score", [-1, 11, 100, 9.5, "9", True])
def test_nps_group_refuses_what_is_no_nps(score):
    with pytest.raises(ValueError):
        nps_group(score)


@pytest.mark.parametrize("nps, csat, sentiment", [
    (0, None, "negative"), (6, None, "negative"), (7, None, "neutral"), (8, None, "neutral"),
    (9, None, "positive"), (10, None, "positive"),
    (None, 1, "negative"), (None, 2, "negative"), (None, 3, "neutral"), (None, 4, "positive"), (None, 5, "positive"),
    (None, None, None),
])
def test_sentiment_from_one_score(nps, csat, sentiment):
    assert sentiment_from_scores(nps, csat) == sentiment


def test_nps_wins_over_csat():
    """When both are given, the NPS decides, even against the CSAT."""
    assert sentiment_from_scores(10, 1) == "positive"
    assert sentiment_from_scores(0, 5) == "negative"
    assert sentiment_from_scores(7, 5) == "neutral"


@pytest.mark.parametrize("nps, csat", [(11, None), (-1, None), (None, 0), (None, 6), (9, 6), (11, 5), (None, 4.0)])
def test_sentiment_refuses_scores_out_of_range(nps, csat):
    """Both scores are checked, also the CSAT when the NPS decides."""
    with pytest.raises(ValueError):
        sentiment_from_scores(nps, csat)


def test_numpy_integers_are_scores():
    """Scores read through pandas or numpy are whole numbers too."""
    assert nps_group(np.int64(9)) == "promoter"
    assert figures([(np.int64(10), np.int32(4), np.int8(7))]).nps == 100


# ---------------------------------------------------------------- NPS

def test_nps_of_ten_answers_by_hand():
    """5 promoters, 3 passives, 2 detractors of 10: 50 % - 20 % = +30."""
    result = figures(nps_only(10, 9, 9, 10, 9, 7, 8, 7, 6, 0))
    assert (result.nps_answers, result.promoters, result.passives, result.detractors) == (10, 5, 3, 2)
    assert result.nps == 30


def test_all_passives_is_zero():
    assert figures(nps_only(7, 8, 8, 7)).nps == 0


def test_only_detractors_is_minus_100_and_only_promoters_plus_100():
    assert figures(nps_only(0, 3, 6)).nps == -100
    assert figures(nps_only(9, 10)).nps == 100


def test_no_answers_is_none():
    """No items, or items without an NPS: no NPS (not 0)."""
    empty = figures([])
    assert empty == Figures()
    assert (empty.nps, empty.csat, empty.ces) == (None, None, None)
    assert (empty.nps_answers, empty.csat_answers, empty.ces_answers) == (0, 0, 0)
    assert figures([(None, 5, None), (None, None, None)]).nps is None


def test_nps_is_exact_before_rounding():
    """1 promoter and 2 passives of 3 is +33.33...: the float nearest to 100/3,
    left for the caller to round (no 33.0 or 33.33)."""
    assert figures(nps_only(9, 7, 8)).nps == float(Fraction(100, 3))
    # 2 promoters, 1 detractor of 7: 100/7 = 14.2857...
    assert figures(nps_only(9, 9, 6, 7, 7, 8, 8)).nps == 100 / 7


def test_passives_count_in_the_answers_only():
    """Adding passives pulls the NPS towards 0 without changing its sign."""
    assert figures(nps_only(9, 6, 9)).nps == pytest.approx(100 / 3)
    assert figures(nps_only(9, 6, 9, 7, 7, 7)).nps == pytest.approx(100 / 6)


# ---------------------------------------------------------------- CSAT and CES

def test_csat_is_the_share_of_fours_and_fives():
    """1 2 3 4 5 4: three of six answers are 4 or 5, 50 %."""
    result = figures([(None, score, None) for score in (1, 2, 3, 4, 5, 4)])
    assert (result.csat_answers, result.satisfied, result.csat) == (6, 3, 50)
    assert figures([(None, 3, None)] * 3).csat == 0
    assert figures([(None, 5, None), (None, 4, None)]).csat == 100
    assert figures([(None, 4, None), (None, 3, None), (None, 3, None)]).csat == 100 / 3


def test_ces_is_the_mean():
    """1, 2 and 7 average to 10/3; higher is easier."""
    result = figures([(None, None, 1), (None, None, 2), (None, None, 7)])
    assert result.ces_answers == 3
    assert result.ces == 10 / 3
    assert figures([(None, None, 7)] * 4).ces == 7
    assert figures([(None, None, 1), (None, None, 1)]).ces == 1


def test_missing_scores_count_in_no_figure():
    """Each figure rests on the items that have its score, and only those."""
    rows = [
        (10, 5, 7),        # all three
        (0, None, None),   # NPS only
        (None, 2, None),   # CSAT only
        (None, None, 3),   # CES only
        (None, None, None),
        (8, 4, None),
    ]
    result = figures(rows)
    assert (result.nps_answers, result.promoters, result.passives, result.detractors) == (3, 1, 1, 1)
    assert result.nps == 0
    assert (result.csat_answers, result.satisfied) == (3, 2)
    assert result.csat == 200 / 3
    assert (result.ces_answers, result.ces) == (2, 5)


@pytest.mark.parametrize("row", [(11, None, None), (-1, None, None), (None, 0, None), (None, 6, None),
                                 (None, None, 0), (None, None, 8), (9.0, None, None), (None, "5", None),
                                 (None, None, False)])
def test_out_of_range_scores_raise(row):
    with pytest.raises(ValueError):
        figures([(9, 5, 7), row])


def test_rows_of_the_wrong_length_raise():
    with pytest.raises(ValueError):
        figures([(9, 5)])
    with pytest.raises(ValueError):
        grouped([("stage", 9, 5)])


def test_any_iterable_of_rows():
    """A generator (a database cursor) is read once."""
    assert figures((score, None, None) for score in (10, 0)).nps == 0
    assert figures([[9, 5, 7]]).nps == 100


# ---------------------------------------------------------------- few answers

def test_29_answers_are_few_and_30_are_not():
    assert LOW_COUNT == 30
    assert figures(nps_only(*[9] * 29)).few("nps")
    assert not figures(nps_only(*[9] * 30)).few("nps")


def test_few_is_per_figure():
    """30 NPS answers and 29 CSAT answers: only the CSAT is warned about;
    no answers at all are few too."""
    rows = [(9, 5 if index < 29 else None, None) for index in range(30)]
    result = figures(rows)
    assert not result.few("nps")
    assert result.few("csat")
    assert result.few("ces")
    assert (result.answers("nps"), result.answers("csat"), result.answers("ces")) == (30, 29, 0)


def test_few_refuses_unknown_figures():
    with pytest.raises(ValueError):
        figures([]).few("NPS ")


def test_figures_are_frozen():
    with pytest.raises(AttributeError):
        figures(nps_only(9)).nps = 0


# ---------------------------------------------------------------- grouped

def test_grouped_keeps_first_seen_order():
    """Keys come in the order they first appear, not sorted."""
    rows = [("2026-03", 9, None, None), ("2026-01", 0, None, None), ("2026-03", 10, 4, None),
            ("2026-02", None, None, None), ("2026-01", 7, 2, 5)]
    result = grouped(rows)
    assert list(result) == ["2026-03", "2026-01", "2026-02"]
    assert result["2026-03"].nps == 100 and result["2026-03"].csat == 100
    assert result["2026-01"].nps == -50 and result["2026-01"].csat == 0 and result["2026-01"].ces == 5
    assert result["2026-02"] == Figures()  # a key with a row but no scores is there, empty


def test_grouped_by_any_key():
    """Stage ids, channels, even tuples or None."""
    result = grouped([(3, 9, None, None), (1, 6, None, None), (None, 8, None, None), ((1, "line"), 9, None, None)])
    assert list(result) == [3, 1, None, (1, "line")]
    assert [figure.nps for figure in result.values()] == [100, -100, 0, 100]
    assert grouped([]) == {}


def test_grouped_refuses_bad_scores():
    with pytest.raises(ValueError):
        grouped([("a", 9, None, None), ("b", None, 9, None)])


scores = st.tuples(st.none() | st.integers(0, 10), st.none() | st.integers(1, 5), st.none() | st.integers(1, 7))


@given(st.lists(st.tuples(st.sampled_from("abc"), scores), max_size=60))
def test_grouped_adds_up_to_the_whole(rows):
    """The groups' counts add up to those of all rows; every figure is
    exactly its definition and within its range."""
    whole = figures(row for _, row in rows)
    parts = grouped((key, *row) for key, row in rows).values()
    for name in ("nps_answers", "promoters", "passives", "detractors", "csat_answers", "satisfied", "ces_answers"):
        assert sum(getattr(part, name) for part in parts) == getattr(whole, name)
    for part in [whole, *parts]:
        assert part.promoters + part.passives + part.detractors == part.nps_answers
        if part.nps_answers:
            assert part.nps == float(Fraction(100 * (part.promoters - part.detractors), part.nps_answers))
            assert -100 <= part.nps <= 100
        else:
            assert part.nps is None
        if part.csat_answers:
            assert 0 <= part.csat <= 100
        else:
            assert part.csat is None
        assert (part.ces is None) == (part.ces_answers == 0)
        if part.ces is not None:
            assert 1 <= part.ces <= 7
    ces = [row[2] for _, row in rows if row[2] is not None]
    if ces:
        assert whole.ces == float(Fraction(sum(ces), len(ces)))
