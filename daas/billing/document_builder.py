"""An invoice or credit note as the `Document` its files are rendered from (documents.py): the buyer as
the invoice recorded it at finalization (a draft shows the customer and contract as they are today), the
seller from the issuer settings, lines written as `quantity × price ÷ base = amount`, one VAT group, the
totals and how to pay, in the customer's document language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from daas.billing import labels
from daas.billing.documents import (
    AS_AGREED,
    BANK_CARD,
    CREDIT_NOTE,
    CREDIT_TRANSFER,
    INVOICE,
    NOT_SUBJECT,
    SEPA_CREDIT_TRANSFER,
    Address,
    Document,
    DocumentLine,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    SchemeId,
    Totals,
    VatGroup,
)
from daas.billing.issuer import Issuer
from daas.billing.models import CreditNote, Invoice, InvoiceLine
from daas.billing.tax import EXEMPTION_CODES, percent, tax_category
from daas.contracts.models import Contract
from daas.core.languages import document_language
from daas.core.periods import Period
from daas.customers.models import Customer
from daas.customers.rules import missing_for_peppol

ONE = Decimal(1)
ZERO = Decimal(0)


def snapshot_buyer(invoice: Invoice, customer: Customer, contract: Contract) -> None:
    """Keep on the invoice, as it is issued, everything its documents say about the buyer: a later change
    of the customer or the contract leaves the issued invoice alone."""
    invoice.customer_name = customer.name
    invoice.customer_email = customer.billing_email
    invoice.customer_address_line1 = customer.address_line1
    invoice.customer_address_line2 = customer.address_line2
    invoice.customer_postcode = customer.postcode
    invoice.customer_city = customer.city
    invoice.customer_registration_id = customer.registration_id
    invoice.customer_peppol_id = customer.peppol_id
    invoice.buyer_reference = customer.buyer_reference
    invoice.purchase_order = contract.purchase_order
    invoice.contract_reference = contract.reference
    invoice.document_language = document_language(customer.document_language, customer.country)


def _buyer(invoice: Invoice) -> Party:
    return Party(
        name=invoice.customer_name,
        address=Address(
            invoice.customer_country,
            invoice.customer_address_line1,
            invoice.customer_address_line2,
            invoice.customer_postcode,
            invoice.customer_city,
        ),
        vat_id=invoice.customer_vat_id,
        registration_id=SchemeId.parse(invoice.customer_registration_id),
        electronic_address=SchemeId.parse(invoice.customer_peppol_id),
        email=invoice.customer_email,
    )


def document_line(position: int, line: InvoiceLine) -> DocumentLine:
    """An invoice line as documents write it. Lines computed before lines had a price and base quantity
    are written as one unit at their amount (minus one for a negative correction), which adds up too."""
    if line.unit_code is not None and line.price is not None and line.base_quantity is not None:
        quantity = ONE if line.quantity is None else line.quantity
        unit, price, base = line.unit_code, line.price, line.base_quantity
    else:
        quantity, unit, price, base = (ONE if line.amount >= 0 else -ONE), "C62", abs(line.amount), ONE
    return DocumentLine(
        id=str(position),
        description=line.description,
        quantity=quantity,
        unit_code=unit,
        price=price,
        base_quantity=base,
        amount=line.amount,
        kind=line.kind,
    )


def _vat_group(category: str, rate: Decimal, taxable: Decimal, tax: Decimal, language: str) -> VatGroup:
    return VatGroup(
        category=category,
        rate_percent=None if category == NOT_SUBJECT else Decimal(percent(rate)),
        taxable=taxable,
        tax=tax,
        exemption_reason=labels.exemption_reason(language, category),
        exemption_code=EXEMPTION_CODES.get(category),
    )


def _payment(invoice: Invoice, issuer: Issuer, language: str, by_card: bool) -> PaymentInstructions:
    """Bank card when Stripe collects it (BT-81 48), else a transfer to the issuer's account: SEPA for
    euros (58), a plain credit transfer otherwise (30). The invoice number is the payment reference."""
    means = BANK_CARD if by_card else SEPA_CREDIT_TRANSFER if invoice.currency == "EUR" else CREDIT_TRANSFER
    return PaymentInstructions(
        means_code=means,
        remittance=invoice.number or "",
        terms=labels.payment_terms(
            language, due_date=invoice.due_date, by_card=by_card, number=invoice.number
        ),
        iban=issuer.iban or None,
        bic=issuer.bic or None,
        account_name=issuer.name,
    )


def _notes(invoice: Invoice) -> tuple[str, ...]:
    return (invoice.tax_note,) if invoice.tax_note else ()


@dataclass(frozen=True)
class _BuyerAsIssued:
    """What a document says about its buyer and the references it quotes."""

    party: Party
    buyer_reference: str | None
    purchase_order: str | None
    contract_reference: str
    language: str


def _recorded(invoice: Invoice) -> _BuyerAsIssued:
    """As the invoice recorded it at finalization."""
    return _BuyerAsIssued(
        _buyer(invoice),
        invoice.buyer_reference,
        invoice.purchase_order,
        invoice.contract_reference or f"C-{invoice.contract_id:06d}",
        invoice.document_language or document_language(None, invoice.customer_country),
    )


def _today(invoice: Invoice, customer: Customer, contract: Contract) -> _BuyerAsIssued:
    """As a draft shows it: the customer and contract as they are now."""
    return _BuyerAsIssued(
        Party(
            name=customer.name,
            address=Address(
                customer.country,
                customer.address_line1,
                customer.address_line2,
                customer.postcode,
                customer.city,
            ),
            vat_id=invoice.customer_vat_id,
            registration_id=SchemeId.parse(customer.registration_id),
            electronic_address=SchemeId.parse(customer.peppol_id),
            email=customer.billing_email,
        ),
        customer.buyer_reference,
        contract.purchase_order,
        contract.reference,
        document_language(customer.document_language, customer.country),
    )


def draft_document(invoice: Invoice, customer: Customer, contract: Contract, issuer: Issuer) -> Document:
    """A draft as it would be issued now (nothing is recorded on it until it is finalized)."""
    return _invoice_document(invoice, issuer, _today(invoice, customer, contract), by_card=False)


def invoice_document(invoice: Invoice, issuer: Issuer, *, by_card: bool = False) -> Document:
    """The invoice as issued. `by_card`: Stripe collects it from the customer's card."""
    return _invoice_document(invoice, issuer, _recorded(invoice), by_card=by_card)


def _missing_for_peppol(party: Party) -> tuple[str, ...]:
    """What the customer's page says Peppol lacks, for the buyer as the document names it."""
    address = party.address
    details = SimpleNamespace(
        country=address.country,
        peppol_id=str(party.electronic_address) if party.electronic_address else None,
        registration_id=str(party.registration_id) if party.registration_id else None,
        address_line1=address.line1,
        postcode=address.postcode,
        city=address.city,
    )
    return tuple(missing_for_peppol(details))


def _invoice_document(invoice: Invoice, issuer: Issuer, buyer: _BuyerAsIssued, *, by_card: bool) -> Document:
    period = Period.parse(invoice.period)
    language = buyer.language
    category = tax_category(invoice.tax_note)
    paid_at_issue = invoice.total if invoice.total == 0 else ZERO
    return Document(
        type_code=INVOICE,
        number=invoice.number,
        issue_date=invoice.issued_on,
        due_date=invoice.due_date,
        period_start=period.start,
        period_end=period.end - timedelta(days=1),
        currency=invoice.currency,
        language=language,
        seller=issuer.party(),
        buyer=buyer.party,
        contract_reference=buyer.contract_reference,
        lines=tuple(document_line(i, line) for i, line in enumerate(invoice.lines, start=1)),
        vat=(_vat_group(category, invoice.tax_rate, invoice.subtotal, invoice.tax_amount, language),),
        totals=Totals(
            line_total=invoice.subtotal,
            tax_exclusive=invoice.subtotal,
            tax=invoice.tax_amount,
            tax_inclusive=invoice.total,
            paid=paid_at_issue,
            payable=invoice.total - paid_at_issue,
        ),
        payment=_payment(invoice, issuer, language, by_card) if invoice.number else None,
        buyer_reference=buyer.buyer_reference,
        purchase_order=buyer.purchase_order,
        notes=_notes(invoice),
        period_name=invoice.period,
        buyer_missing_for_peppol=_missing_for_peppol(buyer.party),
    )


def credit_note_document(note: CreditNote, invoice: Invoice, issuer: Issuer) -> Document:
    """A credit note of an issued invoice: its lines, the VAT of the invoice's rate on them, the invoice it
    credits (BG-3) and why."""
    period = Period.parse(invoice.period)
    buyer = _recorded(invoice)
    language = buyer.language
    category = tax_category(invoice.tax_note)
    lines = tuple(
        DocumentLine(
            id=str(line.position),
            description=line.description,
            quantity=line.quantity,
            unit_code=line.unit_code,
            price=line.price,
            base_quantity=line.base_quantity,
            amount=line.amount,
            kind=line.kind,
            invoice_line_id=line.invoice_line_id,
        )
        for line in note.lines
    )
    return Document(
        type_code=CREDIT_NOTE,
        number=note.number,
        issue_date=note.issued_on,
        due_date=None,
        period_start=period.start,
        period_end=period.end - timedelta(days=1),
        currency=note.currency,
        language=language,
        seller=issuer.party(),
        buyer=buyer.party,
        contract_reference=buyer.contract_reference,
        lines=lines,
        vat=(_vat_group(category, invoice.tax_rate, note.net_amount, note.tax_amount, language),),
        totals=Totals(
            line_total=note.net_amount,
            tax_exclusive=note.net_amount,
            tax=note.tax_amount,
            tax_inclusive=note.amount,
            paid=ZERO,
            payable=note.amount,
        ),
        payment=PaymentInstructions(
            means_code=AS_AGREED,
            remittance=invoice.number or "",
            terms=labels.credit_terms(language, invoice.number or ""),
        ),
        buyer_reference=buyer.buyer_reference,
        purchase_order=buyer.purchase_order,
        preceding_invoice=PrecedingInvoice(invoice.number or "", invoice.issued_on),
        notes=(note.reason, *_notes(invoice)),
        period_name=invoice.period,
        buyer_missing_for_peppol=_missing_for_peppol(buyer.party),
    )
