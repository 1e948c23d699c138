"""The outbox events of card payments against a real Stripe double (localstripe, its webhooks delivered to
the app on loopback): `payment.succeeded` once per attempt that paid, whatever webhooks say after it;
`payment.failed` once per declined attempt with its number, the failure and the dunning schedule's next
try, null once the schedule is used up and the invoice is uncollectible."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing.models import Invoice
from daas.core import clock
from daas.extensions import db
from daas.payments.models import PaymentAttempt, StripeEvent
from daas.usecases import payments as use_cases
from daas.usecases.invoices import finalize_invoice_and_collect
from tests import factories
from tests.billing_helpers import bill, deploy, documents
from tests.helpers import settings_of
from tests.outbox_helpers import assert_event, events, the_event
from tests.payments.conftest import read, wait_until

VISA = "4242424242424242"
DECLINED_ON_CHARGE = "4000000000000341"  # attaches, then every charge is declined


@pytest.fixture
def world(live_app, localstripe):
    """A customer on a 39.00/month plan with one laptop all October: a 47.19 draft (39.00 + 21% VAT)."""
    with live_app.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Amsterdam Analytics B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        bill()
        db.session.commit()
        world = {
            "customer_id": customer.id,
            "invoice_id": db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contract.id)),
        }
        db.session.remove()
    return world


def _card_then_finalize(live_app, localstripe, world, number: str) -> None:
    """The customer saves a card (nothing is open yet), then finance finalizes the draft: collected."""
    with live_app.app_context():
        policy = settings_of(live_app).collection
        use_cases.save_card(world["customer_id"], localstripe.card(number), policy)
        finalize_invoice_and_collect(world["invoice_id"], documents(), policy)
        db.session.remove()


def _attempts(invoice_id: int) -> list[PaymentAttempt]:
    return list(
        db.session.scalars(
            select(PaymentAttempt)
            .where(PaymentAttempt.invoice_id == invoice_id)
            .order_by(PaymentAttempt.number)
        )
    )


def test_a_card_payment_is_told_once_though_its_webhook_applies_it_again(live_app, localstripe, world):
    _card_then_finalize(live_app, localstripe, world, VISA)
    wait_until(  # localstripe's webhook reached the app and was applied
        lambda: read(
            live_app, select(StripeEvent.processed_at).where(StripeEvent.type == "payment_intent.succeeded")
        )
    )
    with live_app.app_context():
        [attempt] = _attempts(world["invoice_id"])
        [paid] = events("payment.succeeded")
        assert paid.key == f"payment_attempt:{attempt.id}"
        assert_event(
            paid,
            world["customer_id"],
            {
                "invoice_id": world["invoice_id"],
                "invoice_number": "INV-2026-000001",
                "currency": "EUR",
                "amount": "47.19",
                "paid_at": attempt.finished_at.isoformat().replace("+00:00", "Z"),
            },
        )
        assert events("payment.failed") == []
        assert (
            the_event("invoice.issued", f"invoice:{world['invoice_id']}").customer_id == world["customer_id"]
        )
        db.session.remove()


def test_each_declined_attempt_is_told_with_the_next_try_until_the_schedule_is_used_up(
    live_app, localstripe, world
):
    with clock.frozen(date(2026, 11, 5)):
        _card_then_finalize(live_app, localstripe, world, DECLINED_ON_CHARGE)
    policy, retries = settings_of(live_app).collection, settings_of(live_app).webhook_retries
    with live_app.app_context():
        for day in (date(2026, 11, 7), date(2026, 11, 8), date(2026, 11, 12), date(2026, 11, 19)):
            with clock.frozen(day):
                use_cases.run_payment_round(policy, retries)  # 11-07: not due, nothing is tried
            db.session.remove()
        attempts = _attempts(world["invoice_id"])
        assert [attempt.status for attempt in attempts] == ["failed"] * 4
        assert db.session.get(Invoice, world["invoice_id"]).status == "uncollectible"
        failed = events("payment.failed")
        assert [event.key for event in failed] == [f"payment_attempt:{attempt.id}" for attempt in attempts]
        # DAAS_DUNNING_RETRY_DAYS "3,7,14": days after the first failure; after the fourth, none.
        next_tries = [datetime(2026, 11, day, tzinfo=UTC) for day in (8, 12, 19)]
        for attempt, event, next_try in zip(attempts, failed, [*next_tries, None], strict=True):
            assert attempt.failure_message
            assert_event(
                event,
                world["customer_id"],
                {
                    "invoice_id": world["invoice_id"],
                    "invoice_number": "INV-2026-000001",
                    "currency": "EUR",
                    "amount": "47.19",
                    "failure": attempt.failure_message,
                    "attempt": attempt.number,
                    "next_retry_at": next_try.isoformat().replace("+00:00", "Z") if next_try else None,
                },
            )
        assert events("payment.succeeded") == []
        db.session.remove()
