"""Money rules of billing.md: exponents, one half-up rounding per line, amounts as decimal strings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.core import money

CURRENCIES = sorted(money.CURRENCY_EXPONENTS)

# Amounts as the API accepts them: at most six decimals and sixteen digits.
amounts = st.decimals(
    min_value=Decimal("-9999999999.999999"),
    max_value=Decimal("9999999999.999999"),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)
currencies = st.sampled_from(CURRENCIES)


def test_exponents_of_billing_md() -> None:
    for currency in ("EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN"):
        assert money.exponent(currency) == 2
    assert money.exponent("JPY") == 0


def test_unknown_currency_is_refused() -> None:
    assert not money.is_known_currency("XYZ")
    assert not money.is_known_currency("eur")
    with pytest.raises(money.UnknownCurrency):
        money.exponent("XYZ")
    with pytest.raises(money.UnknownCurrency):
        money.format_money(Decimal(1), "BTC")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("71.705", "EUR", "71.71"),  # half up, not half even
        ("71.715", "EUR", "71.72"),
        ("71.7049", "EUR", "71.70"),
        ("0.005", "EUR", "0.01"),
        ("-0.005", "EUR", "-0.01"),  # half away from zero
        ("605", "EUR", "605.00"),
        ("1E+3", "EUR", "1000.00"),
        ("1200", "JPY", "1200"),
        ("1199.5", "JPY", "1200"),
        ("1200.4999", "JPY", "1200"),
        ("2.5", "JPY", "3"),
    ],
)
def test_format_money_rounds_half_up_to_the_exponent(amount: str, currency: str, expected: str) -> None:
    assert money.format_money(Decimal(amount), currency) == expected


def test_worked_example_of_billing_md() -> None:
    device_line = Decimal("39.00") * 57 / 31
    assert money.format_money(device_line, "EUR") == "71.71"
    prorated_minimum = Decimal("500.00") * 12 / 31
    assert money.format_money(prorated_minimum, "EUR") == "193.55"
    assert money.format_money(Decimal("500.00") * Decimal("0.21"), "EUR") == "105.00"


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1.283871", "EUR", "1.283871"),
        ("39", "EUR", "39.00"),
        ("39.5", "EUR", "39.50"),
        ("39.000", "EUR", "39.00"),
        ("0.000001", "USD", "0.000001"),
        ("1E+2", "EUR", "100.00"),
        ("15", "JPY", "15"),
        ("0.5", "JPY", "0.5"),
        ("1.250000", "JPY", "1.25"),
    ],
)
def test_format_unit_amount_keeps_every_digit(amount: str, currency: str, expected: str) -> None:
    assert money.format_unit_amount(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("text", "places"),
    [("39.00", 2), ("39", 0), ("1.283871", 6), ("1E+2", 0), ("1E-3", 3), ("-0.50", 2)],
)
def test_decimal_places_counts_digits_as_written(text: str, places: int) -> None:
    assert money.decimal_places(Decimal(text)) == places


def test_parse_decimal() -> None:
    assert money.parse_decimal("12.50") == Decimal("12.50")
    assert money.decimal_places(money.parse_decimal("12.50")) == 2
    assert money.parse_decimal("-3") == Decimal(-3)
    for text in ("", "abc", "1,5", "NaN", "Infinity", "-inf", "sNaN"):
        with pytest.raises(ValueError):
            money.parse_decimal(text)


@given(amounts, currencies)
def test_format_money_has_exactly_the_exponents_decimals(amount: Decimal, currency: str) -> None:
    text = money.format_money(amount, currency)
    decimals = text.partition(".")[2]
    assert len(decimals) == money.exponent(currency)
    assert "E" not in text


@given(amounts, currencies)
def test_round_money_is_idempotent(amount: Decimal, currency: str) -> None:
    once = money.round_money(amount, currency)
    assert money.round_money(once, currency) == once
    assert money.format_money(once, currency) == money.format_money(amount, currency)


@given(amounts, currencies)
def test_rounding_error_is_at_most_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    half_minor_unit = Decimal(1).scaleb(-money.exponent(currency)) / 2
    assert abs(money.round_money(amount, currency) - amount) <= half_minor_unit


@given(amounts, currencies)
def test_format_unit_amount_never_loses_a_digit(amount: Decimal, currency: str) -> None:
    text = money.format_unit_amount(amount, currency)
    assert Decimal(text) == amount
    assert len(text.partition(".")[2]) >= money.exponent(currency)
    assert money.decimal_places(Decimal(text)) <= money.UNIT_AMOUNT_MAX_DECIMALS


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_jpy_has_no_decimals(yen: int) -> None:
    assert money.format_money(Decimal(yen), "JPY") == str(yen)
    assert "." not in money.format_money(Decimal(yen) + Decimal("0.4"), "JPY")
