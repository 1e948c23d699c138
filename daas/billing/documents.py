"""What an invoice or a credit note shows, as plain values: the input of the PDF renderer (pdf.py).

Pure data: no Flask, no SQLAlchemy. Money is `Decimal` in the document's currency (billing.md); the
renderer formats it with the currency's exponent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Party:
    """The issuer or the customer of a document."""

    name: str
    address: str | None
    country: str  # ISO 3166-1 alpha-2
    vat_id: str | None
    email: str | None


@dataclass(frozen=True)
class DocumentLine:
    """One invoice line; quantity and unit amount are absent for lines such as the minimum true-up."""

    description: str
    quantity: Decimal | None
    unit_amount: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    issuer: Party
    customer: Party
    number: str | None  # None while draft
    status: str  # draft | open | paid | void | uncollectible
    period: str  # "2026-10"
    contract_id: int
    issued_on: date | None
    due_date: date | None
    currency: str
    lines: tuple[DocumentLine, ...]
    subtotal: Decimal
    tax_rate_percent: str  # "21.00"
    tax_amount: Decimal
    tax_note: str | None
    total: Decimal
    amount_due: Decimal
    credited: Decimal = Decimal(0)


@dataclass(frozen=True)
class CreditNoteDocument:
    issuer: Party
    customer: Party
    number: str
    invoice_number: str
    issued_on: date
    currency: str
    amount: Decimal
    reason: str
