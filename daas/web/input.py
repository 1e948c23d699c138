"""The field rules of daas.core as form validators: serials, codes, billing periods and months, exact
decimals. Each rule is the one the API's fields apply (daas.schemas.fields), so a page and the API accept
the same values; a page may word its message its own way. (Form text that no database can store is
refused before any view runs, with query strings, by `daas.api.base.refuse_unstorable_input`.)
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wtforms.validators import Regexp, StopValidation, ValidationError

from daas.core import identifiers, money, periods
from daas.core.identifiers import serial_problem

NOT_KEPT = "Not a number daas can keep."


class SerialRule:
    """wtforms validator: the one serial rule (daas.core.identifiers), as the API and services apply it.
    Spaces around the serial (a scanner's or a paste's) are not held against it."""

    def __call__(self, form: Any, field: Any) -> None:
        serial = (field.data or "").strip()
        if serial and (problem := serial_problem(serial)) is not None:
            raise ValidationError(problem)


def CodeRule(message: str | None = None) -> Regexp:  # noqa: N802 - reads like the validator classes
    """wtforms validator: the one code rule (daas.core.identifiers), as the API's Code field applies it; the
    length is the field's own."""
    return Regexp(identifiers.CODE, message=message)


def PeriodRule(message: str | None = None) -> Regexp:  # noqa: N802
    """wtforms validator: a billing period's name, by the rule Period.parse applies (daas.core.periods)."""
    return Regexp(periods.PERIOD, message=message)


def MonthRule(message: str | None = None) -> Regexp:  # noqa: N802
    """wtforms validator: a calendar month named YYYY-MM (daas.core.periods.MONTH)."""
    return Regexp(periods.MONTH, message=message)


class Exact:
    """wtforms validator for a DecimalField: an exact decimal by the rule the API's DecimalString applies
    (daas.core.money.DecimalRule): at most `places` decimals, 16 digits in all, from `minimum` (0 or
    None) up to `maximum`. What no column could keep (NaN, Infinity, too many digits) stops the field's
    validation with NOT_KEPT; the other messages are the API's."""

    def __init__(
        self, places: int, minimum: Decimal | int | None = 0, maximum: Decimal | int | None = None
    ) -> None:
        self.rule = money.DecimalRule(
            places,
            None if minimum is None else Decimal(minimum),
            None if maximum is None else Decimal(maximum),
        )

    def __call__(self, form: Any, field: Any) -> None:
        value = field.data
        if value is None:
            return
        broken = self.rule.broken(value)
        if broken in ("not_finite", "too_large"):
            raise StopValidation(NOT_KEPT)
        if broken is not None:
            raise ValidationError(self.rule.message(broken))
