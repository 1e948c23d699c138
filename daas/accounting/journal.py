"""The accounting journal (docs/billing.md "Accounting journal"): one balanced entry per issued invoice,
credit note, payment received and refund, for a bookkeeper to import. Pure: facts in, entries and CSV out.

- Invoice, on its issue date: Dr receivables (total); Cr revenue per line kind (net); Cr VAT payable of
  its rate (VAT).
- Credit note, on its issue date: the reverse: Dr revenue per credited line kind, or the credit account
  for an amount; Dr VAT payable; Cr receivables (gross). A void's full credit note is one of them, so a
  voided invoice nets to zero.
- Payment, on the day it was received: Dr bank (a transfer) or Stripe clearing (a card); Cr receivables.
- Refund through Stripe, on the day it succeeded: Dr receivables; Cr Stripe clearing.

Amounts posted to one account in one entry are added up; an account whose amounts add up to a negative
sum (an invoice whose late-usage line bills less) is posted on the other side; zero is not posted. Every
entry's debits equal its credits exactly, in the document's currency: `UnbalancedEntry` is raised instead
of writing one that does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from daas.accounting.accounts import Account, ChartOfAccounts
from daas.accounting.facts import (
    CreditNoteIssued,
    Fact,
    InvoiceIssued,
    PaymentReceived,
    RefundMade,
    Taxed,
)
from daas.billing.tax import percent
from daas.core.csv_cells import write_csv
from daas.core.money import format_money

ZERO = Decimal(0)
CARD = "card"  # daas.payments.models.CARD: collected by Stripe


class UnbalancedEntry(ValueError):
    """A document whose amounts do not add up (its lines and VAT against its total): no entry is made."""


@dataclass(frozen=True)
class Posting:
    account: Account
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Entry:
    entry_id: str
    on: date
    document_type: str
    document_number: str
    invoice_number: str
    customer_id: int
    customer_name: str
    currency: str
    description: str
    postings: tuple[Posting, ...]
    vat: Taxed | None = None

    @property
    def debit(self) -> Decimal:
        return sum((posting.debit for posting in self.postings), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((posting.credit for posting in self.postings), ZERO)


def _postings(amounts: Iterable[tuple[Account, Decimal]], what: str) -> tuple[Posting, ...]:
    """Signed amounts (debit positive) added up per account code, in the order accounts first appear."""
    by_code: dict[str, tuple[Account, Decimal]] = {}
    for account, amount in amounts:
        known, sum_so_far = by_code.get(account.code, (account, ZERO))
        by_code[account.code] = (known, sum_so_far + amount)
    postings = tuple(
        Posting(account, amount if amount > 0 else ZERO, -amount if amount < 0 else ZERO)
        for account, amount in by_code.values()
        if amount != 0
    )
    debit = sum((posting.debit for posting in postings), ZERO)
    credit = sum((posting.credit for posting in postings), ZERO)
    if debit != credit:
        raise UnbalancedEntry(f"{what}: debits {debit} and credits {credit} differ")
    return postings


def invoice_entry(invoice: InvoiceIssued, chart: ChartOfAccounts) -> Entry:
    postings = _postings(
        [
            (chart.receivables, invoice.total),
            *((chart.revenue_account(kind), -amount) for kind, amount in invoice.lines),
            (chart.vat_account(invoice.vat.rate), -invoice.tax),
        ],
        f"invoice {invoice.number}",
    )
    return Entry(
        entry_id=f"invoice-{invoice.id}",
        on=invoice.on,
        document_type=invoice.document_type,
        document_number=invoice.number,
        invoice_number=invoice.number,
        customer_id=invoice.customer.id,
        customer_name=invoice.customer.name,
        currency=invoice.customer.currency,
        description=f"Invoice {invoice.number}",
        postings=postings,
        vat=invoice.vat,
    )


def credit_note_entry(note: CreditNoteIssued, chart: ChartOfAccounts) -> Entry:
    postings = _postings(
        [
            *((chart.revenue_account(kind), amount) for kind, amount in note.lines),
            (chart.vat_account(note.vat.rate), note.tax),
            (chart.receivables, -note.amount),
        ],
        f"credit note {note.number}",
    )
    what = "voids" if note.voids_invoice else "on"
    return Entry(
        entry_id=f"credit_note-{note.id}",
        on=note.on,
        document_type=note.document_type,
        document_number=note.number,
        invoice_number=note.invoice_number,
        customer_id=note.customer.id,
        customer_name=note.customer.name,
        currency=note.customer.currency,
        description=f"Credit note {note.number} {what} invoice {note.invoice_number}",
        postings=postings,
        vat=note.vat,
    )


def payment_entry(payment: PaymentReceived, chart: ChartOfAccounts) -> Entry:
    received_on = chart.stripe_clearing if payment.method == CARD else chart.bank
    postings = _postings(
        [(received_on, payment.amount), (chart.receivables, -payment.amount)], f"payment {payment.id}"
    )
    how = "card" if payment.method == CARD else "bank transfer"
    return Entry(
        entry_id=f"payment-{payment.id}",
        on=payment.on,
        document_type=payment.document_type,
        document_number=payment.reference,
        invoice_number=payment.invoice_number,
        customer_id=payment.customer.id,
        customer_name=payment.customer.name,
        currency=payment.customer.currency,
        description=f"Payment by {how} for invoice {payment.invoice_number}",
        postings=postings,
    )


def refund_entry(refund: RefundMade, chart: ChartOfAccounts) -> Entry:
    postings = _postings(
        [(chart.receivables, refund.amount), (chart.stripe_clearing, -refund.amount)], f"refund {refund.id}"
    )
    return Entry(
        entry_id=f"refund-{refund.id}",
        on=refund.on,
        document_type=refund.document_type,
        document_number=refund.reference,
        invoice_number=refund.invoice_number,
        customer_id=refund.customer.id,
        customer_name=refund.customer.name,
        currency=refund.customer.currency,
        description=f"Card refund for credit note {refund.credit_note_number}",
        postings=postings,
    )


def entry(fact: Fact, chart: ChartOfAccounts) -> Entry:
    if isinstance(fact, InvoiceIssued):
        return invoice_entry(fact, chart)
    if isinstance(fact, CreditNoteIssued):
        return credit_note_entry(fact, chart)
    if isinstance(fact, PaymentReceived):
        return payment_entry(fact, chart)
    return refund_entry(fact, chart)


def journal(facts: Iterable[Fact], chart: ChartOfAccounts) -> Iterator[Entry]:
    """The entries of the facts, in their order; a fact that posts nothing (a zero invoice) makes none."""
    for fact in facts:
        made = entry(fact, chart)
        if made.postings:
            yield made


# -- CSV ------------------------------------------------------------------------------------------------

COLUMNS = (
    "entry_id",
    "date",
    "document_type",
    "document_number",
    "invoice_number",
    "customer_id",
    "customer_name",
    "currency",
    "account",
    "account_name",
    "debit",
    "credit",
    "vat_category",
    "vat_rate",
    "description",
)
NUMERIC_COLUMNS = ("customer_id", "debit", "credit", "vat_rate")


def csv_rows(entries: Iterable[Entry]) -> Iterator[dict[str, str]]:
    """One row per posting; the rows of an entry share its id, date and document."""
    for made in entries:
        common = {
            "entry_id": made.entry_id,
            "date": made.on.isoformat(),
            "document_type": made.document_type,
            "document_number": made.document_number,
            "invoice_number": made.invoice_number,
            "customer_id": str(made.customer_id),
            "customer_name": made.customer_name,
            "currency": made.currency,
            "vat_category": made.vat.category if made.vat else "",
            "vat_rate": percent(made.vat.rate) if made.vat else "",
            "description": made.description,
        }
        for posting in made.postings:
            yield {
                **common,
                "account": posting.account.code,
                "account_name": posting.account.name,
                "debit": format_money(posting.debit, made.currency),
                "credit": format_money(posting.credit, made.currency),
            }


def journal_csv(entries: Iterable[Entry]) -> str:
    """The journal as CSV, safe to open in a spreadsheet (text cells never run as formulas)."""
    return write_csv(COLUMNS, csv_rows(entries), numeric=NUMERIC_COLUMNS)
