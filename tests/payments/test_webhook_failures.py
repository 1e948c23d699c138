"""Stripe events that cannot be processed: recorded failed with their error, retried with backoff by the
payments job until given up, visible to finance (page and API) and retried by hand; they never stop the
job's other work. Events that are not events (no data, no id, an id too long, text no database keeps) and
signatures from the future are refused with 400 and leave nothing behind.

Where Stripe is called, the real `stripe` library talks to localstripe (tests/payments/conftest.py)."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import func, select

from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.core import clock
from daas.core.jobs import JobContext
from daas.extensions import db
from daas.jobs.payments import payment_retries_job
from daas.payments import collection, webhooks
from daas.payments.models import StripeEvent
from daas.settings import current_settings
from daas.usecases import payments as use_cases
from daas.usecases.payments import run_payment_round
from tests import factories
from tests.billing_helpers import bill, deploy, documents
from tests.helpers import assert_error, bearer, configure, settings_of
from tests.payments.conftest import WEBHOOK_SECRET
from tests.web.helpers import PASSWORD, post_form, sign_in, signed_in

VISA = "4242424242424242"
UNKNOWN_INTENT = {
    "id": "evt_unknown_object",
    "object": "event",
    "type": "payment_intent.succeeded",
    "data": {"object": {"id": "pi_does_not_exist", "object": "payment_intent", "status": "succeeded"}},
}
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _signed(event: object, at: float | None = None, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = event if isinstance(event, bytes) else json.dumps(event).encode()
    header = stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, int(at if at is not None else time.time())
    )
    return payload, header


def _post(client, event: object, at: float | None = None):
    payload, header = _signed(event, at)
    return client.post(
        "/api/v1/webhooks/stripe",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


def _events(client, headers, **query) -> list[dict]:
    response = client.get("/api/v1/webhook-events", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _event(client, headers, event_id: str) -> dict:
    [found] = [event for event in _events(client, headers) if event["id"] == event_id]
    return found


def _at(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


# -- against localstripe ----------------------------------------------------------------------------------


@pytest.fixture
def shop(live_app):
    """A customer on a 39.00/month plan with one laptop all October (a 47.19 invoice, still a draft), and
    finance's token."""
    with live_app.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Rotterdam Robotics B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        customer_token, finance_token = factories.token("customer", customer.id), factories.token("finance")
        run = bill()
        db.session.commit()
        world = {
            "customer_id": customer.id,
            "run_id": run.id,
            "invoice_id": db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract.id)),
            "customer": bearer(customer_token),
            "finance": bearer(finance_token),
        }
        db.session.remove()
    return world


def _add_card(client, shop, localstripe) -> None:
    response = client.post(
        f"/api/v1/customers/{shop['customer_id']}/payment-method",
        json={"payment_method": localstripe.card(VISA)},
        headers=shop["customer"],
    )
    assert response.status_code == 200, response.get_json()


def _invoice(client, shop) -> dict:
    return client.get(f"/api/v1/invoices/{shop['invoice_id']}", headers=shop["finance"]).get_json()


def test_an_event_for_an_object_stripe_does_not_know_is_answered_2xx_and_recorded_failed(
    live_app, shop, localstripe
):
    client = live_app.test_client()
    with clock.frozen(MONDAY):
        response = _post(client, UNKNOWN_INTENT)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"received": True, "status": "failed", "outcome": "retry later"}

    [event] = _events(client, shop["finance"], status="failed")
    assert (event["id"], event["type"], event["object_id"]) == (
        "evt_unknown_object",
        "payment_intent.succeeded",
        "pi_does_not_exist",
    )
    assert "404" in event["error"] and "pi_does_not_exist" in event["error"]
    assert (event["attempts"], event["given_up"], event["processed_at"]) == (1, False, None)
    assert _at(event["last_attempt_at"]) == MONDAY
    assert _at(event["next_attempt_at"]) == MONDAY + timedelta(minutes=1)

    with clock.frozen(MONDAY + timedelta(seconds=30)):  # Stripe sends it again: it waits for its retry
        replay = _post(client, UNKNOWN_INTENT)
    assert replay.status_code == 200 and replay.get_json()["status"] == "failed"
    assert _event(client, shop["finance"], "evt_unknown_object")["attempts"] == 1


def test_the_payments_job_goes_past_a_bad_event_and_still_collects(live_app, shop, localstripe):
    """Two events wait (their webhook requests died): the first is about an object Stripe does not know.
    The job records it failed, processes the other, and goes on to collect a due invoice by card."""
    client = live_app.test_client()
    _add_card(client, shop, localstripe)
    policy = settings_of(live_app).collection
    with live_app.app_context():
        finalize_run(shop["run_id"], documents())
        collection.schedule_collection([db.session.get(Invoice, shop["invoice_id"])], policy.stripe)
        webhooks.store_event(UNKNOWN_INTENT)
        db.session.commit()
        webhooks.store_event(
            {
                "id": "evt_refund_noted",
                "type": "charge.refunded",
                "data": {"object": {"id": "ch_elsewhere", "object": "charge"}},
            }
        )
        db.session.commit()
        counts = run_payment_round(policy, current_settings().webhook_retries)
        db.session.remove()
    assert counts["events"] == 2 and counts["events_failed"] == 1 and counts["events_given_up"] == 0
    assert (counts["attempted"], counts["succeeded"]) == (1, 1)
    invoice = _invoice(client, shop)
    assert (invoice["status"], invoice["amount_due"]) == ("paid", "0.00")
    assert [p["amount"] for p in invoice["payments"]] == ["47.19"]
    statuses = {e["id"]: e["status"] for e in _events(client, shop["finance"])}
    assert statuses["evt_unknown_object"] == "failed" and statuses["evt_refund_noted"] == "processed"


def test_a_failing_event_is_retried_with_backoff_then_given_up(live_app, shop, localstripe):
    client = live_app.test_client()
    policy = settings_of(live_app).collection
    with clock.frozen(MONDAY):
        assert _post(client, UNKNOWN_INTENT).status_code == 200
    due = MONDAY + timedelta(minutes=1)
    for attempts, delay in ((2, 5), (3, 30), (4, 120), (5, 720), (6, None)):
        with live_app.app_context():
            with clock.frozen(due - timedelta(seconds=1)):
                assert (
                    run_payment_round(policy, current_settings().webhook_retries)["events"] == 0
                )  # not due yet
            with clock.frozen(due):
                counts = run_payment_round(policy, current_settings().webhook_retries)
            db.session.remove()
        assert (counts["events"], counts["events_failed"]) == (1, 1)
        assert counts["events_given_up"] == (1 if delay is None else 0)
        event = _event(client, shop["finance"], "evt_unknown_object")
        assert (event["status"], event["attempts"]) == ("failed", attempts)
        assert _at(event["last_attempt_at"]) == due
        if delay is None:
            assert event["next_attempt_at"] is None and event["given_up"] is True
        else:
            assert _at(event["next_attempt_at"]) == due + timedelta(minutes=delay)
            assert event["given_up"] is False
            due += timedelta(minutes=delay)
    with live_app.app_context(), clock.frozen(MONDAY + timedelta(days=30)):
        assert (
            run_payment_round(policy, current_settings().webhook_retries)["events"] == 0
        )  # given up: the job leaves it alone
        db.session.remove()
    [given_up] = _events(client, shop["finance"], status="failed", given_up="true")
    assert (given_up["attempts"], "pi_does_not_exist" in given_up["error"]) == (6, True)


def test_stripe_unavailable_is_retried_the_same_way_and_by_hand(live_app, shop, localstripe):
    """A real payment's event arrives while Stripe cannot be reached: recorded failed, retried by hand
    (still down: it keeps its schedule), then processed by the job once Stripe is back."""
    client = live_app.test_client()
    _add_card(client, shop, localstripe)
    paid = client.post(f"/api/v1/invoices/{shop['invoice_id']}/finalize", headers=shop["finance"]).get_json()
    intent = localstripe.client().v1.payment_intents.retrieve(paid["payments"][0]["reference"]).to_dict()
    event = {"id": "evt_while_down", "type": "payment_intent.succeeded", "data": {"object": intent}}
    localstripe.stop()
    with clock.frozen(MONDAY):
        response = _post(client, event)
        assert response.get_json()["status"] == "failed"
        first = _event(client, shop["finance"], "evt_while_down")
        assert first["error"].startswith("Stripe unavailable")
        assert _at(first["next_attempt_at"]) == MONDAY + timedelta(minutes=1)
    later = MONDAY + timedelta(minutes=2)
    with clock.frozen(later):
        retried = client.post("/api/v1/webhook-events/evt_while_down/retry", headers=shop["finance"])
    assert retried.status_code == 200, retried.get_json()
    body = retried.get_json()
    assert (body["status"], body["attempts"], body["outcome"]) == ("failed", 2, "retry later")
    assert _at(body["next_attempt_at"]) == later + timedelta(minutes=5)

    localstripe.start()
    with live_app.app_context(), clock.frozen(later + timedelta(minutes=5)):
        counts = run_payment_round(settings_of(live_app).collection, current_settings().webhook_retries)
        db.session.remove()
    assert (counts["events"], counts["events_failed"]) == (1, 0)
    done = _event(client, shop["finance"], "evt_while_down")
    assert (done["status"], done["attempts"], done["error"], done["next_attempt_at"]) == (
        "processed",
        3,
        None,
        None,
    )
    assert [p["amount"] for p in _invoice(client, shop)["payments"]] == ["47.19"]  # applied once


def test_finance_sees_the_failed_event_on_its_page_and_retries_it(live_app, shop, localstripe):
    client = live_app.test_client()
    with clock.frozen(MONDAY):
        assert _post(client, UNKNOWN_INTENT).status_code == 200
    with live_app.app_context():
        email = factories.user("finance", password=PASSWORD).email
        db.session.commit()
        db.session.remove()
    assert sign_in(client, email).status_code == 302
    menu = client.get("/finance").get_data(as_text=True)
    assert 'href="/finance/webhook-events">Stripe events</a>' in menu
    page = client.get("/finance/webhook-events?status=failed").get_data(as_text=True)
    assert "evt_unknown_object" in page and "pi_does_not_exist" in page and "1 failed event" in page
    assert "404" in page and "2026-11-16 09:01 UTC" in page  # the error and the next try
    with clock.frozen(MONDAY + timedelta(minutes=3)):
        answer = post_form(
            client,
            "/finance/webhook-events/evt_unknown_object/retry",
            {"status": "failed"},
            form_page="/finance/webhook-events?status=failed",
        )
    assert answer.status_code == 302 and answer.location.endswith("/finance/webhook-events?status=failed")
    after = client.get(answer.location).get_data(as_text=True)
    assert "Stripe event evt_unknown_object failed again" in after
    assert _event(client, shop["finance"], "evt_unknown_object")["attempts"] == 2


# -- without Stripe: events refused, and what finance can do ------------------------------------------------


@pytest.fixture
def signed(app, database, monkeypatch):
    """The session's app with a webhook secret (Stripe itself is not configured)."""
    configure(app, monkeypatch, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    return app.test_client()


def _stored() -> int:
    return db.session.scalar(select(func.count(StripeEvent.id)))


REFUND = {"id": "evt_ok", "type": "charge.refunded", "data": {"object": {"id": "ch_1", "object": "charge"}}}
MALFORMED = [
    ({"id": "evt_no_data", "type": "payment_intent.succeeded"}, "data"),
    ({**REFUND, "data": None}, "data"),
    ({**REFUND, "data": {}}, "data.object"),
    ({**REFUND, "data": {"object": "pi_123"}}, "data.object"),
    ({"type": "charge.refunded", "data": REFUND["data"]}, "id"),
    ({**REFUND, "id": 12345}, "id"),
    ({**REFUND, "id": "evt_" + "x" * 97}, "id"),
    ({**REFUND, "id": "evt_a/b"}, "id"),
    ({"id": "evt_no_type", "data": REFUND["data"]}, "type"),
    ({**REFUND, "type": "charge." + "x" * 94}, "type"),
    ([REFUND], "body"),
    (b'{"id": "evt_nan", "type": "charge.refunded", "data": {"object": {"amount": NaN}}}', "body"),
    ({**REFUND, "data": {"object": {"id": "ch_1", "description": "a\x00b"}}}, "data.object.description"),
    (
        b'{"id": "evt_s", "type": "charge.refunded", "data": {"object": {"id": "ch_\\ud800"}}}',
        "data.object.id",
    ),
]


@pytest.mark.parametrize(("event", "field"), MALFORMED, ids=[f for _, f in MALFORMED])
def test_a_signed_event_that_is_not_a_storable_event_is_a_400_naming_what_is_wrong(signed, event, field):
    response = _post(signed, event)
    assert_error(response, 400, field)
    assert _stored() == 0


def test_a_signature_from_the_future_is_refused(signed):
    now = time.time()
    for ahead in (301, 3600):
        response = _post(signed, {**REFUND, "id": f"evt_ahead_{ahead}"}, at=now + ahead)
        assert "future" in assert_error(response, 400, "Stripe-Signature")["errors"]["Stripe-Signature"][0]
    assert _stored() == 0
    assert _post(signed, {**REFUND, "id": "evt_clock_skew"}, at=now + 60).status_code == 200
    assert _post(signed, {**REFUND, "id": "evt_stale"}, at=now - 301).status_code == 400  # the library's side
    assert _stored() == 1


def _shapeless(event_id: str) -> dict:
    """An event whose handler cannot read it (a detached card without its id): fails without Stripe."""
    return {
        "id": event_id,
        "type": "payment_method.detached",
        "data": {"object": {"object": "payment_method"}},
    }


def test_webhook_events_are_for_finance_and_admin_paginated_and_filtered(signed, today):
    for number in range(3):
        assert _post(signed, _shapeless(f"evt_bad_{number}")).get_json()["status"] == "failed"
    assert _post(signed, REFUND).get_json()["status"] == "processed"
    finance, admin = bearer(factories.token("finance")), bearer(factories.token("admin"))

    page = signed.get("/api/v1/webhook-events?status=failed&page_size=2", headers=finance)
    assert page.status_code == 200
    assert json.loads(page.headers["X-Pagination"])["total"] == 3 and len(page.get_json()) == 2
    [bad] = _events(signed, admin, status="failed", page=2, page_size=2)
    assert bad["error"].startswith("The event has an unexpected shape") and bad["attempts"] == 1
    assert [e["id"] for e in _events(signed, finance, status="processed")] == ["evt_ok"]
    assert _events(signed, finance, given_up="true") == []
    assert_error(signed.get("/api/v1/webhook-events?status=lost", headers=finance), 422, "status")

    for role in ("logistics", "customer"):
        other = bearer(factories.token(role, factories.customer().id if role == "customer" else None))
        assert signed.get("/api/v1/webhook-events", headers=other).status_code == 403
        assert signed.post("/api/v1/webhook-events/evt_bad_0/retry", headers=other).status_code == 403
    assert signed.get("/api/v1/webhook-events").status_code == 401


def test_a_retry_by_hand_counts_as_an_attempt_and_a_given_up_event_stays_given_up(signed, app, monkeypatch):
    configure(app, monkeypatch, DAAS_WEBHOOK_RETRY_MINUTES="10")  # two attempts in all
    finance = bearer(factories.token("finance"))
    with clock.frozen(MONDAY):
        _post(signed, _shapeless("evt_bad"))
    outcomes = []
    for minutes in (1, 2):
        with clock.frozen(MONDAY + timedelta(minutes=minutes)):
            response = signed.post("/api/v1/webhook-events/evt_bad/retry", headers=finance)
        assert response.status_code == 200, response.get_json()
        outcomes.append(response.get_json())
    assert [(o["attempts"], o["outcome"], o["given_up"], o["next_attempt_at"]) for o in outcomes] == [
        (2, "given up", True, None),
        (3, "given up", True, None),
    ]
    _post(signed, REFUND)
    assert_error(signed.post("/api/v1/webhook-events/evt_ok/retry", headers=finance), 409, "status")
    assert_error(signed.post("/api/v1/webhook-events/evt_unknown/retry", headers=finance), 404)


def test_the_page_lists_failed_events_and_filters_them(signed, app, today):
    _post(signed, _shapeless("evt_bad"))
    _post(signed, REFUND)
    client, _ = signed_in(app, "finance")
    page = client.get("/finance/webhook-events?status=failed").get_data(as_text=True)
    assert "evt_bad" in page and "unexpected shape" in page and "evt_ok" not in page
    assert "Retry now" in page
    everything = client.get("/finance/webhook-events").get_data(as_text=True)
    assert "evt_bad" in everything and "evt_ok" in everything


def test_the_page_is_not_for_logistics(app, database):
    logistics, _ = signed_in(app, "logistics")
    assert logistics.get("/finance/webhook-events").status_code == 403


def test_flask_daas_payments_collect_and_the_hourly_job_go_past_a_bad_event(signed, app, today):
    _post(signed, _shapeless("evt_bad"))
    _post(signed, REFUND)
    with clock.frozen(datetime(2026, 11, 15, 0, 1, tzinfo=UTC)):  # the bad one's first retry is due
        result = app.test_cli_runner().invoke(args=["daas", "payments", "collect"])
    assert result.exit_code == 0, result.output
    assert "events: 1, events_failed: 1, events_given_up: 0" in result.output
    with clock.frozen(datetime(2026, 11, 15, 0, 6, tzinfo=UTC)):
        counts = payment_retries_job(JobContext(settings_of(app), clock.now()))
    assert (counts["events"], counts["events_failed"]) == (1, 1)
    assert db.session.get(StripeEvent, "evt_bad").attempts == 3


# -- races (PostgreSQL) -------------------------------------------------------------------------------------


@pytest.mark.postgres
def test_two_workers_at_once_make_one_attempt(committed):
    """Two payments jobs find the same due event: one claims it, the other leaves it alone."""
    policy = settings_of(committed).collection
    retries = webhooks.EventRetries.parse("1,5")
    with committed.app_context():
        webhooks.store_event(_shapeless("evt_raced"))
        db.session.commit()
        db.session.remove()
    barrier, outcomes = threading.Barrier(4), []

    def work() -> None:
        with committed.app_context():
            barrier.wait()
            outcomes.append(use_cases.process_webhook_event("evt_raced", policy, retries))
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes).count("retry later") == 1, outcomes
    with committed.app_context():
        assert db.session.get(StripeEvent, "evt_raced").attempts == 1
        db.session.remove()
