"""Ending a contract early in a real browser: finance opens the contract from its Contracts list, asks what
ending it on a day costs, confirms the charge it was shown; the customer then finds that charge under
"Charges to come" on its subscription page and disputes it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from daas.extensions import db
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
FINANCE = "controller@daas.example"
CUSTOMER = "it@grachten.example"


@pytest.fixture
def contract(site, today):
    """A contract from 2026-01-01 to 2029-01-01 with a minimum of 500.00 a month."""
    with site.app_context():
        plan = factories.plan(name="Laptop Standard", minimum_monthly_amount=Decimal("500.00"))
        customer = factories.customer(name="Grachten Advies B.V.")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        factories.user("finance", email=FINANCE, password=PASSWORD)
        factories.user("customer", customer.id, email=CUSTOMER, password=PASSWORD)
        db.session.commit()
        found = {"id": contract.id, "reference": contract.reference}
        db.session.remove()
    return found


def test_finance_ends_a_contract_early_and_the_customer_disputes_the_charge(page, site, contract, browser):
    sign_in_page(page, site, FINANCE, PASSWORD)
    page.wait_for_url("**/finance")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contracts", exact=True).click()
    page.get_by_role("link", name=contract["reference"]).click()
    page.get_by_label("End date (first day no longer covered)").fill("2027-01-15")
    with page.expect_navigation():
        page.get_by_role("button", name="Show the charge").click()
    # 23 whole months from 2027-01-15 to 2029-01-01, half of the 500.00 minimum each.
    assert page.locator("#termination-amount").inner_text() == "5,750.00 EUR"
    screenshot(page, "finance-contract-termination")
    with page.expect_navigation():
        page.get_by_role("button", name="Terminate on 2027-01-15 and add the charge").click()
    assert (
        "an early-termination charge of 5750.00 EUR is added" in page.locator(".flash-success").inner_text()
    )
    charges = page.locator("#contract-charges-table").inner_text()
    assert "early termination" in charges and "5,750.00 EUR" in charges and "pending" in charges

    customer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in_page(customer, site, CUSTOMER, PASSWORD)
    customer.wait_for_url("**/portal")
    customer.goto(site.config["LIVE_URL"] + f"/portal/subscriptions/{contract['id']}")
    to_come = customer.locator("table[aria-labelledby='charges-heading']")
    assert "5,750.00 EUR" in to_come.inner_text() and "pending" in to_come.inner_text()
    customer.get_by_label("Why you dispute it").fill("We were told the first year had no minimum.")
    with customer.expect_navigation():
        customer.get_by_role("button", name="Dispute charge").click()
    assert "Disputed: We were told the first year had no minimum." in to_come.inner_text()
    screenshot(customer, "portal-charge-disputed")
