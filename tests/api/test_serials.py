"""One serial rule wherever a serial is entered (taking a device into stock, deploying it, returning it,
replacing one): a serial that no URL path can address (`A/B` was accepted and then unreachable by every
device route) is a 422 naming the field, and every serial the rule lets in is reachable by its routes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from daas.contracts.services import deploy_device
from daas.core.errors import Invalid
from daas.core.identifiers import SERIAL_MESSAGE
from daas.devices.models import Device
from daas.devices.services import register_device
from daas.extensions import db
from tests import factories
from tests.helpers import assert_error, bearer

UNADDRESSABLE = [
    "A/B",
    "SN 1",
    "SN?1",
    "SN#1",
    "SN%2F1",
    "SN\t1",
    "SN-1\n",
    "..",
    ".hidden",
    "x" * 65,
    "Zé-1",
]


@pytest.fixture
def site(database, today):
    model = factories.device_model()
    customer = factories.customer(pickup_region="NL-NH", pickup_address="Dam 1, Amsterdam")
    contract = factories.contract(customer.id, factories.plan().code, date(2026, 1, 1))
    device = factories.device(model.sku, serial="SN-ON-CONTRACT")
    deploy_device(contract.id, device.serial, date(2026, 2, 1), "tests")
    return {
        "model": model,
        "contract": contract,
        "logistics": bearer(factories.token("logistics")),
        "customer": bearer(factories.token("customer", customer.id)),
    }


def devices() -> int:
    return db.session.scalar(select(func.count()).select_from(Device))


@pytest.mark.parametrize("serial", UNADDRESSABLE)
def test_a_serial_no_url_can_address_is_not_taken_into_stock(client, site, serial):
    before = devices()
    response = client.post(
        "/api/v1/devices", json={"serial": serial, "sku": site["model"].sku}, headers=site["logistics"]
    )
    body = assert_error(response, 422, "serial")
    assert body["errors"]["serial"] == [SERIAL_MESSAGE]
    with pytest.raises(Invalid) as refused:  # the CLI, the demo and the pages register through the service
        register_device(serial, site["model"].sku, "tests")
    assert refused.value.errors == {"serial": [SERIAL_MESSAGE]}
    assert devices() == before


@pytest.mark.parametrize("serial", ["S4EWNX0R123456", "NL:AMS:0042", "5cd.1234_xyz", "x" * 64])
def test_every_serial_the_rule_lets_in_is_reachable_by_the_device_routes(client, site, serial):
    created = client.post(
        "/api/v1/devices", json={"serial": serial, "sku": site["model"].sku}, headers=site["logistics"]
    )
    assert created.status_code == 201, created.get_json()
    shown = client.get(f"/api/v1/devices/{serial}", headers=site["logistics"])
    assert shown.status_code == 200 and shown.get_json()["serial"] == serial
    patched = client.patch(
        f"/api/v1/devices/{serial}", json={"battery_health": 88}, headers=site["logistics"]
    )
    assert patched.get_json()["battery_health"] == 88
    deployed = client.post(
        f"/api/v1/contracts/{site['contract'].id}/devices",
        json={"serial": serial, "start_date": "2026-11-15"},
        headers=site["logistics"],
    )
    assert deployed.status_code == 201, deployed.get_json()
    ended = client.post(
        f"/api/v1/contracts/{site['contract'].id}/devices/{serial}/end",
        json={"end_date": "2026-11-15"},
        headers=site["logistics"],
    )
    assert ended.status_code == 200, ended.get_json()


@pytest.mark.parametrize("serial", ["A/B", "SN 1", "SN-1\n"])
def test_the_same_rule_holds_where_a_serial_names_a_device(client, site, serial):
    contract = site["contract"]
    deploy = client.post(
        f"/api/v1/contracts/{contract.id}/devices",
        json={"serial": serial, "start_date": "2026-11-15"},
        headers=site["logistics"],
    )
    assert assert_error(deploy, 422, "serial")["errors"]["serial"] == [SERIAL_MESSAGE]
    order = {
        "contract_id": contract.id,
        "serials": ["SN-ON-CONTRACT", serial],
        "reason": "defect",
        "requested_date": "2026-11-16",
        "region": "NL-NH",
        "address": "Dam 1, Amsterdam",
    }
    returned = client.post("/api/v1/return-orders", json=order, headers=site["customer"])
    assert assert_error(returned, 422, "serials")["errors"]["serials"] == {"1": [SERIAL_MESSAGE]}
    replaced = client.post(
        "/api/v1/refresh-orders/1/complete",
        json={"completed_on": "2026-11-15", "replacement_serial": serial},
        headers=site["logistics"],
    )
    assert assert_error(replaced, 422, "replacement_serial")["errors"]["replacement_serial"] == [
        SERIAL_MESSAGE
    ]


def test_the_document_states_the_rule(client):
    document = client.get("/api/v1/openapi.json").get_json()
    serial = document["components"]["schemas"]["DeviceCreate"]["properties"]["serial"]
    assert (serial["pattern"], serial["maxLength"]) == ("^[A-Za-z0-9][A-Za-z0-9._:\\-]{0,63}$", 64)
