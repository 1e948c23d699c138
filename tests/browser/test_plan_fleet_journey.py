"""A customer's IT manager plans its fleet in a real browser: compares today's policy with keeping the
devices 12 months longer, sees both in the charts and their tables, saves the longer cycle and applies it;
the refresh planner then proposes the device's refresh on the new cycle's date, not the old one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from daas.contracts.models import Contract
from daas.contracts.services import deploy_device
from daas.core import clock
from daas.core.dates import add_months
from daas.extensions import db
from daas.logistics.models import RefreshOrder
from daas.logistics.rules import UpgradePolicy
from daas.usecases.logistics import plan_refresh_orders
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page
from tests.browser.test_customer_journey import _read  # one row read on the served database

PASSWORD = "correct-horse-battery"
EMAIL = "it@planner.example"
SERIAL = "PLAN-LAT-1"


@pytest.fixture
def planner(site):
    """One laptop on a 24-month refresh cycle, deployed 36 months less 20 days ago with a worn battery
    (a replacement, never an upgrade): on 24 months its refresh is long overdue, on 36 it is due in 20
    days."""
    with site.app_context():
        today = clock.today()
        model = factories.device_model(sku="PLAN-LAT-5440", expected_lifetime_months=72)
        plan = factories.plan(
            name="Laptop Flex 24",
            refresh_cycle_months=24,
            term_months=60,
            charges=[{"kind": "device_monthly", "unit_amount": Decimal("42.00")}],
        )
        customer = factories.customer(name="Planner Advies B.V.")
        deployed_on = add_months(today, -36) + timedelta(days=20)
        contract = factories.contract(customer.id, plan.code, deployed_on - timedelta(days=10))
        factories.device(
            model.sku,
            serial=SERIAL,
            manufactured_on=deployed_on - timedelta(days=60),
            battery_health=55,
            on=deployed_on - timedelta(days=30),
        )
        deploy_device(contract.id, SERIAL, deployed_on, "tests")
        factories.user("customer", customer.id, email=EMAIL, password=PASSWORD)
        db.session.commit()
        ids = {"contract": contract.id, "today": today, "deployed_on": deployed_on}
        db.session.remove()
    return ids


def test_a_customer_compares_saves_and_applies_a_longer_cycle(page, site, planner) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/portal")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Plan your fleet").click()
    page.wait_for_url("**/portal/plan-fleet")
    page.get_by_role("heading", level=1, name="Plan your fleet").wait_for()

    # Compare as is with extending the cycles by 12 months
    page.get_by_label("Extend the refresh cycles").check()
    page.get_by_label("Longer by (months)").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    page.get_by_role("heading", name="The scenarios side by side").wait_for()
    chart = page.get_by_role("img", name="Devices manufactured for the fleet")
    chart.wait_for(state="visible")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))"
    )
    scenarios = ["As is", "Extend by 12 months"]
    for table in ("#new-devices-table", "#cost-table", "#attributed-co2e-kg-table"):
        assert page.locator(f"{table} tbody th[scope=row]").all_inner_texts() == scenarios
    drawn = page.evaluate(
        "() => Chart.getChart(document.querySelector('canvas[data-chart]')).data.datasets.map(d => d.label)"
    )
    assert drawn == scenarios
    screenshot(page, "plan-fleet-comparison")

    # Save the extend scenario, then apply it
    page.get_by_label("Name").fill("A year longer")
    with page.expect_navigation():
        page.get_by_role("button", name="Save this scenario (Extend)").click()
    page.wait_for_selector(".flash-success")
    assert "Saved the scenario “A year longer”." in page.locator(".flash-success").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply A year longer").click()
    page.wait_for_selector(".flash-success")
    message = page.locator(".flash-success").inner_text()
    assert f"contract #{planner['contract']} now refreshes every 36 months" in message
    assert _read(site, select(Contract.refresh_cycle_months).where(Contract.id == planner["contract"])) == (
        36,
    )

    # The refresh planner proposes the device's refresh from the new cycle
    with site.app_context():
        plan_refresh_orders(planner["today"], 60, UpgradePolicy())
        db.session.remove()
    (due_date,) = _read(site, select(RefreshOrder.due_date))
    assert due_date == add_months(planner["deployed_on"], 36)
    assert due_date != add_months(planner["deployed_on"], 24)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Refreshes").click()
    page.wait_for_url("**/portal/refresh-orders**")
    row = page.get_by_role("row").filter(has_text=SERIAL)
    row.wait_for()
    assert due_date.isoformat() in row.inner_text()
    screenshot(page, "plan-fleet-applied")
