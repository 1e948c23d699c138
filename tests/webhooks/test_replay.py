"""Replaying a delivery: it arrives again with the same event id (a receiver that applies each id once
applies it once), signed anew; a customer replays only its own, and nothing to a disabled endpoint."""

from __future__ import annotations

import pytest

from daas.core.errors import Conflict, NotFound
from daas.extensions import db
from daas.notifications.models import PENDING, SENT
from daas.outbox.services import record_event
from daas.usecases.notifications import replay_webhook_delivery
from daas.usecases.webhooks import update_webhook_endpoint
from tests import factories
from tests.webhooks.conftest import sample_data
from tests.webhooks.helpers import deliver, deliveries_of, endpoint, verified


@pytest.fixture
def delivered(database, receiver, settings):
    """A customer's endpoint and its one delivery, sent."""
    customer = factories.customer()
    hook, secret = endpoint(customer.id, receiver.url("/replayed"), settings)
    record_event(
        "invoice.issued", key="test:replay", customer_id=customer.id, data=sample_data("invoice.issued")
    )
    db.session.commit()
    deliver(settings)
    [delivery] = deliveries_of(hook.id)
    assert delivery.status == SENT
    return customer, hook, secret, delivery


def test_a_replayed_delivery_arrives_again_with_the_same_event_id(delivered, receiver, settings):
    customer, hook, secret, delivery = delivered
    replayed = replay_webhook_delivery(delivery.id, customer.id)
    assert (replayed.status, replayed.attempts) == (PENDING, 0)
    assert deliver(settings).webhooks_sent == 1
    first, again = receiver.to("/replayed")
    assert again.json() == first.json()
    assert again.headers["Daas-Event-Id"] == first.headers["Daas-Event-Id"] == first.json()["id"]
    assert verified(again, secret)
    [after] = deliveries_of(hook.id)
    assert (after.status, after.attempts) == (SENT, 1)


def test_a_customer_cannot_replay_another_customers_delivery(delivered, receiver, settings):
    _, _, _, delivery = delivered
    stranger = factories.customer()
    with pytest.raises(NotFound):
        replay_webhook_delivery(delivery.id, stranger.id)
    assert deliver(settings).webhooks_sent == 0
    assert len(receiver.to("/replayed")) == 1
    replay_webhook_delivery(delivery.id)  # admin (no scope) may
    assert deliver(settings).webhooks_sent == 1


def test_a_disabled_endpoints_delivery_is_not_replayed(delivered, settings):
    customer, hook, _, delivery = delivered
    update_webhook_endpoint(hook.id, {"status": "disabled"}, settings.webhooks, "tests")
    with pytest.raises(Conflict, match="disabled"):
        replay_webhook_delivery(delivery.id, customer.id)
    assert deliveries_of(hook.id)[0].status == SENT
