"""Dates and amounts as Thai offices write them, and the 20:80 arithmetic."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest

from cem.customers.pareto import analyse
from cem.customers.values import DAY_FIRST, MONTH_FIRST, ValueProblem, date_order, parse_amount, parse_date

TODAY = date(2026, 12, 1)
JAN_15 = date(2024, 1, 15)


@pytest.mark.parametrize("written", [
    "15/01/2567", "15/01/2024", "15-1-67", "15.01.2024", "15/1/24", "๑๕/๐๑/๒๕๖๗",
    "15 ม.ค. 2567", "15 ม.ค. 67", "15 มกราคม 2567", "15 มค 2567", "15 Jan 2024", "15 January 2024",
    "2024-01-15", "2567-01-15", "2024-01-15 00:00:00", "15/01/2024 09:30", 45306, 45306.75, "45306",
    datetime(2024, 1, 15, 9, 30), JAN_15,
])
def test_a_date_in_every_form_a_thai_office_writes(written):
    assert parse_date(written, today=TODAY) == JAN_15


def test_the_order_of_day_and_month_comes_from_the_column():
    assert date_order(["13/04/2024", "03/04/2024"]) == DAY_FIRST
    assert date_order(["04/13/2024", "03/04/2024"]) == MONTH_FIRST
    assert date_order(["03/04/2024", "05/06/2567"]) is None  # only the person importing can tell
    assert date_order(["2024-04-03", 45306, "15 ม.ค. 67", "07/07/2024"]) == DAY_FIRST
    assert parse_date("03/04/2024", order=DAY_FIRST) == date(2024, 4, 3)
    assert parse_date("03/04/2024", order=MONTH_FIRST) == date(2024, 3, 4)


def test_an_ambiguous_date_is_never_guessed():
    with pytest.raises(ValueProblem) as caught:
        parse_date("03/04/2024", order=None, today=TODAY)
    assert caught.value.code == "billing.problem.day_or_month"
    assert parse_date("13/04/2024", order=None) == date(2024, 4, 13)
    assert parse_date("04/04/2024", order=None) == date(2024, 4, 4)


@pytest.mark.parametrize("written, code", [
    ("31/02/2024", "billing.problem.no_such_date"), ("15 Foo 2024", "billing.problem.not_a_date"),
    ("tomorrow", "billing.problem.not_a_date"), (-3, "billing.problem.not_a_date"), (True, "billing.problem.not_a_date"),
])
def test_a_date_that_is_not_one_is_named(written, code):
    with pytest.raises(ValueProblem) as caught:
        parse_date(written, today=TODAY)
    assert caught.value.code == code


def test_two_digit_years_land_in_the_era_nearer_today():
    assert parse_date("01/02/67", today=TODAY) == date(2024, 2, 1)  # 2567 BE
    assert parse_date("01/02/24", today=TODAY) == date(2024, 2, 1)  # 2024 CE
    assert parse_date("01/02/69", today=TODAY) == date(2026, 2, 1)  # 2569 BE, not 2069


@pytest.mark.parametrize("written, amount", [
    ("1,234.50", "1234.50"), ("฿1,234.50", "1234.50"), ("1,234.50 บาท", "1234.50"), ("THB 1234.5", "1234.5"),
    ("๑,๒๓๔.๕๐", "1234.50"), ("(1,234.50)", "-1234.50"), ("-1,234.50", "-1234.50"), ("1,234.50-", "-1234.50"),
    ("−20", "-20"), ("฿-20", "-20"), ("+15", "15"), (".5", "0.5"), (1500, "1500"), (2.5, "2.5"), ("  ", None),
    (None, None),
])
def test_an_amount_in_every_form(written, amount):
    assert parse_amount(written) == (None if amount is None else Decimal(amount))


@pytest.mark.parametrize("written", ["1.2.3", "12,34", "abc", "1,2345", "--5", "(5", float("nan"), True])
def test_an_amount_that_is_not_one_is_named(written):
    with pytest.raises(ValueProblem) as caught:
        parse_amount(written)
    assert caught.value.code == "billing.problem.not_an_amount"


# ---------------------------------------------------------------- the 20:80 analysis


def test_pareto_against_a_hand_worked_example():
    """Ten customers, 1,000 baht in all: 500, 200, 100, 60, 40, 30, 30, 20, 10, 10.
    The top 20 % (2 customers) bring 70 %; 3 customers (30 %) reach 80 %.
    A: those ranked above bring under 80 % (1-3); B: under 95 % (4-7); C: the rest.
    Gini: ascending, sum of rank x revenue = 8,620; 2 x 8,620 / (10 x 1,000) - 11/10 = 0.624."""
    result = analyse(range(10, 0, -1), [10, 10, 20, 30, 30, 40, 60, 100, 200, 500])
    assert list(result.customer_ids) == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert (result.top_customers, result.top_share) == (2, pytest.approx(0.7))
    assert (result.needed_customers, result.needed_share) == (3, pytest.approx(0.3))
    assert "".join(result.classes) == "AAABBBBCCC"
    assert result.gini == pytest.approx(0.624)
    x, y = result.lorenz()
    assert (x[0], y[0], x[-1], y[-1]) == (0, 0, 1, pytest.approx(1))
    assert y[5] == pytest.approx(0.10)  # the lowest half bring 10 %


def test_credit_notes_that_cancel_a_customer_leave_the_shares():
    result = analyse([1, 2, 3, 4], [300, 0, -50, 100])
    assert list(result.customer_ids) == [1, 4]
    assert result.not_positive == [2, 3]
    assert result.total == 400


def test_ties_rank_by_id_and_the_figures_do_not_depend_on_their_order():
    first = analyse([5, 4, 3, 2, 1], [10] * 5)
    second = analyse([1, 2, 3, 4, 5], [10] * 5)
    assert list(first.customer_ids) == list(second.customer_ids) == [1, 2, 3, 4, 5]
    assert (first.top_share, first.needed_customers, first.gini) == (pytest.approx(0.2), 4, 0.0)
    assert "".join(first.classes) == "AAAAB"


def test_one_customer_and_no_customers():
    one = analyse([7], [99])
    assert (one.top_customers, one.top_share, one.needed_share, one.gini, list(one.classes)) == (1, 1.0, 1.0, 0.0, ["A"])
    none = analyse([], [])
    assert (none.customers, none.top_share, none.needed_share, none.gini) == (0, None, None, None)
    x, y = none.lorenz()
    assert list(x) == list(y) == [0.0, 1.0]


def test_abc_limits_are_the_workspaces():
    result = analyse([1, 2, 3, 4], [40, 30, 20, 10], a_limit=0.5, b_limit=0.8)
    assert "".join(result.classes) == "AABC"
    with pytest.raises(ValueError):
        analyse([1], [1], a_limit=0.9, b_limit=0.8)


def test_a_large_skewed_population_is_analysed_in_one_pass():
    rng = np.random.default_rng(2026)
    revenue = rng.pareto(1.16, 50_000) + 1  # the classic 80/20 shape
    result = analyse(np.arange(50_000), revenue)
    assert result.customers == 50_000
    assert 0.5 < result.top_share < 0.95
    assert np.all(np.diff(result.revenue) <= 0)


def test_the_pareto_chart_groups_customers_past_sixty_bars():
    from cem.customers import charts

    result = analyse(range(1, 301), [1000 - i for i in range(300)])
    assert len(charts.groups(result)) == 60 and charts.groups(result)[0] == (1, 5)
    figure = charts.pareto_chart(result, lambda key, **params: key)
    bars, line, target = figure.data
    assert (len(bars.x), bars.x[0], list(target.y)) == (60, "1–5", [80, 80])
    assert line.y[-1] == pytest.approx(100)
    few = analyse([1, 2, 3], [30, 20, 10])
    assert list(charts.pareto_chart(few, lambda key, **params: key).data[0].x) == ["1", "2", "3"]
    empty = charts.pareto_chart(analyse([], []), lambda key, **params: key)
    assert empty.layout.annotations[0].text == "customers.none_in_period"


def test_the_ranked_lists_file_name_reads_its_months_in_the_persons_language():
    from cem.customers.export import ranking_file_name

    assert ranking_file_name("2025-12", "2026-11", "th") == "ลูกค้าเรียงตามรายได้ ธันวาคม 2568 – พฤศจิกายน 2569.xlsx"
    assert ranking_file_name("2025-12", "2026-11", "en") == "customers by revenue December 2025 – November 2026.xlsx"
    assert ranking_file_name("2026-11", "2026-11", "en") == "customers by revenue November 2026.xlsx"
