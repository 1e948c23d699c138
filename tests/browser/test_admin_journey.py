"""An admin's main journey in a real browser: a customer (after a refused VAT id), its user and an API token
shown once, then the footprint import and its report; and a form without its CSRF token is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from daas.auth.services import authenticate_token
from daas.customers.models import Customer
from daas.extensions import db
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
ADMIN = "admin@daas.example"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "boavizta-sample.csv"


@pytest.fixture
def admin_site(site):
    with site.app_context():
        factories.user("admin", email=ADMIN, password=PASSWORD)
        db.session.commit()
        db.session.remove()
    return site


def read(site, query):
    with site.app_context():
        try:
            return db.session.scalar(query)
        finally:
            db.session.remove()


def test_an_admin_onboards_a_customer_with_a_user_a_token_and_the_catalog(page, admin_site) -> None:
    site = admin_site
    sign_in_page(page, site, ADMIN, PASSWORD)
    page.wait_for_url("**/admin")
    assert page.get_by_role("heading", level=1).inner_text() == "Admin"

    # A customer, first with a VAT id that fails its check digits: the error is beside the field.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    page.get_by_role("link", name="Add a customer").click()
    page.get_by_label("Name", exact=True).fill("Kölner Dom Werkstätten GmbH")
    page.get_by_label("Country").select_option("DE")
    page.get_by_label("VAT id").fill("DE123456789")
    page.get_by_label("Billing e-mail").fill("rechnung@domwerk.example")
    page.get_by_label("Street and number").fill("Domkloster 4")
    page.get_by_label("Postcode").fill("50667")
    page.get_by_label("City").fill("Köln")
    page.get_by_label("Peppol id").fill("9930:DE136695976")
    page.get_by_label("Pickup region").fill("DE-CGN")
    page.get_by_role("button", name="Create customer").click()
    assert page.locator("#vat_id-error").inner_text() == "Not a valid EU VAT id (format or check digits)."
    assert page.get_by_label("VAT id").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Name", exact=True).input_value() == "Kölner Dom Werkstätten GmbH"  # kept
    page.get_by_label("VAT id").fill("DE136695976")
    page.get_by_role("button", name="Create customer").click()
    assert "Customer Kölner Dom Werkstätten GmbH created" in page.locator(".flash-success").inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Kölner Dom Werkstätten GmbH"

    # Its user: the customer is already chosen when the user is added from the customer's page.
    page.get_by_role("link", name="Add a user for Kölner Dom Werkstätten GmbH").click()
    page.get_by_label("E-mail").fill("it@domwerk.example")
    assert page.get_by_label("Role").input_value() == "customer"
    assert (
        "Kölner Dom Werkstätten GmbH"
        in page.get_by_label("Customer", exact=True).locator("option:checked").inner_text()
    )
    page.get_by_label("Password").fill("a-long-enough-password")
    page.get_by_role("button", name="Create user").click()
    assert (
        "User it@domwerk.example created with role customer." in page.locator(".flash-success").inner_text()
    )

    # An API token, shown once.
    page.get_by_label("Token name").fill("ERP integration")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token", exact=True).input_value()
    assert token.startswith("daas_")
    with site.app_context():
        assert authenticate_token(token).email == "it@domwerk.example"
        db.session.rollback()
        db.session.remove()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="it@domwerk.example").click()  # the user's page again: no secret on it
    assert page.get_by_label("Token", exact=True).count() == 0
    assert token not in page.content()
    assert page.get_by_role("button", name="Revoke ERP integration").is_visible()

    # The footprint import and its report.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Catalog").click()
    page.get_by_role("link", name="Import footprints").click()
    page.get_by_label("Footprint file (Boavizta CSV)").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    assert (
        "Import done: 14 models kept (14 new, 0 updated, 0 unchanged), 12 rows skipped."
        in page.locator(".flash-success").inner_text()
    )
    assert (
        report.locator("table").first.get_by_role("row", name="weight missing").inner_text().split()[-1]
        == "3"
    )
    screenshot(page, "admin-journey")
    page.get_by_role("link", name="See the catalog").click()
    assert "All models (14)" in page.locator("caption").inner_text()


def test_a_form_posted_without_its_csrf_token_is_refused(page, admin_site) -> None:
    site = admin_site
    sign_in_page(page, site, ADMIN, PASSWORD)
    page.goto(site.config["LIVE_URL"] + "/admin/customers/new")
    page.get_by_label("Name", exact=True).fill("Forged Request Ltd")
    page.get_by_label("Country").select_option("GB")
    page.get_by_label("Billing e-mail").fill("ap@forged.example")
    page.evaluate("document.querySelector('main form input[name=csrf_token]').remove()")
    page.get_by_role("button", name="Create customer").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("400")
    assert "did not come from this site" in page.content()
    screenshot(page, "admin-csrf-refused")
    assert read(site, select(func.count()).where(Customer.name == "Forged Request Ltd")) == 0
