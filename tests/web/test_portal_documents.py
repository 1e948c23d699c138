"""On the portal a customer sees its invoices and the credit notes on them (net, VAT and total), downloads
every issued document as its PDF and its UBL and CII e-invoices (the same bytes each time), and opens the
wipe certificates of the devices that came back from its subscriptions, even once a device serves someone
else; another customer's invoice, note or certificate is the 404 page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from daas.billing.credit_notes import create_credit_note
from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice, IssuedDocument
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics import returns, slots, takeback
from daas.settings import current_settings
from tests import factories
from tests.billing_helpers import OCTOBER, bill, documents, issuer
from tests.web.helpers import signed_in

REGION = "NL-AMS"
WIPE = {"method": "purge", "standard": "NIST SP 800-88 Rev. 1", "verified_by": "Inge Visser"}


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def customers(app, database, today):
    """Two customers with an October invoice each, and a credit note on each; customer A returned a laptop
    (received, wiped) that was then redeployed to customer B."""
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    a = factories.customer(name="Grachten Advies B.V.", pickup_region=REGION)
    b = factories.customer(name="Andere Klant B.V.", pickup_region=REGION)
    contract_a = factories.contract(a.id, plan.code, date(2026, 1, 1))
    contract_b = factories.contract(b.id, plan.code, date(2026, 1, 1))
    returned = factories.device(serial="GRACHT-LAT-1").serial
    kept = factories.device().serial
    deploy_device(contract_a.id, returned, date(2026, 2, 1), "tests")
    deploy_device(contract_b.id, kept, date(2026, 2, 1), "tests")
    finalize_run(bill(OCTOBER).id, documents())
    notes = {}
    for customer, contract in ((a, contract_a), (b, contract_b)):
        invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
        notes[customer.id] = create_credit_note(
            invoice.id, "Late delivery", "finance", issuer(), amount=Decimal("5.00")
        )
    slots.create_slot(REGION, today, 3)
    order = returns.create_return_order(
        contract_a.id, [returned], "defect", today, REGION, "Keizersgracht 10", "tests", 14
    )
    returns.pick_up_return_order(order.id, today, "tests")
    returns.receive_return_order(order.id, today, "tests")
    certificate = takeback.wipe_device(returned, WIPE, "tests")
    takeback.grade_device(returned, "A", "tests", policy=current_settings().end_of_term)
    takeback.dispose_device(returned, "redeploy", "tests")
    deploy_device(contract_b.id, returned, today, "tests")
    db.session.commit()
    # One signed-in client per test: requests share the test's app context, and with it who is signed in.
    return SimpleNamespace(
        a=lambda: signed_in(app, "customer", a.id)[0],
        b=lambda: signed_in(app, "customer", b.id)[0],
        note_a=notes[a.id],
        note_b=notes[b.id],
        serial=returned,
        certificate=certificate,
        order=order,
    )


def _note_url(note, ext: str = "pdf") -> str:
    return f"/portal/invoices/{note.invoice_id}/credit-notes/{note.id}.{ext}"


def test_a_customer_sees_the_credit_notes_of_its_invoices_with_net_vat_and_total(customers) -> None:
    a, note = customers.a(), customers.note_a
    invoice = db.session.get(Invoice, note.invoice_id)
    # 5.00 credited net, with the invoice's 21 % Dutch VAT: 1.05, so 6.05 off the invoice.
    assert (note.net_amount, note.tax_amount, note.amount) == (
        Decimal("5.00"),
        Decimal("1.05"),
        Decimal("6.05"),
    )
    invoices = html(a.get("/portal/invoices"))
    assert f'<a href="/portal/invoices/{invoice.id}">{invoice.number}</a>' in invoices
    assert f"Credit note {note.number} (6.05 EUR)" in invoices
    for url in (
        _note_url(note),
        f"{_note_url(note, 'xml')}?syntax=ubl",
        f"{_note_url(note, 'xml')}?syntax=cii",
    ):
        assert f'href="{url}"' in invoices
    assert '<a href="/portal/invoices/credit-notes">Credit notes on your invoices</a>' in invoices
    listed = html(a.get("/portal/invoices/credit-notes"))
    row = listed.split(f'id="credit-note-{note.id}"')[1].split("</tr>")[0]
    assert note.number in row and "Late delivery" in row
    assert ">5.00 EUR<" in row and ">1.05 EUR<" in row and ">6.05 EUR<" in row
    assert f'href="/portal/invoices/{invoice.id}">{invoice.number}</a>' in row
    assert f'href="{_note_url(note)}"' in row and f'href="{_note_url(note, "xml")}?syntax=cii"' in row
    assert customers.note_b.number not in listed
    assert 'aria-current="page"' in listed.split('href="/portal/invoices"')[1][:40]  # under Invoices


def test_the_invoice_page_shows_its_lines_totals_credit_notes_and_every_download(customers) -> None:
    a, note = customers.a(), customers.note_a
    invoice = db.session.get(Invoice, note.invoice_id)
    page = html(a.get(f"/portal/invoices/{invoice.id}"))
    assert f"<h1>Invoice {invoice.number}</h1>" in page and "Awaiting bank transfer" in page
    assert "39.00 EUR" in page and "VAT (21.00 %)" in page and "47.19 EUR" in page  # one laptop, 21 % VAT
    assert 'Credited</th><td class="num">6.05 EUR' in page and "41.14 EUR" in page  # what is still due
    row = page.split(f'id="credit-note-{note.id}"')[1].split("</tr>")[0]
    assert ">5.00 EUR<" in row and ">1.05 EUR<" in row and ">6.05 EUR<" in row and "Late delivery" in row
    for url in (
        f"/portal/invoices/{invoice.id}.pdf",
        f"/portal/invoices/{invoice.id}.xml?syntax=ubl",
        f"/portal/invoices/{invoice.id}.xml?syntax=cii",
        f"{_note_url(note, 'xml')}?syntax=ubl",
    ):
        assert f'href="{url}"' in page
    assert 'aria-current="page"' in page.split('href="/portal/invoices"')[1][:40]


def test_every_issued_document_downloads_as_it_was_kept_pdf_ubl_and_cii(customers) -> None:
    a, note = customers.a(), customers.note_a
    invoice = db.session.get(Invoice, note.invoice_id)
    base = f"/portal/invoices/{invoice.id}"
    first, second = a.get(f"{base}.pdf"), a.get(f"{base}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.data.startswith(b"%PDF") and first.data == second.data  # the file kept, not a new render
    for url, name in (
        (f"{base}.xml", f"{invoice.number}.xml"),  # UBL unless asked otherwise
        (f"{base}.xml?syntax=ubl", f"{invoice.number}.xml"),
        (f"{base}.xml?syntax=cii", f"{invoice.number}-cii.xml"),
        (f"{_note_url(note, 'xml')}?syntax=ubl", f"{note.number}.xml"),
        (f"{_note_url(note, 'xml')}?syntax=cii", f"{note.number}-cii.xml"),
    ):
        response = a.get(url)
        assert (response.status_code, response.mimetype) == (200, "application/xml"), url
        assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
        assert response.data.lstrip().startswith(b"<?xml")
    kept = {
        fmt: content
        for fmt, content in db.session.execute(
            select(IssuedDocument.format, IssuedDocument.content).where(
                IssuedDocument.invoice_id == invoice.id
            )
        )
    }
    assert a.get(f"{base}.xml?syntax=cii").data == kept["cii"] and first.data == kept["pdf"]
    note_pdf = a.get(_note_url(note))
    assert note_pdf.mimetype == "application/pdf" and note_pdf.data == a.get(_note_url(note)).data
    assert db.session.scalar(select(func.count(IssuedDocument.id))) == 12  # two invoices, two notes, 3 each
    assert a.get(f"{base}.xml?syntax=pdf").status_code == 422


def test_another_customer_s_invoice_and_documents_are_not_found(customers) -> None:
    a, theirs = customers.a(), customers.note_b
    for url in (
        f"/portal/invoices/{theirs.invoice_id}",
        f"/portal/invoices/{theirs.invoice_id}.pdf",
        f"/portal/invoices/{theirs.invoice_id}.xml?syntax=cii",
        _note_url(theirs),
        f"{_note_url(theirs, 'xml')}?syntax=ubl",
        f"/portal/invoices/{customers.note_a.invoice_id}/credit-notes/{theirs.id}.xml",  # not on that invoice
    ):
        response = a.get(url)
        assert (response.status_code, response.mimetype) == (404, "text/html"), url


def test_a_customer_opens_the_wipe_certificate_of_a_device_that_came_back(customers) -> None:
    a, serial, certificate = customers.a(), customers.serial, customers.certificate
    pdf_url = f"/portal/returns/devices/{serial}/wipe-certificates/{certificate.id}.pdf"
    returns_page = html(a.get("/portal/returns"))
    assert f'href="/portal/returns/wipe-certificates?serial={serial}"' in returns_page
    listed = html(a.get(f"/portal/returns/wipe-certificates?serial={serial}"))
    assert f'<a href="{pdf_url}">Download WIPE-{certificate.id:06d}.pdf</a>' in listed
    assert "purge (NIST SP 800-88 Rev. 1)" in listed and "2026-11-15" in listed  # came back on pickup
    assert pdf_url in html(a.get("/portal/returns/wipe-certificates"))
    pdf = a.get(pdf_url)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_another_customer_cannot_open_the_certificate_of_a_life_it_did_not_have(customers) -> None:
    b, serial, certificate = customers.b(), customers.serial, customers.certificate
    pdf_url = f"/portal/returns/devices/{serial}/wipe-certificates/{certificate.id}.pdf"
    response = b.get(pdf_url)  # B has the device now, but the wiped life was A's
    assert (response.status_code, response.mimetype) == (404, "text/html")
    assert "No wipe certificates yet" in html(b.get("/portal/returns/wipe-certificates"))
