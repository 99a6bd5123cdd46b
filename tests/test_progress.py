"""The monthly 30/20/10 arithmetic and months, on plain values."""
from __future__ import annotations

import pytest

from cem.core import months
from cem.core.errors import ValidationError
from cem.improvement.progress import DEFAULT_TIERS, CheckInValue, TaskMonths, month_figures, parse_tiers


def task(commitments: dict[str, int] | None = None, *check_ins: tuple[str, int]) -> TaskMonths:
    """A task with commitments and check-ins (month, progress) in the order recorded."""
    return TaskMonths(dict(commitments or {}),
                      [CheckInValue(month, progress, order) for order, (month, progress) in enumerate(check_ins, 1)])


# ---------------------------------------------------------------- commitments met or missed


def test_commitment_met_when_the_gain_beats_the_tier():
    """30% committed, 35% reached from nothing: on target."""
    figures = task({"2026-11": 30}, ("2026-11", 35))
    assert figures.gain("2026-11") == 35
    assert figures.on_target("2026-11") is True


def test_commitment_missed_when_the_gain_falls_short():
    """30% committed, 25% reached: below target."""
    assert task({"2026-11": 30}, ("2026-11", 25)).on_target("2026-11") is False


def test_exactly_the_tier_is_on_target():
    """A gain equal to the tier counts as met."""
    assert task({"2026-11": 20}, ("2026-11", 20)).on_target("2026-11") is True


def test_month_without_a_commitment_is_neither_on_nor_off_target():
    """No commitment: on_target is None, not False."""
    assert task({}, ("2026-11", 50)).on_target("2026-11") is None


def test_task_without_a_check_in_gains_nothing_and_is_off_target():
    """Committed but never recorded: gain 0, below target."""
    figures = task({"2026-11": 10})
    assert figures.progress_at("2026-11") == 0
    assert figures.gain("2026-11") == 0
    assert figures.checked_in("2026-11") is False
    assert figures.on_target("2026-11") is False


# ---------------------------------------------------------------- cumulative progress


def test_progress_is_carried_across_months():
    """35% in November counts as the start of December; 60% in December is a gain of 25."""
    figures = task({"2026-11": 30, "2026-12": 20}, ("2026-11", 35), ("2026-12", 60))
    assert figures.progress_at("2026-12") == 60
    assert figures.gain("2026-12") == 25
    assert figures.on_target("2026-12") is True


def test_a_month_without_check_in_keeps_the_previous_figure():
    """No record in December: December shows November's 35%, gain 0."""
    figures = task({"2026-12": 10}, ("2026-11", 35))
    assert figures.progress_at("2026-12") == 35
    assert figures.progress_at("2027-03") == 35
    assert figures.gain("2026-12") == 0
    assert figures.on_target("2026-12") is False
    assert figures.progress_at("2026-10") == 0


def test_progress_across_the_year_boundary():
    """December's figure is January's starting point."""
    figures = task({"2027-01": 20}, ("2026-12", 40), ("2027-01", 65))
    assert figures.gain("2027-01") == 25
    assert figures.on_target("2027-01") is True


def test_progress_that_goes_down_is_a_negative_gain():
    """50% then 40%: gain -10, below any target."""
    figures = task({"2026-12": 10}, ("2026-11", 50), ("2026-12", 40))
    assert figures.gain("2026-12") == -10
    assert figures.on_target("2026-12") is False


def test_several_check_ins_in_a_month_latest_wins_and_earlier_are_kept():
    """Three records in one month: the month's figure is the last one, all three stay."""
    figures = task({"2026-11": 30}, ("2026-11", 10), ("2026-11", 40), ("2026-11", 25))
    assert figures.recorded() == {"2026-11": 25}
    assert figures.on_target("2026-11") is False
    assert [c.progress for c in figures.check_ins] == [10, 40, 25]


def test_latest_check_in_is_chosen_by_order_not_list_position():
    """Check-ins loaded out of order still give the newest one."""
    figures = TaskMonths({}, [CheckInValue("2026-11", 40, 7), CheckInValue("2026-11", 10, 3)])
    assert figures.progress_at("2026-11") == 40


def test_changing_the_tiers_does_not_change_existing_commitments():
    """A 30% commitment stays 30% after the journey's tiers become 25/15/5."""
    figures = task({"2026-11": 30}, ("2026-11", 28))
    assert parse_tiers("25, 15, 5") == (25, 15, 5)
    assert figures.commitments["2026-11"] == 30
    assert figures.on_target("2026-11") is False


def test_month_figures_count_and_average_the_committed_tasks():
    """Two committed tasks (one on target) and one uncommitted task with progress: 1 of 2, averages 25 and 20."""
    tasks = [task({"2026-11": 30}, ("2026-11", 35)), task({"2026-11": 20}, ("2026-11", 5)), task({}, ("2026-11", 50))]
    figures = month_figures(tasks, "2026-11")
    assert (figures.committed_tasks, figures.on_target) == (2, 1)
    assert figures.average_tier == 25
    assert figures.average_gain == 20  # the uncommitted task does not count
    assert figures.on_target_share == 0.5
    assert month_figures([], "2026-11").on_target_share is None


# ---------------------------------------------------------------- tiers


def test_parse_tiers_cleans_and_sorts():
    """Spaces, per cent signs, semicolons and duplicates are tidied, largest first."""
    assert parse_tiers("10, 30 ,20") == (30, 20, 10)
    assert parse_tiers("30%;20%; 20") == (30, 20)
    assert DEFAULT_TIERS == (30, 20, 10)


@pytest.mark.parametrize("text", ["", " , ", "0, 10", "101", "ten", "12.5", "-10", None])
def test_parse_tiers_refuses_bad_values(text):
    """Empty text, 0, over 100, words, fractions and negatives are refused."""
    with pytest.raises(ValueError):
        parse_tiers(text)


# ---------------------------------------------------------------- months


def test_add_and_previous_cross_the_year():
    """December plus one is January of the next year, and back."""
    assert months.add("2026-12", 1) == "2027-01"
    assert months.previous("2027-01") == "2026-12"
    assert months.add("2026-11", -23) == "2024-12"
    assert months.add("2026-01", 12) == "2027-01"


def test_between_includes_both_ends():
    """November to February is four months; a reversed range is empty."""
    assert months.between("2026-11", "2027-02") == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert months.between("2026-11", "2026-11") == ["2026-11"]
    assert months.between("2027-01", "2026-12") == []


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "", "November"])
def test_check_refuses_bad_months(text):
    """Only YYYY-MM with a real month passes."""
    with pytest.raises(ValidationError) as raised:
        months.check(text, column="plan.col.start_month")
    assert raised.value.params["column"] == "plan.col.start_month"


def test_labels_in_thai_use_the_buddhist_era():
    """2026-11 reads พฤศจิกายน 2569 in Thai and November 2026 in English."""
    assert months.label("2026-11", "th") == "พฤศจิกายน 2569"
    assert months.label("2027-01", "th") == "มกราคม 2570"
    assert months.label("2026-11", "th", short=True) == "พ.ย. 69"
    assert months.label("2026-11", "en") == "November 2026"
    assert months.label("2026-11", "en", short=True) == "Nov 2026"


def test_month_of_a_date():
    """A date gives its month as YYYY-MM."""
    from datetime import date

    assert months.of(date(2026, 1, 31)) == "2026-01"
