"""What happened to a customer's account, as plain values: an invoice issued, a credit note issued, a
payment received, a refund made. The journal (journal.py) and the account statement (balance.py) are both
made from these; daas.accounting.entries reads them from the database. Pure.

Amounts are as the documents carry them, in their currency's decimals: invoice lines and credit-note
lines are net, `tax` is the VAT, `total` / `amount` gross.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

INVOICE, CREDIT_NOTE, PAYMENT, REFUND = "invoice", "credit_note", "payment", "refund"
# The order of documents of one day: an invoice before the credit note on it, the payments after them.
DOCUMENT_TYPES = (INVOICE, CREDIT_NOTE, PAYMENT, REFUND)


@dataclass(frozen=True)
class Customer:
    """The customer as the document names it, and the document's currency."""

    id: int
    name: str
    currency: str


@dataclass(frozen=True)
class Taxed:
    """The VAT of an invoice (and of its credit notes): the rate (a fraction, 0.21) and the EN 16931
    category (S standard, AE reverse charge, O not subject)."""

    rate: Decimal
    category: str


@dataclass(frozen=True)
class InvoiceIssued:
    id: int
    number: str
    on: date
    due_on: date | None
    customer: Customer
    lines: tuple[tuple[str, Decimal], ...]  # (kind, net amount), in the invoice's order
    tax: Decimal
    total: Decimal
    vat: Taxed

    document_type = INVOICE

    @property
    def document_number(self) -> str:
        return self.number

    @property
    def invoice_number(self) -> str:
        return self.number


@dataclass(frozen=True)
class CreditNoteIssued:
    id: int
    number: str
    invoice_number: str
    on: date
    customer: Customer
    lines: tuple[tuple[str, Decimal], ...]  # (kind of the credited line, or `credit`; net amount)
    tax: Decimal
    amount: Decimal  # gross: net lines + tax
    vat: Taxed
    voids_invoice: bool

    document_type = CREDIT_NOTE

    @property
    def document_number(self) -> str:
        return self.number


@dataclass(frozen=True)
class PaymentReceived:
    id: int
    invoice_number: str
    on: date
    customer: Customer
    amount: Decimal
    method: str  # card | bank_transfer (daas.payments.models.PAYMENT_METHODS)
    reference: str  # the bank's reference, or the Stripe PaymentIntent

    document_type = PAYMENT

    @property
    def document_number(self) -> str:
        return self.reference


@dataclass(frozen=True)
class RefundMade:
    id: int
    invoice_number: str
    credit_note_number: str
    on: date
    customer: Customer
    amount: Decimal
    reference: str  # the Stripe refund

    document_type = REFUND

    @property
    def document_number(self) -> str:
        return self.reference


Fact = InvoiceIssued | CreditNoteIssued | PaymentReceived | RefundMade


def chronological(facts: list[Fact]) -> list[Fact]:
    """By day, then invoices, credit notes, payments and refunds, then as they were recorded."""
    return sorted(facts, key=lambda fact: (fact.on, DOCUMENT_TYPES.index(fact.document_type), fact.id))


def year_range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days a journal or statement covers when `start` or `end` is left out: from 1 January, and to
    31 December, of the other one's year, or of the current year when both are left out."""
    if start is None and end is None:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if start is None:
        return date(end.year, 1, 1), end
    if end is None:
        return start, date(start.year, 12, 31)
    return start, end
