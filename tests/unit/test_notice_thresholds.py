"""Which reminder of an overdue invoice and which notice of a contract's end are due on a day (pure): the
latest reminder count passed, the tightest notice reached, so a round that missed days gives one."""

from __future__ import annotations

import pytest

from daas.billing.reminders import reminder_due
from daas.contracts.end_notices import notice_due


@pytest.mark.parametrize(
    ("days_overdue", "expected"),
    [(-3, None), (0, None), (1, 1), (6, 1), (7, 7), (13, 7), (14, 14), (400, 14)],
)
def test_the_reminder_due_is_the_latest_count_passed(days_overdue, expected):
    assert reminder_due(days_overdue, (1, 7, 14)) == expected


def test_reminder_counts_may_come_in_any_order_and_none_means_no_reminder():
    assert reminder_due(8, (14, 1, 7)) == 7
    assert reminder_due(30, ()) is None


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [
        (120, None),
        (91, None),
        (90, 90),
        (61, 90),
        (60, 60),
        (31, 60),
        (30, 30),
        (1, 30),
        (0, None),
        (-5, None),
    ],
)
def test_the_notice_due_is_the_tightest_reached_and_none_once_ended(days_left, expected):
    assert notice_due(days_left, (90, 60, 30)) == expected


def test_notice_days_may_come_in_any_order_and_none_means_no_notice():
    assert notice_due(45, (30, 90, 60)) == 60
    assert notice_due(10, ()) is None
