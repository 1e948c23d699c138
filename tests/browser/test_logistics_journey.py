"""Logistics in a real browser: a scheduled return order is picked up and received, then the device is
found by its serial, wiped, graded, sent to refurbishment, restocked and redeployed to another contract."""

from __future__ import annotations

import re
from datetime import date

import pytest

from daas.contracts.services import deploy_device
from daas.extensions import db
from daas.logistics import returns, slots
from tests import factories
from tests.browser.conftest import screenshot, sign_in_page

PASSWORD = "correct-horse-battery"
EMAIL = "warehouse@daas.example"
REGION = "DE-BE"
ADDRESS = "Friedrichstrasse 100, 10117 Berlin"


@pytest.fixture
def yard(site, today):
    """A customer with a pickup address, a laptop on its contract with a return booked on today's slot,
    and a second customer's contract to redeploy the laptop to."""
    with site.app_context():
        model = factories.device_model(sku=factories.unique("DELL-LAT"))
        plan = factories.plan()
        customer = factories.customer(name="Baukontor GmbH", pickup_region=REGION, pickup_address=ADDRESS)
        contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
        device = factories.device(model.sku, serial="SN-JOURNEY-1")
        deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
        slots.create_slot(REGION, today, 3)
        order = returns.create_return_order(
            contract.id, [device.serial], "end_of_term", today, REGION, ADDRESS, "tests", 14
        )
        second = factories.contract(plan_code=plan.code, start_date=date(2026, 6, 1))
        factories.user("logistics", email=EMAIL, password=PASSWORD)
        db.session.commit()
        data = {"order": order.id, "serial": device.serial, "second": second.id, "status": order.status}
        db.session.remove()
    return data


def _state(page) -> str:
    return page.locator("#device-state").inner_text().strip()


def _flash(page) -> str:
    return page.locator(".flash-success").inner_text()


def _scan(page, serial: str) -> None:
    """As a barcode scanner does: type the serial into the focused box, then Enter."""
    box = page.get_by_label("Serial", exact=True)
    assert box.evaluate("element => element === document.activeElement")
    box.fill(serial)
    box.press("Enter")
    page.wait_for_url(f"**/logistics/devices/{serial}")


def test_logistics_receives_wipes_grades_and_redeploys_a_device(page, site, yard) -> None:
    assert yard["status"] == "scheduled"
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/logistics")
    assert page.get_by_role("heading", name="Logistics overview").is_visible()

    # The return order: picked up, then received.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Return orders").click()
    page.get_by_role("combobox", name="State").select_option("scheduled")
    page.get_by_role("button", name="Show", exact=True).click()
    page.get_by_role("link", name=f"#{yard['order']}", exact=True).click()
    assert "scheduled" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking number").fill("JJD0001")
    page.get_by_role("button", name="Mark picked up").click()
    assert "is picked up on 2026-11-15" in _flash(page)
    assert "picked up" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Mark received").click()
    assert "is received on 2026-11-15" in _flash(page)
    assert "received" in page.get_by_role("heading", level=1).inner_text()

    # Devices by serial: scan, act, and stay on the device, whose serial box has the focus for the next scan.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Devices by serial").click()
    _scan(page, yard["serial"])
    assert _state(page) == "received"
    page.get_by_role("combobox", name="Method").select_option("purge")
    page.get_by_label("Tool", exact=True).fill("Blancco Drive Eraser")
    page.get_by_label("Media type").fill("NVMe SSD")
    page.get_by_label("Verified by").fill("K. Braun")
    page.get_by_role("button", name="Record wipe").click()
    page.wait_for_url(f"**/logistics/devices/{yard['serial']}")
    assert "it is now wiped" in _flash(page)
    assert _state(page) == "wiped"

    _scan(page, yard["serial"])
    assert _state(page) == "wiped"
    assert page.get_by_role("link", name=re.compile(r"Download WIPE-\d{6}\.pdf")).is_visible()
    page.get_by_role("combobox", name="Grade").select_option("B")
    page.get_by_role("button", name="Record grade").click()
    assert "graded B; it is now graded" in _flash(page)

    _scan(page, yard["serial"])
    assert _state(page) == "graded" and page.locator("#device-grade").inner_text() == "B"
    page.get_by_role("combobox", name="Disposition").select_option("refurbish")
    page.get_by_role("button", name="Record disposition").click()
    assert "it is now refurbishing" in _flash(page)

    _scan(page, yard["serial"])
    assert _state(page) == "refurbishing"
    page.get_by_role("button", name="Restock").click()
    assert "it is now in stock" in _flash(page)

    _scan(page, yard["serial"])
    assert _state(page) == "in stock"
    page.get_by_label("Contract number").fill(str(yard["second"]))
    page.get_by_role("button", name="Deploy").click()
    assert f"deployed on contract {yard['second']} from 2026-11-15; it is now deployed" in _flash(page)

    _scan(page, yard["serial"])
    assert _state(page) == "deployed"
    custody = page.locator("table", has=page.get_by_role("columnheader", name="Reference")).inner_text()
    for step in ("pick up", "receive", "wipe", "grade", "refurbish", "restock", "deploy"):
        assert f"\n{step}\t" in custody or f"\t{step}\t" in custody
    screenshot(page, "logistics-journey")


def test_the_pickup_calendar_adds_a_slot_refuses_capacity_below_bookings_and_gives_the_feed_link(
    page, site, yard
) -> None:
    sign_in_page(page, site, EMAIL, PASSWORD)
    page.wait_for_url("**/logistics")
    screenshot(page, "logistics-overview")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pickup calendar").click()
    page.get_by_role("combobox", name="Region").select_option(REGION)
    page.get_by_role("button", name="Show", exact=True).click()
    capacity = page.get_by_label(f"Capacity on 2026-11-15 in {REGION}")
    assert capacity.input_value() == "3"
    capacity.fill("0")
    page.get_by_role("button", name=f"Change capacity on 2026-11-15 in {REGION}").click()
    capacity = page.get_by_label(f"Capacity on 2026-11-15 in {REGION}")
    assert capacity.get_attribute("aria-invalid") == "true"
    assert page.locator(".field-error").inner_text() == "At least 1."

    page.get_by_role("textbox", name="Region").fill(REGION)
    page.get_by_label("Day").fill("2026-11-18")
    page.get_by_label("Capacity (pickups)").fill("5")
    page.get_by_role("button", name="Add slot").click()
    assert "Pickup slot added: DE-BE on 2026-11-18, 5 pickups." in _flash(page)
    assert page.get_by_label(f"Capacity on 2026-11-18 in {REGION}").input_value() == "5"

    page.get_by_role("button", name="Create a token and show the link").click()
    link = page.get_by_label("Your calendar link (shown only once: copy it now)").input_value()
    assert re.fullmatch(
        rf"{re.escape(site.config['LIVE_URL'])}/api/v1/pickup-slots\.ics\?region={REGION}&token=\S+", link
    )
    screenshot(page, "logistics-calendar")
    feed = page.request.get(link)
    assert feed.ok and f"Pickup #{yard['order']}" in feed.text()
