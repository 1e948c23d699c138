"""Cron expressions and due times (daas.scheduler.schedule): crontab meaning, the latest due time found by
searching backwards, and the decision a scheduler makes about a job at a moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daas.scheduler.schedule import (
    ScheduleError,
    count_due_between,
    crontab_weekdays,
    decide,
    latest_due,
    next_due,
    parse_schedule,
)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_five_fields_are_minute_hour_day_month_weekday_in_utc() -> None:
    trigger = parse_schedule("0 2 1 * *", "DAAS_SCHEDULE_BILLING_RUN")
    assert latest_due(trigger, at("2026-11-29T12:00:00")) == at("2026-11-01T02:00:00")
    assert next_due(trigger, at("2026-11-29T12:00:00")) == at("2026-12-01T02:00:00")
    assert latest_due(trigger, at("2026-12-01T02:00:00")) == at("2026-12-01T02:00:00")  # due at that second
    assert latest_due(trigger, at("2026-12-01T01:59:59.999999")) == at("2026-11-01T02:00:00")


def test_six_fields_put_seconds_first() -> None:
    trigger = parse_schedule("*/2 * * * * *", "DAAS_SCHEDULE_PAYMENT_RETRIES")
    assert latest_due(trigger, at("2026-11-29T12:00:03.5")) == at("2026-11-29T12:00:02")
    assert count_due_between(trigger, at("2026-11-29T12:00:00"), at("2026-11-29T12:00:10")) == 5


@pytest.mark.parametrize(
    ("weekday", "expected"),
    [
        ("0", "sun"),
        ("7", "sun"),
        ("1-5", "mon,tue,wed,thu,fri"),
        ("5-7", "sun,fri,sat"),
        ("*/2", "sun,tue,thu,sat"),
        ("sat,0", "sun,sat"),
        ("MON", "mon"),
        ("*", "*"),
    ],
)
def test_weekdays_mean_what_they_mean_in_crontab(weekday: str, expected: str) -> None:
    assert crontab_weekdays(weekday) == expected


def test_sunday_is_zero_as_in_crontab_not_monday_as_in_apscheduler_3() -> None:
    trigger = parse_schedule("0 4 * * 0", "X")
    assert latest_due(trigger, at("2026-11-30T12:00:00")).strftime("%A %Y-%m-%d") == "Sunday 2026-11-29"


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 2 1 *", "5 fields"),
        ("0 0 2 1 * * *", "got 7 field"),
        ("0 25 * * *", "DAAS_SCHEDULE_X"),
        ("0 2 32 * *", "DAAS_SCHEDULE_X"),
        ("0 2 * * 8", "weekday"),
        ("0 2 * * 5-1", "backwards"),
        ("every day", "field"),
    ],
)
def test_unreadable_schedules_name_the_setting(expression: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message) as error:
        parse_schedule(expression, "DAAS_SCHEDULE_X")
    assert "DAAS_SCHEDULE_X" in str(error.value)


def test_off_disables_a_job() -> None:
    assert parse_schedule(" OFF ", "X") is None


def test_a_schedule_that_never_fired_within_the_horizon_has_no_latest_due() -> None:
    trigger = parse_schedule("0 0 29 2 *", "X")  # 29 February: next in 2028
    assert latest_due(trigger, at("2026-11-29T00:00:00")) is None
    assert latest_due(trigger, at("2028-03-01T00:00:00")) == at("2028-02-29T00:00:00")


EXPRESSIONS = [
    "0 2 1 * *",
    "0 * * * *",
    "30 4 * * *",
    "*/2 * * * * *",
    "15 3 * * 1-5",
    "0 0 1 1,7 *",
    "7 */6 * * *",
    "45 23 28-31 * *",
]


@settings(max_examples=150, deadline=None)
@given(
    expression=st.sampled_from(EXPRESSIONS),
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)).map(
        lambda moment: moment.replace(tzinfo=UTC)
    ),
)
def test_latest_due_is_the_last_due_time_at_or_before_now(expression: str, now: datetime) -> None:
    trigger = parse_schedule(expression, "X")
    due = latest_due(trigger, now)
    assert due is not None and due <= now
    assert next_due(trigger, due) > now  # nothing due in between
    assert trigger.get_next_fire_time(None, due) == due  # and it is a due time


# -- decisions ----------------------------------------------------------------------------------------

HOURLY = parse_schedule("0 * * * *", "X")
HOUR = timedelta(hours=1)


def test_a_due_time_already_recorded_waits() -> None:
    decision = decide(HOURLY, at("2026-11-29T12:20:00"), HOUR, last_recorded=at("2026-11-29T12:00:00"))
    assert decision.action == "wait"


def test_the_latest_due_time_runs_and_missed_ones_are_coalesced_into_it() -> None:
    decision = decide(HOURLY, at("2026-11-29T12:20:00"), HOUR, last_recorded=at("2026-11-29T09:00:00"))
    assert (decision.action, decision.due) == ("run", at("2026-11-29T12:00:00"))
    assert decision.coalesced == 2  # 10:00 and 11:00
    assert decision.late == timedelta(minutes=20)


def test_past_the_grace_a_due_time_is_missed_not_run() -> None:
    decision = decide(HOURLY, at("2026-11-29T13:30:00"), timedelta(minutes=15), at("2026-11-29T09:00:00"))
    assert (decision.action, decision.due) == ("miss", at("2026-11-29T13:00:00"))


def test_the_first_start_runs_a_due_time_within_the_grace() -> None:
    assert decide(HOURLY, at("2026-11-29T12:00:05"), HOUR, None).action == "run"
    monthly = parse_schedule("0 2 1 * *", "X")
    assert decide(monthly, at("2026-11-29T12:00:00"), timedelta(days=7), None).action == "miss"


def test_an_interrupted_run_is_resumed_while_it_is_the_latest_due_time_within_grace() -> None:
    due = at("2026-11-29T12:00:00")
    resume = decide(HOURLY, at("2026-11-29T12:10:00"), HOUR, due, interrupted=due)
    assert (resume.action, resume.due) == ("resume", due)
    later = decide(HOURLY, at("2026-11-29T13:10:00"), HOUR, due, interrupted=due)
    assert (later.action, later.due, later.superseded) == ("run", at("2026-11-29T13:00:00"), due)
    too_late = decide(HOURLY, at("2026-11-29T12:50:00"), timedelta(minutes=30), due, interrupted=due)
    assert (too_late.action, too_late.superseded) == ("wait", due)
