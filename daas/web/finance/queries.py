"""Reads the finance pages need and the billing and payments services do not offer: totals per currency
of a set of invoices, the receivables, invoiced totals by month, overdue invoices oldest first, a billing
run's invoices, the customers to filter by, how many Stripe events failed, the SHA-256 of the files kept
for an invoice and its credit notes, and what finalizing, voiding or crediting will do (the figures their
confirmations show). Read only, never a commit; amounts stay Decimal (summed by the database with the
columns' exact type, so SQLite's scaled integers come back as Decimal too)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing import invoices
from daas.billing.credit_notes import Creditable, LineCredit, void_credit
from daas.billing.invoices import invoice_filters
from daas.billing.models import BillingRun, Invoice, InvoiceLine, IssuedDocument
from daas.customers.models import Customer
from daas.db import Money, fetch_page
from daas.extensions import db
from daas.payments import refunds
from daas.payments.models import EVENT_FAILED, StripeEvent
from daas.payments.services import overdue_condition
from daas.payments.webhooks import given_up_condition

ZERO = Decimal(0)
# Invoices that were issued and still stand: what "invoiced" means on the finance pages.
ISSUED = lifecycle.ISSUED


@dataclass(frozen=True)
class CurrencyTotals:
    """How many invoices of one currency, and their amounts added up."""

    currency: str
    count: int
    subtotal: Decimal
    tax: Decimal
    total: Decimal
    amount_due: Decimal


def _sum(column: Any) -> Any:
    return func.coalesce(func.sum(column, type_=Money), ZERO, type_=Money)


def invoice_conditions(
    period: str | None = None,
    status: str | None = None,
    customer_id: int | None = None,
    overdue_on: date | None = None,
    billing_run_id: int | None = None,
) -> list[ColumnElement[bool]]:
    """The invoice list's filters as SQL conditions (`list_invoices`' own), and overdue on a day."""
    conditions = invoice_filters(period, None, customer_id, status, billing_run_id)
    return [*conditions, overdue_condition(overdue_on)] if overdue_on is not None else conditions


def invoice_totals(*conditions: ColumnElement[bool]) -> list[CurrencyTotals]:
    """Count, subtotal, tax, total and amount due of the invoices matching `conditions`, per currency."""
    rows = db.session.execute(
        select(
            Invoice.currency,
            func.count(Invoice.id),
            _sum(Invoice.subtotal),
            _sum(Invoice.tax_amount),
            _sum(Invoice.total),
            _sum(Invoice.amount_due),
        )
        .where(*conditions)
        .group_by(Invoice.currency)
        .order_by(Invoice.currency)
    ).all()
    return [CurrencyTotals(*row) for row in rows]


def status_counts(*conditions: ColumnElement[bool]) -> dict[str, int]:
    """How many invoices matching `conditions` are in each status."""
    rows = db.session.execute(
        select(Invoice.status, func.count(Invoice.id)).where(*conditions).group_by(Invoice.status)
    ).all()
    return {status: count for status, count in rows}


def receivables() -> list[CurrencyTotals]:
    """What customers owe on issued invoices (open, or given up on by card collection), per currency."""
    return invoice_totals(Invoice.status.in_(lifecycle.OWING))


@dataclass(frozen=True)
class MonthlyTotals:
    periods: list[str]  # oldest first
    totals: dict[str, list[Decimal]]  # currency -> one total per period


def invoiced_by_month(months: int = 12) -> MonthlyTotals:
    """Totals of issued invoices (not drafts, not voided) of the last `months` periods that have any,
    per currency; a period without invoices in a currency counts 0 in it."""
    issued = Invoice.status.in_(ISSUED)
    periods = list(
        db.session.scalars(
            select(Invoice.period).where(issued).group_by(Invoice.period).order_by(Invoice.period.desc())
        ).all()[:months]
    )[::-1]
    if not periods:
        return MonthlyTotals([], {})
    rows = db.session.execute(
        select(Invoice.period, Invoice.currency, _sum(Invoice.total))
        .where(issued, Invoice.period.in_(periods))
        .group_by(Invoice.period, Invoice.currency)
    ).all()
    totals: dict[str, list[Decimal]] = {}
    for period, currency, total in rows:
        totals.setdefault(currency, [ZERO] * len(periods))[periods.index(period)] = total
    return MonthlyTotals(periods, dict(sorted(totals.items())))


def overdue_invoices(today: date, offset: int = 0, limit: int = 50) -> tuple[list[Invoice], int]:
    """Invoices finance must chase (see `overdue_condition`), the longest overdue first."""
    query = select(Invoice).where(overdue_condition(today)).order_by(Invoice.due_date, Invoice.id)
    return fetch_page(query, offset, limit)


def run_invoices_page(run_id: int, offset: int = 0, limit: int = 50) -> tuple[list[Invoice], int]:
    """One page of the invoices a billing run computed, by id."""
    return fetch_page(
        select(Invoice).where(Invoice.billing_run_id == run_id).order_by(Invoice.id), offset, limit
    )


def run_completing(run_id: int) -> int | None:
    """The first later billing run that says it completes this (interrupted) run, if any."""
    return db.session.scalar(select(func.min(BillingRun.id)).where(BillingRun.completes_run_id == run_id))


@dataclass(frozen=True)
class FailedEvents:
    """Stripe events whose last attempt failed: all of them, and those daas no longer retries."""

    failed: int
    given_up: int


def failed_webhook_events() -> FailedEvents:
    failed, given_up = db.session.execute(
        select(
            func.count(StripeEvent.id),
            func.count(StripeEvent.id).filter(given_up_condition()),
        ).where(StripeEvent.status == EVENT_FAILED)
    ).one()
    return FailedEvents(failed, given_up)


# -- the files kept for an issued document ------------------------------------------------------------------


def kept_digests(*, invoice_id: int | None = None, credit_note_id: int | None = None) -> dict[str, str]:
    """Format (pdf, ubl, cii) -> SHA-256 of the files `daas.billing.issuing` kept for an invoice or a
    credit note, without reading the files. An invoice issued before files were kept has none until its
    first download."""
    owner = (
        IssuedDocument.invoice_id == invoice_id
        if invoice_id is not None
        else IssuedDocument.credit_note_id == credit_note_id
    )
    return dict(db.session.execute(select(IssuedDocument.format, IssuedDocument.sha256).where(owner)).all())


# -- what finalizing, voiding or crediting will do ----------------------------------------------------------


@dataclass(frozen=True)
class Numbers:
    """The numbers a finalization will take from its series, in order (`billing.invoices.take_numbers`,
    which gives them out gapless in the finalizing transaction)."""

    first: str
    last: str
    count: int


def next_numbers(series: str, year: int, count: int) -> Numbers:
    """The next `count` numbers of a series and year, as they stand now (`daas.billing.invoices`)."""
    numbers = invoices.next_numbers(series, year, max(count, 1))
    return Numbers(numbers[0], numbers[-1], count)


@dataclass(frozen=True)
class Finalization:
    """What finalizing drafts will do: the numbers they take (in id order), the day they are issued,
    their totals per currency, how many are collected by card at once (the others wait for a bank
    transfer) and, for one invoice, its due date."""

    numbers: Numbers
    issued_on: date
    totals: list[CurrencyTotals]
    by_card: int
    due_date: date | None = None

    @property
    def count(self) -> int:
        return self.numbers.count

    @property
    def reviewed(self) -> str:
        """What the confirmation asks to agree to (how many, issued when, their totals), to check it
        still holds when it is confirmed. Not the numbers: they are the series' next ones when it is
        done, whoever took one in between."""
        totals = ",".join(f"{t.count}×{t.total} {t.currency}" for t in self.totals)
        return f"{self.count} on {self.issued_on}: {totals}"


def finalization(
    conditions: Sequence[ColumnElement[bool]],
    today: date,
    card_customers: Callable[[Collection[int]], set[int]],
) -> Finalization:
    """What finalizing the drafts matching `conditions` today will do; `card_customers` (the document
    settings') tells which customers Stripe collects from by card."""
    drafts = [*conditions, Invoice.status == lifecycle.DRAFT]
    totals = invoice_totals(*drafts)
    owing = dict(
        db.session.execute(
            select(Invoice.customer_id, func.count(Invoice.id))
            .where(*drafts, Invoice.amount_due > 0)
            .group_by(Invoice.customer_id)
        ).all()
    )
    card = card_customers(set(owing))
    return Finalization(
        numbers=next_numbers("INV", today.year, sum(t.count for t in totals)),
        issued_on=today,
        totals=totals,
        by_card=sum(count for customer_id, count in owing.items() if customer_id in card),
    )


def invoice_finalization(
    invoice: Invoice, today: date, card_customers: Callable[[Collection[int]], set[int]]
) -> Finalization:
    """What finalizing one draft today will do, with its due date from the customer's payment terms."""
    figures = finalization([Invoice.id == invoice.id], today, card_customers)
    terms = db.session.scalar(select(Customer.payment_terms_days).where(Customer.id == invoice.customer_id))
    return Finalization(
        figures.numbers, today, figures.totals, figures.by_card, today + timedelta(days=terms or 0)
    )


@dataclass(frozen=True)
class CreditedPart:
    """What one part of a credit note credits, net: a line of the invoice, or an amount of it."""

    description: str
    net: Decimal
    line_number: int | None = None  # the invoice line's number on the documents


@dataclass(frozen=True)
class CreditFigures:
    """What a credit note will be: its number, what it credits (net), the VAT of the invoice's rate on
    it, its total, what the invoice asks afterwards, and the card refund that follows (None: none)."""

    number: str
    parts: list[CreditedPart]
    net: Decimal
    tax: Decimal
    total: Decimal
    tax_rate: Decimal
    currency: str
    amount_due_after: Decimal
    refund: Decimal | None

    @property
    def reviewed(self) -> str:
        """The amounts the confirmation asks to agree to, to check they still hold when it is confirmed
        (not the number: the series' next one when it is issued)."""
        parts = ",".join(f"{part.line_number or '-'}:{part.net}" for part in self.parts)
        return f"{parts} net {self.net} tax {self.tax} due {self.amount_due_after} refund {self.refund}"


def credit_figures(
    invoice: Invoice,
    left: Creditable,
    parts: list[CreditedPart],
    today: date,
    refunds_by_card: bool,
) -> CreditFigures:
    """The figures of a credit note of `parts` (checked against what is left to credit) on the invoice:
    the VAT as `daas.billing.credit_notes` adds it, `round_half_up(net × rate)`, or exactly the VAT left
    when the note takes all that is left. `refunds_by_card`: Stripe is configured, so a card payment
    is refunded."""
    net = sum((part.net for part in parts), Decimal(0))
    tax = lifecycle.credit_tax(net, left.net, left.tax, invoice.tax_rate, invoice.currency)
    total = net + tax
    return CreditFigures(
        number=next_numbers("CN", today.year, 1).first,
        parts=parts,
        net=net,
        tax=tax,
        total=total,
        tax_rate=invoice.tax_rate,
        currency=invoice.currency,
        amount_due_after=lifecycle.amount_due(invoice.total, invoice.credited + total, invoice.amount_paid),
        refund=card_refund(invoice, total) if refunds_by_card else None,
    )


def _numbered(invoice: Invoice) -> dict[int, tuple[int, InvoiceLine]]:
    """Invoice line id -> (its number on the documents, the line)."""
    return {line.id: (number, line) for number, line in enumerate(invoice.lines, start=1)}


def credited_parts(
    invoice: Invoice, amount: Decimal | None, lines: Sequence[LineCredit], reason: str
) -> list[CreditedPart]:
    """The parts of a credit note of `lines` of the invoice and an `amount`, as its lines will read."""
    numbered = _numbered(invoice)
    parts = []
    for credit in lines:
        number, line = numbered[credit.invoice_line_id]
        parts.append(CreditedPart(line.description, credit.amount, number))
    if amount is not None:
        parts.append(CreditedPart(reason, amount))
    return parts


def void_parts(invoice: Invoice, left: Creditable, reason: str) -> list[CreditedPart]:
    """What the full credit note of a void credits (`daas.billing.credit_notes.void_credit`), as its
    lines will read."""
    numbered = _numbered(invoice)
    line_credits, amount = void_credit(left)
    parts = [
        CreditedPart(numbered[line_id][1].description, rest, numbered[line_id][0])
        for line_id, rest in sorted(line_credits, key=lambda credit: numbered[credit[0]][0])
    ]
    return parts + ([CreditedPart(reason, amount)] if amount is not None else [])


def card_refund(invoice: Invoice, amount: Decimal) -> Decimal | None:
    """What a credit note of `amount` (gross) refunds by card, as `daas.payments.refunds` decides it."""
    planned = refunds.card_refund(invoice, amount)
    return planned[1] if planned else None
