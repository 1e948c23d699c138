"""A receiver that fails: every pass (the clock moved past each retry) records an attempt, the waits grow
on the schedule, and after three days of failures the endpoint is disabled, its other pending deliveries
given up and its owner told. A redirect is never followed. A receiver that recovers gets the retried
delivery once, and the endpoint's failing streak is forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from daas.core import clock
from daas.extensions import db
from daas.notifications import delivery as delivery_rules
from daas.notifications import dispatch
from daas.notifications.models import DISABLED, ENABLED, FAILED, PENDING, SENT, WebhookDelivery
from daas.notifications.webhook_sending import Answer, record_answer
from daas.outbox.models import OutboxEvent
from daas.outbox.services import record_event
from daas.usecases.webhooks import update_webhook_endpoint
from tests import factories
from tests.webhooks.conftest import T0, sample_data
from tests.webhooks.helpers import attempts_of, deliver, deliveries_of, endpoint, fresh, verified


def invoice_issued(customer_id: int, key: str = "test:invoice") -> OutboxEvent:
    event = record_event(
        "invoice.issued", key=key, customer_id=customer_id, data=sample_data("invoice.issued")
    )
    db.session.commit()
    return event


@pytest.fixture
def customer(database):
    return factories.customer()


def test_a_failing_receiver_is_retried_on_the_schedule_then_disabled_and_its_owner_told(
    customer, receiver, settings
):
    receiver.statuses["/failing"] = 500
    failing, _ = endpoint(customer.id, receiver.url("/failing"), settings)
    told, told_secret = endpoint(customer.id, receiver.url("/told"), settings, ["webhook_endpoint.disabled"])
    schedule = settings.webhook_retries.waits
    with clock.frozen(T0):
        first = invoice_issued(customer.id)
        deliver(settings)
    [delivery] = deliveries_of(failing.id)
    due, seen = [], []
    while delivery.status == PENDING and delivery.next_attempt_at - T0 < settings.webhooks.disable_after:
        due.append(delivery.next_attempt_at)
        with clock.frozen(delivery.next_attempt_at):
            deliver(settings)
        [delivery] = deliveries_of(failing.id)
        seen.append(delivery.attempts)
    last_try = delivery.next_attempt_at  # past the three days
    # A minute before, another scheduler claimed a newer event's delivery and is still posting it.
    with clock.frozen(last_try - timedelta(minutes=1)):
        second = invoice_issued(customer.id, key="test:second")
        dispatch.dispatch_events(settings, 10)
        [held] = delivery_rules.claim_due(WebhookDelivery, "other-scheduler", settings.lease, 10)
        db.session.commit()
    with clock.frozen(last_try):
        report = deliver(settings)
        # The other scheduler's answer comes too late: the endpoint gave its delivery up meanwhile.
        late = Answer(ok=False, status_code=500, excerpt="answered 500", error=None, duration_ms=5)
        assert record_answer(held, "other-scheduler", late, settings) is False

    expected, at = [], T0
    for wait in schedule[: len(due)]:
        at += wait
        expected.append(at)
    assert due == expected
    gaps = [later - earlier for earlier, later in zip([T0, *due], due, strict=False)]
    assert gaps == sorted(gaps) and gaps[0] == timedelta(minutes=1) and gaps[-1] == timedelta(hours=12)
    assert seen == list(range(2, len(due) + 2))
    assert last_try - T0 >= settings.webhooks.disable_after

    [first_delivery, second_delivery] = deliveries_of(failing.id)
    assert second_delivery.id == held
    assert len(attempts_of(first_delivery.id)) == len(due) + 2
    assert all(
        a.status_code == 500 and a.response_excerpt == "answered 500" for a in attempts_of(first_delivery.id)
    )
    assert len(receiver.to("/failing")) == len(due) + 2
    assert {r.json()["id"] for r in receiver.to("/failing")} == {first.event_id}
    assert first_delivery.status == FAILED  # its schedule is used up too
    assert first_delivery.last_status_code == 500
    assert second_delivery.status == FAILED and attempts_of(second_delivery.id) == []
    assert second_delivery.lease_owner is None
    assert second_delivery.last_error.startswith("Endpoint disabled: Every delivery failed since")
    disabled = fresh(failing.id)
    assert disabled.status == DISABLED
    assert disabled.disabled_at == last_try
    assert disabled.failing_since <= T0
    assert "failed since" in disabled.disabled_reason
    assert report.webhooks_failed == 1 and report.leases_lost == 0

    [notice] = db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.type == "webhook_endpoint.disabled")
    ).all()
    assert notice.customer_id == customer.id
    assert notice.key == f"webhook_endpoint:{failing.id}:disabled:{last_try.isoformat()}"
    assert notice.data["endpoint_id"] == failing.id
    assert notice.data["url"] == receiver.url("/failing")
    assert notice.data["disabled_at"] == last_try.isoformat().replace("+00:00", "Z")
    # The owner's other endpoint heard of it in the same pass.
    [told_request] = receiver.to("/told")
    assert told_request.json()["type"] == "webhook_endpoint.disabled"
    assert told_request.json()["data"]["endpoint_id"] == failing.id
    with clock.frozen(last_try):
        assert verified(told_request, told_secret)
    assert fresh(told.id).status == ENABLED
    assert second.event_id not in {r.json()["id"] for r in receiver.to("/failing")}


def test_a_redirect_is_a_failure_and_is_not_followed(customer, receiver, settings):
    receiver.status = 302
    hook, _ = endpoint(customer.id, receiver.url("/moved"), settings)
    with clock.frozen(T0):
        invoice_issued(customer.id)
        report = deliver(settings)
    assert [(r.method, r.path) for r in receiver.received] == [("POST", "/moved")]
    [delivery] = deliveries_of(hook.id)
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == (PENDING, 302, "HTTP 302")
    assert delivery.next_attempt_at == T0 + timedelta(minutes=1)
    [attempt] = attempts_of(delivery.id)
    assert attempt.status_code == 302
    assert attempt.response_excerpt.startswith(f"Location: {receiver.url('/elsewhere')}\n")
    assert report.webhooks_retrying == 1
    assert fresh(hook.id).failing_since is not None


def test_a_receiver_that_recovers_gets_the_delivery_once_and_the_streak_is_forgotten(
    customer, receiver, settings
):
    receiver.status = 500
    hook, secret = endpoint(customer.id, receiver.url("/flaky"), settings)
    with clock.frozen(T0):
        event = invoice_issued(customer.id)
        deliver(settings)
    assert fresh(hook.id).failing_since is not None
    receiver.status = 200
    with clock.frozen(T0 + timedelta(minutes=1)):
        report = deliver(settings)
        assert verified(receiver.to("/flaky")[-1], secret)
    with clock.frozen(T0 + timedelta(hours=1)):
        assert deliver(settings).webhooks_sent == 0
    assert report.webhooks_sent == 1
    [delivery] = deliveries_of(hook.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (SENT, 2, 200)
    assert [a.status_code for a in attempts_of(delivery.id)] == [500, 200]
    assert [r.json()["id"] for r in receiver.to("/flaky")] == [event.event_id, event.event_id]
    recovered = fresh(hook.id)
    assert recovered.failing_since is None and recovered.status == ENABLED


def test_an_endpoint_enabled_again_counts_its_failures_afresh(customer, receiver, settings):
    receiver.status = 500
    hook, _ = endpoint(customer.id, receiver.url("/again"), settings)
    with clock.frozen(T0):
        invoice_issued(customer.id)
        deliver(settings)
    update_webhook_endpoint(hook.id, {"status": "disabled"}, settings.webhooks, "tests")
    [given_up] = deliveries_of(hook.id)
    assert given_up.status == FAILED and given_up.last_error == "Endpoint disabled: Disabled by tests."
    update_webhook_endpoint(hook.id, {"status": "enabled"}, settings.webhooks, "tests")
    enabled = fresh(hook.id)
    assert (enabled.status, enabled.failing_since, enabled.disabled_at, enabled.disabled_reason) == (
        ENABLED,
        None,
        None,
        None,
    )
