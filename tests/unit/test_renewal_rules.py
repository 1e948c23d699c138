"""When a contract renews itself and when its end-of-term notices fall due (pure rules)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from daas.contracts import renewal_rules as rules

END = date(2027, 3, 1)


def test_notices_fall_due_90_60_and_30_days_before_the_end():
    assert [(n.days_before, n.due_on) for n in rules.notices(END)] == [
        (90, date(2026, 12, 1)),
        (60, date(2026, 12, 31)),
        (30, date(2027, 1, 30)),
    ]


def test_the_latest_due_notice_is_the_one_pages_show():
    assert rules.next_notice(END, date(2026, 11, 30)) is None
    assert rules.next_notice(END, date(2026, 12, 1)).days_before == 90
    assert rules.next_notice(END, date(2027, 1, 15)).days_before == 60
    assert rules.next_notice(END, date(2027, 2, 28)).days_before == 30
    assert rules.next_notice(END, END) is None  # ended: no notice


def test_turning_renewal_off_in_time_stops_it_and_late_does_not():
    deadline = rules.notice_deadline(END, 90)
    assert deadline == date(2026, 12, 1)
    assert rules.will_renew(True, None, END, 90, None)
    assert not rules.will_renew(False, None, END, 90, None)
    assert not rules.will_renew(False, deadline, END, 90, None)  # on the deadline: in time
    assert rules.will_renew(False, deadline + timedelta(days=1), END, 90, None)  # a day late: renews once
    assert not rules.will_renew(True, None, END, 90, date(2027, 1, 1))  # terminated: never


def test_a_renewal_is_made_on_the_last_day_and_adds_its_months():
    assert not rules.renews_now(END, date(2027, 2, 27))
    assert rules.renews_now(END, date(2027, 2, 28))
    assert rules.renewed_end(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert rules.renewed_end(END, 12) == date(2028, 3, 1)


@given(
    end=st.dates(min_value=date(2026, 1, 1), max_value=date(2040, 1, 1)),
    notice_days=st.integers(min_value=0, max_value=365),
    stopped=st.integers(min_value=-400, max_value=400),
)
def test_a_stop_counts_only_when_it_came_by_the_deadline(end, notice_days, stopped):
    stopped_on = end + timedelta(days=stopped)
    in_time = stopped_on <= end - timedelta(days=notice_days)
    assert rules.will_renew(False, stopped_on, end, notice_days, None) is (not in_time)
