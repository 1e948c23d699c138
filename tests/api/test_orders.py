"""The orders API: placing (defaults, per-field refusals, an Idempotency-Key), reading with filters, who
approves, cancelling, allocation with the serials it shows, and the contract's catalog."""

from __future__ import annotations

from datetime import date

import pytest

from daas.auth.services import create_token
from daas.extensions import db
from tests import factories
from tests.helpers import assert_error, bearer
from tests.order_helpers import order_world, person, stock


@pytest.fixture
def world(database, today):
    made = order_world()
    customer_id = made["customer"].id
    approver = factories.user("customer", customer_id)
    approver.can_approve = True
    made["ada"] = person(customer_id, allowance="50.00")
    made["headers"] = {
        "customer": bearer(factories.token("customer", customer_id)),
        "approver": bearer(create_token(approver.id, "tests")[1]),
        "other": bearer(factories.token("customer", factories.customer().id)),
        **{role: bearer(factories.token(role)) for role in ("admin", "finance", "logistics")},
    }
    db.session.commit()
    return made


def _body(world, quantity=1, **extra):
    return {
        "contract_id": world["contract"].id,
        "lines": [{"sku": world["model"].sku, "quantity": quantity, "person_id": world["ada"].id}],
        "requested_date": "2026-11-20",
        **extra,
    }


def _post(client, world, body, who="customer", **headers):
    return client.post("/api/v1/orders", json=body, headers={**world["headers"][who], **headers})


def test_a_customer_orders_for_a_person_and_reads_it_back(client, world):
    response = _post(client, world, _body(world))
    assert response.status_code == 201, response.get_json()
    order = response.get_json()
    assert order["status"] == "approved"
    assert order["lines"] == [
        {"sku": world["model"].sku, "quantity": 1, "person_id": world["ada"].id, "serials": []}
    ]
    assert order["address"] == {
        "line1": "Keizersgracht 10",
        "line2": None,
        "postcode": "1015 CX",
        "city": "Amsterdam",
        "country": "NL",
    }
    assert (order["region"], order["requested_date"], order["accept_refurbished"], order["lowest_grade"]) == (
        "NL-AMS-WEST",
        "2026-11-20",
        True,
        "B",
    )
    assert order["refresh_order_id"] is None and order["approved_by"] is None
    shown = client.get(f"/api/v1/orders/{order['id']}", headers=world["headers"]["finance"])
    assert shown.status_code == 200 and shown.get_json() == order
    assert client.get(f"/api/v1/orders/{order['id']}", headers=world["headers"]["other"]).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": [{"sku": "NO-SUCH", "quantity": 1}]}, "lines.0.sku"),
        ({"lines": [{"sku": "X", "quantity": 1}, {"sku": "NO-SUCH", "quantity": 1}]}, "lines.0.sku"),
        ({"requested_date": "2026-11-01"}, "requested_date"),
        ({"lowest_grade": "E"}, "lowest_grade"),
        ({"accept_refurbished": 1}, "accept_refurbished"),
        ({"lines": []}, "lines"),
        (
            {"address": {"line1": "Dock 4", "postcode": "1000 AA", "city": "Amsterdam", "country": "XX"}},
            "address",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(client, world, change, field):
    assert_error(_post(client, world, {**_body(world), **change}), 422, field)


def test_a_line_for_another_customers_person_is_refused_on_its_person_id(client, world):
    stranger = person(factories.customer(pickup_region="BE-BRU").id)
    body = _body(world)
    body["lines"][0]["person_id"] = stranger.id
    assert_error(_post(client, world, body), 422, "lines.0.person_id")


def test_lines_without_a_person_need_an_address(client, world):
    body = _body(world)
    del body["lines"][0]["person_id"]
    assert_error(_post(client, world, body), 422, "address")
    address = {"line1": "Dock 4", "postcode": "1000 AA", "city": "Amsterdam", "country": "NL"}
    placed = _post(client, world, {**body, "address": address})
    assert placed.status_code == 201 and placed.get_json()["region"] == "NL-AMS"


def test_another_customers_contract_is_not_found(client, world):
    assert _post(client, world, _body(world), who="other").status_code == 404


def test_an_idempotency_key_places_one_order(client, world):
    first = _post(client, world, _body(world), **{"Idempotency-Key": "order-1"})
    again = _post(client, world, _body(world), **{"Idempotency-Key": "order-1"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json()["id"] == first.get_json()["id"]
    listed = client.get("/api/v1/orders", headers=world["headers"]["customer"])
    assert [order["id"] for order in listed.get_json()] == [first.get_json()["id"]]


def test_over_the_allowance_only_an_approver_approves_and_once(client, world):
    order = _post(client, world, _body(world, quantity=2)).get_json()  # 78.00 > 50.00
    assert order["status"] == "requested"
    url = f"/api/v1/orders/{order['id']}/approve"
    assert_error(client.post(url, headers=world["headers"]["customer"]), 403)
    assert_error(client.post(url, headers=world["headers"]["finance"]), 403)
    assert_error(client.post(url, headers=world["headers"]["other"]), 404)
    approved = client.post(url, headers=world["headers"]["approver"])
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["approved_by"].endswith("@example.com")
    assert_error(client.post(url, headers=world["headers"]["logistics"]), 409, "status")


def test_the_list_filters_and_pages(client, world):
    free = _body(world)
    free["lines"][0]["person_id"] = person(world["customer"].id).id  # no allowance: never waits
    ids = [_post(client, world, free).get_json()["id"] for _ in range(3)]
    waiting = _post(client, world, _body(world, quantity=2)).get_json()["id"]
    staff = world["headers"]["logistics"]
    approved = client.get("/api/v1/orders?status=approved&page_size=2", headers=staff)
    assert [order["id"] for order in approved.get_json()] == ids[::-1][:2]
    assert '"total": 3' in approved.headers["X-Pagination"]
    requested = client.get(
        f"/api/v1/orders?status=requested&contract_id={world['contract'].id}", headers=staff
    )
    assert [order["id"] for order in requested.get_json()] == [waiting]
    other = client.get(
        f"/api/v1/orders?customer_id={world['customer'].id}", headers=world["headers"]["other"]
    )
    assert other.get_json() == []
    assert_error(client.get("/api/v1/orders?status=lost", headers=staff), 422, "status")


def test_allocation_shows_the_serials_and_cancelling_puts_them_back(client, world):
    sku = world["model"].sku
    refurbished = stock(sku, date(2026, 9, 1), lives=1, grade="B")
    new = stock(sku, date(2026, 8, 1))
    order = _post(client, world, _body(world)).get_json()
    url = f"/api/v1/orders/{order['id']}"
    assert client.post(f"{url}/allocate", headers=world["headers"]["customer"]).status_code == 403
    allocated = client.post(f"{url}/allocate", headers=world["headers"]["logistics"]).get_json()
    assert allocated["status"] == "allocated" and allocated["lines"][0]["serials"] == [refurbished.serial]
    assert_error(client.post(f"{url}/allocate", headers=world["headers"]["logistics"]), 409, "status")
    device = client.get(f"/api/v1/devices/{refurbished.serial}", headers=world["headers"]["logistics"])
    assert device.get_json()["status"] == "allocated"
    cancelled = client.post(f"{url}/cancel", headers=world["headers"]["customer"]).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["lines"][0]["serials"] == []
    device = client.get(f"/api/v1/devices/{refurbished.serial}", headers=world["headers"]["logistics"])
    assert device.get_json()["status"] == "in_stock"
    assert_error(client.post(f"{url}/cancel", headers=world["headers"]["customer"]), 409, "status")
    refused = _post(client, world, _body(world, accept_refurbished=False)).get_json()
    served = client.post(f"/api/v1/orders/{refused['id']}/allocate", headers=world["headers"]["admin"])
    assert served.get_json()["lines"][0]["serials"] == [new.serial]


def test_the_catalog_shows_what_the_plan_bills_with_stock(client, world):
    sku = world["model"].sku
    stock(sku, date(2026, 9, 1), lives=1, grade="A")
    stock(sku, date(2026, 9, 1), lives=1, grade="C")  # below the form's grade B
    stock(sku, date(2026, 9, 1))
    factories.device_model()  # not on the plan
    db.session.commit()
    response = client.get(
        f"/api/v1/contracts/{world['contract'].id}/catalog", headers=world["headers"]["customer"]
    )
    assert response.status_code == 200
    assert response.get_json() == [
        {
            "sku": sku,
            "name": "Latitude 5430",
            "category": "laptop",
            "monthly_price": "39.00",
            "currency": "EUR",
            "embodied_co2e_kg": "252.840",
            "refurbished_in_stock": 1,
            "new_in_stock": 1,
        }
    ]
    other = client.get(f"/api/v1/contracts/{world['contract'].id}/catalog", headers=world["headers"]["other"])
    assert other.status_code == 404
