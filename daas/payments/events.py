"""The outbox events of card payments, one per payment attempt (key `payment_attempt:<id>`), recorded in
the transaction that applies the attempt's outcome: `payment.succeeded` when the payment is recorded,
`payment.failed` when a failure is, with the dunning schedule's next try (null: given up, the invoice is
uncollectible)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from daas.billing.models import Invoice
from daas.outbox.services import record_event
from daas.payments.models import PaymentAttempt


def _key(attempt: PaymentAttempt) -> str:
    return f"payment_attempt:{attempt.id}"


def record_payment_succeeded(attempt: PaymentAttempt, invoice: Invoice, amount: Decimal) -> None:
    """The attempt paid `amount` of the invoice."""
    record_event(
        "payment.succeeded",
        key=_key(attempt),
        customer_id=invoice.customer_id,
        data={
            "invoice_id": invoice.id,
            "invoice_number": invoice.number,
            "currency": invoice.currency,
            "amount": amount,
            "paid_at": attempt.finished_at,
        },
    )


def record_payment_failed(attempt: PaymentAttempt, invoice: Invoice, next_retry_at: datetime | None) -> None:
    """The attempt failed (its failure recorded on it); `next_retry_at` None: no more tries."""
    record_event(
        "payment.failed",
        key=_key(attempt),
        customer_id=invoice.customer_id,
        data={
            "invoice_id": invoice.id,
            "invoice_number": invoice.number,
            "currency": attempt.currency,
            "amount": attempt.amount,
            "failure": attempt.failure_message,
            "attempt": attempt.number,
            "next_retry_at": next_retry_at,
        },
    )
