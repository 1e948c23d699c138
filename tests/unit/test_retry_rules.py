"""The retry schedules of e-mails and webhook deliveries, and when an endpoint has failed long enough."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from config.settings import BaseConfig
from daas.notifications.policy import parse_addresses, parse_days, parse_networks
from daas.notifications.retry_rules import RetrySchedule, failing_too_long

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_each_failure_waits_its_turn_then_the_message_is_given_up():
    schedule = RetrySchedule.parse("1, 5,15")
    assert schedule.max_attempts == 4
    assert schedule.next_attempt(1, AT) == AT + timedelta(minutes=1)
    assert schedule.next_attempt(2, AT) == AT + timedelta(minutes=5)
    assert schedule.next_attempt(3, AT) == AT + timedelta(minutes=15)
    assert schedule.next_attempt(4, AT) is None


def test_an_empty_schedule_never_retries():
    assert RetrySchedule.parse("").next_attempt(1, AT) is None


@pytest.mark.parametrize("text", ["0", "-1", "x", "1,,nan", "inf"])
def test_a_wait_must_be_a_positive_number_of_minutes(text):
    with pytest.raises(ValueError):
        RetrySchedule.parse(text)


def test_the_default_webhook_schedule_doubles_and_spans_a_little_over_three_days():
    schedule = RetrySchedule.parse(BaseConfig.DAAS_OUTBOUND_WEBHOOK_RETRY_MINUTES)
    waits = [w.total_seconds() / 60 for w in schedule.waits]
    assert waits[:10] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert all(later >= earlier for earlier, later in itertools.pairwise(waits))
    assert timedelta(days=3) < schedule.span < timedelta(days=4)


def test_an_endpoint_is_failing_too_long_once_the_window_has_passed():
    window = timedelta(days=3)
    assert not failing_too_long(None, AT, window)
    assert not failing_too_long(AT - window + timedelta(seconds=1), AT, window)
    assert failing_too_long(AT - window, AT, window)


def test_notice_days_networks_and_addresses_are_read_from_their_settings():
    assert parse_days("1, 7,14") == (1, 7, 14)
    assert parse_days("") == ()
    for bad in ("0", "1,1", "x", "-3"):
        with pytest.raises(ValueError):
            parse_days(bad)
    assert [str(n) for n in parse_networks("127.0.0.1/8, ::1")] == ["127.0.0.0/8", "::1/128"]
    with pytest.raises(ValueError):
        parse_networks("300.1.1.1/8")
    assert parse_addresses("ops@daas.example, cfo@daas.example") == ("ops@daas.example", "cfo@daas.example")
    with pytest.raises(ValueError):
        parse_addresses("not-an-address")
