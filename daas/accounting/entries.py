"""The facts of the books read from the database, set-based (a few queries per range, none per row): the
invoices issued, credit notes issued, payments received and Stripe refunds that succeeded between two
days, for everyone or one customer; what a customer owed before a day; and the journal of a range.

Dated as the journal is (docs/billing.md "Accounting journal"): an invoice and a credit note on their
issue date, a payment on the day it was received, a refund on the day Stripe confirmed it (UTC). Drafts
are never in it. A void invoice is, with the full credit note that voided it; one voided before voids
issued credit notes (it has none) is left out, as it never was.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, not_, select
from sqlalchemy.orm import selectinload

from daas.accounting.accounts import ChartOfAccounts
from daas.accounting.facts import (
    CreditNoteIssued,
    Customer,
    Fact,
    InvoiceIssued,
    PaymentReceived,
    RefundMade,
    Taxed,
    chronological,
)
from daas.accounting.journal import Entry, journal, journal_csv
from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.models import CreditNote, Invoice
from daas.billing.tax import tax_category
from daas.extensions import db
from daas.payments.models import REFUND_SUCCEEDED, Payment, Refund

ZERO = Decimal(0)
_CHUNK = 1000


def _between(column: Any, start: date | None, end: date | None) -> list[Any]:
    return [
        *([column >= start] if start is not None else []),
        *([column <= end] if end is not None else []),
    ]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def _invoices_where(start: date | None, end: date | None, customer_id: int | None) -> list[Any]:
    legacy_void = and_(
        Invoice.status == lifecycle.VOID, not_(exists().where(CreditNote.invoice_id == Invoice.id))
    )
    return [
        Invoice.status != lifecycle.DRAFT,
        Invoice.issued_on.is_not(None),
        not_(legacy_void),
        *_between(Invoice.issued_on, start, end),
        *([Invoice.customer_id == customer_id] if customer_id is not None else []),
    ]


def _customer_where(customer_id: int | None) -> list[Any]:
    return [Invoice.customer_id == customer_id] if customer_id is not None else []


def _refunds_where(start: date | None, end: date | None, customer_id: int | None) -> list[Any]:
    return [
        Refund.status == REFUND_SUCCEEDED,
        *([Refund.updated_at >= _midnight(start)] if start is not None else []),
        *([Refund.updated_at < _midnight(end + timedelta(days=1))] if end is not None else []),
        *_customer_where(customer_id),
    ]


def _customer(invoice: Invoice) -> Customer:
    return Customer(invoice.customer_id, invoice.customer_name, invoice.currency)


def _vat(invoice: Invoice) -> Taxed:
    return Taxed(invoice.tax_rate, tax_category(invoice.tax_note))


def invoices_issued(start: date | None, end: date | None, customer_id: int | None = None) -> Iterator[Fact]:
    query = (
        select(Invoice)
        .where(*_invoices_where(start, end, customer_id))
        .options(selectinload(Invoice.lines))
        .order_by(Invoice.id)
        .execution_options(yield_per=_CHUNK)
    )
    for invoice in db.session.scalars(query):
        yield InvoiceIssued(
            id=invoice.id,
            number=invoice.number or "",
            on=invoice.issued_on,
            due_on=invoice.due_date,
            customer=_customer(invoice),
            lines=tuple((line.kind, line.amount) for line in invoice.lines),
            tax=invoice.tax_amount,
            total=invoice.total,
            vat=_vat(invoice),
        )


def credit_notes_issued(
    start: date | None, end: date | None, customer_id: int | None = None
) -> Iterator[Fact]:
    query = (
        select(CreditNote, Invoice)
        .join(Invoice, Invoice.id == CreditNote.invoice_id)
        .where(*_between(CreditNote.issued_on, start, end), *_customer_where(customer_id))
        .options(selectinload(CreditNote.lines))
        .order_by(CreditNote.id)
        .execution_options(yield_per=_CHUNK)
    )
    for note, invoice in db.session.execute(query):
        yield CreditNoteIssued(
            id=note.id,
            number=note.number,
            invoice_number=invoice.number or "",
            on=note.issued_on,
            customer=_customer(invoice),
            lines=tuple((line.kind, line.amount) for line in note.lines),
            tax=note.tax_amount,
            amount=note.amount,
            vat=_vat(invoice),
            voids_invoice=note.voids_invoice,
        )


def payments_received(start: date | None, end: date | None, customer_id: int | None = None) -> Iterator[Fact]:
    query = (
        select(Payment, Invoice.number, Invoice.customer_id, Invoice.customer_name)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(*_between(Payment.paid_on, start, end), *_customer_where(customer_id))
        .order_by(Payment.id)
        .execution_options(yield_per=_CHUNK)
    )
    for payment, number, customer, name in db.session.execute(query):
        yield PaymentReceived(
            id=payment.id,
            invoice_number=number or "",
            on=payment.paid_on,
            customer=Customer(customer, name, payment.currency),
            amount=payment.amount,
            method=payment.method,
            reference=payment.reference,
        )


def refunds_made(start: date | None, end: date | None, customer_id: int | None = None) -> Iterator[Fact]:
    query = (
        select(Refund, Invoice.number, Invoice.customer_id, Invoice.customer_name, CreditNote.number)
        .join(Invoice, Invoice.id == Refund.invoice_id)
        .join(CreditNote, CreditNote.id == Refund.credit_note_id)
        .where(*_refunds_where(start, end, customer_id))
        .order_by(Refund.id)
        .execution_options(yield_per=_CHUNK)
    )
    for refund, number, customer, name, note_number in db.session.execute(query):
        yield RefundMade(
            id=refund.id,
            invoice_number=number or "",
            credit_note_number=note_number,
            on=refund.updated_at.astimezone(UTC).date(),
            customer=Customer(customer, name, refund.currency),
            amount=refund.amount,
            reference=refund.stripe_refund_id or f"refund-{refund.id}",
        )


def facts(start: date | None, end: date | None, customer_id: int | None = None) -> list[Fact]:
    """Everything dated from `start` to `end` (both included; None: no bound), in chronological order."""
    return chronological(
        [
            *invoices_issued(start, end, customer_id),
            *credit_notes_issued(start, end, customer_id),
            *payments_received(start, end, customer_id),
            *refunds_made(start, end, customer_id),
        ]
    )


def balance_before(customer_id: int, day: date) -> Decimal:
    """What the customer owed at the start of `day`: its invoices less its credit notes and payments, plus
    the refunds paid back to it, all dated before `day` (the same facts the statement lists)."""
    before = day - timedelta(days=1)

    def total(column: Any, *where: Any) -> Decimal:
        query = select(func.coalesce(func.sum(column), 0)).select_from(column.class_)
        if column.class_ is not Invoice:
            query = query.join(Invoice, Invoice.id == column.class_.invoice_id)
        return Decimal(db.session.scalar(query.where(*where)) or 0)

    invoiced = total(Invoice.total, *_invoices_where(None, before, customer_id))
    credited = total(
        CreditNote.amount, *_between(CreditNote.issued_on, None, before), *_customer_where(customer_id)
    )
    paid = total(Payment.amount, *_between(Payment.paid_on, None, before), *_customer_where(customer_id))
    refunded = total(Refund.amount, *_refunds_where(None, before, customer_id))
    return invoiced - credited - paid + refunded


def journal_entries(start: date, end: date, chart: ChartOfAccounts) -> list[Entry]:
    """The journal of every invoice, credit note, payment and refund dated from `start` to `end`."""
    return list(journal(facts(start, end), chart))


def journal_file(start: date, end: date, chart: ChartOfAccounts) -> str:
    """The journal of the range as CSV (docs/billing.md "Accounting journal")."""
    return journal_csv(journal_entries(start, end, chart))
