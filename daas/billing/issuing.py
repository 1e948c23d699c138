"""Issued documents are rendered once and kept: at finalization an invoice's Factur-X PDF (PDF/A-3 with
its CII attached), its UBL and its CII are rendered and stored with their SHA-256 (`issued_documents`,
which the database never lets change), likewise a credit note when it is issued. Every download returns
those bytes; payments, credit notes and the status are shown by the pages and the API, never by
rendering the document again.

Invoices issued before documents were kept have no files yet: the first download renders them from the
invoice as it was recorded and keeps them (`keep_invoice_files`), so that download and every later one
agree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from daas.billing.cii import render_cii
from daas.billing.document_builder import credit_note_document, invoice_document
from daas.billing.documents import Document
from daas.billing.issuer import Issuer
from daas.billing.models import CreditNote, Invoice, IssuedDocument
from daas.billing.pdf import render_pdf
from daas.billing.ubl import render_ubl
from daas.extensions import db

PDF, UBL, CII = "pdf", "ubl", "cii"


def _no_cards(customer_ids: Collection[int]) -> set[int]:
    return set()


@dataclass(frozen=True)
class DocumentSettings:
    """What issuing a document needs beyond the invoice: the seller, and which customers Stripe collects
    from by card (payments knows; billing asks through this function, so the document names the means of
    payment the collection will use)."""

    issuer: Issuer
    card_customers: Callable[[Collection[int]], set[int]] = field(default=_no_cards)


def render_files(doc: Document) -> dict[str, bytes]:
    """The three files of an issued document: the CII, the UBL, and the PDF with that CII attached."""
    cii = render_cii(doc)
    return {PDF: render_pdf(doc, cii), UBL: render_ubl(doc), CII: cii}


def _keep(
    files: dict[str, bytes], *, invoice_id: int | None = None, credit_note_id: int | None = None
) -> dict[str, IssuedDocument]:
    kept = {
        name: IssuedDocument(
            invoice_id=invoice_id,
            credit_note_id=credit_note_id,
            format=name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
        )
        for name, content in files.items()
    }
    db.session.add_all(kept.values())
    return kept


def _ids(kept: dict[str, IssuedDocument]) -> dict[str, int]:
    return {name: document.id for name, document in kept.items()}


def issue_invoice_files(invoices: Sequence[Invoice], settings: DocumentSettings) -> dict[int, dict[str, int]]:
    """Render and keep the files of invoices being finalized (numbered, buyer recorded), in the
    finalizing transaction: an invoice is never issued without its documents. Returns each invoice's
    kept files (invoice id -> format -> issued document id), which its `invoice.issued` event attaches."""
    card = settings.card_customers({invoice.customer_id for invoice in invoices if invoice.amount_due > 0})
    kept = {}
    for invoice in invoices:
        by_card = invoice.customer_id in card and invoice.amount_due > 0
        kept[invoice.id] = _keep(
            render_files(invoice_document(invoice, settings.issuer, by_card=by_card)), invoice_id=invoice.id
        )
    db.session.flush()
    return {invoice_id: _ids(files) for invoice_id, files in kept.items()}


def issue_credit_note_files(note: CreditNote, invoice: Invoice, issuer: Issuer) -> dict[str, int]:
    """Render and keep a credit note's files as it is issued; returns them (format -> issued document
    id)."""
    kept = _keep(render_files(credit_note_document(note, invoice, issuer)), credit_note_id=note.id)
    db.session.flush()
    return _ids(kept)


def kept_file(
    fmt: str, *, invoice_id: int | None = None, credit_note_id: int | None = None
) -> IssuedDocument | None:
    query = select(IssuedDocument).where(IssuedDocument.format == fmt)
    if invoice_id is not None:
        query = query.where(IssuedDocument.invoice_id == invoice_id)
    else:
        query = query.where(IssuedDocument.credit_note_id == credit_note_id)
    return db.session.scalar(query)


def keep_invoice_files(invoice_id: int, issuer: Issuer) -> None:
    """Render and keep the files of an invoice issued before documents were kept (or a credit note's,
    below), from what the invoice recorded. Nothing is done when they exist."""
    if kept_file(PDF, invoice_id=invoice_id) is not None:
        return
    invoice = db.session.scalar(
        select(Invoice).where(Invoice.id == invoice_id).options(selectinload(Invoice.lines))
    )
    by_card = invoice.collection_method == "card"
    _keep(render_files(invoice_document(invoice, issuer, by_card=by_card)), invoice_id=invoice.id)
    db.session.flush()


def keep_credit_note_files(note_id: int, issuer: Issuer) -> None:
    if kept_file(PDF, credit_note_id=note_id) is not None:
        return
    note = db.session.get(CreditNote, note_id)
    issue_credit_note_files(note, note.invoice, issuer)
