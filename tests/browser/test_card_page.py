"""A customer adds a card through Stripe.js (localstripe's copy) on the portal, in a real browser."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.billing.models import Invoice
from daas.core.periods import Period
from daas.extensions import db
from daas.payments import collection
from daas.payments.models import PaymentProfile
from tests import factories
from tests.billing_helpers import bill, deploy, finalize_run
from tests.helpers import settings_of
from tests.payments.conftest import read

PASSWORD = "correct-horse-battery"


@pytest.fixture
def customer(live_app):
    with live_app.app_context():
        plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
        customer = factories.customer(name="Berliner Baukontor GmbH")
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        deploy(contract, date(2026, 2, 1))
        factories.user("customer", customer.id, email="it@baukontor.example", password=PASSWORD)
        run = bill(Period.parse("2026-10"))
        finalize_run(run.id)  # an open invoice, waiting for a way to pay
        collection.schedule_collection(
            list(db.session.scalars(select(Invoice))), settings_of(live_app).collection.stripe
        )
        db.session.commit()
        customer_id = customer.id
        db.session.remove()
    return customer_id


def _sign_in(page, live_app, email="it@baukontor.example", password=PASSWORD):
    page.goto(live_app.config["LIVE_URL"] + "/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _open_how_you_pay(page):
    """Signed in, a customer lands on the portal's overview and opens "How you pay" from the menu."""
    page.wait_for_url("**/portal")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="How you pay").click()
    page.wait_for_url("**/portal/payment-method")


def _fill_card(page, number):
    for placeholder, value in (
        ("number", number),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "10115"),
    ):
        page.locator(f"#card-element input[placeholder='{placeholder}']").fill(value)


def test_a_customer_adds_a_card_and_its_open_invoice_is_paid(page, live_app, customer):
    _sign_in(page, live_app)
    _open_how_you_pay(page)
    assert "bank transfer" in page.locator("#current-method").inner_text()
    _fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_selector(".flash-success")
    assert "ending in 4242 is saved" in page.locator(".flash-success").inner_text()
    assert "1 open invoice(s) paid" in page.locator(".flash-success").inner_text()
    assert "card ending in 4242" in page.locator("#current-method").inner_text()
    assert (
        read(live_app, select(PaymentProfile.card_last4).where(PaymentProfile.customer_id == customer))
        == "4242"
    )
    assert read(live_app, select(Invoice.status).where(Invoice.customer_id == customer)) == "paid"


def test_a_refused_card_says_so_and_saves_nothing(page, live_app, customer):
    _sign_in(page, live_app)
    _open_how_you_pay(page)
    _fill_card(page, "4000000000000002")  # declined when attached
    page.get_by_role("button", name="Save card").click()
    page.wait_for_function("document.getElementById('card-errors').textContent.length > 0")
    assert page.locator("#card-errors").inner_text()
    assert (
        read(
            live_app,
            select(PaymentProfile.default_payment_method).where(PaymentProfile.customer_id == customer),
        )
        is None
    )


def test_a_wrong_password_is_refused(page, live_app, customer):
    _sign_in(page, live_app, password="not-the-password")
    assert "not right" in page.locator(".field-error").first.inner_text()
    assert page.url.endswith("/login")


def test_the_page_allows_no_inline_script(page, live_app, customer):
    _sign_in(page, live_app)
    response = page.goto(live_app.config["LIVE_URL"] + "/portal/payment-method")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert page.locator("script:not([src])").count() == 0
