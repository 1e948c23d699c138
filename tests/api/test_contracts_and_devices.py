"""Contracts, devices and deployments through the API: the journeys logistics and customers make."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from daas.extensions import db
from tests import factories
from tests.helpers import assert_error, bearer


@pytest.fixture
def fleet(database, today):
    """A customer on a 36-month plan from 2026-01-01, and a laptop in stock since 2025-12-01."""
    model = factories.device_model(sku="DELL-LAT-5430")
    customer = factories.customer()
    plan = factories.plan(code="laptop-std-36")
    contract = factories.contract(customer.id, plan.code, date(2026, 1, 1))
    device = factories.device(model.sku, serial="SN-0001")
    return {"model": model, "customer": customer, "plan": plan, "contract": contract, "device": device}


def test_a_contract_ends_after_its_term_by_default(client, tokens, fleet):
    body = {"customer_id": fleet["customer"].id, "plan_code": "laptop-std-36", "start_date": "2026-01-31"}
    created = client.post("/api/v1/contracts", json=body, headers=bearer(tokens["admin"]))
    assert created.status_code == 201, created.get_json()
    contract = created.get_json()
    assert (contract["end_date"], contract["status"], contract["currency"]) == ("2029-01-31", "active", "EUR")


def test_contract_input_is_checked(client, tokens, fleet):
    unknown = {"customer_id": 999999, "plan_code": "nope", "start_date": "2026-01-01"}
    assert_error(
        client.post("/api/v1/contracts", json=unknown, headers=bearer(tokens["admin"])), 422, "customer_id"
    )
    unknown_plan = {**unknown, "customer_id": fleet["customer"].id}
    assert_error(
        client.post("/api/v1/contracts", json=unknown_plan, headers=bearer(tokens["admin"])), 422, "plan_code"
    )
    backwards = {**unknown_plan, "plan_code": "laptop-std-36", "end_date": "2025-01-01"}
    assert_error(
        client.post("/api/v1/contracts", json=backwards, headers=bearer(tokens["admin"])), 422, "end_date"
    )
    malformed = {**unknown_plan, "plan_code": "laptop-std-36", "start_date": "2026-02-30"}
    assert_error(
        client.post("/api/v1/contracts", json=malformed, headers=bearer(tokens["admin"])), 422, "start_date"
    )
    usd_customer = factories.customer(currency="USD", country="US")
    mismatch = {"customer_id": usd_customer.id, "plan_code": "laptop-std-36", "start_date": "2026-01-01"}
    assert_error(
        client.post("/api/v1/contracts", json=mismatch, headers=bearer(tokens["admin"])), 422, "plan_code"
    )


def test_deploy_and_hand_back_write_the_chain_of_custody(client, tokens, fleet):
    contract_id = fleet["contract"].id
    deployed = client.post(
        f"/api/v1/contracts/{contract_id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    assert deployed.status_code == 201, deployed.get_json()
    assert deployed.get_json()["end_date"] is None
    device = client.get("/api/v1/devices/SN-0001", headers=bearer(tokens["logistics"])).get_json()
    assert (device["status"], device["lives"], device["contract_id"]) == ("deployed", 1, contract_id)

    ended = client.post(
        f"/api/v1/contracts/{contract_id}/devices/SN-0001/end",
        json={"end_date": "2026-10-05"},
        headers=bearer(tokens["logistics"]),
    )
    assert ended.status_code == 200, ended.get_json()
    assert ended.get_json()["end_date"] == "2026-10-05"
    device = client.get("/api/v1/devices/SN-0001", headers=bearer(tokens["logistics"])).get_json()
    assert (device["status"], device["lives"], device["contract_id"]) == ("received", 1, None)
    assert "wipe" in device["allowed_actions"]
    chain = [(e["action"], e["from_status"], e["to_status"], e["occurred_on"]) for e in device["events"]]
    assert chain == [
        ("register", None, "in_stock", "2025-12-01"),
        ("deploy", "in_stock", "deployed", "2026-02-03"),
        ("hand_back", "deployed", "received", "2026-10-05"),
    ]
    assert all(e["actor"] for e in device["events"])


def test_a_device_deployed_elsewhere_is_a_409_naming_its_state(client, tokens, fleet):
    other = factories.contract(plan_code="laptop-std-36", start_date=date(2026, 1, 1))
    first = client.post(
        f"/api/v1/contracts/{fleet['contract'].id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    assert first.status_code == 201
    second = client.post(
        f"/api/v1/contracts/{other.id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-03-01"},
        headers=bearer(tokens["logistics"]),
    )
    body = assert_error(second, 409, "status")
    assert "deployed" in body["message"]


def test_deployment_dates_are_checked(client, tokens, fleet):
    url = f"/api/v1/contracts/{fleet['contract'].id}/devices"
    before_contract = {"serial": "SN-0001", "start_date": "2025-12-15"}
    assert_error(
        client.post(url, json=before_contract, headers=bearer(tokens["logistics"])), 422, "start_date"
    )
    after_end = {"serial": "SN-0001", "start_date": "2029-01-01"}
    assert_error(client.post(url, json=after_end, headers=bearer(tokens["logistics"])), 422, "start_date")
    unknown = {"serial": "SN-9999", "start_date": "2026-02-01"}
    assert_error(client.post(url, json=unknown, headers=bearer(tokens["logistics"])), 422, "serial")
    assert (
        client.get("/api/v1/devices/SN-0001", headers=bearer(tokens["logistics"])).get_json()["status"]
        == "in_stock"
    )


def test_a_deployment_cannot_start_before_the_devices_last_event(client, tokens, fleet, database):
    late = factories.device(fleet["model"].sku, serial="SN-LATE", on=date(2026, 6, 1))
    url = f"/api/v1/contracts/{fleet['contract'].id}/devices"
    body = {"serial": late.serial, "start_date": "2026-05-01"}
    assert_error(client.post(url, json=body, headers=bearer(tokens["logistics"])), 422, "start_date")


def test_hand_back_dates_are_checked(client, tokens, fleet):
    contract_id = fleet["contract"].id
    client.post(
        f"/api/v1/contracts/{contract_id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    url = f"/api/v1/contracts/{contract_id}/devices/SN-0001/end"
    assert_error(
        client.post(url, json={"end_date": "2026-02-01"}, headers=bearer(tokens["logistics"])),
        422,
        "end_date",
    )
    assert_error(
        client.post(url, json={"end_date": "2026-12-01"}, headers=bearer(tokens["logistics"])),
        422,
        "end_date",
    )
    missing = f"/api/v1/contracts/{contract_id}/devices/SN-NONE/end"
    assert_error(
        client.post(missing, json={"end_date": "2026-10-01"}, headers=bearer(tokens["logistics"])), 404
    )


def test_returned_the_day_it_was_deployed_then_deployed_again(client, tokens, fleet, database):
    """A zero-day deployment holds no day; the device can go to another contract the same day."""
    other = factories.contract(plan_code="laptop-std-36", start_date=date(2026, 1, 1))
    first_url = f"/api/v1/contracts/{fleet['contract'].id}/devices"
    assert (
        client.post(
            first_url,
            json={"serial": "SN-0001", "start_date": "2026-03-02"},
            headers=bearer(tokens["logistics"]),
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{first_url}/SN-0001/end", json={"end_date": "2026-03-02"}, headers=bearer(tokens["logistics"])
        ).status_code
        == 200
    )
    # Back in stock takes the logistics issue's wipe and grade; here the database alone must accept the
    # next deployment on the same day, which the service test of the constraint covers.
    deployments = client.get(first_url, headers=bearer(tokens["logistics"])).get_json()
    assert [(d["start_date"], d["end_date"]) for d in deployments] == [("2026-03-02", "2026-03-02")]
    assert other.id != fleet["contract"].id


def test_a_plan_with_model_charges_only_takes_those_models(client, tokens, fleet, database):
    monitor = factories.device_model(sku="DELL-P2423D", category="monitor")
    factories.device(monitor.sku, serial="MON-1")
    plan = factories.plan(
        code="laptops-only",
        charges=[{"kind": "device_monthly", "device_model_sku": "DELL-LAT-5430", "unit_amount": "39.00"}],
    )
    contract = factories.contract(fleet["customer"].id, plan.code, date(2026, 1, 1))
    url = f"/api/v1/contracts/{contract.id}/devices"
    body = assert_error(
        client.post(
            url, json={"serial": "MON-1", "start_date": "2026-02-01"}, headers=bearer(tokens["logistics"])
        ),
        422,
        "serial",
    )
    assert "DELL-P2423D" in body["message"]
    assert (
        client.post(
            url, json={"serial": "SN-0001", "start_date": "2026-02-01"}, headers=bearer(tokens["logistics"])
        ).status_code
        == 201
    )


def test_terminating_with_a_device_deployed_needs_a_pickup_address(client, tokens, fleet):
    contract_id = fleet["contract"].id
    client.post(
        f"/api/v1/contracts/{contract_id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    url = f"/api/v1/contracts/{contract_id}/terminate?confirm=true"
    refused = assert_error(
        client.post(url, json={"end_date": "2026-11-01"}, headers=bearer(tokens["admin"])),
        409,
        "pickup_address",
    )
    assert "SN-0001" in refused["message"]
    client.post(
        f"/api/v1/contracts/{contract_id}/devices/SN-0001/end",
        json={"end_date": "2026-10-05"},
        headers=bearer(tokens["logistics"]),
    )
    terminated = client.post(url, json={"end_date": "2026-11-01"}, headers=bearer(tokens["admin"]))
    assert terminated.status_code == 200, terminated.get_json()
    assert (terminated.get_json()["status"], terminated.get_json()["end_date"]) == (
        "terminated",
        "2026-11-01",
    )


def test_devices_register_with_their_condition(client, tokens, fleet):
    body = {"serial": "SN-NEW", "sku": "DELL-LAT-5430", "manufactured_on": "2025-06-01", "battery_health": 97}
    created = client.post("/api/v1/devices", json=body, headers=bearer(tokens["logistics"]))
    assert created.status_code == 201, created.get_json()
    device = created.get_json()
    assert (device["status"], device["lives"], device["battery_health"], device["sku"]) == (
        "in_stock",
        0,
        97,
        "DELL-LAT-5430",
    )
    assert_error(
        client.post("/api/v1/devices", json=body, headers=bearer(tokens["logistics"])), 409, "serial"
    )
    unknown_sku = {**body, "serial": "SN-NEW-2", "sku": "NOPE"}
    assert_error(
        client.post("/api/v1/devices", json=unknown_sku, headers=bearer(tokens["logistics"])), 422, "sku"
    )
    bad_battery = {**body, "serial": "SN-NEW-3", "battery_health": 101}
    assert_error(
        client.post("/api/v1/devices", json=bad_battery, headers=bearer(tokens["logistics"])),
        422,
        "battery_health",
    )
    patched = client.patch(
        "/api/v1/devices/SN-NEW", json={"battery_health": 81}, headers=bearer(tokens["logistics"])
    )
    assert patched.get_json()["battery_health"] == 81


def test_a_customer_sees_its_devices_and_only_its_part_of_their_history(client, tokens, fleet, database):
    mine = fleet["contract"]
    client.post(
        f"/api/v1/contracts/{mine.id}/devices",
        json={"serial": "SN-0001", "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    other_customer = factories.customer()
    other_device = factories.device(fleet["model"].sku, serial="SN-OTHER")
    theirs = factories.contract(other_customer.id, "laptop-std-36", date(2026, 1, 1))
    client.post(
        f"/api/v1/contracts/{theirs.id}/devices",
        json={"serial": other_device.serial, "start_date": "2026-02-03"},
        headers=bearer(tokens["logistics"]),
    )
    token = factories.token("customer", fleet["customer"].id)

    assert [d["serial"] for d in client.get("/api/v1/devices", headers=bearer(token)).get_json()] == [
        "SN-0001"
    ]
    device = client.get("/api/v1/devices/SN-0001", headers=bearer(token)).get_json()
    assert [e["action"] for e in device["events"]] == ["deploy"]  # not the provider's stock intake
    assert_error(client.get("/api/v1/devices/SN-OTHER", headers=bearer(token)), 404)
    assert_error(client.get(f"/api/v1/contracts/{theirs.id}", headers=bearer(token)), 404)
    assert_error(client.get(f"/api/v1/contracts/{theirs.id}/devices", headers=bearer(token)), 404)
    assert [c["id"] for c in client.get("/api/v1/contracts", headers=bearer(token)).get_json()] == [mine.id]
    assert_error(
        client.post(
            f"/api/v1/contracts/{mine.id}/devices",
            json={"serial": "SN-OTHER", "start_date": "2026-02-03"},
            headers=bearer(token),
        ),
        403,
    )


def test_a_contracts_own_minimum_overrides_its_plans(client, tokens, fleet, database):
    plan = factories.plan(code="with-minimum", minimum_monthly_amount=Decimal("500.00"))
    body = {"customer_id": fleet["customer"].id, "plan_code": plan.code, "start_date": "2026-01-01"}
    inherited = client.post("/api/v1/contracts", json=body, headers=bearer(tokens["admin"])).get_json()
    assert (inherited["minimum_monthly_amount"], inherited["effective_minimum_monthly_amount"]) == (
        None,
        "500.00",
    )
    own = client.post(
        "/api/v1/contracts", json={**body, "minimum_monthly_amount": "350.5"}, headers=bearer(tokens["admin"])
    ).get_json()
    assert (own["minimum_monthly_amount"], own["effective_minimum_monthly_amount"]) == ("350.50", "350.50")


def test_a_terminated_contract_takes_no_devices_and_cannot_be_terminated_twice(client, tokens, fleet):
    contract_id = fleet["contract"].id
    url = f"/api/v1/contracts/{contract_id}/terminate?confirm=true"
    assert (
        client.post(url, json={"end_date": "2026-06-01"}, headers=bearer(tokens["admin"])).status_code == 200
    )
    assert_error(client.post(url, json={"end_date": "2026-05-01"}, headers=bearer(tokens["admin"])), 409)
    late = {"serial": "SN-0001", "start_date": "2026-07-01"}
    assert_error(
        client.post(
            f"/api/v1/contracts/{contract_id}/devices", json=late, headers=bearer(tokens["logistics"])
        ),
        422,
        "start_date",
    )


def test_a_customers_currency_is_fixed_once_it_has_contracts(client, tokens, fleet):
    customer_id = fleet["customer"].id
    response = client.patch(
        f"/api/v1/customers/{customer_id}", json={"currency": "USD"}, headers=bearer(tokens["finance"])
    )
    assert_error(response, 422, "currency")


def test_contracts_filter_by_customer_in_the_query_string(client, tokens, fleet):
    response = client.get(
        f"/api/v1/contracts?customer_id={fleet['customer'].id}", headers=bearer(tokens["finance"])
    )
    assert response.status_code == 200, response.get_json()
    assert [c["id"] for c in response.get_json()] == [fleet["contract"].id]
    assert_error(
        client.get("/api/v1/contracts?customer_id=x", headers=bearer(tokens["finance"])), 422, "customer_id"
    )


# -- what documents quote of a contract: its reference (BT-12) and purchase order (BT-13) ----------------


def test_a_contract_is_named_c_and_its_id_unless_given_a_reference(client, tokens, fleet):
    assert fleet["contract"].reference == f"C-{fleet['contract'].id:06d}"
    body = {"customer_id": fleet["customer"].id, "plan_code": "laptop-std-36", "start_date": "2026-02-01"}
    created = client.post("/api/v1/contracts", json=body, headers=bearer(tokens["admin"])).get_json()
    assert (created["reference"], created["purchase_order"]) == (f"C-{created['id']:06d}", None)
    own = client.post(
        "/api/v1/contracts",
        json={**body, "reference": "ACME-2026/LAPTOPS", "purchase_order": " PO-2026-118 "},
        headers=bearer(tokens["admin"]),
    )
    assert own.status_code == 201, own.get_json()
    shown = client.get(
        f"/api/v1/contracts/{own.get_json()['id']}", headers=bearer(tokens["finance"])
    ).get_json()
    assert (shown["reference"], shown["purchase_order"]) == ("ACME-2026/LAPTOPS", "PO-2026-118")


def test_a_reference_is_unique_and_never_looks_like_a_default(client, tokens, fleet):
    body = {"customer_id": fleet["customer"].id, "plan_code": "laptop-std-36", "start_date": "2026-02-01"}
    taken = {**body, "reference": fleet["contract"].reference}
    assert_error(
        client.post("/api/v1/contracts", json=taken, headers=bearer(tokens["admin"])), 422, "reference"
    )
    for lookalike in ("C-999999", "c-12"):
        refused = client.post(
            "/api/v1/contracts", json={**body, "reference": lookalike}, headers=bearer(tokens["admin"])
        )
        assert_error(refused, 422, "reference")
    assert_error(
        client.post(
            "/api/v1/contracts", json={**body, "reference": "has space"}, headers=bearer(tokens["admin"])
        ),
        422,
        "reference",
    )
    first = client.post(
        "/api/v1/contracts", json={**body, "reference": "ACME-1"}, headers=bearer(tokens["admin"])
    )
    assert first.status_code == 201
    again = client.post(
        "/api/v1/contracts", json={**body, "reference": "ACME-1"}, headers=bearer(tokens["admin"])
    )
    assert assert_error(again, 409, "reference")["errors"]["reference"] == ["Already in use."]
    other = factories.contract(fleet["customer"].id, "laptop-std-36", date(2026, 3, 1))
    renamed = client.patch(
        f"/api/v1/contracts/{other.id}", json={"reference": "ACME-1"}, headers=bearer(tokens["finance"])
    )
    assert_error(renamed, 409, "reference")


def test_finance_changes_the_reference_and_purchase_order_its_invoices_quote(client, tokens, fleet):
    url = f"/api/v1/contracts/{fleet['contract'].id}"
    changed = client.patch(
        url,
        json={"reference": "BAUKONTOR-IT", "purchase_order": "4500012345"},
        headers=bearer(tokens["finance"]),
    )
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["reference"], changed.get_json()["purchase_order"]) == (
        "BAUKONTOR-IT",
        "4500012345",
    )
    # Back to its own default, and the purchase order removed; only what is sent changes.
    default = f"C-{fleet['contract'].id:06d}"
    back = client.patch(
        url, json={"reference": default, "purchase_order": None}, headers=bearer(tokens["finance"])
    )
    assert (back.get_json()["reference"], back.get_json()["purchase_order"]) == (default, None)
    assert (
        client.patch(url, json={"purchase_order": "PO-7"}, headers=bearer(tokens["finance"])).get_json()[
            "reference"
        ]
        == default
    )
    assert_error(
        client.patch(url, json={"reference": None}, headers=bearer(tokens["finance"])), 422, "reference"
    )
    assert_error(
        client.patch(url, json={"plan_code": "x"}, headers=bearer(tokens["finance"])), 422, "plan_code"
    )
    assert_error(
        client.patch(
            "/api/v1/contracts/999999", json={"purchase_order": "PO-7"}, headers=bearer(tokens["finance"])
        ),
        404,
    )
    customer_token = factories.token("customer", fleet["customer"].id)
    assert_error(client.patch(url, json={"purchase_order": "PO-8"}, headers=bearer(customer_token)), 403)


def test_the_database_keeps_references_unique(fleet):
    other = factories.contract(fleet["customer"].id, "laptop-std-36", date(2026, 3, 1))
    other.reference = fleet["contract"].reference
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()
