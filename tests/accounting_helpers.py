"""A month of real documents for the accounting journal and the account statement: invoices in NL
(21 %) and reverse-charged to Germany, a bank transfer, a card payment as Stripe's webhook records it with
a refund of a credit note, a partial credit note of a line, a void, a draft that never shows, and an
invoice issued the month before."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing import credit_notes
from daas.billing import invoices as billing
from daas.billing.credit_notes import LineCredit
from daas.billing.models import Invoice
from daas.core import clock
from daas.core.periods import Period
from daas.extensions import db
from daas.payments import refunds
from daas.payments.collection import apply_payment_intent
from daas.payments.models import PaymentAttempt
from daas.payments.services import record_bank_transfer
from daas.settings import current_settings
from tests import factories
from tests.billing_helpers import OCTOBER, at, bill, deploy, documents, issuer, usage

D = Decimal
SEPTEMBER = Period.parse("2026-09")


def _october(contract) -> Invoice:
    return db.session.scalar(
        select(Invoice).where(Invoice.contract_id == contract.id, Invoice.period == OCTOBER.name)
    )


def _card_payment(invoice: Invoice) -> None:
    """A card payment as the Stripe webhook records it: the attempt daas made, then Stripe's answer."""
    attempt = PaymentAttempt(
        invoice_id=invoice.id,
        number=1,
        amount=invoice.amount_due,
        currency=invoice.currency,
        status="processing",
        idempotency_key=f"daas-invoice-{invoice.id}-attempt-1",
    )
    db.session.add(attempt)
    db.session.flush()
    cents = int(invoice.amount_due * 100)
    metadata = {"daas_attempt": attempt.idempotency_key}
    intent = {"id": f"pi_{invoice.id}", "status": "succeeded", "amount": cents, "metadata": metadata}
    assert apply_payment_intent(intent, current_settings().collection) == "succeeded"


def build_month() -> dict[str, Any]:
    """Customers A (NL), B (DE, reverse charge, pays by card), C (NL, credited then voided), D (a draft),
    on the tests' frozen day (2026-11-15); tokens for finance, logistics and the customer users of A and B."""
    swaps = factories.metric(code=factories.unique("express_swaps"), aggregation="sum")
    plan = factories.plan(
        charges=[
            {"kind": "device_monthly", "unit_amount": D("39.00")},
            {"kind": "metered", "metric": swaps.code, "model": "per_unit", "unit_amount": D("49.00")},
        ]
    )
    customers = {
        "A": factories.customer(name="=Alpha B.V.", country="NL"),
        "B": factories.customer(name="Beta GmbH", country="DE", vat_id="DE136695976"),
        "C": factories.customer(name="Gamma B.V.", country="NL"),
        "D": factories.customer(name="Delta B.V.", country="NL"),
    }
    contracts = {key: factories.contract(c.id, plan.code, date(2026, 1, 1)) for key, c in customers.items()}
    deploy(contracts["A"], date(2026, 9, 1))
    for key in "BCD":
        deploy(contracts[key], date(2026, 10, 1))
    for contract in contracts.values():
        usage(contract, swaps, at(2026, 10, 5), at(2026, 10, 6))
    with clock.frozen(date(2026, 10, 3)):
        bill(SEPTEMBER)
        september = db.session.scalar(
            select(Invoice).where(Invoice.contract_id == contracts["A"].id, Invoice.period == SEPTEMBER.name)
        )
        billing.finalize_invoice(september.id, documents())  # 39.00 + 21 % = 47.19, issued 2026-10-03
    bill(OCTOBER)
    invoices = {key: _october(contracts[key]) for key in "ABC"}
    for invoice in invoices.values():
        billing.finalize_invoice(invoice.id, documents())  # issued 2026-11-15; D's stays a draft
    record_bank_transfer(invoices["A"].id, D("165.77"), "NL-BANK-1", date(2026, 11, 15), "tests")
    with clock.frozen(date(2026, 11, 20)):
        _card_payment(invoices["B"])
        goodwill = credit_notes.create_credit_note(
            invoices["B"].id, "Goodwill", "tests", issuer(), amount=D("10.00")
        )
        refund = refunds.plan_refund(goodwill)
        stripe_refund = {
            "id": "re_1",
            "status": "succeeded",
            "metadata": {"daas_refund": refund.idempotency_key},
        }
        assert refunds.apply_stripe_refund(stripe_refund) == "succeeded"
        refund.updated_at = datetime(2026, 11, 21, 9, tzinfo=UTC)  # the day Stripe confirmed it
        metered = next(line for line in invoices["C"].lines if line.kind == "metered")
        credit_notes.create_credit_note(
            invoices["C"].id,
            "One swap was ours",
            "tests",
            issuer(),
            lines=[LineCredit(metered.id, D("49.00"))],
        )
        credit_notes.void_invoice(invoices["C"].id, "Billed by mistake", "tests", issuer())
    db.session.flush()
    tokens = {
        "finance": factories.token("finance"),
        "logistics": factories.token("logistics"),
        "A": factories.token("customer", customers["A"].id),
        "B": factories.token("customer", customers["B"].id),
    }
    return {"customers": customers, "invoices": invoices, "september": september, "tokens": tokens}
