"""Card collection against a real Stripe double (localstripe), webhooks delivered to the app on loopback."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import func, select

from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.core import clock
from daas.extensions import db
from daas.payments import cards, collection
from daas.payments.models import Payment, PaymentAttempt, Refund, StripeEvent
from daas.settings import current_settings
from daas.usecases import payments as use_cases
from daas.usecases.payments import run_payment_round
from tests import factories
from tests.billing_helpers import bill, deploy, documents
from tests.helpers import bearer, settings_of
from tests.payments.conftest import WEBHOOK_SECRET, read, wait_until

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined


@pytest.fixture
def world(live_app):
    """A customer on a 39.00/month plan with one laptop all October: a 47.19 invoice (39.00 + 21% VAT)."""
    with live_app.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Amsterdam Analytics B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        customer_token = factories.token("customer", customer.id)
        finance_token = factories.token("finance")
        run = bill()
        db.session.commit()
        invoice_id = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract.id))
        return {
            "customer_id": customer.id,
            "run_id": run.id,
            "invoice_id": invoice_id,
            "customer": bearer(customer_token),
            "finance": bearer(finance_token),
        }


def _add_card(client, world, localstripe, number=VISA):
    response = client.post(
        f"/api/v1/customers/{world['customer_id']}/payment-method",
        json={"payment_method": localstripe.card(number)},
        headers=world["customer"],
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _invoice(client, world):
    return client.get(f"/api/v1/invoices/{world['invoice_id']}", headers=world["finance"]).get_json()


def _charges(localstripe, app, world) -> list:
    with app.app_context():
        profile = cards.get_profile(world["customer_id"])
        return list(
            localstripe.client().v1.charges.list(params={"customer": profile.stripe_customer_id}).data
        )


def _policy(app):
    return settings_of(app).collection


def test_a_card_payment_succeeds_and_the_webhook_confirms_it(live_app, world, localstripe):
    client = live_app.test_client()
    card = _add_card(client, world, localstripe)
    assert (card["collection"], card["card_last4"]) == ("card", "4242")
    finalized = client.post(f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"])
    assert finalized.status_code == 200, finalized.get_json()
    invoice = finalized.get_json()
    assert (invoice["status"], invoice["amount_due"], invoice["total"]) == ("paid", "0.00", "47.19")
    assert [(a["number"], a["status"]) for a in invoice["attempts"]] == [(1, "succeeded")]
    [payment] = invoice["payments"]
    assert (payment["method"], payment["amount"]) == ("card", "47.19")
    assert payment["reference"] == invoice["attempts"][0]["stripe_payment_intent_id"]

    wait_until(
        lambda: read(
            live_app, select(StripeEvent.processed_at).where(StripeEvent.type == "payment_intent.succeeded")
        )
    )
    [charge] = _charges(localstripe, live_app, world)
    assert (charge.amount, charge.currency, charge.status) == (4719, "eur", "succeeded")
    intent = localstripe.client().v1.payment_intents.retrieve(payment["reference"])
    assert intent.metadata["daas_invoice_number"] == invoice["number"]
    assert _invoice(client, world)["payments"] == invoice["payments"]  # the webhook changed nothing more


def test_a_declined_card_is_retried_with_a_new_card(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe, DECLINED_ON_CHARGE)
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    assert (invoice["status"], invoice["amount_due"]) == ("open", "47.19")
    [attempt] = invoice["attempts"]
    assert attempt["status"] == "failed" and attempt["failure_code"]
    assert invoice["next_collection_at"] is not None  # the first retry, three days on

    _add_card(client, world, localstripe, VISA)  # the customer fixes it: collected at once
    invoice = _invoice(client, world)
    assert invoice["status"] == "paid"
    assert [(a["number"], a["status"]) for a in invoice["attempts"]] == [(1, "failed"), (2, "succeeded")]
    assert [c.status for c in _charges(localstripe, live_app, world)].count("succeeded") == 1


def test_retries_follow_the_schedule_then_the_invoice_is_uncollectible(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe, DECLINED_ON_CHARGE)
    with clock.frozen(date(2026, 11, 5)):
        client.post(f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"])
    policy = _policy(live_app)
    with live_app.app_context():
        for day, attempts in (
            (date(2026, 11, 7), 1),
            (date(2026, 11, 8), 2),
            (date(2026, 11, 12), 3),
            (date(2026, 11, 19), 4),
        ):
            with clock.frozen(day):
                run_payment_round(policy, current_settings().webhook_retries)
            assert db.session.scalar(select(func.count(PaymentAttempt.id))) == attempts, day
            db.session.remove()
    invoice = _invoice(client, world)
    assert (invoice["status"], invoice["amount_due"]) == ("uncollectible", "47.19")
    with live_app.app_context():  # another customer's invoice, not overdue
        factories.contract(plan_code=factories.plan().code, start_date=date(2026, 1, 1))
        bill()
        db.session.remove()
    overdue = client.get("/api/v1/invoices?overdue=true", headers=world["finance"]).get_json()
    assert [i["id"] for i in overdue] == [world["invoice_id"]]
    everything = client.get("/api/v1/invoices", headers=world["finance"]).get_json()
    assert len(everything) == 2


def test_stripe_down_during_collection_is_collected_once_when_it_is_back(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    localstripe.stop()
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    assert invoice["status"] == "open"
    assert [a["status"] for a in invoice["attempts"]] == ["pending"]  # written before Stripe was called
    policy = _policy(live_app)
    with live_app.app_context():
        assert (
            run_payment_round(policy, current_settings().webhook_retries)["unclear"] == 1
        )  # still down: nothing changes
        db.session.remove()
    localstripe.start()  # back, with its state
    with live_app.app_context():
        run_payment_round(policy, current_settings().webhook_retries)
        db.session.remove()
    invoice = _invoice(client, world)
    assert invoice["status"] == "paid"
    assert [a["status"] for a in invoice["attempts"]] == ["succeeded"]
    assert len(_charges(localstripe, live_app, world)) == 1


def test_a_lost_answer_is_looked_up_not_charged_again(live_app, world, localstripe):
    """Stripe created the PaymentIntent but daas never heard back: the next run finds it by its attempt."""
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    policy = _policy(live_app)
    with live_app.app_context():
        invoice = db.session.get(Invoice, world["invoice_id"])
        finalize_run(world["run_id"], documents())
        invoice = db.session.get(Invoice, world["invoice_id"])
        collection.schedule_collection([invoice], policy.stripe)
        db.session.commit()
        profile = cards.get_profile(world["customer_id"])
        attempt = PaymentAttempt(
            invoice_id=invoice.id,
            number=1,
            amount=invoice.amount_due,
            currency="EUR",
            status="pending",
            idempotency_key="daas-invoice-lost-attempt-1",
            payment_method=profile.default_payment_method,
        )
        db.session.add(attempt)
        invoice.next_collection_at = None
        db.session.commit()
        # The call went through; its answer was lost.
        from daas.payments import gateway

        gateway.charge_off_session(
            policy.stripe,
            amount=invoice.amount_due,
            currency="EUR",
            stripe_customer_id=profile.stripe_customer_id,
            payment_method=profile.default_payment_method,
            idempotency_key=attempt.idempotency_key,
            metadata={"daas_attempt": attempt.idempotency_key},
        )
        db.session.remove()
        run_payment_round(policy, current_settings().webhook_retries)
        db.session.remove()
    assert _invoice(client, world)["status"] == "paid"
    assert len(_charges(localstripe, live_app, world)) == 1


def _signed(event: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(f"{timestamp}.{payload.decode()}", secret)
    return payload, f"t={timestamp},v1={signature}"


def test_a_forged_webhook_is_refused_and_changes_nothing(live_app, world, localstripe):
    client = live_app.test_client()
    event = {"id": "evt_forged", "type": "payment_intent.succeeded", "data": {"object": {"id": "pi_x"}}}
    payload, header = _signed(event, secret="whsec_not_ours")
    for headers in ({"Stripe-Signature": header}, {}):
        response = client.post(
            "/api/v1/webhooks/stripe", data=payload, content_type="application/json", headers=headers
        )
        assert response.status_code == 400
        assert "Stripe-Signature" in response.get_json()["errors"]
    with live_app.app_context():
        assert db.session.get(StripeEvent, "evt_forged") is None


def test_a_replayed_webhook_changes_nothing(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    intent_id = invoice["payments"][0]["reference"]
    intent = localstripe.client().v1.payment_intents.retrieve(intent_id).to_dict()
    event = {"id": "evt_replayed", "type": "payment_intent.succeeded", "data": {"object": intent}}
    payload, header = _signed(event)
    outcomes = [
        client.post(
            "/api/v1/webhooks/stripe",
            data=payload,
            content_type="application/json",
            headers={"Stripe-Signature": header},
        ).get_json()["outcome"]
        for _ in range(3)
    ]
    assert outcomes == ["succeeded", "done before", "done before"]
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Payment.id))) == 1


def test_events_out_of_order_end_in_stripes_state(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    intent = localstripe.client().v1.payment_intents.retrieve(invoice["payments"][0]["reference"]).to_dict()
    stale = {**intent, "status": "requires_payment_method", "last_payment_error": {"code": "card_declined"}}
    payload, header = _signed(
        {"id": "evt_late_failure", "type": "payment_intent.payment_failed", "data": {"object": stale}}
    )
    client.post(
        "/api/v1/webhooks/stripe",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
    after = _invoice(client, world)
    assert (after["status"], [a["status"] for a in after["attempts"]]) == ("paid", ["succeeded"])


def test_a_credit_note_on_a_card_paid_invoice_refunds_it(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    note = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/credit-notes",
        json={"amount": "10.00", "reason": "laptop out of service for a week"},
        headers=world["finance"],
    )
    assert note.status_code == 201, note.get_json()
    assert note.get_json()["refund_status"] == "succeeded"
    [refund] = (
        localstripe.client()
        .v1.refunds.list(params={"payment_intent": invoice["payments"][0]["reference"]})
        .data
    )
    assert refund.amount == 1210  # 10.00 net and its 21 % VAT
    invoice = _invoice(client, world)
    assert (invoice["credited"], invoice["refunds"][0]["status"]) == ("12.10", "succeeded")
    with live_app.app_context():
        assert db.session.scalar(select(func.count(Refund.id))) == 1


def test_without_a_card_the_invoice_waits_for_a_bank_transfer(live_app, world, localstripe):
    client = live_app.test_client()
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    assert (invoice["status"], invoice["collection_method"], invoice["attempts"]) == (
        "open",
        "bank_transfer",
        [],
    )
    assert _charges(localstripe, live_app, world) == []


def test_two_collectors_at_once_charge_once(live_app, world, localstripe):
    import threading

    client = live_app.test_client()
    _add_card(client, world, localstripe)
    policy = _policy(live_app)
    with live_app.app_context():
        finalize_run(world["run_id"], documents())
        collection.schedule_collection([db.session.get(Invoice, world["invoice_id"])], policy.stripe)
        db.session.commit()
    barrier = threading.Barrier(4)

    def collect():
        with live_app.app_context():
            barrier.wait()
            use_cases.collect_due_invoices(policy)
            db.session.remove()

    threads = [threading.Thread(target=collect) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    invoice = _invoice(client, world)
    assert invoice["status"] == "paid"
    assert len(invoice["attempts"]) == 1
    assert len(_charges(localstripe, live_app, world)) == 1


def test_a_default_card_changed_in_stripe_is_followed(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    with live_app.app_context():
        stripe_customer = cards.get_profile(world["customer_id"]).stripe_customer_id
        db.session.remove()
    other = localstripe.card("5555555555554444")
    stripe_client = localstripe.client()
    stripe_client.v1.payment_methods.attach(other, params={"customer": stripe_customer})
    stripe_client.v1.customers.update(
        stripe_customer, params={"invoice_settings": {"default_payment_method": other}}
    )
    wait_until(
        lambda: (
            read(
                live_app,
                select(cards.PaymentProfile.default_payment_method).where(
                    cards.PaymentProfile.customer_id == world["customer_id"]
                ),
            )
            == other
        )
    )


def test_no_secret_is_logged_or_returned(live_app, world, localstripe, caplog):
    caplog.set_level("DEBUG")
    client = live_app.test_client()
    bodies = [
        client.post(f"/api/v1/customers/{world['customer_id']}/setup-intent", headers=world["customer"]).data,
        client.get(
            f"/api/v1/customers/{world['customer_id']}/payment-method", headers=world["customer"]
        ).data,
        client.post(
            f"/api/v1/customers/{world['customer_id']}/payment-method",
            json={"payment_method": localstripe.card(VISA)},
            headers=world["customer"],
        ).data,
        client.post(f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]).data,
        client.get("/api/v1/openapi.json").data,
    ]
    secrets = (live_app.config["STRIPE_API_KEY"], live_app.config["STRIPE_WEBHOOK_SECRET"])
    for secret in secrets:
        assert all(secret.encode() not in body for body in bodies)
        assert secret not in caplog.text
    assert b"pk_test_daas" in bodies[0]  # the publishable key is meant for browsers


def test_a_refund_asked_while_stripe_is_down_is_made_once_when_it_is_back(live_app, world, localstripe):
    client = live_app.test_client()
    _add_card(client, world, localstripe)
    invoice = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/finalize", headers=world["finance"]
    ).get_json()
    localstripe.stop()
    note = client.post(
        f"/api/v1/invoices/{world['invoice_id']}/credit-notes",
        json={"amount": "39.00", "reason": "contract cancelled"},  # all of it: 39.00 net, 8.19 VAT
        headers=world["finance"],
    )
    assert note.status_code == 201 and note.get_json()["refund_status"] == "pending"
    localstripe.start()
    with live_app.app_context():
        run_payment_round(_policy(live_app), current_settings().webhook_retries)
        run_payment_round(
            _policy(live_app), current_settings().webhook_retries
        )  # a second round finds nothing more to do
        db.session.remove()
    refunds = localstripe.client().v1.refunds.list(
        params={"payment_intent": invoice["payments"][0]["reference"]}
    )
    assert [r.amount for r in refunds.data] == [4719]
    assert _invoice(client, world)["refunds"][0]["status"] == "succeeded"
