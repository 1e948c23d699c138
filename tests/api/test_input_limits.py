"""Input that used to be a 500 is a 4xx naming what is wrong: NaN and Infinity (which Python's json
reads, JSON does not), bodies nested thousands of levels deep, fractions in free usage properties, and
dates so late that the domain's own shifts (a booking window, a term) run off the calendar."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from daas.contracts.models import Contract
from daas.contracts.services import deploy_device
from daas.core.errors import Invalid
from daas.extensions import db
from daas.logistics.models import RefreshOrder, ReturnOrder
from daas.logistics.refresh import plan_refresh_orders, reschedule_refresh
from daas.logistics.returns import create_return_order
from daas.logistics.rules import UpgradePolicy
from daas.usage.models import UsageEvent
from tests import factories
from tests.helpers import assert_error, bearer

REGION = "NL-NH"
ADDRESS = "Keizersgracht 1, 1015 CC Amsterdam"


@pytest.fixture
def site(database, today):
    """A customer with one laptop deployed on a 24-month refresh cycle (a refresh is due), a metric of
    distinct users, and the customer's and an admin's tokens."""
    factories.metric(code="active_users", aggregation="unique_count", field="user")
    plan = factories.plan(refresh_cycle_months=24, term_months=48)
    customer = factories.customer(pickup_region=REGION, pickup_address=ADDRESS)
    contract = factories.contract(customer.id, plan.code, date(2025, 1, 1))
    device = factories.device(manufactured_on=date(2024, 10, 1), battery_health=90, on=date(2024, 12, 1))
    deploy_device(contract.id, device.serial, date(2025, 1, 15), "tests")
    plan_refresh_orders(date(2026, 11, 20), 60, UpgradePolicy())
    return {
        "contract": contract,
        "customer": customer,
        "plan": plan,
        "serial": device.serial,
        "refresh_order": db.session.scalar(select(RefreshOrder)),
        "token": bearer(factories.token("customer", customer.id)),
        "admin": bearer(factories.token("admin")),
    }


def usage_body(contract, properties: str) -> str:
    """A usage batch of one event whose properties are this raw JSON text (which may hold NaN)."""
    event = {
        "transaction_id": "tx-1",
        "contract_id": contract.id,
        "metric": "active_users",
        "timestamp": "2026-11-02T09:00:00Z",
        "properties": "PROPERTIES",
    }
    return json.dumps({"events": [event]}).replace('"PROPERTIES"', properties)


def post_usage(client, site, raw: str):
    return client.post(
        "/api/v1/usage-events", data=raw, content_type="application/json", headers=site["token"]
    )


def stored_events() -> int:
    return db.session.scalar(select(func.count()).select_from(UsageEvent))


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_usage_properties_are_refused_naming_the_field(client, site, constant):
    response = post_usage(
        client, site, usage_body(site["contract"], '{"user": "alice", "load": ' + constant + "}")
    )
    body = assert_error(response, 422, "events.0.properties.load")
    assert "NaN and Infinity" in body["errors"]["events.0.properties.load"][0]
    nested = post_usage(
        client, site, usage_body(site["contract"], '{"user": "alice", "cpu": {"avg": [1, ' + constant + "]}}")
    )
    assert_error(nested, 422, "events.0.properties.cpu.avg.1")
    assert stored_events() == 0


def test_fractions_in_usage_properties_are_stored_as_their_exact_decimal_text(client, site):
    raw = usage_body(site["contract"], '{"user": "alice", "load": 0.75, "cpu": {"avg": [1, 2.50]}}')
    response = post_usage(client, site, raw)
    assert response.status_code == 202, response.get_json()
    stored = db.session.scalar(select(UsageEvent.properties))
    assert stored == {"user": "alice", "load": "0.75", "cpu": {"avg": [1, "2.50"]}}


@pytest.mark.parametrize("levels", [65, 1_000, 2_000, 100_000])
def test_a_body_nested_too_deeply_is_a_400_saying_so(client, site, levels):
    deep = "[" * levels + "]" * levels
    response = client.post(
        "/api/v1/customers", data=deep, content_type="application/json", headers=site["admin"]
    )
    body = assert_error(response, 400, "body")
    assert "nested too deeply: at most 64 levels" in body["message"]
    in_properties = post_usage(
        client,
        site,
        usage_body(site["contract"], '{"user": "a", "x": ' + '{"y": ' * levels + "1" + "}" * levels + "}"),
    )
    assert_error(in_properties, 400, "body")
    assert stored_events() == 0
    within = json.dumps({"user": "alice", "x": json.loads("[" * 60 + "]" * 60)})  # 64 levels with the body
    assert post_usage(client, site, usage_body(site["contract"], within)).status_code == 202


def test_a_return_order_requested_for_the_last_day_of_9999_is_a_422(client, site):
    body = {
        "contract_id": site["contract"].id,
        "serials": [site["serial"]],
        "reason": "early_return",
        "requested_date": "9999-12-31",
        "region": REGION,
        "address": ADDRESS,
    }
    assert_error(
        client.post("/api/v1/return-orders", json=body, headers=site["token"]), 422, "requested_date"
    )
    last = client.post(
        "/api/v1/return-orders", json={**body, "requested_date": "2999-12-31"}, headers=site["token"]
    )
    assert last.status_code == 201 and last.get_json()["status"] == "requested"
    with pytest.raises(Invalid) as refused:  # pages and jobs call the service with dates of their own
        create_return_order(
            site["contract"].id, [site["serial"]], "defect", date(9999, 12, 31), REGION, ADDRESS, "tests", 14
        )
    assert "requested_date" in refused.value.errors
    assert db.session.scalar(select(func.count()).select_from(ReturnOrder)) == 1


def test_a_contract_starting_in_9999_is_a_422(client, site):
    body = {"customer_id": site["customer"].id, "plan_code": site["plan"].code, "start_date": "9999-12-01"}
    assert_error(client.post("/api/v1/contracts", json=body, headers=site["admin"]), 422, "start_date")
    end = {**body, "start_date": "2026-12-01", "end_date": "9999-12-31"}
    assert_error(client.post("/api/v1/contracts", json=end, headers=site["admin"]), 422, "end_date")
    assert db.session.scalar(select(func.count()).select_from(Contract)) == 1


def test_a_refresh_cannot_be_moved_past_the_calendar_the_return_is_booked_on(client, site):
    order = site["refresh_order"]
    url = f"/api/v1/refresh-orders/{order.id}"
    far = client.post(f"{url}/reschedule", json={"due_date": "9999-12-31"}, headers=site["token"])
    assert_error(far, 422, "due_date")
    with pytest.raises(Invalid) as refused:  # the portal's page calls the service with its own date
        reschedule_refresh(order.id, date(9999, 12, 31), site["customer"].id)
    assert "due_date" in refused.value.errors
    approved = client.post(f"{url}/approve", json={"action": "upgrade"}, headers=site["token"])
    assert approved.status_code == 200, approved.get_json()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/pickup-slots?from=9999-12-31", "from"),
        ("/api/v1/dispositions.csv?to=9999-12-31", "to"),
    ],
)
def test_dates_in_query_strings_keep_to_the_same_calendar(client, site, url, field):
    headers = site["admin"]
    assert_error(client.get(url.format(contract=site["contract"].id), headers=headers), 422, field)


@pytest.mark.parametrize("quantity", ["1e3", "+1", " 1", "01", "1.", ".5", "0x10", "1_000"])
def test_a_quantity_string_is_a_plain_decimal_as_the_document_says(client, site, quantity):
    event = {**json.loads(usage_body(site["contract"], '{"user": "a"}'))["events"][0], "quantity": quantity}
    response = post_usage(client, site, json.dumps({"events": [event]}))
    body = assert_error(response, 422, "events")
    assert "written plainly" in body["errors"]["events"]["0"]["quantity"][0]
    assert stored_events() == 0
    event["quantity"] = "1.5"
    assert post_usage(client, site, json.dumps({"events": [event]})).status_code == 202
