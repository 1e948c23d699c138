"""On the portal a customer sees the credit notes of its invoices (and opens each note's PDF) and the wipe
certificates of the devices that came back from its subscriptions, even once a device serves someone
else; another customer's note or certificate is the 404 page."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from daas.billing.credit_notes import create_credit_note
from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics import returns, slots, takeback
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
    takeback.grade_device(returned, "A", "tests")
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


def _note_pdf(note) -> str:
    return f"/portal/invoices/{note.invoice_id}/credit-notes/{note.id}.pdf"


def test_a_customer_sees_the_credit_notes_of_its_invoices_and_opens_their_pdf_never_another_s(
    customers,
) -> None:
    a, note = customers.a(), customers.note_a
    invoices = html(a.get("/portal/invoices"))
    assert f'<a href="{_note_pdf(note)}">Credit note {note.number} (5.00 EUR)</a>' in invoices
    assert '<a href="/portal/invoices/credit-notes">Credit notes on your invoices</a>' in invoices
    listed = html(a.get("/portal/invoices/credit-notes"))
    assert note.number in listed and "Late delivery" in listed and "5.00 EUR" in listed
    assert customers.note_b.number not in listed
    pdf = a.get(_note_pdf(note))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert 'aria-current="page"' in listed.split('href="/portal/invoices"')[1][:40]  # under Invoices
    other = a.get(_note_pdf(customers.note_b))  # another customer's note
    assert (other.status_code, other.mimetype) == (404, "text/html")
    wrong_invoice = f"/portal/invoices/{note.invoice_id}/credit-notes/{customers.note_b.id}.pdf"
    assert a.get(wrong_invoice).status_code == 404


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
