"""A customer's IT manager in a real browser: books a return on a free pickup date, approves an upgrade,
opens an impact statement with its charts, opens an invoice with its credit note and downloads their
e-invoices; and cannot open another customer's subscription."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from daas.billing.credit_notes import create_credit_note
from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.dates import add_months
from daas.extensions import db
from daas.logistics import slots
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.logistics.refresh import plan_refresh_orders
from daas.logistics.rules import UpgradePolicy
from tests import factories
from tests.billing_helpers import OCTOBER, bill, documents, issuer
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
EMAIL = "it@grachten.example"
REGION = "NL-AMS"


@pytest.fixture
def portal(site):
    """Two laptops on a 24-month subscription: UPG is due for refresh in 20 days (an upgrade is proposed),
    RET, deployed later, is the one to send back; pickup slots in the customer's region; another customer."""
    with site.app_context():
        today = clock.today()
        model = factories.device_model(sku="JRNY-LAT-5430", expected_lifetime_months=72)
        plan = factories.plan(
            name="Laptop Flex 24",
            refresh_cycle_months=24,
            term_months=48,
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("42.00")}],
        )
        customer = factories.customer(
            name="Grachten Advies B.V.", pickup_region=REGION, pickup_address="Keizersgracht 10, Amsterdam"
        )
        deployed_on = add_months(today, -24) + timedelta(days=20)
        contract = factories.contract(customer.id, plan.code, deployed_on - timedelta(days=10))
        for serial, start in (("JRNY-UPG-1", deployed_on), ("JRNY-RET-2", deployed_on + timedelta(days=90))):
            factories.device(
                model.sku,
                serial=serial,
                manufactured_on=deployed_on - timedelta(days=60),
                battery_health=92,
                on=deployed_on - timedelta(days=30),
            )
            deploy_device(contract.id, serial, start, "tests")
        slots.create_slot(REGION, today + timedelta(days=2), 0)  # full: not offered
        slots.create_slot(REGION, today + timedelta(days=4), 3)
        slots.create_slot(REGION, today + timedelta(days=6), 1)
        plan_refresh_orders(today, 60, UpgradePolicy())
        factories.user("customer", customer.id, email=EMAIL, password=PASSWORD)
        other = factories.contract(factories.customer(name="Andere Klant B.V.").id, plan.code, deployed_on)
        db.session.commit()
        ids = {"contract": contract.id, "other_contract": other.id, "today": today}
        db.session.remove()
    return ids


def _read(site, query):
    with site.app_context():
        try:
            return db.session.execute(query).one()
        finally:
            db.session.remove()


def test_a_customer_books_a_return_approves_an_upgrade_and_sees_the_impact(page, site, portal) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/portal")
    assert page.get_by_role("heading", level=1).inner_text() == "Your devices at a glance"

    # Book a return of one device on a free date from the picker
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").click()
    page.get_by_role("link", name="Book a return").click()
    page.wait_for_url("**/portal/returns/new")
    day = (portal["today"] + timedelta(days=6)).isoformat()
    full = (portal["today"] + timedelta(days=2)).isoformat()
    assert page.get_by_text(full).count() == 0
    page.get_by_label("JRNY-RET-2").check()
    page.get_by_label("Reason").select_option("defect")
    page.get_by_label(re.compile(rf"^{day} .*1 place\(s\) left")).check()
    page.get_by_role("button", name="Book the return").click()
    page.wait_for_url("**/portal/returns")
    assert re.search(
        rf"Return #\d+ of 1 device\(s\) is booked: pickup on {day}\.", page.locator(".flash").inner_text()
    )
    row = page.get_by_role("row").filter(has_text="JRNY-RET-2")
    assert "scheduled" in row.inner_text() and day in row.inner_text()
    status, booked = _read(site, select(ReturnOrder.status, ReturnOrder.slot_id))
    assert status == "scheduled" and booked is not None

    # Approve the proposed upgrade
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Refreshes").click()
    assert "Upgrade: battery 92%" in page.get_by_role("row").filter(has_text="JRNY-UPG-1").inner_text()
    page.get_by_role("link", name="Decide on JRNY-UPG-1").click()
    page.get_by_label(re.compile("^Upgrade: keep the device")).check()
    page.get_by_role("button", name="Approve").click()
    page.wait_for_selector(".flash-success")
    assert "Approved: device JRNY-UPG-1 will be upgraded" in page.locator(".flash-success").inner_text()
    assert "approved" in page.locator("#refresh-status").inner_text()
    assert _read(site, select(RefreshOrder.status, RefreshOrder.action)) == ("approved", "upgrade")

    # The subscription's impact statement, with its charts drawn
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscriptions").click()
    page.get_by_role("link", name=f"#{portal['contract']}").click()
    page.get_by_role("link", name="Impact statement").click()
    assert (
        page.get_by_role("heading", level=1).inner_text() == f"Impact of subscription #{portal['contract']}"
    )
    chart = page.get_by_role("img", name="Avoided e-waste")
    chart.wait_for(state="visible")
    assert chart.bounding_box()["height"] > 100
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )
    assert page.get_by_role("link", name="Download the statement (PDF)").is_visible()
    screenshot(page, "customer-journey")


def test_another_customer_s_subscription_is_a_404_page(page, site, portal) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/portal")
    response = page.goto(f"{site.config['LIVE_URL']}/portal/subscriptions/{portal['other_contract']}")
    assert response.status == 404
    assert "404" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_text("There is no such page, or it is not yours to see.").is_visible()
    assert "Andere Klant" not in page.content()
    screenshot(page, "customer-other-customers-subscription-404")


@pytest.fixture
def invoiced(site):
    """A customer billed for October (one laptop at 39.00, 21 % VAT) with a credit note of 5.00 net."""
    with site.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Grachten Advies B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy_device(contract.id, factories.device().serial, date(2026, 2, 1), "tests")
        finalize_run(bill(OCTOBER).id, documents())
        invoice = db.session.scalar(select(Invoice).where(Invoice.contract_id == contract.id))
        note = create_credit_note(invoice.id, "Late delivery", "finance", issuer(), amount=Decimal("5.00"))
        factories.user("customer", customer.id, email=EMAIL, password=PASSWORD)
        db.session.commit()
        numbers = {"invoice": invoice.number, "note": note.number}
        db.session.remove()
    return numbers


def test_a_customer_opens_an_invoice_and_downloads_its_e_invoices(page, site, invoiced) -> None:
    number, note = invoiced["invoice"], invoiced["note"]
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").click()
    row = page.get_by_role("row").filter(has_text=number)
    assert f"Credit note {note} (6.05 EUR)" in row.inner_text()  # 5.00 and its 21 % VAT
    row.get_by_role("link", name=number, exact=True).click()
    page.get_by_role("heading", name=f"Invoice {number}").wait_for()
    credited = page.get_by_role("row").filter(has_text=note).inner_text()
    assert "5.00 EUR" in credited and "1.05 EUR" in credited and "6.05 EUR" in credited
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {number} as UBL XML").click()
    assert download.value.suggested_filename == f"{number}.xml"
    assert b"<Invoice" in Path(download.value.path()).read_bytes()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"CII XML of credit note {note}").click()
    assert download.value.suggested_filename == f"{note}-cii.xml"
    assert b"CrossIndustryInvoice" in Path(download.value.path()).read_bytes()
    screenshot(page, "customer-invoice")
    page.get_by_role("link", name="← Invoices").click()
    page.get_by_role("link", name="Credit notes on your invoices").click()
    listed = page.get_by_role("row").filter(has_text=note).inner_text()
    assert "Late delivery" in listed and "1.05 EUR" in listed and number in listed
