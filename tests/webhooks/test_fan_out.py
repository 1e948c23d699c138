"""Every event type, fanned out and posted to a real receiver: one signed POST per endpoint that listens
for it, with the event as its body; nothing to the endpoints that do not listen, or are not its
customer's; the provider's own endpoints hear of everything, staff events too."""

from __future__ import annotations

import json

import pytest

from daas.core import clock
from daas.extensions import db
from daas.notifications.models import SENT
from daas.outbox.event_types import CUSTOMER_VISIBLE, EVENT_NAMES, EVENT_TYPES, STAFF
from daas.outbox.services import record_event
from daas.usecases.webhooks import update_webhook_endpoint
from tests import factories
from tests.webhooks.conftest import T0, sample_data
from tests.webhooks.helpers import attempts_of, deliver, deliveries_of, endpoint, verified


@pytest.fixture
def world(database, receiver, settings):
    """Two customers; the provider's endpoint for everything, `mine` with one for everything and one for
    invoices only, `theirs` with one for everything."""
    mine, theirs = factories.customer(), factories.customer()
    endpoints = {
        "/provider": endpoint(None, receiver.url("/provider"), settings),
        "/mine": endpoint(mine.id, receiver.url("/mine"), settings),
        "/mine-invoices": endpoint(mine.id, receiver.url("/mine-invoices"), settings, ["invoice.issued"]),
        "/theirs": endpoint(theirs.id, receiver.url("/theirs"), settings),
    }
    return mine, theirs, endpoints


@pytest.mark.parametrize("type_name", EVENT_NAMES)
def test_an_event_reaches_each_endpoint_listening_for_it_signed(world, receiver, settings, type_name):
    mine, _, endpoints = world
    customer_id = None if EVENT_TYPES[type_name].audience == STAFF else mine.id
    with clock.frozen(T0):
        event = record_event(
            type_name, key=f"test:{type_name}", customer_id=customer_id, data=sample_data(type_name)
        )
        db.session.commit()
        report = deliver(settings)
        expected = {
            "id": event.event_id,
            "type": type_name,
            "created": int(T0.timestamp()),
            "data": event.data,
        }
        assert event.dispatch_error is None
        [request] = receiver.to("/provider")
        assert request.method == "POST"
        assert request.json() == expected
        assert request.body == json.dumps(
            expected, separators=(",", ":"), sort_keys=True, ensure_ascii=False
        ).encode("utf-8")
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["User-Agent"] == "daas-webhooks/1"
        assert request.headers["Daas-Event-Id"] == event.event_id
        assert request.headers["Host"] == f"127.0.0.1:{receiver.port}"
        provider_secret = endpoints["/provider"][1]
        assert verified(request, provider_secret)
        assert not verified(request, provider_secret, request.body.replace(b'"data"', b'"dato"'))
        assert not verified(request, endpoints["/mine"][1])  # another endpoint's secret

        customer_hears = type_name in CUSTOMER_VISIBLE
        mine_requests = receiver.to("/mine")
        assert len(mine_requests) == (1 if customer_hears else 0)
        if customer_hears:
            assert mine_requests[0].json() == expected
            assert verified(mine_requests[0], endpoints["/mine"][1])
        assert len(receiver.to("/mine-invoices")) == (1 if type_name == "invoice.issued" else 0)
        assert receiver.to("/theirs") == []
    assert report.webhooks_sent == 1 + customer_hears + (type_name == "invoice.issued")
    delivery = deliveries_of(endpoints["/provider"][0].id)[0]
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (SENT, 1, 200)
    [attempt] = attempts_of(delivery.id)
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (200, None, '{"received": true}')


def test_a_staff_event_never_reaches_a_customers_endpoint_even_about_that_customer(world, receiver, settings):
    mine, _, _ = world
    record_event("job.failed", key="test:job", customer_id=mine.id, data=sample_data("job.failed"))
    db.session.commit()
    deliver(settings)
    assert [r.json()["type"] for r in receiver.to("/provider")] == ["job.failed"]
    assert receiver.to("/mine") == []


def test_a_disabled_endpoint_gets_no_deliveries(world, receiver, settings):
    mine, _, endpoints = world
    update_webhook_endpoint(endpoints["/mine"][0].id, {"status": "disabled"}, settings.webhooks, "tests")
    record_event("invoice.issued", key="test:inv", customer_id=mine.id, data=sample_data("invoice.issued"))
    db.session.commit()
    deliver(settings)
    assert receiver.to("/mine") == []
    assert len(receiver.to("/mine-invoices")) == 1
    assert deliveries_of(endpoints["/mine"][0].id) == []


def test_the_same_event_is_delivered_once_to_each_endpoint(world, receiver, settings):
    mine, _, _ = world
    for _ in range(2):
        record_event(
            "invoice.issued", key="test:once", customer_id=mine.id, data=sample_data("invoice.issued")
        )
    db.session.commit()
    deliver(settings)
    deliver(settings)
    assert len(receiver.to("/mine")) == 1
    assert len(receiver.to("/provider")) == 1
