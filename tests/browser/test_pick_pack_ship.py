"""Logistics in a real browser takes an order out: allocates it from the work lists, scans its two serials
on the pick and pack screen (a scanner types the serial and Enter; no mouse), enters the packaging,
creates the shipment and sees its delivery date, ships it with a carrier and tracking number and delivers
it; the customer's order page then shows it delivered."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from daas.extensions import db
from daas.orders import delivery_slots, ordering
from daas.people.services import create_person
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
WAREHOUSE = "warehouse@daas.example"
CUSTOMER = "it@grachten.example"
REGION = "NL-AMS"
SERIALS = ("PPS-LAT-1", "PPS-LAT-2")


@pytest.fixture
def approved_order(site, today):
    """An approved order of two laptops for Anna; the two laptops in stock; a delivery slot tomorrow."""
    with site.app_context():
        model = factories.device_model(sku="PPS-LAT-5440", name="Latitude 5440")
        plan = factories.plan(name="Laptop Standard")
        customer = factories.customer(name="Grachten Advies B.V.", pickup_region=REGION)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        anna = create_person(
            customer.id,
            {
                "name": "Anna de Vries",
                "email": "anna@grachten.example",
                "address": {
                    "line1": "Keizersgracht 10",
                    "postcode": "1015 CN",
                    "city": "Amsterdam",
                    "country": "NL",
                },
                "monthly_allowance": Decimal("100.00"),
            },
        )
        for serial in SERIALS:
            factories.device(model.sku, serial=serial)
        delivery_slots.create_slot(REGION, date(2026, 11, 16), 4)
        order = ordering.place_order(
            contract.id,
            [{"sku": model.sku, "quantity": 2, "person_id": anna.id}],
            date(2026, 11, 16),
            "tests",
        )
        factories.user("logistics", email=WAREHOUSE, password=PASSWORD)
        factories.user("customer", customer.id, email=CUSTOMER, password=PASSWORD)
        db.session.commit()
        data = {"order": order.id, "status": order.status}
        db.session.remove()
    return data


def _flash(page) -> str:
    return page.locator(".flash-success").inner_text()


def _scan(page, serial: str) -> None:
    """As a barcode scanner does: type into the focused box, then Enter; the box has the focus again."""
    box = page.get_by_label("Scan a serial")
    assert box.evaluate("element => element === document.activeElement")
    page.keyboard.type(serial)
    with page.expect_navigation():  # the form posts and the page comes back; read it only then
        page.keyboard.press("Enter")


def test_logistics_allocates_packs_ships_and_delivers_an_order(page, site, approved_order, browser) -> None:
    order_id = approved_order["order"]
    assert approved_order["status"] == "approved"
    sign_in_page(page, site, WAREHOUSE, PASSWORD)
    page.wait_for_url("**/logistics")
    with page.expect_navigation():  # the orders page, loaded before it is read
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders", exact=True).click()
    assert page.get_by_role("link", name="1 to allocate").is_visible()
    with page.expect_navigation():  # the orders page again, loaded whole before its counts are read
        page.get_by_role("button", name=f"Allocate order #{order_id}").click()
    assert f"Order #{order_id} is allocated" in _flash(page)
    assert page.get_by_role("link", name="1 to pick and pack").is_visible()
    screenshot(page, "logistics-orders")
    page.get_by_role("link", name=f"Pick and pack order #{order_id}").click()

    progress = page.locator("#pack-progress")
    assert progress.inner_text().startswith("0 of 2")
    _scan(page, SERIALS[0].lower())  # a scanner that lowers the case still finds the device
    assert progress.inner_text() == "1 of 2 device(s) scanned; 1 still missing."
    rows = page.locator("#pick-list tbody tr")
    assert "scanned" in rows.filter(has_text=SERIALS[0]).inner_text()
    assert "missing" in rows.filter(has_text=SERIALS[1]).inner_text()
    _scan(page, SERIALS[0])
    assert page.locator("#serial-error").inner_text() == f"{SERIALS[0]} is scanned already."
    _scan(page, SERIALS[1])
    assert progress.inner_text() == "2 of 2 device(s) scanned: all there."
    assert page.get_by_label("Scan a serial").evaluate("element => element === document.activeElement")

    page.get_by_label("Cardboard (kg)").fill("0.8")
    page.get_by_label("Moulded pulp (kg)").fill("0.15")
    screenshot(page, "pick-and-pack")
    page.get_by_role("button", name="Create the shipment").click()
    page.wait_for_url("**/logistics/shipments/*")
    assert "device(s) is packed: delivery on 2026-11-16." in _flash(page)
    assert page.locator("#delivery-date").inner_text() == "2026-11-16"
    slip = page.get_by_role("link", name="Packing slip (PDF)")
    response = page.request.get(site.config["LIVE_URL"] + slip.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"

    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JJD0001234")
    page.get_by_role("button", name="Mark shipped").click()
    assert "is shipped on 2026-11-15 with DHL (JJD0001234)" in _flash(page)
    assert page.locator("#shipment-status").inner_text() == "shipped"
    page.get_by_label("Received by").fill("Anna de Vries")
    page.get_by_role("button", name="Mark delivered").click()
    assert "is delivered on 2026-11-15" in _flash(page)
    assert page.locator("#shipment-status").inner_text() == "delivered"
    screenshot(page, "shipment-delivered")

    customer = browser.new_context().new_page()
    try:
        sign_in_page(customer, site, CUSTOMER, PASSWORD)
        customer.wait_for_url("**/portal")
        customer.get_by_role("navigation", name="Main").get_by_role("link", name="Orders", exact=True).click()
        assert "delivered" in customer.locator(f"#order-{order_id}").inner_text()
        customer.get_by_role("link", name=f"Order #{order_id}", exact=True).click()
        assert customer.locator("#order-status").inner_text() == "delivered"
        shipments = customer.locator("#shipments").inner_text()
        assert "JJD0001234" in shipments and "2026-11-15, received by Anna de Vries" in shipments
        assert (
            customer.get_by_role("link", name="JJD0001234 (track the parcel)")
            .get_attribute("href")
            .endswith("tracking-id=JJD0001234")
        )
        screenshot(customer, "customer-order-delivered")
    finally:
        customer.context.close()
