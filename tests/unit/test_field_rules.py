"""The field rules written once in daas.core (codes, billing periods, exact decimals) say the same on both
sides: the API's marshmallow fields and the pages' form validators accept exactly the same values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import ValidationError
from wtforms import DecimalField, Form, StringField

from daas.core import identifiers, money, periods
from daas.core.periods import Period
from daas.schemas.billing import PeriodField
from daas.schemas.fields import Code, DecimalString
from daas.web.input import NOT_KEPT, CodeRule, Exact, MonthRule, PeriodRule


def _api_accepts(field, value) -> bool:
    try:
        field.deserialize(value)
    except ValidationError:
        return False
    return True


class _CodeForm(Form):
    code = StringField(validators=[CodeRule()])


class _PeriodForm(Form):
    period = StringField(validators=[PeriodRule()])


class _MonthForm(Form):
    month = StringField(validators=[MonthRule()])


def _page_accepts(form_class, name: str, value: str) -> bool:
    return form_class(data={name: value}).validate()


CODE_TEXT = st.text(alphabet=st.sampled_from("aZ09._-/ \n:#é٣"), min_size=1, max_size=12)


@given(CODE_TEXT)
def test_a_code_is_accepted_by_the_page_exactly_when_the_api_accepts_it(text: str) -> None:
    assert _page_accepts(_CodeForm, "code", text) == _api_accepts(Code(), text)


@pytest.mark.parametrize(
    ("text", "accepted"),
    [
        ("NL-AMS", True),
        ("laptop/2027_v1.2", True),
        ("-leading-dash", False),
        ("/root", False),
        ("NL-AMS\n", False),  # `$` alone would let the line break through
        ("NL AMS", False),
        ("NL:AMS", False),
        ("é", False),
    ],
)
def test_the_code_rule(text: str, accepted: bool) -> None:
    assert (identifiers.CODE.match(text) is not None) == accepted
    assert _page_accepts(_CodeForm, "code", text) == accepted
    assert _api_accepts(Code(), text) == accepted


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("2026-10", True),
        ("2000-01", True),
        ("2999-12", True),
        ("1999-12", False),  # before the platform's calendar
        ("3000-01", False),
        ("2026-13", False),
        ("2026-00", False),
        ("2026-1", False),
        ("2026-10\n", False),
        ("٢٠٢٦-10", False),  # other scripts' digits are no year
        ("", False),
    ],
)
def test_a_period_is_one_rule_for_the_api_the_pages_and_period_parse(name: str, accepted: bool) -> None:
    try:
        Period.parse(name)
        parsed = True
    except ValueError:
        parsed = False
    assert parsed == accepted
    assert _page_accepts(_PeriodForm, "period", name) == accepted
    assert _api_accepts(PeriodField(), name) == accepted


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("1999-12", True), ("9000-01", True), ("2026-13", False), ("2026-10\n", False), ("26-10", False)],
)
def test_a_calendar_month_is_any_years_month(name: str, accepted: bool) -> None:
    assert (periods.MONTH.match(name) is not None) == accepted
    assert _page_accepts(_MonthForm, "month", name) == accepted


def test_the_document_states_the_patterns_python_applies() -> None:
    assert Code().metadata["pattern"] == identifiers.CODE_PATTERN
    assert PeriodField().metadata["pattern"] == periods.PERIOD_PATTERN
    assert identifiers.CODE.pattern == identifiers.CODE_PATTERN.removesuffix("$") + r"\Z"
    assert periods.PERIOD.pattern == periods.PERIOD_PATTERN.removesuffix("$") + r"\Z"


# -- exact decimals ---------------------------------------------------------------------------------------

DECIMAL_FIELDS = [
    (2, None),  # money
    (6, None),  # a unit price
    (3, 1000),  # a weight in kg
    (3, 100_000),
]


def _decimal_form(places: int, maximum: int | None) -> type[Form]:
    class DecimalForm(Form):
        amount = DecimalField(places=None, validators=[Exact(places, 0, maximum)])

    return DecimalForm


def _page_outcome(places: int, maximum: int | None, text: str) -> tuple[bool, list[str]]:
    form = _decimal_form(places, maximum)(data={"amount": Decimal(text)})
    return form.validate(), list(form.amount.errors)


def _api_outcome(places: int, maximum: int | None, text: str) -> tuple[bool, list[str]]:
    try:
        DecimalString(places=places, minimum=0, maximum=maximum).deserialize(text)
    except ValidationError as refused:
        return False, list(refused.messages)
    return True, []


# Decimals as JSON text (what DECIMAL_TEXT lets through), from zero to beyond every bound, "-0" included.
DECIMAL_TEXTS = st.builds(
    lambda sign, whole, fraction: f"{sign}{whole}{'.' + fraction if fraction else ''}",
    st.sampled_from(["", "-"]),
    st.one_of(st.integers(0, 2000), st.integers(0, 10**17)),
    st.text(alphabet="0123456789", max_size=8),
)


@given(st.sampled_from(DECIMAL_FIELDS), DECIMAL_TEXTS)
def test_a_decimal_is_refused_on_the_page_exactly_when_the_api_refuses_it(field, text: str) -> None:
    places, maximum = field
    page, api = _page_outcome(places, maximum, text), _api_outcome(places, maximum, text)
    assert page[0] == api[0], (text, page, api)
    if not api[0] and api[1] != [money.DECIMAL_MESSAGES["too_large"]]:
        assert page[1] == api[1]  # the same words, but for what the page calls a number it cannot keep


@pytest.mark.parametrize(
    ("places", "maximum", "text", "broken"),
    [
        (2, None, "12.50", None),
        (2, None, "12.505", "places"),
        (2, None, "99999999999999.99", None),  # 16 digits in all
        (2, None, "100000000000000", "too_large"),
        (6, None, "9999999999.999999", None),
        (6, None, "10000000000", "too_large"),
        (3, 1000, "1000.000", None),
        (3, 1000, "1000.001", "maximum"),
        (2, None, "-1", "minimum"),
        (2, None, "-0", "minimum"),  # a minus sign is below 0, as the API's pattern says
        (2, None, "NaN", "not_finite"),
        (2, None, "Infinity", "not_finite"),
    ],
)
def test_the_decimal_rule(places: int, maximum: int | None, text: str, broken: str | None) -> None:
    rule = money.DecimalRule(places, Decimal(0), None if maximum is None else Decimal(maximum))
    assert rule.broken(Decimal(text)) == broken


def test_the_page_words_numbers_no_column_keeps_its_own_way() -> None:
    assert _page_outcome(2, None, "NaN") == (False, [NOT_KEPT])
    assert _page_outcome(6, None, "10000000000") == (False, [NOT_KEPT])
    assert _api_outcome(6, None, "10000000000") == (False, ["The number is too large."])
    assert _page_outcome(3, 1000, "1.0001") == (False, ["At most 3 decimals."])


def test_a_decimal_rule_is_bounded_from_zero_or_not_at_all() -> None:
    with pytest.raises(ValueError, match="lower bound"):
        money.DecimalRule(2, Decimal(1))
    assert money.DecimalRule(2, None).broken(Decimal("-5.25")) is None
