"""marshmallow fields for the values of the domain: exact decimals, money, countries, currencies, codes.

Decimals travel as strings ("39.00", api.md): a string the field's documented pattern matches, nothing
else (a JSON number is refused, so the document, the client and the server agree on one form).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import ValidationError, fields, validate

from daas.core import countries, identifiers, money
from daas.core.dates import LAST_DAY
from daas.core.identifiers import SERIAL_MAX_LENGTH, SERIAL_PATTERN, serial_problem
from daas.core.text import text_problem
from daas.schemas.openapi import NOT_BLANK_TEXT_PATTERN, decimal_pattern

_DATE_PATTERN = r"^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"  # years 1900 to 2999, as Date accepts


class DecimalString(fields.Field):
    """An exact decimal with at most `places` decimals and optional bounds, shown as a string.

    On output, `currency_attr` names the attribute holding the currency: money is then shown with the
    currency's exponent (`unit=True` shows a unit price: at least the exponent, up to its real decimals).
    Without it, `output_places` decimals are shown, or with `normalize` just the digits it has ("10", "2.5").
    """

    default_error_messages = {"invalid": money.NOT_DECIMAL_TEXT, **money.DECIMAL_MESSAGES}

    def __init__(
        self,
        *,
        places: int = 6,
        minimum: Decimal | int | None = None,
        maximum: Decimal | int | None = None,
        output_places: int | None = None,
        currency_attr: str | None = None,
        unit: bool = False,
        normalize: bool = False,
        max_digits: int = 16,
        **kwargs: Any,
    ) -> None:
        self.places = places
        self.minimum = None if minimum is None else Decimal(minimum)
        self.maximum = None if maximum is None else Decimal(maximum)
        self.output_places = places if output_places is None else output_places
        self.currency_attr = currency_attr
        self.unit = unit
        self.normalize = normalize
        self.max_digits = max_digits
        self.pattern = decimal_pattern(places, max_digits - places, self.minimum, self.maximum)
        self.rule = money.DecimalRule(places, self.minimum, self.maximum, max_digits)
        self._pattern = re.compile(self.pattern)
        metadata = {
            "type": "string",
            "pattern": self.pattern,
            "example": f"{min(Decimal(12), self.maximum or Decimal(12)):.{min(places, 2)}f}",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if not isinstance(value, str) or not money.DECIMAL_TEXT.fullmatch(value):
            raise self.make_error("invalid")
        number = Decimal(value)
        if (broken := self.rule.broken(number)) is not None:  # the rule the pages apply too
            raise self.make_error(broken, places=self.places, minimum=self.minimum, maximum=self.maximum)
        if not self._pattern.fullmatch(value):  # what the checks above let through, the pattern says
            raise self.make_error("invalid")
        return number

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        number = Decimal(value)
        if self.currency_attr:
            currency = (
                obj.get(self.currency_attr) if isinstance(obj, dict) else getattr(obj, self.currency_attr)
            )
            if self.unit:
                return money.format_unit_amount(number, currency)
            return money.format_money(number, currency)
        if self.normalize:
            return f"{number.normalize():f}"
        return f"{number:.{self.output_places}f}"


def Money(**kwargs: Any) -> DecimalString:  # noqa: N802 - reads like a field class
    """A non-negative amount in the currency's exponent (at most 2 decimals on input)."""
    kwargs.setdefault("minimum", 0)
    return DecimalString(places=2, currency_attr=kwargs.pop("currency_attr", "currency"), **kwargs)


def UnitAmount(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A non-negative unit price with up to six decimals."""
    kwargs.setdefault("minimum", 0)
    return DecimalString(
        places=money.UNIT_AMOUNT_MAX_DECIMALS,
        currency_attr=kwargs.pop("currency_attr", "currency"),
        unit=True,
        **kwargs,
    )


def Measure(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A physical quantity (kg, kWh): non-negative, three decimals."""
    kwargs.setdefault("minimum", 0)
    return DecimalString(places=3, output_places=3, **kwargs)


class Country(fields.String):
    """ISO 3166-1 alpha-2 country code, upper case."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "enum": list(countries.COUNTRY_CODES),
            "title": "Country",
            "example": "NL",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if not countries.is_country(code):
            raise ValidationError("Not an ISO 3166-1 alpha-2 country code (such as NL, DE, US).")
        return code


class Currency(fields.String):
    """A currency daas bills in (billing.md lists them with their exponents)."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "enum": sorted(money.CURRENCY_EXPONENTS),
            "title": "Currency",
            "example": "EUR",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        code = super()._deserialize(value, attr, data, **kwargs)
        if not money.is_known_currency(code):
            raise ValidationError(
                f"Unknown currency; use one of {', '.join(sorted(money.CURRENCY_EXPONENTS))}."
            )
        return code


class Code(fields.String):
    """A machine name: SKU, plan or metric code, pickup region, by the one code rule (daas.core.identifiers;
    the pages' forms apply it too). Never part of a URL path; serials are."""

    def __init__(self, *, max_length: int = 64, **kwargs: Any) -> None:
        super().__init__(
            validate=[validate.Length(min=1, max=max_length), validate.Regexp(identifiers.CODE)],
            metadata={"pattern": identifiers.CODE_PATTERN, **kwargs.pop("metadata", {})},
            **kwargs,
        )


class Serial(fields.String):
    """A device's serial, by the one serial rule (daas.core.identifiers): it must be addressable in a URL."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "pattern": SERIAL_PATTERN,
            "minLength": 1,
            "maxLength": SERIAL_MAX_LENGTH,
            "example": "SN-0001",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        serial = super()._deserialize(value, attr, data, **kwargs)
        if (problem := serial_problem(serial)) is not None:
            raise ValidationError(problem)
        return serial


class Text(fields.String):
    """Free text for people: trimmed, not blank (the pattern: some character that is not white space, and
    no NUL), bounded as sent."""

    def __init__(self, *, max_length: int = 200, **kwargs: Any) -> None:
        self.max_length = max_length
        metadata = {"pattern": NOT_BLANK_TEXT_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(validate=validate.Length(min=1, max=max_length), metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        sent = super()._deserialize(value, attr, data, **kwargs)
        if len(sent) > self.max_length:  # the documented maxLength counts the text as sent, spaces included
            raise ValidationError(f"Longer than maximum length {self.max_length}.")
        text = sent.strip()
        if not text:
            raise ValidationError("Must not be blank.")
        if (problem := text_problem(text)) is not None:
            raise ValidationError(problem)
        return text


class Int(fields.Integer):
    """An integer that is really one in JSON (no 1.0, no "1", no true)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)


class Bool(fields.Boolean):
    """A boolean that is really one in JSON: true or false, never 1, 0, "yes" or "true"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class QueryId(fields.Integer):
    """An id in a query string (where every value is text): a positive whole number."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(min=1, max=2**31 - 1), **kwargs)


class Date(fields.Date):
    """A calendar date, YYYY-MM-DD, within years 1900 to 2999.

    The upper bound is the platform's calendar (billing periods and impact ranges end with 2999 too), and
    it leaves room for every shift the domain makes from a date it is given (a booking window, a term,
    a refresh cycle): 9999-12-31 plus 14 days is no date at all.
    """

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": _DATE_PATTERN, **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValidationError("Not a date; use YYYY-MM-DD.")
        parsed = super()._deserialize(value, attr, data, **kwargs)
        if parsed.year < 1900:
            raise ValidationError("The date is too far in the past.")
        if parsed > LAST_DAY:
            raise ValidationError(f"The date is too far in the future (at most {LAST_DAY.isoformat()}).")
        return parsed
