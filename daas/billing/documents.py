"""What an invoice or a credit note says, as plain values: the one input of the PDF (pdf.py), the UBL and
CII e-invoices (ubl.py, cii.py), so that people and machines read the same document.

The fields follow EN 16931-1 (business terms BT-n, groups BG-n; documents.md). Pure data: no Flask, no
SQLAlchemy. Money is `Decimal` in the document's currency, already rounded to its exponent; a credit note's
amounts are positive, as the standard wants them (its type code says it credits).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INVOICE = "380"
CREDIT_NOTE = "381"

# VAT categories (BT-118, UNCL5305) daas issues.
STANDARD = "S"
REVERSE_CHARGE = "AE"
NOT_SUBJECT = "O"

# Payment means (BT-81, UNCL4461).
SEPA_CREDIT_TRANSFER = "58"
CREDIT_TRANSFER = "30"
BANK_CARD = "48"
AS_AGREED = "57"  # standing agreement: a credit note, set off against its invoice or refunded as agreed


@dataclass(frozen=True)
class SchemeId:
    """An identifier with its scheme, written `scheme:value`: a legal registration id (BT-30/BT-47, a
    Peppol ICD scheme such as 0106 for a Dutch KvK number) or an electronic address (BT-34/BT-49, a Peppol
    EAS scheme such as 0208 for a Belgian enterprise number)."""

    scheme: str
    value: str

    @classmethod
    def parse(cls, text: str | None) -> SchemeId | None:
        if not text:
            return None
        scheme, _, value = text.partition(":")
        return cls(scheme.strip(), value.strip())

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


@dataclass(frozen=True)
class Address:
    """A postal address (BG-5 seller, BG-8 buyer); only the country is always known."""

    country: str  # ISO 3166-1 alpha-2
    line1: str | None = None
    line2: str | None = None
    postcode: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class Party:
    """The seller (BG-4) or the buyer (BG-7)."""

    name: str  # BT-27 / BT-44
    address: Address
    vat_id: str | None = None  # BT-31 / BT-48
    registration_id: SchemeId | None = None  # BT-30 / BT-47
    electronic_address: SchemeId | None = None  # BT-34 / BT-49
    email: str | None = None

    @property
    def country(self) -> str:
        return self.address.country


@dataclass(frozen=True)
class DocumentLine:
    """One line (BG-25): `amount = round(quantity × price ÷ base_quantity)` to the currency's exponent.

    `kind` is the invoice line's kind (device_monthly, metered, minimum_true_up, late_usage; `credit` for
    an amount credited on a credit note), which the accounting journal books by."""

    id: str  # BT-126, the position on the document: "1", "2", ...
    description: str  # BT-153, in the document's language
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130, UN/ECE Recommendation 20: DAY, C62
    price: Decimal  # BT-146, net, up to 6 decimals
    base_quantity: Decimal  # BT-149
    amount: Decimal  # BT-131, net
    kind: str = "charge"
    note: str | None = None  # BT-127
    invoice_line_id: int | None = None  # the invoice line a credit note line credits


@dataclass(frozen=True)
class VatGroup:
    """One VAT breakdown group (BG-23): a category and rate with its taxable and tax amounts."""

    category: str  # BT-118: S | AE | O
    rate_percent: Decimal | None  # BT-119, "21.00"; None for category O
    taxable: Decimal  # BT-116
    tax: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121, VATEX-EU-AE | VATEX-EU-O


@dataclass(frozen=True)
class Totals:
    """The document totals (BG-22); BR-CO-10..16 hold between them and the lines and groups."""

    line_total: Decimal  # BT-106
    tax_exclusive: Decimal  # BT-109
    tax: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    paid: Decimal  # BT-113, paid before the document was issued
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class PaymentInstructions:
    """How the amount due is paid (BG-16, BT-20, BT-83)."""

    means_code: str  # BT-81: 58 SEPA credit transfer, 30 credit transfer, 48 bank card
    remittance: str  # BT-83, the invoice number to quote
    terms: str  # BT-20, in the document's language
    iban: str | None = None  # BT-84
    bic: str | None = None  # BT-86
    account_name: str | None = None  # BT-85

    @property
    def by_card(self) -> bool:
        return self.means_code == BANK_CARD


@dataclass(frozen=True)
class PrecedingInvoice:
    """The invoice a credit note credits (BG-3)."""

    number: str  # BT-25
    issue_date: date  # BT-26


@dataclass(frozen=True)
class Document:
    """An invoice (type 380) or a credit note (381), exactly as it is issued."""

    type_code: str  # BT-3
    number: str | None  # BT-1; None while an invoice is a draft
    issue_date: date | None  # BT-2; None while draft
    due_date: date | None  # BT-9
    period_start: date  # BT-73
    period_end: date  # BT-74, the last day of supply (inclusive)
    currency: str  # BT-5
    language: str  # en | nl | de | fr: the words, numbers and dates of the PDF, the free texts of the XML
    seller: Party
    buyer: Party
    contract_reference: str  # BT-12
    lines: tuple[DocumentLine, ...]
    vat: tuple[VatGroup, ...]
    totals: Totals
    payment: PaymentInstructions | None
    buyer_reference: str | None = None  # BT-10
    purchase_order: str | None = None  # BT-13
    preceding_invoice: PrecedingInvoice | None = None  # credit notes
    notes: tuple[str, ...] = field(default_factory=tuple)  # BT-22: the credit note's reason, tax mentions
    period_name: str = ""  # "2026-10", as the pages name it
    # What the buyer lacks for Peppol beyond its electronic address (a Dutch buyer's registration id, a
    # full address: daas.customers.rules.missing_for_peppol), as the customer's page lists it.
    buyer_missing_for_peppol: tuple[str, ...] = ()

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def effective_buyer_reference(self) -> str:
        """BT-10 as Peppol needs it: the buyer reference, else (without an order reference either) the
        contract's reference (documents.md)."""
        return self.buyer_reference or (None if self.purchase_order else self.contract_reference) or ""

    @property
    def peppol_ready(self) -> bool:
        """Peppol can deliver it only when both parties have an electronic address, and its rules hold only
        when the buyer has the rest Peppol asks of it."""
        return (
            self.seller.electronic_address is not None
            and self.buyer.electronic_address is not None
            and not self.buyer_missing_for_peppol
        )
