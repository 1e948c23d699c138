"""An invoice finalized and a credit note issued by the real workflows reach the billing e-mail with their
PDF and UBL attached, byte for byte the files that were issued.

The events are those the workflows recorded, in the transaction that issued the documents.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from daas.billing.issuing import PDF, UBL, kept_file
from daas.billing.models import CreditNote, Invoice
from daas.extensions import db
from daas.outbox.models import OutboxEvent
from daas.outbox.services import events_of
from daas.usecases.notifications import deliver_notifications
from daas.usecases.payments import issue_credit_note
from tests import factories
from tests.billing_helpers import bill, deploy, finalize_run, issuer
from tests.helpers import settings_of
from tests.notifications.conftest import sending_to
from tests.notifications.worlds import attachments, plain

NBSP = "\xa0"


def _finalized_invoice(customer: Any) -> Invoice:
    """October 2026 of one laptop at 39.00 a month, finalized: 47.19 with Dutch VAT."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    deploy(contract, date(2026, 2, 1))
    finalize_run(bill().id)
    return db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))


def _event(type_: str, id_key: str, document_id: int) -> OutboxEvent:
    """The event the workflow recorded for the document (exactly one)."""
    [event] = [event for event in events_of(type_, "") if event.data.get(id_key) == document_id]
    return event


def invoice_issued(invoice: Invoice) -> OutboxEvent:
    return _event("invoice.issued", "invoice_id", invoice.id)


def credit_note_issued(note: CreditNote) -> OutboxEvent:
    return _event("credit_note.issued", "credit_note_id", note.id)


def test_a_finalized_invoice_reaches_the_billing_e_mail_with_its_pdf_and_ubl(
    app, database, today, smtp_server
):
    customer = factories.customer(billing_email="crediteuren@bakkerij.example")
    factories.user("customer", customer.id, email="it@bakkerij.example")
    invoice = _finalized_invoice(customer)
    event = invoice_issued(invoice)
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    [message] = smtp_server.to("crediteuren@bakkerij.example")
    assert smtp_server.to("it@bakkerij.example") == []  # invoices go to the billing e-mail only
    assert (
        message["Subject"]
        == f"Factuur {invoice.number}: EUR{NBSP}47,19, te betalen uiterlijk 15 december 2026"
    )
    assert message["Content-Language"] == "nl"
    assert f"http://127.0.0.1:5000/portal/invoices/{invoice.id}" in plain(message)
    assert event.documents == [
        kept_file(PDF, invoice_id=invoice.id).id,
        kept_file(UBL, invoice_id=invoice.id).id,
    ]
    assert attachments(message) == {
        f"{invoice.number}.pdf": ("application/pdf", kept_file(PDF, invoice_id=invoice.id).content),
        f"{invoice.number}-ubl.xml": ("application/xml", kept_file(UBL, invoice_id=invoice.id).content),
    }


def test_a_credit_note_reaches_the_billing_e_mail_in_french_with_its_files(app, database, today, smtp_server):
    customer = factories.customer(billing_email="compta@atelier.example", document_language="fr")
    invoice = _finalized_invoice(customer)
    invoice_issued(invoice)
    note, _ = issue_credit_note(
        invoice.id, "écran défectueux une semaine", "finance@tests", issuer(), settings_of(app).collection,
        amount=Decimal("5.00"),
    )  # fmt: skip
    credit_note_issued(db.session.get(CreditNote, note.id))
    database.session.commit()

    deliver_notifications("test", sending_to(smtp_server))

    # Sent over several connections at once: in no particular order.
    mails = smtp_server.to("compta@atelier.example")
    [invoice_mail] = [mail for mail in mails if mail["Subject"].startswith("Facture ")]
    [note_mail] = [mail for mail in mails if mail["Subject"].startswith("Avoir ")]
    assert len(mails) == 2
    assert invoice_mail["Subject"].startswith(f"Facture {invoice.number} : ")
    assert note_mail["Subject"] == f"Avoir {note.number} sur la facture {invoice.number} : 6,05{NBSP}EUR"
    assert note_mail["Content-Language"] == "fr"
    assert "Motif : écran défectueux une semaine" in plain(note_mail)
    assert attachments(note_mail) == {
        f"{note.number}.pdf": ("application/pdf", kept_file(PDF, credit_note_id=note.id).content),
        f"{note.number}-ubl.xml": ("application/xml", kept_file(UBL, credit_note_id=note.id).content),
    }
