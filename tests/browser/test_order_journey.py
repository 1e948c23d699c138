"""A customer orders devices in a real browser: opens Order devices, orders two laptops for a person from
the subscription's catalog and sees the order approved in its list; an order over a person's allowance
waits, and an approver of the customer approves it."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.auth.models import User
from daas.extensions import db
from daas.orders.models import Order
from daas.people.services import create_person
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
EMAIL = "it@grachten.example"
APPROVER = "cfo@grachten.example"
REGION = "NL-AMS"


def _person(customer_id: int, name: str, email: str, allowance: str) -> int:
    return create_person(
        customer_id,
        {
            "name": name,
            "email": email,
            "cost_centre": "IT",
            "address": {
                "line1": "Keizersgracht 10",
                "postcode": "1015 CN",
                "city": "Amsterdam",
                "country": "NL",
            },
            "monthly_allowance": Decimal(allowance),
        },
    ).id


@pytest.fixture
def shop(site, today):
    """A laptop subscription at 39.00 EUR a month; Anna may have 100.00 a month of devices, Bas 50.00;
    three new laptops and a refurbished one in stock; a user who orders and one who may approve."""
    with site.app_context():
        model = factories.device_model(sku="JRNY-LAT-5440", name="Latitude 5440")
        plan = factories.plan(name="Laptop Standard")
        customer = factories.customer(name="Grachten Advies B.V.", pickup_region=REGION)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        anna = _person(customer.id, "Anna de Vries", "anna@grachten.example", "100.00")
        bas = _person(customer.id, "Bas Jansen", "bas@grachten.example", "50.00")
        for n in (1, 2, 3):
            factories.device(model.sku, serial=f"JRNY-NEW-{n}")
        factories.user("customer", customer.id, email=EMAIL, password=PASSWORD)
        boss = factories.user("customer", customer.id, email=APPROVER, password=PASSWORD)
        db.session.get(User, boss.id).can_approve = True
        db.session.commit()
        ids = {"contract": contract.id, "anna": anna, "bas": bas, "customer": customer.id}
        db.session.remove()
    return ids


def _orders(site, customer_id: int) -> list[tuple[int, str]]:
    with site.app_context():
        try:
            return [
                (order.id, order.status)
                for order in db.session.scalars(
                    select(Order).where(Order.customer_id == customer_id).order_by(Order.id)
                )
            ]
        finally:
            db.session.remove()


def _order(page, person: str, quantity: str) -> None:
    """From the menu: Order devices, the quantity of the laptop, the person, the day; place it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Order devices").click()
    catalog = page.locator("#catalog")
    assert "Latitude 5440" in catalog.inner_text() and "39.00 EUR" in catalog.inner_text()
    assert "252.84" in catalog.inner_text()  # the model's embodied footprint, kg CO2e
    page.get_by_label("Quantity of Latitude 5440").fill(quantity)
    page.get_by_role("combobox", name="For").select_option(label=f"{person} (IT, Amsterdam)")
    page.get_by_label("Wanted by").fill("2026-11-16")
    assert page.get_by_label("Refurbished devices are fine").is_checked()
    page.get_by_role("button", name="Place the order").click()


def test_a_customer_orders_two_laptops_for_a_person_and_sees_the_order_approved(page, site, shop) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/portal")
    _order(page, "Anna de Vries", "2")  # 2 × 39.00 = 78.00, within her 100.00
    page.wait_for_url(re.compile(r".*/portal/orders/\d+$"))
    assert "is placed and approved" in page.locator(".flash-success").inner_text()
    assert page.locator("#order-status").inner_text() == "approved"
    lines = page.locator("#lines").inner_text()
    assert "JRNY-LAT-5440\t2\tAnna de Vries" in lines
    screenshot(page, "order-placed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders", exact=True).click()
    [(order_id, status)] = _orders(site, shop["customer"])
    assert status == "approved"
    row = page.locator(f"#order-{order_id}").inner_text()
    assert "2 × JRNY-LAT-5440" in row and "approved" in row and "2026-11-16" in row
    screenshot(page, "orders")


def test_an_order_over_the_allowance_waits_and_an_approver_approves_it(page, site, shop, browser) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/portal")
    _order(page, "Bas Jansen", "2")  # 78.00 over his 50.00
    page.wait_for_url(re.compile(r".*/portal/orders/\d+$"))
    assert "waits for an approver" in page.locator(".flash-success").inner_text()
    assert page.locator("#order-status").inner_text() == "requested"
    assert page.get_by_role("button", name=re.compile("Approve order")).count() == 0
    [(order_id, _)] = _orders(site, shop["customer"])

    approver = browser.new_context().new_page()
    try:
        sign_in_page(approver, site, APPROVER, PASSWORD)
        approver.wait_for_url("**/portal")
        approver.get_by_role("navigation", name="Main").get_by_role("link", name="Orders", exact=True).click()
        row = approver.locator(f"#order-{order_id}")
        assert "requested" in row.inner_text()
        row.get_by_role("link", name=f"Order #{order_id}", exact=True).click()
        assert (
            "Waiting for approval"
            in approver.get_by_role("heading", level=2, name="Waiting for approval").inner_text()
        )
        approver.get_by_role("button", name=f"Approve order #{order_id}").click()
        assert approver.locator(".flash-success").inner_text() == (
            f"Order #{order_id} is approved: we prepare the devices."
        )
        assert approver.locator("#order-status").inner_text() == "approved"
        screenshot(approver, "order-approved")
    finally:
        approver.context.close()
    assert _orders(site, shop["customer"]) == [(order_id, "approved")]
