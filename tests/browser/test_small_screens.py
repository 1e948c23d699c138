"""The pages on a phone (375 px wide, real Chromium) and on a desktop: the menu collapses into a button
instead of filling a third of the screen, nothing is wider than the screen, invoice tables keep their
amounts in view or say that they scroll, dates never wrap mid-value, a form sent back with errors takes the
focus with its summary, charts of counts have whole-number ticks, and amounts in two currencies are drawn
on charts of their own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from daas.billing.invoices import finalize_run
from daas.billing.models import Invoice
from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from daas.logistics import slots
from tests import factories
from tests.billing_helpers import OCTOBER, bill, documents
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
PHONE = {"width": 375, "height": 667}  # a 4.7-inch phone
DESKTOP = {"width": 1280, "height": 900}
USERS = {
    "customer": "it-department@grachten-advies.example",
    "finance": "finance@daas.example",
    "logistics": "warehouse@daas.example",
}
REGION = "NL-AMS"


@pytest.fixture
def shop(site, today):
    """A Dutch customer (EUR) and an American one (USD), each billed for October with two laptops; one
    laptop handed back this week; free pickup dates in Amsterdam; a user per role."""
    with site.app_context():
        eur_plan = factories.plan(
            name="Laptop Standard, 36 months, refreshed every 36 months",  # a long choice in the return form
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}],
        )
        usd_plan = factories.plan(
            currency="USD", charges=[{"kind": "device_monthly", "unit_amount": Decimal("45.00")}]
        )
        dutch = factories.customer(
            name="Grachten Advies B.V.", pickup_region=REGION, pickup_address="Keizersgracht 10, Amsterdam"
        )
        american = factories.customer(name="Hudson Legal LLP", country="US", currency="USD")
        model = factories.device_model(sku="DELL-LAT-5430-SCREEN")
        contracts = [
            factories.contract(dutch.id, eur_plan.code, date(2026, 1, 1)),
            factories.contract(american.id, usd_plan.code, date(2026, 1, 1)),
        ]
        serials = []
        for contract in contracts:
            for n in range(2):
                serial = factories.device(model.sku, serial=f"SCREEN-{contract.id}-{n}").serial
                deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
                serials.append(serial)
        finalize_run(bill(OCTOBER).id, documents())
        invoice = db.session.scalar(select(Invoice.id).where(Invoice.contract_id == contracts[0].id))
        end_deployment(contracts[0].id, serials[1], today - timedelta(days=1), "tests")
        for days in (2, 4):
            slots.create_slot(REGION, today + timedelta(days=days), 3)
        factories.user("customer", dutch.id, email=USERS["customer"], password=PASSWORD)
        factories.user("finance", email=USERS["finance"], password=PASSWORD)
        factories.user("logistics", email=USERS["logistics"], password=PASSWORD)
        db.session.commit()
        data = {"contract": contracts[0].id, "invoice": invoice}
        db.session.remove()
    return data


@pytest.fixture
def phone(browser) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _open(page: Any, site: Any, path: str) -> None:
    page.goto(site.config["LIVE_URL"] + path)
    page.wait_for_load_state("load")


def _fits(page: Any) -> None:
    """Nothing wider than the screen, and the header well under a third of its height: one line, the
    brand and the menu's button (the whole menu, wrapped over four lines, took 200 px of 667)."""
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width, page.url
    header = page.locator("header.top").bounding_box()["height"]
    assert header < height / 6, (page.url, header)


def _dates_on_one_line(page: Any) -> int:
    """How many dates are shown; each is one line (a wrapped inline element has several boxes)."""
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('main time')).map(t => t.getClientRects().length)"
    )
    assert boxes and all(count == 1 for count in boxes), (page.url, boxes)
    return len(boxes)


def _amounts_in_view_or_cue(page: Any) -> None:
    """The invoice table's amount column is on the screen, or the table says that it scrolls."""
    amount = page.get_by_role("columnheader", name="Amount due").last.bounding_box()  # the invoices table
    cue = page.locator(".scroll-cue")
    in_view = amount["x"] >= 0 and amount["x"] + amount["width"] <= page.viewport_size["width"]
    assert in_view or (cue.first.is_visible() and "scroll" in cue.first.inner_text()), page.url


def test_on_a_phone_the_menu_is_a_button_and_the_customer_pages_fit(phone, site, shop) -> None:
    sign_in_page(phone, site, USERS["customer"], PASSWORD)
    phone.wait_for_url("**/portal")
    for path in (
        "/portal",
        "/portal/invoices",
        "/portal/subscriptions",
        "/portal/returns",
        "/portal/returns/new",
    ):
        _open(phone, site, path)
        _fits(phone)
    menu = phone.get_by_role("navigation", name="Main")
    assert not menu.get_by_role("link", name="Invoices").is_visible()
    phone.locator("summary", has_text="Menu").click()
    assert menu.get_by_role("link", name="Invoices").is_visible()
    assert phone.get_by_role("button", name="Sign out").is_visible()
    with phone.expect_navigation():
        menu.get_by_role("link", name="Invoices").click()
    assert not phone.get_by_role("navigation", name="Main").get_by_role("link", name="Returns").is_visible()
    screenshot(phone, "phone-customer-invoices")


def test_on_a_phone_the_invoice_table_shows_its_amounts_or_says_it_scrolls(phone, site, shop) -> None:
    sign_in_page(phone, site, USERS["customer"], PASSWORD)
    _open(phone, site, "/portal/invoices")
    _amounts_in_view_or_cue(phone)
    table = phone.locator(".table-wrap").last
    assert table.get_attribute("tabindex") == "0"  # a keyboard can scroll it too
    assert _dates_on_one_line(phone) >= 2
    _fits(phone)


def test_on_a_phone_the_return_form_fits(phone, site, shop) -> None:
    sign_in_page(phone, site, USERS["customer"], PASSWORD)
    _open(phone, site, "/portal/returns/new")
    _fits(phone)
    assert phone.get_by_role("button", name="Book the return").is_visible()
    screenshot(phone, "phone-return-form")


def test_on_a_phone_a_refused_form_takes_the_focus_with_its_summary(phone, site, shop) -> None:
    """The credit note form is at the bottom of a long invoice page: its refusal is summarised at the top
    of the form, which takes the focus and so comes into view."""
    sign_in_page(phone, site, USERS["finance"], PASSWORD)
    _open(phone, site, "/finance/invoices")
    _amounts_in_view_or_cue(phone)
    _fits(phone)
    _dates_on_one_line(phone)
    _open(phone, site, f"/finance/invoices/{shop['invoice']}")
    phone.get_by_label("Credit amount").fill("99999")
    phone.get_by_label("Reason").fill("Goodwill")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Issue credit note").click()
    summary = phone.locator(".error-summary")
    assert summary.is_visible()
    assert phone.evaluate("document.activeElement.classList.contains('error-summary')")
    box = summary.bounding_box()
    assert 0 <= box["y"] < PHONE["height"]  # in view, not below the fold
    assert "Credit amount: Between 0 and" in summary.inner_text()
    _fits(phone)
    screenshot(phone, "phone-credit-note-refused")
    summary.get_by_role("link").first.click()
    assert phone.evaluate("document.activeElement.id") == "credit-amount"


def test_on_a_phone_the_logistics_pages_fit_and_the_count_chart_has_whole_ticks(phone, site, shop) -> None:
    sign_in_page(phone, site, USERS["logistics"], PASSWORD)
    phone.wait_for_url("**/logistics")
    _fits(phone)
    phone.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )
    ticks = phone.evaluate(
        "Chart.getChart(document.querySelector('canvas[data-chart]')).scales.y.ticks.map(t => t.value)"
    )
    assert len(ticks) >= 2 and all(float(value).is_integer() for value in ticks), ticks
    screenshot(phone, "phone-logistics-overview")
    for path in ("/logistics/returns", "/logistics/calendar", "/logistics/devices?status=received"):
        _open(phone, site, path)
        _fits(phone)
    with phone.expect_navigation():
        phone.get_by_role("link", name="SCREEN-").first.click()
    _fits(phone)
    _dates_on_one_line(phone)
    screenshot(phone, "phone-logistics-device")


def test_amounts_in_two_currencies_are_drawn_on_charts_of_their_own(desktop, site, shop) -> None:
    sign_in_page(desktop, site, USERS["finance"], PASSWORD)
    desktop.wait_for_url("**/finance")
    desktop.wait_for_function("() => window.Chart && document.querySelectorAll('canvas[data-chart]').length")
    charts = desktop.evaluate(
        """Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
             const chart = Chart.getChart(canvas);
             const axes = Object.values(chart.scales).filter(scale => scale.axis === 'y');
             return {
               currencies: chart.data.datasets.map(d => d.label),
               axes: axes.map(scale => scale.options.title.text),
             };
           })"""
    )
    assert sorted(c["currencies"][0] for c in charts) == ["EUR", "USD"]
    for chart in charts:
        assert len(chart["currencies"]) == 1 and chart["axes"] == chart["currencies"], charts
    assert desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Invoices").is_visible()
    assert not desktop.locator("summary", has_text="Menu").is_visible()
    screenshot(desktop, "desktop-finance-overview")
    _open(desktop, site, "/finance/invoices")
    _dates_on_one_line(desktop)
