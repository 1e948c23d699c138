"""The scanner page and the warehouse counters: a serial is found whatever its case (the exact one first;
two devices differing only by case are both listed), the counters and a return order's serials lead to the
devices, and after a step the clerk is back on the device, not on the scan page."""

from __future__ import annotations

import re
from datetime import date
from html import unescape
from types import SimpleNamespace

import pytest

from daas.contracts.services import deploy_device, end_deployment
from daas.extensions import db
from daas.logistics import returns, slots
from tests import factories
from tests.web.helpers import post_form, signed_in

REGION = "DE-BE"


@pytest.fixture
def warehouse(app, database, today):
    """Two devices handed back (received) and one more on a return order picked up today."""
    model = factories.device_model(sku=factories.unique("LAT"))
    contract = factories.contract(factories.customer(pickup_region=REGION).id)
    serials = []
    for serial in ("C02XG0FDH7JY", "5cd1234xyz", "S4EWNX0R9"):
        factories.device(model.sku, serial=serial)
        deploy_device(contract.id, serial, date(2026, 2, 1), "tests")
        serials.append(serial)
    for serial in serials[:2]:
        end_deployment(contract.id, serial, date(2026, 11, 10), "tests")
    slots.create_slot(REGION, today, 2)
    order = returns.create_return_order(
        contract.id, [serials[2]], "defect", today, REGION, "Friedrichstr. 1", "tests", 14
    )
    db.session.commit()
    client, _ = signed_in(app, "logistics")
    return SimpleNamespace(client=client, serials=serials, order=order, model=model)


def html(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_serial_is_found_whatever_its_case(warehouse) -> None:
    client = warehouse.client
    for typed, found in (
        ("c02xg0fdh7jy", "C02XG0FDH7JY"),
        ("5CD1234XYZ", "5cd1234xyz"),
        ("C02XG0FDH7JY", None),
    ):
        opened = client.get(f"/logistics/devices?serial={typed}")
        assert opened.status_code == 302, typed
        assert opened.headers["Location"] == f"/logistics/devices/{found or typed}"
    unknown = html(client.get("/logistics/devices?serial=NOPE-1"))
    assert '<p class="field-error" id="serial-error">No device with serial NOPE-1.</p>' in unknown


def test_two_serials_differing_only_by_case_are_both_listed_unless_one_matches_exactly(warehouse) -> None:
    client = warehouse.client
    factories.device(warehouse.model.sku, serial="5CD1234XYZ")
    db.session.commit()
    assert (
        client.get("/logistics/devices?serial=5CD1234XYZ").headers["Location"]
        == "/logistics/devices/5CD1234XYZ"
    )
    assert (
        client.get("/logistics/devices?serial=5cd1234xyz").headers["Location"]
        == "/logistics/devices/5cd1234xyz"
    )
    both = client.get("/logistics/devices?serial=5Cd1234xYz")
    assert both.status_code == 200
    page = html(both)
    assert "2 devices match “5Cd1234xYz” when case is ignored" in page
    assert '<a href="/logistics/devices/5CD1234XYZ">5CD1234XYZ</a>' in page
    assert '<a href="/logistics/devices/5cd1234xyz">5cd1234xyz</a>' in page


def test_the_warehouse_counters_lead_to_the_devices_they_count(warehouse) -> None:
    client = warehouse.client
    for url in ("/logistics", "/logistics/devices"):
        page = html(client.get(url))
        tile = re.search(
            r'<a class="tile tile-link" href="([^"]+)"[^>]*><span class="value">(\d+)</span>'
            r'<span class="label">received: to be wiped',
            page,
        )
        assert tile, url
        assert (tile.group(1), tile.group(2)) == ("/logistics/devices?status=received", "2")
    listed = html(client.get("/logistics/devices?status=received"))
    assert "Devices received (2)" in listed
    for serial in warehouse.serials[:2]:
        assert f'<a href="/logistics/devices/{serial}">{serial}</a>' in listed
    assert warehouse.serials[2] not in listed
    assert "No device is graded." in html(client.get("/logistics/devices?status=graded"))


def test_the_serials_of_a_return_order_are_links_to_the_devices(warehouse) -> None:
    client, serial = warehouse.client, warehouse.serials[2]
    link = re.compile(rf'<a (class="nowrap" )?href="/logistics/devices/{serial}">{serial}</a>')
    assert link.search(html(client.get(f"/logistics/returns/{warehouse.order.id}")))
    assert link.search(html(client.get("/logistics/returns")))


def test_after_a_wipe_the_clerk_is_back_on_the_device(warehouse) -> None:
    client, serial = warehouse.client, warehouse.serials[0]
    url = f"/logistics/devices/{serial}"
    wipe = {
        "method": "purge",
        "standard": "NIST SP 800-88 Rev. 1",
        "verification": "full",
        "verified_by": "K.",
    }
    done = post_form(client, f"{url}/wipe", wipe, form_page=url)
    assert done.status_code == 302 and done.headers["Location"] == url
    page = html(client.get(url))
    assert "wipe recorded" in page and "it is now wiped" in page
