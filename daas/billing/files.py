"""Invoices and credit notes as the files people and systems download (API and pages alike): for an
issued document the bytes kept when it was issued (`issuing`), for a draft a PDF marked DRAFT rendered
now; with the name each is saved under and its media type."""

from __future__ import annotations

from dataclasses import dataclass

from daas.billing import invoice_lifecycle as lifecycle
from daas.billing.credit_notes import invoice_credit_note
from daas.billing.document_builder import draft_document
from daas.billing.invoices import get_invoice
from daas.billing.issuer import Issuer
from daas.billing.issuing import CII, PDF, UBL, keep_credit_note_files, keep_invoice_files, kept_file
from daas.billing.pdf import render_pdf
from daas.contracts.models import Contract
from daas.core.errors import Conflict, Invalid
from daas.customers.models import Customer
from daas.downloads import PDF_MIMETYPE, XML_MIMETYPE
from daas.extensions import db

SYNTAXES = {"ubl": UBL, "cii": CII}


@dataclass(frozen=True)
class DocumentFile:
    content: bytes
    name: str
    mimetype: str


def _format(kind: str, syntax: str | None) -> str:
    if kind == "pdf":
        return PDF
    if syntax in (None, ""):
        return UBL
    if syntax not in SYNTAXES:
        raise Invalid.field("syntax", "Either ubl (Peppol BIS Billing 3.0, the default) or cii.")
    return SYNTAXES[syntax]


def _file(content: bytes, number: str, fmt: str) -> DocumentFile:
    if fmt == PDF:
        return DocumentFile(content, f"{number}.pdf", PDF_MIMETYPE)
    return DocumentFile(content, f"{number}{'-cii' if fmt == CII else ''}.xml", XML_MIMETYPE)


def invoice_file(
    invoice_id: int, kind: str, issuer: Issuer, customer_scope: int | None = None, syntax: str | None = None
) -> DocumentFile:
    """An invoice's PDF (`kind` pdf) or e-invoice (`kind` xml, UBL unless `syntax` is cii). A draft has
    a PDF marked DRAFT and no e-invoice (Conflict)."""
    fmt = _format(kind, syntax)
    invoice = get_invoice(invoice_id, customer_scope)
    if invoice.status == lifecycle.DRAFT:
        if fmt != PDF:
            raise Conflict(
                f"Invoice {invoice_id} is a draft: it has no e-invoice until it is finalized.",
                errors={"status": ["The invoice is a draft."]},
            )
        customer = db.session.get(Customer, invoice.customer_id)
        contract = db.session.get(Contract, invoice.contract_id)
        content = render_pdf(draft_document(invoice, customer, contract, issuer))
        return DocumentFile(content, f"draft-{invoice.id}.pdf", PDF_MIMETYPE)
    keep_invoice_files(invoice.id, issuer)
    return _file(kept_file(fmt, invoice_id=invoice.id).content, invoice.number, fmt)


def credit_note_file(
    invoice_id: int,
    note_id: int,
    kind: str,
    issuer: Issuer,
    customer_scope: int | None = None,
    syntax: str | None = None,
) -> DocumentFile:
    """A credit note of the invoice as its PDF or e-invoice; NotFound if it is not that invoice's."""
    fmt = _format(kind, syntax)
    get_invoice(invoice_id, customer_scope)
    note = invoice_credit_note(invoice_id, note_id)
    keep_credit_note_files(note.id, issuer)
    return _file(kept_file(fmt, credit_note_id=note.id).content, note.number, fmt)
