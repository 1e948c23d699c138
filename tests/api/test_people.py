"""People through the API (orders.md "People", "Users who approve", "Replacements, exchanges and leaving"):
CRUD and scoping, the CSV import (all rows or none), a person on deployments and reassignment, offboarding
by return (leaving until the last pickup, then left) and by reassignment, the devices-per-person export,
and approvers on users."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from daas.auth.services import create_token
from daas.contracts.models import Deployment
from daas.contracts.services import deploy_device
from daas.devices.models import CustodyEvent, Device
from daas.extensions import db
from daas.logistics.models import ReturnOrder
from daas.logistics.slots import create_slot
from daas.people.models import Person
from daas.people.services import create_person
from tests import factories
from tests.helpers import assert_error, bearer

HEADER = "name,email,cost_centre,line1,line2,postcode,city,country,region,monthly_allowance\n"


def person_body(**values):
    body = {
        "name": "Ada Lovelace",
        "email": "ada@acme.example",
        "cost_centre": "R&D",
        "address": {"line1": "Damrak 1", "postcode": "1012 LG", "city": "Amsterdam", "country": "NL"},
        "monthly_allowance": "60.00",
    }
    return {**body, **values}


def _person(customer_id, email, **values):
    return create_person(
        customer_id, {**person_body(email=email), "monthly_allowance": Decimal("60.00"), **values}
    )


@pytest.fixture
def world(database, today):
    model = factories.device_model()
    customer = factories.customer(pickup_region="NL-AMS", pickup_address="Keizersgracht 1, Amsterdam")
    other = factories.customer(pickup_region="DE-BER")
    plan = factories.plan(charges=[{"kind": "device_monthly", "unit_amount": Decimal("39.00")}])
    contracts = [factories.contract(customer.id, plan.code, date(2026, 1, 1)) for _ in range(2)]
    foreign_contract = factories.contract(other.id, plan.code, date(2026, 1, 1))
    return {
        "model": model,
        "customer": customer,
        "other": other,
        "contracts": contracts,
        "foreign_contract": foreign_contract,
        "customer_token": factories.token("customer", customer.id),
        "other_token": factories.token("customer", other.id),
    }


def _deploy(contract_id, model, person_id=None):
    device = factories.device(model.sku)
    deploy_device(contract_id, device.serial, date(2026, 2, 1), "tests", person_id=person_id)
    return device


# -- CRUD and scoping ---------------------------------------------------------------------------------------


def test_staff_create_a_person_for_a_customer_with_its_pickup_region(client, world, tokens):
    response = client.post(
        "/api/v1/people",
        json=person_body(customer_id=world["customer"].id, email=" Ada@Acme.example "),
        headers=bearer(tokens["finance"]),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["customer_id"] == world["customer"].id
    assert body["email"] == "Ada@Acme.example"
    assert body["region"] == "NL-AMS"
    assert body["status"] == "active"
    assert body["monthly_allowance"] == "60.00"
    assert body["address"] == {
        "line1": "Damrak 1",
        "line2": None,
        "postcode": "1012 LG",
        "city": "Amsterdam",
        "country": "NL",
    }
    person = db.session.get(Person, body["id"])
    assert (person.email_key, person.monthly_allowance) == ("ada@acme.example", Decimal("60.00"))


def test_staff_must_name_the_customer_and_a_customer_adds_its_own(client, world, tokens):
    refused = client.post("/api/v1/people", json=person_body(), headers=bearer(tokens["admin"]))
    assert_error(refused, 422, "customer_id")
    own = client.post("/api/v1/people", json=person_body(), headers=bearer(world["customer_token"]))
    assert own.status_code == 201
    assert own.get_json()["customer_id"] == world["customer"].id
    foreign = client.post(
        "/api/v1/people",
        json=person_body(customer_id=world["other"].id, email="x@acme.example"),
        headers=bearer(world["customer_token"]),
    )
    assert_error(foreign, 404)


def test_an_email_is_unique_per_customer_in_any_case(client, world):
    headers = bearer(world["customer_token"])
    assert client.post("/api/v1/people", json=person_body(), headers=headers).status_code == 201
    duplicate = client.post("/api/v1/people", json=person_body(email="ADA@acme.EXAMPLE"), headers=headers)
    assert_error(duplicate, 409, "email")
    # another customer may have the same address
    other = client.post("/api/v1/people", json=person_body(), headers=bearer(world["other_token"]))
    assert other.status_code == 201


def test_without_a_region_or_a_pickup_region_it_is_a_422_on_region(client, database, today, tokens):
    customer = factories.customer()
    response = client.post(
        "/api/v1/people", json=person_body(customer_id=customer.id), headers=bearer(tokens["admin"])
    )
    assert_error(response, 422, "region")
    given = client.post(
        "/api/v1/people",
        json=person_body(customer_id=customer.id, region="BE-BRU"),
        headers=bearer(tokens["admin"]),
    )
    assert given.get_json()["region"] == "BE-BRU"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"monthly_allowance": "-1.00"}, "monthly_allowance"),
        ({"monthly_allowance": "1.005"}, "monthly_allowance"),
        ({"monthly_allowance": 10}, "monthly_allowance"),
        ({"email": "not-an-address"}, "email"),
        ({"address": {"line1": "Damrak 1", "postcode": "1012", "city": "A", "country": "XX"}}, "address"),
        ({"address": {"line1": "Damrak 1", "city": "A", "country": "NL"}}, "address"),
        ({"status": "left"}, "status"),
    ],
)
def test_bad_details_are_a_422_naming_the_field(client, world, change, field):
    response = client.post(
        "/api/v1/people", json=person_body(**change), headers=bearer(world["customer_token"])
    )
    assert_error(response, 422, field)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_another_customers_person_is_not_found(client, world):
    theirs = _person(world["other"].id, "bob@other.example")
    headers = bearer(world["customer_token"])
    assert_error(client.get(f"/api/v1/people/{theirs.id}", headers=headers), 404)
    assert_error(client.patch(f"/api/v1/people/{theirs.id}", json={"name": "X"}, headers=headers), 404)
    offboard = client.post(f"/api/v1/people/{theirs.id}/offboard", json={"action": "return"}, headers=headers)
    assert_error(offboard, 404)
    listed = client.get("/api/v1/people", headers=headers)
    assert listed.get_json() == []
    assert theirs.name == "Ada Lovelace"


def test_people_are_listed_by_status_and_cost_centre(client, world, tokens):
    customer_id = world["customer"].id
    _person(customer_id, "a@acme.example", name="Ann", cost_centre="Sales")
    _person(customer_id, "b@acme.example", name="Ben", cost_centre="R&D")
    left = _person(customer_id, "c@acme.example", name="Cas", cost_centre="Sales")
    left.status = "left"
    _person(world["other"].id, "d@other.example", name="Dan", cost_centre="Sales")
    headers = bearer(world["customer_token"])
    names = [p["name"] for p in client.get("/api/v1/people", headers=headers).get_json()]
    assert names == ["Ann", "Ben", "Cas"]
    sales = client.get("/api/v1/people?cost_centre=Sales&status=active", headers=headers).get_json()
    assert [p["name"] for p in sales] == ["Ann"]
    everyone = client.get("/api/v1/people?page_size=2", headers=bearer(tokens["logistics"]))
    assert '"total": 4' in everyone.headers["X-Pagination"]
    one = client.get(f"/api/v1/people?customer_id={world['other'].id}", headers=bearer(tokens["logistics"]))
    assert [p["name"] for p in one.get_json()] == ["Dan"]


def test_a_patch_changes_what_it_sends(client, world):
    person = _person(world["customer"].id, "ada@acme.example", region="NL-UTR")
    headers = bearer(world["customer_token"])
    response = client.patch(
        f"/api/v1/people/{person.id}",
        json={
            "address": {"line2": "3rd floor", "city": "Haarlem"},
            "region": None,
            "monthly_allowance": None,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["address"]["line1"] == "Damrak 1"
    assert (body["address"]["line2"], body["address"]["city"]) == ("3rd floor", "Haarlem")
    assert body["region"] == "NL-AMS"
    assert body["monthly_allowance"] is None
    other = _person(world["customer"].id, "bob@acme.example")
    clash = client.patch(f"/api/v1/people/{other.id}", json={"email": "ADA@acme.example"}, headers=headers)
    assert_error(clash, 409, "email")
    assert_error(client.patch(f"/api/v1/people/{person.id}", json={}, headers=headers), 422, "body")


def test_a_person_shows_the_devices_serving_them(client, world):
    person = _person(world["customer"].id, "ada@acme.example")
    device = _deploy(world["contracts"][0].id, world["model"], person.id)
    _deploy(world["contracts"][0].id, world["model"])
    body = client.get(f"/api/v1/people/{person.id}", headers=bearer(world["customer_token"])).get_json()
    assert body["devices"] == [
        {
            "serial": device.serial,
            "sku": world["model"].sku,
            "model": world["model"].name,
            "status": "deployed",
            "contract_id": world["contracts"][0].id,
            "contract_reference": world["contracts"][0].reference,
            "since": "2026-02-01",
        }
    ]


# -- import -------------------------------------------------------------------------------------------------


def _import(client, token, text, **params):
    data = {"file": (io.BytesIO(text if isinstance(text, bytes) else text.encode()), "people.csv")}
    return client.post(
        "/api/v1/people/import",
        data=data,
        query_string=params,
        headers=bearer(token),
        content_type="multipart/form-data",
    )


def test_an_import_creates_then_updates_and_counts_the_unchanged(client, world, tokens):
    text = (
        "\ufeff"
        + HEADER
        + "Ann,ann@acme.example,Sales,Damrak 1,,1012 LG,Amsterdam,NL,,50.00\n"
        + "Ben,ben@acme.example,,Markt 2,Unit 4,3511 AA,Utrecht,nl,NL-UTR,\n"
    )
    first = _import(client, world["customer_token"], text)
    assert first.status_code == 200, first.get_json()
    assert first.get_json() == {"created": 2, "updated": 0, "unchanged": 0, "refused": []}
    ann, ben = db.session.scalars(select(Person).order_by(Person.name)).all()
    assert (ann.region, ann.monthly_allowance, ann.address_line2) == ("NL-AMS", Decimal("50.00"), None)
    assert (ben.region, ben.country, ben.address_line2, ben.monthly_allowance) == (
        "NL-UTR",
        "NL",
        "Unit 4",
        None,
    )
    again = HEADER + (
        "Ann,ANN@acme.example,Sales,Damrak 1,,1012 LG,Amsterdam,NL,,75.00\n"
        "Ben,ben@acme.example,,Markt 2,Unit 4,3511 AA,Utrecht,NL,NL-UTR,\n"
    )
    second = _import(client, tokens["admin"], again.encode(), customer_id=world["customer"].id)
    assert second.get_json() == {"created": 0, "updated": 1, "unchanged": 1, "refused": []}
    assert (ann.monthly_allowance, ann.email) == (Decimal("75.00"), "ANN@acme.example")


def test_an_import_with_a_refused_row_stores_nothing_and_reports_every_row(client, world):
    text = HEADER + (
        "Ann,ann@acme.example,Sales,Damrak 1,,1012 LG,Amsterdam,NL,,50.00\n"
        "Ben,not-an-address,,Markt 2,,3511 AA,Utrecht,NL,,\n"
        "Cas,cas@acme.example,,Markt 3,,3511 AA,Utrecht,XX,,-5\n"
        "Ann again,ANN@acme.example,,Damrak 9,,1012 LG,Amsterdam,NL,,\n"
    )
    response = _import(client, world["customer_token"], text)
    body = assert_error_with_report(response)
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, 0)
    refused = {row["row"]: row for row in body["refused"]}
    assert sorted(refused) == [2, 3, 4]
    assert refused[2]["email"] == "not-an-address" and "email" in refused[2]["errors"]
    assert "country" in refused[3]["errors"]["address"]
    assert "monthly_allowance" in refused[3]["errors"]
    assert "Also on row 1" in refused[4]["errors"]["email"][0]
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def assert_error_with_report(response):
    body = response.get_json()
    assert response.status_code == 422, body
    assert body["code"] == 422 and "file" in body["errors"]
    assert set(body) == {"code", "status", "message", "errors", "created", "updated", "unchanged", "refused"}
    return body


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xff\xfename,email\n", "UTF-8"),
        (b"", "empty"),
        (b"name,email,cost_centre\nAnn,ann@acme.example,\n", "missing"),
        ((HEADER.strip() + ",extra\n").encode(), "unknown 'extra'"),
        (HEADER.encode(), "no rows"),
    ],
)
def test_a_file_that_is_not_the_import_csv_is_a_422_on_file(client, world, data, says):
    body = assert_error(_import(client, world["customer_token"], data), 422, "file")
    assert says in body["errors"]["file"][0]


def test_a_row_with_too_many_cells_is_refused(client, world):
    text = HEADER + "Ann,ann@acme.example,Sales,Damrak 1,,1012 LG,Amsterdam,NL,,50.00,surplus\n"
    body = assert_error_with_report(_import(client, world["customer_token"], text))
    assert "row" in body["refused"][0]["errors"]


def test_an_import_without_a_file_or_customer_is_refused(client, world, tokens):
    assert_error(
        _import(client, tokens["admin"], HEADER + "A,a@b.example,,l,,p,c,NL,,\n"), 422, "customer_id"
    )
    no_file = client.post(
        "/api/v1/people/import",
        data={},
        headers=bearer(world["customer_token"]),
        content_type="multipart/form-data",
    )
    assert_error(no_file, 422, "file")
    as_json = client.post(
        "/api/v1/people/import", json={"file": "x"}, headers=bearer(world["customer_token"])
    )
    assert_error(as_json, 415, "body")


# -- a person on deployments, reassignment ------------------------------------------------------------------


def test_a_deployment_carries_an_active_person_of_the_contracts_customer(client, world, tokens):
    person = _person(world["customer"].id, "ada@acme.example")
    theirs = _person(world["other"].id, "bob@other.example")
    contract_id = world["contracts"][0].id
    headers = bearer(tokens["logistics"])
    device = factories.device(world["model"].sku)
    wrong = client.post(
        f"/api/v1/contracts/{contract_id}/devices",
        json={"serial": device.serial, "start_date": "2026-02-01", "person_id": theirs.id},
        headers=headers,
    )
    assert_error(wrong, 422, "person_id")
    assert db.session.get(Device, device.id).status == "in_stock"
    response = client.post(
        f"/api/v1/contracts/{contract_id}/devices",
        json={"serial": device.serial, "start_date": "2026-02-01", "person_id": person.id},
        headers=headers,
    )
    assert response.status_code == 201
    assert response.get_json()["person_id"] == person.id


def test_a_customer_reassigns_its_device_on_the_same_deployment(client, world):
    ada = _person(world["customer"].id, "ada@acme.example", name="Ada")
    bob = _person(world["customer"].id, "bob@acme.example", name="Bob")
    contract = world["contracts"][0]
    device = _deploy(contract.id, world["model"], ada.id)
    deployment = db.session.scalar(select(Deployment).where(Deployment.device_id == device.id))
    headers = bearer(world["customer_token"])
    url = f"/api/v1/contracts/{contract.id}/devices/{device.serial}/reassign"
    response = client.post(url, json={"person_id": bob.id}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["id"] == deployment.id
    assert (deployment.person_id, deployment.start_date, deployment.end_date) == (
        bob.id,
        date(2026, 2, 1),
        None,
    )
    event = db.session.scalar(
        select(CustodyEvent).where(CustodyEvent.device_id == device.id).order_by(CustodyEvent.seq.desc())
    )
    assert (event.action, event.from_status, event.to_status) == ("reassign", "deployed", "deployed")
    assert event.reference == f"reassigned from Ada (person {ada.id}) to Bob (person {bob.id})"
    assert event.contract_id == contract.id
    assert_error(client.post(url, json={"person_id": bob.id}, headers=headers), 422, "person_id")
    theirs = _person(world["other"].id, "eve@other.example")
    assert_error(client.post(url, json={"person_id": theirs.id}, headers=headers), 422, "person_id")
    foreign = _deploy(world["foreign_contract"].id, world["model"])
    foreign_url = f"/api/v1/contracts/{world['foreign_contract'].id}/devices/{foreign.serial}/reassign"
    assert_error(client.post(foreign_url, json={"person_id": bob.id}, headers=headers), 404)


# -- offboarding --------------------------------------------------------------------------------------------


def test_offboarding_by_return_opens_one_order_per_contract_and_the_last_pickup_makes_them_left(
    client, world, tokens
):
    ada = _person(world["customer"].id, "ada@acme.example", name="Ada", region="NL-UTR")
    first, second = world["contracts"]
    devices = [_deploy(first.id, world["model"], ada.id), _deploy(first.id, world["model"], ada.id)]
    devices.append(_deploy(second.id, world["model"], ada.id))
    untouched = _deploy(first.id, world["model"])
    create_slot("NL-UTR", date(2026, 11, 20), 5)
    response = client.post(
        f"/api/v1/people/{ada.id}/offboard",
        json={"action": "return", "requested_date": "2026-11-18"},
        headers=bearer(world["customer_token"]),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["person"]["status"] == "leaving"
    orders = db.session.scalars(select(ReturnOrder).order_by(ReturnOrder.contract_id)).all()
    assert [order.id for order in orders] == sorted(body["return_order_ids"])
    assert [order.contract_id for order in orders] == [first.id, second.id]
    for order in orders:
        assert (order.reason, order.person_id, order.region, order.status) == (
            "offboarding",
            ada.id,
            "NL-UTR",
            "scheduled",
        )
        assert order.address == "Ada, Damrak 1, 1012 LG Amsterdam, NL"
    assert {d.status for d in devices} == {"return_scheduled"}
    assert untouched.status == "deployed"
    again = client.post(
        f"/api/v1/people/{ada.id}/offboard", json={"action": "return"}, headers=bearer(tokens["admin"])
    )
    assert_error(again, 409, "status")
    logistics = bearer(tokens["logistics"])
    for index, order in enumerate(orders):
        pickup = client.post(
            f"/api/v1/return-orders/{order.id}/pickup", json={"picked_up_on": "2026-11-15"}, headers=logistics
        )
        assert pickup.status_code == 200, pickup.get_json()
        db.session.refresh(ada)
        assert ada.status == ("leaving" if index == 0 else "left")


def test_offboarding_a_person_without_devices_makes_them_left_at_once(client, world):
    ada = _person(world["customer"].id, "ada@acme.example")
    response = client.post(
        f"/api/v1/people/{ada.id}/offboard",
        json={"action": "return"},
        headers=bearer(world["customer_token"]),
    )
    assert response.get_json()["person"]["status"] == "left"
    assert response.get_json()["return_order_ids"] == []
    assert db.session.scalar(select(func.count()).select_from(ReturnOrder)) == 0


def test_offboarding_by_reassignment_hands_every_device_over(client, world):
    ada = _person(world["customer"].id, "ada@acme.example", name="Ada")
    bob = _person(world["customer"].id, "bob@acme.example", name="Bob")
    first, second = world["contracts"]
    devices = [_deploy(first.id, world["model"], ada.id), _deploy(second.id, world["model"], ada.id)]
    headers = bearer(world["customer_token"])
    url = f"/api/v1/people/{ada.id}/offboard"
    assert_error(client.post(url, json={"action": "reassign"}, headers=headers), 422, "to_person_id")
    self_ = client.post(url, json={"action": "reassign", "to_person_id": ada.id}, headers=headers)
    assert_error(self_, 422, "to_person_id")
    theirs = _person(world["other"].id, "eve@other.example")
    foreign = client.post(url, json={"action": "reassign", "to_person_id": theirs.id}, headers=headers)
    assert_error(foreign, 422, "to_person_id")
    response = client.post(url, json={"action": "reassign", "to_person_id": bob.id}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["person"]["status"] == "left"
    assert sorted(response.get_json()["reassigned"]) == sorted(d.serial for d in devices)
    people = db.session.scalars(
        select(Deployment.person_id).where(Deployment.device_id.in_([d.id for d in devices]))
    ).all()
    assert people == [bob.id, bob.id]
    assert {d.status for d in devices} == {"deployed"}
    left_target = client.post(
        f"/api/v1/people/{bob.id}/offboard",
        json={"action": "reassign", "to_person_id": ada.id},
        headers=headers,
    )
    assert_error(left_target, 422, "to_person_id")


# -- the devices-per-person export --------------------------------------------------------------------------


def test_the_devices_export_lists_each_persons_devices_by_cost_centre(client, world, tokens):
    customer_id = world["customer"].id
    ben = _person(customer_id, "ben@acme.example", name="Ben", cost_centre="Sales")
    ann = _person(customer_id, "ann@acme.example", name="=Ann", cost_centre="R&D")
    contract = world["contracts"][0]
    b = _deploy(contract.id, world["model"], ben.id)
    a = _deploy(contract.id, world["model"], ann.id)
    _deploy(contract.id, world["model"])  # serves nobody: not listed
    theirs = _person(world["other"].id, "eve@other.example")
    _deploy(world["foreign_contract"].id, world["model"], theirs.id)
    response = client.get("/api/v1/people/devices.csv", headers=bearer(world["customer_token"]))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["cost_centre"], r["name"], r["email"], r["serial"]) for r in rows] == [
        ("R&D", "'=Ann", "ann@acme.example", a.serial),
        ("Sales", "Ben", "ben@acme.example", b.serial),
    ]
    assert rows[0]["sku"] == world["model"].sku
    assert rows[0]["model"] == world["model"].name
    assert rows[0]["contract_reference"] == contract.reference
    assert rows[0]["since"] == "2026-02-01"
    staff = client.get("/api/v1/people/devices.csv", headers=bearer(tokens["finance"]))
    assert len(list(csv.DictReader(io.StringIO(staff.get_data(as_text=True))))) == 3
    other = client.get(
        f"/api/v1/people/devices.csv?customer_id={world['other'].id}", headers=bearer(world["customer_token"])
    )
    assert list(csv.DictReader(io.StringIO(other.get_data(as_text=True)))) == []


# -- approvers ----------------------------------------------------------------------------------------------


def test_customer_users_are_made_approvers_and_see_it(client, database, tokens):
    customer = factories.customer()
    headers = bearer(tokens["admin"])
    created = client.post(
        "/api/v1/users",
        json={
            "email": "boss@acme.example",
            "role": "customer",
            "customer_id": customer.id,
            "can_approve": True,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["can_approve"] is True
    plain = client.post(
        "/api/v1/users",
        json={"email": "clerk@acme.example", "role": "customer", "customer_id": customer.id},
        headers=headers,
    ).get_json()
    assert plain["can_approve"] is False
    staff = client.post(
        "/api/v1/users",
        json={"email": "ops@daas.example", "role": "logistics", "can_approve": True},
        headers=headers,
    )
    assert_error(staff, 422, "can_approve")
    integer = client.post(
        "/api/v1/users",
        json={"email": "x@acme.example", "role": "customer", "customer_id": customer.id, "can_approve": 1},
        headers=headers,
    )
    assert_error(integer, 422, "can_approve")
    changed = client.patch(f"/api/v1/users/{plain['id']}", json={"can_approve": True}, headers=headers)
    assert changed.get_json()["can_approve"] is True
    token = create_token(plain["id"], "t")[1]
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()
    assert me["can_approve"] is True
    listed = client.get("/api/v1/users?page_size=200", headers=headers).get_json()
    assert {u["email"]: u["can_approve"] for u in listed}["clerk@acme.example"] is True
    stopped = client.patch(f"/api/v1/users/{plain['id']}", json={"active": False}, headers=headers)
    assert stopped.get_json()["active"] is False
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    admin_id = client.get("/api/v1/me", headers=headers).get_json()["user_id"]
    assert_error(client.patch(f"/api/v1/users/{admin_id}", json={"can_approve": True}, headers=headers), 422)
    assert_error(client.patch(f"/api/v1/users/{admin_id}", json={"active": False}, headers=headers), 409)
