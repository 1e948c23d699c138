"""Billing periods (billing.md "Periods"): calendar months in UTC, named YYYY-MM, [1st, 1st of next month)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daas.core.periods import Period


@pytest.mark.parametrize(
    ("name", "start", "end", "days"),
    [
        ("2026-10", date(2026, 10, 1), date(2026, 11, 1), 31),
        ("2026-11", date(2026, 11, 1), date(2026, 12, 1), 30),
        ("2026-02", date(2026, 2, 1), date(2026, 3, 1), 28),
        ("2028-02", date(2028, 2, 1), date(2028, 3, 1), 29),  # leap year
        ("2100-02", date(2100, 2, 1), date(2100, 3, 1), 28),  # divisible by 100: not a leap year
        ("2000-02", date(2000, 2, 1), date(2000, 3, 1), 29),  # divisible by 400: leap year
        ("2026-12", date(2026, 12, 1), date(2027, 1, 1), 31),  # ends on the 1st of next year
    ],
)
def test_parse_gives_the_calendar_month(name: str, start: date, end: date, days: int) -> None:
    period = Period.parse(name)
    assert period.name == name
    assert str(period) == name
    assert period.start == start
    assert period.end == end
    assert period.days == days


@pytest.mark.parametrize(
    "name",
    [
        "2026-13",
        "2026-00",
        "26-10",
        "2026-1",
        "",
        "abcd-ef",
        "2026/10",
        "2026-10-01",
        " 2026-10",
        "2026-10 ",
        "2026-10\n",
        "２０２６-10",
        "1999-12",
        "3000-01",
    ],
)
def test_parse_refuses_anything_but_yyyy_mm(name: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse(name)


def test_parse_refuses_none() -> None:
    with pytest.raises(ValueError):
        Period.parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "previous", "following"),
    [
        ("2026-10", "2026-09", "2026-11"),
        ("2027-01", "2026-12", "2027-02"),  # previous crosses the year end
        ("2026-12", "2026-11", "2027-01"),  # next crosses the year end
        ("2028-03", "2028-02", "2028-04"),
    ],
)
def test_previous_and_next(name: str, previous: str, following: str) -> None:
    period = Period.parse(name)
    assert period.previous().name == previous
    assert period.next().name == following
    assert period.previous().end == period.start  # months tile the calendar: no gap, no overlap
    assert period.next().start == period.end


def test_starts_at_and_ends_at_are_utc_midnights() -> None:
    period = Period.parse("2026-12")
    assert period.starts_at == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.ends_at == datetime(2027, 1, 1, tzinfo=UTC)
    assert period.starts_at.utcoffset() == timedelta(0)
    assert period.ends_at.utcoffset() == timedelta(0)
    assert period.ends_at - period.starts_at == timedelta(days=31)


def test_containing_and_ordering() -> None:
    assert Period.containing(date(2026, 10, 31)) == Period.parse("2026-10")
    assert Period.containing(date(2026, 10, 1)) == Period.parse("2026-10")
    assert Period.parse("2026-09") < Period.parse("2026-10") < Period.parse("2027-01")


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2999, 12, 31)))
def test_every_day_is_in_exactly_one_period(day: date) -> None:
    period = Period.containing(day)
    assert period.start <= day < period.end
    assert Period.parse(period.name) == period
    assert 28 <= period.days <= 31
    if period.name != "2000-01":
        assert not period.previous().start <= day < period.previous().end
    if period.name != "2999-12":
        assert not period.next().start <= day < period.next().end
