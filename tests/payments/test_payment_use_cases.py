"""The payments use cases (daas.usecases.payments) called as an entry point calls them: the attempts,
payments, refunds and events they leave, the invoice's status and amounts, and what stays committed when
a step fails. Card journeys run against localstripe (tests/payments/conftest.py) with the real `stripe`
library; the rest needs no Stripe."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import stripe
from sqlalchemy import func, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.credit_notes import create_credit_note
from daas.billing.invoices import finalize_run, settle_invoice
from daas.billing.models import CreditNote, Invoice
from daas.core import clock
from daas.core.errors import BadRequest, Conflict, Invalid, NotFound
from daas.extensions import db
from daas.payments import collection, gateway, refunds
from daas.payments.models import (
    ATTEMPT_FAILED,
    ATTEMPT_PENDING,
    ATTEMPT_SUCCEEDED,
    BANK_TRANSFER,
    CARD,
    EVENT_FAILED,
    EVENT_PROCESSED,
    REFUND_PENDING,
    REFUND_SUCCEEDED,
    Payment,
    PaymentAttempt,
    PaymentProfile,
    Refund,
    StripeEvent,
)
from daas.payments.webhooks import GIVEN_UP, RETRY_LATER
from daas.usecases import payments as use_cases
from tests import factories
from tests.billing_helpers import bill, deploy, documents, issuer
from tests.helpers import configure, settings_of
from tests.payments.conftest import WEBHOOK_SECRET

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined
MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)


def _signed(event: dict, secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    return payload, stripe.WebhookSignature.generate_signature_header(
        payload.decode(), secret, int(time.time())
    )


def _open_invoice() -> Invoice:
    """A finalized 47.19 EUR invoice (39.00 + 21% VAT) of a customer of its own, not scheduled yet."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    contract = factories.contract(factories.customer().id, plan.code, date(2026, 1, 1))
    deploy(contract, date(2026, 2, 1))
    run = bill()
    finalize_run(run.id, documents())
    return db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))


def _attempts(invoice_id: int) -> list[tuple[int, str]]:
    return [
        (attempt.number, attempt.status)
        for attempt in db.session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.invoice_id == invoice_id)
            .order_by(PaymentAttempt.number)
        )
    ]


# -- with localstripe ------------------------------------------------------------------------------------


@pytest.fixture
def card_world(live_app):
    """An open, unscheduled 47.19 EUR invoice of a customer without a card yet; ids only."""
    with live_app.app_context():
        invoice = _open_invoice()
        world = {"invoice_id": invoice.id, "customer_id": invoice.customer_id}
        db.session.commit()
        db.session.remove()
    return world


def _save_card(live_app, localstripe, world, number=VISA):
    with live_app.app_context():
        policy = settings_of(live_app).collection
        profile, report = use_cases.save_card(world["customer_id"], localstripe.card(number), policy)
        saved = (profile.card_last4, report)
        db.session.remove()
    return saved


def _charges(localstripe, live_app, world) -> list:
    with live_app.app_context():
        stripe_customer = db.session.get(PaymentProfile, world["customer_id"]).stripe_customer_id
        db.session.remove()
    return list(localstripe.client().v1.charges.list(params={"customer": stripe_customer}).data)


def test_save_card_collects_the_open_invoices_at_once_and_charges_once(live_app, localstripe, card_world):
    last4, report = _save_card(live_app, localstripe, card_world)
    assert last4 == "4242"
    assert (report.attempted, report.succeeded, report.invoices) == (1, 1, [card_world["invoice_id"]])
    with live_app.app_context():
        invoice = db.session.get(Invoice, card_world["invoice_id"])
        assert (invoice.status, invoice.amount_due, invoice.amount_paid) == (
            lifecycle.PAID,
            Decimal("0.00"),
            Decimal("47.19"),
        )
        assert (invoice.collection_method, invoice.next_collection_at) == (CARD, None)
        [attempt] = db.session.scalars(select(PaymentAttempt)).all()
        [payment] = db.session.scalars(select(Payment)).all()
        assert (attempt.status, attempt.amount, attempt.claimed_until) == (
            ATTEMPT_SUCCEEDED,
            Decimal("47.19"),
            None,
        )
        assert (payment.method, payment.amount, payment.reference, payment.attempt_id) == (
            CARD,
            Decimal("47.19"),
            attempt.stripe_payment_intent_id,
            attempt.id,
        )
        again = use_cases.collect_invoices([invoice.id], settings_of(live_app).collection)
        assert (again.attempted, again.invoices) == (0, [])  # paid: nothing is due
        db.session.remove()
    [charge] = _charges(localstripe, live_app, card_world)
    assert (charge.amount, charge.currency, charge.status) == (4719, "eur", "succeeded")


def test_a_decline_is_recorded_and_retried_on_schedule_until_a_new_card_pays(
    live_app, localstripe, card_world
):
    with clock.frozen(MONDAY):
        _last4, report = _save_card(live_app, localstripe, card_world, DECLINED_ON_CHARGE)
    assert (report.attempted, report.failed, report.succeeded, report.uncollectible) == (1, 1, 0, 0)
    policy = settings_of(live_app).collection
    invoice_id = card_world["invoice_id"]
    with live_app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        [attempt] = db.session.scalars(select(PaymentAttempt)).all()
        assert (attempt.status, attempt.finished_at, attempt.claimed_until) == (ATTEMPT_FAILED, MONDAY, None)
        assert attempt.failure_code
        assert (invoice.status, invoice.amount_due, invoice.failed_attempts) == (
            lifecycle.OPEN,
            Decimal("47.19"),
            1,
        )
        assert invoice.next_collection_at == MONDAY + timedelta(days=3)  # DAAS_DUNNING_RETRY_DAYS 3,7,14
        db.session.remove()
        with clock.frozen(MONDAY + timedelta(days=2)):  # not due yet
            assert use_cases.collect_invoices([invoice_id], policy).attempted == 0
        with clock.frozen(MONDAY + timedelta(days=3)):
            report = use_cases.collect_invoices([invoice_id], policy)
        assert (report.attempted, report.failed, report.invoices) == (1, 1, [invoice_id])
        invoice = db.session.get(Invoice, invoice_id)
        assert (invoice.failed_attempts, invoice.next_collection_at) == (2, MONDAY + timedelta(days=7))
        db.session.remove()
    with clock.frozen(MONDAY + timedelta(days=4)):
        _last4, report = _save_card(live_app, localstripe, card_world, VISA)
    assert (report.attempted, report.succeeded) == (1, 1)
    with live_app.app_context():
        assert _attempts(invoice_id) == [(1, ATTEMPT_FAILED), (2, ATTEMPT_FAILED), (3, ATTEMPT_SUCCEEDED)]
        invoice = db.session.get(Invoice, invoice_id)
        assert (invoice.status, invoice.amount_paid, invoice.next_collection_at) == (
            lifecycle.PAID,
            Decimal("47.19"),
            None,
        )
        db.session.remove()
    assert [c.status for c in _charges(localstripe, live_app, card_world)].count("succeeded") == 1


def test_finance_collecting_now_tries_outside_the_schedule(live_app, localstripe, card_world):
    with clock.frozen(MONDAY):
        _save_card(live_app, localstripe, card_world, DECLINED_ON_CHARGE)
    policy = settings_of(live_app).collection
    with live_app.app_context(), clock.frozen(MONDAY + timedelta(hours=1)):  # the retry is 3 days off
        report = use_cases.collect_invoice_now(card_world["invoice_id"], policy)
        assert (report.attempted, report.failed) == (1, 1)
        assert _attempts(card_world["invoice_id"]) == [(1, ATTEMPT_FAILED), (2, ATTEMPT_FAILED)]
        assert db.session.get(Invoice, card_world["invoice_id"]).failed_attempts == 2
        db.session.remove()


def test_stripe_down_leaves_a_committed_pending_attempt_collected_once_when_back(
    live_app, localstripe, card_world
):
    _save_card(live_app, localstripe, card_world)  # paid: take a second invoice of the same customer
    policy = settings_of(live_app).collection
    with live_app.app_context():
        invoice = db.session.get(Invoice, card_world["invoice_id"])
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("10.00")}])
        contract = factories.contract(invoice.customer_id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        finalize_run(bill().id, documents())
        second = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
        collection.schedule_collection([second], policy.stripe)
        db.session.commit()
        second_id = second.id
        db.session.remove()
    localstripe.stop()
    with live_app.app_context():
        report = use_cases.collect_invoices([second_id], policy)
        assert (report.attempted, report.unclear, report.succeeded) == (1, 1, 0)
        db.session.remove()
        [attempt] = db.session.scalars(select(PaymentAttempt).where(PaymentAttempt.invoice_id == second_id))
        assert (attempt.status, attempt.claimed_until, attempt.amount) == (
            ATTEMPT_PENDING,
            None,
            Decimal("12.10"),
        )
        assert use_cases.collect_due_invoices(policy).unclear == 1  # still down: it stays pending
        db.session.remove()
    localstripe.start()
    with live_app.app_context():
        report = use_cases.collect_due_invoices(policy)
        assert (report.attempted, report.succeeded) == (1, 1)
        assert _attempts(second_id) == [(1, ATTEMPT_SUCCEEDED)]
        second = db.session.get(Invoice, second_id)
        assert (second.status, second.amount_paid) == (lifecycle.PAID, Decimal("12.10"))
        db.session.remove()
    assert sorted(charge.amount for charge in _charges(localstripe, live_app, card_world)) == [1210, 4719]


def test_issue_credit_note_refunds_a_card_payment_through_stripe(live_app, localstripe, card_world):
    _save_card(live_app, localstripe, card_world)
    policy = settings_of(live_app).collection
    with live_app.app_context():
        note, outcome = use_cases.issue_credit_note(
            card_world["invoice_id"],
            "a week out of service",
            "finance@tests",
            issuer(),
            policy,
            amount=Decimal("10.00"),
        )
        # 10.00 net and its 21 % VAT come back to the card.
        assert (outcome, note.amount) == (REFUND_SUCCEEDED, Decimal("12.10"))
        [refund] = db.session.scalars(select(Refund)).all()
        assert (refund.status, refund.amount, refund.credit_note_id, refund.claimed_until) == (
            REFUND_SUCCEEDED,
            Decimal("12.10"),
            note.id,
            None,
        )
        invoice = db.session.get(Invoice, card_world["invoice_id"])
        assert (invoice.status, invoice.credited, invoice.amount_due) == (
            lifecycle.PAID,
            Decimal("12.10"),
            Decimal("0.00"),
        )
        intent_id = db.session.scalar(select(Payment.reference))
        db.session.remove()
    [stripe_refund] = localstripe.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    assert (stripe_refund.amount, stripe_refund.metadata["daas_refund"]) == (1210, refund.idempotency_key)


def test_a_refund_asked_while_stripe_is_down_is_made_once_by_execute_refunds(
    live_app, localstripe, card_world
):
    _save_card(live_app, localstripe, card_world)
    policy = settings_of(live_app).collection
    localstripe.stop()
    with live_app.app_context():
        note, outcome = use_cases.issue_credit_note(
            card_world["invoice_id"],
            "contract cancelled",
            "finance@tests",
            issuer(),
            policy,
            amount=Decimal("39.00"),
        )
        assert outcome == collection.UNCLEAR
        note_id = note.id
        db.session.remove()
        assert db.session.get(CreditNote, note_id).amount == Decimal("47.19")  # committed before Stripe
        refund = db.session.scalar(select(Refund))
        assert (refund.status, refund.claimed_until, refund.stripe_refund_id) == (REFUND_PENDING, None, None)
        db.session.remove()
    localstripe.start()
    with live_app.app_context():
        assert use_cases.execute_refunds(policy) == [REFUND_SUCCEEDED]
        assert use_cases.execute_refunds(policy) == []  # nothing pending any more
        assert db.session.scalar(select(Refund.status)) == REFUND_SUCCEEDED
        intent_id = db.session.scalar(select(Payment.reference))
        db.session.remove()
    refunds = localstripe.client().v1.refunds.list(params={"payment_intent": intent_id}).data
    assert [r.amount for r in refunds] == [4719]


def test_start_card_setup_keeps_the_stripe_customer_it_creates(live_app, localstripe, card_world):
    with live_app.app_context():
        stripe_settings = settings_of(live_app).stripe
        secret = use_cases.start_card_setup(card_world["customer_id"], stripe_settings)
        again = use_cases.start_card_setup(
            card_world["customer_id"], stripe_settings, card_world["customer_id"]
        )
        db.session.remove()
        stripe_customer = db.session.get(PaymentProfile, card_world["customer_id"]).stripe_customer_id
        with pytest.raises(NotFound):
            use_cases.start_card_setup(
                card_world["customer_id"], stripe_settings, card_world["customer_id"] + 1
            )
        db.session.remove()
    assert secret.startswith("seti_") and "_secret_" in secret and again != secret
    customer = localstripe.client().v1.customers.retrieve(stripe_customer)
    assert customer.metadata["daas_customer_id"] == str(card_world["customer_id"])
    for client_secret in (secret, again):
        intent = localstripe.client().v1.setup_intents.retrieve(client_secret.split("_secret_")[0])
        assert (intent.customer, intent.usage) == (stripe_customer, "off_session")


def test_receive_webhook_applies_stripes_state_once(live_app, localstripe, card_world):
    _save_card(live_app, localstripe, card_world)
    policy, retries = settings_of(live_app).collection, settings_of(live_app).webhook_retries
    with live_app.app_context():
        intent_id = db.session.scalar(select(Payment.reference))
        db.session.remove()
    intent = localstripe.client().v1.payment_intents.retrieve(intent_id).to_dict()
    payload, signature = _signed(
        {"id": "evt_use_case", "type": "payment_intent.succeeded", "data": {"object": intent}}
    )
    with live_app.app_context():
        outcomes = []
        for _ in range(2):
            stored, outcome = use_cases.receive_webhook(payload, signature, policy, retries)
            outcomes.append((stored.status, stored.attempts, outcome))
        assert outcomes == [(EVENT_PROCESSED, 1, ATTEMPT_SUCCEEDED), (EVENT_PROCESSED, 1, "done before")]
        assert db.session.scalar(select(func.count(Payment.id))) == 1
        db.session.remove()


def test_run_payment_round_processes_events_refunds_and_collections(live_app, localstripe, card_world):
    with clock.frozen(MONDAY):
        _save_card(live_app, localstripe, card_world, DECLINED_ON_CHARGE)
    policy, retries = settings_of(live_app).collection, settings_of(live_app).webhook_retries
    with live_app.app_context():
        with clock.frozen(MONDAY):
            use_cases.receive_webhook(*_signed(_shapeless("evt_round")), policy, retries)
            assert use_cases.run_payment_round(policy, retries) == {
                "events": 0,  # the bad event is due a minute later, the card's retry three days later
                "events_failed": 0,
                "events_given_up": 0,
                "refunds": 0,
                "attempted": 0,
                "succeeded": 0,
                "failed": 0,
                "uncollectible": 0,
                "unclear": 0,
            }
        with clock.frozen(MONDAY + timedelta(days=3)):
            counts = use_cases.run_payment_round(policy, retries)
        assert counts == {
            "events": 1,
            "events_failed": 1,
            "events_given_up": 0,
            "refunds": 0,
            "attempted": 1,
            "succeeded": 0,
            "failed": 1,
            "uncollectible": 0,
            "unclear": 0,
        }
        assert db.session.get(StripeEvent, "evt_round").attempts == 2
        assert _attempts(card_world["invoice_id"]) == [(1, ATTEMPT_FAILED), (2, ATTEMPT_FAILED)]
        db.session.remove()


# -- without Stripe ---------------------------------------------------------------------------------------


def _shapeless(event_id: str) -> dict:
    """An event whose handler cannot read it (a detached card without its id)."""
    return {
        "id": event_id,
        "type": "payment_method.detached",
        "data": {"object": {"object": "payment_method"}},
    }


def test_record_bank_transfer_pays_in_parts_once_per_reference(database, today):
    invoice = _open_invoice()
    db.session.commit()
    first, new = use_cases.record_bank_transfer(
        invoice.id, Decimal("20.00"), "BANK-1", today, "finance@tests"
    )
    assert new and (first.method, first.amount, first.currency) == (BANK_TRANSFER, Decimal("20.00"), "EUR")
    assert (invoice.status, invoice.amount_due) == (lifecycle.OPEN, Decimal("27.19"))
    same, new = use_cases.record_bank_transfer(invoice.id, Decimal("20.00"), "BANK-1", today, "finance@tests")
    assert (same.id, new) == (first.id, False)
    use_cases.record_bank_transfer(invoice.id, Decimal("27.19"), "BANK-2", today, "finance@tests")
    db.session.refresh(invoice)
    assert (invoice.status, invoice.amount_due, invoice.amount_paid) == (
        lifecycle.PAID,
        Decimal("0.00"),
        Decimal("47.19"),
    )
    assert invoice.paid_at is not None


def test_a_refused_bank_transfer_leaves_nothing_behind(database, today):
    invoice = _open_invoice()
    db.session.commit()
    with pytest.raises(Invalid) as too_much:
        use_cases.record_bank_transfer(invoice.id, Decimal("47.20"), "BANK-X", today, "finance@tests")
    assert "amount" in too_much.value.errors
    with pytest.raises(Invalid):
        use_cases.record_bank_transfer(invoice.id, Decimal("1.001"), "BANK-X", today, "finance@tests")
    with pytest.raises(Invalid):
        use_cases.record_bank_transfer(invoice.id, Decimal("1.00"), "BANK-X", today + timedelta(days=1), "f")
    use_cases.record_bank_transfer(invoice.id, Decimal("5.00"), "BANK-Y", today, "finance@tests")
    with pytest.raises(Conflict):  # the same reference with another amount
        use_cases.record_bank_transfer(invoice.id, Decimal("6.00"), "BANK-Y", today, "finance@tests")
    assert [(p.reference, p.amount) for p in db.session.scalars(select(Payment))] == [
        ("BANK-Y", Decimal("5.00"))
    ]
    assert db.session.get(Invoice, invoice.id).amount_due == Decimal("42.19")


def test_a_late_bank_transfer_pays_an_uncollectible_invoice(database, today):
    invoice = _open_invoice()
    invoice.status = lifecycle.UNCOLLECTIBLE
    db.session.commit()
    use_cases.record_bank_transfer(invoice.id, Decimal("47.19"), "BANK-LATE", today, "finance@tests")
    assert db.session.get(Invoice, invoice.id).status == lifecycle.PAID


def test_without_stripe_nothing_is_collected_and_a_credit_note_refunds_nothing(app, database, today):
    policy = settings_of(app).collection
    assert not policy.stripe.enabled
    invoice = _open_invoice()
    collection.schedule_collection([invoice], policy.stripe)
    db.session.commit()
    assert invoice.collection_method == BANK_TRANSFER
    report = use_cases.collect_due_invoices(policy)
    assert (report.attempted, report.invoices) == (0, [])
    with pytest.raises(Conflict) as refused:
        use_cases.collect_invoice_now(invoice.id, policy)
    assert "payment_method" in refused.value.errors
    use_cases.record_bank_transfer(invoice.id, Decimal("47.19"), "BANK-ALL", today, "finance@tests")
    note, outcome = use_cases.issue_credit_note(
        invoice.id, "goodwill", "finance@tests", issuer(), policy, amount=Decimal("5.00")
    )
    assert (outcome, note.amount) == (None, Decimal("6.05"))  # 5.00 net and 21 % VAT
    assert db.session.scalar(select(func.count(Refund.id))) == 0
    assert db.session.get(Invoice, invoice.id).credited == Decimal("6.05")
    assert use_cases.execute_refunds(policy) == []


def test_a_refused_credit_note_is_rolled_back(app, database):
    invoice = _open_invoice()
    db.session.commit()
    policy = settings_of(app).collection
    with pytest.raises(Invalid):
        use_cases.issue_credit_note(
            invoice.id, "too much", "finance@tests", issuer(), policy, amount=Decimal("39.01")
        )
    use_cases.issue_credit_note(
        invoice.id, "all of it", "finance@tests", issuer(), policy, amount=Decimal("39.00")
    )
    with pytest.raises(Invalid):  # paid by the credit: nothing left to credit
        use_cases.issue_credit_note(
            invoice.id, "more", "finance@tests", issuer(), policy, amount=Decimal("0.01")
        )
    void = _open_invoice()
    void.status = lifecycle.VOID
    db.session.commit()
    with pytest.raises(Conflict):
        use_cases.issue_credit_note(
            void.id, "void", "finance@tests", issuer(), policy, amount=Decimal("1.00")
        )
    assert [note.amount for note in db.session.scalars(select(CreditNote))] == [Decimal("47.19")]
    assert db.session.get(Invoice, invoice.id).status == lifecycle.PAID


def test_a_crash_while_stripe_is_called_keeps_the_recorded_attempt(app, database, monkeypatch):
    """The attempt is committed before Stripe is called: whatever the call raises, the attempt stays,
    pending and claimed, for the next run to look up (never to charge blindly again)."""
    configure(app, monkeypatch, STRIPE_API_KEY="sk_test_unreachable")
    policy = settings_of(app).collection
    invoice = _open_invoice()
    db.session.add(
        PaymentProfile(
            customer_id=invoice.customer_id, stripe_customer_id="cus_x", default_payment_method="pm_x"
        )
    )
    with clock.frozen(MONDAY):
        collection.schedule_collection([invoice], policy.stripe)
    db.session.commit()

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died")

    monkeypatch.setattr(gateway, "charge_off_session", crash)
    with clock.frozen(MONDAY), pytest.raises(RuntimeError):
        use_cases.collect_invoices([invoice.id], policy)
    [attempt] = db.session.scalars(select(PaymentAttempt)).all()
    assert (attempt.status, attempt.claimed_until, attempt.idempotency_key) == (
        ATTEMPT_PENDING,
        MONDAY + policy.claim,
        f"daas-invoice-{invoice.id}-attempt-1",
    )
    assert db.session.get(Invoice, invoice.id).next_collection_at is None
    with clock.frozen(MONDAY + timedelta(seconds=1)):  # claimed: another worker leaves it alone
        assert use_cases.collect_due_invoices(policy).attempted == 0


def test_receive_webhook_refuses_a_bad_signature_and_stores_nothing(app, database, monkeypatch):
    configure(app, monkeypatch, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    policy, retries = settings_of(app).collection, settings_of(app).webhook_retries
    payload, _ = _signed(_shapeless("evt_forged"))
    _, forged = _signed(_shapeless("evt_forged"), secret="whsec_not_ours")
    for signature in (forged, None):
        with pytest.raises(BadRequest) as refused:
            use_cases.receive_webhook(payload, signature, policy, retries)
        assert "Stripe-Signature" in refused.value.errors
    with pytest.raises(BadRequest) as not_an_event:
        use_cases.receive_webhook(*_signed({"id": "evt_no_data", "type": "charge.refunded"}), policy, retries)
    assert "data" in not_an_event.value.errors
    assert db.session.scalar(select(func.count(StripeEvent.id))) == 0


def test_a_failing_event_is_recorded_retried_by_hand_and_given_up(app, database, monkeypatch):
    configure(app, monkeypatch, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, DAAS_WEBHOOK_RETRY_MINUTES="10")
    policy, retries = settings_of(app).collection, settings_of(app).webhook_retries
    with clock.frozen(MONDAY):
        stored, outcome = use_cases.receive_webhook(*_signed(_shapeless("evt_bad")), policy, retries)
    assert (stored.status, stored.attempts, outcome) == (EVENT_FAILED, 1, RETRY_LATER)
    assert stored.error.startswith("The event has an unexpected shape")
    assert stored.next_attempt_at == MONDAY + timedelta(minutes=10)
    with clock.frozen(MONDAY + timedelta(minutes=9)):
        assert use_cases.process_webhook_event("evt_bad", policy, retries) == "not due"
        assert use_cases.run_payment_round(policy, retries)["events"] == 0
    with clock.frozen(MONDAY + timedelta(minutes=10)):
        counts = use_cases.run_payment_round(policy, retries)
    assert (counts["events"], counts["events_failed"], counts["events_given_up"]) == (1, 1, 1)
    with clock.frozen(MONDAY + timedelta(hours=1)):
        stored, outcome = use_cases.retry_webhook_event("evt_bad", policy, retries)
    assert (stored.status, stored.attempts, stored.given_up, outcome) == (EVENT_FAILED, 3, True, GIVEN_UP)

    refund_noted = {"id": "evt_ok", "type": "charge.refunded", "data": {"object": {"id": "ch_1"}}}
    stored, outcome = use_cases.receive_webhook(*_signed(refund_noted), policy, retries)
    assert (stored.status, stored.processed_at is not None, outcome) == (
        EVENT_PROCESSED,
        True,
        "refunds follow refund events",
    )
    with pytest.raises(Conflict):
        use_cases.retry_webhook_event("evt_ok", policy, retries)
    with pytest.raises(NotFound):
        use_cases.retry_webhook_event("evt_unknown", policy, retries)
    assert use_cases.process_webhook_event("evt_ok", policy, retries) == "done before"


def test_a_refund_another_worker_holds_is_left_alone(app, database, monkeypatch, today):
    """Two payments rounds list the same pending refund: the one that claims it second asks Stripe
    nothing and changes nothing."""
    configure(app, monkeypatch, STRIPE_API_KEY="sk_test_unreachable")
    policy = settings_of(app).collection
    invoice = _open_invoice()
    db.session.add(
        Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency="EUR",
            method=CARD,
            reference="pi_elsewhere",
            paid_on=today,
            actor="stripe",
        )
    )
    invoice.amount_paid = invoice.total
    settle_invoice(invoice)
    refund = refunds.plan_refund(
        create_credit_note(invoice.id, "goodwill", "finance@tests", issuer(), amount=Decimal("5.00"))
    )
    held_until = clock.now() + timedelta(minutes=1)
    refund.claimed_until = held_until
    db.session.commit()
    monkeypatch.setattr(refunds, "pending_refunds", lambda limit=500: [refund.id])

    def never(*args, **kwargs):
        raise AssertionError("Stripe must not be asked")

    monkeypatch.setattr(gateway, "find_refund", never)
    monkeypatch.setattr(gateway, "refund", never)
    assert use_cases.execute_refunds(policy) == [collection.BUSY]
    stored = db.session.get(Refund, refund.id)
    assert (stored.status, stored.claimed_until, stored.amount) == (
        REFUND_PENDING,
        held_until,
        Decimal("6.05"),  # the credit note's 5.00 net and its VAT
    )
