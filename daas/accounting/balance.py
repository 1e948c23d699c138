"""A customer's account statement as plain values (docs/billing.md "Account statement"): the balance
before the range, each invoice, credit note, payment and refund in it with the balance after it, and the
balance at its end. Pure: facts in, statement out.

The balance is what the customer owes: an invoice (its total) and a refund paid back to it raise it
(debit); a credit note and a payment lower it (credit). Below zero the customer is in credit (a credit
note on an invoice paid by bank transfer, until the money is sent back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from daas.accounting.facts import CreditNoteIssued, Fact, InvoiceIssued, PaymentReceived, chronological

ZERO = Decimal(0)
CARD = "card"  # daas.payments.models.CARD


@dataclass(frozen=True)
class StatementRow:
    on: date
    document_type: str
    document_number: str
    invoice_number: str
    description: str
    due_on: date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal
    currency: str


@dataclass(frozen=True)
class Statement:
    customer_id: int
    customer_name: str
    currency: str
    start: date
    end: date
    opening_balance: Decimal
    rows: tuple[StatementRow, ...]
    closing_balance: Decimal

    @property
    def total_debit(self) -> Decimal:
        return sum((row.debit for row in self.rows), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((row.credit for row in self.rows), ZERO)


def movement(fact: Fact) -> tuple[str, Decimal]:
    """What the fact says on a statement and by how much it changes the balance (owed more: positive)."""
    if isinstance(fact, InvoiceIssued):
        return f"Invoice {fact.number}", fact.total
    if isinstance(fact, CreditNoteIssued):
        what = "voids" if fact.voids_invoice else "on"
        return f"Credit note {fact.number} {what} invoice {fact.invoice_number}", -fact.amount
    if isinstance(fact, PaymentReceived):
        how = "card" if fact.method == CARD else "bank transfer"
        return f"Payment by {how} for invoice {fact.invoice_number}", -fact.amount
    return f"Refund to card for credit note {fact.credit_note_number}", fact.amount


def build_statement(
    customer_id: int,
    customer_name: str,
    currency: str,
    start: date,
    end: date,
    opening_balance: Decimal,
    facts: Iterable[Fact],
) -> Statement:
    """The statement of `facts` (those dated from `start` to `end`), in order, after `opening_balance`."""
    balance = opening_balance
    rows = []
    for fact in chronological(list(facts)):
        description, change = movement(fact)
        balance += change
        rows.append(
            StatementRow(
                on=fact.on,
                document_type=fact.document_type,
                document_number=fact.document_number,
                invoice_number=fact.invoice_number,
                description=description,
                due_on=fact.due_on if isinstance(fact, InvoiceIssued) else None,
                debit=change if change > 0 else ZERO,
                credit=-change if change < 0 else ZERO,
                balance=balance,
                currency=currency,
            )
        )
    return Statement(customer_id, customer_name, currency, start, end, opening_balance, tuple(rows), balance)
