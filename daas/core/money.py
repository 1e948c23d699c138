"""Money as `Decimal`, with the exponent of its currency.

Billing rounds once per invoice line, ROUND_HALF_UP to the currency's exponent; unit prices may carry up
to six decimals. JSON carries amounts as decimal strings with the currency's exponent ("605.00", "1200").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# How a decimal is written in JSON text: digits, an optional point and fraction, a minus sign at most; no
# exponent, no plus sign, no leading zeros, no spaces (what `Decimal()` alone would let through).
DECIMAL_TEXT = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$")
NOT_DECIMAL_TEXT = 'Not a decimal number; send a string such as "12.50".'

# Currencies daas bills in, with their ISO 4217 exponent (billing.md). Anything else is unknown.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "PLN": 2,
    "JPY": 0,
}

UNIT_AMOUNT_MAX_DECIMALS = 6


class UnknownCurrency(ValueError):
    """The currency is not one daas bills in."""


def is_known_currency(currency: str) -> bool:
    return currency in CURRENCY_EXPONENTS


def exponent(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError as exc:
        raise UnknownCurrency(currency) from exc


def decimal_places(amount: Decimal) -> int:
    """Digits after the point as written ("39.00" has 2, "1E+2" has 0)."""
    exp = amount.as_tuple().exponent
    return -exp if isinstance(exp, int) and exp < 0 else 0


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's exponent: the one rounding step of an invoice line."""
    rounded = amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never "-0.00"


def format_money(amount: Decimal, currency: str) -> str:
    """An amount as its JSON string, with exactly the currency's exponent."""
    return f"{round_money(amount, currency):f}"


def format_unit_amount(amount: Decimal, currency: str) -> str:
    """A unit price: at least the currency's exponent, and as many more decimals as it really has."""
    normalized = amount.normalize()
    places = max(exponent(currency), decimal_places(normalized))
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


def parse_decimal(text: str) -> Decimal:
    """A finite decimal from its string form; raises ValueError on anything else."""
    try:
        value = Decimal(text)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"not a decimal number: {text!r}") from exc
    if not value.is_finite():
        raise ValueError(f"not a finite number: {text!r}")
    return value


# What a DecimalRule says of a number it refuses, by the name of the rule broken (the API's field offers
# these names to marshmallow's error_messages; a page may word "not_finite" and "too_large" its own way).
DECIMAL_MESSAGES = {
    "not_finite": "Not a finite number.",
    "places": "At most {places} decimals.",
    "too_large": "The number is too large.",
    "minimum": "Must be at least {minimum}.",
    "maximum": "Must be at most {maximum}.",
}


@dataclass(frozen=True)
class DecimalRule:
    """An exact decimal a client or a person may give: at most `places` decimals and `max_digits` digits
    in all (so at most `max_digits - places` before the point), not below `minimum`, not above `maximum`.

    The one rule of the API's decimal fields (daas.schemas.fields.DecimalString) and of the pages' decimal
    inputs (daas.web.input.Exact). A lower bound is 0 or none: a number written with a minus sign, "-0"
    too, is below 0."""

    places: int
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_digits: int = 16

    def __post_init__(self) -> None:
        if self.minimum not in (None, Decimal(0)):
            raise ValueError(f"A decimal's lower bound is 0 or none, not {self.minimum}.")

    def broken(self, number: Decimal) -> str | None:
        """The name of the first rule `number` breaks (a key of DECIMAL_MESSAGES), or None."""
        if not number.is_finite():
            return "not_finite"
        if decimal_places(number) > self.places:
            return "places"
        if number.adjusted() >= self.max_digits - self.places:
            return "too_large"
        if self.minimum is not None and (number < self.minimum or number.is_signed()):
            return "minimum"
        if self.maximum is not None and number > self.maximum:
            return "maximum"
        return None

    def message(self, broken: str) -> str:
        return DECIMAL_MESSAGES[broken].format(places=self.places, minimum=self.minimum, maximum=self.maximum)
