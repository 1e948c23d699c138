"""Calendar arithmetic (billing.md periods) and contract dates and status."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.contracts.terms import STATUSES, contract_status, default_end_date
from daas.core.dates import add_months, days_between


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 31), 2, date(2026, 3, 31)),  # clamps only where it must
        (date(2026, 11, 30), 2, date(2027, 1, 30)),
        (date(2026, 12, 1), 1, date(2027, 1, 1)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
        (date(2026, 5, 10), 12, date(2027, 5, 10)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2028, 2, 29), 48, date(2032, 2, 29)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
        (date(2026, 1, 15), -1, date(2025, 12, 15)),
        (date(2026, 1, 15), -13, date(2024, 12, 15)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    st.integers(min_value=-600, max_value=600),
)
def test_add_months_lands_in_the_right_month_never_later_in_it(start: date, months: int) -> None:
    result = add_months(start, months)
    assert result.year * 12 + result.month == start.year * 12 + start.month + months
    assert result.day <= start.day
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 10, 1), date(2026, 11, 1), 31),  # a whole October
        (date(2026, 9, 15), date(2026, 11, 1), 47),
        (date(2026, 10, 10), date(2026, 11, 1), 22),  # device B of the worked example
        (date(2026, 10, 1), date(2026, 10, 5), 4),  # device C: pick-up day not billed
        (date(2026, 10, 5), date(2026, 10, 5), 0),
        (date(2026, 10, 6), date(2026, 10, 5), 0),  # never negative
        (date(2028, 2, 1), date(2028, 3, 1), 29),
        (date(2026, 12, 31), date(2027, 1, 1), 1),
    ],
)
def test_days_between_is_half_open(start: date, end: date, days: int) -> None:
    assert days_between(start, end) == days


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=400),
    st.integers(min_value=0, max_value=400),
)
def test_days_between_adds_up_over_consecutive_spans(start: date, first: int, second: int) -> None:
    middle = date.fromordinal(start.toordinal() + first)
    end = date.fromordinal(middle.toordinal() + second)
    assert (
        days_between(start, middle) + days_between(middle, end) == days_between(start, end) == first + second
    )


def test_default_end_date_is_the_first_day_after_the_term() -> None:
    assert default_end_date(date(2026, 1, 31), 36) == date(2029, 1, 31)
    assert default_end_date(date(2026, 1, 1), 12) == date(2027, 1, 1)
    assert default_end_date(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert default_end_date(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_contract_is_active_until_its_end_date() -> None:
    end = date(2029, 1, 31)
    assert contract_status(end, None, date(2026, 1, 31)) == "active"
    assert contract_status(end, None, date(2029, 1, 30)) == "active"
    assert contract_status(end, None, date(2029, 1, 31)) == "ended"
    assert contract_status(end, None, date(2030, 6, 1)) == "ended"


def test_contract_ended_early_is_terminated() -> None:
    end = date(2027, 3, 1)
    assert contract_status(end, date(2027, 2, 20), date(2027, 2, 28)) == "active"
    assert contract_status(end, date(2027, 2, 20), date(2027, 3, 1)) == "terminated"
    assert contract_status(end, date(2027, 2, 20), date(2028, 1, 1)) == "terminated"


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
    st.none() | st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 1, 1)),
)
def test_contract_status_is_one_of_the_statuses(end: date, terminated_on: date | None, today: date) -> None:
    status = contract_status(end, terminated_on, today)
    assert status in STATUSES
    assert (status == "active") == (today < end)
