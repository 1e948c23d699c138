"""Recording bank transfers, and the reads finance and the API make about an invoice's payments.

Card collection lives in daas.payments.collection and the payment profile in daas.payments.cards; what
is left here needs no Stripe at all.

Every function here flushes and locks but never commits or rolls back: which of their writes stand, and
when, is the use case's decision.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.invoices import lock_invoice, settle_invoice
from daas.billing.models import Invoice
from daas.core import clock
from daas.core.errors import Conflict, Invalid
from daas.extensions import db
from daas.payments.models import BANK_TRANSFER, Payment, PaymentAttempt


def open_invoice_ids(customer_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(Invoice.id).where(Invoice.customer_id == customer_id, Invoice.status == lifecycle.OPEN)
        )
    )


# -- bank transfers -------------------------------------------------------------------------------------


def record_bank_transfer(
    invoice_id: int, amount: Decimal, reference: str, paid_on: date, actor: str
) -> tuple[Payment, bool]:
    """Finance records a transfer received for an invoice. Recording the same reference again with the
    same amount changes nothing (returns the payment and False). Under the invoice's row lock, read again,
    so a void or a credit note committed meanwhile is seen."""
    invoice = lock_invoice(invoice_id)
    existing = db.session.scalar(
        select(Payment).where(Payment.invoice_id == invoice.id, Payment.reference == reference)
    )
    if existing is not None:
        if (existing.amount, existing.paid_on) != (amount, paid_on):
            raise Conflict(
                f"Reference {reference} is already recorded for this invoice with other values.",
                errors={"reference": ["Already recorded."]},
            )
        return existing, False
    lifecycle.next_status(invoice.status, lifecycle.PAY, invoice_id)
    lifecycle.check_payment_amount(amount, invoice.currency, invoice.amount_due)
    if paid_on > clock.today():
        raise Invalid.field("paid_on", "A payment cannot be received in the future.")
    payment = Payment(
        invoice_id=invoice.id,
        amount=amount,
        currency=invoice.currency,
        method=BANK_TRANSFER,
        reference=reference,
        paid_on=paid_on,
        actor=actor,
    )
    db.session.add(payment)
    invoice.amount_paid += amount
    settle_invoice(invoice)
    db.session.flush()
    return payment, True


def overdue_condition(today: date) -> Any:
    """Invoices finance must chase: uncollectible ones, and open ones past their due date."""
    return or_(
        Invoice.status == lifecycle.UNCOLLECTIBLE,
        (Invoice.status == lifecycle.OPEN) & (Invoice.due_date < today),
    )


def invoice_payments(invoice_id: int) -> tuple[list[Payment], list[PaymentAttempt]]:
    payments = db.session.scalars(
        select(Payment).where(Payment.invoice_id == invoice_id).order_by(Payment.id)
    )
    attempts = db.session.scalars(
        select(PaymentAttempt).where(PaymentAttempt.invoice_id == invoice_id).order_by(PaymentAttempt.number)
    )
    return list(payments), list(attempts)
