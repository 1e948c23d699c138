"""What the end of a contract costs (pure): buy-out prices, early termination, damage under fair wear."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from daas.contracts.end_of_term_rules import buy_out_price, damage_fee, early_termination, whole_months
from daas.core.dates import add_months

D = Decimal


def test_whole_months_count_down_by_day_of_month():
    assert whole_months(date(2027, 1, 15), date(2028, 6, 1)) == 16
    assert whole_months(date(2027, 1, 15), date(2028, 6, 15)) == 17
    assert whole_months(date(2027, 1, 31), date(2027, 2, 28)) == 1  # clamped: Jan 31 + 1 month = Feb 28
    assert whole_months(date(2027, 1, 15), date(2027, 2, 14)) == 0
    assert whole_months(date(2027, 3, 1), date(2027, 1, 1)) == 0


@given(st.dates(date(2020, 1, 1), date(2040, 1, 1)), st.integers(0, 5000))
def test_whole_months_are_the_most_that_fit(start, days):
    end = start + timedelta(days=days)
    months = whole_months(start, end)
    assert add_months(start, months) <= end
    assert add_months(start, months + 1) > end


def test_a_buy_out_is_the_straight_line_value_above_the_floor_times_the_grade():
    # 1250.00 list, 48 months' life, 30 months old, grade B: 1250 × 18/48 = 468.75 × 0.85 = 398.4375
    price = buy_out_price(D("1250.00"), D("0.1"), 30, 48, "B", "EUR")
    assert (price.price, price.straight_line, price.grade_factor) == (D("398.44"), D("468.75"), D("0.85"))
    # Past its life the floor holds: 10 % of 1250.00 = 125.00; never graded counts as A.
    assert buy_out_price(D("1250.00"), D("0.1"), 60, 48, None, "EUR").price == D("125.00")
    assert buy_out_price(D("1250.00"), D("0.1"), 60, 48, "D", "EUR").price == D("37.50")
    assert buy_out_price(D("150000"), D("0.1"), 12, 48, "C", "JPY").price == D("67500")


@given(
    list_value=st.decimals(D("1.00"), D("100000.00"), places=2),
    floor_share=st.decimals(D("0"), D("1"), places=3),
    age=st.integers(0, 200),
    life=st.integers(1, 120),
    grade=st.sampled_from(["A", "B", "C", "D", None]),
)
def test_a_buy_out_never_goes_below_the_graded_floor_nor_above_the_list_value(
    list_value, floor_share, age, life, grade
):
    price = buy_out_price(list_value, floor_share, age, life, grade, "EUR")
    assert price.price <= list_value
    assert price.price >= (floor_share * list_value * price.grade_factor).quantize(D("0.01")) - D("0.01")
    assert price.price == price.price.quantize(D("0.01"))


def test_early_termination_charges_a_share_of_the_remaining_minimum_or_device_months():
    charge = early_termination(date(2027, 1, 15), date(2028, 6, 1), D("0.5"), D("500.00"), D("78.00"), "EUR")
    assert (charge.remaining_months, charge.basis, charge.amount) == (16, "minimum", D("4000.00"))
    # Without a minimum: two laptops at 39.00, 16 months, half: 624.00.
    charge = early_termination(date(2027, 1, 15), date(2028, 6, 1), D("0.5"), None, D("78.00"), "EUR")
    assert (charge.basis, charge.monthly, charge.amount) == ("devices", D("78.00"), D("624.00"))
    assert (
        early_termination(date(2028, 5, 20), date(2028, 6, 1), D("0.5"), D("500"), D("0"), "EUR").amount == 0
    )


def test_damage_pays_only_beyond_fair_wear():
    fees = {"C": D("90.00"), "D": D("250.00")}
    life = 1460
    assert damage_fee(fees, "A", 10, life) is None
    assert damage_fee(fees, "B", 10, life) is None
    assert damage_fee(fees, "C", 729, life) == D("90.00")  # before half its life
    assert damage_fee(fees, "C", 730, life) is None  # half its life: fair wear
    assert damage_fee(fees, "D", 2000, life) == D("250.00")
    assert damage_fee(fees, None, 10, life) is None


def test_the_policy_settings_are_read_and_refused_with_the_reason():
    import pytest

    from daas.contracts.end_of_term_rules import parse_damage_fees, parse_grade_factors, parse_share

    assert parse_share("0.5") == D("0.5")
    assert parse_grade_factors("A=1, B=0.9, C=0.5, D=0.2")["B"] == D("0.9")
    fees = parse_damage_fees("EUR:laptop:C=90.00, EUR:laptop:D=250.00, USD:phone:D=99")
    assert fees == {("EUR", "laptop"): {"C": D("90.00"), "D": D("250.00")}, ("USD", "phone"): {"D": D("99")}}
    for parse, text, reason in (
        (parse_share, "1.5", "between 0 and 1"),
        (parse_share, "half", "not a number"),
        (parse_grade_factors, "A=1, B=0.9", "no factor for grade C, D"),
        (parse_damage_fees, "EUR:laptop:B=10", "grade C or D"),
        (parse_damage_fees, "EUR:laptop:C=-1", "more than 0"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse(text)
